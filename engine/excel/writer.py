"""Write workbooks with xlsxwriter, streaming, and only ever as a whole.

Rows are written as they come (constant memory).  Where the file goes is decided by
engine/files/outputs.py: built privately, refused over an input or someone else's file,
renamed into place only when complete, so a crash or Ctrl-C never leaves half a
workbook where the clerk expects one.  xlsxwriter's own temporary sheets (personal data
in clear text) go to the run's private folder, never loose in TMPDIR; a password-protected
workbook is built there too, and only its encrypted form goes beside the target.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.worksheet import Worksheet

from engine.excel.ooxml import MAX_CELL_TEXT
from engine.files import scratch
from engine.files.outputs import MARK, atomic_output
from engine.files.protection import Password, encrypt_workbook

# A fill per 结论, in the rulebook's order of strength (输入有误, 不予受理, 补正材料,
# 人工复核, 转银行办理, 受理): six hues far apart (grey, red, yellow, violet, blue, green),
# each light enough for black text on screen and on paper.
VERDICT_FILLS = ("#D0CECE", "#F4A6A6", "#FFE07A", "#CDB4E6", "#A9CCEE", "#B5E3B5")
FIX_FILL = "#FF8C1A"  # a cell the clerk must correct: orange, unlike any row's fill
FILL_NAMES = {**dict(zip(VERDICT_FILLS, ("灰色", "红色", "黄色", "紫色", "蓝色", "绿色"))), FIX_FILL: "橙色"}
HEADER_FILL = "#1F4E78"
BORDER_COLOR = "#A6A6A6"

# Number formats by the kind of value a cell holds.  A whole number of 12 digits or more
# is shown in full: Excel's General format would show an ID typed as a number as 1.10105E+17.
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "time": "hh:mm:ss", "whole": "0",
                  "money": "0.00", "text": "@"}
LONG_NUMBER = 1e11

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Text is text: never turned into a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    # A full worksheet's 结果 is over 2 GB of XML, past what a plain zip member may hold.
    "use_zip64": True,
}


@contextmanager
def workbook_file(path: Path, kind: str, *, streaming: bool = True,
                  properties: Mapping[str, str] | None = None) -> Iterator[xlsxwriter.Workbook]:
    """An xlsxwriter workbook at ``path`` (a private temporary, see outputs.reserve),
    marked as made by sscard (``kind``: what it is), complete when the block ends.

    ``streaming`` writes each row as it comes; a small workbook that sets things per
    column after its rows (the template) turns it off."""
    with _ZipSink(path) as sink:
        workbook = xlsxwriter.Workbook(sink, {**WORKBOOK_OPTIONS, "constant_memory": streaming,
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
            cause = error.args[0] if error.args else None
            if not isinstance(cause, OSError):
                raise
            raise OSError(cause.errno, cause.strerror, str(path)) from None


class _ZipSink:
    """The file xlsxwriter's zip is written to, opened owner-only (0600) by sscard itself.

    It fails once: after the first error (a full disk) it swallows what the abandoned zip
    still writes, so the zip cannot report the same failure again later, in English, as
    'Exception ignored in ZipFile.__del__' when the garbage collector finishes it."""

    def __init__(self, path: Path):
        self._handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        self._failed = False
        self._position = 0

    def __enter__(self) -> _ZipSink:
        return self

    def __exit__(self, kind, *exc) -> None:
        try:
            self._handle.close()
        except OSError:
            if kind is None and not self._failed:  # the last buffered bytes did not fit: the workbook is incomplete
                raise

    def _guard(self, operation, *args):
        if self._failed:
            return None
        try:
            return operation(*args)
        except OSError:
            self._failed = True
            raise

    def write(self, data) -> int:
        written = self._guard(self._handle.write, data)
        return len(data) if written is None else written

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        found = self._guard(self._handle.seek, offset, whence)
        return self._position if found is None else found

    def tell(self) -> int:
        if not self._failed:
            self._position = self._handle.tell()
        return self._position

    def flush(self) -> None:
        self._guard(self._handle.flush)

    def truncate(self, size: int | None = None) -> int:
        found = self._guard(self._handle.truncate, size)
        return self._position if found is None else found


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


class TracedSheet(Worksheet):
    """A worksheet that tells what it holds: each finished row's values go to ``trace(row,
    {column: value})`` (set after ``add_worksheet(name, worksheet_class=TracedSheet)``),
    in row order, once a later row is written or ``end_trace()`` is called.

    A decision workbook keeps a digest of its 汇总 and 错误 sheets this way: of the cells
    as written, whoever wrote them.  It is written in constant_memory mode, where a row
    is final once a later one starts (xlsxwriter drops a write to an earlier row)."""

    trace: Callable[[int, dict[int, Any]], None] | None = None
    _traced_row = -1
    _traced: dict[int, Any] | None = None

    def _note(self, row: int, col: int, value: Any) -> None:
        if row < self._traced_row:
            return
        if row > self._traced_row or self._traced is None:
            self.end_trace()
            self._traced_row, self._traced = row, {}
        if value is None or value == "":
            self._traced.pop(col, None)  # a blank written over a cell empties it
        else:
            self._traced[col] = value

    def end_trace(self) -> None:
        """After the sheet's last write: its last row is final too."""
        if self._traced and self.trace is not None:
            self.trace(self._traced_row, self._traced)
        self._traced = None

    def write_string(self, row, col, string, cell_format=None):
        self._note(row, col, string[:MAX_CELL_TEXT])
        return super().write_string(row, col, string, cell_format)

    def write_number(self, row, col, number, cell_format=None):
        self._note(row, col, number)
        return super().write_number(row, col, number, cell_format)

    def write_boolean(self, row, col, boolean, cell_format=None):
        self._note(row, col, boolean)
        return super().write_boolean(row, col, boolean, cell_format)

    def write_datetime(self, row, col, date, cell_format=None):
        self._note(row, col, date)
        return super().write_datetime(row, col, date, cell_format)

    def write_blank(self, row, col, blank, cell_format=None):
        self._note(row, col, None)
        return super().write_blank(row, col, blank, cell_format)


