"""`sscard rules lint`: static checks over every closed input a service's rules read."""

import dataclasses

from click.testing import CliRunner
from drafts import copy_rulebook, delete_rule

from cli import cli
from engine.core.conditions import row
from engine.core.rulebook import Rule
from engine.policy.lint import lint


def _with_reissue_rules(book, *extra):
    services = tuple(dataclasses.replace(s, rules=s.rules + extra) if s.code == "reissue" else s
                     for s in book.services)
    return dataclasses.replace(book, services=services)


def test_lint_is_clean_when_run_on_shipped_rulebook(book):
    assert lint(book) == []
    result = CliRunner().invoke(cli, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "未发现问题。"


def test_lint_reports_gap_with_example_row_when_a_rule_is_deleted(tmp_path):
    draft = copy_rulebook(tmp_path / "draft")
    delete_rule(draft, "reissue", "REISSUE-NOT-REPORTED")
    result = CliRunner().invoke(cli, ["rules", "lint", "--rules", str(draft)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "[空缺] 补卡: 补卡:有合法申请没有任何规则命中(会落到人工复核)" in lines
    example = lines[lines.index("[空缺] 补卡: 补卡:有合法申请没有任何规则命中(会落到人工复核)") + 1]
    assert example.startswith("    例:业务类型=补卡;") and "卡状态=正常" in example
    assert lines[-1] == f"错误:规则库 {draft} 有 1 个问题"


def test_lint_reports_gap_at_boundary_when_unlock_rules_leave_a_count_undecided(book):
    # "Not locked" written as < 2 instead of < threshold leaves a count of exactly 2 undecided;
    # only trying the values either side of every compared number finds it.
    services = []
    for s in book.services:
        if s.code == "pin_unlock":
            rules = tuple(r for r in s.rules if r.id != "PIN-UNLOCK-NOT-LOCKED") + (Rule(
                "PIN-UNLOCK-NOT-LOCKED", "§3", "未锁定", "不予受理",
                when=(row.account == "社保账户") & (row.wrong_pin_count < 2)),)
            s = dataclasses.replace(s, rules=rules)
        services.append(s)
    findings = lint(dataclasses.replace(book, services=tuple(services)))
    assert [(f.check, f.subject) for f in findings] == [("空缺", "密码解锁")]
    assert "连续密码错误次数=2" in findings[0].example


def test_lint_reports_dead_overridden_and_conflicting_rules_when_declared(book):
    findings = lint(_with_reissue_rules(
        book,
        Rule("REISSUE-NEVER", "§6", "不可能", "受理", when=(row.card_status == "挂失") & (row.card_status == "正常")),
        Rule("REISSUE-HIDDEN", "§6", "永远被驳回", "受理", when=row.card_status == "注销"),
        Rule("REISSUE-ELSEWHERE", "§6", "另一个地点", "受理", when=row.card_status == "挂失", place="银行服务电话"),
    ))
    assert {(f.check, f.subject) for f in findings} == {
        ("永不命中", "REISSUE-NEVER"), ("被覆盖", "REISSUE-HIDDEN"), ("冲突", "REISSUE-ACCEPT / REISSUE-ELSEWHERE")}


def test_lint_reports_declaration_problem_when_two_rules_share_an_id(tmp_path):
    draft = copy_rulebook(tmp_path / "draft")
    with (draft / "reissue.py").open("a", encoding="utf-8") as module:
        module.write("\nRULES = RULES + (RULES[0],)\n")
    result = CliRunner().invoke(cli, ["rules", "lint", "--rules", str(draft)])
    assert result.exit_code == 1
    assert "[声明] " in result.output and "规则 REISSUE-ACCEPT:编号重复" in result.output
