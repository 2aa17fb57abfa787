"""Read a batch workbook: find the sheet, match the header by name, stream the rows.

openpyxl's read-only, data-only mode streams in flat memory but hides three things a
clerk must hear about (docs/notes/EXCEL_NOTES.md, 'Values as read'): a formula saved without its
result reads as blank, the covered cells of a merged range read as blank, and an Excel
error value reads as the text '#N/A'.  One extra pass over the sheet's raw XML (inflate
and a regular expression, no parser) finds the first two before the rows are read;
each such cell then reaches the rules as a ``CellProblem``, which every kind refuses.

The file comes in through opening.py (format, size limits, password); a legacy .xls is
read by legacy.py, whose sheets answer as openpyxl's do and whose merged ranges come
from xlrd, so the rows below are cleaned the same way for both formats.
"""

from __future__ import annotations

import heapq
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator
from xml.sax.saxutils import unescape as xml_unescape

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string

from engine import labels
from engine.core.schema import ABSENT, CellProblem, Column, Schema, header_key, hidden_character, is_blank
from engine.errors import MissingColumns, SscardError, UnreadableWorkbook
from engine.excel.decision_workbook import decision_headers
from engine.excel.legacy import LegacyWorkbook
from engine.excel.ooxml import unescape
from engine.excel.opening import XLS, OpenedWorkbook, checked_content, legacy_damaged, open_workbook
from engine.files.protection import Password

EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})

# More flagged cells than this means the whole file was saved by a program that does not
# calculate (or is hostile): one message for the file beats a million for its cells, and
# the list stays small.
MAX_MARKS = 100_000
_SCAN_CHUNK = 4 << 20
# A batch has a few dozen columns.  A header reaching far right is damage (a stray cell
# in XFD1): every row would be padded to its width, and the decision columns written
# after it would fall off Excel's last column (16,384) without a word from the writer.
MAX_COLUMNS = 1024
# 结果 adds 行号, the decision columns and 核验码 to the batch's columns, all within Excel's 16,384.
EXCEL_COLUMNS = 16_384
ADDED_COLUMNS = 9

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA_CELL = re.compile(
    rb"<" + _NS + rb"c\s([^>]*)>\s*<" + _NS + rb"f(?:\s[^>]*)?(?:/>|>([^<]*)</" + _NS + rb"f>)\s*"
    rb"(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>([^<]*)</" + _NS + rb"v>)?")
