"""Rule conditions as data.

A rule's condition is written once, e.g. ``(row.card_status == "挂失") &
(row.applicant == "代办")``, and read three ways from that one declaration:
as the durable-rules JSON the engine executes, as words for the rule catalogue,
and as "which part failed, with the row's value" for explanations.

Semantics follow durable-rules: a key missing from the row matches no
comparison at all, neither ``==`` nor ``!=``.  durable-rules gets plain JSON: a date
travels as its ordinal day number (``plain``), on the rule's side and the row's alike,
so comparing dates means the same in both evaluators.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from typing import Any, Callable, Mapping

PARAM_PREFIX = "param_"

Labels = Callable[[str], str]  # fact key -> the column header a person knows it by

_OPS: dict[str, tuple[str | None, Callable[[Any, Any], bool], str, str]] = {
    # op: (durable operator, python test, word when it must hold, word for its negation)
    "==": (None, operator.eq, "=", "≠"),
    "!=": ("$neq", operator.ne, "≠", "="),
    "<": ("$lt", operator.lt, "<", "≥"),
    "<=": ("$lte", operator.le, "≤", ">"),
    ">": ("$gt", operator.gt, ">", "≤"),
    ">=": ("$gte", operator.ge, "≥", "<"),
}

MISSING = object()
AND_OR_NOT = "a condition has no truth value: combine conditions with & and |, not and / or / not"


def plain(value: Any) -> Any:
    """A value as durable-rules receives it: JSON, with a date as its ordinal day number."""
    if isinstance(value, dt.datetime):
        return value.date().toordinal()
    if isinstance(value, dt.date):
        return value.toordinal()
    return value


def show(value: Any) -> str:
    """How a row value is shown to a person in explanations."""
    if value is MISSING or value == "" or value is None:
        return "(空)"
    return str(value)


@dataclass(frozen=True)
class Param:
    """A dated parameter, resolved on the row's 申请日期 (e.g. the lock threshold)."""

    name: str

    @property
    def key(self) -> str:
        return PARAM_PREFIX + self.name


