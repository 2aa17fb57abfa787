"""Read a legacy Excel 97-2003 workbook (.xls) with xlrd, looking like openpyxl's
read-only workbook to the reader, so one header and row logic serves both formats.

Every cell comes out as openpyxl gives the same cell of an .xlsx: a date cell as a
datetime (or a time), a whole number as an int, a logical as a bool, an error as its
text (#N/A, which the reader then flags), an empty cell as None.  Text stays text, so a
公民身份号码 typed into a number cell is a number here too, and is refused as in .xlsx.
Only cached values are read: xlrd never calculates a formula or runs a macro.
"""

from __future__ import annotations

import io
from typing import Any, Iterator

import xlrd
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

# A double holds every whole number below 2**53 exactly; Excel writes those without a
# decimal point, and openpyxl reads them back as int.
_EXACT_INTEGERS = 2**53
_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}  # BOUNDSHEET visibility, in openpyxl's words


class LegacyWorkbook:
    """The sheets of one .xls held in memory (a .xls is small: at most 65,536 rows)."""

    def __init__(self, content: bytes):
        # formatting_info: xlrd reports merged ranges only then.  on_demand: parse only the
        # sheets asked for.  logfile: xlrd's warnings are English and not for a clerk.
        self._book = xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True,
                                        ragged_rows=True, logfile=io.StringIO())
        self._epoch = MAC_EPOCH if self._book.datemode == 1 else WINDOWS_EPOCH
        self.sheetnames = self._book.sheet_names()
        self._sheets: dict[str, LegacySheet] = {}

    def __getitem__(self, name: str) -> LegacySheet:
        if name not in self._sheets:
            self._sheets[name] = LegacySheet(self._book.sheet_by_name(name), self._epoch)
        return self._sheets[name]

    @property
    def worksheets(self) -> Iterator[LegacySheet]:
        """Each sheet, parsed when reached (finding the first visible one parses few)."""
        return (self[name] for name in self.sheetnames)

    def close(self) -> None:
        self._book.release_resources()


class LegacySheet:
    def __init__(self, sheet: xlrd.sheet.Sheet, epoch):
        self._sheet = sheet
        self._epoch = epoch
        self.title = sheet.name
        self.sheet_state = _STATES.get(sheet.visibility, "hidden")
        self._ragged = False

    def reset_dimensions(self) -> None:
        """As openpyxl's: rows then come as long as their own last cell, not the widest row."""
        self._ragged = True

    @property
    def max_row(self) -> int:
        return self._sheet.nrows

    @property
    def max_column(self) -> int:
        return self._sheet.ncols

    @property
    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        """(first row, first column, last row, last column), 1-based and inclusive."""
        return [(top + 1, left + 1, bottom, right) for top, bottom, left, right in self._sheet.merged_cells]

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, min_col: int = 1, max_col: int | None = None,
                  values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        """Rows as openpyxl's read-only ``iter_rows(values_only=True)`` yields them: every
        row up to the last one used, each as wide as the widest row (or ``max_col``)."""
        assert values_only, "cells are read as values only"
        last = self._sheet.nrows if max_row is None else min(max_row, self._sheet.nrows)
        for index in range(min_row - 1, last):
            end = max_col or (self._sheet.row_len(index) if self._ragged else self._sheet.ncols)
            width = max(end - min_col + 1, 0)
            cells = self._sheet.row_slice(index, min_col - 1, min_col - 1 + width)
            values = tuple(self._value(cell) for cell in cells)
            yield values + (None,) * (width - len(values))

    def _value(self, cell: xlrd.sheet.Cell) -> Any:
        kind, value = cell.ctype, cell.value
        if kind == xlrd.XL_CELL_TEXT:
            return value
        if kind == xlrd.XL_CELL_NUMBER:
            return int(value) if value.is_integer() and abs(value) < _EXACT_INTEGERS else value
        if kind == xlrd.XL_CELL_DATE:
            try:
                return from_excel(value, self._epoch)
            except (OverflowError, ValueError):
                return "#VALUE!"  # what openpyxl makes of a date cell out of range
        if kind == xlrd.XL_CELL_BOOLEAN:
            return bool(value)
        if kind == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(value, "#VALUE!")
        return None  # empty or blank
