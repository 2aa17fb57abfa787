"""Policy-readable test cases: rows of input plus the expected outcome.

A rulebook's own cases are its sheet 用例 (read from the very bytes the rulebook was read
from); a case workbook of one's own has the same columns on its first sheet.  Cases
hold the batch columns plus 用例名称 and the expectations 期望结论,
期望费用(元), 期望缺少材料.  A blank expectation is not checked; 期望缺少材料 = 无 says
that nothing may be missing.  An optional 期望规则 lists rule IDs that must fire (others
may fire too): it pins each case to the rules it is written for, so deleting a rule that
changes no 结论 or fee (a 办理地点, a free-of-charge basis) still fails a named case.  Missing documents compare as a set: their order is
presentation, not policy.  Each case is judged on its own (a 申请编号 shared by two
cases does not make them 输入有误, as it would in a batch).  A column the workbook
lacks is absent, as in a past batch (see reader.open_batch): only a case that needs it
is 输入有误, so cases written before a dated column still run against a draft adding it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from engine import labels
from engine.core.decide import Decision
from engine.core.rulebook import Rulebook
from engine.core.schema import clean_text, header_key, is_blank
from engine.errors import MissingColumns, RulebookError
from engine.excel.reader import open_batch
from engine.excel.writer import Styles, atomic_workbook, display_width, write_cell, write_header
from engine.files.protection import Password
from engine.rulebook.layout import CASES as CASE_SHEET
from engine.runs.batch import decide_batch

NAME = "用例名称"
EXPECT_VERDICT = "期望结论"
EXPECT_FEE = "期望费用(元)"
EXPECT_MISSING = "期望缺少材料"
NOTHING = "无"
EXPECT_RULES = "期望规则"
EXPECTATIONS = (EXPECT_VERDICT, EXPECT_FEE, EXPECT_MISSING, EXPECT_RULES)


@dataclass(frozen=True)
class Case:
    name: str
    row: int  # Excel row number in the case workbook
    verdict: str | None
    fee: float | None
    missing: frozenset[str] | None
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    case: Case
    decision: Decision
    differences: tuple[str, ...]  # empty: the case passed

    @property
    def passed(self) -> bool:
        return not self.differences


@dataclass
class Report:
    outcomes: list[Outcome]
    coverage: dict[str, int]  # rule id -> cases that fired it, every rule of the book, in book order
    service_of: dict[str, str] = field(default_factory=dict)  # rule id -> service names, for the table
    absent: list[str] = field(default_factory=list)  # optional columns the workbook lacks
    labels: dict[str, str] = field(default_factory=dict)  # rule id -> "ID 名称"

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def uncovered(self) -> list[str]:
        return [rule for rule, count in self.coverage.items() if count == 0]


def run_cases(book: Rulebook, path: str | Path | None = None, password: Password | None = None) -> Report:
    """The rulebook's own cases, or those of the case workbook ``path`` (``password`` opens
    a protected one)."""
    if path is None:
        batch = open_batch(book.path, book.schema, optional_may_be_absent=True, only_sheet=CASE_SHEET,
                           content=book.source.content)
    else:
        batch = open_batch(path, book.schema, optional_may_be_absent=True, password=password)
    try:
        at = _expectation_columns(batch.path, batch.sheet, batch.headers)
        # Each case stands alone: a 申请编号 shared by two cases does not make them 输入有误.
        decided = decide_batch(book, batch.rows(), batch.cells, unique_ids=False)
    finally:
        batch.close()
    with decided:
        outcomes = []
        for row in decided:
            case = _case(row.number, row.item, at)
            outcomes.append(Outcome(case, row.decision, tuple(_differences(case, row.decision))))
    coverage: dict[str, int] = {rule.id: 0 for rule in book.unique_rules()}
    for outcome in outcomes:
        for rule_id in set(outcome.decision.rules):
            if rule_id in coverage:
                coverage[rule_id] += 1
    service_of = {r.id: "、".join(book.service_name(s) for s in r.services) for r in book.common}
    service_of.update({r.id: s.name for s in book.services for r in s.rules})
    return Report(outcomes, coverage, service_of, batch.absent, {r.id: r.label for r in book.unique_rules()})


def _expectation_columns(path: Path, sheet: str, headers: list[str]) -> dict[str, int]:
    wanted = {header_key(h): h for h in (NAME, *EXPECTATIONS)}
    at = {wanted[header_key(h)]: i for i, h in enumerate(headers) if header_key(h) in wanted}
    if NAME not in at or not any(e in at for e in EXPECTATIONS):
        raise MissingColumns(f"{path} 工作表「{sheet}」第 1 行:用例工作簿须有 {NAME} 列和至少一个期望列"
                             f"({'、'.join(EXPECTATIONS)})")
    return at


def _case(number: int, values: Sequence[Any], at: Mapping[str, int]) -> Case:
    def cell(header: str) -> Any:
        value = values[at[header]] if header in at else None
        return None if is_blank(value) else value

    name = cell(NAME)
    verdict = cell(EXPECT_VERDICT)
    fee = cell(EXPECT_FEE)
    missing = cell(EXPECT_MISSING)
    rules = cell(EXPECT_RULES)
    return Case(
        name=clean_text(str(name)) if name is not None else f"第 {number} 行",
        row=number,
        verdict=clean_text(str(verdict)) if verdict is not None else None,
        fee=_number(fee, number) if fee is not None else None,
        missing=_documents(str(missing)) if missing is not None else None,
        rules=tuple(r for r in re.split(r"[\s,,、]+", clean_text(str(rules))) if r) if rules is not None else (),
    )


def _number(value: Any, row: int) -> float:
    try:
        return float(clean_text(str(value)) if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise MissingColumns(f"用例第 {row} 行:{EXPECT_FEE}「{value}」不是数字") from None


def _documents(text: str) -> frozenset[str]:
    text = clean_text(text)
    if text == NOTHING:
        return frozenset()
    parts = text.replace(",", labels.LIST_SEPARATOR).replace(",", labels.LIST_SEPARATOR).split(labels.LIST_SEPARATOR)
    return frozenset(p.strip().removeprefix("材料:") for p in parts if p.strip())


def _differences(case: Case, decision: Decision) -> list[str]:
    out = []
    if case.verdict is not None and case.verdict != decision.verdict:
        out.append(f"结论 期望 {case.verdict},实际 {decision.verdict}")
    if case.fee is not None and case.fee != decision.fee:
        out.append(f"费用 期望 {case.fee:g},实际 {decision.fee:g}")
    if case.missing is not None and case.missing != frozenset(decision.missing):
        expected = labels.LIST_SEPARATOR.join(sorted(case.missing)) or NOTHING
        actual = labels.LIST_SEPARATOR.join(decision.missing) or NOTHING
        out.append(f"缺少材料 期望 {expected},实际 {actual}")
    not_fired = [r for r in case.rules if r not in decision.rules]
    if not_fired:
        out.append(f"规则 期望命中 {labels.RULE_SEPARATOR.join(not_fired)},实际未命中")
    return out


def report_lines(report: Report) -> list[str]:
    """Each failing case with its differences (passing ones are counted), then the rule
    coverage table: what changed stands out, however many cases there are."""
    lines = []
    if report.absent:
        lines.append(f"用例工作簿没有这些列(只有需要它们的用例判为输入有误):{'、'.join(report.absent)}")
    for outcome in report.failures:
        lines.append(f"失败  {outcome.case.name}(第 {outcome.case.row} 行)")
        for difference in outcome.differences:
            lines.append(f"      {difference};命中规则 {labels.RULE_SEPARATOR.join(outcome.decision.rules)}")
    passed = len(report.outcomes) - len(report.failures)
    lines.append(f"用例 {len(report.outcomes)} 个:通过 {passed},失败 {len(report.failures)}")
    lines.append("")
    lines.append("规则覆盖(命中该规则的用例数):")
    shown = {rule_id: report.labels.get(rule_id, rule_id) for rule_id in report.coverage}
    width = max((display_width(label) for label in shown.values()), default=0)
    for rule_id, count in report.coverage.items():
        label = shown[rule_id]
        lines.append(f"  {label}{' ' * (width - display_width(label))}  {count:>3}  "
                     f"{report.service_of.get(rule_id, '')}")
    if report.uncovered:
        lines.append(f"没有用例命中的规则 {len(report.uncovered)} 条:"
                     f"{labels.RULE_SEPARATOR.join(shown[r] for r in report.uncovered)}")
    else:
        lines.append("每条规则都至少被一个用例命中。")
    return lines


def write_cases(path: str | Path, book: Rulebook, cases: Sequence[Mapping[str, Any]], *, force: bool = False) -> Path:
    """A case workbook: each case a dict keyed by header (用例名称, input columns, 期望…)."""
    path = Path(path)
    headers = [NAME] + [c.header for c in book.schema.columns] + list(EXPECTATIONS)
    unknown = {h for case in cases for h in case} - set(headers)
    if unknown:
        raise RulebookError(f"用例中有规则库没有的列:{'、'.join(sorted(unknown))};"
                            f"列名须与输入表头或 {'、'.join((NAME, *EXPECTATIONS))} 一致")
    with atomic_workbook(path, "用例", streaming=False, force=force) as workbook:
        # A fixed creation time: regenerating the same cases gives the same file.
        workbook.set_properties({"created": dt.datetime(2026, 1, 1)})
        styles = Styles(workbook, book.verdicts)
        sheet = workbook.add_worksheet(CASE_SHEET)
        write_header(sheet, headers, styles)
        for r, case in enumerate(cases, start=1):
            for c, header in enumerate(headers):
                write_cell(sheet, r, c, case.get(header), styles, styles.text if isinstance(case.get(header), str)
                           else None)
        sheet.autofilter(0, 0, max(len(cases), 1), len(headers) - 1)
    return path
