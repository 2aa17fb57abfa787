"""Read a decision workbook back: its 结果 rows split into input and decision cells,
and its 审计 lines.  Shared by explain and verify."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import openpyxl

from engine import labels
from engine.core.schema import ABSENT, Schema, header_key
from engine.errors import SscardError, UnreadableWorkbook
from engine.excel.ooxml import unescape
from engine.excel.opening import XLSX, open_workbook
from engine.protection import Password

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

    def cells(self, schema: Schema) -> Callable[[StoredRow], dict[str, Any]]:
        """A stored row's input cells by schema key, as the reader gives a batch's: a
        column the workbook lacks is ABSENT, never blank."""
        key_at = self.key_at(schema)
        absent = dict.fromkeys((c.key for c in schema.columns if c.key not in key_at), ABSENT)

        def cells(stored: StoredRow) -> dict[str, Any]:
            return {**{key: stored.inputs[index] for key, index in key_at.items()}, **absent}
        return cells

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


def is_decision_workbook(path: Path, password: Password | None = None) -> bool:
    try:
        workbook = _load(path, password)
    except SscardError:
        return False
    try:
        return decision_headers(workbook) is not None
    finally:
        workbook.close()


def decision_headers(workbook) -> list[str] | None:
    """The input columns of an opened decision workbook (a 结果 sheet whose last columns
    are the decision columns); None for any other workbook."""
    if labels.RESULT_SHEET not in {ws.title for ws in workbook.worksheets}:
        return None
    return _headers(workbook)


def open_decisions(path: str | Path, password: Password | None = None) -> DecisionWorkbook:
    path = Path(path)
    workbook = _load(path, password)
    if labels.RESULT_SHEET not in workbook.sheetnames:
        workbook.close()
        raise SscardError(f"{path}: 没有「{labels.RESULT_SHEET}」工作表,不是 sscard 写出的决定工作簿")
    headers = _headers(workbook)
    if headers is None:
        workbook.close()
        raise SscardError(f"{path}: 「{labels.RESULT_SHEET}」表的最后几列应为 {'、'.join(TAIL)};"
                          "决定列被删除、移动或改名")
    return DecisionWorkbook(path, workbook, headers)


def _load(path: Path, password: Password | None):
    opened = open_workbook(path, password)
    if opened.format != XLSX:
        raise UnreadableWorkbook(f"{path}: 是 .xls 文件;sscard 写出的决定工作簿总是 .xlsx")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # data_only=False: a formula typed over a decision shows as the formula, not its result.
            # A protected workbook exists decrypted only in memory; a plain one openpyxl opens and closes itself.
            source = io.BytesIO(opened.content) if opened.encrypted else opened.path
            return openpyxl.load_workbook(source, read_only=True, data_only=False, keep_links=False)
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
