"""Check one batch: read, normalise, decide, write. The one call the CLI makes."""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from engine import labels
from engine.core.rulebook import Rulebook
from engine.excel.reader import open_batch
from engine.excel.writer import (
    VERDICT_FILLS,
    Styles,
    display_width,
    protected_workbook,
    write_cell,
    write_header,
    write_table,
)
from engine.protection import Password
from engine.records.digests import ResultsDigest, RunRecord, current_operator, file_sha256, row_digest
from engine.records.ledger import Ledger
from engine.runs import outputs
from engine.runs.batch import DecidedBatch, DecidedRow, decide_batch
from engine.runs.outputs import RUN_PROPERTY

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
    fees: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    problems: int = 0
    run_id: str = ""
    notes: list[str] = field(default_factory=list)  # about the batch as a whole: what was used, what was kept
    written: tuple | None = None  # the decision workbook as put in place (outputs.stamp)

    @property
    def total_fees(self) -> float:
        return sum(self.fees.values())


def default_output(batch: Path) -> Path:
    return batch.with_name(f"{batch.stem}{DECISIONS_SUFFIX}")


def check_batch(batch_path: str | Path, output: str | Path | None, book: Rulebook, *,
                command_line: str = "", progress: Callable[[int], None] | None = None,
                workers: int = 1, ledger: Ledger | None = None, operator: str | None = None,
                force: bool = False, inputs: Iterable[Path] = (), password: Password | None = None,
                output_password: Password | None = None, input_name: str = "",
                on_row: Callable[[DecidedRow, dict[str, Any]], None] | None = None) -> Summary:
    """Check one batch into its decision workbook (``output``, default beside the batch).

    ``operator`` is who ran the check (default: the login name); ``inputs`` are the
    other batches of the same run, which the output must not be either.  ``password``
    opens a protected batch; ``output_password`` protects the decision workbook.  The
    output is checked before anything is decided, and appears only with its run in ``ledger``.
    ``input_name``: the batch's name as its owner knows it, for 审计 and the ledger, when
    ``batch_path`` is a copy stored under another name (an upload).  ``on_row(row, cells by
    schema key)`` sees each row as it is written (the counter desk keeps its table that
    way, instead of reading the workbook back)."""
    batch_path = Path(batch_path)
    output = outputs.target_path(output) if output is not None else default_output(batch_path)
    inputs = (batch_path, *inputs)
    outputs.check_target(output, inputs=inputs, force=force)
    batch = open_batch(batch_path, book.schema, password=password)
    record = RunRecord(batch_path, file_sha256(batch_path), command_line, operator or current_operator(),
                       input_name=input_name)
    summary = Summary(batch_path, output, batch.sheet, batch.sheet_found_by_name, run_id=record.run_id)
    try:
        # The output folder and the ledger are opened before deciding: a refusal comes first.
        with outputs.reserve(output, inputs=inputs, force=force) as reserved, \
                ledger.recording(record, book, output) if ledger else nullcontext() as entry:
            decided = decide_batch(book, batch.rows(), batch.cells, workers=workers, progress=progress)
            summary.notes = batch.notes + batch.unheaded_notes()
            with decided:
                summary.rows, summary.skipped = decided.rows, decided.skipped
                seen = (lambda row: on_row(row, batch.cells(row.item))) if on_row else None
                _write(reserved.temporary, batch.output_headers(), book, decided, summary, record, entry,
                       ledger.path if ledger else None, output_password, seen)
                if entry:
                    entry.pending()  # the run enters the ledger, pending, before the workbook is in place
                reserved.commit()
                summary.written = outputs.stamp(output)
    finally:
        batch.close()
    return summary


