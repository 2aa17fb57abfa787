"""The one place that talks to durable-rules 2.0.28 (see docs/notes/ENGINE_NOTES.md).

What it guards against, each measured there:
- one session id for the whole batch, each fact retracted after it is judged,
  because 1024 live session ids crash the C core;
- no timer threads: the default Host's timers race with state changes;
- facts, not events, so every matching rule fires, not only the first;
- an exception inside an action is swallowed by durable-rules: it is re-raised here.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import durable.engine as durable

from engine.core.conditions import Condition, plain
from engine.errors import EngineFailure

_SID = "batch"


def definitions(rulesets: Mapping[str, Iterable[tuple[str, Condition]]]) -> dict[str, dict[str, Any]]:
    """The rulesets as durable-rules is handed them (plain JSON, without the actions that
    record a firing): what the archive keeps beside a published rulebook."""
    return {name: {rule_id: {"all": [{"m": condition.to_durable()}]} for rule_id, condition in rules}
            for name, rules in rulesets.items()}


class _QuietHost(durable.Host):
    """A Host whose timer loop never starts: this engine has no timers to run."""

    def _run(self) -> None:
        pass


class RuleRunner:
    """Runs facts through named rulesets and reports which rules fired."""

    def __init__(self, rulesets: Mapping[str, Iterable[tuple[str, Condition]]]):
        self._host = _QuietHost()
        self._fired: list[str] = []
        self._failures: list[str] = []
        self._host.set_rulesets({name: {rule_id: {**rule, "run": self._action(rule_id)} for rule_id, rule in rules.items()}
                                 for name, rules in definitions(rulesets).items()})

    def _action(self, rule_id: str):
        def record(c) -> None:
            try:
                self._fired.append(rule_id)
            except BaseException as error:  # pragma: no cover - recorded, then raised by fired()
                self._failures.append(f"{rule_id}: {error!r}")
        return record

    def fired(self, ruleset: str, fact: Mapping[str, Any]) -> list[str]:
        """IDs of every rule of ``ruleset`` whose condition ``fact`` meets."""
        self._fired, self._failures = [], []
        message = {key: plain(value) for key, value in fact.items()}
        message["sid"] = _SID
        try:
            state = self._host.assert_fact(ruleset, message)
        except durable.MessageNotHandledException:
            return []  # no rule matched: nothing was kept, nothing to retract
        try:
            if isinstance(state, dict) and state.get("exception"):
                raise EngineFailure(f"durable-rules 动作出错:{state['exception']}")
            if self._failures:
                raise EngineFailure("durable-rules 动作出错:" + "; ".join(self._failures))
            return list(self._fired)
        finally:
            self._host.retract_fact(ruleset, message)
