"""Does the ledger confirm a decision workbook?  Its run must be there, quoted by the
审计 sheet as recorded, with the chain intact up to it; and each 结果 row must be the
ledger's record of the same request.

Rows are matched by request, never by position: by the request id's key, then the
row number (行号).  So a deleted row is named once, as deleted, and its neighbours are
not reported as edited; an inserted row is named as inserted.  `verify` reports what it
finds; `notices` prints nothing from a workbook the ledger does not confirm.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from engine import labels
from engine.core.request_ids import request_key
from engine.core.schema import Schema
from engine.excel.decision_workbook import DecisionWorkbook, StoredRow
from engine.records.digests import LEDGER_DIGEST, NOT_IN_LEDGER, RUN_ID, canonical
from engine.records.ledger import Ledger, LedgerDamaged, LedgerError, Run

# The decision columns the ledger records beside each row's 核验码 (ledger._DECISION_FIELDS).
RECORDED_COLUMNS = (labels.VERDICT, labels.FEE, labels.MISSING, labels.RULES)


@dataclass(frozen=True)
class Discrepancy:
    """A 结果 row the ledger does not confirm, or a recorded row 结果 no longer has."""

    row: int  # 行号: the request's row in its batch
    request_id: str  # as typed (on 结果; for a deleted row, as the ledger recorded it)
    sheet_row: int | None  # its row on 结果; None: not on 结果 (deleted)
    message: str
    inserted: bool = False  # on 结果, but the run never decided it

    def __str__(self) -> str:
        return f"{where(self.row, self.request_id, self.sheet_row)}:{self.message}"


def where(row: int, request_id: str, sheet_row: int | None) -> str:
    """A request as a finding names it: its place on 结果 (if it is there), 行号 and 申请编号."""
    shown = request_id or "(空)"
    if sheet_row is None:
        return f"行号 {row},申请编号 {shown}"
    return f"「{labels.RESULT_SHEET}」表第 {sheet_row} 行(行号 {row},申请编号 {shown})"


@dataclass(frozen=True)
class _Recorded:
    row: int
    request_id: str | None
    verdict: Any
    fee: Any
    missing: Any
    rules: Any
    code: str

    @property
    def key(self) -> str | None:
        return request_key(self.request_id)

    def cells(self) -> tuple[Any, ...]:
        return self.verdict, self.fee, self.missing, self.rules


@dataclass(frozen=True)
class _Seen:
    stored: StoredRow
    request_id: str

    @property
    def key(self) -> str | None:
        return request_key(self.request_id)


class RowMatcher:
    """结果 rows (``see``, in sheet order) against the ledger's rows of the run (in row order).

    Both normally run in 行号 order, so they are merged as they stream; only rows that do
    not line up (moved, renamed, inserted, deleted) are held, and matched at ``finish`` by
    the id's key first, then by 行号."""

    def __init__(self, recorded: Iterator[tuple[Any, ...]], workbook: DecisionWorkbook, rid_at: int | None):
        self._recorded = (_Recorded(*values) for values in recorded)
        self._next = next(self._recorded, None)
        self._workbook, self._rid_at = workbook, rid_at
        self._loose_rows: list[_Seen] = []
        self._loose_records: list[_Recorded] = []
        self.found: list[Discrepancy] = []
        self.seen = 0

    def see(self, stored: StoredRow) -> None:
        self.seen += 1
        seen = _Seen(stored, canonical(stored.inputs[self._rid_at]) if self._rid_at is not None else "")
        while self._next is not None and self._next.row < stored.number:
            self._loose_records.append(self._next)
            self._next = next(self._recorded, None)
        if self._next is not None and self._next.row == stored.number and self._next.key == seen.key:
            self._compare(seen, self._next)
            self._next = next(self._recorded, None)
        else:
            self._loose_rows.append(seen)

    def finish(self) -> list[Discrepancy]:
        """Every discrepancy, in 行号 order, the rows 结果 lacks included."""
        while self._next is not None:
            self._loose_records.append(self._next)
            self._next = next(self._recorded, None)
        by_key: dict[str | None, list[_Recorded]] = defaultdict(list)
        by_row: dict[int, list[_Recorded]] = defaultdict(list)
        for record in self._loose_records:
            by_key[record.key].append(record)
            by_row[record.row].append(record)
        claimed: set[int] = set()

        def take(candidates: list[_Recorded], number: int | None = None) -> _Recorded | None:
            found = next((r for r in candidates if id(r) not in claimed and (number is None or r.row == number)), None)
            if found is not None:
                claimed.add(id(found))
            return found

        for seen in self._loose_rows:
            number = seen.stored.number
            record = take(by_key[seen.key], number)
            if record is not None:
                self._compare(seen, record)
                continue
            record = take(by_key[seen.key]) if seen.key is not None else None
            if record is not None:
                self._differ(seen, record, f"{labels.ROW_NUMBER}现为 {number},账本记录此申请在第 {record.row} 行:"
                                           f"{labels.ROW_NUMBER}被改动")
                continue
            record = take(by_row[number])
            if record is not None:
                cell = self._workbook.input_cell(seen.stored, self._rid_at) if self._rid_at is not None else ""
                self._differ(seen, record, f"申请编号 {cell} 现为「{seen.request_id}」,账本记录第 {number} 行的申请编号为"
                                           f"「{record.request_id or ''}」:申请编号被改动")
                continue
            self.found.append(Discrepancy(number, seen.request_id, seen.stored.sheet_row,
                                          "账本记录的本次运行没有这个申请:该行是在工作簿中插入的", inserted=True))
        for record in self._loose_records:
            if id(record) not in claimed:
                self.found.append(Discrepancy(record.row, record.request_id or "", None,
                                              f"账本记录有这一行({_recorded_words(record)}),"
                                              f"「{labels.RESULT_SHEET}」表中没有:该行被删除"))
        return sorted(self.found, key=lambda d: (d.row, d.sheet_row or 0))

    def _compare(self, seen: _Seen, record: _Recorded) -> None:
        if str(seen.stored.code) != str(record.code):
            self._differ(seen, record, "")

    def _differ(self, seen: _Seen, record: _Recorded, what: str) -> None:
        stored = seen.stored
        changed = [f"{column} {self._workbook.decision_cell(stored, column)} 现为「{_text(stored.cell(column))}」,"
                   f"账本记录为「{_text(then)}」"
                   for column, then in zip(RECORDED_COLUMNS, record.cells())
                   if canonical(stored.cell(column)) != canonical(then)]
        if what:
            message = ";".join([what, *changed])
        elif changed:
            message = "与账本记录不符:" + ";".join(changed) + ":该行在工作簿中被改动"
        else:
            message = (f"核验码与账本记录不符(账本记录:{_recorded_words(record)}):"
                       "输入列、依据等其他列或核验码在工作簿中被改动")
        self.found.append(Discrepancy(stored.number, seen.request_id, stored.sheet_row, message))


