"""`sscard rules test`: workbook cases a policy officer writes, and rule coverage."""

import datetime as dt

from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_request
from drafts import copy_rulebook, delete_rule

from cli import cli
from engine.excel.reader import open_batch
from engine.policy.cases import run_cases, write_cases
from engine.rulebook.layout import CASES


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _case(name, verdict=None, fee=None, missing=None, rules=None, **fields):
    row = {"用例名称": name, **fixture_request(申请编号=name, **fields)}
    row.update({"期望结论": verdict, "期望费用(元)": fee, "期望缺少材料": missing, "期望规则": rules})
    return row


def _case_days(book) -> set[dt.date]:
    batch = open_batch(book.path, book.schema, optional_may_be_absent=True, only_sheet=CASES,
                       content=book.source.content)
    try:
        at = batch.key_at[book.schema.effective_date]
        return {values[at].date() for _, values in batch.rows() if values[at] is not None}
    finally:
        batch.close()


def test_shipped_cases_pass_and_cover_every_rule_in_force_on_their_dates_when_run_on_live_rulebook(book):
    result = invoke("rules", "test", "--allow-uncovered")
    assert result.exit_code == 0, result.output
    report = run_cases(book)
    assert report.outcomes and not report.failures
    # A rule taking effect later is covered by cases dated then, added with it (rules publish insists).
    days = _case_days(book)
    in_force = {r.id for r in book.unique_rules() if any(r.period.contains(day) for day in days)}
    assert in_force and not in_force & set(report.uncovered)


def test_rules_test_runs_the_cases_written_in_the_rulebook_when_no_case_workbook_is_named(fixture_book):
    result = invoke("rules", "test", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"用例 {FIXTURE_RULES}「用例」表;规则库 {FIXTURE_RULES}(版本 {fixture_book.version})"
    assert lines[1] == f"用例 {len(run_cases(fixture_book).outcomes)} 个:通过 11,失败 0"
    assert lines[-1] == "每条规则都至少被一个用例命中。"


def test_rules_test_names_only_the_failing_case_and_its_difference_when_an_expectation_is_wrong(tmp_path,
                                                                                              fixture_book):
    fee = fixture_book.parameters["工本费"].on(dt.date(2026, 3, 1))
    cases = write_cases(tmp_path / "用例.xlsx", fixture_book, [
        _case("办证免费?", "受理", 0, "无"),
        _case("代办 不查费用", "人工复核", None, None, 办理人="代办"),
    ])
    result = invoke("rules", "test", FIXTURE_RULES, "--cases", cases, "--allow-uncovered")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[1:4] == ["失败  办证免费?(第 2 行)",
                          f"      费用 期望 0,实际 {fee:g};命中规则 ISSUE-ACCEPT",
                          "用例 2 个:通过 1,失败 1"]
    assert "代办 不查费用" not in result.output  # a passing case is counted, not listed
    assert lines[-1] == "错误:1 个用例失败:办证免费?"


def test_rules_test_fails_on_uncovered_rules_naming_them_when_cases_leave_rules_untested(tmp_path, fixture_book):
    cases = write_cases(tmp_path / "用例.xlsx", fixture_book, [_case("办证", "受理")])
    result = invoke("rules", "test", FIXTURE_RULES, "--cases", cases)
    assert result.exit_code == 1
    assert "用例 1 个:通过 1,失败 0" in result.output
    assert "没有用例命中的规则" in result.output and "RESET-BANK 银行账户转银行" in result.output
    uncovered = len(fixture_book.unique_rules()) - 1
    assert result.output.splitlines()[-1] == (f"错误:{uncovered} 条规则没有用例命中;请在「用例」表中补充用例,"
                                              "或用 --allow-uncovered 只测部分规则")
    allowed = invoke("rules", "test", FIXTURE_RULES, "--cases", cases, "--allow-uncovered")
    assert allowed.exit_code == 0, allowed.output


def test_rules_test_names_the_cases_written_for_a_rule_when_it_is_deleted_from_a_copy(tmp_path, fixture_book):
    cases = write_cases(tmp_path / "用例.xlsx", fixture_book, [
        _case("银行账户转银行", "转银行办理", rules="RESET-BANK", 业务类型="重设密码", 账户="银行账户"),
        _case("代办重设 银行账户", "不予受理", rules="RESET-BANK", 业务类型="重设密码", 账户="银行账户", 办理人="代办"),
        _case("馆内账户", "受理", 业务类型="重设密码", 账户="馆内账户"),
    ])
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    delete_rule(draft, "RESET-BANK")
    result = invoke("rules", "test", draft, "--cases", cases, "--allow-uncovered")
    assert result.exit_code == 1
    # The second case's 结论 does not change (不予受理 wins): its 期望规则 still names it.
    assert "      规则 期望命中 RESET-BANK,实际未命中;命中规则 RESET-NOT-IN-PERSON" in result.output
    assert result.output.splitlines()[-1] == "错误:2 个用例失败:银行账户转银行、代办重设 银行账户"


def test_rules_test_reports_unreadable_case_file_when_it_is_not_a_workbook(tmp_path):
    bogus = tmp_path / "用例.xlsx"
    bogus.write_text("not a workbook")
    result = invoke("rules", "test", FIXTURE_RULES, "--cases", bogus)
    assert result.exit_code == 2
    assert result.output.startswith("错误:") and str(bogus) in result.output