def _write(output: Path, headers: list[str], book: Rulebook, decided: DecidedBatch, summary: Summary,
           record: RunRecord, entry, ledger_path: Path | None, password: Password | None = None,
           on_row: Callable[[DecidedRow], None] | None = None) -> None:
    with protected_workbook(output, DECISIONS_KIND, properties={RUN_PROPERTY: record.run_id},
                            password=password) as workbook:
        styles = Styles(workbook, book.verdicts)
        results = workbook.add_worksheet(labels.RESULT_SHEET)
        overview = workbook.add_worksheet(labels.SUMMARY_SHEET)
        errors = workbook.add_worksheet(labels.ERROR_SHEET)
        audit = workbook.add_worksheet(labels.AUDIT_SHEET)
        columns = headers + list(labels.DECISION_COLUMNS) + [labels.DIGEST]
        write_header(results, columns, styles, _result_widths(headers))
        write_header(errors, labels.ERROR_COLUMNS, styles, [8, 16, 20, 24, 80])
        error_row = 0
        parameters_used: dict[str, set] = defaultdict(set)
        out_row = 0
        results_digest = ResultsDigest()
        for row in decided:
            number, values, request_id, service, decision = (row.number, row.item, row.request_id, row.service,
                                                             row.decision)
            values += (None,) * (len(headers) - len(values))  # a row short of a column only some rows use
            out_row += 1
            cells = decision.cells()
            for col, value in enumerate(values):
                write_cell(results, out_row, col, value, styles)
            base = len(values)
            for offset, value in enumerate(cells):
                style = styles.verdict.get(value) if offset == 0 else (styles.wrap if offset in (4, 5) else None)
                write_cell(results, out_row, base + offset, value, styles, style)
            code = row_digest(values, cells, book.digest)
            results.write_string(out_row, base + len(cells), code)
            results_digest.add(code)
            if entry:
                entry.add(number, request_id, cells, code)
            if on_row:
                on_row(row)
            for problem in decision.problems:
                error_row += 1
                for col, value in enumerate((number, request_id or "", problem.column, problem.value,
                                             f"{problem.message}({problem.clause})")):
                    write_cell(errors, error_row, col, value, styles)
            service = book.service_name(service) if service else UNKNOWN_SERVICE
            summary.verdicts[decision.verdict] += 1
            summary.by_service[service][decision.verdict] += 1
            summary.fees[service] += decision.fee
            summary.problems += len(decision.problems)
            for name, value in decision.params.items():
                parameters_used[name].add(value)
        results.autofilter(0, 0, max(out_row, 1), len(columns) - 1)
        if error_row:
            errors.autofilter(0, 0, error_row, len(labels.ERROR_COLUMNS) - 1)
        _write_overview(workbook, overview, styles, book, summary)
        write_table(audit, ("项目", "内容"),
                    record.items(book, summary.rows, summary.skipped, summary.sheet, parameters_used,
                                 results_digest.hexdigest(), entry.seal(summary.rows) if entry else "",
                                 ledger_path), styles)


def _result_widths(headers: list[str]) -> list[int]:
    inputs = [max(8, min(24, display_width(h) + 2)) for h in headers]
    return inputs + [10, 9, 24, 24, 36, 60, 36, 22]


def _write_overview(workbook, sheet, styles: Styles, book: Rulebook, summary: Summary) -> None:
    services = [s.name for s in book.services if s.name in summary.by_service]
    if UNKNOWN_SERVICE in summary.by_service:
        services.append(UNKNOWN_SERVICE)
    verdicts = list(book.verdicts)
    headers = ["业务类型", *verdicts, "合计", "费用合计(元)"]
    rows = []
    for service in services:
        counts = summary.by_service[service]
        rows.append([service, *(counts[v] for v in verdicts), sum(counts.values()), summary.fees[service]])
    rows.append(["合计", *(summary.verdicts[v] for v in verdicts), summary.rows, summary.total_fees])
    write_table(sheet, headers, rows, styles)
    notes_at = len(rows) + 2
    for offset, (label, value) in enumerate((("申请行数", summary.rows), ("跳过的空行", summary.skipped),
                                             ("输入问题条数", summary.problems),
                                             ("输入工作表", summary.sheet))):
        sheet.write_string(notes_at + offset, 0, label, styles.header)
        write_cell(sheet, notes_at + offset, 1, value, styles)
    if services:
        chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
        for col in range(1, len(verdicts) + 1):
            chart.add_series({
                "name": [labels.SUMMARY_SHEET, 0, col],
                "categories": [labels.SUMMARY_SHEET, 1, 0, len(services), 0],
                "values": [labels.SUMMARY_SHEET, 1, col, len(services), col],
                "fill": {"color": VERDICT_FILLS[(col - 1) % len(VERDICT_FILLS)]},
                "border": {"color": "#7F7F7F"},
            })
        chart.set_title({"name": "各业务类型的结论"})
        chart.set_x_axis({"name": "申请数"})
        chart.set_size({"width": 720, "height": 360})
        sheet.insert_chart(notes_at + 6, 0, chart)
