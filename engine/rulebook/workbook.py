"""The rulebook workbook's cells, read once from its bytes, and what makes a workbook
unfit to be a rulebook.

A rulebook is data a policy officer reads and edits, and what decides must be what they
see: a workbook with macros, links to other workbooks or formulas (whose values depend
on something else), merged cells (one value shown for several), hidden sheets, rows or
columns holding anything (rules nobody sees would still decide), or protection is
refused in one line saying what to do.

Its identity is its content (``content_digest``): the sheets in order and every
non-empty cell's coordinate and typed value, numbers and dates written one way, so saving
it again in Excel, WPS or LibreOffice without a change keeps its digest, and with it its
published version; the archive keeps the bytes as published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from engine.errors import PasswordNeeded, RulebookError, UnreadableWorkbook
from engine.excel.opening import XLSX, checked_content

FIX_HIDDEN = "看不见的内容也会生效"


@dataclass
class Sheet:
    """One sheet's values: ``rows[0]`` is row 1; a blank cell is None."""

    name: str
    rows: list[list[Any]] = field(default_factory=list)

    def value(self, row: int, column: int) -> Any:
        """The value at 1-based ``row``, ``column``."""
        cells = self.rows[row - 1] if 0 < row <= len(self.rows) else []
        return cells[column - 1] if 0 < column <= len(cells) else None


@dataclass
class Cells:
    """Every sheet of a rulebook workbook, in order, and the digest of their content."""

    name: str  # the file's name, as messages name it
    sheets: list[Sheet]
    digest: str
    path: Path

    def sheet(self, name: str) -> Sheet | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


def read_cells(path: Path, content: bytes) -> Cells:
    """The cells of the rulebook workbook ``content`` (read from ``path``), or one line
    naming what makes it unfit and how to fix it."""
    name = path.name
    if path.suffix.lower() == ".xlsm":
        raise RulebookError(f"{name}:是启用宏的工作簿(.xlsm),不能作为规则库;请在 Excel 中点 文件 → 另存为,"
                            "文件类型选「Excel 工作簿(*.xlsx)」")
    try:
        opened = checked_content(path, content)
    except PasswordNeeded:
        raise RulebookError(f"{name}:设了打开密码,不能作为规则库(每次检查都要读取它);请在 Excel 中 文件 → 信息 → "
                            "保护工作簿 → 用密码进行加密,清空密码后保存") from None
    except UnreadableWorkbook as error:
        raise RulebookError(f"规则库 {error}") from None
    if opened.format != XLSX:
        raise RulebookError(f"{name}:是旧版 Excel 97-2003 工作簿(.xls),规则库须是 .xlsx;请在 Excel 中点 文件 → 另存为,"
                            "文件类型选「Excel 工作簿(*.xlsx)」")
    members = zipfile.ZipFile(io.BytesIO(content)).namelist()
    if any(member.lower().endswith("vbaproject.bin") for member in members):
        raise RulebookError(f"{name}:含有宏,不能作为规则库;请在 Excel 中另存为「Excel 工作簿(*.xlsx)」(不含宏)")
    if any(member.startswith("xl/externalLinks/") for member in members):
        raise RulebookError(f"{name}:含有指向其他工作簿的外部链接,规则库须自成一体;请在 Excel 中点 数据 → 编辑链接 → "
                            "断开链接,保存后重试")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of extensions it drops; only values are read
            workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    except Exception as error:  # openpyxl raises KeyError, ValueError, BadZipFile...: all mean unreadable
        raise RulebookError(f"{name}:无法读取工作簿({type(error).__name__});请在 Excel 中打开并另存为 .xlsx 后重试") \
            from None
    security = workbook.security
    if security is not None and (security.lockStructure or security.lockWindows or security.workbookPassword):
        raise RulebookError(f"{name}:设了工作簿保护,规则库须能直接修改;请在 Excel 中点 审阅 → 保护工作簿 撤销保护后保存")
    if workbook.chartsheets:
        raise RulebookError(f"{name}:「{workbook.chartsheets[0].title}」是图表工作表;规则库只能由数据表组成,请删除它")
    sheets = [_sheet(name, sheet) for sheet in workbook.worksheets]
    return Cells(name, sheets, content_digest(sheets), path)


def _sheet(name: str, sheet) -> Sheet:
    title = sheet.title
    if sheet.protection.sheet:
        raise RulebookError(f"{name}「{title}」:设了工作表保护,规则库须能直接修改;请在 Excel 中点 审阅 → 撤销工作表保护后保存")
    for merged in sheet.merged_cells.ranges:
        raise RulebookError(f"{name}「{title}」{merged.coord}:是合并单元格;规则库中每个单元格各写一项,"
                            "请选中它点 开始 → 合并后居中(取消合并),把内容分别填入各单元格")
    rows: list[list[Any]] = []
    for cells in sheet.iter_rows():
        values = []
        for cell in cells:
            if cell.data_type == "f":
                raise RulebookError(f"{name}「{title}」{cell.coordinate}:是公式「{cell.value}」;规则库中只能填值,"
                                    "请把它改为计算结果(复制后 选择性粘贴 → 数值)")
            if cell.data_type == "e":
                raise RulebookError(f"{name}「{title}」{cell.coordinate}:是错误值 {cell.value};请改为正确的值")
            values.append(None if cell.value == "" else cell.value)
        rows.append(values)
    while rows and all(value is None for value in rows[-1]):
        rows.pop()
    held = Sheet(title, rows)
    if sheet.sheet_state != "visible" and any(v is not None for r in rows for v in r):
        raise RulebookError(f"{name}:工作表「{title}」被隐藏,{FIX_HIDDEN};请右键单击工作表标签 → 取消隐藏,"
                            "或删除该表")
    for number, dimension in sheet.row_dimensions.items():
        if dimension.hidden and number <= len(rows) and any(v is not None for v in rows[number - 1]):
            raise RulebookError(f"{name}「{title}」第 {number} 行被隐藏(或被筛选掉),{FIX_HIDDEN};"
                                "请取消隐藏该行或清除筛选后保存")
    for letter, dimension in sheet.column_dimensions.items():
        if not dimension.hidden:
            continue
        first, last = dimension.min or 1, dimension.max or dimension.min or 1
        for index in range(first, last + 1):
            if any(held.value(row, index) is not None for row in range(1, len(rows) + 1)):
                raise RulebookError(f"{name}「{title}」{get_column_letter(index)} 列被隐藏,{FIX_HIDDEN};"
                                    "请取消隐藏该列后保存")
    return held


def content_digest(sheets: list[Sheet]) -> str:
    """SHA-256 over the sheets in order and each non-empty cell's coordinate and typed value."""
    content = [[sheet.name, [[f"{get_column_letter(c)}{r}", *_typed(value)]
                             for r, cells in enumerate(sheet.rows, start=1)
                             for c, value in enumerate(cells, start=1) if value is not None]]
               for sheet in sheets]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def _typed(value: Any) -> tuple[str, str]:
    """A cell value as one text, however an application stored it: 20 and 20.0 alike, a
    date at midnight as its day."""
    if isinstance(value, bool):
        return "b", "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        if number == number.to_integral_value():
            return "n", str(int(number))
        return "n", format(number.normalize(), "f")
    if isinstance(value, dt.datetime):
        return "d", value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return "d", value.isoformat()
    return "s", str(value)

