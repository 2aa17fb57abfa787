"""The rule catalogue: every rule and parameter in words, read from the definitions the
engine runs, so the catalogue cannot drift from what decides the rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from engine.core.rulebook import Rule, Rulebook
from engine.excel.writer import Styles, atomic_workbook, write_table

EVERY_REQUEST = "(该业务的所有申请)"
INTERPRETATION = "[interpretation] 解释性规则"
RULE_COLUMNS = ("规则编号", "业务类型", "条款", "条件", "结论", "费用", "缺少材料", "办理地点", "后续事项", "理由",
                "解释性规则")
PARAMETER_COLUMNS = ("参数", "说明", "单位", "生效日期", "值", "依据", "解释性")


@dataclass(frozen=True)
class Entry:
    """One rule as a policy officer reads it."""

    id: str
    name: str  # the rule's short Chinese name
    services: tuple[str, ...]  # service names, as the clerk knows them
    clause: str
    conditions: str
    verdict: str
    fee: str
    missing: str
    place: str
    next: str
    reason: str
    interpretation: bool


def entries(book: Rulebook) -> list[Entry]:
    """Shared rules first (with every service they apply to), then each service's own."""
    out = []
    for rule in book.common:
        out.append(_entry(book, rule, tuple(book.service_name(s) for s in rule.services)))
    for service in book.services:
        out.extend(_entry(book, rule, (service.name,)) for rule in service.rules)
    return out


def _entry(book: Rulebook, rule: Rule, services: tuple[str, ...]) -> Entry:
    words = rule.when.words(book.schema.label) if rule.when is not None else EVERY_REQUEST
    return Entry(rule.id, rule.name, services, rule.clause, words, rule.verdict, fee_words(book, rule.fee),
                 "、".join(rule.missing), rule.place, rule.next, rule.reason, rule.interpretation)


def fee_words(book: Rulebook, name: str | None) -> str:
    if not name:
        return ""
    parameter = book.parameters[name] if book.parameters and name in book.parameters.names() else None
    return f"{name}({parameter.description})" if parameter else name


def text_lines(book: Rulebook) -> Iterator[str]:
    """The catalogue as plain text, for `sscard rules list`."""
    yield f"{book.name} 版本 {book.version}({book.directory})"
    yield "结论优先级(多条规则命中时取最强者):" + " > ".join(book.verdicts)
    for entry in entries(book):
        flag = f"  {INTERPRETATION}" if entry.interpretation else ""
        yield ""
        yield f"{entry.id}  [{'、'.join(entry.services)}]  {entry.clause}{flag}"
        yield f"  条件:{entry.conditions}"
        outcome = [f"结论 {entry.verdict}"]
        for label, value in (("费用", entry.fee), ("缺少材料", entry.missing), ("办理地点", entry.place),
                             ("后续事项", entry.next)):
            if value:
                outcome.append(f"{label} {value}")
        yield "  结果:" + ";".join(outcome)
        yield f"  理由:{entry.reason}"
    yield ""
    yield "参数(按申请日期取当时有效的值):"
    for parameter in book.parameters or ():
        flag = f"  {INTERPRETATION}" if parameter.interpretation else ""
        yield f"{parameter.name}:{parameter.description}{flag}"
        for start, value in parameter.values:
            yield f"  自 {start.isoformat()} 起 {value:g} {parameter.unit}".rstrip()
        yield f"  依据:{parameter.reference}"


def parameter_rows(book: Rulebook) -> list[list]:
    rows = []
    for parameter in book.parameters or ():
        for start, value in parameter.values:
            rows.append([parameter.name, parameter.description, parameter.unit, start, value, parameter.reference,
                         "是" if parameter.interpretation else "否"])
    return rows


def write_catalogue(book: Rulebook, output: str | Path) -> Path:
    output = Path(output)
    rows = [[e.id, "、".join(e.services), e.clause, e.conditions, e.verdict, e.fee, e.missing, e.place, e.next,
             e.reason, "是" if e.interpretation else "否"] for e in entries(book)]
    with atomic_workbook(output, streaming=False) as workbook:
        styles = Styles(workbook, book.verdicts)
        write_table(workbook.add_worksheet("规则"), RULE_COLUMNS, rows, styles)
        write_table(workbook.add_worksheet("参数"), PARAMETER_COLUMNS, parameter_rows(book), styles)
        about = [("规则库", book.name), ("版本", book.version), ("目录", str(book.directory)),
                 ("SHA-256", book.digest), ("结论优先级", " > ".join(book.verdicts))]
        write_table(workbook.add_worksheet("说明"), ("项目", "内容"), about, styles)
    return output
