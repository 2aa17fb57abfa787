"""Draft rulebooks made the way a policy officer makes them: copy a rulebook workbook,
then change cells (add a row, fill a cell, delete a row) with openpyxl as a spreadsheet
application would, never rewriting the rest, so these helpers work whatever the live
text says."""

from __future__ import annotations

import datetime as dt
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import openpyxl
from conftest import FIXTURE_RULES

PHOTO = "材料:照片"  # a document the fixture's 办证 asks for in a draft, from PHOTO_FROM
PHOTO_FROM = dt.date(2028, 1, 1)
PHOTO_RULE = "ISSUE-MISSING-PHOTO"


def copy_rulebook(target: Path, source: Path = FIXTURE_RULES) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


@contextmanager
def editing(path: Path) -> Iterator[openpyxl.Workbook]:
    """Open the workbook, change it, save it (as an officer does in Excel)."""
    workbook = openpyxl.load_workbook(path)
    yield workbook
    workbook.save(path)


def headings(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value is not None}


def add_row(sheet, cells: dict[str, Any]) -> int:
    """A new row under the last one, each value under its heading (a new heading is added)."""
    at = headings(sheet)
    for heading in cells:
        if heading not in at:
            at[heading] = sheet.max_column + 1
            sheet.cell(1, at[heading], heading)
    row = sheet.max_row + 1
    for heading, value in cells.items():
        cell = sheet.cell(row, at[heading], _cell(value))
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    return row


def row_of(sheet, heading: str, value: Any) -> int:
    column = headings(sheet)[heading]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == value)


def set_cell(sheet, row: int, heading: str, value: Any) -> str:
    """Fill the cell under ``heading`` on ``row``; its coordinate (e.g. F7)."""
    cell = sheet.cell(row, headings(sheet)[heading])
    cell.value = _cell(value)  # None empties it
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell.coordinate


def _cell(value: Any) -> Any:
    return dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value


def append_value(path: Path, parameter: str, start: dt.date, value) -> None:
    """A new dated value: history stays, the new value holds from ``start``."""
    with editing(path) as workbook:
        add_row(workbook["参数"], {"参数": parameter, "生效日期": start, "值": value})


def require_photo(path: Path) -> None:
    """办证 needs one more document from PHOTO_FROM: a dated column and a dated rule."""
    with editing(path) as workbook:
        add_row(workbook["输入列"], {"列名": PHOTO, "类型": "是否", "适用业务": "办证", "必填": "否",
                                    "生效日期": PHOTO_FROM, "条款": "F0"})
        add_row(workbook["办证"], {"规则编号": PHOTO_RULE, "名称": "办证缺照片", PHOTO: "否", "结论": "补正材料",
                                  "缺少材料": "照片", "办理地点": "服务台", "条款": "§1", "依据": "办证须交照片",
                                  "生效日期": PHOTO_FROM})


def delete_rule(path: Path, rule_id: str) -> None:
    """Delete the row of the rule ``rule_id``, on whichever sheet it is written."""
    with editing(path) as workbook:
        sheet = next(ws for ws in workbook.worksheets if ws.cell(1, 1).value == "规则编号"
                     and any(ws.cell(r, 1).value == rule_id for r in range(2, ws.max_row + 1)))
        sheet.delete_rows(row_of(sheet, "规则编号", rule_id))



RAISED_FROM = dt.date(2027, 7, 1)  # after the fixture's last 工本费 value, before any case's day


def raise_fee(path: Path, value, start: dt.date = RAISED_FROM) -> Path:
    """A new 工本费 from ``start`` (history stays): lint and the cases still pass."""
    append_value(path, "工本费", start, value)
    return path
