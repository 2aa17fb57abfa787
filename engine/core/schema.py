"""The input schema as data: columns, the kind of value each holds, when it is required.

The kinds of input are the engine's own (文本, 是否, 选项, 日期, 整数, 公民身份号码): a
rulebook names them, it never programs them.  Every cell is turned into a plain value here, before durable-rules sees it, because
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

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from engine.core.conditions import Condition
from engine.core.phrasings import Wordings
from engine.core.written import Written


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


class _Absent:
    """The cell of a column the batch does not have at all (not a blank cell): a row
    that needs the column is 输入有误 naming it; the other rows do not miss it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"  # one object, also in worker processes


ABSENT = _Absent()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DIGITS = frozenset("0123456789０１２３４５６７８９")
_NAMED = {"\u200b": "零宽空格", "\u200c": "零宽非连接符", "\u200d": "零宽连接符", "\u2060": "零宽不换行符",
          "\ufeff": "字节顺序标记 BOM", "\u200e": "从左到右标记", "\u200f": "从右到左标记", "\u00ad": "软连字符"}


def hidden_character(text: str) -> tuple[int, str, str] | None:
    """(position, character, what it is) of the first character that must not be in a
    value: a control character, a Unicode format character (category Cf: zero-width
    space, byte-order mark, direction marks ...), or a digit of another script.

    A format character shows nothing in Excel, yet 'SQ-006' and 'SQ-006\u200b' are two
    ids to a program, one slipping past the duplicate check; '٣' or '३' would be read
    as 3.  Only ASCII and full-width digits are digits here."""
    found = _CONTROL.search(text)
    if found:
        return found.start(), found.group(), f"不可见的控制字符 U+{ord(found.group()):04X}"
    if text.isascii():
        return None
    for position, character in enumerate(text):
        if character < "\x80":
            continue
        if unicodedata.category(character) == "Cf":
            name = _NAMED.get(character, "不可见的格式字符")
            return position, character, f"{name} U+{ord(character):04X}"
        if character.isdigit() and character not in _DIGITS:
            return position, character, f"非阿拉伯数字「{character}」(U+{ord(character):04X})"
    return None


def reject_hidden_characters(text: str) -> None:
    found = hidden_character(text)
    if found:
        position, _, what = found
        raise Invalid(f"含{what}(第 {position + 1} 个字符);只接受可见字符和 0-9 数字,请删除或改正该字符后重新录入")


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
    """How one column's cells are read. ``parse`` gets a non-blank cell.

    A rule compares a column only with what the column can hold (``literal``, ``ordered``,
    ``parameter_kinds``), checked when the rulebook loads: durable-rules coerces ("3" == 3
    holds there, never in Python), so a value of the wrong type in a rule's cell would
    make the two evaluators disagree.
    """

    word = ""  # the kind as a rulebook names it (文本, 选项 ...)
    blank: Any = ""  # the value a blank, not-required cell takes
    choices: tuple[str, ...] = ()  # offered as a drop-down in the template
    ordered = False  # whether < <= > >= mean something for this column
    parameter_kinds: tuple[str, ...] = ()  # kinds of parameter it may be compared with

    def literal(self, value: Any) -> Any:
        """A value as a rule's cell writes it (text, or a number or date cell), as the rules
        compare it; Invalid saying what to write instead when the column can never hold it."""
        return clean_text(shown(value))

    def date_problem(self, value: Any, day: dt.date) -> str | None:
        """Why the row's value contradicts the row's own date (申请日期); None: it does not."""
        return None

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
                    reject_hidden_characters(value)
                return _parse(self, value)
            guarded.__doc__, guarded.__name__ = parse.__doc__, parse.__name__
            cls.parse = guarded

    def describe(self) -> str:
        raise NotImplementedError


class Text(Kind):
    """Open text.  ``offered`` values are proposed (a drop-down that still takes any
    text); whether a value is acceptable is for the rules to say, not the reader."""

    word = "文本"

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

    def literal(self, value: Any) -> str:
        if isinstance(value, (dt.date, dt.time)):
            raise Invalid(f"是文字列,不能与日期 {shown(value)} 比较;请填文字")
        return clean_text(shown(value))


# How close a typed value must be to an accepted spelling to be suggested (difflib's
# ratio): 「补办」 and 「补卡」 share one character of two (0.5); 「冻结」 and 「挂失」 none.
SUGGESTION_CUTOFF = 0.5


class Choice(Kind):
    """A closed list. ``aliases`` maps another accepted spelling to the canonical value."""

    word = "选项"

    def __init__(self, *values: str, aliases: Mapping[str, str] | None = None,
                 true: str | None = None, false: str | None = None, hints: Mapping[str, str] | None = None):
        self.values = tuple(values)
        self.aliases = dict(aliases or {})
        # Spellings that mean a value to a person but are never read as it: a mark such as
        # √ is suggested, and the clerk confirms it by typing the value.
        self.hints = dict(hints or {})
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
        if text in self.hints:
            return f"是否指「{self.label(self.hints[text])}」?"
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

    def literal(self, value: Any) -> str:
        text = clean_text(shown(value))
        if text in self.values:
            return text
        if text in self.aliases:
            return self.aliases[text]
        raise Invalid(f"没有取值「{text}」;{self.suggest(text)}可写:{'/'.join(self.choices)}")


