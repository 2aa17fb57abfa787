"""Check a rulebook when it loads: a declaration that would decide rows wrongly or
silently fails here, naming the file and line it is written on and what to write instead.

Each operand a condition compares a column with must be a value the column can hold
(the column's kind says which): durable-rules coerces types ("3" == 3 holds there,
never in Python), so a mistyped literal would make the evaluator of record and
every Python reader of the same condition (lint, explain, required_when) disagree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any, Iterator

from engine.core.conditions import PARAM_PREFIX, All, AnyOf, Compare, Condition, NoneOf, OneOf, Param, show
from engine.core.origin import shown_path, where
from engine.core.rulebook import NOTICE_SECTIONS, Rule, Rulebook
from engine.core.schema import Column, Schema
from engine.errors import RulebookError

RULE_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+")
_ORDERING = ("<", "<=", ">", ">=")


def validate(book: Rulebook) -> None:
    problems = list(problems_of(book))
    if problems:
        more = f"(另有 {len(problems) - 1} 处问题;sscard rules lint --rules {shown_path(book.directory or '.')} " \
               "列出全部)" if len(problems) > 1 else ""
        raise RulebookError(problems[0] + more, problems=problems)


def problems_of(book: Rulebook) -> Iterator[str]:
    yield from _verdicts(book)
    yield from _schema(book)
    yield from _papers(book)
    seen: set[str] = set()
    codes = {s.code for s in book.services}
    for rule in book.common:
        if not isinstance(rule, Rule):
            yield f"{shown_path(book.directory or '.')}:common 中的每一项都须是 Rule(...),得到 {show(rule)}"
            continue
        yield from _rule(book, rule, seen)
        if not rule.services:
            yield f"{_at(rule)}:共用规则须用 services=(...) 写明适用的业务"
        for service in rule.services:
            if service not in codes:
                yield f"{_at(rule)}:适用业务 {service} 不在业务清单中(可选:{'/'.join(sorted(codes))})"
    for service in book.services:
        for rule in service.rules:
            yield from _rule(book, rule, seen)
            if rule.services:
                yield f"{_at(rule)}:业务模块中的规则已属于该业务,不应再写 services"


def advice(book: Rulebook) -> Iterator[str]:
    """What a rule must say for the papers and 后续事项 to be whole.  lint (and so publish)
    checks it, loading does not: a rulebook archived before these texts existed still loads."""
    for rule in book.unique_rules():
        if rule.missing and not rule.place.strip():
            yield f"{_at(rule)}:列出缺少材料的规则须写明办理地点(place),告知申请人到哪里补正"
        if rule.verdict == book.unruled_verdict and not rule.next.strip():
            yield f"{_at(rule)}:结论为「{rule.verdict}」的规则须在后续事项(next)中写明由谁决定、核对什么"


def _papers(book: Rulebook) -> Iterator[str]:
    """What the applicant's papers and the 后续事项 texts need."""
    for verdict, notice in book.notices.items():
        if verdict not in book.verdicts:
            yield f"告知书「{notice.title}」的结论「{verdict}」不在 verdicts 中"
        for section in notice.sections:
            if section not in NOTICE_SECTIONS:
                yield f"告知书「{notice.title}」的内容 {section} 不是 {'/'.join(NOTICE_SECTIONS)} 之一"
    try:
        book.missing_next.format(missing="", place="")
    except (KeyError, IndexError, ValueError):
        yield "missing_next 只能使用 {missing} 和 {place} 两个占位符"
    for key in (*book.schema.identity, *book.schema.papers):
        if key not in book.schema.by_key:
            yield f"schema 的 identity / papers 中的 {key} 不在列清单中"


def _at(rule: Rule) -> str:
    place = where(rule.origin)
    return f"{place} 规则 {rule.id}" if place else f"规则 {rule.id}"


def _verdicts(book: Rulebook) -> Iterator[str]:
    for extra in (book.invalid_verdict, book.unruled_verdict, book.missing_verdict, *book.charged_verdicts):
        if extra not in book.verdicts:
            yield f"结论「{extra}」不在 verdicts({'/'.join(book.verdicts)})中;请在 verdicts 中加上它"


def _schema(book: Rulebook) -> Iterator[str]:
    schema = book.schema
    codes = {s.code for s in book.services}
    dispatch = schema.by_key.get(schema.dispatch)
    accepted = set(getattr(dispatch.kind, "values", ())) if dispatch else set()
    if dispatch is None:
        yield f"schema 的 dispatch 列 {schema.dispatch} 不在列清单中"
    elif accepted != codes:
        yield (f"列「{dispatch.header}」接受的值({'/'.join(sorted(accepted))})与业务清单"
               f"({'/'.join(sorted(codes))})不一致;请从业务清单派生该列的取值")
    for key in (schema.dispatch, schema.request_id, schema.effective_date):
        column = schema.by_key.get(key)
        if column is None:
            if key != schema.dispatch:
                yield f"schema 指定的列 {key} 不在列清单中"
            continue
        if not column.required or column.period.dated:
            yield f"{where(column.origin)} 列「{column.header}」决定怎样读取每一行,须为必填(required=True)且不带生效日期"
    effective = schema.by_key.get(schema.effective_date)
    if effective is not None and "date" not in effective.kind.parameter_kinds:
        yield f"{where(effective.origin)} 列「{effective.header}」决定适用哪一期的规则和参数,须为日期列(Date())"
    for column in schema.columns:
        place = f"{where(column.origin)} 列「{column.header}」"
        if column.key.startswith(PARAM_PREFIX):
            yield f"{place}:键 {column.key} 以 {PARAM_PREFIX} 开头,与参数冲突;请换一个键"
        yield from (f"{place}:{p}" for p in _period(column.since, column.until))
        if column.required_when is not None:
            yield from (f"{place} 的 required_when:{p}" for p in _condition(book, column.required_when))


