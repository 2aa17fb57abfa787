"""Check many batches in one go: one decision workbook each, plus one combined 汇总.

A whole city's offices send their workbooks together; one unreadable file is
reported and the others are still checked.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine import labels
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.decision_sheets import overview_headers
from engine.excel.writer import Styles, atomic_workbook, write_table
from engine.files import outputs
from engine.files.protection import Password
from engine.records.ledger import Ledger
from engine.runs.check import DECISIONS_SUFFIX, Summary, check_batch, overview_rows

COMBINED_NAME = "合并汇总.xlsx"
# Workbooks sscard reads, and spreadsheets it cannot (a WPS .et, a CSV ...): in a folder,
# every one of them is a batch, checked or failing with the reason.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ett", ".xlsb", ".ods", ".csv")


@dataclass
class ManyResult:
    summaries: list[Summary] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    combined: Path | None = None
    shown: dict[Path, str] = field(default_factory=dict)  # batch -> its name within the folder given
    ignored: list[Path] = field(default_factory=list)  # files of the folders given that are no spreadsheet

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.summaries)

    @property
    def verdicts(self) -> Counter:
        return sum((s.verdicts for s in self.summaries), Counter())

    @property
    def total_due(self) -> float:
        return sum(s.total_due for s in self.summaries)

    @property
    def total_pending(self) -> float:
        return sum(s.total_pending for s in self.summaries)


def expand(inputs: list[Path]) -> tuple[dict[Path, str], list[Path]]:
    """The batches to check, each with the name it is shown by, and the files of the
    folders given that are no workbook at all (said, never checked).

    A file is a batch as given (shown by its name).  A folder is searched through its
    subfolders (各网点/网点1/, 网点2/ …): every workbook in it is a batch, shown by its path
    within the folder (网点1/申请批次.xlsx), except sscard's own outputs, the lock files
    of Excel and LibreOffice and what is hidden (names starting with a dot, as the
    private folders of a run).  A spreadsheet sscard cannot read (a WPS .et, a CSV) is a
    batch too, so it fails saying why rather than being passed over.  A file reached
    twice (named twice, or by two paths) is one batch."""
    batches: dict[Path, str] = {}
    ignored: list[Path] = []
    for path in inputs:
        if not path.is_dir():
            _add(batches, path, path.name)
            continue
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            for name in sorted(files):
                found = Path(folder) / name
                if _ours_or_hidden(name):
                    continue
                if found.suffix.lower() in SPREADSHEET_SUFFIXES:
                    _add(batches, found, found.relative_to(path).as_posix())
                else:
                    ignored.append(found)
    return batches, ignored


def _ours_or_hidden(name: str) -> bool:
    return (name.startswith((".", "~$")) or name.endswith(DECISIONS_SUFFIX)
            or unicodedata.normalize("NFC", name) == COMBINED_NAME)


def _add(batches: dict[Path, str], batch: Path, shown: str) -> None:
    if not any(outputs.same_file(batch, seen) for seen in batches):
        batches[batch] = shown


def output_names(batches: dict[Path, str], output_dir: Path | None) -> dict[Path, Path]:
    """Each batch's decision workbook, every one distinct within the run.

    NAME.decisions.xlsx, beside the batch, or in the output folder, where a batch found
    in a subfolder keeps that folder's name (网点1/申请批次.xlsx → 网点1-申请批次.decisions.xlsx).
    Where two batches would still get the same name in one folder (letter case ignored,
    as Windows and macOS do), those batches' names carry what tells them apart: their
    folder's name (网点1-申请批次.decisions.xlsx) and, for 批次.xls beside 批次.xlsx, their
    extension (批次.xls.decisions.xlsx).  Names still alike (a.xlsx and a.XLSX in one
    folder) are refused before anything is decided."""
    def target(batch: Path, name: str) -> Path:
        return (output_dir or batch.parent) / f"{name}{DECISIONS_SUFFIX}"

    def folders(batch: Path) -> str:
        return "".join(f"{part}-" for part in Path(batches[batch]).parent.parts) if output_dir else ""

    planned = {batch: target(batch, folders(batch) + batch.stem) for batch in batches}
    groups: dict[tuple, list[Path]] = defaultdict(list)
    for batch, path in planned.items():
        groups[_identity(path)].append(batch)
    for group in groups.values():
        if len(group) < 2:
            continue
        by_folder = len({_fold(b.parent.name) for b in group}) > 1
        by_suffix = len({_fold(b.suffix) for b in group}) > 1
        for batch in group:
            name = (f"{batch.parent.name}-" if by_folder else folders(batch)) + batch.stem \
                + (batch.suffix if by_suffix else "")
            planned[batch] = target(batch, name)
    seen: dict[tuple, Path] = {}
    for batch, path in planned.items():
        other = seen.setdefault(_identity(path), batch)
        if other is not batch:
            raise SscardError(f"{other} 和 {batch} 的决定工作簿会同名({path.name},不分大小写),"
                              "一个会覆盖另一个;请把其中一个改名后重试")
    return planned


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _identity(path: Path) -> tuple:
    """A folder by device and inode when it exists (two spellings of one folder are one
    folder), and a name as a case-insensitive file system compares it."""
    folder = path.parent
    try:
        info = folder.stat()
        where: tuple = (info.st_dev, info.st_ino)
    except OSError:
        where = (str(folder.resolve()),)
    return (*where, _fold(path.name))


def check_many(inputs: list[Path], output_dir: str | Path | None, book: Rulebook, *, command_line: str = "",
               workers: int = 1, ledger: Ledger | None = None, operator: str | None = None, force: bool = False,
               password: Password | None = None, output_password: Password | None = None,
               progress: Callable[[Path], Callable[[int], None] | None] | None = None,
               on_done: Callable[[Path, Summary | None, str | None], None] | None = None) -> ManyResult:
    """Check every batch; before anything is decided, every output is known to be
    distinct, writable and no one else's file."""
    output_dir = outputs.check_folder(output_dir) if output_dir is not None else None
    shown, ignored = expand(inputs)
    result = ManyResult(shown=shown, ignored=ignored)
    batches = list(shown)
    planned = output_names(shown, output_dir)
    first_folder = next((path for path in inputs if path.is_dir()), batches[0].parent if batches else Path("."))
    combined = (output_dir or first_folder) / COMBINED_NAME
    for target in (*planned.values(), combined):
        outputs.check_target(target, inputs=batches, force=force)
    for batch in batches:
        try:
            summary = check_batch(batch, planned[batch], book, command_line=command_line, workers=workers,
                                  ledger=ledger, operator=operator, force=force, inputs=batches,
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
    # The combined summary lists as done only a decision workbook that is still there and is this run's.
    for summary in [s for s in result.summaries if not _in_place(s)]:
        result.summaries.remove(summary)
        result.failures.append((summary.input, f"决定工作簿 {summary.output} 已不在原处(被移走、覆盖或删除)"))
    if batches:
        result.combined = write_combined(combined, book, result, inputs=batches, force=force,
                                         password=output_password)
    return result


def write_combined(path: Path, book: Rulebook, result: ManyResult, *, inputs: list[Path] = (),
                   force: bool = False, password: Password | None = None) -> Path:
    verdicts = list(book.verdicts)
    def name(batch: Path) -> str:
        return result.shown.get(batch, batch.name)

    per_file = [[name(s.input), "已完成", s.rows, *(s.verdicts[v] for v in verdicts), s.total_due, s.total_pending,
                 s.output.name] for s in result.summaries]
    per_file += [[name(p), f"失败:{message}", 0, *(0 for _ in verdicts), 0, 0, ""] for p, message in result.failures]
    with atomic_workbook(path, "合并汇总", streaming=False, inputs=inputs, force=force,
                         password=password) as workbook:
        styles = Styles(workbook, book.verdicts)
        write_table(workbook.add_worksheet("各批次"),
                    ["文件", "状态", "申请行数", *verdicts, labels.FEE_DUE, labels.FEE_PENDING, "决定工作簿"], per_file,
                    styles, header_fills=styles.fills)
        write_table(workbook.add_worksheet(labels.SUMMARY_SHEET), overview_headers(book),
                    overview_rows(book, result.summaries), styles, header_fills=styles.fills)
    return path


def _in_place(summary: Summary) -> bool:
    """The decision workbook this run put in place is still there, unchanged (a protected
    one too, whose properties cannot be read without its password)."""
    return summary.written is not None and outputs.stamp(summary.output) == summary.written
