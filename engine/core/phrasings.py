"""How an open-text column (原因) is read for a service: no applicant is refused for a
clerk's wording (RULEBOOK.md, revised 2026-12-04).

The values a service lists are those its rules name for the column.  A value typed is,
in this order:

1. a listed value: read as it is;
2. a listed phrasing of one (卡丢了 → 丢失, in force on the row's date, for its service):
   read as that value, and the row says what was typed and what it was read as;
3. close to a listed value or phrasing (it contains one or is contained in one, or
   differs by one character: 丢卡, 被盗了, 卡面污染): 输入有误 with the suggestion, so the
   clerk confirms it and no refusal is printed for the applicant;
4. anything else: kept as typed, for the service's own rule on other values (不予受理),
   and counted in the summary.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from engine.core.conditions import All, AnyOf, Compare, Condition, NoneOf, OneOf
from engine.core.written import Written

READ_AS = "INPUT-READ-AS"  # the check that read a phrasing, named like a rule where rules are listed


@dataclass(frozen=True)
class Phrasing(Written):
    """``written`` (as a clerk types it) is read as ``reads_as`` in ``column`` for the
    ``services`` (None: every service that lists it)."""

    column: str
    written: str
    reads_as: str
    services: frozenset[str] | None = None
    note: str = ""


@dataclass(frozen=True)
class Reading:
    """A phrasing read as a listed value: shown beside the decision (依据, 规则)."""

    column: str  # the header
    typed: str
    reads_as: str
    clause: str

    @property
    def basis(self) -> str:
        return f"{self.column}「{self.typed}」按写法读作「{self.reads_as}」({self.clause})"


@dataclass(frozen=True)
class Wording:
    """What reading one value gave: the value for the rules (None: the row is 输入有误),
    and what to say about it."""

    value: Any
    reading: Reading | None = None
    close: tuple[str, ...] = ()  # the listed values it may have meant
    unlisted: bool = False  # a value the service does not list, kept for its rule on other values


@dataclass
class Wordings:
    """Per open-text column: the values each service lists, and the phrasings of them."""

    listed: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # key -> service -> values
    phrasings: tuple[Phrasing, ...] = ()

    def read(self, key: str, header: str, clause: str, service: Any, day: dt.date | None, value: str) -> Wording:
        listed = self.listed.get(key, {}).get(service, ())
        if not listed or value in listed:
            return Wording(value)
        in_force = [p for p in self.phrasings if p.column == key and (p.services is None or service in p.services)
                    and (day is None or p.period.contains(day))]
        typed = compact(value)
        phrased = next((p for p in in_force if compact(p.written) == typed), None)
        if phrased is not None:
            return Wording(phrased.reads_as, Reading(header, value, phrased.reads_as, clause))
        meant = [v for v in listed if close(typed, compact(v))]
        meant += [p.reads_as for p in in_force if close(typed, compact(p.written))]
        if meant:
            return Wording(None, close=tuple(dict.fromkeys(meant)))
        return Wording(value, unlisted=True)


def compact(text: str) -> str:
    """A value as it is compared: no spaces, letters in one case."""
    return re.sub(r"\s+", "", text).casefold()


def close(typed: str, listed: str) -> bool:
    """Whether ``typed`` is close enough to ``listed`` to be a slip of the pen rather than
    another reason: one contains the other (被盗了, 卡丢), or one character differs (丢卡)."""
    if not typed or not listed:
        return False
    if min(len(typed), len(listed)) >= 2 and (typed in listed or listed in typed):
        return True
    return len(listed) >= 2 and _one_edit_apart(typed, listed)


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def listed_values(key: str, conditions: Iterable[Condition]) -> tuple[str, ...]:
    """The text values ``conditions`` name for the column ``key``, in the order written."""
    found: list[str] = []

    def walk(node: Condition) -> None:
        if isinstance(node, (All, AnyOf)):
            for part in node.parts:
                walk(part)
        elif isinstance(node, Compare) and node.key == key and isinstance(node.operand, str):
            found.append(node.operand)
        elif isinstance(node, (OneOf, NoneOf)) and node.key == key:
            found.extend(v for v in node.values if isinstance(v, str))

    for condition in conditions:
        walk(condition)
    return tuple(dict.fromkeys(found))
