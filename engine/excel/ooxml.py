"""Facts of the .xlsx format that both the reader and the writer must agree on."""

from __future__ import annotations

import re
from typing import Any

from openpyxl.utils.cell import get_column_letter

MAX_CELL_TEXT = 32767  # Excel's limit for one cell

_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(value: Any) -> Any:
    """A cell value as openpyxl returns it -> the text that was stored.

    OOXML writes a control character (a \\r, say) as ``_xHHHH_`` and protects a literal
    ``_xHHHH_`` as ``_x005F_xHHHH_``; openpyxl undoes neither."""
    if isinstance(value, str) and "_x" in value:
        return _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def cell_name(row: int, col: int) -> str:
    """(0, 0) -> A1: a cell as Excel names it, from xlsxwriter's 0-based row and column."""
    return f"{get_column_letter(col + 1)}{row + 1}"
