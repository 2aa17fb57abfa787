"""`sscard rules lint`: static checks over every input a service's rules can tell apart,
on every 申请日期 that matters, through durable-rules and Python alike."""

import dataclasses
import datetime as dt

from click.testing import CliRunner
from conftest import RULES
from drafts import add_row, copy_rulebook, delete_rule, editing

from cli import cli
from engine.core.conditions import Condition, row
from engine.core.decide import Decider, condition_of
from engine.core.rulebook import Rule
from engine.policy.lint import enumeration, lint


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _with_rules(book, service, *extra, without=()):
    services = tuple(dataclasses.replace(s, rules=tuple(r for r in s.rules if r.id not in without) + extra)
                     if s.code == service else s for s in book.services)
    return dataclasses.replace(book, services=services)


def test_lint_is_clean_when_run_on_the_shipped_and_the_fixture_rulebook(book, fixture_book):
    assert lint(book) == [] and lint(fixture_book) == []
    result = invoke("rules", "lint")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "未发现问题。"


def test_durable_rules_and_python_fire_the_same_rules_on_every_input_lint_enumerates(book):
    decider = Decider(book)
    tried = 0
    for service in book.services:
        conditions = [(rule.id, condition_of(book, service.code, rule)) for rule in book.rules_for(service.code)]
        for trial in enumeration(book, service.code):
            python = {rule_id for rule_id, condition in conditions if condition.evaluate(trial.fact)}
            assert set(decider.fire(service.code, trial.fact)) == python, trial.fact
            tried += 1
    assert tried > 100 * len(book.services)


@dataclasses.dataclass(frozen=True)
class _AtLeastThree(Condition):
    """A condition a rulebook might add whose two readings differ: ≥ 3 for durable-rules, > 3 in Python."""

    key: str

    def to_durable(self):
        return {"$gte": {self.key: 3}}

    def evaluate(self, fact):
        return self.key in fact and fact[self.key] > 3

    def keys(self):
        return {self.key}

    def words(self, label):
        return f"{label(self.key)} 至少 3"


def test_lint_reports_a_disagreement_when_durable_rules_and_python_read_a_condition_differently(fixture_book):
    odd = Rule("UNLOCK-ODD", "§3", "两种读法", "受理", name="两种读法", when=_AtLeastThree("错误次数"))
    findings = lint(_with_rules(fixture_book, "unlock", odd))
    disagreements = [f for f in findings if f.check == "分歧"]
    assert len(disagreements) == 1
    assert disagreements[0].subject == "UNLOCK-ODD 两种读法"
    assert "规则引擎命中" in disagreements[0].message and "错误次数=3" in disagreements[0].example


def test_lint_reports_gap_with_example_row_when_a_rule_is_deleted(tmp_path):
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    delete_rule(draft, "RESET-BANK")
    result = invoke("rules", "lint", draft)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    gap = "[空缺] draft.xlsx「重设密码」: 有合法申请没有任何规则命中(会落到人工复核)"
    assert gap in lines
    example = lines[lines.index(gap) + 1]
    assert example.startswith("    例:业务类型=重设密码;") and "账户=银行账户" in example
    assert lines[-1] == f"错误:规则库 {draft} 有 1 个问题"


def test_lint_reports_gap_at_boundary_when_unlock_rules_leave_a_count_undecided(fixture_book):
    # "Not locked" written as < 2 instead of < threshold leaves a count of exactly 2 undecided;
    # only trying the values either side of every compared number finds it.
    narrow = Rule("UNLOCK-NOT-LOCKED", "§3", "未锁定", "不予受理", name="未锁定", when=row.错误次数 < 2)
    findings = lint(_with_rules(fixture_book, "unlock", narrow, without=("UNLOCK-NOT-LOCKED",)))
    assert [(f.check, f.subject) for f in findings] == [("空缺", "规则库.xlsx「解锁」")]
    assert "错误次数=2" in findings[0].example


def test_lint_reports_gap_only_in_the_period_when_a_rule_ends_without_a_successor(fixture_book):
    findings = lint(_with_rules(fixture_book, "issue", without=("ISSUE-BY-OTHER-REFUSED",)))
    assert [(f.check, f.subject) for f in findings] == [("空缺", "规则库.xlsx「办证」")]
    assert "申请日期=2027-01-01" in findings[0].example and "办理人=代办" in findings[0].example


def test_lint_reports_dead_overridden_and_conflicting_rules_when_declared(fixture_book):
    findings = lint(_with_rules(
        fixture_book, "issue",
        Rule("ISSUE-NEVER", "§1", "不可能", "受理", name="不可能", when=(row.办理人 == "本人") & (row.办理人 == "代办")),
        Rule("ISSUE-HIDDEN", "§1", "永远被驳回", "受理", name="永远被驳回", when=row.办理人 == "代办",
             since=dt.date(2027, 1, 1)),
        Rule("ISSUE-ELSEWHERE", "§1", "另一个地点", "受理", name="另一个地点", when=row.办理人 == "本人",
             place="分馆"),
        Rule("ISSUE-BEFORE-TIME", "§1", "早已失效", "受理", name="早已失效", until=dt.date(2019, 12, 31)),
    ))
    assert {(f.check, f.subject) for f in findings} == {
        ("永不命中", "ISSUE-NEVER 不可能"), ("被覆盖", "ISSUE-HIDDEN 永远被驳回"),
        ("冲突", "规则库.xlsx「办证」第 2 行 ISSUE-ACCEPT 办证 / ISSUE-ELSEWHERE 另一个地点"),
        ("永不命中", "ISSUE-BEFORE-TIME 早已失效")}


def test_lint_reports_declaration_problem_naming_the_cell_when_two_rules_share_an_id(tmp_path):
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    with editing(draft) as workbook:
        row = add_row(workbook["办证"], {"规则编号": "ISSUE-ACCEPT", "名称": "重复", "结论": "受理", "条款": "§1",
                                       "依据": "重复"})
    result = invoke("rules", "lint", draft)
    assert result.exit_code == 1
    assert (f"[声明] draft.xlsx「办证」A{row}:规则编号「ISSUE-ACCEPT」已用于 draft.xlsx「办证」A2;"
            "每条规则须有自己的编号") in result.output.splitlines()


def test_lint_enumerates_each_stretch_of_time_when_rules_and_columns_are_dated(fixture_book):
    days = {trial.fact.get("申请日期") for trial in enumeration(fixture_book, "issue")}
    assert {dt.date(2026, 12, 31), dt.date(2027, 1, 1)} <= days


def test_lint_reports_gap_for_other_text_when_a_service_has_no_rule_for_unlisted_reasons(tmp_path):
    # 原因 is open text: a service that reads it needs a rule for every 原因 it does not list.
    draft = copy_rulebook(tmp_path / "draft.xlsx", RULES)
    delete_rule(draft, "REPORT-LOSS-REASON-INVALID")
    result = invoke("rules", "lint", draft)
    assert result.exit_code == 1
    assert "原因=(其他文字)" in result.output
