"""An empty batch workbook a clerk can fill in without reading the rulebook."""

from __future__ import annotations

from pathlib import Path

from engine import labels
from engine.core.rulebook import COLUMN_COLUMNS, Rulebook, column_row
from engine.core.schema import Choice, Date, TextCode, WholeNumber
from engine.excel.writer import Styles, atomic_workbook, display_width, write_table

BLANK_ROWS = 1000  # rows prepared with drop-downs and formats


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
            if isinstance(kind, TextCode) or column.key == schema.request_id:
                fmt = styles.text  # typed digits stay text: Excel would round an 18-digit number
            elif isinstance(kind, Date):
                fmt = styles.date
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
                sheet.data_validation(*rows, {"validate": "date", "criteria": ">", "value": "1900-01-01",
                                              "error_message": kind.describe(), "ignore_blank": True})
        sheet.freeze_panes(1, 0)
        help_rows = [column_row(book, column) for column in schema.columns]
        guide = workbook.add_worksheet(labels.HELP_SHEET)
        write_table(guide, COLUMN_COLUMNS, help_rows, styles)
        guide.write_string(len(help_rows) + 2, 0,
                           "每行一项申请;第 1 行是表头,请勿修改。完全空白的行会被跳过。是/否 列空白按 否 处理。",
                           styles.wrap)
    return Path(path)
