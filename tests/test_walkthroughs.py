"""The policy officer's day (issue 17, items 6 and 7), done as the policy officer's guide
(docs/用户手册/政策人员.md, 练习一 to 练习六) tells it: copy the live rulebook to a draft,
change cells, save once with a spreadsheet application (LibreOffice), lint, test, compare
with a past batch, publish; then the decisions on both sides of each date are checked.

Each walk-through runs in a home of its own built from the rulebook the guide was written
against, an ARCHIVED one pinned by its digest, never the live one (issue 16, item 10): a
policy change published to rules/ since never breaks these tests.  Each step is written once,
here, beside the cell edits it makes; the guide shows the same sentences
(test_the_guide_tells_each_walkthrough_step_by_step_as_the_tests_do).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, libreoffice_or_skip, request, saved_by_libreoffice
from drafts import add_row, headings, row_of, set_cell

from cli import cli
from engine.core.decide import Decider
from engine.core.normalise import normalise
from engine.records.archive import archive_beside
from engine.rulebook.source import load_rulebook

PINNED = "47779756840622627bde8fc44ef1700274a9b7e13593cfbf0a8069ceb998e146"  # 2026.12.04-47779756
WINDOW = "社会保障卡业务经办窗口"
D = dt.date

libreoffice_or_skip()


@dataclass(frozen=True)
class Step:
    says: str  # the step as the guide tells it
    edit: Callable[[openpyxl.Workbook], None]


def copy_case(book: openpyxl.Workbook, source: str, name: str, **changes) -> None:
    """Copy a row of 用例 (found by its 用例名称) below the last one, with some cells changed."""
    sheet = book["用例"]
    row = row_of(sheet, "用例名称", source)
    cells = {heading: sheet.cell(row, column).value for heading, column in headings(sheet).items()}
    add_row(sheet, {**cells, "用例名称": name, **changes})


def change(sheet: str, rule_id: str, **cells) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        for heading, value in cells.items():
            set_cell(book[sheet], row_of(book[sheet], "规则编号", rule_id), heading, value)
    return edit


def new_row(sheet: str, **cells) -> Callable[[openpyxl.Workbook], None]:
    return lambda book: add_row(book[sheet], cells)


def cases(*copies: tuple) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        for source, name, changes in copies:
            copy_case(book, source, name, **changes)
    return edit


def both(*edits: Callable) -> Callable[[openpyxl.Workbook], None]:
    def edit(book):
        for one in edits:
            one(book)
    return edit


FORM = "材料:补卡申请表"
WALKTHROUGHS: dict[str, tuple[str, list[Step]]] = {
    "a": ("补卡的工本费自 2028-01-01 起改为 30 元,换卡、信息变更仍为 20 元", [
        Step("在「参数」表末尾加两行:补卡工本费 自 2015-01-01 起 20 元(单位 元,类型 金额,并填说明和依据),"
             "补卡工本费 自 2028-01-01 起 30 元。",
             both(new_row("参数", 参数="补卡工本费", 生效日期=D(2015, 1, 1), 值=20, 单位="元", 类型="金额",
                          说明="补卡须缴费时的工本费", 依据="§7 须缴费后办理;金额为本地工本费"),
                  new_row("参数", 参数="补卡工本费", 生效日期=D(2028, 1, 1), 值=30))),
        Step("在「补卡」表 REISSUE-FEE 一行,把「费用」由 工本费 改为 补卡工本费。",
             change("补卡", "REISSUE-FEE", 费用="补卡工本费")),
        Step("在「用例」表复制「补卡 本人」一行两次,申请日期改为 2027-12-31(期望费用 20)和 2028-01-01(期望费用 30);"
             "复制「换卡 使用不当缴费」一行,申请日期改为 2028-01-01(期望费用仍为 20)。",
             cases(("补卡 本人", "补卡 2027-12-31 工本费 20", {"申请日期": D(2027, 12, 31), "期望费用(元)": 20}),
                   ("补卡 本人", "补卡 2028-01-01 工本费 30", {"申请日期": D(2028, 1, 1), "期望费用(元)": 30}),
                   ("换卡 使用不当缴费", "换卡 2028-01-01 工本费仍 20", {"申请日期": D(2028, 1, 1)}))),
    ]),
    "b": ("自 2027-07-01 起补卡须交补卡申请表", [
        Step(f"在「输入列」表末尾加一行:列名 {FORM},类型 是否,适用业务 补卡,必填 否,生效日期 2027-07-01,条款 C2。",
             new_row("输入列", 列名=FORM, 类型="是否", 适用业务="补卡", 必填="否", 生效日期=D(2027, 7, 1), 条款="C2",
                     说明="补卡申请表,2027-07-01 起补卡须交;空白按 否")),
        Step(f"在「补卡」表末尾加一行规则(表头加一列 {FORM}):REISSUE-MISSING-FORM 补卡缺申请表,{FORM} 否,"
             f"结论 补正材料,缺少材料 补卡申请表,办理地点 {WINDOW},条款 §6,依据 自 2027-07-01 起补卡须交补卡申请表,"
             "生效日期 2027-07-01,解释性规则 是。",
             new_row("补卡", 规则编号="REISSUE-MISSING-FORM", 名称="补卡缺申请表", **{FORM: "否"}, 结论="补正材料",
                     缺少材料="补卡申请表", 办理地点=WINDOW, 条款="§6", 依据="自 2027-07-01 起补卡须交补卡申请表",
                     生效日期=D(2027, 7, 1), 解释性规则="是")),
        Step(f"在「用例」表复制「补卡 本人」一行三次(表头加一列 {FORM}):申请日期 2027-06-30 未交(期望 受理);"
             "2027-07-01 未交(期望结论 补正材料,期望缺少材料 补卡申请表,期望规则 REISSUE-MISSING-FORM);"
             "2027-07-01 已交(期望 受理)。",
             cases(("补卡 本人", "补卡 2027-06-30 无须申请表", {"申请日期": D(2027, 6, 30)}),
                   ("补卡 本人", "补卡 2027-07-01 缺申请表", {"申请日期": D(2027, 7, 1), "期望结论": "补正材料",
                                                        "期望缺少材料": "补卡申请表", "期望规则": "REISSUE-MISSING-FORM"}),
                   ("补卡 本人", "补卡 2027-07-01 已交申请表", {"申请日期": D(2027, 7, 1), FORM: "是"}))),
    ]),
    "c": ("自 2027-03-01 起因卡面损坏换卡一律免费,不再询问损坏责任", [
        Step("在「输入列」表 损坏责任 一行填失效日期 2027-02-28。",
             lambda book: set_cell(book["输入列"], row_of(book["输入列"], "列名", "损坏责任"), "失效日期", D(2027, 2, 28))),
        Step("在「换卡」表 EXCHANGE-FREE 和 EXCHANGE-PAID 两行填失效日期 2027-02-28;在表末尾加一行规则 EXCHANGE-DAMAGE-FREE "
             "卡面损坏免费换卡:原因 卡面污损、卡面残缺、无法读写,结论 受理,条款 §7,依据 自 2027-03-01 起卡面损坏换卡一律免费,"
             "生效日期 2027-03-01,解释性规则 是。",
             both(change("换卡", "EXCHANGE-FREE", 失效日期=D(2027, 2, 28)),
                  change("换卡", "EXCHANGE-PAID", 失效日期=D(2027, 2, 28)),
                  new_row("换卡", 规则编号="EXCHANGE-DAMAGE-FREE", 名称="卡面损坏免费换卡", 原因="卡面污损、卡面残缺、无法读写",
                          结论="受理", 条款="§7", 依据="自 2027-03-01 起卡面损坏换卡一律免费", 生效日期=D(2027, 3, 1),
                          解释性规则="是"))),
        Step("在「用例」表复制「换卡 使用不当缴费」一行三次:申请日期 2027-02-28(期望不变);2027-03-01 和 2027-03-01 "
             "且损坏责任留空(期望费用 0,期望规则 EXCHANGE-DAMAGE-FREE)。",
             cases(("换卡 使用不当缴费", "换卡 2027-02-28 仍收费", {"申请日期": D(2027, 2, 28)}),
                   ("换卡 使用不当缴费", "换卡 2027-03-01 免费", {"申请日期": D(2027, 3, 1), "期望费用(元)": 0,
                                                          "期望规则": "EXCHANGE-DAMAGE-FREE"}),
                   ("换卡 使用不当缴费", "换卡 2027-03-01 不问损坏责任", {"申请日期": D(2027, 3, 1), "损坏责任": None,
                                                              "期望费用(元)": 0, "期望规则": "EXCHANGE-DAMAGE-FREE"}))),
    ]),
    "d": ("自 2027-05-01 起他人代为挂失不予受理:一条规则到期,另一条接替", [
        Step("在「挂失」表 REPORT-LOSS-BY-OTHER 一行填失效日期 2027-04-30。",
             change("挂失", "REPORT-LOSS-BY-OTHER", 失效日期=D(2027, 4, 30))),
        Step("在「挂失」表末尾加一行规则 REPORT-LOSS-BY-OTHER-REFUSED 他人代为挂失不予受理:办理人 代办,结论 不予受理,条款 §4,"
             "依据 自 2027-05-01 起挂失须由持卡人本人办理,生效日期 2027-05-01,解释性规则 是。",
             new_row("挂失", 规则编号="REPORT-LOSS-BY-OTHER-REFUSED", 名称="他人代为挂失不予受理", 办理人="代办", 结论="不予受理",
                     条款="§4", 依据="自 2027-05-01 起挂失须由持卡人本人办理", 生效日期=D(2027, 5, 1), 解释性规则="是")),
        Step("在「用例」表复制「挂失 他人代为挂失」一行两次:申请日期 2027-04-30(期望不变);2027-05-01(期望结论 不予受理,"
             "期望规则 REPORT-LOSS-BY-OTHER-REFUSED)。",
             cases(("挂失 他人代为挂失", "挂失 2027-04-30 他人代为挂失仍复核", {"申请日期": D(2027, 4, 30)}),
                   ("挂失 他人代为挂失", "挂失 2027-05-01 他人代为挂失不予受理",
                    {"申请日期": D(2027, 5, 1), "期望结论": "不予受理", "期望规则": "REPORT-LOSS-BY-OTHER-REFUSED"}))),
    ]),
    "e": ("自 2027-06-01 起「卡找不到了」读作丢失", [
        Step("在「写法」表末尾加一行:列名 原因,写法 卡找不到了,读作 丢失,适用业务 挂失,生效日期 2027-06-01。",
             new_row("写法", 列名="原因", 写法="卡找不到了", 读作="丢失", 适用业务="挂失", 生效日期=D(2027, 6, 1))),
        Step("在「用例」表复制「挂失 丢失」一行两次,原因改为 卡找不到了:申请日期 2027-05-31(期望结论 不予受理,"
             "期望规则 REPORT-LOSS-REASON-INVALID);2027-06-01(期望结论 受理,期望规则 REPORT-LOSS-ACCEPT INPUT-READ-AS)。",
             cases(("挂失 丢失", "挂失 2027-05-31 卡找不到了", {"原因": "卡找不到了", "申请日期": D(2027, 5, 31),
                                                         "期望结论": "不予受理", "期望规则": "REPORT-LOSS-REASON-INVALID"}),
                   ("挂失 丢失", "挂失 2027-06-01 卡找不到了读作丢失", {"原因": "卡找不到了", "申请日期": D(2027, 6, 1),
                                                             "期望规则": "REPORT-LOSS-ACCEPT INPUT-READ-AS"}))),
    ]),
}


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A checkout of its own: the pinned archived rulebook as the live one, its archive, a past batch."""
    home = tmp_path / "home"
    (home / "rules").mkdir(parents=True)
    shutil.copy(ROOT / "archive" / PINNED / "规则库.xlsx", home / "rules" / "规则库.xlsx")
    shutil.copytree(ROOT / "archive" / PINNED, home / "archive" / PINNED)
    (home / "sample_data").mkdir()
    shutil.copy(ROOT / "sample_data" / "batch.xlsx", home / "sample_data" / "上月批次.xlsx")
    monkeypatch.chdir(home)
    monkeypatch.setenv("SSCARD_RULES", str(home / "rules" / "规则库.xlsx"))
    return home


