"""Read a decision workbook back: its 结果 rows split into decision cells and the cells
beside them (result_layout.py), and its 审计 lines.  Shared by explain, verify and notices."""

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
from engine.excel.ooxml import cell_name, unescape
from engine.excel.opening import XLSX, open_workbook
from engine.excel.result_layout import decision_block
from engine.files.protection import Password


@dataclass(frozen=True)
class StoredRow:
    number: int  # the request's row in the batch (行号), as 错误 names it; its 结果 row in an older workbook
    inputs: tuple[Any, ...]  # every cell beside the decision (行号 and the input columns), in 结果 order
    cells: tuple[Any, ...]  # the decision columns, in labels.DECISION_COLUMNS order
    code: Any  # the 核验码 as stored
    sheet_row: int = 0  # Excel row number on 结果

    def cell(self, column: str) -> Any:
        return self.cells[labels.DECISION_COLUMNS.index(column)]


class DecisionWorkbook:
    def __init__(self, path: Path, workbook: Any, header: list[str], block: int):
        self.path = path
        self._workbook = workbook
        self._width = len(header)
        self._block = block
        decision = range(block, block + len(labels.DECISION_COLUMNS))
        self._kept = [i for i in range(len(header) - 1) if i not in decision]
        self.headers = [header[i] for i in self._kept]  # 行号 and the input columns, as 结果 has them
        self._numbered = bool(header) and header[0] == labels.ROW_NUMBER and block > 0
        self.audit_items: list[tuple[str, str]] | None = None  # None: no 审计 sheet
        if labels.AUDIT_SHEET in workbook.sheetnames:
            rows = workbook[labels.AUDIT_SHEET].iter_rows(min_row=2, values_only=True)
            self.audit_items = [(unescape(r[0]), unescape(r[1]) if len(r) > 1 else None) for r in rows
                                if r and r[0] is not None]

    @property
    def audit(self) -> dict[str, Any]:
        return dict(self.audit_items or ())

    @property
    def sheet_names(self) -> list[str]:
        return list(self._workbook.sheetnames)

    def sheet_rows(self, name: str) -> Iterator[tuple[Any, ...]]:
        """Every row of sheet ``name`` from its first, gaps included, values as stored."""
        for values in self._workbook[name].iter_rows(values_only=True):
            yield tuple(unescape(v) for v in values)

    def decision_cell(self, stored: StoredRow, column: str) -> str:
        """Where a decision column of a 结果 row is, as Excel names the cell (F4)."""
        return cell_name(stored.sheet_row - 1, self._block + labels.DECISION_COLUMNS.index(column))

    def input_cell(self, stored: StoredRow, index: int) -> str:
        """Where ``stored.inputs[index]`` is on 结果."""
        return cell_name(stored.sheet_row - 1, self._kept[index])

    def key_at(self, schema: Schema) -> dict[str, int]:
        """Schema key -> index in ``StoredRow.inputs``, matched by header as the reader does."""
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
        width, block = self._width, self._block
        sheet = self._workbook[labels.RESULT_SHEET]
        for sheet_row, values in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            values = tuple(unescape(v) for v in values) + (None,) * (width - len(values))
            if all(v is None for v in values):
                continue  # openpyxl reports formatted but empty rows past the end
            inputs = tuple(values[i] for i in self._kept)
            number = inputs[0] if self._numbered and type(inputs[0]) is int else sheet_row
            yield StoredRow(number, inputs, values[block:block + len(labels.DECISION_COLUMNS)], values[-1],
                            sheet_row)

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
    """The columns beside the decision of an opened decision workbook (a 结果 sheet with the
    decision columns together and the 核验码 last); None for any other workbook."""
    if labels.RESULT_SHEET not in {ws.title for ws in workbook.worksheets}:
        return None
    names, block = _header(workbook)
    return None if block is None else names


def open_decisions(path: str | Path, password: Password | None = None) -> DecisionWorkbook:
    path = Path(path)
    workbook = _load(path, password)
    if labels.RESULT_SHEET not in workbook.sheetnames:
        workbook.close()
        raise SscardError(f"{path}: 没有「{labels.RESULT_SHEET}」工作表,不是 sscard 写出的决定工作簿")
    header, block = _header(workbook)
    if block is None:
        workbook.close()
        raise SscardError(f"{path}: 「{labels.RESULT_SHEET}」表应有相连的决定列 {'、'.join(labels.DECISION_COLUMNS)},"
                          f"且最后一列为{labels.DIGEST};决定列被删除、移动或改名")
    return DecisionWorkbook(path, workbook, header, block)


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
    except Exception:
        raise UnreadableWorkbook(f"{path}: 无法读取工作簿,文件可能已损坏;请重新运行 sscard check 生成决定工作簿") from None


def _header(workbook) -> tuple[list[str], int | None]:
    sheet = workbook[labels.RESULT_SHEET]
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    names = ["" if h is None else str(h) for h in header]
    while names and not names[-1]:
        names.pop()
    return names, decision_block(names)
