"""The input schema as data: columns, the kind of value each holds, when it is required.

Every cell is turned into a plain value here, before durable-rules sees it, because
durable-rules coerces silently ("6" > 5 is true, == True matches "true").  A value
that cannot be read is reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Mapping

from engine.core.conditions import Condition


class Invalid(Exception):
    """A cell value that cannot be accepted; the message says why, in Chinese."""


class CellProblem:
    """A cell the reader found but cannot hand on as a value: an Excel error value, a
    formula saved without its result, the covered part of a merged range.

    Never blank (so the row is not skipped) and never parsed: every kind turns it into
    ``Invalid`` with the reader's message.  ``shown`` is what the clerk sees in the cell.
    """

    __slots__ = ("shown", "message")

    def __init__(self, shown: str, message: str):
        self.shown, self.message = shown, message

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"CellProblem({self.shown!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CellProblem) and (self.shown, self.message) == (other.shown, other.message)

    def __hash__(self) -> int:
        return hash((self.shown, self.message))

    def __reduce__(self):
        return CellProblem, (self.shown, self.message)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reject_control_characters(text: str) -> None:
    """A control character is invisible in Excel and never part of a name, code or choice."""
    found = _CONTROL.search(text)
    if found:
        raise Invalid(f"含不可见的控制字符 U+{ord(found.group()):04X}(第 {found.start() + 1} 个字符);"
                      "请删除该字符后重试")


def clean_text(value: str) -> str:
    """Full-width letters, digits and spaces to their plain forms; stray spaces off."""
    return unicodedata.normalize("NFKC", value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) == "")


def shown(value: Any) -> str:
    """A cell value as the clerk typed it and Excel displays it: text untouched, TRUE /
    FALSE, a date without a midnight time, and a number in plain digits, never in
    scientific notation (an 18-digit ID typed as a number shows the 15 digits Excel kept)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        # repr gives the shortest digits that read back as this double: Excel's own digits.
        digits = Decimal(repr(value))
        return str(int(digits)) if value.is_integer() else format(digits.normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class Kind:
    """How one column's cells are read. ``parse`` gets a non-blank cell."""

    blank: Any = ""  # the value a blank, not-required cell takes
    choices: tuple[str, ...] = ()  # offered as a drop-down in the template

    def parse(self, value: Any) -> Any:
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every kind, including ones a rulebook adds, refuses a cell the reader flagged,
        # so no kind can mistake one for a value.
        super().__init_subclass__(**kwargs)
        parse = cls.__dict__.get("parse")
        if parse is not None:
            def guarded(self, value: Any, _parse=parse) -> Any:
                if isinstance(value, CellProblem):
                    raise Invalid(value.message)
                if isinstance(value, str):
                    reject_control_characters(value)
                return _parse(self, value)
            guarded.__doc__, guarded.__name__ = parse.__doc__, parse.__name__
            cls.parse = guarded

    def describe(self) -> str:
        raise NotImplementedError


class Text(Kind):
    """Open text.  ``offered`` values are proposed (a drop-down that still takes any
    text); whether a value is acceptable is for the rules to say, not the reader."""

    def __init__(self, *offered: str):
        self.choices = tuple(offered)

    def parse(self, value: Any) -> str:
        if isinstance(value, bool):
            raise Invalid(f"是逻辑值 {shown(value)},应为文字")
        if isinstance(value, (dt.date, dt.time)):
            raise Invalid(f"是日期 {shown(value)},应为文字")
        return clean_text(shown(value))

    def describe(self) -> str:
        return "文字" + (",常用:" + "/".join(self.choices) if self.choices else "")


# How close a typed value must be to an accepted spelling to be suggested (difflib's
# ratio): 「补办」 and 「补卡」 share one character of two (0.5); 「冻结」 and 「挂失」 none.
SUGGESTION_CUTOFF = 0.5


class Choice(Kind):
    """A closed list. ``aliases`` maps another accepted spelling to the canonical value."""

    def __init__(self, *values: str, aliases: Mapping[str, str] | None = None,
                 true: str | None = None, false: str | None = None):
        self.values = tuple(values)
        self.aliases = dict(aliases or {})
        # One spelling per value is offered (drop-downs, messages); the others are still read.
        # Other spellings (service codes) are read but never offered or named in a message.
        self.choices = tuple(dict.fromkeys(self.label(v) for v in self.values))
        # Excel's own TRUE / FALSE (a logical cell, or the same word typed) stand for these.
        self.true, self.false = true, false

    def parse(self, value: Any) -> str:
        if isinstance(value, bool):
            if self.true is not None:
                return self.true if value else self.false
            raise Invalid(f"「{shown(value)}」不是可选值;{self.describe()}")
        text = clean_text(shown(value))
        if self.true is not None and text in ("TRUE", "FALSE"):
            return self.true if text == "TRUE" else self.false
        if text in self.aliases:
            return self.aliases[text]
        if text in self.values:
            return text
        raise Invalid(f"「{shown(value)}」不是可选值;{self.suggest(text)}{self.describe()}")

    def suggest(self, text: str) -> str:
        """「补办」→ 是否指「补卡」?  The closest spellings, named by their offered label;
        never applied: the clerk decides."""
        spellings = {**{v: v for v in self.values}, **self.aliases}
        if self.true is not None:
            spellings.update({"TRUE": self.true, "FALSE": self.false})
        wanted = text.casefold()
        scores: dict[str, float] = {}
        for spelling, canonical in spellings.items():
            score = difflib.SequenceMatcher(None, wanted, spelling.casefold()).ratio()
            label = self.label(canonical)
            scores[label] = max(score, scores.get(label, 0.0))
        best = max(scores.values(), default=0.0)
        if best < SUGGESTION_CUTOFF:
            return ""
        close = [label for label, score in scores.items() if score == best][:3]
        return "是否指" + "或".join(f"「{label}」" for label in close) + "?"

    def label(self, canonical: str) -> str:
        """The spelling a person reads for a canonical value (first alias naming it)."""
        return next((a for a, v in self.aliases.items() if v == canonical), canonical)

    def describe(self) -> str:
        return "可选:" + "/".join(self.choices)


def YesNo() -> Choice:
    kind = Choice("是", "否", true="是", false="否")
    kind.blank = "否"
    return kind


class Date(Kind):
    """A date cell (its time ignored), or text in a year-first form a Chinese office writes.

    A day- or month-first text and a number are refused, saying why: which day
    ``3/2/2026`` or the number 46083 means is a guess sscard never makes."""

    _YEAR_FIRST = (
        re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),  # 2026-03-02, 2026-3-2, 2026/3/2, 2026.3.2
        re.compile(r"([0-9]{4})(年)([0-9]{1,2})月([0-9]{1,2})日"),  # 2026年3月2日
        re.compile(r"([0-9]{4})()([0-9]{2})([0-9]{2})"),  # 20260302
    )
    _TIME = re.compile(r"\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")  # a time after the date is ignored
    _YEAR_LAST = re.compile(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1([0-9]{2}|[0-9]{4})")
    _FORMS = "2026-03-02、2026-3-2、2026/3/2、2026.3.2、2026年3月2日 或 20260302"

    def parse(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, bool):
            raise Invalid(f"是逻辑值 {shown(value)},不是日期")
        if isinstance(value, (int, float)):
            raise Invalid(f"是数字 {shown(value)}(常规格式),不是日期{self._would_be(value)};"
                          "请把单元格设为日期格式,或写成 2026-03-02 这样年份在前的文字")
        text = clean_text(str(value))
        date_part = self._TIME.sub("", text)
        for form in self._YEAR_FIRST:
            found = form.fullmatch(date_part)
            if found:
                year, month, day = int(found[1]), int(found[3]), int(found[4])
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    raise Invalid(f"「{value}」不是真实存在的日期({year} 年 {month} 月没有 {day} 日);"
                                  "请核对后重新填写") from None
        if self._YEAR_LAST.fullmatch(date_part):
            raise Invalid(f"「{value}」年份不在前,无法确定是几月几日(日、月的先后有两种读法);"
                          f"请写成年份在前的形式,如 {self._FORMS}")
        raise Invalid(f"「{value}」不是日期;请写成年份在前的形式,如 {self._FORMS},或设为日期格式")

    @staticmethod
    def _would_be(number: int | float) -> str:
        """The dates a number could stand for, named so the clerk can fix the cell."""
        readings = []
        if 1 <= number < 2958466:
            serial = dt.date(1899, 12, 30) + dt.timedelta(days=int(number))
            readings.append(f"作为 Excel 日期序号即 {serial.isoformat()}")
        if float(number).is_integer() and 10000101 <= number <= 99991231:
            text = str(int(number))
            try:
                readings.append(f"若指 {dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()}")
            except ValueError:
                pass
        return "(" + ";".join(readings) + ")" if readings else ""

    def describe(self) -> str:
        return "日期(Excel 日期,或年份在前的文字,如 2026-03-02、2026/3/2、2026年3月2日)"


class WholeNumber(Kind):
    blank = None  # a blank count is absent from the row, so no comparison can match it

    def __init__(self, minimum: int = 0):
        self.minimum = minimum

    def parse(self, value: Any) -> int:
        if isinstance(value, bool):
            raise Invalid(f"是逻辑值 {shown(value)},应为整数")
        number: Any = value
        if isinstance(value, str):
            text = clean_text(value)
            if not re.fullmatch(r"[+-]?\d+", text):
                raise Invalid(f"「{value}」不是整数")
            number = int(text)
        if isinstance(number, float):
            if not number.is_integer():
                raise Invalid(f"{shown(value)} 不是整数")
            number = int(number)
        if not isinstance(number, int):
            raise Invalid(f"「{value}」不是整数")
        if number < self.minimum:
            raise Invalid(f"{number} 小于 {self.minimum}")
        return number

    def describe(self) -> str:
        return f"整数,≥ {self.minimum}"


class TextCode(Kind):
    """An identifier that must arrive as text: Excel rounds long numbers to 15 digits."""

    def __init__(self, check: Callable[[str], str], describe: str):
        self.check = check
        self._describe = describe

    def parse(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str):
            raise Invalid(
                f"是数字单元格 {shown(value)}:Excel 只保留 15 位有效数字,末位可能已丢失"
                "(即使能通过校验也可能是他人号码);请把该列设为文本后重新录入")
        return self.check(clean_text(value))

    def describe(self) -> str:
        return self._describe


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: Kind
    required: bool = False
    # Required only for some rows: e.g. 连续密码错误次数 for a 社保账户 unlock.
    required_when: Condition | None = None
    # The values of the dispatch column (the services) that use this column;
    # None: every row uses it.  A column a row's service does not use is ignored.
    used_by: frozenset[str] | None = None
    clause: str = ""
    help: str = ""


RowCheck = Callable[[Mapping[str, Any]], list[tuple[str, str]]]  # fact -> [(key, message)]


@dataclass
class Schema:
    columns: tuple[Column, ...]
    dispatch: str  # the key whose value chooses the ruleset (the service)
    request_id: str  # the key that must be unique within a batch
    effective_date: str  # the key whose date chooses the parameter values in force
    sheet: str  # the sheet the batch is expected on
    row_checks: tuple[RowCheck, ...] = ()
    clause: str = ""  # cited for input errors that name no clause of their own
    # The keys a clerk recognises a request by, shown beside the decision on 结果 and on
    # notices (default: the request id and the dispatch column).
    identity: tuple[str, ...] = ()
    # The keys printed on an applicant's paper, in order (default: identity and the date);
    # a TextCode among them (a personal ID number) is shown masked.
    papers: tuple[str, ...] = ()
    by_key: dict[str, Column] = field(init=False)
    by_header: dict[str, Column] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {c.key: c for c in self.columns}
        self.by_header = {header_key(c.header): c for c in self.columns}
        self.identity = self.identity or (self.request_id, self.dispatch)
        self.papers = self.papers or (*self.identity, self.effective_date)

    def label(self, key: str) -> str:
        column = self.by_key.get(key)
        return column.header if column else key


def header_key(text: Any) -> str:
    """Headers match ignoring full-width forms and every space (a typed 'ID ' still matches)."""
    return re.sub(r"\s+", "", clean_text(str(text))) if text is not None else ""
