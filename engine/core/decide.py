"""Fired rules -> one decision, by the rulebook's precedence.

The rules see only a handful of closed values per row, so a batch holds far fewer
distinct rule inputs than rows: each distinct input is run through durable-rules
once and its fired rules are remembered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from engine import labels
from engine.core.conditions import PARAM_PREFIX, All, Compare, Condition
from engine.core.durable_adapter import RuleRunner, definitions
from engine.core.normalise import Normalised, Problem
from engine.core.periods import date_boundaries, stretch_start
from engine.core.phrasings import READ_AS
from engine.core.rulebook import Rule, Rulebook


@dataclass(frozen=True)
class Decision:
    verdict: str
    fee: float | int = 0
    missing: tuple[str, ...] = ()
    place: str = ""
    next: str = ""
    basis: tuple[str, ...] = ()  # one line per fired rule or input problem
    rules: tuple[str, ...] = ()  # IDs, in the order of basis
    problems: tuple[Problem, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)  # parameter values this row was decided with
    rule_labels: tuple[str, ...] = ()  # "ID 名称" of each of ``rules``, as people read them
    unlisted: tuple[str, ...] = ()  # headers of columns whose value the service does not list (原因)

    def cells(self) -> list[Any]:
        """The decision columns as a clerk reads them (labels.DECISION_COLUMNS)."""
        return [self.verdict, self.fee, labels.LIST_SEPARATOR.join(self.missing), self.place, self.next,
                labels.LINE_SEPARATOR.join(self.basis), labels.LINE_SEPARATOR.join(self.rule_labels or self.rules)]


PARAMETER_NOT_IN_FORCE = "PARAMETER-NOT-IN-FORCE"
NO_RULE_FIRED = "NO-RULE-FIRED"
CACHE_LIMIT = 100_000  # distinct rule inputs remembered


def condition_of(book: Rulebook, service: str, rule: Rule) -> Condition:
    """The condition a rule runs with inside its service's ruleset: the service, the
    rule's period on the row's effective date (申请日期), then its own ``when``.

    The one place a rule's effective dates become part of what decides: durable-rules
    runs this, and lint, explain and the catalogue read it."""
    parts = (Compare(book.schema.dispatch, "==", service), *rule.period.conditions(book.schema.effective_date))
    if rule.when is None:
        return parts[0] if len(parts) == 1 else All(parts)
    return All(parts) & rule.when


def conditions_by_service(book: Rulebook) -> dict[str, list[tuple[str, Condition]]]:
    """Each service's ruleset: (rule ID, the condition it runs with), common rules first."""
    return {s.code: [(r.id, condition_of(book, s.code, r)) for r in book.rules_for(s.code)] for s in book.services}


def rulesets(book: Rulebook) -> dict[str, dict[str, Any]]:
    """The durable-rules rulesets the rulebook compiles to, per service, as JSON."""
    return definitions(conditions_by_service(book))


