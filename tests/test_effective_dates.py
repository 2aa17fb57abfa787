"""Rules and input columns that take effect, or end, on a date (RULEBOOK.md, "Rules and
input columns may also carry effective dates"): a row is decided by what is in force on
its 申请日期, and a batch made before a column existed stays valid."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_decide, fixture_request, headers, read_sheet
from drafts import add_row, copy_rulebook, editing

from cli import cli
from engine.rulebook.source import load_rulebook

FORM = "材料:申请表"  # the fixture's 办证 asks for it from 2027-01-01
FROM = dt.datetime(2027, 1, 1)
EVE = FROM - dt.timedelta(days=1)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def write_without(path, book, rows, column):
    """A batch as made before ``column`` existed: the header lacks it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申请"
    names = [h for h in headers(book) if h != column]
    sheet.append(names)
    for row in rows:
        sheet.append([row.get(h) for h in names])
    workbook.save(path)
    return path


@pytest.mark.parametrize(("day", "verdict", "rule"), [
    (EVE, "人工复核", "ISSUE-BY-OTHER"),
    (FROM, "不予受理", "ISSUE-BY-OTHER-REFUSED"),
])
def test_a_rule_takes_part_only_for_rows_dated_in_its_period_when_it_starts_or_ends_on_a_date(
        fixture_book, day, verdict, rule):
    decision = fixture_decide(fixture_book, 办理人="代办", 申请日期=day, **{FORM: "是"})
    assert (decision.verdict, decision.rules[0]) == (verdict, rule)
    assert {"ISSUE-BY-OTHER", "ISSUE-BY-OTHER-REFUSED"} - {rule} & set(decision.rules) == set()


def test_a_dated_document_is_asked_for_only_from_its_date_when_the_cell_is_blank(fixture_book):
    assert fixture_decide(fixture_book, 申请日期=EVE).verdict == "受理"
    later = fixture_decide(fixture_book, 申请日期=FROM)
    assert (later.verdict, later.missing) == ("补正材料", ("申请表",))


def test_a_dated_column_is_ignored_before_its_date_when_it_holds_junk(fixture_book):
    assert fixture_decide(fixture_book, 申请日期=EVE, **{FORM: "也许"}).verdict == "受理"
    assert fixture_decide(fixture_book, 申请日期=FROM, **{FORM: "也许"}).verdict == "输入有误"


def test_check_decides_a_batch_lacking_a_dated_column_and_names_it_only_on_rows_that_need_it(tmp_path, fixture_book):
    batch = write_without(tmp_path / "旧表头.xlsx", fixture_book, [
        fixture_request(申请编号="OLD", 申请日期=EVE),
        fixture_request(申请编号="NEW", 申请日期=FROM),
        fixture_request(申请编号="RESET", 业务类型="重设密码", 账户="馆内账户", 申请日期=FROM),
    ], FORM)
    out = tmp_path / "决定.xlsx"
    result = invoke("check", batch, "-o", out, "--rules", FIXTURE_RULES, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert [(r["申请编号"], r["结论"]) for r in read_sheet(out)] == [("OLD", "受理"), ("NEW", "输入有误"),
                                                                    ("RESET", "受理")]
    errors = read_sheet(out, "错误")
    assert [(e["申请编号"], e["列"]) for e in errors] == [("NEW", FORM)]
    assert "列不在本批次中,自 2027-01-01 起的本行业务须填写此列" in errors[0]["问题"]
    verified = invoke("verify", out, "--batch", batch, "--rules", FIXTURE_RULES)
    assert verified.exit_code == 0, verified.output


def test_check_still_refuses_a_batch_lacking_an_undated_column(tmp_path, fixture_book):
    batch = write_without(tmp_path / "缺列.xlsx", fixture_book, [fixture_request()], "材料:身份证件")
    result = invoke("check", batch, "--rules", FIXTURE_RULES)
    assert result.exit_code == 2
    assert "缺少必需的列:材料:身份证件" in result.output


def test_a_condition_comparing_the_date_itself_decides_and_lints_when_written_with_date(tmp_path):
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    with editing(draft) as workbook:
        add_row(workbook["重设密码"], {"规则编号": "RESET-NEW-COUNTER", "名称": "新柜台", "账户": "馆内账户",
                                     "申请日期": "≥ 2028-01-01", "结论": "受理", "办理地点": "新柜台", "条款": "§2",
                                     "依据": "2028 年起在新柜台重设"})
    lint = invoke("rules", "lint", draft)
    # Before 2028 only the old place decides; from 2028 both do, with different places: a real conflict.
    assert "RESET-LIBRARY 馆内账户重设 / " in lint.output and "RESET-NEW-COUNTER 新柜台: 重设密码:同为「受理」" in lint.output
    assert "申请日期=2028-01-01" in lint.output and "Traceback" not in lint.output
    book = load_rulebook(draft)
    later = fixture_decide(book, 业务类型="重设密码", 账户="馆内账户", 申请日期=dt.datetime(2028, 3, 1))
    earlier = fixture_decide(book, 业务类型="重设密码", 账户="馆内账户", 申请日期=dt.datetime(2027, 12, 31))
    assert "RESET-NEW-COUNTER" in later.rules and "RESET-NEW-COUNTER" not in earlier.rules


def test_the_template_offers_a_dated_column_saying_from_when(tmp_path, fixture_book):
    target = tmp_path / "空白.xlsx"
    assert invoke("template", target, "--rules", FIXTURE_RULES).exit_code == 0
    guide = {r["列"]: r for r in read_sheet(target, "说明")}
    assert guide[FORM]["生效"] == "自 2027-01-01 起" and guide["姓名"]["生效"] == "一直有效"


def test_a_date_parameter_compared_with_the_date_decides_and_lints_when_its_kind_is_date(tmp_path):
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    with editing(draft) as workbook:
        add_row(workbook["参数"], {"参数": "新柜台启用日", "生效日期": dt.date(2020, 1, 1), "值": dt.date(2028, 1, 1),
                                  "类型": "日期", "说明": "新柜台启用日", "依据": "§2"})
        add_row(workbook["重设密码"], {"规则编号": "RESET-NEW-COUNTER", "名称": "新柜台", "账户": "馆内账户",
                                     "申请日期": "≥ 新柜台启用日", "结论": "受理", "办理地点": "服务台", "条款": "§2",
                                     "依据": "启用后在新柜台重设"})
    lint = invoke("rules", "lint", draft)
    assert lint.exit_code == 0 and lint.output.splitlines()[-1] == "未发现问题。", lint.output
    book = load_rulebook(draft)
    fired = [fixture_decide(book, 业务类型="重设密码", 账户="馆内账户", 申请日期=dt.datetime(2028, 1, day)).rules
             for day in (1, 2)]
    assert all("RESET-NEW-COUNTER" in rules for rules in fired)
    assert "RESET-NEW-COUNTER" not in fixture_decide(book, 业务类型="重设密码", 账户="馆内账户",
                                                     申请日期=dt.datetime(2027, 12, 31)).rules
