"""Static checks of a rulebook, by enumerating every input its rules can tell apart.

For each service, the columns its rules read take only a few values once a row is
normalised: each closed (Choice) value, blank where blank is allowed, and for whole
numbers the values either side of every threshold they are compared with.  Every
combination that `normalise` would accept is run through the rules in Python
(Condition.evaluate, the same declarations durable-rules runs), for every period in
which the parameters the service reads have different values.  That is enough to find:

- gaps: a valid request no rule decides (it would fall to 人工复核 by accident);
- dead rules: a rule no valid request fires;
- overridden rules: a rule that fires only together with a stronger one, so its 结论
  never shows (it says one thing, the rulebook always does another);
- conflicts: the rules deciding a request (those at its winning 结论) name different
  办理地点 or different fee parameters, so the outcome would depend on the order rules
  are written in rather than on policy.  Rules at *different* 结论 never conflict: the
  precedence order decides between them by design.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from engine.core.conditions import MISSING, PARAM_PREFIX, All, AnyOf, Compare, Condition, NoneOf, OneOf, Param
from engine.core.decide import condition_of
from engine.core.loader import load_rulebook
from engine.core.rulebook import _ID, Rule, Rulebook
from engine.core.schema import Choice, Column, WholeNumber
from engine.errors import RulebookError

OTHER_TEXT = "(其他文字)"  # stands for every text value no rule names


@dataclass(frozen=True)
class Finding:
    check: str  # 声明 / 空缺 / 永不命中 / 被覆盖 / 冲突
    subject: str  # rule id or service name
    message: str
    example: str = ""  # an input row, in the clerk's words


def lint_directory(directory: str | Path) -> tuple[Rulebook | None, list[Finding]]:
    """Load and lint; a rulebook that does not even load is reported, not raised."""
    try:
        book = load_rulebook(directory)
    except RulebookError as error:
        lines = [line.strip() for line in str(error).splitlines()]
        return None, [Finding("声明", str(directory), line) for line in (lines[1:] or lines) if line]
    return book, lint(book)


def lint(book: Rulebook) -> list[Finding]:
    findings = list(_declarations(book))
    for service in book.services:
        findings.extend(_enumerate(book, service.code))
    return findings


def _declarations(book: Rulebook) -> Iterator[Finding]:
    seen: set[str] = set()
    for rule in book.unique_rules():
        subject = rule.id or "(无编号)"
        if not rule.id or not _ID.fullmatch(rule.id):
            yield Finding("声明", subject, "规则编号须形如 SERVICE-WHAT")
        elif rule.id in seen:
            yield Finding("声明", subject, "规则编号重复")
        seen.add(rule.id)
        if not rule.clause.strip():
            yield Finding("声明", subject, "缺少条款依据(clause)")
        if not rule.reason.strip():
            yield Finding("声明", subject, "缺少中文理由(reason)")


def _enumerate(book: Rulebook, service: str) -> Iterator[Finding]:
    schema = book.schema
    rules = book.rules_for(service)
    conditions = [(rule, condition_of(book, service, rule)) for rule in rules]
    keys = _keys_read(book, [c for _, c in conditions])
    columns = [c for c in schema.columns if c.key in keys and c.key != schema.dispatch]
    name = book.service_name(service)
    fired_ever: set[str] = set()
    decided_ever: set[str] = set()
    gap = None
    conflicts: dict[tuple[str, str], str] = {}
    for params in _periods(book, rules, [c for _, c in conditions]):
        domains = [_domain(column, service, conditions, params) for column in columns]
        for values in itertools.product(*domains):
            fact: dict[str, Any] = {schema.dispatch: service}
            fact.update({c.key: v for c, v in zip(columns, values) if v is not MISSING})
            if not _valid(columns, service, fact):
                continue
            fact.update({PARAM_PREFIX + k: v for k, v in params.items()})
            fired = [rule for rule, condition in conditions if condition.evaluate(fact)]
            if not fired:
                gap = gap or fact
                continue
            fired_ever.update(r.id for r in fired)
            best = min(book.rank(r.verdict) for r in fired)
            deciding = [r for r in fired if book.rank(r.verdict) == best]
            decided_ever.update(r.id for r in deciding)
            for first, second in itertools.combinations(deciding, 2):
                what = _conflict(first, second)
                if what and (first.id, second.id) not in conflicts:
                    conflicts[first.id, second.id] = _example(book, columns, fact)
                    yield Finding("冲突", f"{first.id} / {second.id}",
                                  f"{name}:同为「{first.verdict}」且同时命中,{what}不同,结果取决于规则书写顺序",
                                  conflicts[first.id, second.id])
    if gap is not None:
        yield Finding("空缺", name, f"{name}:有合法申请没有任何规则命中(会落到人工复核)", _example(book, columns, gap))
    for rule in rules:
        if rule.id not in fired_ever:
            yield Finding("永不命中", rule.id, f"{name}:任何合法申请都不会命中此规则(条件:{_words(book, rule)})")
        elif rule.id not in decided_ever:
            yield Finding("被覆盖", rule.id, f"{name}:此规则命中时总有更强结论的规则同时命中,其结论「{rule.verdict}」"
                                           "永远不会出现")


def _keys_read(book: Rulebook, conditions: list[Condition]) -> set[str]:
    """Columns the rules read, plus those deciding whether a read column may be blank."""
    keys = {k for c in conditions for k in c.keys() if not k.startswith(PARAM_PREFIX)}
    while True:
        more = {k for key in keys if key in book.schema.by_key and book.schema.by_key[key].required_when is not None
                for k in book.schema.by_key[key].required_when.keys()} - keys
        if not more:
            return keys
        keys |= more


def _periods(book: Rulebook, rules: tuple[Rule, ...], conditions: list[Condition]) -> list[dict[str, Any]]:
    """The parameter values in force, once per period in which they differ."""
    names = {p for c in conditions for p in c.params()} | {r.fee for r in rules if r.fee}
    if not book.parameters or not names:
        return [{}]
    starts = sorted({start for n in names for start, _ in book.parameters[n].values})
    periods = []
    for start in starts:
        in_force = book.parameters.on(start)
        if all(n in in_force for n in names):  # before that, rows are 人工复核 by design
            values = {n: in_force[n] for n in names}
            if values not in periods:
                periods.append(values)
    return periods or [{}]


def _domain(column: Column, service: str, conditions, params: dict[str, Any]) -> list[Any]:
    """Every value of the column the rules can tell apart, as the fact would hold it."""
    blank = MISSING if column.kind.blank is None else column.kind.blank
    if column.used_by is not None and service not in column.used_by:
        return [blank]
    kind = column.kind
    if isinstance(kind, Choice):
        values = list(kind.values)
    elif isinstance(kind, WholeNumber):
        values = _boundaries(column.key, kind.minimum, [c for _, c in conditions], params)
    else:
        values = sorted({str(v) for v in _literals(column.key, [c for _, c in conditions])}) + [OTHER_TEXT]
    if not column.required and blank not in values:
        values.append(blank)
    return values


def _boundaries(key: str, minimum: int, conditions: list[Condition], params: dict[str, Any]) -> list[int]:
    points = {minimum}
    for operand in _literals(key, conditions):
        value = params.get(operand.name) if isinstance(operand, Param) else operand
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            points.update({int(value) - 1, int(value), int(value) + 1})
    return sorted(p for p in points if p >= minimum)


def _literals(key: str, conditions: list[Condition]) -> list[Any]:
    found: list[Any] = []

    def walk(node: Condition) -> None:
        if isinstance(node, (All, AnyOf)):
            for part in node.parts:
                walk(part)
        elif isinstance(node, Compare) and node.key == key:
            found.append(node.operand)
        elif isinstance(node, (OneOf, NoneOf)) and node.key == key:
            found.extend(node.values)

    for condition in conditions:
        walk(condition)
    return found


def _valid(columns: list[Column], service: str, fact: dict[str, Any]) -> bool:
    """Would `normalise` accept this row, i.e. is no field it needs left blank?"""
    for column in columns:
        if column.used_by is not None and service not in column.used_by:
            continue
        value = fact.get(column.key, MISSING)
        if (value is MISSING or value == "") and column.required_when is not None \
                and column.required_when.evaluate(fact):
            return False
    return True


def _conflict(first: Rule, second: Rule) -> str:
    if first.place and second.place and first.place != second.place:
        return f"办理地点({first.place} / {second.place})"
    if first.fee and second.fee and first.fee != second.fee:
        return f"费用参数({first.fee} / {second.fee})"
    return ""


def _example(book: Rulebook, columns: list[Column], fact: dict[str, Any]) -> str:
    parts = [f"{book.schema.label(book.schema.dispatch)}={book.service_name(fact[book.schema.dispatch])}"]
    for column in columns:
        value = fact.get(column.key, MISSING)
        parts.append(f"{column.header}={'(空)' if value is MISSING or value == '' else value}")
    params = {k[len(PARAM_PREFIX):]: v for k, v in fact.items() if k.startswith(PARAM_PREFIX)}
    if params:
        parts.append("参数 " + ", ".join(f"{k}={v}" for k, v in params.items()))
    return ";".join(parts)


def _words(book: Rulebook, rule: Rule) -> str:
    return rule.when.words(book.schema.label) if rule.when is not None else "(该业务的所有申请)"


def report_lines(book: Rulebook | None, findings: list[Finding]) -> list[str]:
    lines = []
    if book is not None:
        lines.append(f"检查规则库 {book.name} 版本 {book.version}({book.directory})")
        lines.append(f"规则 {len(book.unique_rules())} 条,业务 {len(book.services)} 类")
    for finding in findings:
        lines.append(f"[{finding.check}] {finding.subject}: {finding.message}")
        if finding.example:
            lines.append(f"    例:{finding.example}")
    lines.append("未发现问题。" if not findings else f"发现问题 {len(findings)} 个。")
    return lines

