"""`sscard rules test`: workbook cases a policy officer writes, and rule coverage."""

import datetime as dt

from click.testing import CliRunner
from conftest import RULES, VALID_ID
from drafts import copy_rulebook, delete_rule

from cli import cli
from engine.excel.reader import open_batch
from engine.policy.cases import run_cases, write_cases
from rules import make_cases


def _case(name, verdict=None, fee=None, missing=None, **fields):
    row = {"用例名称": name, "申请编号": name, "申请日期": dt.datetime(2026, 3, 1), "持卡人姓名": "李四",
           "公民身份号码": VALID_ID, "办理人": "本人", "卡状态": "正常"}
    row.update(fields)
    row.update({"期望结论": verdict, "期望费用(元)": fee, "期望缺少材料": missing})
    return row


def test_shipped_cases_pass_and_cover_every_rule_when_run_on_live_rulebook(book):
    result = CliRunner().invoke(cli, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert f"用例 {len(make_cases.CASES)} 个:通过 {len(make_cases.CASES)},失败 0" in result.output
    assert "每条规则都至少被一个用例命中。" in result.output
    report = run_cases(RULES / "cases.xlsx", book)
    assert not report.uncovered and set(report.coverage) == {r.id for r in book.unique_rules()}


def test_shipped_case_workbook_matches_make_cases_when_read_back(book):
    batch = open_batch(RULES / "cases.xlsx", book.schema)
    try:
        names = [values[batch.headers.index("用例名称")] for _, values in batch.rows()]
    finally:
        batch.close()
    assert names == [name for name, *_ in make_cases.CASES]


def test_rules_test_names_case_and_difference_when_expectation_is_wrong(tmp_path, book):
    cases = write_cases(tmp_path / "用例.xlsx", book, [
        _case("补卡免费?", "受理", 0, "无", 业务类型="补卡", 卡状态="挂失", **{"材料:身份证件原件": "是"}),
        _case("挂失 不查费用", "受理", None, None, 业务类型="挂失", 原因="丢失"),
    ])
    result = CliRunner().invoke(cli, ["rules", "test", str(cases), "--allow-uncovered"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[1] == "失败  补卡免费?(第 2 行)"
    assert lines[2] == "      费用 期望 0,实际 20;命中规则 REISSUE-ACCEPT, REISSUE-FEE"
    assert lines[3] == "通过  挂失 不查费用(第 3 行)"
    assert "用例 2 个:通过 1,失败 1" in lines
    assert lines[-1] == "错误:1 个用例失败:补卡免费?"


def test_rules_test_fails_on_uncovered_rules_when_cases_pass_but_leave_rules_untested(tmp_path, book):
    cases = write_cases(tmp_path / "用例.xlsx", book, [_case("挂失", "受理", 0, "无", 业务类型="挂失", 原因="丢失")])
    result = CliRunner().invoke(cli, ["rules", "test", str(cases)])
    assert result.exit_code == 1
    assert "用例 1 个:通过 1,失败 0" in result.output
    assert "没有用例命中的规则" in result.output and "REISSUE-NOT-REPORTED" in result.output
    uncovered = len(book.unique_rules()) - 1
    assert result.output.splitlines()[-1] == (f"错误:{uncovered} 条规则没有用例命中;请补充用例,"
                                              "或用 --allow-uncovered 只测部分规则")
    allowed = CliRunner().invoke(cli, ["rules", "test", str(cases), "--allow-uncovered"])
    assert allowed.exit_code == 0, allowed.output


def test_rules_test_names_failing_cases_when_a_rule_is_deleted_from_a_copy(tmp_path):
    draft = copy_rulebook(tmp_path / "draft")
    delete_rule(draft, "exchange", "EXCHANGE-FREE")
    result = CliRunner().invoke(cli, ["rules", "test", "--rules", str(draft), str(RULES / "cases.xlsx")])
    assert result.exit_code == 1
    # Deleting it changes no 结论 and no fee: the cases written for it still fail, by name.
    assert "失败  换卡 卡片质量问题免费(第 47 行)" in result.output
    assert "      规则 期望命中 EXCHANGE-FREE,实际未命中;命中规则 EXCHANGE-ELIGIBLE" in result.output
    assert result.output.splitlines()[-1] == "错误:2 个用例失败:换卡 卡片质量问题免费、换卡 数据采集错误免费"


def test_rules_test_reports_unreadable_case_file_when_it_is_not_a_workbook(tmp_path):
    bogus = tmp_path / "用例.xlsx"
    bogus.write_text("not a workbook")
    result = CliRunner().invoke(cli, ["rules", "test", str(bogus)])
    assert result.exit_code == 2
    assert result.output.startswith("错误:") and str(bogus) in result.output
