"""Check one batch: read, normalise, decide, write. The one call the CLI makes."""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from engine import labels
from engine.core.decide import Decision
from engine.core.rulebook import Rulebook
from engine.excel.decision_sheets import ErrorsSheet, ResultsSheet, write_audit, write_overview
from engine.excel.result_layout import ResultLayout
from engine.excel.writer import CommentedSheet, Styles, TracedSheet, protected_workbook
from engine.files import outputs
from engine.files.outputs import RUN_PROPERTY
from engine.files.protection import Password
from engine.records.digests import ResultsDigest, RunRecord, SheetDigest, current_operator, file_sha256, row_digest
from engine.records.ledger import Ledger
from engine.runs.batch import DecidedBatch, DecidedRow, StartOver, streamed_batch

UNKNOWN_SERVICE = "(无法识别)"
DECISIONS_SUFFIX = ".decisions.xlsx"
DECISIONS_KIND = "决定工作簿"  # the mark a decision workbook carries (outputs.MARK)


@dataclass
class Summary:
    input: Path
    output: Path
    sheet: str
    sheet_found_by_name: bool
    rows: int = 0
    skipped: int = 0
    verdicts: Counter = field(default_factory=Counter)
    by_service: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # Fees by service: due now (the request goes ahead), and due once missing documents are brought.
    due: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pending: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    problems: int = 0
    # Rows a rule decided although an open-text value (原因) is not one the service lists:
    # (header, 结论) -> rows, so the summary says how many were refused for their wording.
    unlisted: Counter = field(default_factory=Counter)
    run_id: str = ""
    notes: list[str] = field(default_factory=list)  # about the batch as a whole: what was used, what was kept
    written: tuple | None = None  # the decision workbook as put in place (outputs.stamp)

    @property
    def total_due(self) -> float:
        return sum(self.due.values())

    @property
    def total_pending(self) -> float:
        return sum(self.pending.values())

    def count(self, book: Rulebook, service: str, decision: Decision) -> None:
        self.verdicts[decision.verdict] += 1
        self.by_service[service][decision.verdict] += 1
        fees = self.pending if decision.verdict == book.missing_verdict else self.due
        fees[service] += decision.fee
        self.problems += len(decision.problems)
        for header in decision.unlisted:
            self.unlisted[header, decision.verdict] += 1

    def unlisted_lines(self) -> list[str]:
        return unlisted_lines(self.unlisted)


UNLISTED_LABEL = "不在所列之中"  # beside those lines on 汇总 and 合并汇总


def unlisted_lines(unlisted: Counter) -> list[str]:
    """原因不是该业务所列原因的申请 9 行(不予受理 9 行), from (header, 结论) -> rows."""
    headers = dict.fromkeys(header for header, _ in unlisted)
    return [f"{header}不是该业务所列{header}的申请 {sum(n for (h, _), n in unlisted.items() if h == header)} 行("
            + "、".join(f"{verdict} {n} 行" for (h, verdict), n in unlisted.items() if h == header) + ")"
            for header in headers]


def default_output(batch: Path) -> Path:
    return batch.with_name(f"{batch.stem}{DECISIONS_SUFFIX}")


def check_batch(batch_path: str | Path, output: str | Path | None, book: Rulebook, *,
                command_line: str = "", progress: Callable[[int], None] | None = None,
                workers: int = 1, ledger: Ledger | None = None, operator: str | None = None,
                force: bool = False, inputs: Iterable[Path] = (), password: Password | None = None,
                output_password: Password | None = None, input_name: str = "",
                on_row: Callable[[DecidedRow, dict[str, Any]], None] | None = None,
                on_restart: Callable[[], None] | None = None) -> Summary:
    """Check one batch into its decision workbook (``output``, default beside the batch).

    ``operator`` is who ran the check (default: the login name); ``inputs`` are the
    other batches of the same run, which the output must not be either.  ``password``
    opens a protected batch; ``output_password`` protects the decision workbook.  The
    output is checked before anything is decided, and appears only with its run in ``ledger``.
    ``input_name``: the batch's name as its owner knows it, for 审计 and the ledger, when
    ``batch_path`` is a copy stored under another name (an upload).  ``on_row(row, cells by
    schema key)`` sees each row as it is written (the counter desk keeps its table that
    way, instead of reading the workbook back); ``on_restart()`` says that the rows seen
    so far are void and come again (a 申请编号 found twice part-way, see ``_write``)."""
    batch_path = Path(batch_path)
    output = outputs.target_path(output) if output is not None else default_output(batch_path)
    inputs = (batch_path, *inputs)
    outputs.check_target(output, inputs=inputs, force=force)
    with streamed_batch(batch_path, book, workers=workers, password=password, progress=progress) as (batch, decided):
        record = RunRecord(batch_path, file_sha256(batch_path), command_line, operator or current_operator(),
                           input_name=input_name)
        # The output folder and the ledger are opened before deciding: a refusal comes first.
        with outputs.reserve(output, inputs=inputs, force=force) as reserved, \
                ledger.recording(record, book, output) if ledger else nullcontext() as entry:
            seen = (lambda row: on_row(row, batch.cells(row.item))) if on_row else None

            def write(rows: Iterable[DecidedRow]) -> Summary:
                summary = Summary(batch_path, output, batch.sheet, batch.sheet_found_by_name, run_id=record.run_id)
                layout = ResultLayout.of(batch.output_headers(), batch.key_at, book.schema.identity)
                _write(reserved.temporary, layout, batch.key_at, book, rows, decided, summary, record, entry,
                       ledger.path if ledger else None, output_password, seen)
                return summary

            try:
                summary = write(decided.stream())
            except StartOver:
                decided.read_all()  # every id and column known now
                if entry:
                    entry.restart()
                if on_restart:
                    on_restart()
                summary = write(decided)
            summary.notes = batch.notes + batch.unheaded_notes()
            if entry:
                entry.pending()  # the run enters the ledger, pending, before the workbook is in place
            reserved.commit()
            summary.written = outputs.stamp(output)
    return summary


