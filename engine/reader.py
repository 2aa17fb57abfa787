"""Read a batch workbook: find the sheet, match the header by name, stream the rows."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import openpyxl

from .errors import MissingColumns, UnreadableWorkbook
from .safe_file import check_workbook_file
from .schema import Schema, header_key, is_blank


@dataclass
class Batch:
    path: Path
    sheet: str
    sheet_found_by_name: bool
    headers: list[str]  # as written in the input, extra columns included
    key_at: dict[str, int]  # schema key -> column index
    _workbook: Any

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(Excel row number, cell values padded to the header width) for every row
        below the header, blank ones included: the caller decides what a blank row is."""
        width = len(self.headers)
        sheet = self._workbook[self.sheet]
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            values = tuple(values[:width]) if len(values) >= width else tuple(values) + (None,) * (width - len(values))
            yield number, values

    def cells(self, values: tuple[Any, ...]) -> dict[str, Any]:
        return {key: values[index] for key, index in self.key_at.items()}

    def close(self) -> None:
        self._workbook.close()


def is_blank_row(values: tuple[Any, ...]) -> bool:
    return all(is_blank(v) for v in values)


def open_batch(path: str | Path, schema: Schema) -> Batch:
    path = Path(path)
    check_workbook_file(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation / conditional formats it drops; we only read values.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises KeyError, ValueError, BadZipFile...: all mean unreadable
        raise UnreadableWorkbook(f"{path}: 无法读取工作簿({type(error).__name__}: {error})") from None
    try:
        if schema.sheet in workbook.sheetnames:
            name, by_name = schema.sheet, True
        else:
            name, by_name = workbook.sheetnames[0], False
        sheet = workbook[name]
        header_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        headers = ["" if h is None else str(h) for h in header_row]
        while headers and is_blank(headers[-1]):
            headers.pop()
        key_at = _match_header(path, name, headers, schema)
    except BaseException:
        workbook.close()
        raise
    return Batch(path, name, by_name, headers, key_at, workbook)


def _match_header(path: Path, sheet: str, headers: list[str], schema: Schema) -> dict[str, int]:
    key_at: dict[str, int] = {}
    duplicated: list[str] = []
    for index, header in enumerate(headers):
        column = schema.by_header.get(header_key(header))
        if column is None:
            continue
        if column.key in key_at:
            duplicated.append(f"{column.header}(第 {key_at[column.key] + 1} 列和第 {index + 1} 列)")
        else:
            key_at[column.key] = index
    where = f"{path} 工作表「{sheet}」第 1 行"
    if duplicated:
        raise MissingColumns(f"{where}:列重复,无法确定用哪一列:{'、'.join(duplicated)}")
    missing = [c.header for c in schema.columns if c.key not in key_at]
    if missing:
        raise MissingColumns(f"{where}缺少必需的列:{'、'.join(missing)};可用 sscard template 生成正确的表头")
    return key_at