# Cheap gates (a literal first, so the search is fast): the end of a formula element, or
# of any empty element, followed by no result.  Only a chunk one of them hits is parsed
# with _FORMULA_CELL, so a sheet whose formulas all have results costs one quick search.
_NO_RESULT = rb"\s*(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>|</" + _NS + rb"c>)"
_NO_RESULT_GATES = (re.compile(rb"f>" + _NO_RESULT), re.compile(rb"/>" + _NO_RESULT))
_MERGE = re.compile(rb"<" + _NS + rb'mergeCell\s[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STRING_RESULT = re.compile(rb'\bt="str"')


@dataclass(order=True)
class _Mark:
    """A rectangle of cells (1-based, inclusive) to flag; a merge keeps its top-left value."""

    first_row: int
    first_col: int = field(compare=False)
    last_row: int = field(compare=False)
    last_col: int = field(compare=False)
    merged: bool = field(compare=False)
    text: str = field(compare=False)  # the formula, or the merged range


@dataclass
class Batch:
    path: Path
    sheet: str
    sheet_found_by_name: bool
    headers: list[str]  # as written in the input, extra columns included
    key_at: dict[str, int]  # schema key -> column index
    _workbook: Any
    _marks: list[_Mark] = field(default_factory=list)
    sheet_hidden: bool = False
    _handle: Any = None  # the file openpyxl reads from; closed with the workbook
    absent: list[str] = field(default_factory=list)  # headers of columns the sheet may lack and does
    absent_keys: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)  # what the clerk should hear about the sheet itself
    # Cells right of the last header, found while the rows are read: column index -> how
    # many.  They are kept (rows() yields them), never decided, and named in notes.
    unheaded: dict[int, int] = field(default_factory=dict)

    def output_headers(self) -> list[str | None]:
        """The header to write above each column of the rows (by column index, known only
        once rows() has been read): as in the input, a column without a header named by its
        letter; right of the header, only the columns holding a value (a note in XFD5 adds
        one column, not sixteen thousand), the others None."""
        width = max(len(self.headers), max(self.unheaded, default=-1) + 1)
        return [header if not is_blank(header) else
                f"(无表头 {get_column_letter(index + 1)})" if index < len(self.headers) or index in self.unheaded
                else None for index, header in enumerate(self.headers + [""] * (width - len(self.headers)))]

    def unheaded_notes(self) -> list[str]:
        return [f"第 {get_column_letter(index + 1)} 列没有表头,其中 {count} 个单元格已原样保留在"
                f"「结果」表的「(无表头 {get_column_letter(index + 1)})」列,未参与判定;如是申请内容,请补上表头"
                for index, count in sorted(self.unheaded.items())]

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(Excel row number, cell values padded to the header width) for every row
        below the header, blank ones included (the caller decides what a blank row is),
        except the blank rows after the last row with a value: they are no rows at all,
        and a sheet whose last cell is XFD1048576 has a million of them.  A row holding
        a value right of the header runs on to its last value (see ``unheaded``)."""
        width = len(self.headers)
        blank = (None,) * width
        pending_from, pending = 0, 0
        active: list[tuple[int, int, _Mark, bool]] = []  # (last_row, order, mark, top-left has a value)
        marks = iter(self._marks)
        upcoming = next(marks, None)
        for number, values in self._sheet_rows(width):
            values = tuple(_clean(v, number, col) for col, v in enumerate(values))
            while upcoming is not None and upcoming.first_row <= number:
                has_value = (upcoming.first_col <= width and upcoming.first_row == number
                             and not is_blank(values[upcoming.first_col - 1]))
                heapq.heappush(active, (upcoming.last_row, id(upcoming), upcoming, has_value))
                upcoming = next(marks, None)
            while active and active[0][0] < number:
                heapq.heappop(active)
            if active:
                values = _apply_marks(values, number, active, width)
            if is_blank_row(values):
                if not pending:
                    pending_from = number
                pending += 1
                continue
            for skipped in range(pending_from, pending_from + pending):
                yield skipped, blank
            pending = 0
            yield number, values

    def has_requests(self) -> bool:
        """Whether any row below the header holds a value (reads up to the first one)."""
        found = any(not is_blank_row(values) for _, values in self.rows())
        self.unheaded.clear()  # counted again when the rows are read for good
        return found

    def _sheet_rows(self, width: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
        sheet = self._workbook[self.sheet]
        # Each row as long as its own last cell, not padded to the sheet's recorded
        # dimension (which a stray far cell makes 16,384 wide), so a note right of the
        # header is seen without widening every row.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=2, values_only=True)
        number = 1
        while True:
            try:
                values = next(rows, None)
            except Exception as error:  # the sheet XML is parsed lazily, row by row
                raise _unreadable(self.path, error, f"工作表「{self.sheet}」第 {number + 1} 行附近") from None
            if values is None:
                return
            number += 1
            if len(values) > width and not all(is_blank(v) for v in values[width:]):
                values = self._keep_unheaded(number, tuple(values), width)
            elif len(values) != width:
                values = tuple(values[:width]) + (None,) * (width - len(values))
            yield number, values

    def _keep_unheaded(self, number: int, values: tuple[Any, ...], width: int) -> tuple[Any, ...]:
        last = max(i for i in range(width, len(values)) if not is_blank(values[i]))
        for index in range(width, last + 1):
            if not is_blank(values[index]):
                if index not in self.unheaded and len(self.unheaded) >= EXCEL_COLUMNS - ADDED_COLUMNS - width:
                    raise MissingColumns(
                        f"{self.path} 工作表「{self.sheet}」没有表头的列中有内容的超过 {len(self.unheaded)} 列"
                        f"(如单元格 {_ref(number, index)}),加上判定列会超出 Excel 的 {EXCEL_COLUMNS} 列;"
                        "请删除多余的内容后重试")
                self.unheaded[index] = self.unheaded.get(index, 0) + 1
        return values[:last + 1]

    def cells(self, values: tuple[Any, ...]) -> dict[str, Any]:
        cells = {key: values[index] for key, index in self.key_at.items()}
        cells.update(dict.fromkeys(self.absent_keys, ABSENT))
        return cells

    def close(self) -> None:
        self._workbook.close()
        if self._handle is not None:
            self._handle.close()


def is_blank_row(values: tuple[Any, ...]) -> bool:
    return all(is_blank(v) for v in values)


def _ref(row: int, col_index: int) -> str:
    return f"{get_column_letter(col_index + 1)}{row}"


def _clean(value: Any, row: int, col: int) -> Any:
    if type(value) is not str:
        return value
    if value in EXCEL_ERRORS:
        return CellProblem(value, f"单元格 {_ref(row, col)} 是 Excel 错误值 {value};请修正该单元格或其公式后重试")
    return unescape(value)


def _apply_marks(values: tuple[Any, ...], number: int, active, width: int) -> tuple[Any, ...]:
    cells = list(values)
    for _, _, mark, has_value in active:
        for col in range(mark.first_col, min(mark.last_col, width) + 1):
            ref = _ref(number, col - 1)
            if not mark.merged:
                cells[col - 1] = CellProblem(
                    mark.text, f"单元格 {ref} 是公式 {mark.text},文件中没有它的计算结果"
                               "(常见于程序生成的文件);请在 Excel 中打开并保存后重试")
            elif has_value and (number, col) != (mark.first_row, mark.first_col) and is_blank(cells[col - 1]):
                top_left = _ref(mark.first_row, mark.first_col - 1)
                cells[col - 1] = CellProblem(
                    "", f"单元格 {ref} 属于合并单元格 {mark.text},值只写在 {top_left};"
                        "请取消合并,并在每一行填写各自的值")
    return tuple(cells)


def open_batch(path: str | Path, schema: Schema, *, optional_may_be_absent: bool = False,
               password: Password | None = None, only_sheet: str | None = None,
               content: bytes | None = None) -> Batch:
    """The batch on ``path`` (.xlsx, .xlsm or .xls; ``password`` opens a protected one),
    its header matched against ``schema``.

    Every schema column must be present, except a dated one (introduced on a date: a
    batch made before it lacks it), and with ``optional_may_be_absent`` every optional
    one (comparing a draft against past batches).  An absent column is never read as
    blank, where it would silently mean 否: a row that needs it is 输入有误 naming it
    (``Batch.absent`` names them).

    ``only_sheet``: read that sheet and no other (a rulebook's 用例); ``content``: the
    workbook already read into memory (a rulebook is read once)."""
    path = Path(path)
    opened = open_workbook(path, password) if content is None else checked_content(path, content)
    workbook, handle = _load(opened)
    try:
        if only_sheet is not None and only_sheet not in workbook.sheetnames:
            raise MissingColumns(f"{path.name}:没有工作表「{only_sheet}」;请添加该表")
        if decision_headers(workbook) is not None:
            raise UnreadableWorkbook(f"{path}: 是 sscard 写出的决定工作簿(「{labels.RESULT_SHEET}」表末尾是"
                                     f"{labels.VERDICT}、{labels.DIGEST}等决定列),不是申请批次;请改用原来的批次工作簿")
        name, by_name = _choose_sheet(path, workbook, only_sheet or schema.sheet)
        sheet = workbook[name]
        headers = _header(path, sheet)
        if len(headers) > MAX_COLUMNS:
            raise MissingColumns(
                f"{path} 工作表「{name}」第 1 行有 {len(headers)} 列(最右的非空表头在 {_ref(1, len(headers) - 1)}),"
                f"超过上限 {MAX_COLUMNS} 列;多半是远处有误填的单元格,请删除多余的列后重试")
        try:
            key_at, absent = _match_header(path, name, headers, schema, optional_may_be_absent)
        except MissingColumns:
            _refuse_header_lower_down(path, sheet, headers, schema, optional_may_be_absent)
            raise
        if opened.format == XLS:
            marks = [_Mark(*merge, True, f"{_ref(merge[0], merge[1] - 1)}:{_ref(merge[2], merge[3] - 1)}")
                     for merge in sorted(sheet.merged_ranges)]
        else:
            marks = _scan_sheet(opened, getattr(sheet, "_worksheet_path", None))
    except BaseException:
        workbook.close()
        if handle is not None:
            handle.close()
        raise
    hidden = _hidden(sheet)
    return Batch(path, name, by_name, headers, key_at, workbook, marks, sheet_hidden=hidden, _handle=handle,
                 absent=[c.header for c in absent], absent_keys=tuple(c.key for c in absent),
                 notes=_visible_lookalikes(path, workbook, name, schema) if hidden else [])


def count_rows(path: str | Path, schema: Schema, at_most: int, password: Password | None = None) -> int:
    """How many rows with a value lie below the header of the sheet a check would read,
    counted no further than ``at_most + 1``: enough to tell a small batch from a big one
    cheaply, whatever the file's size.  0 for a file that cannot be read: the check
    itself says why."""
    try:
        opened = open_workbook(Path(path), password)
        workbook, handle = _load(opened)
    except SscardError:
        return 0
    try:
        name, _ = _choose_sheet(Path(path), workbook, schema.sheet)
        sheet = workbook[name]
        sheet.reset_dimensions()  # as rows() does: a stray far cell must not make every row 16,384 wide
        count = 0
        for values in sheet.iter_rows(min_row=2, values_only=True):
            if not is_blank_row(values):
                count += 1
                if count > at_most:
                    break
        return count
    except Exception:  # a damaged sheet (openpyxl raises many kinds): the check says what is wrong
        return 0
    finally:
        workbook.close()
        if handle is not None:
            handle.close()


def _header(path: Path, sheet) -> list[str]:
    """Row 1 as text, without the blank cells after its last header."""
    try:
        header_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    except Exception as error:
        raise _unreadable(path, error, f"工作表「{sheet.title}」第 1 行") from None
    headers = ["" if h is None else str(h) for h in header_row]
    while headers and is_blank(headers[-1]):
        headers.pop()
    return headers


def _hidden(sheet) -> bool:
    return getattr(sheet, "sheet_state", "visible") != "visible"


def _visible_lookalikes(path: Path, workbook, used: str, schema: Schema) -> list[str]:
    """A hidden batch sheet is used by its name; a visible sheet with the batch's header
    is what the clerk sees and may have filled in instead: say so, never silently."""
    required = {header_key(c.header) for c in schema.columns if c.required}
    found = [ws.title for ws in workbook.worksheets
             if ws.title != used and not _hidden(ws) and required <= {header_key(h) for h in _header(path, ws)}]
    if not found:
        return []
    names = "、".join(f"「{title}」" for title in found)
    return [f"使用的是隐藏的工作表「{used}」;可见的工作表{names}也有批次的表头,未被检查。"
            f"如该表才是本批次,请把它改名为「{used}」并删除隐藏的表后重新检查"]


def _load(opened: OpenedWorkbook) -> tuple[Any, BinaryIO | None]:
    """The parsed workbook and the handle it reads from (None: held in memory)."""
    if opened.format == XLS:
        try:
            return LegacyWorkbook(opened.content), None
        except Exception:  # xlrd raises XLRDError, CompDocError, struct.error... on damage
            raise legacy_damaged(opened.path) from None
    # Our own handle: openpyxl leaves the file open when it fails half-way through loading.
    handle = opened.open()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation / conditional formats it drops; we only read values.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False), handle
    except Exception as error:  # openpyxl raises KeyError, ValueError, BadZipFile...: all mean unreadable
        handle.close()
        raise _unreadable(opened.path, error, "") from None


def _choose_sheet(path: Path, workbook, wanted: str) -> tuple[str, bool]:
    """The sheet named ``wanted`` even when hidden; otherwise the first sheet a clerk can see."""
    if wanted in workbook.sheetnames:
        if wanted not in {ws.title for ws in workbook.worksheets}:
            raise UnreadableWorkbook(f"{path}: 「{wanted}」是图表工作表,不是数据表;"
                                     f"请把申请数据放在名为「{wanted}」的普通工作表中,并给图表工作表改名")
        return wanted, True
    visible = [ws.title for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if visible:
        return visible[0], False
    if workbook.sheetnames:
        return workbook.sheetnames[0], False
    raise UnreadableWorkbook(f"{path}: 工作簿中没有工作表")


def _unreadable(path: Path, error: Exception, where: str) -> UnreadableWorkbook:
    prefix = f"{path}: {where}" + (":" if where else "")
    kind = type(error).__name__
    causes, cause = [], error
    while cause is not None and len(causes) < 5:  # openpyxl re-raises a parse error as ValueError
        causes.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    if any("Entit" in name or "DTD" in name for name in causes):  # defusedxml: EntitiesForbidden, DTDForbidden, ...
        return UnreadableWorkbook(f"{prefix}XML 中含有实体声明(可能是恶意构造的文件,如“十亿笑声”攻击),"
                                  "拒绝读取;请在 Excel 中另存为新的 .xlsx")
    return UnreadableWorkbook(f"{prefix}无法读取工作簿({kind}: {error});请在 Excel 中打开并另存为 .xlsx 后重试")


def _scan_sheet(opened: OpenedWorkbook, member: str | None) -> list[_Mark]:
    """Formulas without a saved result and merged ranges, from the sheet's raw XML.

    Streams the member through inflate in chunks; the full regular expression runs only
    on chunks where a cheap search finds an element with no result after it."""
    if not member:
        return []
    marks: list[_Mark] = []
    try:
        with opened.open() as handle, zipfile.ZipFile(handle) as archive, archive.open(member.lstrip("/")) as source:
            carry = b""
            while True:
                chunk = source.read(_SCAN_CHUNK)
                data = carry + chunk
                if not chunk:
                    _scan_chunk(data, marks)
                    break
                cut = data.rfind(b"row>") + 4  # whole rows only: a cell never straddles chunks
                if cut < 4:
                    cut = len(data) if len(data) > 16 * _SCAN_CHUNK else 0
                carry = data[cut:]
                _scan_chunk(data[:cut], marks)
                if len(marks) > MAX_MARKS:
                    raise UnreadableWorkbook(
                        f"{opened.path}: 有超过 {MAX_MARKS} 个公式没有保存计算结果(文件多半由程序生成);"
                        "请在 Excel 中打开并保存后重试")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _unreadable(opened.path, error, "") from None
    marks.sort()
    return marks


def _scan_chunk(data: bytes, marks: list[_Mark]) -> None:
    if b"mergeCell" in data:
        for found in _MERGE.finditer(data):
            first_col, first_row = column_index_from_string(found[1].decode()), int(found[2])
            last_col = column_index_from_string(found[3].decode()) if found[3] else first_col
            last_row = int(found[4]) if found[4] else first_row
            text = found.group(0).split(b'ref="')[1].rstrip(b'"').decode()
            marks.append(_Mark(first_row, first_col, last_row, last_col, True, text))
    if not any(gate.search(data) for gate in _NO_RESULT_GATES):
        return
    for found in _FORMULA_CELL.finditer(data):
        attributes, formula, cached = found[1], found[2], found[3]
        if cached or (cached is not None and _STRING_RESULT.search(attributes)):
            continue  # a saved result; an empty text result is a result too
        ref = _REF.search(attributes)
        if ref is None:
            continue  # a cell without a reference cannot be placed; openpyxl reads it as written
        col, row = column_index_from_string(ref[1].decode()), int(ref[2])
        text = "=" + xml_unescape(formula.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"}) \
            if formula else "(共享公式)"
        marks.append(_Mark(row, col, row, col, False, text))


def _refuse_hidden_in_header(path: Path, sheet: str, index: int, header: str, schema: Schema) -> None:
    """A header that is a schema column but for an invisible character would otherwise
    be reported as a missing column the clerk can see is there."""
    found = hidden_character(header)
    if found is None:
        return
    position, character, what = found
    column = schema.by_header.get(header_key(header.replace(character, "")))
    if column is not None:
        raise MissingColumns(f"{path} 工作表「{sheet}」第 1 行 {_ref(1, index)} 的表头「{column.header}」"
                             f"含{what}(第 {position + 1} 个字符);请删除该字符后重试")


TITLE_ROWS = 10  # how far below row 1 a header is looked for when row 1 is not one


def _refuse_header_lower_down(path: Path, sheet, first: list[str], schema: Schema, optional_may_be_absent: bool) -> None:
    """Row 1 is not the header: when a row below it is (a title row above the header, as
    printed forms have), say so, rather than list every column as missing."""
    def matched(headers) -> set[str]:
        return {column.key for h in headers if (column := schema.by_header.get(header_key(h))) is not None}

    required = {c.key for c in schema.columns if c.required}
    try:
        below = list(sheet.iter_rows(min_row=2, max_row=TITLE_ROWS, values_only=True))
    except Exception:  # a damaged sheet: the message about row 1 stands
        return
    for number, row in enumerate(below, start=2):
        headers = ["" if h is None else str(h) for h in row]
        found = matched(headers)
        if len(found & required) * 2 <= len(required) or len(found) <= len(matched(first)):
            continue
        title = next((h.strip() for h in first if not is_blank(h)), "")
        what = f"是「{title[:30]}」,像是标题" if title else "是空行"
        missing = ""
        try:
            _match_header(path, sheet.title, headers, schema, optional_may_be_absent, f"另外,第 {number} 行的表头")
        except MissingColumns as error:
            missing = f";{error}"
        raise MissingColumns(f"{path} 工作表「{sheet.title}」的表头在第 {number} 行,不在第 1 行(第 1 行{what});"
                             f"请删除表头上面的 {number - 1} 行,使表头位于第 1 行、申请从第 2 行起,然后重试{missing}")


def _match_header(path: Path, sheet: str, headers: list[str], schema: Schema, optional_may_be_absent: bool,
                  where: str = "") -> tuple[dict[str, int], list[Column]]:
    key_at: dict[str, int] = {}
    duplicated: list[str] = []
    for index, header in enumerate(headers):
        column = schema.by_header.get(header_key(header))
        if column is None:
            _refuse_hidden_in_header(path, sheet, index, header, schema)
            continue
        if column.key in key_at:
            duplicated.append(f"{column.header}(第 {key_at[column.key] + 1} 列和第 {index + 1} 列)")
        else:
            key_at[column.key] = index
    where = where or f"{path} 工作表「{sheet}」第 1 行"
    if duplicated:
        raise MissingColumns(f"{where}:列重复,无法确定用哪一列:{'、'.join(duplicated)}")
    absent = [c for c in schema.columns if c.key not in key_at]
    missing = [c.header for c in absent if not (c.period.dated or (optional_may_be_absent and not c.required))]
    if missing:
        raise MissingColumns(f"{where}缺少必需的列:{'、'.join(missing)};可用 sscard template 生成正确的表头")
    return key_at, absent