class Condition:
    """Base of every condition node; combine with ``&`` and ``|``."""

    def __and__(self, other: Condition) -> Condition:
        return All(_flatten(All, self, other))

    def __or__(self, other: Condition) -> Condition:
        return AnyOf(_flatten(AnyOf, self, other))

    def __bool__(self) -> bool:
        # `a and b` would silently keep only b: a condition has no truth value of its own.
        raise TypeError(AND_OR_NOT)

    def to_durable(self) -> dict:
        raise NotImplementedError

    def evaluate(self, fact: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    def keys(self) -> set[str]:
        """Fact keys this condition reads (columns and parameters)."""
        raise NotImplementedError

    def could_hold(self, fact: Mapping[str, Any]) -> bool:
        """Whether the condition may hold once the parameters missing from ``fact`` are known."""
        return self.evaluate(fact)

    def params(self) -> set[str]:
        return {k[len(PARAM_PREFIX):] for k in self.keys() if k.startswith(PARAM_PREFIX)}

    def words(self, label: Labels) -> str:
        """The condition in words, for the rule catalogue."""
        raise NotImplementedError

    def failures(self, fact: Mapping[str, Any], label: Labels) -> list[str]:
        """Why this condition does not hold for ``fact``: one phrase per failed part."""
        raise NotImplementedError

    def evidence(self, fact: Mapping[str, Any], label: Labels) -> list[str]:
        """The row values that made this condition hold."""
        raise NotImplementedError


def _flatten(kind: type, *parts: Condition) -> tuple[Condition, ...]:
    out: list[Condition] = []
    for part in parts:
        out.extend(part.parts if isinstance(part, kind) else (part,))
    return tuple(out)


@dataclass(frozen=True)
class Compare(Condition):
    key: str
    op: str
    operand: Any  # a literal or a Param

    def _other(self, fact: Mapping[str, Any]) -> Any:
        if isinstance(self.operand, Param):
            return fact.get(self.operand.key, MISSING)
        return self.operand

    def to_durable(self) -> dict:
        operand = {"$m": self.operand.key} if isinstance(self.operand, Param) else plain(self.operand)
        durable_op = _OPS[self.op][0]
        return {self.key: operand} if durable_op is None else {durable_op: {self.key: operand}}

    def evaluate(self, fact: Mapping[str, Any]) -> bool:
        value, other = fact.get(self.key, MISSING), self._other(fact)
        if value is MISSING or other is MISSING:
            return False
        try:
            return bool(_OPS[self.op][1](value, other))
        except TypeError:
            return False

    def could_hold(self, fact: Mapping[str, Any]) -> bool:
        if isinstance(self.operand, Param) and self.operand.key not in fact:
            return self.key in fact
        return self.evaluate(fact)

    def keys(self) -> set[str]:
        extra = {self.operand.key} if isinstance(self.operand, Param) else set()
        return {self.key} | extra

    def _operand_words(self, fact: Mapping[str, Any] | None = None) -> str:
        if isinstance(self.operand, Param):
            shown = f"参数 {self.operand.name}"
            if fact is not None:
                shown += f"({show(self._other(fact))})"
            return shown
        return show(self.operand)

    def words(self, label: Labels) -> str:
        return f"{label(self.key)} {_OPS[self.op][2]} {self._operand_words()}"

    def failures(self, fact, label):
        if self.evaluate(fact):
            return []
        value = fact.get(self.key, MISSING)
        if self.op == "==":
            return [f"{label(self.key)} = {show(value)}, 须为 {self._operand_words(fact)}"]
        if self.op == "!=":
            return [f"{label(self.key)} = {show(value)}, 须不为 {self._operand_words(fact)}"]
        return [f"{label(self.key)} = {show(value)}, 须 {_OPS[self.op][2]} {self._operand_words(fact)}"]

    def evidence(self, fact, label):
        return [f"{label(self.key)} = {show(fact.get(self.key, MISSING))}"] if self.evaluate(fact) else []


@dataclass(frozen=True)
class OneOf(Condition):
    key: str
    values: tuple[Any, ...]

    def to_durable(self) -> dict:
        if len(self.values) == 1:
            return {self.key: plain(self.values[0])}
        return {"$or": [{self.key: plain(v)} for v in self.values]}

    def evaluate(self, fact):
        return self.key in fact and fact[self.key] in self.values

    def keys(self):
        return {self.key}

    def words(self, label):
        return f"{label(self.key)} 为 {'/'.join(map(show, self.values))}"

    def failures(self, fact, label):
        if self.evaluate(fact):
            return []
        return [f"{label(self.key)} = {show(fact.get(self.key, MISSING))}, 须为 {'/'.join(map(show, self.values))}"]

    def evidence(self, fact, label):
        return [f"{label(self.key)} = {show(fact[self.key])}"] if self.evaluate(fact) else []


@dataclass(frozen=True)
class NoneOf(Condition):
    key: str
    values: tuple[Any, ...]

    def to_durable(self) -> dict:
        if len(self.values) == 1:
            return {"$neq": {self.key: plain(self.values[0])}}
        return {"$and": [{"$neq": {self.key: plain(v)}} for v in self.values]}

    def evaluate(self, fact):
        return self.key in fact and fact[self.key] not in self.values

    def keys(self):
        return {self.key}

    def words(self, label):
        return f"{label(self.key)} 不是 {'/'.join(map(show, self.values))}"

    def failures(self, fact, label):
        if self.evaluate(fact):
            return []
        return [f"{label(self.key)} = {show(fact.get(self.key, MISSING))}, 须不是 {'/'.join(map(show, self.values))}"]

    def evidence(self, fact, label):
        return [f"{label(self.key)} = {show(fact[self.key])}"] if self.evaluate(fact) else []


@dataclass(frozen=True)
class All(Condition):
    parts: tuple[Condition, ...]

    def to_durable(self) -> dict:
        return {"$and": [p.to_durable() for p in self.parts]}

    def evaluate(self, fact):
        return all(p.evaluate(fact) for p in self.parts)

    def could_hold(self, fact):
        return all(p.could_hold(fact) for p in self.parts)

    def keys(self):
        return set().union(*(p.keys() for p in self.parts))

    def words(self, label):
        return " 且 ".join(_bracket(p, label) for p in self.parts)

    def failures(self, fact, label):
        return [f for p in self.parts for f in p.failures(fact, label)]

    def evidence(self, fact, label):
        return [e for p in self.parts for e in p.evidence(fact, label)]


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def to_durable(self) -> dict:
        return {"$or": [p.to_durable() for p in self.parts]}

    def evaluate(self, fact):
        return any(p.evaluate(fact) for p in self.parts)

    def could_hold(self, fact):
        return any(p.could_hold(fact) for p in self.parts)

    def keys(self):
        return set().union(*(p.keys() for p in self.parts))

    def words(self, label):
        return " 或 ".join(_bracket(p, label) for p in self.parts)

    def failures(self, fact, label):
        if self.evaluate(fact):
            return []
        return ["(" + " 或 ".join("; ".join(p.failures(fact, label)) for p in self.parts) + ")"]

    def evidence(self, fact, label):
        return next((p.evidence(fact, label) for p in self.parts if p.evaluate(fact)), [])


def _bracket(part: Condition, label: Labels) -> str:
    text = part.words(label)
    return f"({text})" if isinstance(part, (All, AnyOf)) else text


class _Field:
    """``row.card_status`` in a rule: a column of the row, by its schema key."""

    def __init__(self, key: str):
        self.key = key

    def __eq__(self, other: Any) -> Condition:  # type: ignore[override]
        return Compare(self.key, "==", other)

    def __ne__(self, other: Any) -> Condition:  # type: ignore[override]
        return Compare(self.key, "!=", other)

    def __lt__(self, other: Any) -> Condition:
        return Compare(self.key, "<", other)

    def __le__(self, other: Any) -> Condition:
        return Compare(self.key, "<=", other)

    def __gt__(self, other: Any) -> Condition:
        return Compare(self.key, ">", other)

    def __ge__(self, other: Any) -> Condition:
        return Compare(self.key, ">=", other)

    def one_of(self, *values: Any) -> Condition:
        return OneOf(self.key, tuple(values))

    def none_of(self, *values: Any) -> Condition:
        return NoneOf(self.key, tuple(values))

    __hash__ = None  # type: ignore[assignment]


class _Row:
    def __getattr__(self, key: str) -> _Field:
        if key.startswith("_"):
            raise AttributeError(key)
        return _Field(key)


row = _Row()


def param(name: str) -> Param:
    return Param(name)
