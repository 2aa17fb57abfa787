"""When a rule or a column is in force: a period on the row's effective date (申请日期).

A period is turned into conditions on the effective-date column, so the rule that
decides (durable-rules) and every reader of a rule (lint, explain, the catalogue) see
the same test; ``contains`` evaluates those very conditions.

``until`` is the last day in force, as a policy says it ("至 2026-12-31").
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from engine.core.conditions import All, AnyOf, Compare, Condition, NoneOf, OneOf, Param

_DAY = "day"  # the key a period's own conditions read when asked about one date


@dataclass(frozen=True)
class Period:
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def conditions(self, key: str) -> tuple[Condition, ...]:
        """The tests a row's date (under ``key``) must pass, in the rule language."""
        parts: list[Condition] = []
        if self.since is not None:
            parts.append(Compare(key, ">=", self.since))
        if self.until is not None:
            parts.append(Compare(key, "<=", self.until))
        return tuple(parts)

    def contains(self, day: dt.date) -> bool:
        return all(part.evaluate({_DAY: day}) for part in self._tests)

    @cached_property
    def _tests(self) -> tuple[Condition, ...]:  # asked for every cell of a dated column: built once
        return self.conditions(_DAY)

    def words(self) -> str:
        """``自 2027-01-01 起`` / ``至 2026-12-31 止`` / ``2026-01-01 至 2026-12-31``; empty when always."""
        if self.since is not None and self.until is not None:
            return f"{self.since.isoformat()} 至 {self.until.isoformat()}"
        if self.since is not None:
            return f"自 {self.since.isoformat()} 起"
        if self.until is not None:
            return f"至 {self.until.isoformat()} 止"
        return ""

    def why_not(self, day: dt.date) -> str:
        """Why ``day`` is outside the period: ``未生效:自 2027-01-01 起`` or ``已失效:至 2026-12-31 止``."""
        if self.since is not None and day < self.since:
            return f"未生效:自 {self.since.isoformat()} 起"
        if self.until is not None and day > self.until:
            return f"已失效:至 {self.until.isoformat()} 止"
        return ""

    def boundaries(self) -> set[dt.date]:
        """The first day of each stretch of time in which ``contains`` gives one answer."""
        out = set()
        if self.since is not None:
            out.add(self.since)
        if self.until is not None:
            out.add(self.until + dt.timedelta(days=1))
        return out


ALWAYS = Period()


def date_boundaries(conditions: Iterable[Condition], key: str,
                    parameter_values: dict[str, Iterable[Any]]) -> list[dt.date]:
    """Every day on which some comparison of ``key`` (a date) may change its answer.

    Between two consecutive boundaries every condition gives the same answer for every
    date, so one date stands for all (the decision cache, lint's enumeration).
    ``parameter_values``: every dated value of each parameter, for comparisons with one.
    """
    days: set[dt.date] = set()

    def add(value: Any) -> None:
        if isinstance(value, dt.date):
            days.update({value, value + dt.timedelta(days=1)})

    def walk(node: Condition) -> None:
        if isinstance(node, (All, AnyOf)):
            for part in node.parts:
                walk(part)
        elif isinstance(node, Compare) and node.key == key:
            if isinstance(node.operand, Param):
                for value in parameter_values.get(node.operand.name, ()):
                    add(value)
            else:
                add(node.operand)
        elif isinstance(node, (OneOf, NoneOf)) and node.key == key:
            for value in node.values:
                add(value)

    for condition in conditions:
        walk(condition)
    return sorted(days)


def stretch_start(boundaries: list[dt.date], day: dt.date) -> dt.date:
    """The boundary that opens the stretch ``day`` falls in (date.min before the first)."""
    index = bisect.bisect_right(boundaries, day) - 1
    return boundaries[index] if index >= 0 else dt.date.min
