"""Write the decision workbook with xlsxwriter, streaming, and only ever as a whole.

Rows are written as they come (constant memory); the file is built under a temporary
name beside the target and renamed at the end, so a crash or Ctrl-C never leaves
half a workbook where the clerk expects one.  A password-protected workbook is built in
a private temporary folder (owner-only, removed on every exit path) and only its
encrypted form is written beside the target.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import xlsxwriter

from engine.excel.ooxml import MAX_CELL_TEXT
from engine.protection import Password, encrypt_workbook

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
def atomic_workbook(target: Path, *, streaming: bool = True,
                    password: Password | None = None) -> Iterator[xlsxwriter.Workbook]:
    """An xlsxwriter workbook that appears at ``target`` only if everything succeeded,
    protected by ``password`` when one is given.

    ``streaming`` writes each row as it comes; a small workbook that sets things per
    column after its rows (the template) turns it off."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx.part", dir=target.parent)
    os.close(handle)
    # mkdtemp makes the folder owner-only; xlsxwriter's own row files go there too.
    private = tempfile.TemporaryDirectory(prefix="sscard-") if password else None
    plain = os.path.join(private.name, "plain.xlsx") if private else temporary
    options = {**WORKBOOK_OPTIONS, "constant_memory": streaming, **({"tmpdir": private.name} if private else {})}
    workbook = xlsxwriter.Workbook(plain, options)
    try:
        yield workbook
        workbook.close()
        if password is not None:
            with open(plain, "rb") as source, open(temporary, "wb") as sink:
                encrypt_workbook(source, sink, password)
        os.replace(temporary, target)
    except BaseException:
        try:
            workbook.close()
        except Exception:
            pass
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        if private:
            private.cleanup()


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
