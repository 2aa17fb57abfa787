"""Check many batches in one go: one decision workbook each, plus one combined 汇总.

A whole city's offices send their workbooks together; one unreadable file is
reported and the others are still checked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine import labels
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.writer import Styles, atomic_workbook, write_table
from engine.protection import Password
from engine.records.ledger import Ledger
from engine.runs.check import Summary, check_batch, default_output

COMBINED_NAME = "合并汇总.xlsx"
BATCH_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class ManyResult:
    summaries: list[Summary] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    combined: Path | None = None

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.summaries)

    @property
    def verdicts(self) -> Counter:
        return sum((s.verdicts for s in self.summaries), Counter())


def expand(inputs: list[Path]) -> list[Path]:
    """Files as given; folders as the batch workbooks in them (not earlier outputs)."""
    batches: list[Path] = []
    for path in inputs:
        if path.is_dir():
            batches += sorted(p for p in path.iterdir()
                              if p.suffix.lower() in BATCH_SUFFIXES and not p.name.startswith("~$")
                              and not p.name.endswith(".decisions.xlsx") and p.name != COMBINED_NAME)
        else:
            batches.append(path)
    return batches


def check_many(inputs: list[Path], output_dir: Path | None, book: Rulebook, *, command_line: str = "",
               workers: int = 1, ledger: Ledger | None = None, password: Password | None = None,
               output_password: Password | None = None,
               progress: Callable[[Path], Callable[[int], None] | None] | None = None,
               on_done: Callable[[Path, Summary | None, str | None], None] | None = None) -> ManyResult:
    result = ManyResult()
    batches = expand(inputs)
    for batch in batches:
        output = output_dir / default_output(batch).name if output_dir else None
        try:
            summary = check_batch(batch, output, book, command_line=command_line, workers=workers, ledger=ledger,
                                  progress=progress(batch) if progress else None, password=password,
                                  output_password=output_password)
        except SscardError as error:
            result.failures.append((batch, str(error)))
            if on_done:
                on_done(batch, None, str(error))
            continue
        result.summaries.append(summary)
        if on_done:
            on_done(batch, summary, None)
    if batches:
        target_dir = output_dir or batches[0].parent
        result.combined = write_combined(target_dir / COMBINED_NAME, book, result, output_password)
    return result


def write_combined(path: Path, book: Rulebook, result: ManyResult, password: Password | None = None) -> Path:
    verdicts = list(book.verdicts)
    per_file = [[s.input.name, "已完成", s.rows, *(s.verdicts[v] for v in verdicts), s.total_fees, s.output.name]
                for s in result.summaries]
    per_file += [[p.name, f"失败:{message}", 0, *(0 for _ in verdicts), 0, ""] for p, message in result.failures]
    by_service: dict[str, Counter] = {}
    fees: Counter = Counter()
    for summary in result.summaries:
        for service, counts in summary.by_service.items():
            by_service.setdefault(service, Counter()).update(counts)
            fees[service] += summary.fees[service]
    per_service = [[service, *(counts[v] for v in verdicts), sum(counts.values()), fees[service]]
                   for service, counts in by_service.items()]
    with atomic_workbook(path, streaming=False, password=password) as workbook:
        styles = Styles(workbook, book.verdicts)
        write_table(workbook.add_worksheet("各批次"),
                    ["文件", "状态", "申请行数", *verdicts, "费用合计(元)", "决定工作簿"], per_file, styles)
        write_table(workbook.add_worksheet(labels.SUMMARY_SHEET),
                    ["业务类型", *verdicts, "合计", "费用合计(元)"], per_service, styles)
    return path