def sscard(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def officer(home: Path, steps: list[Step]) -> dict[str, str]:
    """The officer's day: draft, cell edits, one save in a spreadsheet application, lint, test,
    diff against last month's batch, publish.  What each command said."""
    draft = home / "草案.xlsx"
    said = {"draft": sscard("rules", "draft", "草案.xlsx")}
    book = openpyxl.load_workbook(draft)
    for step in steps:
        step.edit(book)
    book.save(draft)
    saved_by_libreoffice(draft, home.parent)
    said["lint"] = sscard("rules", "lint", "草案.xlsx")
    said["test"] = sscard("rules", "test", "草案.xlsx")
    said["diff"] = sscard("diff", "sample_data/上月批次.xlsx", "--new", "草案.xlsx")
    said["publish"] = sscard("rules", "publish", "草案.xlsx")
    return said


def decide(book, **fields):
    cells = {c.key: None for c in book.schema.columns}
    by_header = {c.header: c.key for c in book.schema.columns}
    cells.update({by_header[h]: v for h, v in request(**fields).items()})
    return Decider(book).decide(normalise(book.schema, cells))


def on(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def published(home: Path, said: dict[str, str]):
    """The live rulebook after publishing: archived, installed, documented, every check passed."""
    assert said["lint"].splitlines()[-1] == "未发现问题。"
    assert said["test"].splitlines()[-1] == "每条规则都至少被一个用例命中。"
    assert "决定有变化 0 行" in said["diff"]  # last month's batch is dated before every change
    live = home / "rules" / "规则库.xlsx"
    book = archive_beside(live).load(live)
    assert said["publish"].splitlines()[0] == f"已发布:{book.name} 版本 {book.version}"
    assert (home / "archive" / book.digest / "规则集.json").is_file() and book.digest != PINNED
    assert book.digest in (home / "docs" / "规则手册.md").read_text(encoding="utf-8")
    return book


REISSUE = {"业务类型": "补卡", "卡状态": "挂失", "材料:身份证件原件": "是"}
EXCHANGE = {"业务类型": "换卡", "原因": "卡面残缺", "损坏责任": "使用不当", "材料:身份证件原件": "是", "材料:社保卡": "是"}
INFO = {"业务类型": "信息变更", "原因": "信息变更", "材料:身份证件原件": "是", "材料:社保卡": "是", "材料:变更证明": "是"}
LOSS_BY_OTHER = {"业务类型": "挂失", "原因": "被盗", "办理人": "代办"}


def test_walkthrough_a_the_reissue_fee_rises_alone_from_its_date(home):
    said = officer(home, WALKTHROUGHS["a"][1])
    assert "  新增参数 补卡工本费:自 2015-01-01 起 20 元;自 2028-01-01 起 30 元" in said["diff"].splitlines()
    book = published(home, said)
    assert [decide(book, **REISSUE, 申请日期=on(day)).fee for day in (D(2027, 12, 31), D(2028, 1, 1))] == [20, 30]
    for other in (EXCHANGE, INFO):
        assert decide(book, **other, 申请日期=on(D(2028, 1, 1))).fee == 20


def test_walkthrough_b_a_new_document_is_required_from_its_date(home):
    said = officer(home, WALKTHROUGHS["b"][1])
    assert f"  新增输入列 {FORM}:自 2027-07-01 起" in said["diff"].splitlines()
    book = published(home, said)
    before, after = decide(book, **REISSUE, 申请日期=on(D(2027, 6, 30))), decide(book, **REISSUE, 申请日期=on(D(2027, 7, 1)))
    assert (before.verdict, before.missing) == ("受理", ())
    assert (after.verdict, after.missing, after.place) == ("补正材料", ("补卡申请表",), WINDOW)
    assert decide(book, **REISSUE, 申请日期=on(D(2027, 7, 1)), **{FORM: "是"}).verdict == "受理"


def test_walkthrough_c_damage_is_exchanged_free_and_the_fault_no_longer_asked_from_its_date(home):
    said = officer(home, WALKTHROUGHS["c"][1])
    assert "  输入列 损坏责任 的生效 一直有效 → 至 2027-02-28 止" in said["diff"].splitlines()
    book = published(home, said)
    assert decide(book, **EXCHANGE, 申请日期=on(D(2027, 2, 28))).fee == 20
    for fault in ("使用不当", "卡片质量问题", None):
        free = decide(book, **{**EXCHANGE, "损坏责任": fault}, 申请日期=on(D(2027, 3, 1)))
        assert (free.verdict, free.fee) == ("受理", 0) and "EXCHANGE-DAMAGE-FREE" in free.rules
    unasked = decide(book, **{**EXCHANGE, "损坏责任": None}, 申请日期=on(D(2027, 2, 28)))
    assert unasked.verdict == "输入有误"  # before the date it is still asked


def test_walkthrough_d_a_rule_ends_and_another_replaces_it(home):
    said = officer(home, WALKTHROUGHS["d"][1])
    assert "  新增规则 REPORT-LOSS-BY-OTHER-REFUSED 他人代为挂失不予受理[挂失]:自 2027-05-01 起" in said["diff"].splitlines()
    book = published(home, said)
    before, after = (decide(book, **LOSS_BY_OTHER, 申请日期=on(day)) for day in (D(2027, 4, 30), D(2027, 5, 1)))
    assert (before.verdict, before.rules[0]) == ("人工复核", "REPORT-LOSS-BY-OTHER")
    assert after.verdict == "不予受理" and "REPORT-LOSS-BY-OTHER" not in after.rules


def test_walkthrough_e_a_new_phrasing_of_a_reason_is_read_from_its_date(home):
    said = officer(home, WALKTHROUGHS["e"][1])
    assert "  新增写法 原因「卡找不到了」读作「丢失」[挂失]:自 2027-06-01 起" in said["diff"].splitlines()
    book = published(home, said)
    loss = {"业务类型": "挂失", "原因": "卡找不到了"}
    before, after = (decide(book, **loss, 申请日期=on(day)) for day in (D(2027, 5, 31), D(2027, 6, 1)))
    assert before.verdict == "不予受理"
    assert after.verdict == "受理" and after.basis[-1] == "原因「卡找不到了」按写法读作「丢失」(C2)"


# (f) A broken edit of each kind (issue 17, item 4): saved once with LibreOffice, publishing is
# refused naming the cell; the live rulebook is untouched.  The cell mistakes go in one draft,
# which lint lists one line each; the workbook-level ones each stop reading at once.
def _heading(book, sheet: str, old: str, new: str) -> str:
    cell = book[sheet].cell(1, headings(book[sheet])[old])
    cell.value = new
    return f"「{sheet}」{cell.coordinate}"


def _rule_cell(book, sheet: str, rule_id: str, heading: str, value) -> str:
    return f"「{sheet}」{set_cell(book[sheet], row_of(book[sheet], '规则编号', rule_id), heading, value)}"


def _new_row(book, sheet: str, heading: str, cells: dict) -> str:
    row = add_row(book[sheet], cells)
    return f"「{sheet}」{book[sheet].cell(row, headings(book[sheet])[heading]).coordinate}"


CELL_MISTAKES = [  # (the edit, returning the cell it broke; what the line for that cell says)
    (lambda b: _heading(b, "补卡", "卡状态", "卡状况"), "表头「卡状况」不是「补卡」表的列;是否指「卡状态」?"),
    (lambda b: _rule_cell(b, "密码解锁", "PIN-UNLOCK-LOCKED", "连续密码错误次数", "≥ 三次"),
     "「连续密码错误次数」的比较对象「三次」既不是「参数」表中的参数"),
    (lambda b: _rule_cell(b, "挂失", "REPORT-LOSS-ALREADY-REPORTED", "卡状态", "冻结"), "「卡状态」没有取值「冻结」"),
    (lambda b: _rule_cell(b, "换卡", "EXCHANGE-FREE", "费用", "工本费用"), "费用「工本费用」不是「参数」表中的参数;是否指「工本费」?"),
    (lambda b: _new_row(b, "参数", "值", {"参数": "工本费", "生效日期": D(2028, 1, 1), "值": "二十"}),
     "「二十」不是金额;请填数字,如 20"),
    (lambda b: _new_row(b, "参数", "值", {"参数": "密码锁定次数", "生效日期": D(2028, 1, 1), "值": 0}), "「0」须 ≥ 1"),
    (lambda b: [_rule_cell(b, "注销", "DEREGISTER-HUKOU-NOT-CANCELLED", "生效日期", D(2027, 1, 1)),
                _rule_cell(b, "注销", "DEREGISTER-HUKOU-NOT-CANCELLED", "失效日期", D(2026, 1, 1))][1],
     "失效日期 2026-01-01 早于生效日期 2027-01-01"),
    (lambda b: _new_row(b, "信息变更", "规则编号", {"规则编号": "INFO-CHANGE-DATA-ERROR", "名称": "重复", "结论": "受理",
                                               "条款": "§1", "依据": "重复"}), "规则编号「INFO-CHANGE-DATA-ERROR」已用于"),
]
WORKBOOK_MISTAKES = [
    ("formula", lambda b: _rule_cell(b, "换卡", "EXCHANGE-PAID", "费用", "=\"工本\"&\"费\""), "是公式"),
    ("merged", lambda b: b["补卡"].merge_cells("A2:B2") or "「补卡」A2:B2", "是合并单元格"),
    ("hidden_row", lambda b: setattr(b["换卡"].row_dimensions[3], "hidden", True) or "「换卡」第 3 行",
     "被隐藏(或被筛选掉),看不见的内容也会生效"),
    ("hidden_sheet", lambda b: setattr(b["注销"], "sheet_state", "hidden") or ":工作表「注销」", "被隐藏,看不见的内容也会生效"),
]


def test_walkthrough_f_each_kind_of_broken_edit_is_refused_naming_its_cell(home):
    sscard("rules", "draft", "草案.xlsx")
    for name, _, _ in WORKBOOK_MISTAKES:
        shutil.copy(home / "草案.xlsx", home / f"{name}.xlsx")
    book = openpyxl.load_workbook(home / "草案.xlsx")
    expected = [(edit(book), words) for edit, words in CELL_MISTAKES]
    book.save(home / "草案.xlsx")
    broken = {}
    for name, edit, words in WORKBOOK_MISTAKES:
        workbook = openpyxl.load_workbook(home / f"{name}.xlsx")
        broken[name] = (edit(workbook), words)
        workbook.save(home / f"{name}.xlsx")
    for name in ["草案", *broken]:
        saved_by_libreoffice(home / f"{name}.xlsx", home.parent)
    live = (home / "rules" / "规则库.xlsx").read_bytes()

    lint = CliRunner().invoke(cli, ["rules", "lint", "草案.xlsx"])
    findings = [line for line in lint.output.splitlines() if line.startswith("[声明] ")]
    for cell, words in expected:
        assert any(line.startswith(f"[声明] 草案.xlsx{cell}:") and words in line for line in findings), \
            (cell, words, lint.output)
    refused = CliRunner().invoke(cli, ["rules", "publish", "草案.xlsx"])
    assert refused.exit_code == 2 and len(refused.output.splitlines()) == 1, refused.output
    assert refused.output.startswith("错误:草案.xlsx「") and "另有" in refused.output
    for name, (cell, words) in broken.items():
        result = CliRunner().invoke(cli, ["rules", "publish", f"{name}.xlsx"])
        assert result.exit_code == 2 and len(result.output.splitlines()) == 1, result.output
        assert result.output.startswith(f"错误:{name}.xlsx{cell}") and words in result.output, result.output
    assert (home / "rules" / "规则库.xlsx").read_bytes() == live and not (home / "docs").exists()


GUIDE = ROOT / "docs" / "用户手册" / "政策人员.md"
EXERCISE = {"a": "练习一", "b": "练习二", "c": "练习三", "d": "练习四", "e": "练习五"}  # as the guide numbers them


def test_the_guide_tells_each_walkthrough_step_by_step_as_the_tests_do():
    guide = GUIDE.read_text(encoding="utf-8")
    for key, (title, steps) in WALKTHROUGHS.items():
        block = re.search(rf"<!-- walkthrough {key} -->\n(.*?)<!-- /walkthrough -->", guide, re.S)
        assert block, f"{GUIDE.name} has no walk-through {key}"
        told = re.findall(r"^\d+\. (.+)$", block[1], re.M)
        assert block[1].startswith(f"**{EXERCISE[key]} {title}**"), block[1][:80]
        assert told == [step.says for step in steps], key
    assert load_rulebook(ROOT / "archive" / PINNED / "规则库.xlsx").digest == PINNED
