"""The change a policy officer makes most, tried on a copy of the live rulebook: add a dated
fee value, a dated document column and a dated rule, each a row of cells.  `sscard rules test` then names
exactly the cases whose outcome the change moves, and only them; the shipped cases, dated
before the change, all still pass (and the suite, which never pins live values, too)."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import RULES
from drafts import add_row, append_value, copy_rulebook, editing

from cli import cli
from engine.policy.cases import run_cases, write_cases
from engine.rulebook.source import load_rulebook

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


def _case_rows(path) -> list[dict]:
    """The rulebook's own cases, each a dict keyed by heading, as its 用例 sheet holds them."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook["用例"].iter_rows(values_only=True))
    workbook.close()
    return [{h: v for h, v in zip(rows[0], row) if h is not None} for row in rows[1:] if any(row)]


@pytest.fixture
def change(tmp_path, book):
    """The copy, and the day its change takes effect: a dated fee, column and rule, cell by cell."""
    day = _after_everything(book)
    copy = copy_rulebook(tmp_path / "rules.xlsx", source=RULES)
    append_value(copy, "工本费", day, book.parameters["工本费"].on(day) + 5)
    with editing(copy) as workbook:
        add_row(workbook["输入列"], {"列名": FORM, "类型": "是否", "适用业务": "补卡", "必填": "否", "生效日期": day,
                                    "条款": "C2"})
        add_row(workbook["补卡"], {"规则编号": FORM_RULE, "名称": "补卡缺测试新表", FORM: "否", "结论": "补正材料",
                                  "缺少材料": "测试新表", "办理地点": "社会保障卡业务经办窗口", "条款": "§6",
                                  "依据": "补卡须交测试新表", "生效日期": day})
    return copy, day


def test_shipped_cases_all_pass_on_the_changed_copy_and_the_new_rule_is_named_uncovered(change):
    copy, _ = change
    result = invoke("rules", "test", copy)
    assert result.exit_code == 1
    assert "失败  " not in result.output
    uncovered = next(line for line in result.output.splitlines() if line.startswith("没有用例命中的规则"))
    assert f"{FORM_RULE} 补卡缺测试新表" in uncovered


def test_rules_test_names_exactly_the_cases_the_dated_change_moves(change, book, tmp_path):
    copy, day = change
    new = load_rulebook(copy)
    later = dt.datetime.combine(day, dt.time())
    rows = _case_rows(RULES)
    rows += [{**row, "用例名称": f"{row['用例名称']}({day})", "申请编号": f"{row['申请编号']}-L", "申请日期": later}
             for row in _case_rows(RULES)]
    for row in rows:  # the expectations: what the live rules decide
        row.update({"期望结论": None, "期望费用(元)": None, "期望缺少材料": None, "期望规则": None})
    plain = write_cases(tmp_path / "无期望.xlsx", new, rows)
    for row, outcome in zip(rows, run_cases(book, plain).outcomes):
        decision = outcome.decision
        row.update({"期望结论": decision.verdict, "期望费用(元)": decision.fee,
                    "期望缺少材料": "、".join(decision.missing) or "无"})
    cases = write_cases(tmp_path / "用例.xlsx", new, rows)
    assert not run_cases(book, cases).failures

    result = invoke("rules", "test", copy, "--cases", cases, "--allow-uncovered")

    assert result.exit_code == 1, result.output
    failed = re.findall(r"^失败  (.+)\(第 (\d+) 行\)$", result.output, re.M)
    assert failed, result.output
    assert all(name.endswith(f"({day})") for name, _ in failed), failed  # nothing dated before moves
    differences = [line for line in result.output.splitlines() if line.startswith("      ")]
    fee_now = book.parameters["工本费"].on(day)
    assert any(f"费用 期望 {fee_now:g},实际 {fee_now + 5:g}" in line for line in differences)
    assert any("实际 测试新表" in line or "、测试新表" in line for line in differences)
    assert all(re.search(r"^      (结论|费用|缺少材料) 期望", line) for line in differences)
    moved = invoke("diff", cases, "--old", RULES, "--new", copy)
    named = re.findall(r"^  第 (\d+) 行 ", moved.output, re.M)
    assert sorted(map(int, named)) == sorted(int(number) for _, number in failed)