def _write(output: Path, layout: ResultLayout, key_at: dict[str, int], book: Rulebook, rows: Iterable[DecidedRow],
           decided: DecidedBatch, summary: Summary, record: RunRecord, entry, ledger_path: Path | None,
           password: Password | None = None, on_row: Callable[[DecidedRow], None] | None = None) -> None:
    """The decision workbook from ``rows``: streamed while they are decided, or replayed.
    A row reaching right of ``layout`` (a cell right of the last header, found part-way)
    widens every row, and their 核验码: StartOver, as for a duplicate 申请编号."""
    width = len(layout.input_headers)
    with protected_workbook(output, DECISIONS_KIND, properties={RUN_PROPERTY: record.run_id},
                            password=password) as workbook:
        styles = Styles(workbook, book.verdicts)
        results = ResultsSheet(workbook.add_worksheet(labels.RESULT_SHEET, worksheet_class=CommentedSheet), styles,
                               layout, book.schema, key_at)
        # 结果's rows carry their own codes; the 审计 sheet and the ledger keep digests of these two.
        traced = {name: workbook.add_worksheet(name, worksheet_class=TracedSheet)
                  for name in (labels.SUMMARY_SHEET, labels.ERROR_SHEET)}
        digests = {labels.SUMMARY_SHEET: SheetDigest(keep=True), labels.ERROR_SHEET: SheetDigest()}
        for name, sheet in traced.items():
            sheet.trace = digests[name].add_row
        overview = traced[labels.SUMMARY_SHEET]
        errors = ErrorsSheet(traced[labels.ERROR_SHEET], styles)
        audit = workbook.add_worksheet(labels.AUDIT_SHEET)
        parameters_used: dict[str, set] = defaultdict(set)
        results_digest = ResultsDigest()
        for row in rows:
            if len(row.item) > width:
                raise StartOver
            decision = row.decision
            kept, cells = layout.kept(row.number, row.item), decision.cells()
            code = row_digest(kept, cells, book.digest)
            results.add(kept, cells, decision, code)
            results_digest.add(code)
            if entry:
                entry.add(row.number, row.request_id, cells, code)
            errors.add(row.number, row.request_id, decision)
            summary.count(book, book.service_name(row.service) if row.service else UNKNOWN_SERVICE, decision)
            for name, value in decision.params.items():
                parameters_used[name].add(value)
            if on_row:
                on_row(row)
        summary.rows, summary.skipped = decided.rows, decided.skipped
        results.finish()
        errors.finish()
        write_overview(workbook, overview, styles, book, overview_rows(book, summary),
                       (("申请行数", summary.rows), ("跳过的空行", summary.skipped),
                        ("输入问题条数", summary.problems), ("输入工作表", summary.sheet),
                        *((UNLISTED_LABEL, line) for line in summary.unlisted_lines())))
        for sheet in traced.values():
            sheet.end_trace()
        sealed = entry.seal(summary.rows, {name: d.record() for name, d in digests.items()}) if entry else ""
        write_audit(audit, styles, record.items(book, summary.rows, summary.skipped, summary.sheet, parameters_used,
                                                results_digest.hexdigest(), sealed, ledger_path,
                                                {name: d.hexdigest() for name, d in digests.items()}))


def overview_rows(book: Rulebook, summaries: Summary | list[Summary]) -> list[list]:
    """汇总 (and 合并汇总): per 业务类型, the count of each 结论 and the fees; then 合计."""
    summaries = summaries if isinstance(summaries, list) else [summaries]
    by_service: dict[str, Counter] = defaultdict(Counter)
    due: Counter = Counter()
    pending: Counter = Counter()
    for summary in summaries:
        for service, counts in summary.by_service.items():
            by_service[service].update(counts)
            due[service] += summary.due[service]
            pending[service] += summary.pending[service]
    names = [s.name for s in book.services]
    order = [name for name in names if name in by_service] + [s for s in by_service if s not in names]
    rows = [[service, *(by_service[service][v] for v in book.verdicts), sum(by_service[service].values()),
             due[service], pending[service]] for service in order]
    total = sum(by_service.values(), Counter())
    rows.append(["合计", *(total[v] for v in book.verdicts), sum(total.values()), sum(due.values()),
                 sum(pending.values())])
    return rows
