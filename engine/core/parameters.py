"""Dated parameters: each value holds from its ``from`` date until the next one.

History is appended, never overwritten, so a batch from last year is decided with
last year's fee.  A date before a parameter's first value has no value in force.

Each parameter declares its kind (an amount in 元, a count, a date) and may narrow its
range (``min``, ``max``); a value outside it is refused at load, naming the parameter,
the period and the value, so a fee of -20 元 or a threshold of 3.5 never decides a row.
Values may be written inline (``values = [{ from = ..., value = ... }]``) or one table
each (``[[card_fee.values]]``), which lets a new value be appended at the end of the file.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.core.origin import shown_path
from engine.errors import RulebookError

ATTRIBUTES = ("kind", "description", "unit", "reference", "interpretation", "values", "min", "max")


def shown(value: Any) -> str:
    """A parameter value as a person writes it: 20, 20.5, 2027-01-01, 「文字」."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return f"「{value}」"
    if isinstance(value, (list, dict)):
        return "一个列表" if isinstance(value, list) else "一个表"
    return "(无)" if value is None else str(value)


@dataclass(frozen=True)
class ParameterKind:
    """What a parameter is, and the values it may take."""

    name: str  # as written in parameters.toml
    words: str  # as a policy officer reads it
    default_min: Any = None
    note: str = ""

    def problem(self, value: Any, low: Any, high: Any) -> str | None:
        """Why ``value`` is not one of this kind's values within [low, high]; None: fine."""
        if self.name == "date":
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                return "须为日期(如 2027-01-01,不加引号)"
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            return "须为数字(不加引号)" if not isinstance(value, dt.date) else "须为数字,不能是日期"
        elif not math.isfinite(value):
            return "须为有限的数字"
        elif self.name == "count" and not isinstance(value, int):
            return "须为整数"
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


KINDS = {kind.name: kind for kind in (
    ParameterKind("amount", "金额", 0, "最多两位小数"),
    ParameterKind("count", "整数", 1),
    ParameterKind("date", "日期"),
)}


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    interpretation: bool
    values: tuple[tuple[dt.date, Any], ...]  # (from, value), ascending
    kind: str = "amount"
    minimum: Any = None
    maximum: Any = None

    def on(self, day: dt.date) -> Any | None:
        starts = [start for start, _ in self.values]
        index = bisect.bisect_right(starts, day) - 1
        return self.values[index][1] if index >= 0 else None

    def describe(self) -> str:
        """``金额,≥ 0,最多两位小数``: the kind and range, in words."""
        return KINDS[self.kind].describe(self.minimum, self.maximum)


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


