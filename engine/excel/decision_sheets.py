"""The sheets of a decision workbook a clerk reads and prints: 结果, 错误 and 汇总.

结果 streams (xlsxwriter constant_memory): each row is written once, in order, with its
formats, its height and the comments on the cells to fix; nothing about a row is kept
after it is written, except a bounded number of comments (xlsxwriter holds those until
the file is closed).
"""

from __future__ import annotations

from typing import Any, Sequence

from engine import labels
from engine.core.decide import Decision
from engine.core.rulebook import Rulebook
from engine.core.schema import Choice, Date, Kind, Schema, Text, TextCode, WholeNumber
from engine.excel.result_layout import ResultLayout
from engine.excel.writer import (
    FILL_NAMES,
    FIX_FILL,
    LINE_POINTS,
    Styles,
    display_width,
    forget_written_row,
    print_setup,
    value_kind,
    wrapped_lines,
    write_cell,
    write_header,
    write_table,
)

# Widths of the decision columns, in Excel's character units (a CJK character counts 2).
# 行号 to 依据 print on one A4 landscape page width with text of at least 8 pt: about 140
# units, which Excel (a unit is a digit of Calibri, 5.25 pt) prints at 100 % and
# LibreOffice without Calibri (a digit of DejaVu Sans, about 7.3 pt) at 78 %.  规则 (the
# rule IDs beside each line of 依据) is for the screen and is not printed.
DECISION_WIDTHS = {labels.VERDICT: 10, labels.FEE: 8, labels.MISSING: 12, labels.PLACE: 12, labels.NEXT: 20,
                   labels.BASIS: 28, labels.RULES: 30}
LAST_PRINTED = labels.BASIS
WRAPPED = frozenset({labels.MISSING, labels.PLACE, labels.NEXT, labels.BASIS, labels.RULES})
ROW_NUMBER_WIDTH = 6
REQUEST_ID_WIDTH = 16  # SQ20260302-0001 and the like
DIGEST_WIDTH = 22
MAX_COMMENTS = 10_000  # comments stay in memory until the file closes; the 错误 sheet lists every problem
# Once rows have heights of their own, xlsxwriter places a comment by adding up the height
# of every row above it: a comment on row N costs N steps (about 0.5 µs each).  Comments
# go on the cells to fix while their rows add up to this (a few seconds at most); a
# batch of a few thousand rows gets every one, and the 错误 sheet names every problem.
COMMENT_ROW_BUDGET = 10_000_000
COMMENT_LOOK = {"author": "sscard", "x_scale": 2.5, "y_scale": 1.4}


def kind_width(kind: Kind) -> int:
    """How wide a column of this kind must be for its values to show whole."""
    if isinstance(kind, TextCode):
        return 21  # an 18-digit 公民身份号码, or one typed as a number and shown in full
    if isinstance(kind, Date):
        return 12
    if isinstance(kind, WholeNumber):
        return 8
    if isinstance(kind, (Choice, Text)) and kind.choices:
        return min(18, max(display_width(c) for c in kind.choices) + 2)
    return 12


