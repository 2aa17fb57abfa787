"""Dated parameters: each value holds from its ``from`` date until the next one.

History is appended, never overwritten, so a batch from last year is decided with
last year's fee.  A date before a parameter's first value has no value in force.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import RulebookError


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    interpretation: bool
    values: tuple[tuple[dt.date, Any], ...]  # (from, value), ascending

    def on(self, day: dt.date) -> Any | None:
        starts = [start for start, _ in self.values]
        index = bisect.bisect_right(starts, day) - 1
        return self.values[index][1] if index >= 0 else None


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


def toml_error_place(error: tomllib.TOMLDecodeError) -> str:
    """Where a TOML file is wrong, in Chinese (the parser says it in English)."""
    found = re.search(r"line (\d+), column (\d+)", str(error))
    return f"第 {found[1]} 行第 {found[2]} 列附近" if found else ""


def parse_parameters(text: str, path: Path) -> Parameters:
    """The parameter file's ``text``; ``path`` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulebookError(f"参数文件 {path} {toml_error_place(error)}格式有误;请对照 TOML 的写法修正") from None
    parameters = {}
    for name, body in data.items():
        where = f"{path.name} 的参数 {name}"
        if not isinstance(body, dict):
            raise RulebookError(f"{where}:应为一个表")
        for attribute in ("description", "reference", "values"):
            if attribute not in body:
                raise RulebookError(f"{where}:缺少 {attribute}")
        values = []
        for entry in body["values"]:
            start, value = entry.get("from"), entry.get("value")
            if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
                raise RulebookError(f"{where}:from 须为日期(如 2015-01-01),得到「{start}」")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise RulebookError(f"{where}:{start} 的 value 须为数字,得到「{value}」")
            values.append((start, value))
        starts = [s for s, _ in values]
        if not values or starts != sorted(set(starts)):
            raise RulebookError(f"{where}:values 须按 from 日期升序排列且不重复")
        parameters[name] = Parameter(name, body["description"], body.get("unit", ""), body["reference"],
                                     bool(body.get("interpretation", False)), tuple(values))
    return Parameters(parameters)
