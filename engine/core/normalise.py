"""One input row -> a plain fact for the rules, or the problems that make it invalid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from engine.core.schema import Column, Invalid, Schema, is_blank, shown


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell: shown on the 错误 sheet and in 依据."""

    check: str  # e.g. INPUT-BLANK
    column: str  # the header as the clerk knows it
    value: Any
    message: str
    clause: str
    key: str = ""  # the schema key of the cell, so the cell itself can be marked


@dataclass
class Normalised:
    fact: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def normalise(schema: Schema, cells: Mapping[str, Any]) -> Normalised:
    """``cells`` maps schema keys to raw cell values (None for blank).

    Only the columns the row's service uses are read; the others are ignored, as
    RULEBOOK.md says, and reach the rules as blank.
    """
    fact: dict[str, Any] = {}
    problems: list[Problem] = []

    def report(column: Column, check: str, message: str) -> None:
        problems.append(Problem(check, column.header, shown(cells.get(column.key)),
                                f"{column.header}{message}", column.clause or schema.clause, column.key))

    dispatch = schema.by_key[schema.dispatch]
    service = _read(dispatch, cells.get(dispatch.key), report)
    fact[dispatch.key] = service

    blanks: list[Column] = []
    for column in schema.columns:
        if column is dispatch:
            continue
        used = column.used_by is None or service in column.used_by
        raw = cells.get(column.key)
        if not used or is_blank(raw):
            if column.kind.blank is not None:
                fact[column.key] = column.kind.blank
            if used:
                blanks.append(column)
            continue
        value = _read(column, raw, report)
        if value is not None:
            fact[column.key] = value

    for column in blanks:
        if column.required:
            report(column, "INPUT-BLANK", " 为必填项,不能为空")
        elif column.required_when is not None and service is not None and column.required_when.evaluate(fact):
            report(column, "INPUT-BLANK", f" 为空,本行业务须填写({column.help})")

    if not problems:
        for check in schema.row_checks:
            for key, message in check(fact):
                report(schema.by_key[key], "INPUT-INCONSISTENT", f" {message}")
    return Normalised(fact, problems)


def _read(column: Column, raw: Any, report) -> Any:
    if is_blank(raw):
        if column.required:
            report(column, "INPUT-BLANK", " 为必填项,不能为空")
        return None
    try:
        return column.kind.parse(raw)
    except Invalid as error:
        report(column, "INPUT-VALUE", f" {error}")
        return None