def parse_parameters(text: str, path: Path) -> Parameters:
    """The parameter file's ``text``; ``path`` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulebookError(f"参数文件 {shown_path(path)} {toml_problem(str(error))};"
                            "请对照随 sscard 提供的 parameters.toml 修正") from None
    lines = _Lines(text, path)
    return Parameters({name: _parameter(name, body, lines) for name, body in data.items()})


def _parameter(name: str, body: Any, lines: _Lines) -> Parameter:
    where = lines.at(name)
    if not isinstance(body, dict):
        raise RulebookError(f"{where} 参数 {name} 应为一个表([{name}] 下写 kind、description、reference、values);"
                            "请对照随 sscard 提供的 parameters.toml")
    unknown = [key for key in body if key not in ATTRIBUTES]
    if unknown:
        raise RulebookError(f"{where} 参数 {name} 有未知的项 {'、'.join(unknown)};可用的项:{'、'.join(ATTRIBUTES)}")
    for attribute in ("kind", "description", "reference", "values"):
        if attribute not in body:
            raise RulebookError(f"{where} 参数 {name} 缺少 {attribute};请补上" + (
                f"(kind 可选:{_kinds()})" if attribute == "kind" else ""))
    kind = KINDS.get(body["kind"]) if isinstance(body["kind"], str) else None
    if kind is None:
        raise RulebookError(f"{where} 参数 {name} 的 kind {shown(body['kind'])} 未知;可选:{_kinds()}")
    low, high = body.get("min", kind.default_min), body.get("max")
    for bound, value in (("min", low), ("max", high)):
        problem = None if value is None else kind.problem(value, None, None)
        if problem:
            raise RulebookError(f"{where} 参数 {name} 的 {bound} {shown(value)} {problem}")
    entries = body["values"]
    if not isinstance(entries, list) or not entries:
        raise RulebookError(f"{where} 参数 {name} 的 values 须列出至少一个 {{ from = 日期, value = 值 }}")
    values: list[tuple[dt.date, Any]] = []
    for entry in entries:
        start, value = (entry.get("from"), entry.get("value")) if isinstance(entry, dict) else (None, None)
        at = lines.at(name, start, sum(1 for earlier, _ in values if earlier == start))
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            raise RulebookError(f"{at} 参数 {name} 的每个取值须有 from 日期(如 from = 2027-01-01,不加引号),"
                                f"得到 {shown(start)}")
        if value is None:
            raise RulebookError(f"{at} 参数 {name} 自 {start.isoformat()} 起的取值缺少 value")
        problem = kind.problem(value, low, high)
        if problem:
            raise RulebookError(f"{at} 参数 {name} 自 {start.isoformat()} 起的值 {shown(value)} 不符合其类型"
                                f"({kind.describe(low, high)}):{problem};请改正该值")
        if values and start <= values[-1][0]:
            relation = "与前一个取值的日期相同" if start == values[-1][0] else f"早于前一个取值的日期 {values[-1][0]}"
            raise RulebookError(f"{at} 参数 {name} 的取值日期 {start.isoformat()} {relation};"
                                "各取值须按 from 日期从早到晚排列且不重复,新的取值追加在最后")
        values.append((start, value))
    return Parameter(name, str(body["description"]), str(body.get("unit", "")), str(body["reference"]),
                     bool(body.get("interpretation", False)), tuple(values), kind.name, low, high)


def _kinds() -> str:
    return "、".join(f"{kind.name}({kind.describe(kind.default_min, None)})" for kind in KINDS.values())


class _Lines:
    """Where in the file a parameter, or one of its dated values, is written."""

    def __init__(self, text: str, path: Path):
        self.path = shown_path(path)
        self.text = text.splitlines()

    def at(self, name: str, start: Any = None, earlier: int = 0) -> str:
        """The line of parameter ``name``; with ``start``, of its value from that date (the
        one after ``earlier`` others with the same date)."""
        table, found = None, 0
        for number, line in enumerate(self.text, start=1):
            header = re.match(r"\s*\[\[?\s*([^\].\s]+)", line)
            if header:
                table = header.group(1).strip("\"'")
                if table == name and not found:
                    found = number
                continue
            if table == name and isinstance(start, dt.date) and re.search(rf"\bfrom\s*=\s*{start.isoformat()}\b", line):
                if not earlier:
                    return f"{self.path} 第 {number} 行"
                earlier -= 1
        return f"{self.path} 第 {found} 行" if found else self.path


_TOML_PROBLEMS = (
    ("Invalid value", "值的写法有误(文字须加引号,日期写成 2027-01-01,数字不加引号)"),
    ("Expected '=' after a key", "缺少等号:应写成 键 = 值"),
    ("Cannot overwrite a value", "同一项写了两次"),
    ("Cannot declare", "同一个表写了两次"),
    ("Unclosed array", "方括号未闭合"),
    ("Unclosed inline table", "花括号未闭合"),
    ("Unterminated string", "引号未闭合"),
    ("Illegal character", "含有不允许的字符(常见于全角标点)"),
    ("Invalid date or datetime", "日期写法有误(应写成 2027-01-01)"),
    ("Invalid statement", "这一行的写法有误"),
    ("Expected newline or end of document", "一行只能写一项"),
)


def toml_problem(message: str) -> str:
    """tomllib's English message, as a Chinese one with the line and column."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    where = f"第 {found[1]} 行第 {found[2]} 列附近" if found else ""
    if "end of document" in message and found is None:
        where = "文件末尾"
    what = next((words for text, words in _TOML_PROBLEMS if text in message), "格式有误")
    return f"{where}{what}"
