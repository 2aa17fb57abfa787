"""The change a policy officer makes most, tried on a copy of the live rules: append a dated
fee value, a dated document column and a dated rule.  `sscard rules test` then names
exactly the cases whose outcome the change moves, and only them; the shipped cases, dated
before the change, all still pass (and the suite, which never pins live values, too)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from conftest import RULES
from drafts import append, append_value, copy_rulebook

from cli import cli
from engine.core.loader import load_rulebook
from engine.policy.cases import run_cases, write_cases
from rules import make_cases

FORM, FORM_RULE = "材料:测试新表", "REISSUE-MISSING-TEST-FORM"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _after_everything(book) -> dt.date:
    """A day after every date the live rulebook already schedules something for."""
    days = [dt.date(2027, 1, 1)]
    days += [start + dt.timedelta(days=1) for p in book.parameters for start, _ in p.values]
    days += [day for r in book.unique_rules() for day in r.period.boundaries()]
    days += [day for c in book.schema.columns for day in c.period.boundaries()]
    return max(days)


@pytest.fixture
def change(tmp_path, book):
    """The copy, and the day its change takes effect."""
    day = _after_everything(book)
    copy = copy_rulebook(tmp_path / "rules", source=RULES)
    since = f"date({day.year}, {day.month}, {day.day})"
    append_value(copy, "card_fee", day, book.parameters["card_fee"].on(day) + 5)
    append(copy, "schema.py", f'\nfrom datetime import date\n\nCOLUMNS += (Column("{FORM}", "doc_test_form", YES_NO, '
                              f'used_by=uses("reissue"), since={since}),)\n')
    append(copy, "reissue.py", f'\nfrom datetime import date\n\nRULES += (Rule(id="{FORM_RULE}", name="补卡缺测试新表", '
                               f'clause="§6", reason="补卡须交测试新表", verdict="补正材料", '
                               f'when=row.doc_test_form == "否", missing=("测试新表",), since={since}),)\n')
    return copy, day


def test_shipped_cases_all_pass_on_the_changed_copy_and_the_new_rule_is_named_uncovered(change):
    copy, _ = change
    result = invoke("rules", "test", RULES / "cases.xlsx", "--rules", copy)
    assert result.exit_code == 1
    assert "失败  " not in result.output
    uncovered = next(line for line in result.output.splitlines() if line.startswith("没有用例命中的规则"))
    assert f"{FORM_RULE} 补卡缺测试新表" in uncovered


def test_rules_test_names_exactly_the_cases_the_dated_change_moves(change, book, tmp_path):
    copy, day = change
    new = load_rulebook(copy)
    later = dt.datetime.combine(day, dt.time())
    rows = make_cases.rows()
    rows += [{**row, "用例名称": f"{row['用例名称']}({day})", "申请编号": f"{row['申请编号']}-L", "申请日期": later}
             for row in make_cases.rows()]
    for row in rows:  # the expectations: what the live rules decide
        row.update({"期望结论": None, "期望费用(元)": None, "期望缺少材料": None, "期望规则": None})
    plain = write_cases(tmp_path / "无期望.xlsx", new, rows)
    for row, outcome in zip(rows, run_cases(plain, book).outcomes):
        decision = outcome.decision
        row.update({"期望结论": decision.verdict, "期望费用(元)": decision.fee,
                    "期望缺少材料": "、".join(decision.missing) or "无"})
    cases = write_cases(tmp_path / "用例.xlsx", new, rows)
    assert not run_cases(cases, book).failures

    result = invoke("rules", "test", cases, "--rules", copy, "--allow-uncovered")

    assert result.exit_code == 1, result.output
    failed = re.findall(r"^失败  (.+)\(第 (\d+) 行\)$", result.output, re.M)
    assert failed, result.output
    assert all(name.endswith(f"({day})") for name, _ in failed), failed  # nothing dated before moves
    differences = [line for line in result.output.splitlines() if line.startswith("      ")]
    fee_now = book.parameters["card_fee"].on(day)
    assert any(f"费用 期望 {fee_now:g},实际 {fee_now + 5:g}" in line for line in differences)
    assert any("实际 测试新表" in line or "、测试新表" in line for line in differences)
    assert all(re.search(r"^      (结论|费用|缺少材料) 期望", line) for line in differences)
    moved = invoke("diff", cases, "--old", RULES, "--new", copy)
    named = re.findall(r"^  第 (\d+) 行 ", moved.output, re.M)
    assert sorted(map(int, named)) == sorted(int(number) for _, number in failed)
