"""Static checks of a rulebook, by enumerating every input its rules can tell apart.

For each service, the columns its rules read take only a few values once a row is
normalised: each closed (Choice) value, blank where blank is allowed, and for whole
numbers the values either side of every threshold they are compared with.  Time is
enumerated the same way: one 申请日期 per stretch in which the rules, columns and
parameter values in force stay the same (a rule or column taking effect, a dated
parameter value).  Every combination that `normalise` would accept is run through
durable-rules, the evaluator of record, and through the same conditions in Python
(Condition.evaluate, which explain, required_when and the parameter check use).
That is enough to find:

- disagreements: durable-rules and Python fire different rules for one input, so an
  explanation or a required field could say something the decision does not;
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

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from engine.core.conditions import MISSING, PARAM_PREFIX, All, AnyOf, Compare, Condition, NoneOf, OneOf, Param
from engine.core.decide import Decider, condition_of, parameter_values
from engine.core.periods import date_boundaries
from engine.core.rulebook import Rule, Rulebook
from engine.core.schema import Choice, Column, WholeNumber
from engine.errors import RulebookError
from engine.labels import shown_path
from engine.rulebook.source import load_rulebook

OTHER_TEXT = "(其他文字)"  # stands for every text value no rule names


@dataclass(frozen=True)
class Finding:
    check: str  # 声明 / 分歧 / 空缺 / 永不命中 / 被覆盖 / 冲突
    subject: str  # where it is written (workbook, sheet, row), then the rule (ID and name) or service
    message: str
    example: str = ""  # an input row, in the clerk's words


def lint_file(path: str | Path, load: Callable[[Path], Rulebook] = load_rulebook
              ) -> tuple[Rulebook | None, list[Finding]]:
    """Read and lint; a rulebook that cannot be read is reported (every mistake), not raised."""
    try:
        book = load(Path(path))
    except RulebookError as error:
        return None, [Finding("声明", "", problem) for problem in error.problems]
    return book, lint(book)


def lint(book: Rulebook) -> list[Finding]:
    findings = [Finding("声明", "", problem) for problem in advice(book)]
    if findings:
        return findings  # a declaration that does not hold cannot be enumerated
    decider = Decider(book)
    for service in book.services:
        findings.extend(_enumerate(book, service.code, decider))
    return findings


def advice(book: Rulebook) -> Iterator[str]:
    """What a rule must say for the papers and 后续事项 to be whole (checked by lint, and so
    by publish, not when a rulebook is read: an archived rulebook without them still decides)."""
    for rule in book.unique_rules():
        if rule.missing and not rule.place.strip():
            yield f"{rule.at.cell('place')}:规则 {rule.id} 列出了缺少材料,须写明办理地点,告知申请人到哪里补正"
        if rule.verdict == book.unruled_verdict and not rule.next.strip():
            yield f"{rule.at.cell('next')}:规则 {rule.id} 的结论为「{rule.verdict}」,须在后续事项中写明由谁决定、核对什么"


def _rule_subject(rule: Rule) -> str:
    return f"{rule.at.cell()} {rule.label}".strip()


def _service_subject(book: Rulebook, service: str) -> str:
    found = next(s for s in book.services if s.code == service)
    return f"{book.path.name if book.path else ''}「{found.name}」"


@dataclass(frozen=True)
class Trial:
    """One input lint tries: the fact the rules see (parameters included)."""

    fact: dict[str, Any]
    columns: tuple[Column, ...]  # the columns it varies, for the example a person reads


def enumeration(book: Rulebook, service: str) -> Iterator[Trial]:
    """Every valid input of ``service`` its rules can tell apart, on every 申请日期 that
    differs (rules, columns or parameter values in force)."""
    schema = book.schema
    conditions = [condition_of(book, service, rule) for rule in book.rules_for(service)]
    keys = _keys_read(book, conditions)
    columns = tuple(c for c in schema.columns if c.key in keys and c.key not in (schema.dispatch,
                                                                                  schema.effective_date))
    for day, params in _days(book, service, conditions, columns):
        domains = [_domain(column, service, conditions, params, day) for column in columns]
        for values in itertools.product(*domains):
            fact: dict[str, Any] = {schema.dispatch: service}
            if day is not None:
                fact[schema.effective_date] = day
            fact.update({c.key: v for c, v in zip(columns, values) if v is not MISSING})
            if not _valid(columns, service, day, fact):
                continue
            fact.update({PARAM_PREFIX + k: v for k, v in params.items()})
            yield Trial(fact, columns)


def _enumerate(book: Rulebook, service: str, decider: Decider) -> Iterator[Finding]:
    rules = book.rules_for(service)
    conditions = [(rule, condition_of(book, service, rule)) for rule in rules]
    by_id = {rule.id: rule for rule in rules}
    order = {rule.id: index for index, rule in enumerate(rules)}
    name = book.service_name(service)
    fired_ever: set[str] = set()
    decided_ever: set[str] = set()
    gap = None
    disagreeing: set[frozenset] = set()  # the rules the two evaluators disagree on, reported once
    conflicts: set[tuple[str, str]] = set()
    for trial in enumeration(book, service):
        engine = frozenset(decider.fire(service, trial.fact))
        python = frozenset(rule.id for rule, condition in conditions if condition.evaluate(trial.fact))
        if engine != python and engine ^ python not in disagreeing:
            disagreeing.add(engine ^ python)
            yield Finding("分歧", "、".join(_rule_subject(by_id[i]) for i in sorted(engine ^ python)),
                          f"{name}:对同一申请,规则引擎命中 {_ids(engine)},Python 逐条核对命中 {_ids(python)};"
                          "explain 与必填判断会与实际决定不一致,请检查这些规则条件中取值的类型",
                          _example(book, trial))
        fired = [by_id[i] for i in engine]
        if not fired:
            gap = gap or trial
            continue
        fired_ever.update(engine)
        best = min(book.rank(r.verdict) for r in fired)
        deciding = sorted((r for r in fired if book.rank(r.verdict) == best), key=lambda r: order[r.id])
        decided_ever.update(r.id for r in deciding)
        for first, second in itertools.combinations(deciding, 2):
            what = _conflict(first, second)
            if what and (first.id, second.id) not in conflicts:
                conflicts.add((first.id, second.id))
                yield Finding("冲突", f"{_rule_subject(first)} / {_rule_subject(second)}",
                              f"{name}:同为「{first.verdict}」且同时命中,{what}不同,结果取决于规则书写顺序",
                              _example(book, trial))
    if gap is not None:
        yield Finding("空缺", _service_subject(book, service), "有合法申请没有任何规则命中(会落到人工复核)",
                      _example(book, gap))
    for rule in rules:
        if rule.id not in fired_ever:
            yield Finding("永不命中", _rule_subject(rule), f"{name}:任何合法申请都不会命中此规则(条件:{_words(book, rule)})")
        elif rule.id not in decided_ever:
            yield Finding("被覆盖", _rule_subject(rule), f"{name}:此规则命中时总有更强结论的规则同时命中,其结论「{rule.verdict}」"
                                              "永远不会出现")


def _ids(ids: frozenset) -> str:
    return "、".join(sorted(ids)) or "(无)"


def _keys_read(book: Rulebook, conditions: list[Condition]) -> set[str]:
    """Columns the rules read, plus those deciding whether a read column may be blank."""
    keys = {k for c in conditions for k in c.keys() if not k.startswith(PARAM_PREFIX)}
    while True:
        more = {k for key in keys if key in book.schema.by_key and book.schema.by_key[key].required_when is not None
                for k in book.schema.by_key[key].required_when.keys()} - keys
        if not more:
            return keys
        keys |= more


def _days(book: Rulebook, service: str, conditions: list[Condition], columns: tuple[Column, ...]
          ) -> list[tuple[dt.date | None, dict[str, Any]]]:
    """One 申请日期 per stretch of time in which what is in force stays the same, with the
    parameter values in force then; None when nothing the service reads depends on the date."""
    names = {p for c in conditions for p in c.params()} | {r.fee for r in book.rules_for(service) if r.fee}
    parameters = book.parameters
    starts = set(date_boundaries(conditions, book.schema.effective_date, parameter_values(book)))
    starts |= {start for n in names for start, _ in parameters[n].values}
    for column in columns:
        starts |= column.period.boundaries()
    if not starts:
        return [(None, {})]
    ordered = sorted(starts)
    out = []
    for day in [ordered[0] - dt.timedelta(days=1), *ordered]:
        in_force = parameters.on(day) if parameters else {}
        if all(n in in_force for n in names):  # before that, rows are 人工复核 by design
            out.append((day, {n: in_force[n] for n in names}))
    return out


def _domain(column: Column, service: str, conditions: list[Condition], params: dict[str, Any],
            day: dt.date | None) -> list[Any]:
    """Every value of the column the rules can tell apart, as the fact would hold it."""
    blank = MISSING if column.kind.blank is None else column.kind.blank
    if not column.in_use(service, day):
        return [blank]
    kind = column.kind
    if isinstance(kind, Choice):
        values = list(kind.values)
    elif isinstance(kind, WholeNumber):
        values = _boundaries(column.key, kind.minimum, conditions, params)
    else:
        values = sorted({str(v) for v in _literals(column.key, conditions)}) + [OTHER_TEXT]
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


def _valid(columns: tuple[Column, ...], service: str, day: dt.date | None, fact: dict[str, Any]) -> bool:
    """Would `normalise` accept this row, i.e. is no field it needs left blank?"""
    for column in columns:
        if not column.in_use(service, day):
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


def _example(book: Rulebook, trial: Trial) -> str:
    schema, fact = book.schema, trial.fact
    parts = [f"{schema.label(schema.dispatch)}={book.service_name(fact[schema.dispatch])}"]
    if schema.effective_date in fact:
        parts.append(f"{schema.label(schema.effective_date)}={fact[schema.effective_date].isoformat()}")
    for column in trial.columns:
        value = fact.get(column.key, MISSING)
        parts.append(f"{column.header}={'(空)' if value is MISSING or value == '' else value}")
    params = {k[len(PARAM_PREFIX):]: v for k, v in fact.items() if k.startswith(PARAM_PREFIX)}
    if params:
        parts.append("参数 " + ", ".join(f"{k}={v}" for k, v in params.items()))
    return ";".join(parts)


def _words(book: Rulebook, rule: Rule) -> str:
    words = rule.when.words(book.schema.label) if rule.when is not None else "(该业务的所有申请)"
    return f"{words};生效 {rule.period.words()}" if rule.period.dated else words


def report_lines(book: Rulebook | None, findings: list[Finding]) -> list[str]:
    lines = []
    if book is not None:
        lines.append(f"检查规则库 {book.name} 版本 {book.version}({shown_path(book.path)})")
        lines.append(f"规则 {len(book.unique_rules())} 条,业务 {len(book.services)} 类")
    for finding in findings:
        subject = f"{finding.subject}: " if finding.subject else ""
        lines.append(f"[{finding.check}] {subject}{finding.message}")
        if finding.example:
            lines.append(f"    例:{finding.example}")
    lines.append("未发现问题。" if not findings else f"发现问题 {len(findings)} 个。")
    return lines