class Styles:
    """The workbook's formats, made once each: xlsxwriter wants one object per combination."""

    def __init__(self, workbook: xlsxwriter.Workbook, verdicts: Sequence[str]):
        self._workbook = workbook
        self._looks: dict[tuple, Any] = {}
        self.header = workbook.add_format({"bold": True, "bg_color": HEADER_FILL, "font_color": "#FFFFFF",
                                           "border": 1, "border_color": BORDER_COLOR, "text_wrap": True,
                                           "valign": "top"})
        self.fills = {v: VERDICT_FILLS[i % len(VERDICT_FILLS)] for i, v in enumerate(verdicts)}
        self.date = self.look(kind="date")
        self.datetime = self.look(kind="datetime")
        self.time = self.look(kind="time")
        self.wrap = self.look(wrap=True)
        self.money = self.look(kind="money")
        self.text = self.look(kind="text")

    def look(self, *, fill: str | None = None, kind: str | None = None, wrap: bool = False, bold: bool = False,
             border: bool = False) -> Any:
        """The format for this combination, or None when nothing is asked for."""
        key = (fill, kind, wrap, bold, border)
        if key == (None, None, False, False, False):
            return None
        found = self._looks.get(key)
        if found is None:
            props: dict[str, Any] = {"valign": "top"}
            if fill:
                props["bg_color"] = fill
            if kind:
                props["num_format"] = NUMBER_FORMATS[kind]
            if wrap:
                props["text_wrap"] = True
            if bold:
                props["bold"] = True
            if border:
                props.update(border=1, border_color=BORDER_COLOR)
            found = self._looks[key] = self._workbook.add_format(props)
        return found


def value_kind(value: Any) -> str | None:
    """The number format a value needs to show as the clerk typed it (NUMBER_FORMATS)."""
    if isinstance(value, (str, bool)) or value is None:
        return None
    if isinstance(value, (int, float)):
        finite = value == value and value not in (float("inf"), float("-inf"))
        return "whole" if finite and float(value).is_integer() and abs(value) >= LONG_NUMBER else None
    if isinstance(value, dt.datetime):
        return "date" if value.time() == dt.time(0) else "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    return None


def write_cell(sheet, row: int, col: int, value: Any, styles: Styles, style=None, **look: Any) -> None:
    """A value as read from the input, kept as its own type; text always as text.

    ``style`` is a ready format, used as given; otherwise ``look`` (fill, wrap, bold,
    border) is combined with the number format the value needs (value_kind).  A blank
    cell is written only when it has a format (a tinted row stays tinted across it)."""
    fmt = style if style is not None else styles.look(kind=value_kind(value), **look)
    if type(value) is str:  # most cells: first, for a million rows' sake
        sheet.write_string(row, col, value[:MAX_CELL_TEXT], fmt)
    elif value is None:
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            sheet.write_string(row, col, str(value), fmt)
        else:
            sheet.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time(0)), fmt)
    elif isinstance(value, dt.time):
        sheet.write_datetime(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value)[:MAX_CELL_TEXT], fmt)