class ResultsSheet:
    """结果: one row per request, tinted by its 结论, the cells to fix marked on the cell."""

    def __init__(self, sheet, styles: Styles, layout: ResultLayout, schema: Schema, key_at: dict[str, int]):
        self.sheet, self.styles, self.layout, self.key_at = sheet, styles, layout, key_at
        self.rows = 0
        self._comments = 0
        self._comment_rows = 0  # the rows xlsxwriter adds up to place the comments so far
        columns = {index: schema.by_key[key] for key, index in key_at.items()}
        self._request_id = key_at.get(schema.request_id)
        def width(index: int) -> int:
            fitted = REQUEST_ID_WIDTH if index == self._request_id else \
                kind_width(columns[index].kind) if index in columns else 12
            return max(8, min(30, max(display_width(layout.input_headers[index]) + 2, fitted)))

        widths = [ROW_NUMBER_WIDTH, *map(width, layout.leading), *(DECISION_WIDTHS[c] for c in labels.DECISION_COLUMNS),
                  *map(width, layout.rest), DIGEST_WIDTH]
        self._widths = widths
        # Columns left of 结论 stay in view while scrolling right; so do the header and 结论 itself.
        write_header(sheet, layout.headers, styles, widths, frozen_columns=layout.decision_at + 1)
        sheet.write_comment(0, layout.decision_at, legend_text(styles), {**COMMENT_LOOK, "y_scale": 2.2})
        decision = range(layout.decision_at, layout.last_decision + 1)
        self._wrapped = {col for col in decision if labels.DECISION_COLUMNS[col - layout.decision_at] in WRAPPED}
        self._bold = layout.decision_at
        self._plain: dict[str | None, list[Any]] = {}  # fill -> each column's format for text and plain numbers

    def _look(self, col: int, fill: str | None, kind: str | None) -> Any:
        return self.styles.look(fill=fill, kind=kind, wrap=col in self._wrapped, bold=col == self._bold, border=True)

    def add(self, kept: Sequence[Any], cells: Sequence[Any], decision: Decision, code: str) -> None:
        self.rows += 1
        r = self.rows
        values = self.layout.row(kept, cells, code)
        marks = self._marks(decision)
        lines = max((wrapped_lines(values[col], self._widths[col]) for col in self._wrapped), default=1)
        fill = self.styles.fills.get(decision.verdict)
        # The row's own format tints its blank cells: a million rows of blanks are never written.
        self.sheet.set_row(r, lines * LINE_POINTS if lines > 1 else None, self.styles.look(fill=fill))
        plain = self._plain.get(fill)
        if plain is None:
            plain = self._plain[fill] = [self._look(col, fill, None) for col in range(len(values))]
        for col, value in enumerate(values):
            if col in marks:
                write_cell(self.sheet, r, col, value, self.styles, self._look(col, FIX_FILL, value_kind(value)))
            elif value is not None:
                kind = value_kind(value)
                write_cell(self.sheet, r, col, value, self.styles, plain[col] if kind is None else
                           self._look(col, fill, kind))
        forget_written_row(self.sheet, r - 1)
        for col, messages in marks.items():
            if self._comments < MAX_COMMENTS and self._comment_rows + r <= COMMENT_ROW_BUDGET:
                self._comments += 1
                self._comment_rows += r
                self.sheet.write_comment(r, col, "须改正:" + "\n".join(messages), COMMENT_LOOK)

    def _marks(self, decision: Decision) -> dict[int, list[str]]:
        """结果 column -> what is wrong with that cell, for every problem naming an input cell."""
        marks: dict[int, list[str]] = {}
        for problem in decision.problems:
            index = self.key_at.get(problem.key)
            if index is not None:
                marks.setdefault(self.layout.column_of_input(index), []).append(problem.message)
        return marks

    def finish(self) -> None:
        self.sheet.autofilter(0, 0, max(self.rows, 1), len(self.layout.headers) - 1)
        # On paper: who and what, and the decision, on one page width.
        printed = self.layout.decision_at + labels.DECISION_COLUMNS.index(LAST_PRINTED)
        print_setup(self.sheet, area=(max(self.rows, 1), printed))
        self.sheet.set_header("&L&A&R&F")


def legend_text(styles: Styles) -> str:
    return ("行的底色表示结论:" + ";".join(f"{verdict} {FILL_NAMES.get(fill, fill)}"
                                       for verdict, fill in styles.fills.items())
            + f"。{FILL_NAMES[FIX_FILL]}单元格须改正,批注写明问题(也列在「{labels.ERROR_SHEET}」表)。")


class ErrorsSheet:
    """错误: one line per problem, with the batch row number 结果 and explain use too."""

    WIDTHS = [8, 16, 20, 24, 80]

    def __init__(self, sheet, styles: Styles):
        self.sheet, self.styles = sheet, styles
        self.rows = 0
        write_header(sheet, labels.ERROR_COLUMNS, styles, self.WIDTHS)

    def add(self, number: int, request_id: str | None, decision: Decision) -> None:
        for line in error_lines(number, request_id, decision):
            self.rows += 1
            lines = wrapped_lines(line[-1], self.WIDTHS[-1])
            if lines > 1:
                self.sheet.set_row(self.rows, lines * LINE_POINTS)
            for col, value in enumerate(line):
                write_cell(self.sheet, self.rows, col, value, self.styles, wrap=col == 4, border=True)
            forget_written_row(self.sheet, self.rows - 1)

    def finish(self) -> None:
        if self.rows:
            self.sheet.autofilter(0, 0, self.rows, len(labels.ERROR_COLUMNS) - 1)
        print_setup(self.sheet)


