"""One input row -> a plain fact for the rules, or the problems that make it invalid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from engine.core.phrasings import Reading
from engine.core.schema import ABSENT, Column, Invalid, Schema, Text, is_blank, shown


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
    readings: list[Reading] = field(default_factory=list)  # phrasings read as listed values
    unlisted: list[str] = field(default_factory=list)  # headers holding a value the service does not list


def _value_shown(value: Any) -> str:
    return "" if value is ABSENT else shown(value)


def normalise(schema: Schema, cells: Mapping[str, Any]) -> Normalised:
    """``cells`` maps schema keys to raw cell values (None for blank, ABSENT for a column
    the batch does not have).

    Only the columns the row uses are read: those its service uses and that are in
    force on its 申请日期.  The others are ignored, as RULEBOOK.md says, and reach the
    rules as blank.  A column the batch lacks matters only to a row that needs it.
    """
    fact: dict[str, Any] = {}
    problems: list[Problem] = []
    readings: list[Reading] = []
    unlisted: list[str] = []

    def report(column: Column, check: str, message: str) -> None:
        problems.append(Problem(check, column.header, _value_shown(cells.get(column.key)),
                                f"{column.header}{message}", column.clause, column.key))

    # The service and the date come first: they decide which other columns the row uses.
    dispatch, effective = schema.by_key[schema.dispatch], schema.by_key[schema.effective_date]
    service = _read(dispatch, cells.get(dispatch.key), report)
    day = _read(effective, cells.get(effective.key), report)
    fact[dispatch.key] = service
    if day is not None:
        fact[effective.key] = day

    unfilled: list[Column] = []  # used by the row, blank or absent
    for column in schema.columns:
        if column is dispatch or column is effective:
            continue
        used = column.in_use(service, day)
        raw = cells.get(column.key)
        if not used or raw is ABSENT or is_blank(raw):
            if column.kind.blank is not None:
                fact[column.key] = column.kind.blank
            if used:
                unfilled.append(column)
            continue
        value = _read(column, raw, report)
        if isinstance(column.kind, Text) and value is not None:
            value = _worded(schema, column, service, day, value, report, readings, unlisted)
        if value is not None:
            fact[column.key] = value

    for column in unfilled:
        wanted = service is not None and column.required_when is not None and column.required_when.evaluate(fact)
        if cells.get(column.key) is ABSENT:
            if column.required or column.required_when is None or wanted:
                dated = f"{column.period.words()}的" if column.period.dated else ""
                report(column, "INPUT-COLUMN-ABSENT", f" 列不在本批次中,{dated}本行业务须填写此列;"
                                                      "请用 sscard template 生成的表头补上该列后重试")
        elif column.required:
            report(column, "INPUT-BLANK", " 为必填项,不能为空")
        elif wanted:
            report(column, "INPUT-BLANK", f" 为空,本行业务须填写({column.help})")

    if not problems and day is not None:
        for column in schema.columns:
            message = column.kind.date_problem(fact[column.key], day) if column.key in fact else None
            if message:
                report(column, "INPUT-INCONSISTENT", f" {message}")
    return Normalised(fact, problems, readings, unlisted)


def _worded(schema: Schema, column: Column, service: Any, day: Any, value: str, report, readings: list[Reading],
            unlisted: list[str]) -> str | None:
    """An open-text value as the row's service reads it (engine.core.phrasings)."""
    worded = schema.wordings.read(column.key, column.header, column.clause, service, day, value)
    if worded.reading is not None:
        readings.append(worded.reading)
    elif worded.close:
        listed = "/".join(schema.wordings.listed[column.key][service])
        meant = "或".join(f"「{v}」" for v in worded.close[:3])
        report(column, "INPUT-VALUE", f"「{value}」不是本业务所列的{column.header};是否指{meant}?"
                                      f"请核实后改为所列的{column.header}之一:{listed}")
    elif worded.unlisted:
        unlisted.append(column.header)
    return worded.value


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
