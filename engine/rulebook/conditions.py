"""A condition cell, as a policy officer writes it, read into the engine's conditions.

Under the heading of an input column a cell holds one test of that column:

- a value (``挂失``), or several (``丢失、被盗``): the column holds it, or one of them;
- ``非`` and values (``非 银行账户``, ``非 丢失、被盗``): it holds none of them;
- a comparison with a number, a date or a parameter (``≥ 密码锁定次数``, ``< 3``; ``>=`` and
  full-width forms too), for a column of numbers or dates;
- nothing: any value.

Each value is checked against the column's kind and values, so a cell that can never
hold (``他人`` under 办理人) is a mistake named by its cell, never a rule that silently
never fires.  A row's cells together are one conjunction (engine.core.conditions.All):
the same Condition objects compile to the durable-rules ruleset that decides and are
read by lint, explain and the catalogue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.core.conditions import Compare, Condition, NoneOf, OneOf, Param
from engine.core.parameters import Parameters, kind_named
from engine.core.schema import Column, Invalid, clean_text, shown
from engine.rulebook import layout
from engine.rulebook.tables import split_list, suggestion

_BY_LENGTH = sorted(layout.COMPARISONS, key=len, reverse=True)
_ORDERING = (">=", "<=", ">", "<")


def condition(column: Column, value: Any, parameters: Parameters) -> Condition:
    """The test a cell writes for ``column``; Invalid saying what is wrong and what to write."""
    key, kind = column.key, column.kind
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return Compare(key, "==", kind.literal(value))  # a number or date cell: that value
    text = clean_text(shown(value))
    if text in getattr(kind, "values", ()) or text in getattr(kind, "aliases", {}):
        return Compare(key, "==", kind.literal(text))  # a value that happens to start with 非 or =
    op = next((symbol for symbol in _BY_LENGTH if text.startswith(symbol)), None)
    if op is not None:
        operator, rest = layout.COMPARISONS[op], text[len(op):].strip()
        if operator in ("==", "!="):
            return _values(column, rest, negated=operator == "!=")
        if not kind.ordered:  # 是选项列 ...: said after the column's name
            raise Invalid(f"是{_kind_words(column)},只能写一个值、几个值(用顿号分隔)或「非」加值,不能比较大小;"
                          "请改写")
        return Compare(key, operator, _operand(column, rest, parameters))
    if text.startswith(layout.NOT):
        return _values(column, text[len(layout.NOT):].strip(), negated=True)
    return _values(column, text, negated=False)


def _values(column: Column, text: str, negated: bool) -> Condition:
    values = split_list(text)
    if not values:
        raise Invalid("没有写出值;请写一个值,或几个值(用顿号分隔)")
    literals = tuple(dict.fromkeys(column.kind.literal(v) for v in values))
    if len(literals) == 1:
        return Compare(column.key, "!=" if negated else "==", literals[0])
    return (NoneOf if negated else OneOf)(column.key, literals)


def _operand(column: Column, text: str, parameters: Parameters) -> Any:
    """What a comparison compares with: a parameter of the same kind, or a literal."""
    if not text:
        raise Invalid("比较符号后缺少数值或参数;请写成如 ≥ 3,或 ≥ 加「参数」表中的参数名称")
    name = clean_text(text)
    if name in parameters.names():
        parameter = parameters[name]
        if parameter.kind not in column.kind.parameter_kinds:
            raise Invalid(f"({column.kind.describe()})不能与参数「{name}」"
                          f"({parameter.describe()})比较;请改用同类的参数或数值")
        return Param(name)
    try:
        return column.kind.literal(text)
    except Invalid:
        kinds = "、".join(kind_named(k).words for k in column.kind.parameter_kinds)
        hint = suggestion(name, parameters.names())
        raise Invalid(f"的比较对象「{text}」既不是「参数」表中的参数,也不是{_kind_words(column)}的值;{hint}"
                      f"请写数值,或「参数」表中{kinds}类参数的名称") from None


def _kind_words(column: Column) -> str:
    return f"{column.kind.word}列"