AUDIT_WIDTHS = (24, 68)  # 项目; 内容 holds a SHA-256 (64 hex digits) on one line


def write_audit(sheet, styles: Styles, items: Sequence[tuple[str, str]]) -> None:
    """审计: one line per item; it prints on one A4 page, upright, for the auditor's file."""
    write_header(sheet, labels.AUDIT_COLUMNS, styles, AUDIT_WIDTHS)
    for row, (item, content) in enumerate(items, start=1):
        lines = wrapped_lines(content, AUDIT_WIDTHS[1])
        if lines > 1:
            sheet.set_row(row, lines * LINE_POINTS)
        write_cell(sheet, row, 0, item, styles, border=True)
        write_cell(sheet, row, 1, content, styles, wrap=True, border=True)
    print_setup(sheet, one_page=True, portrait=True)


def error_lines(number: int, request_id: str | None, decision: Decision) -> list[tuple[Any, ...]]:
    """A row's lines on 错误 (labels.ERROR_COLUMNS), one per problem; verify expects the same."""
    return [(number, request_id or "", p.column, p.value, f"{p.message}({p.clause})") for p in decision.problems]


def overview_headers(book: Rulebook) -> list[str]:
    return ["业务类型", *book.verdicts, "合计", labels.FEE_DUE, labels.FEE_PENDING]


def write_overview(workbook, sheet, styles: Styles, book: Rulebook, rows: list[list[Any]],
                   notes: Sequence[tuple[str, Any]]) -> None:
    """汇总: counts per 业务类型 × 结论 and the fees, the colour legend, then the chart;
    all of it prints on one landscape page."""
    headers = overview_headers(book)
    verdicts = list(book.verdicts)
    # The count headers carry the row colours of 结果: the table is its own legend.
    write_table(sheet, headers, rows, styles, header_fills=styles.fills)
    at = len(rows) + 2
    sheet.write_string(at, 0, "颜色说明", styles.header)
    sheet.write_string(at, 1, f"「{labels.RESULT_SHEET}」表中每行的底色表示其结论")
    for offset, verdict in enumerate(verdicts, start=1):
        sheet.write_string(at + offset, 0, verdict, styles.look(fill=styles.fills[verdict], bold=True, border=True))
        sheet.write_string(at + offset, 1, FILL_NAMES.get(styles.fills[verdict], ""))
    fix_at = at + len(verdicts) + 1
    sheet.write_string(fix_at, 0, "须改正", styles.look(fill=FIX_FILL, bold=True, border=True))
    sheet.write_string(fix_at, 1, f"{FILL_NAMES[FIX_FILL]}:单元格有误,批注写明问题(也列在「{labels.ERROR_SHEET}」表)")
    notes_at = fix_at + 2
    for offset, (label, value) in enumerate(notes):
        sheet.write_string(notes_at + offset, 0, label, styles.header)
        write_cell(sheet, notes_at + offset, 1, value, styles)
    services = len(rows) - 1
    if services > 0:
        chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
        for col, verdict in enumerate(verdicts, start=1):
            chart.add_series({
                "name": [sheet.name, 0, col],
                "categories": [sheet.name, 1, 0, services, 0],
                "values": [sheet.name, 1, col, services, col],
                "fill": {"color": styles.fills[verdict]},
                "border": {"color": "#595959"},
            })
        chart.set_title({"name": "各业务类型的结论"})
        chart.set_x_axis({"name": "申请数"})
        chart.set_y_axis({"interval_unit": 1, "reverse": True})  # every 业务类型 named, in the table's order
        chart.set_size({"width": 760, "height": 340})
        sheet.insert_chart(notes_at + len(notes) + 1, 0, chart)
    print_setup(sheet, one_page=True)
