"""Why a row got its decision, and why not another: every rule of its service, matched
or not, in words taken from the very conditions the engine runs (decide.condition_of).

Reads a decision workbook (its 结果 row holds the input cells, so the row is judged
again from them) or a batch workbook (the row is decided afresh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from engine import labels
from engine.core.conditions import PARAM_PREFIX
from engine.core.decide import PARAMETER_NOT_IN_FORCE, Decision, condition_of
from engine.core.normalise import Normalised, normalise
from engine.core.request_ids import request_key
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.decision_workbook import StoredRow, is_decision_workbook, open_decisions
from engine.excel.reader import open_batch
from engine.files.protection import Password
from engine.records.digests import RULEBOOK_DIGEST, canonical
from engine.runs.batch import DecidedBatch, decide_batch


@dataclass
class RowExplanation:
    row: int  # the request's row in its batch, as 错误 names it
    request_id: str = ""  # as written in the workbook
    lines: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    path: Path
    request_id: str
    from_decisions: bool  # True: a decision workbook; False: a batch, decided afresh
    rows: list[RowExplanation] = field(default_factory=list)

    def lines(self) -> list[str]:
        out: list[str] = []
        for row in self.rows:
            out.append(f"{self.path.name} 第 {row.row} 行,申请编号 {row.request_id or self.request_id}")
            out.extend(row.lines)
        return out


def explain(path: str | Path, request_id: str, book: Rulebook, password: Password | None = None) -> Explanation:
    """``password`` opens a protected workbook."""
    path = Path(path)
    wanted = request_id.strip()
    decisions = is_decision_workbook(path, password)
    result = Explanation(path, wanted, decisions)
    source = _decisions_source(path, book, password) if decisions else _batch_source(path, book, password)
    cells, recorded, decided = source
    with decided:
        matches = [row for row in decided if _same_id(row.request_id, wanted)]
    if not matches:
        raise SscardError(f"{path}: 找不到申请编号「{wanted}」")
    for match in matches:
        row = normalise(book.schema, cells(match.item))
        if decisions:
            lines = _stored_lines(match.item, match.decision, book, recorded)
        else:
            lines = [f"结论(按规则库 {book.version}):{match.decision.verdict}"]
        result.rows.append(RowExplanation(match.number, match.request_id or "", lines + _why(book, row, match.decision)))
    return result


Source = tuple[Callable[[Any], dict[str, Any]], str | None, DecidedBatch]  # cells of an item, recorded digest, rows


def _decisions_source(path: Path, book: Rulebook, password: Password | None) -> Source:
    """A decision workbook's 结果 rows, decided again from their input cells as check would."""
    workbook = open_decisions(path, password)
    try:
        cells = workbook.cells(book.schema)
        rows = ((stored.number, stored) for stored in workbook.rows())
        return cells, workbook.audit.get(RULEBOOK_DIGEST), decide_batch(book, rows, cells, blank=lambda _: False)
    finally:
        workbook.close()


def _batch_source(path: Path, book: Rulebook, password: Password | None) -> Source:
    batch = open_batch(path, book.schema, password=password)
    try:
        return batch.cells, None, decide_batch(book, batch.rows(), batch.cells)
    finally:
        batch.close()


def _same_id(request_id: str | None, wanted: str) -> bool:
    """A clerk types the id as it comes: any letter case, full-width form or dash finds it."""
    return request_key(request_id) is not None and request_key(request_id) == request_key(wanted)


def _stored_lines(stored: StoredRow, fresh: Decision, book: Rulebook, recorded_digest: str | None) -> list[str]:
    verdict = stored.cell(labels.VERDICT)
    lines = [f"记录的结论:{_text(verdict)}(规则 {labels.one_line(_text(stored.cell(labels.RULES))) or '无'})"]
    now = fresh.cells()
    differs = [column for column, old, new in zip(labels.DECISION_COLUMNS, stored.cells, now)
               if column in (labels.VERDICT, labels.FEE, labels.MISSING) and canonical(old) != canonical(new)]
    same_book = recorded_digest == book.digest
    where = f"生成时的规则库({book.version})" if same_book else f"规则库 {book.version}(不是生成时的规则库)"
    if differs:
        changes = ";".join(f"{c} {_text(stored.cell(c))} → {_text(now[labels.DECISION_COLUMNS.index(c)])}"
                           for c in differs)
        lines.append(f"按{where}重新判断:不一致:{changes}")
    else:
        lines.append(f"按{where}重新判断:一致,结论 {fresh.verdict}")
    return lines


def _why(book: Rulebook, row: Normalised, decision: Decision) -> list[str]:
    if decision.verdict == book.invalid_verdict:
        return ["输入有误,未评估任何规则:"] + [
            f"  {p.check} {p.column}「{_text(p.value)}」:{p.message}({p.clause})" for p in decision.problems]
    service = row.fact[book.schema.dispatch]
    day = row.fact[book.schema.effective_date]
    fact = dict(row.fact)
    fact.update({PARAM_PREFIX + name: value for name, value in decision.params.items()})
    lines = [f"业务类型 {book.service_name(service)},申请日期 {_text(day)}"]
    for name, value in decision.params.items():
        lines.append(f"  参数 {name} = {value}(依据:{book.parameters[name].reference})")
    if PARAMETER_NOT_IN_FORCE in decision.rules:
        return lines + [f"  {line}" for line in decision.basis]
    label = _labeller(book)
    python = set()
    for rule in book.rules_for(service):
        if condition_of(book, service, rule).evaluate(fact):
            python.add(rule.id)
            evidence = rule.when.evidence(fact, label) if rule.when is not None else []
            lines.append(f"  {rule.label} 命中: {', '.join(evidence) or '本业务的每个申请'} ({rule.clause})"
                         f" → {rule.verdict}")
        elif not rule.period.contains(day):
            lines.append(f"  {rule.label} {rule.period.why_not(day)} ({rule.clause})")
        else:
            failures = rule.when.failures(fact, label) if rule.when is not None else []
            lines.append(f"  {rule.label} 未命中: {'; '.join(failures)} ({rule.clause})")
    engine = set(decision.rules) & {rule.id for rule in book.rules_for(service)}  # not the engine's own checks
    if engine != python:  # the explanation reads the conditions itself; durable-rules must agree
        lines.append(f"  注意:规则引擎触发的规则({', '.join(sorted(engine))})与上述逐条核对"
                     f"({', '.join(sorted(python))})不一致,请报告此问题")
    lines.append(f"结论:{decision.verdict}(按优先次序 {' > '.join(book.verdicts)} 取最强者)")
    return lines


def _labeller(book: Rulebook):
    def label(key: str) -> str:
        if key.startswith(PARAM_PREFIX):
            return f"参数 {key[len(PARAM_PREFIX):]}"
        return book.schema.label(key)
    return label


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return canonical(value)[:10] if canonical(value).endswith("T00:00:00") else canonical(value)
    return canonical(value)
