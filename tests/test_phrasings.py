"""No applicant is refused for a clerk's wording (issue 16, item 1): an open-text column's
listed phrasings are read as their value and the row says both, a value close to a listed
one is 输入有误 with the suggestion, only unrelated text reaches the service's rule for
other values, and the summary counts those rows.  Phrasings are rulebook content like any
other: dated, per service, read and checked cell by cell.  Tried on a draft of the fixture
rulebook that asks 重设密码 for its 原因."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import fixture_request, read_sheet, write_batch
from drafts import add_row, copy_rulebook, editing, headings

from cli import cli
from engine.rulebook.source import load_rulebook

FROM = dt.date(2027, 1, 1)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def draft(tmp_path):
    path = copy_rulebook(tmp_path / "草案.xlsx")
    with editing(path) as workbook:
        add_row(workbook["输入列"], {"列名": "原因", "类型": "文本", "可选值": "忘记密码、密码泄露", "适用业务": "重设密码",
                                    "必填": "是", "条款": "F0"})
        add_row(workbook["重设密码"], {"规则编号": "RESET-REASON-INVALID", "名称": "重设原因不符", "原因": "非 忘记密码、密码泄露",
                                     "结论": "不予受理", "条款": "§2", "依据": "重设密码仅限忘记密码或密码泄露"})
        phrasings = workbook["写法"]
        add_row(phrasings, {"列名": "原因", "写法": "密码忘了", "读作": "忘记密码", "适用业务": "重设密码"})
        add_row(phrasings, {"列名": "原因", "写法": "密码被人知道了", "读作": "密码泄露", "适用业务": "重设密码",
                            "生效日期": FROM})
    return path


def _reset(request_id, reason, day=dt.datetime(2026, 3, 1)):
    return fixture_request(申请编号=request_id, 业务类型="重设密码", 账户="馆内账户", 原因=reason, 申请日期=day)


def test_check_reads_a_phrasing_flags_a_close_one_refuses_only_unrelated_text_and_counts_those(tmp_path, draft):
    book = load_rulebook(draft)
    batch = write_batch(tmp_path / "批次.xlsx", book, [
        _reset("R1", "忘记密码"), _reset("R2", "密码忘了"), _reset("R3", "忘记密码了"), _reset("R4", "想换个密码"),
        _reset("R5", "密码被人知道了"), _reset("R6", "密码被人知道了", dt.datetime(2027, 1, 1))])
    out = tmp_path / "决定.xlsx"

    result = invoke("check", batch, "-o", out, "--rules", draft, "--workers", "1")

    assert result.exit_code == 0, result.output
    assert "  原因不是该业务所列原因的申请 2 行(不予受理 2 行)" in result.output.splitlines()
    rows = {r["申请编号"]: r for r in read_sheet(out)}
    assert {i: r["结论"] for i, r in rows.items()} == {"R1": "受理", "R2": "受理", "R3": "输入有误", "R4": "不予受理",
                                                       "R5": "不予受理", "R6": "受理"}
    assert rows["R2"]["原因"] == "密码忘了"  # as typed, and what it was read as beside the decision:
    assert rows["R2"]["依据"].splitlines()[-1] == "原因「密码忘了」按写法读作「忘记密码」(F0)"
    assert rows["R2"]["规则"].splitlines() == ["RESET-LIBRARY 馆内账户重设", "INPUT-READ-AS 按写法读取"]
    assert rows["R6"]["依据"].splitlines()[-1] == "原因「密码被人知道了」按写法读作「密码泄露」(F0)"  # in force from FROM
    (problem,) = [e for e in read_sheet(out, "错误") if e["申请编号"] == "R3"]
    assert (problem["列"], problem["值"]) == ("原因", "忘记密码了")
    assert "「忘记密码了」不是本业务所列的原因;是否指「忘记密码」?请核实后改为所列的原因之一:忘记密码/密码泄露" in problem["问题"]


def test_the_rows_refused_for_an_unlisted_reason_are_counted_on_the_summary_sheets(tmp_path, draft):
    book = load_rulebook(draft)
    for office, reasons in (("网点1", ["想换个密码", "忘记密码"]), ("网点2", ["不想用了"])):
        (tmp_path / "批次" / office).mkdir(parents=True)
        write_batch(tmp_path / "批次" / office / "申请批次.xlsx", book,
                    [_reset(f"{office}-{n}", reason) for n, reason in enumerate(reasons)])

    result = invoke("check", tmp_path / "批次", "-o", tmp_path / "决定", "--rules", draft, "--workers", "1")

    assert result.exit_code == 0, result.output
    line = "原因不是该业务所列原因的申请 {} 行(不予受理 {} 行)"
    summary = openpyxl.load_workbook(tmp_path / "决定" / "网点1-申请批次.decisions.xlsx")["汇总"]
    assert ["不在所列之中", line.format(1, 1)] in [[c.value for c in row[:2]] for row in summary.iter_rows()]
    combined = openpyxl.load_workbook(tmp_path / "决定" / "合并汇总.xlsx")
    per_file = {r["文件"]: r["说明"] for r in read_sheet(tmp_path / "决定" / "合并汇总.xlsx", "各批次")}
    assert per_file == {"网点1/申请批次.xlsx": line.format(1, 1), "网点2/申请批次.xlsx": line.format(1, 1)}
    assert ["不在所列之中", line.format(2, 2)] in [[c.value for c in row[:2]] for row in combined["汇总"].iter_rows()]


def test_explain_says_what_a_phrasing_was_read_as_and_agrees_with_the_engine(tmp_path, draft):
    book = load_rulebook(draft)
    batch = write_batch(tmp_path / "批次.xlsx", book, [_reset("R2", "密码忘了")])
    result = invoke("explain", batch, "R2", "--rules", draft)
    assert result.exit_code == 0, result.output
    assert "RESET-REASON-INVALID 重设原因不符 未命中: 原因 = 忘记密码, 须不是 忘记密码/密码泄露 (§2)" in result.output
    assert "不一致" not in result.output


def test_phrasings_are_listed_and_a_new_one_is_named_by_diff(tmp_path, draft):
    listed = invoke("rules", "list", draft)
    assert "原因「密码被人知道了」读作「密码泄露」[重设密码]:自 2027-01-01 起" in listed.output.splitlines()
    later = copy_rulebook(tmp_path / "新草案.xlsx", draft)
    with editing(later) as workbook:
        add_row(workbook["写法"], {"列名": "原因", "写法": "忘了密码", "读作": "忘记密码", "适用业务": "重设密码"})
    batch = write_batch(tmp_path / "批次.xlsx", load_rulebook(later), [_reset("R1", "忘了密码")])
    compared = invoke("diff", batch, "--old", draft, "--new", later)
    assert "  新增写法 原因「忘了密码」读作「忘记密码」[重设密码]:一直有效" in compared.output.splitlines()
    assert "  第 2 行 R1 李四 重设密码:结论 输入有误 → 受理" in compared.output.splitlines()  # close before, read after


@pytest.mark.parametrize(("cells", "heading", "words"), [
    ({"写法": "忘了", "读作": "忘却"}, "读作", "「忘却」不是适用业务的规则所列的原因;可填:忘记密码、密码泄露"),
    ({"写法": "忘记密码", "读作": "密码泄露"}, "写法", "「忘记密码」本身就是规则所列的原因,不能再读作别的值"),
    ({"写法": "密码忘了", "读作": "密码泄露"}, "写法", "写法「密码忘了」与 草案.xlsx「写法」B2 重复"),
    ({"列名": "姓名", "写法": "老李", "读作": "李四"}, "列名", "写法只用于规则按值判断的文本列(如原因),「姓名」不是"),
])
def test_a_phrasing_that_cannot_be_read_is_refused_naming_its_cell(draft, cells, heading, words):
    with editing(draft) as workbook:
        sheet = workbook["写法"]
        row = add_row(sheet, {"列名": "原因", "适用业务": "重设密码", **cells})
        where = f"草案.xlsx「写法」{sheet.cell(row, headings(sheet)[heading]).coordinate}:"
    result = invoke("rules", "lint", draft)
    assert result.exit_code == 1
    assert any(line.startswith(f"[声明] {where}") and words in line for line in result.output.splitlines()), \
        result.output
