"""An empty batch workbook a clerk can fill in without reading the rulebook."""

from __future__ import annotations

from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell as rowcol

from engine import labels
from engine.core.rulebook import COLUMN_COLUMNS, Rulebook, column_row
from engine.core.schema import Choice, Date, TextCode, WholeNumber
from engine.excel.writer import Styles, atomic_workbook, display_width, write_table

BLANK_ROWS = 1000  # rows prepared with drop-downs and formats


def year_first_formula(cell: str) -> str:
    """The check of a date column (relative to its first ``cell``): a date cell (pasted),
    or text starting with a four-digit year, full-width digits too (ASC), as
    2026-3-2, 2026/3/2, 2026.3.2, 2026年3月2日 and 20260302 do.  Which text is a real date
    is for sscard to say, naming the cell; the template only stops what cannot be one."""
    text = f"ASC(TRIM({cell}))"
    return (f"=IF(ISNUMBER({cell}),AND({cell}>=1,{cell}<2958466),"
            f"AND(LEN({text})>=8,ISNUMBER(--LEFT({text},4))))")


def write_template(path: str | Path, book: Rulebook, *, force: bool = False) -> Path:
    """Refuses to replace a file sscard did not make (a filled batch!) unless ``force``."""
    schema = book.schema
    with atomic_workbook(path, "批次模板", streaming=False, force=force) as workbook:
        styles = Styles(workbook, book.verdicts)
        sheet = workbook.add_worksheet(schema.sheet)
        for col, column in enumerate(schema.columns):
            sheet.write_string(0, col, column.header, styles.header)
            kind = column.kind
            fmt = None
            if isinstance(kind, (TextCode, Date)) or column.key == schema.request_id:
                # Typed digits stay text: Excel would round an 18-digit number, and would take
                # 20260302 for a number (or 2026.3.2 for text only in some locales); a date
                # is read as typed, in any of the year-first spellings sscard accepts.
                fmt = styles.text
            sheet.set_column(col, col, max(10, min(30, display_width(column.header) + 4)), fmt)
            note = "".join((column.help, f"({column.period.words()})" if column.period.dated else ""))
            if note:
                sheet.write_comment(0, col, note)
            rows = (1, col, BLANK_ROWS, col)
            if kind.choices:
                # A closed list refuses other values; an open one (原因) only proposes its values.
                sheet.data_validation(*rows, {"validate": "list", "source": list(kind.choices),
                                              "error_title": column.header,
                                              "error_message": kind.describe(),
                                              "error_type": "stop" if isinstance(kind, Choice) else "information"})
            elif isinstance(kind, WholeNumber):
                sheet.data_validation(*rows, {"validate": "integer", "criteria": ">=", "value": kind.minimum,
                                              "error_message": kind.describe()})
            elif isinstance(kind, Date):
                sheet.data_validation(*rows, {"validate": "custom", "value": year_first_formula(rowcol(1, col)),
                                              "error_title": column.header, "error_message": kind.describe()})
        sheet.freeze_panes(1, 0)
        help_rows = [column_row(book, column) for column in schema.columns]
        guide = workbook.add_worksheet(labels.HELP_SHEET)
        write_table(guide, COLUMN_COLUMNS, help_rows, styles)
        guide.write_string(len(help_rows) + 2, 0,
                           "每行一项申请;第 1 行是表头,请勿修改。完全空白的行会被跳过。是/否 列空白按 否 处理。",
                           styles.wrap)
    return Path(path)