def _rule(book: Rulebook, rule: Rule, seen: set[str]) -> Iterator[str]:
    at = _at(rule)
    for attribute in ("id", "name", "clause", "reason", "verdict", "place", "next"):
        if not isinstance(getattr(rule, attribute), str):
            yield f"{at}:{attribute} 须为加引号的文字,得到 {show(getattr(rule, attribute))}"
            return
    if not RULE_ID.fullmatch(rule.id):
        yield f"{at}:编号须形如 SERVICE-WHAT(大写字母、数字、连字符)"
    if rule.id in seen:
        yield f"{at}:编号重复;每条规则须有自己的编号"
    seen.add(rule.id)
    for attribute, words in (("clause", "条款依据"), ("reason", "中文理由"), ("name", "简短的中文名称")):
        if not getattr(rule, attribute).strip():
            yield f"{at}:缺少{words}({attribute}=...)"
    if rule.verdict not in book.verdicts:
        yield f"{at}:结论「{rule.verdict}」不是 {'/'.join(book.verdicts)} 之一"
    if rule.fee is not None:
        yield from _fee(book, at, rule.fee)
    if not isinstance(rule.missing, tuple) or not all(isinstance(doc, str) for doc in rule.missing):
        yield f"{at}:missing 须写成 (\"材料名\",),注意末尾的逗号"
    else:
        headers = [c.header for c in book.schema.columns]
        for doc in rule.missing:
            if not any(h.endswith(doc) for h in headers):
                yield f"{at}:缺少材料「{doc}」不是输入表头中的材料;请与表头中「材料:…」的写法一致"
    if not isinstance(rule.services, tuple):
        yield f"{at}:services 须写成 (\"业务代码\", ...)"
    yield from (f"{at}:{p}" for p in _period(rule.since, rule.until))
    if rule.when is not None:
        if not isinstance(rule.when, Condition):
            yield (f"{at}:when 须是条件,如 row.card_status == \"挂失\"(多个条件用 & 或 | 连接),"
                   f"得到 {show(rule.when)}")
        else:
            yield from (f"{at}:{p}" for p in _condition(book, rule.when))


def _fee(book: Rulebook, at: str, name: Any) -> Iterator[str]:
    parameters = book.parameters
    if not isinstance(name, str) or parameters is None or name not in parameters.names():
        yield f"{at}:费用参数 {show(name)} 未在 {book.parameters_file} 中定义{_suggest(name, _names(book))}"
    elif parameters[name].kind != "amount":
        yield f"{at}:费用参数 {name} 须是金额(kind = \"amount\"),它是 {parameters[name].describe()}"


def _period(since: Any, until: Any) -> Iterator[str]:
    for name, value in (("since", since), ("until", until)):
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            yield f"生效日期 {name} 须写成 date(年, 月, 日),得到 {show(value)}"
            return
    if since is not None and until is not None and until < since:
        yield f"生效期有误:until {until.isoformat()} 早于 since {since.isoformat()}"


def _condition(book: Rulebook, condition: Condition) -> Iterator[str]:
    schema = book.schema
    for node in _leaves(condition):
        key = getattr(node, "key", None)
        column = schema.by_key.get(key) if isinstance(key, str) else None
        if column is None:
            yield f"条件引用了未知的列 {key}{_suggest(key, _keys(schema))};列的键见 schema.py"
            continue
        if isinstance(node, Compare):
            yield from _compare(book, column, node)
        elif not node.values:
            yield f"列「{column.header}」的 one_of / none_of 没有列出任何值;请写出至少一个值"
        else:
            for value in node.values:
                problem = column.kind.literal_problem(value)
                if problem:
                    yield f"列「{column.header}」{problem}"


def _compare(book: Rulebook, column: Column, node: Compare) -> Iterator[str]:
    kind = column.kind
    if node.op in _ORDERING and not kind.ordered:
        yield f"列「{column.header}」只能比较相等(== != one_of none_of),不能用 {node.op}"
        return
    if isinstance(node.operand, Param):
        name = node.operand.name
        if book.parameters is None or name not in book.parameters.names():
            yield f"条件引用的参数 {name} 未在 {book.parameters_file} 中定义{_suggest(name, _names(book))}"
        elif book.parameters[name].kind not in kind.parameter_kinds:
            yield (f"列「{column.header}」({kind.describe()})不能与参数 {name}({book.parameters[name].describe()})比较;"
                   "请改用同类的参数")
        return
    problem = kind.literal_problem(node.operand)
    if problem:
        yield f"列「{column.header}」{problem}"


def _leaves(condition: Condition) -> Iterator[Condition]:
    if isinstance(condition, (All, AnyOf)):
        for part in condition.parts:
            yield from _leaves(part)
    elif isinstance(condition, (Compare, OneOf, NoneOf)):
        yield condition


def _names(book: Rulebook) -> list[str]:
    return book.parameters.names() if book.parameters else []


def _keys(schema: Schema) -> list[str]:
    return [c.key for c in schema.columns]


def _suggest(name: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(name), choices, n=1) if isinstance(name, str) else []
    return f"(是否指 {close[0]}?)" if close else ""