def write_header(sheet, headers: Sequence[str], styles: Styles, widths: Sequence[int] | None = None,
                 frozen_columns: int = 0) -> None:
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, styles.header)
        width = widths[col] if widths else max(8, min(40, display_width(header) + 2))
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, frozen_columns)


def print_setup(sheet, *, area: tuple[int, int] | None = None, one_page: bool = False,
                portrait: bool = False) -> None:
    """Landscape A4 (or ``portrait``), as wide as the page, the header row on every page,
    page numbers below.

    ``area`` (last row, last column) prints only that much; ``one_page`` fits the whole
    sheet on one page."""
    if portrait:
        sheet.set_portrait()
    else:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
    sheet.fit_to_pages(1, 1 if one_page else 0)
    if not one_page:
        sheet.repeat_rows(0)
    if area is not None:
        sheet.print_area(0, 0, *area)
    sheet.set_footer("&C第 &P 页,共 &N 页")


def display_width(text: str) -> int:
    """CJK characters take two columns of width."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


LINE_POINTS = 16  # the height of one line of wrapped text


def forget_written_row(sheet, row: int) -> None:
    """Drop what xlsxwriter keeps of a row already written out.

    xlsxwriter keeps every set_row() (format and height, twice) until the file closes,
    even in constant_memory mode, where the row itself is written once the next row
    starts: a million rows held 350 MB.  Only a height other than the default is still
    needed (to place comments below it), and rows of one height share one entry: 120 MB
    (docs/notes/EXCEL_NOTES.md).  Call after a cell of the following row is written."""
    sheet.set_rows.pop(row, None)
    size = sheet.row_sizes.get(row)
    if size is not None:
        if size == [sheet.default_row_height, False]:
            del sheet.row_sizes[row]  # xlsxwriter takes a row it does not know for a default one
        else:
            sheet.row_sizes[row] = _SIZES.setdefault(tuple(size), size)


_SIZES: dict[tuple, list] = {}


class CommentedSheet(Worksheet):
    """A worksheet with rows of their own heights and comments on many of them.

    xlsxwriter places a comment by adding up the height of every row above it, one
    step per row: at 100,000 rows the comments took seconds.  Here the heights above
    the comments are added up once, in one pass over the rows, and each comment is
    placed exactly where xlsxwriter would place it."""

    _above: dict[int, int] | None = None

    def _comment_vertices(self, comment):
        if not self.row_size_changed:
            return super()._comment_vertices(comment)
        if self._above is None:
            self._above = self._pixels_above(sorted({c.start_row for cells in self.comments.values()
                                                      for c in cells.values()}))
        # With row_size_changed off, xlsxwriter counts every row above as a default one...
        self.row_size_changed = False
        try:
            vertices = super()._comment_vertices(comment)
        finally:
            self.row_size_changed = True
        # ... so its absolute top (y_abs, the tenth vertex) gets what the taller rows add.
        vertices[9] += self._above[comment.start_row] - self.default_row_pixels * comment.start_row
        return vertices

    def _pixels_above(self, rows: list[int]) -> dict[int, int]:
        above, total, at = {}, 0, 0
        for row in rows:
            total += sum(self._size_row(r) for r in range(at, row))
            above[row], at = total, row
        return above


def wrapped_lines(value: Any, width: int) -> int:
    """How many lines a wrapped cell of ``width`` needs for ``value``: Excel keeps the
    height a file gives and LibreOffice does not grow a row to fit, so the writer says."""
    if not isinstance(value, str) or not value:
        return 1
    return _lines(value, width)


@lru_cache(maxsize=4096)  # a batch holds few distinct 依据 / 后续事项 texts: count each once
def _lines(text: str, width: int) -> int:
    room = max(1, width - 1)
    return sum(max(1, -(-display_width(line) // room)) for line in text.split("\n"))


def write_table(sheet, headers: Sequence[str], rows: Sequence[Sequence[Any]], styles: Styles,
                header_fills: dict[str, str] | None = None) -> None:
    """A small sheet (summaries, audit): header, rows, widths fitted to the content.
    ``header_fills`` colours some header cells (a 结论 in its row colour)."""
    widths = [display_width(h) for h in headers]
    for values in rows:
        for col, value in enumerate(values):
            widths[col] = max(widths[col], display_width(str(value if value is not None else "")))
    write_header(sheet, headers, styles, [max(8, min(60, w + 2)) for w in widths])
    for col, header in enumerate(headers):
        if header_fills and header in header_fills:
            sheet.write_string(0, col, header, styles.look(fill=header_fills[header], bold=True, border=True))
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            write_cell(sheet, r, col, value, styles)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(headers) - 1)
    print_setup(sheet)
