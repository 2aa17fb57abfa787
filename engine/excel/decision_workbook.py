"""Read a decision workbook back: its 结果 rows split into input and decision cells,
and its 审计 lines.  Shared by explain and verify."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import openpyxl

from engine import labels
from engine.core.schema import Schema, header_key
from engine.errors import SscardError, UnreadableWorkbook
from engine.excel.ooxml import unescape
from engine.excel.safe_file import check_workbook_file

TAIL = (*labels.DECISION_COLUMNS, labels.DIGEST)


@dataclass(frozen=True)
class StoredRow:
    number: int  # Excel row number on 结果
    inputs: tuple[Any, ...]
    cells: tuple[Any, ...]  # the decision columns, in labels.DECISION_COLUMNS order
    code: Any  # the 核验码 as stored

    def cell(self, column: str) -> Any:
        return self.cells[labels.DECISION_COLUMNS.index(column)]


class DecisionWorkbook:
    def __init__(self, path: Path, workbook: Any, headers: list[str]):
        self.path = path
        self._workbook = workbook
        self.headers = headers  # the input columns, as the batch had them
        self.audit_items: list[tuple[str, str]] | None = None  # None: no 审计 sheet
        if labels.AUDIT_SHEET in workbook.sheetnames:
            rows = workbook[labels.AUDIT_SHEET].iter_rows(min_row=2, values_only=True)
            self.audit_items = [(unescape(r[0]), unescape(r[1]) if len(r) > 1 else None) for r in rows
                                if r and r[0] is not None]

    @property
    def audit(self) -> dict[str, Any]:
        return dict(self.audit_items or ())

    def key_at(self, schema: Schema) -> dict[str, int]:
        """Schema key -> input column index, matched by header as the reader does."""
        found: dict[str, int] = {}
        for index, header in enumerate(self.headers):
            column = schema.by_header.get(header_key(header))
            if column is not None and column.key not in found:
                found[column.key] = index
        return found

    def rows(self) -> Iterator[StoredRow]:
        width = len(self.headers) + len(TAIL)
        sheet = self._workbook[labels.RESULT_SHEET]
        for number, values in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            values = tuple(unescape(v) for v in values) + (None,) * (width - len(values))
            if all(v is None for v in values):
                continue  # openpyxl reports formatted but empty rows past the end
            inputs = values[:len(self.headers)]
            yield StoredRow(number, inputs, values[len(self.headers):-1], values[-1])

    def close(self) -> None:
        self._workbook.close()


def is_decision_workbook(path: Path) -> bool:
    try:
        workbook = _load(path)
    except SscardError:
        return False
    try:
        return labels.RESULT_SHEET in workbook.sheetnames and _headers(workbook) is not None
    finally:
        workbook.close()


def open_decisions(path: str | Path) -> DecisionWorkbook:
    path = Path(path)
    workbook = _load(path)
    if labels.RESULT_SHEET not in workbook.sheetnames:
        workbook.close()
        raise SscardError(f"{path}: 没有「{labels.RESULT_SHEET}」工作表,不是 sscard 写出的决定工作簿")
    headers = _headers(workbook)
    if headers is None:
        workbook.close()
        raise SscardError(f"{path}: 「{labels.RESULT_SHEET}」表的最后几列应为 {'、'.join(TAIL)};"
                          "决定列被删除、移动或改名")
    return DecisionWorkbook(path, workbook, headers)


def _load(path: Path):
    check_workbook_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # data_only=False: a formula typed over a decision shows as the formula, not its result.
            return openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as error:
        raise UnreadableWorkbook(f"{path}: 无法读取工作簿({type(error).__name__}: {error})") from None


def _headers(workbook) -> list[str] | None:
    sheet = workbook[labels.RESULT_SHEET]
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    names = ["" if h is None else str(h) for h in header]
    while names and not names[-1]:
        names.pop()
    if tuple(names[-len(TAIL):]) != TAIL:
        return None
    return names[:-len(TAIL)]