class Decider:
    def __init__(self, book: Rulebook):
        self.book = book
        self._rules: dict[str, dict[str, Rule]] = {}
        self._conditions: dict[str, dict[str, Condition]] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        self._params: dict[str, tuple[str, ...]] = {}
        self._days: dict[str, list[dt.date]] = {}
        by_service = conditions_by_service(book)
        for service in book.services:
            rules = book.rules_for(service.code)
            conditions = by_service[service.code]
            self._rules[service.code] = {r.id: r for r in rules}
            self._conditions[service.code] = dict(conditions)
            keys = set().union(*(c.keys() for _, c in conditions))
            self._keys[service.code] = tuple(sorted(keys))
            params = {k[len(PARAM_PREFIX):] for k in keys if k.startswith(PARAM_PREFIX)}
            self._params[service.code] = tuple(sorted(params | {r.fee for r in rules if r.fee}))
            self._days[service.code] = date_boundaries([c for _, c in conditions], book.schema.effective_date,
                                                       parameter_values(book))
        self._runner = RuleRunner(by_service)
        self._cache: dict[tuple, tuple[str, ...]] = {}
        # Rows alike in what decides them share one Decision (it is frozen): a batch is
        # combined, and sent between processes, once per distinct outcome, not per row.
        self._decisions: dict[tuple, Decision] = {}

    def decide(self, row: Normalised) -> Decision:
        book = self.book
        if row.problems:
            return self.invalid(row.problems)
        service = row.fact[book.schema.dispatch]
        day: dt.date = row.fact[book.schema.effective_date]
        in_force = book.parameters.on(day)
        params = {name: in_force[name] for name in self._params[service] if name in in_force}
        fact = dict(row.fact)
        fact.update({PARAM_PREFIX + name: value for name, value in params.items()})
        fired = self.fire(service, fact)
        unsettled = self._unsettled(service, fact, fired, params, day)
        key = (service, fired, unsettled, *params.items())
        decision = self._decisions.get(key)
        if decision is None:
            decision = self.combine(service, fired, params, unsettled)
            if len(self._decisions) >= CACHE_LIMIT:
                self._decisions.clear()
            self._decisions[key] = decision
        if not row.readings and not row.unlisted:
            return decision
        # What was typed and what it was read as stands beside the rules it led to.
        read = tuple(reading.basis for reading in row.readings)
        checks = (READ_AS,) if read else ()
        return replace(decision, basis=decision.basis + read, rules=decision.rules + checks,
                       rule_labels=decision.rule_labels + tuple(map(labels.check_label, checks)),
                       unlisted=tuple(row.unlisted))

    def _unsettled(self, service: str, fact: dict[str, Any], fired: tuple[str, ...], params: dict[str, Any],
                   day: dt.date) -> tuple[str, ...]:
        """Why no rule in force can settle this row: a parameter it needs has no value on ``day``.

        A rule reading such a parameter could not be evaluated; a fired rule charging
        such a fee cannot say how much.  Rules that settle the row without them still count.
        """
        book = self.book
        absent = [name for name in self._params[service] if name not in params]
        if not absent:
            return ()
        rules = self._rules[service]
        needed = {name for name in absent
                  if any(r.fee == name for i, r in rules.items() if i in fired)
                  or any(name in c.params() and c.could_hold(fact) for c in self._conditions[service].values())}
        return tuple(f"申请日期 {day.isoformat()} 早于参数 {name} 的首个生效日期 "
                     f"{book.parameters[name].values[0][0].isoformat()},无规则可依,须人工决定"
                     for name in absent if name in needed)

    def fire(self, service: str, fact: dict[str, Any]) -> tuple[str, ...]:
        relevant = {k: fact[k] for k in self._keys[service] if k in fact}
        # Every date between two boundaries gets the same answer from every condition,
        # so the dates of a batch share a handful of cache entries, not one each.
        day_key = self.book.schema.effective_date
        remembered = {**relevant, day_key: stretch_start(self._days[service], relevant[day_key])} \
            if day_key in relevant else relevant
        key = (service, *remembered.items())
        fired = self._cache.get(key)
        if fired is None:
            fired = tuple(self._runner.fired(service, relevant))
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()  # open text (原因) can make every row distinct: memory stays bounded
            self._cache[key] = fired
        return fired

    def combine(self, service: str, fired_ids: tuple[str, ...], params: dict[str, Any],
                unsettled: tuple[str, ...] = ()) -> Decision:
        book = self.book
        if not fired_ids and not unsettled:
            return self._engine_check(book.unruled_verdict, NO_RULE_FIRED, ("没有规则适用于此申请,须人工决定",),
                                      params=params, next=book.unruled_next)
        by_id = self._rules[service]
        order = list(by_id)
        fired = sorted((by_id[i] for i in fired_ids), key=lambda r: (book.rank(r.verdict), order.index(r.id)))
        verdict = fired[0].verdict if fired else book.unruled_verdict
        charged = verdict in book.charged_verdicts
        fee_unknown = charged and any(r.fee and r.fee not in params for r in fired)
        if unsettled and (fee_unknown or book.rank(verdict) > book.rank(book.unruled_verdict)):
            # Nothing in force settles it, or it would go ahead at a fee no parameter gives.
            return self._engine_check(book.unruled_verdict, PARAMETER_NOT_IN_FORCE, unsettled, params=params,
                                      next=book.unruled_next)
        fee = max((params[r.fee] for r in fired if r.fee), default=0) if charged else 0
        missing: tuple[str, ...] = ()
        if verdict == book.missing_verdict:
            missing = tuple(dict.fromkeys(doc for r in fired for doc in r.missing))
        place = next((r.place for r in fired if r.place), "")
        if verdict == book.missing_verdict and book.missing_next:
            # Nothing is issued yet: the row says what to bring and where, not what happens after.
            next_steps = book.next_for_missing(labels.LIST_SEPARATOR.join(missing), place)
        else:
            # What happens next belongs to the outcome: an accepted request carries the steps of
            # every rule that lets it go ahead (a fee rule, say), never those of a weaker outcome.
            follow = [r for r in fired if r.verdict == verdict or (charged and r.verdict in book.charged_verdicts)]
            next_steps = ";".join(dict.fromkeys(r.next for r in follow if r.next))
            if verdict == book.unruled_verdict and not next_steps:
                next_steps = book.unruled_next
        extra_rules = (PARAMETER_NOT_IN_FORCE,) if unsettled else ()
        return Decision(verdict, fee, missing, place, next_steps, tuple(r.basis for r in fired) + unsettled,
                        tuple(r.id for r in fired) + extra_rules, params=params,
                        rule_labels=tuple(r.label for r in fired) + tuple(map(labels.check_label, extra_rules)))

    def _engine_check(self, verdict: str, check: str, basis: tuple[str, ...], **fields: Any) -> Decision:
        return Decision(verdict, basis=basis, rules=(check,), rule_labels=(labels.check_label(check),), **fields)

    def invalid(self, problems: list[Problem] | tuple[Problem, ...]) -> Decision:
        checks = tuple(dict.fromkeys(p.check for p in problems))
        return Decision(self.book.invalid_verdict,
                        basis=tuple(f"{p.message}({p.clause})" for p in problems),
                        rules=checks, rule_labels=tuple(map(labels.check_label, checks)),
                        problems=tuple(problems))


def parameter_values(book: Rulebook) -> dict[str, list[Any]]:
    """Every dated value of every parameter, for conditions comparing a date with one."""
    return {p.name: [value for _, value in p.values] for p in book.parameters or ()}
