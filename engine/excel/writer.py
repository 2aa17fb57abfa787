"""Write workbooks with xlsxwriter, streaming, and only ever as a whole.

Rows are written as they come (constant memory).  Where the file goes is decided by
engine/runs/outputs.py: built privately, refused over an input or someone else's file,
renamed into place only when complete, so a crash or Ctrl-C never leaves half a
workbook where the clerk expects one.  xlsxwriter's own temporary sheets (personal data
in clear text) go to the run's private folder, never loose in TMPDIR; a password-protected
workbook is built there too, and only its encrypted form goes beside the target.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from engine.excel.ooxml import MAX_CELL_TEXT
from engine.protection import Password, encrypt_workbook
from engine.runs import scratch
from engine.runs.outputs import MARK, atomic_output

# A fill per 结论, light enough to read black text on.
VERDICT_FILLS = ("#F4B6B6", "#F8CBAD", "#FFE699", "#D9D2E9", "#BDD7EE", "#C6EFCE")

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Text is text: never turned into a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


@contextmanager
def workbook_file(path: Path, kind: str, *, streaming: bool = True,
                  properties: Mapping[str, str] | None = None) -> Iterator[xlsxwriter.Workbook]:
    """An xlsxwriter workbook at ``path`` (a private temporary, see outputs.reserve),
    marked as made by sscard (``kind``: what it is), complete when the block ends.

    ``streaming`` writes each row as it comes; a small workbook that sets things per
    column after its rows (the template) turns it off."""
    workbook = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "constant_memory": streaming,
                                               "tmpdir": str(scratch.current())})
    workbook.set_custom_property(MARK, kind)
    for name, value in (properties or {}).items():
        workbook.set_custom_property(name, value)
    try:
        yield workbook
    except BaseException:
        for sheet in workbook.worksheets():  # release the temporary sheets; never assemble half a workbook
            if getattr(sheet, "row_data_fh", None) is not None:
                sheet._opt_close()
        raise
    try:
        workbook.close()
    except FileCreateError as error:
        failed, cause = error, error.args[0] if error.args else None
        if not isinstance(cause, OSError):
            raise
    else:
        return
    # Out of the except block, so the failed close's frames (holding the half-written
    # zip) can be released here, quietly: left to the garbage collector, the zip would
    # try to finish itself later and print a traceback about the full disk.
    failure = OSError(cause.errno, cause.strerror, cause.filename)
    _release_quietly(failed, cause)
    raise failure


def _release_quietly(*errors: BaseException) -> None:
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        for error in errors:
            traceback.clear_frames(error.__traceback__)
        del errors
        gc.collect()
    finally:
        sys.unraisablehook = hook


@contextmanager
def atomic_workbook(target: str | Path, kind: str, *, streaming: bool = True, inputs: Iterable[Path] = (),
                    force: bool = False, password: Password | None = None) -> Iterator[xlsxwriter.Workbook]:
    """A workbook that appears at ``target`` only if everything succeeded; refused before
    anything is written over an input, or over a file sscard did not make (unless ``force``);
    protected by ``password`` when one is given."""
    with atomic_output(target, inputs=inputs, force=force) as temporary, \
            protected_workbook(temporary, kind, streaming=streaming, password=password) as workbook:
        yield workbook


@contextmanager
def protected_workbook(path: Path, kind: str, *, streaming: bool = True, properties: Mapping[str, str] | None = None,
                       password: Password | None = None) -> Iterator[xlsxwriter.Workbook]:
    """``workbook_file`` at ``path``; with a password, the plain workbook is built in the
    run's private folder and only its encrypted form is written to ``path``."""
    if password is None:
        with workbook_file(path, kind, streaming=streaming, properties=properties) as workbook:
            yield workbook
        return
    handle, name = tempfile.mkstemp(suffix=".xlsx", dir=scratch.current())
    os.close(handle)
    plain = Path(name)
    try:
        with workbook_file(plain, kind, streaming=streaming, properties=properties) as workbook:
            yield workbook
        with plain.open("rb") as source, path.open("wb") as sink:
            encrypt_workbook(source, sink, password)
    finally:
        plain.unlink(missing_ok=True)


class Styles:
    def __init__(self, workbook: xlsxwriter.Workbook, verdicts: Sequence[str]):
        self.header = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True,
                                           "valign": "top"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.time = workbook.add_format({"num_format": "hh:mm:ss"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.money = workbook.add_format({"num_format": "0.00"})
        self.text = workbook.add_format({"num_format": "@"})
        self.verdict = {v: workbook.add_format({"bg_color": VERDICT_FILLS[i % len(VERDICT_FILLS)], "bold": True})
                        for i, v in enumerate(verdicts)}


def write_cell(sheet, row: int, col: int, value: Any, styles: Styles, style=None) -> None:
    """A value as read from the input, kept as its own type; text always as text."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, style)
    elif isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            sheet.write_string(row, col, str(value), style)
        else:
            sheet.write_number(row, col, value, style)
    elif isinstance(value, dt.datetime):
        fmt = styles.date if value.time() == dt.time(0) else styles.datetime
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time(0)), styles.date)
    elif isinstance(value, dt.time):
        sheet.write_datetime(row, col, value, styles.time)
    else:
        sheet.write_string(row, col, str(value)[:MAX_CELL_TEXT], style)


def write_header(sheet, headers: Sequence[str], styles: Styles, widths: Sequence[int] | None = None) -> None:
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, styles.header)
        width = widths[col] if widths else max(8, min(40, display_width(header) + 2))
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)


def display_width(text: str) -> int:
    """CJK characters take two columns of width."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_table(sheet, headers: Sequence[str], rows: Sequence[Sequence[Any]], styles: Styles) -> None:
    """A small sheet (errors, audit): header, rows, widths fitted to the content."""
    widths = [display_width(h) for h in headers]
    for values in rows:
        for col, value in enumerate(values):
            widths[col] = max(widths[col], display_width(str(value if value is not None else "")))
    write_header(sheet, headers, styles, [max(8, min(60, w + 2)) for w in widths])
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            write_cell(sheet, r, col, value, styles)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(headers) - 1)
