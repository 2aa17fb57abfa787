"""No traceback for policy staff, ever (issue 17, item 4): every command that reads a
rulebook, given a draft broken the way a spreadsheet gets broken, ends with one Chinese
line naming the workbook, the sheet, the cell and the fix, and exits non-zero; `rules lint`
lists every such mistake as a [声明] finding."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_request, write_batch
from drafts import add_row, copy_rulebook, editing, headings, row_of, set_cell
from openpyxl.workbook.protection import WorkbookProtection

from cli import cli

# Python's own words a policy officer must never be shown.
PROGRAM_TEXT = re.compile(r"Traceback|\b\w+(Error|Exception)\b|datetime\.|File \"|line \d+|<module>|None|\.py\b")


def _cell(sheet: str, row_id: str | None, heading: str, value, *, key: str = "规则编号"):
    """Break one cell: under ``heading`` on the row whose ``key`` is ``row_id`` (or a heading cell)."""
    def edit(path: Path) -> str:
        with editing(path) as workbook:
            ws = workbook[sheet]
            if row_id is None:  # the heading itself
                cell = ws.cell(1, headings(ws)[heading])
                cell.value = value
                return f"「{sheet}」{cell.coordinate}"
            return f"「{sheet}」{set_cell(ws, row_of(ws, key, row_id), heading, value)}"
    return edit


def _added(sheet: str, cells: dict, heading: str):
    def edit(path: Path) -> str:
        with editing(path) as workbook:
            ws = workbook[sheet]
            row = add_row(ws, cells)
            return f"「{sheet}」{ws.cell(row, headings(ws)[heading]).coordinate}"
    return edit


def _merged(path: Path) -> str:
    with editing(path) as workbook:
        workbook["办证"].merge_cells("B2:B3")
    return "「办证」B2:B3"


def _hidden_row(path: Path) -> str:
    with editing(path) as workbook:
        workbook["办证"].row_dimensions[3].hidden = True
    return "「办证」第 3 行"


def _hidden_column(path: Path) -> str:
    with editing(path) as workbook:
        workbook["办证"].column_dimensions["C"].hidden = True
    return "「办证」C 列"


def _hidden_sheet(path: Path) -> str:
    with editing(path) as workbook:
        workbook["解锁"].sheet_state = "hidden"
    return "工作表「解锁」"


def _protected(path: Path) -> str:
    with editing(path) as workbook:
        workbook.security = WorkbookProtection(lockStructure=True)
    return "草案.xlsx:"


def _protected_sheet(path: Path) -> str:
    with editing(path) as workbook:
        workbook["参数"].protection.sheet = True
    return "「参数」"


def _external_link(path: Path) -> str:
    content = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(content, "a") as package:
        package.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    path.write_bytes(content.getvalue())
    return "草案.xlsx:"


def _service_without_table(path: Path) -> str:
    with editing(path) as workbook:
        add_row(workbook["业务"], {"业务类型": "续证", "代码": "renew", "条款": "§4"})
    return "草案.xlsx:"


def _renamed_sheet(path: Path) -> str:
    with editing(path) as workbook:
        workbook["解锁"].title = "解 锁"
    return "「解 锁」"


BROKEN = {
    # id: (the edit, returning where the message must point; words the message must hold)
    "unknown_heading": (_cell("办证", None, "办理人", "办里人"), ["表头「办里人」不是「办证」表的列", "是否指「办理人」"]),
    "condition_a_cell_cannot_mean": (_cell("解锁", "UNLOCK-LOCKED", "错误次数", "≥ 三次"),
                                     ["「三次」既不是「参数」表中的参数,也不是整数列的值", "请写数值"]),
    "ordering_a_choice": (_cell("办证", "ISSUE-ACCEPT", "办理人", "> 本人"), ["「办理人」是选项列", "不能比较大小"]),
    "value_not_among_the_values": (_cell("办证", "ISSUE-ACCEPT", "办理人", "他人"),
                                   ["「办理人」没有取值「他人」", "可写:本人/代办"]),
    "undefined_parameter": (_cell("办证", "ISSUE-ACCEPT", "费用", "工本费用"),
                            ["费用「工本费用」不是「参数」表中的参数", "是否指「工本费」"]),
    "words_for_an_amount": (_cell("参数", "工本费", "值", "二十", key="参数"), ["「二十」不是金额;请填数字,如 20"]),
    "negative_fee": (_cell("参数", "工本费", "值", -20, key="参数"), ["「-20」须 ≥ 0", "请改正该值"]),
    "fee_with_fractions_of_a_fen": (_cell("参数", "工本费", "值", 10.555, key="参数"), ["「10.555」最多两位小数"]),
    "fractional_count": (_cell("参数", "锁定次数", "值", 3.5, key="参数"), ["「3.5」不是整数"]),
    "rule_dates_out_of_order": (_cell("办证", "ISSUE-BY-OTHER-REFUSED", "失效日期", dt.date(2026, 1, 1)),
                                ["失效日期 2026-01-01 早于生效日期 2027-01-01", "须不早于生效日期"]),
    "value_dates_out_of_order": (_added("参数", {"参数": "工本费", "生效日期": dt.date(2021, 1, 1), "值": 12}, "生效日期"),
                                 ["生效日期 2021-01-01 早于上一个值的生效日期 2027-01-01", "按生效日期从早到晚排列"]),
    "text_that_is_no_date": (_cell("办证", "ISSUE-BY-OTHER", "失效日期", "2026-13-01"),
                             ["「2026-13-01」不是日期", "如 2027-01-01"]),
    "rule_id_used_twice": (_added("办证", {"规则编号": "ISSUE-ACCEPT", "名称": "重复", "结论": "受理", "条款": "§1",
                                        "依据": "重复"}, "规则编号"), ["规则编号「ISSUE-ACCEPT」已用于", "「办证」A2"]),
    "unknown_verdict": (_cell("办证", "ISSUE-ACCEPT", "结论", "同意"), ["「同意」不是「结论」表中的结论"]),
    "unknown_kind": (_cell("输入列", "办理人", "类型", "单选", key="列名"), ["「单选」不是列的类型", "可填:文本、是否"]),
    "required_naming_no_column": (_cell("输入列", "错误次数", "必填", "帐户 = 馆内账户", key="列名"),
                                  ["不是以输入列的列名开头的条件"]),
    "missing_document_not_a_column": (_cell("办证", "ISSUE-MISSING-ID", "缺少材料", "身份证"),
                                      ["缺少材料「身份证」不是输入列中的材料"]),
    "formula": (_cell("参数", "工本费", "值", "=10+5", key="参数"), ["是公式「=10+5」", "规则库中只能填值"]),
    "merged_cell": (_merged, ["是合并单元格", "取消合并"]),
    "hidden_row": (_hidden_row, ["被隐藏(或被筛选掉)", "看不见的内容也会生效"]),
    "hidden_column": (_hidden_column, ["被隐藏", "取消隐藏该列"]),
    "hidden_sheet": (_hidden_sheet, ["被隐藏", "取消隐藏"]),
    "protected_workbook": (_protected, ["设了工作簿保护", "撤销保护"]),
    "protected_sheet": (_protected_sheet, ["设了工作表保护", "撤销工作表保护"]),
    "external_link": (_external_link, ["外部链接", "断开链接"]),
    "service_without_table": (_service_without_table, ["业务「续证」没有规则表", "请添加名为「续证」的工作表"]),
    "renamed_sheet": (_renamed_sheet, ["不是规则库的工作表", "是否指「解锁」"]),
}


@pytest.fixture
def setting(tmp_path, fixture_book, monkeypatch):
    """A batch and its decision workbook (fixture rules), and a live rulebook of its own."""
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request()])
    decided = tmp_path / "决定.xlsx"
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(decided), "--rules", str(FIXTURE_RULES),
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("SSCARD_RULES", str(copy_rulebook(tmp_path / "home" / "rules" / "规则库.xlsx")))
    return batch, decided


COMMANDS = {
    "rules_list": lambda d, b, w: ["rules", "list", d],
    "rules_show": lambda d, b, w: ["rules", "show", "ISSUE-ACCEPT", d],
    "rules_test": lambda d, b, w: ["rules", "test", d],
    "rules_doc": lambda d, b, w: ["rules", "doc", d],
    "rules_publish": lambda d, b, w: ["rules", "publish", d],
    "diff": lambda d, b, w: ["diff", b, "--old", FIXTURE_RULES, "--new", d],
    "check": lambda d, b, w: ["check", b, "-o", b.with_name("新决定.xlsx"), "--rules", d],
    "verify": lambda d, b, w: ["verify", w, "--rules", d],
    "explain": lambda d, b, w: ["explain", w, "F1", "--rules", d],
    "template": lambda d, b, w: ["template", b.with_name("模板.xlsx"), "--rules", d],
}


def _expect(message: str, broken: str, where: str) -> None:
    assert not PROGRAM_TEXT.search(message), message
    for words in BROKEN[broken][1]:
        assert words in message, message
    assert "草案.xlsx" in message and where in message, (where, message)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("broken", BROKEN)
def test_command_ends_with_one_chinese_line_naming_sheet_cell_and_fix_when_the_draft_is_broken(
        tmp_path, setting, broken, command):
    batch, decided = setting
    draft = copy_rulebook(tmp_path / "草案.xlsx")
    where = BROKEN[broken][0](draft)
    result = CliRunner().invoke(cli, [str(a) for a in COMMANDS[command](draft, batch, decided)])
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    _expect(lines[0], broken, where)


@pytest.mark.parametrize("broken", BROKEN)
def test_lint_lists_the_problem_as_a_declaration_finding_when_the_draft_is_broken(tmp_path, broken):
    draft = copy_rulebook(tmp_path / "草案.xlsx")
    where = BROKEN[broken][0](draft)
    result = CliRunner().invoke(cli, ["rules", "lint", str(draft)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    findings = [line for line in result.output.splitlines() if line.startswith("[声明] ")]
    assert findings, result.output
    _expect(findings[0], broken, where)
    assert f"规则库 {draft} 有 " in result.output.splitlines()[-1]


def test_reading_names_every_problem_in_lint_and_the_first_elsewhere_when_a_draft_has_several(tmp_path):
    draft = copy_rulebook(tmp_path / "草案.xlsx")
    _cell("办证", "ISSUE-ACCEPT", "办理人", "他人")(draft)
    _cell("办证", "ISSUE-ACCEPT", "费用", "工本费用")(draft)
    lint = CliRunner().invoke(cli, ["rules", "lint", str(draft)])
    assert len([line for line in lint.output.splitlines() if line.startswith("[声明] ")]) == 2
    listed = CliRunner().invoke(cli, ["rules", "list", str(draft)])
    assert listed.exit_code == 2
    assert f"(另有 1 处问题;sscard rules lint {draft} 列出全部)" in listed.output


@pytest.mark.parametrize(("name", "words"), [
    ("草案.xlsm", "是启用宏的工作簿(.xlsm),不能作为规则库"),
    ("草案", "是文件夹;规则库是一个工作簿"),
    ("没有这个文件.xlsx", "不存在;请用 --rules 指向规则库工作簿(.xlsx)"),
])
def test_a_file_that_cannot_be_a_rulebook_is_refused_in_one_line(tmp_path, name, words):
    path = tmp_path / name
    if name.endswith(".xlsm"):
        shutil.copy(FIXTURE_RULES, path)
    elif "." not in name:
        path.mkdir()
    result = CliRunner().invoke(cli, ["rules", "list", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and words in result.output, result.output