# How a 是 / 否 is often marked instead, on paper forms and in Excel.
YES_NO_HINTS = {**dict.fromkeys(("有", "对", "√", "✓", "✔"), "是"), **dict.fromkeys(("无", "没有", "×", "✗", "✘"), "否")}


def YesNo() -> Choice:
    kind = Choice("是", "否", true="是", false="否", hints=YES_NO_HINTS)
    kind.blank, kind.word = "否", "是否"
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
    word = "日期"
    _TIME = re.compile(r"\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")  # a time after the date is ignored
    _YEAR_LAST = re.compile(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1([0-9]{2}|[0-9]{4})")
    _FORMS = "2026-03-02、2026-3-2、2026/3/2、2026.3.2、2026年3月2日 或 20260302"
    ordered = True
    parameter_kinds = ("date",)

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

    def literal(self, value: Any) -> dt.date:
        try:
            return self.parse(value)
        except Invalid:
            raise Invalid(f"是日期列,「{shown(value)}」不是日期;请填日期,如 2027-01-01") from None


class WholeNumber(Kind):
    word = "整数"
    blank = None  # a blank count is absent from the row, so no comparison can match it
    ordered = True
    parameter_kinds = ("count", "amount")

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

    def literal(self, value: Any) -> int:
        try:
            return self.parse(value)
        except Invalid:
            raise Invalid(f"是整数列,「{shown(value)}」不是整数;请填整数,如 3") from None


class TextCode(Kind):
    """An identifier that must arrive as text: Excel rounds long numbers to 15 digits."""

    word = "编号"

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

    def literal(self, value: Any) -> str:
        return clean_text(shown(value))


def resident_id(text: str) -> str:
    """公民身份号码 (GB 11643): 18 characters, a real birth date, a valid check digit.

    The birth-place code is not checked: python-stdnum's table of area codes by year
    would reject real people born in renamed counties.
    """
    number = text.upper()  # a lowercase x check digit is read as X
    if len(number) != 18:
        raise Invalid(f"「{text}」有 {len(number)} 位,应为 18 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise Invalid(f"「{text}」格式有误:前 17 位须为数字,末位为数字或 X")
    try:
        ric.get_birth_date(number)
    except ValidationError:
        raise Invalid(f"「{text}」中的出生日期 {number[6:14]} 不是真实日期") from None
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise Invalid(f"「{text}」校验位错误,按前 17 位应为 {expected}")
    return number


class ResidentId(TextCode):
    """公民身份号码: a kind of input, not card policy.  Text only (a number cell has lost
    digits), a valid check digit and a real birth date, born no later than the row's date."""

    word = "公民身份号码"

    def __init__(self):
        super().__init__(resident_id, "18 位文字,校验位须正确")

    def date_problem(self, value: Any, day: dt.date) -> str | None:
        if not value:
            return None
        born = ric.get_birth_date(value)
        return f"出生日期 {born.isoformat()} 晚于申请日期 {day.isoformat()}" if born > day else None


@dataclass(frozen=True)
class Column(Written):
    """An input column; one introduced on a date says so (``since``): rows dated before it
    never need it, and a batch made before it may lack it."""

    header: str
    kind: Kind
    required: bool = False
    # Required only for some rows: e.g. 连续密码错误次数 for a 社保账户 unlock.
    required_when: Condition | None = None
    # The values of the dispatch column (the services) that use this column;
    # None: every row uses it.  A column a row's service does not use is ignored.
    used_by: frozenset[str] | None = None
    clause: str = ""
    help: str = ""

    @property
    def key(self) -> str:
        """The name the rules and the row's fact know the column by: its header."""
        return self.header

    def in_use(self, service: Any, day: dt.date | None) -> bool:
        """Whether a row of ``service`` dated ``day`` reads this column at all."""
        if self.used_by is not None and service not in self.used_by:
            return False
        if self.period.dated:
            return day is not None and self.period.contains(day)
        return True


@dataclass
class Schema:
    columns: tuple[Column, ...]
    dispatch: str  # the key whose value chooses the ruleset (the service)
    request_id: str  # the key that must be unique within a batch
    effective_date: str  # the key whose date chooses the parameter values in force
    sheet: str  # the sheet the batch is expected on
    # The keys a clerk recognises a request by, shown beside the decision on 结果 and on
    # notices (default: the request id and the dispatch column).
    identity: tuple[str, ...] = ()
    # The keys printed on an applicant's paper, in order (default: identity and the date);
    # a TextCode among them (a personal ID number) is shown masked.
    papers: tuple[str, ...] = ()
    # How open-text columns (原因) are read per service: listed values and their phrasings.
    wordings: Wordings = field(default_factory=Wordings)
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
