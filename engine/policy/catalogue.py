"""The rule catalogue: every rule, column and parameter in words, read from the
definitions the engine runs, so the catalogue cannot drift from what decides the rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterator

from engine.core.decide import rulesets
from engine.core.rulebook import ALWAYS, Rule, Rulebook, column_row
from engine.labels import shown_path
from engine.rulebook.source import written_row

EVERY_REQUEST = "(该业务的所有申请)"
INTERPRETATION = "解释性规则"  # the source text is silent; the rulebook decided, and policy staff may change it
PARAMETER_COLUMNS = ("参数", "说明", "类型", "单位", "生效日期", "值", "依据", "解释性")


@dataclass(frozen=True)
class Entry:
    """One rule as a policy officer reads it."""

    id: str
    name: str
    services: tuple[str, ...]  # service names, as the clerk knows them
    clause: str
    period: str  # 自 2027-01-01 起 …; empty when always in force
    conditions: str
    verdict: str
    fee: str
    missing: str
    place: str
    next: str
    reason: str
    interpretation: bool
    where: str  # the sheet and row it is written on

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}" if self.name else self.id

    @property
    def outcome(self) -> str:
        """``结论 受理;费用 工本费(换卡/补卡/信息变更须缴费时的工本费);办理地点 …``: what the rule does when it fires."""
        parts = [f"结论 {self.verdict}"]
        for label, value in (("费用", self.fee), ("缺少材料", self.missing), ("办理地点", self.place),
                             ("后续事项", self.next)):
            if value:
                parts.append(f"{label} {value}")
        return ";".join(parts)


def entries(book: Rulebook, *, values: bool = False) -> list[Entry]:
    """Shared rules first (with every service they apply to), then each service's own.
    ``values``: a fee or threshold shown as its value and unit (``工本费 20 元``), for
    readers who never see the parameter file (the desk's 规则 page)."""
    out = []
    for rule in book.common:
        out.append(entry(book, rule, tuple(book.service_name(s) for s in rule.services), values))
    for service in book.services:
        out.extend(entry(book, rule, (service.name,), values) for rule in service.rules)
    return out


def entry(book: Rulebook, rule: Rule, services: tuple[str, ...], values: bool = False) -> Entry:
    words = rule.when.words(book.schema.label) if rule.when is not None else EVERY_REQUEST
    fee = parameter_words(book, rule.fee) if values else fee_words(book, rule.fee)
    for name in book.parameters.names() if values and book.parameters else ():
        words = words.replace(f"参数 {name}", parameter_words(book, name))
    return Entry(rule.id, rule.name, services, rule.clause, rule.period.words(), words, rule.verdict,
                 fee, "、".join(rule.missing), rule.place, rule.next, rule.reason, rule.interpretation,
                 rule.at.cell())


def fee_words(book: Rulebook, name: str | None) -> str:
    if not name:
        return ""
    parameter = book.parameters[name] if book.parameters and name in book.parameters.names() else None
    return f"{name}({parameter.description})" if parameter and parameter.description else name


def parameter_words(book: Rulebook, name: str | None) -> str:
    """A parameter as people read it: what it is and its value with the unit (``工本费 20 元``),
    each dated value when it has several."""
    if not name:
        return ""
    parameter = book.parameters[name] if book.parameters and name in book.parameters.names() else None
    if parameter is None:
        return name
    if len(parameter.values) == 1:
        return f"{parameter.description} {value_words(parameter.values[0][1])} {parameter.unit}".rstrip()
    dated = ",".join(f"自 {start.isoformat()} 起 {value_words(value)} {parameter.unit}".rstrip()
                     for start, value in parameter.values)
    return f"{parameter.description}({dated})"


def text_lines(book: Rulebook) -> Iterator[str]:
    """The catalogue as plain text, for `sscard rules list`."""
    yield f"{book.name} 版本 {book.version}({shown_path(book.path)})"
    yield "结论优先级(多条规则命中时取最强者):" + " > ".join(book.verdicts)
    for item in entries(book):
        flag = f"  {INTERPRETATION}" if item.interpretation else ""
        yield ""
        yield f"{item.label}  [{'、'.join(item.services)}]  {item.clause}{flag}  {item.where}"
        if item.period:
            yield f"  生效:{item.period}"
        yield f"  条件:{item.conditions}"
        yield f"  结果:{item.outcome}"
        yield f"  理由:{item.reason}"
    dated = [column for column in book.schema.columns if column.period.dated]
    if dated:
        yield ""
        yield "有生效日期的输入列(此前的申请不需要该列,此前的批次可以没有该列):"
        for column in dated:
            yield f"{column.header}:{column.period.words()}  [{column_row(book, column)[3]}]"
    phrasings = phrasing_lines(book)
    if phrasings:
        yield ""
        yield "写法(经办人员的写法读作所列的值):"
        yield from (f"{words}" for _, words in phrasings)
    yield ""
    yield "参数(按申请日期取当时有效的值):"
    for parameter in book.parameters or ():
        flag = "  解释性规定" if parameter.interpretation else ""
        yield f"{parameter.name}:{parameter.description}({parameter.describe()}){flag}"
        for start, value in parameter.values:
            yield f"  自 {start.isoformat()} 起 {value_words(value)} {parameter.unit}".rstrip()
        yield f"  依据:{parameter.reference}"


def value_words(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else f"{value:g}"


def parameter_rows(book: Rulebook) -> list[list]:
    rows = []
    for parameter in book.parameters or ():
        for start, value in parameter.values:
            rows.append([parameter.name, parameter.description, parameter.describe(), parameter.unit, start, value,
                         parameter.reference, "是" if parameter.interpretation else "否"])
    return rows


def show(book: Rulebook, rule_id: str) -> list[str] | None:
    """`sscard rules show`: the rule as the policy officer wrote it (its sheet, row and
    cells) and, for each service it applies to, the durable-rules rule it compiles to:
    exactly what the evaluator of record runs."""
    rule = next((r for r in book.unique_rules() if r.id.casefold() == rule_id.strip().casefold()), None)
    if rule is None:
        return None
    lines = [f"{rule.label}:写在 {rule.at.cell()}"]
    lines += [f"  {heading}:{text}" for heading, text in written_row(book, rule.at)]
    compiled = rulesets(book)
    for service in book.services:
        if rule.id in compiled[service.code]:
            lines.append(f"交给 durable-rules 的规则(规则集 {service.code},业务 {service.name}):")
            lines.append("  " + json.dumps({rule.id: compiled[service.code][rule.id]}, ensure_ascii=False))
    return lines


def phrasing_lines(book: Rulebook) -> list[tuple[tuple, str]]:
    """Each phrasing in words (原因「卡丢了」读作「丢失」[挂失]:一直有效), keyed by all it says."""
    out = []
    for p in book.schema.wordings.phrasings:
        services = "全部业务" if p.services is None else "、".join(
            s.name for s in book.services if s.code in p.services)
        words = f"{book.schema.label(p.column)}「{p.written}」读作「{p.reads_as}」[{services}]:{p.period.words() or ALWAYS}"
        out.append(((p.column, p.written, p.reads_as, p.services, p.since, p.until), words))
    return out