def _recorded_words(record: _Recorded) -> str:
    return (f"{labels.VERDICT} {_text(record.verdict)},{labels.FEE} {_text(record.fee)},"
            f"{labels.MISSING} {_text(record.missing)}")


def _text(value: Any) -> str:
    return labels.one_line(canonical(value)) or "(空)"


def recorded_run(ledger: Ledger, workbook: DecisionWorkbook) -> tuple[Run | None, str]:
    """The ledger's run of the workbook, or None and why there is nothing to compare with.
    A damaged ledger is no answer: LedgerDamaged goes up."""
    where = f"账本 {ledger.path}"
    audit = workbook.audit
    if audit.get(LEDGER_DIGEST) == NOT_IN_LEDGER:
        return None, f"「{labels.AUDIT_SHEET}」表记载本工作簿未记入账本,账本无法为它作证"
    run_id = str(audit.get(RUN_ID) or "")
    if not run_id:
        return None, f"「{labels.AUDIT_SHEET}」表没有{RUN_ID},无法在{where} 中核对"
    try:
        run = ledger.find_run(run_id)
        waiting = run is None and any(p.run_id == run_id for p in ledger.pending_runs())
    except LedgerDamaged:
        raise
    except LedgerError as error:
        return None, f"无法核对账本:{error}"
    if run is None:
        return None, (f"{where} 中运行 {run_id} 尚未确认(仍在进行,或已中断;下一次运行 sscard 会补记或撤销)"
                      if waiting else
                      f"{where} 中没有运行 {run_id}:该工作簿的运行未记入这个账本,或已从账本中删除(账本被截短或改动)")
    return run, ""


def record_problem(ledger: Ledger, run: Run, workbook: DecisionWorkbook) -> str:
    """Why the record digest the 审计 sheet quotes is not the ledger's record of the run ("" if it is)."""
    if workbook.audit.get(LEDGER_DIGEST) == ledger.record_digest_of(run):
        return ""
    return f"「{labels.AUDIT_SHEET}」表引用的{LEDGER_DIGEST}与账本 {ledger.path} 中运行 {run.run_id[:12]}… 的记录不符"


@contextmanager
def matching(ledger: Ledger, run: Run, workbook: DecisionWorkbook, schema: Schema) -> Iterator[RowMatcher]:
    """A RowMatcher over the run's recorded rows, while they stream from the ledger."""
    rid_at = workbook.key_at(schema).get(schema.request_id)
    with ledger.decision_rows(run.run_id) as rows:
        yield RowMatcher(rows, workbook, rid_at)


def discrepancies(ledger: Ledger, run: Run, workbook: DecisionWorkbook, schema: Schema) -> list[str]:
    """Why the ledger's ``run`` does not confirm the workbook, one line each; empty: it does."""
    problems = [p for p in (record_problem(ledger, run, workbook),) if p]
    problems += ledger.verify(through=run.run_id).problems
    with matching(ledger, run, workbook, schema) as matcher:
        for stored in workbook.rows():
            matcher.see(stored)
        problems += [str(d) for d in matcher.finish()]
    return problems
