"""Dated parameters: each value holds from its date (生效日期) until the next one.

History is appended, never overwritten, so a batch from last year is decided with
last year's fee.  A date before a parameter's first value has no value in force.

Each parameter declares its kind (an amount in 元, a count, a date) and may narrow its
range (下限, 上限); a value outside it is refused when the rulebook is read, naming the
cell, so a fee of -20 元 or a threshold of 3.5 never decides a row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.core.written import NOWHERE, Where


def shown(value: Any) -> str:
    """A parameter value as a person writes it in a cell: 20, 20.5, 2027-01-01, 「文字」."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return f"「{value}」"
    return "(空)" if value is None else str(value)


@dataclass(frozen=True)
class ParameterKind:
    """What a parameter is, and the values it may take."""

    name: str  # how the engine knows it (what a column kind may be compared with)
    words: str  # as a policy officer writes and reads it
    default_min: Any = None
    note: str = ""
    example: str = ""

    def problem(self, value: Any, low: Any, high: Any) -> str | None:
        """Why ``value`` is not one of this kind's values within [low, high], said after
        the value (「二十」不是金额;请填数字,如 20); None: fine."""
        if self.name == "date":
            if not isinstance(value, dt.date):
                return f"不是日期;请填日期,如 {self.example}"
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"不是{self.words};请填数字,如 {self.example}"
        elif self.name == "count" and not float(value).is_integer():
            return f"不是整数;{self.words}须为整数,如 {self.example}"
        elif self.name == "amount" and Decimal(str(value)).as_tuple().exponent < -2:
            return "最多两位小数(分)"
        if low is not None and value < low:
            return f"须 ≥ {shown(low)}"
        if high is not None and value > high:
            return f"须 ≤ {shown(high)}"
        return None

    def describe(self, low: Any, high: Any) -> str:
        """``金额,≥ 0,最多两位小数``."""
        parts = [self.words, f"≥ {shown(low)}" if low is not None else "", f"≤ {shown(high)}" if high is not None else "",
                 self.note]
        return ",".join(part for part in parts if part)


KINDS = {kind.words: kind for kind in (
    ParameterKind("amount", "金额", 0, "最多两位小数", "20"),
    ParameterKind("count", "次数", 1, "整数", "3"),
    ParameterKind("date", "日期", example="2027-01-01"),
)}


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    interpretation: bool
    values: tuple[tuple[dt.date, Any], ...]  # (from, value), ascending
    kind: str = "amount"  # ParameterKind.name
    minimum: Any = None
    maximum: Any = None
    at: Where = field(default=NOWHERE, compare=False, repr=False)  # its first row

    def on(self, day: dt.date) -> Any | None:
        starts = [start for start, _ in self.values]
        index = bisect.bisect_right(starts, day) - 1
        return self.values[index][1] if index >= 0 else None

    def describe(self) -> str:
        """``金额,≥ 0,最多两位小数``: the kind and range, in words."""
        return kind_named(self.kind).describe(self.minimum, self.maximum)


def kind_named(name: str) -> ParameterKind:
    return next(kind for kind in KINDS.values() if kind.name == name)


class Parameters:
    def __init__(self, parameters: dict[str, Parameter]):
        self._by_name = parameters

    def names(self) -> list[str]:
        return list(self._by_name)

    def __getitem__(self, name: str) -> Parameter:
        return self._by_name[name]

    def __iter__(self):
        return iter(self._by_name.values())

    def on(self, day: dt.date) -> dict[str, Any]:
        """Every parameter's value in force on ``day``; absent when none is."""
        values = {}
        for parameter in self._by_name.values():
            value = parameter.on(day)
            if value is not None:
                values[parameter.name] = value
        return values
