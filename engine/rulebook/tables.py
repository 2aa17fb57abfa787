"""A sheet of the rulebook read as a table (row 1 the headings, each later row a record),
and each cell read as what it must hold: text, a list, a date, a number, 是 / 否.

A cell that cannot mean what its column asks for is one problem, naming the workbook,
sheet and cell, what was found and what to write (``规则库.xlsx「参数」C7:「二十」不是金额;
请填数字,如 20``); reading goes on, so every mistake of a workbook is listed at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from openpyxl.utils import get_column_letter

from engine.core.schema import Date, Invalid, clean_text, header_key, shown
from engine.core.written import Where
from engine.errors import RulebookError
from engine.rulebook import layout
from engine.rulebook.workbook import Cells, Sheet

_DATE = Date()


class Problems:
    """Every mistake found while reading a workbook, one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)

    def raise_any(self, name: str) -> None:
        """Stop with the first problem (and how many more there are), when there is one."""
        if self.lines:
            more = (f"(另有 {len(self.lines) - 1} 处问题;sscard rules lint {name} 列出全部)"
                    if len(self.lines) > 1 else "")
            raise RulebookError(self.lines[0] + more, problems=list(self.lines))


@dataclass
class Table:
    book: str
    sheet: Sheet
    at: dict[str, int]  # heading (header_key) -> 1-based column
    headings: dict[int, str] = field(default_factory=dict)  # column -> heading as written

    def records(self) -> Iterator[Record]:
        for number, cells in enumerate(self.sheet.rows[1:], start=2):
            if any(value is not None and not (isinstance(value, str) and not value.strip()) for value in cells):
                yield Record(self, number)

    def place(self, column: int | None = None, row: int = 1) -> str:
        letter = f"{get_column_letter(column)}{row}" if column else ""
        return f"{self.book}「{self.sheet.name}」{letter}"


def table(cells: Cells, name: str, known: tuple[str, ...], problems: Problems, *, required: tuple[str, ...] = (),
          others: tuple[str, ...] = (), what_others: str = "") -> Table | None:
    """The sheet ``name`` as a table whose headings are ``known`` (``required`` must be
    there) or among ``others`` (a rule table's conditions: the input columns)."""
    sheet = cells.sheet(name)
    if sheet is None:
        return None
    result = Table(cells.name, sheet, {})
    wanted = {header_key(h): h for h in (*known, *others)}
    header = sheet.rows[0] if sheet.rows else []
    for column, value in enumerate(header, start=1):
        if value is None or not str(value).strip():
            if any(sheet.value(row, column) is not None for row in range(2, len(sheet.rows) + 1)):
                problems.add(f"{result.place(column)}:这一列有内容但没有表头;请填写表头,或删除这一列的内容")
            continue
        key = header_key(value)
        if key not in wanted:
            close = difflib.get_close_matches(key, list(wanted), n=1, cutoff=0.5)
            hint = f"是否指「{wanted[close[0]]}」?" if close else ""
            choices = "、".join(known) + (f",以及{what_others}" if what_others else "")
            problems.add(f"{result.place(column)}:表头「{value}」不是「{name}」表的列;{hint}可用的表头:{choices}")
            continue
        if key in result.at:
            problems.add(f"{result.place(column)}:表头「{value}」与 {get_column_letter(result.at[key])}1 重复;"
                         "请删除或改名其中一列")
            continue
        result.at[key] = column
        result.headings[column] = wanted[key]
    for heading in required:
        if header_key(heading) not in result.at:
            problems.add(f"{cells.name}「{name}」第 1 行:缺少「{heading}」列;请在第 1 行加上这一列")
    return result


@dataclass
class Record:
    table: Table
    row: int

    def raw(self, heading: str) -> Any:
        column = self.table.at.get(header_key(heading))
        value = self.table.sheet.value(self.row, column) if column else None
        return None if isinstance(value, str) and not value.strip() else value

    def cell(self, heading: str) -> str:
        """Where the ``heading`` cell of this record is: ``规则库.xlsx「补卡」H7``."""
        return self.table.place(self.table.at.get(header_key(heading)), self.row)

    def where(self, fields: dict[str, str]) -> Where:
        """This record as a declaration's place: each field (``fee``) at its heading's cell."""
        letters = tuple((name, get_column_letter(self.table.at[header_key(heading)]))
                        for name, heading in fields.items() if header_key(heading) in self.table.at)
        return Where(self.table.book, self.table.sheet.name, self.row, letters)

    def text(self, heading: str, problems: Problems, *, required: str = "") -> str:
        """The cell as text, spaces around it removed; ``required``: what to write when blank."""
        value = self.raw(heading)
        if value is None:
            if required:
                problems.add(f"{self.cell(heading)}:「{heading}」为空;请填写{required}")
            return ""
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date().isoformat()
        return shown(value).strip()

    def name(self, heading: str, problems: Problems, *, required: str = "") -> str:
        """A name other cells refer to (a service, a 结论, a parameter): full-width forms and
        stray spaces do not make it another name."""
        return clean_text(self.text(heading, problems, required=required))

    def words(self, heading: str, problems: Problems) -> list[str]:
        """A list in one cell: 丢失、被盗."""
        return split_list(self.text(heading, problems))

    def date(self, heading: str, problems: Problems) -> dt.date | None:
        value = self.raw(heading)
        if value is None:
            return None
        try:
            return _DATE.parse(value)
        except Invalid:
            problems.add(f"{self.cell(heading)}:「{shown(value)}」不是日期;请填日期,如 2027-01-01")
            return None

    def yes(self, heading: str, problems: Problems) -> bool:
        """是 / 否, blank meaning 否 (Excel's TRUE / FALSE are read the same)."""
        value = self.raw(heading)
        if value is None or value is False:
            return False
        if value is True:
            return True
        text = clean_text(shown(value))
        if text in (layout.YES, "TRUE"):
            return True
        if text not in (layout.NO, "FALSE"):
            problems.add(f"{self.cell(heading)}:「{text}」不是 是 或 否;请填 是 或 否(空白按 否)")
        return False

    def number(self, heading: str, problems: Problems, *, whole: bool = False) -> int | float | None:
        value = self.raw(heading)
        if value is None:
            return None
        number = to_number(value)
        if number is None or (whole and not float(number).is_integer()):
            problems.add(f"{self.cell(heading)}:「{shown(value)}」不是{'整数' if whole else '数字'};请填数字,如 3")
            return None
        return int(number) if float(number).is_integer() else number


def to_number(value: Any) -> int | float | None:
    """A number cell, or digits typed as text; None for anything else (a date, words)."""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time)):
        return None
    if isinstance(value, (int, float)):
        return value
    text = clean_text(str(value))
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{layout.LIST_SEPARATORS}]", text) if part.strip()]


def suggestion(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f"是否指「{close[0]}」?" if close else ""
