"""A rulebook: rules, schema, parameters and verdicts, as a rule folder declares them.

``validate`` runs at load (engine.core.loader): a bad declaration fails there,
naming the rule, instead of deciding rows wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.core.conditions import PARAM_PREFIX, Condition
from engine.core.parameters import Parameters
from engine.core.schema import Schema
from engine.errors import RulebookError


@dataclass(frozen=True)
class Rule:
    """One rule, one clause, one reason."""

    id: str
    clause: str
    reason: str
    verdict: str
    when: Condition | None = None  # None: every request of the service
    fee: str | None = None  # name of the parameter charged when the request goes ahead
    missing: tuple[str, ...] = ()  # documents still to bring, as named in the input header
    place: str = ""
    next: str = ""
    interpretation: bool = False  # the source text is silent; policy staff decided
    services: tuple[str, ...] = ()  # for a rule shared by several services
    name: str = ""  # a short Chinese name, shown beside the ID wherever people read rules

    @property
    def basis(self) -> str:
        return f"{self.reason}({self.clause})"

    @property
    def label(self) -> str:
        """The ID with its name, as people read it: ``REISSUE-ACCEPT 挂失后补卡``."""
        return f"{self.id} {self.name}" if self.name else self.id


NOTICE_SECTIONS = ("missing", "reasons", "place", "next")


@dataclass(frozen=True)
class Notice:
    """The paper an applicant is handed for one 结论 (``sscard notices``)."""

    title: str
    opening: str  # the first sentence: what was decided
    fee_label: str = "费用"
    # What follows, in order: "missing" (every document still to bring), "reasons" (why,
    # with the clause: the rules of this 结论), "place" (办理地点), "next" (后续事项).
    sections: tuple[str, ...] = ()
    place_label: str = "办理地点"


@dataclass(frozen=True)
class Service:
    """A kind of request.  Its rules are the ``RULES`` of the rule folder's module named by
    its code, attached at load: the list of services is declared once."""

    code: str
    name: str
    clause: str
    rules: tuple[Rule, ...] = ()


@dataclass
class Rulebook:
    name: str
    version: str
    schema: Schema
    services: tuple[Service, ...]
    common: tuple[Rule, ...]
    verdicts: tuple[str, ...]  # strongest first
    invalid_verdict: str  # the row itself cannot be read
    unruled_verdict: str  # no parameter in force, or no rule applies: a person decides
    charged_verdicts: tuple[str, ...]  # the fee is shown only for these
    missing_verdict: str  # 缺少材料 is filled only for this one
    parameters_file: str = "parameters.toml"
    # 后续事项 of a row missing documents: what to bring and where ({missing}, {place}),
    # instead of the steps of acceptance, which come only once the documents are there.
    missing_next: str = ""
    # 后续事项 of a row no rule in force settles (unruled_verdict): who decides, what to check.
    unruled_next: str = ""
    notices: dict[str, Notice] = field(default_factory=dict)  # 结论 -> its paper; none: no paper
    # filled by engine.core.loader.load_rulebook
    directory: Path | None = None
    parameters: Parameters | None = None
    digest: str = ""
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    source: Any = None  # the RulebookSource it was loaded from: the exact bytes that decide

    def rules_for(self, service: str) -> tuple[Rule, ...]:
        """Every rule a request of ``service`` is judged by, common rules first."""
        own = next(s.rules for s in self.services if s.code == service)
        return tuple(r for r in self.common if service in r.services) + own

    def all_rules(self) -> list[tuple[str, Rule]]:
        """(service, rule) for every rule as it runs, shared rules once per service."""
        return [(s.code, r) for s in self.services for r in self.rules_for(s.code)]

    def unique_rules(self) -> list[Rule]:
        return list(self.common) + [r for s in self.services for r in s.rules]

    def service_name(self, code: str) -> str:
        return next((s.name for s in self.services if s.code == code), code)

    def rank(self, verdict: str) -> int:
        return self.verdicts.index(verdict)


_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+")


def validate(book: Rulebook) -> None:
    """Fail fast on a declaration that would decide rows wrongly or silently."""
    problems: list[str] = []
    schema = book.schema
    codes = {s.code for s in book.services}
    seen: dict[str, Rule] = {}
    headers = {c.header for c in schema.columns}
    params = set(book.parameters.names()) if book.parameters else set()
    for extra in (book.invalid_verdict, book.unruled_verdict, book.missing_verdict, *book.charged_verdicts):
        if extra not in book.verdicts:
            problems.append(f"结论「{extra}」不在 verdicts 中")
    dispatch = schema.by_key.get(schema.dispatch)
    accepted = set(getattr(dispatch.kind, "values", ())) if dispatch else set()
    if dispatch is None:
        problems.append(f"schema 的 dispatch 列 {schema.dispatch} 不在列清单中")
    elif accepted != codes:
        problems.append(f"列「{dispatch.header}」接受的值({'/'.join(sorted(accepted))})与业务清单"
                        f"({'/'.join(sorted(codes))})不一致;请从业务清单派生该列的取值")
    for key in (*schema.identity, *schema.papers):
        if key not in schema.by_key:
            problems.append(f"schema 的 identity / papers 中的 {key} 不在列清单中")
    for column in schema.columns:
        if column.key.startswith(PARAM_PREFIX):
            problems.append(f"列 {column.header} 的键 {column.key} 以 {PARAM_PREFIX} 开头,与参数冲突")
    for rule in book.unique_rules():
        where = f"规则 {rule.id or '(无编号)'}"
        if not _ID.fullmatch(rule.id or ""):
            problems.append(f"{where}:编号须形如 SERVICE-WHAT(大写字母、数字、连字符)")
        if rule.id in seen:
            problems.append(f"{where}:编号重复")
        seen[rule.id] = rule
        if not rule.clause.strip():
            problems.append(f"{where}:缺少条款依据(clause)")
        if not rule.reason.strip():
            problems.append(f"{where}:缺少中文理由(reason)")
        if not rule.name.strip():
            problems.append(f"{where}:缺少简短的中文名称(name)")
        if rule.verdict not in book.verdicts:
            problems.append(f"{where}:结论「{rule.verdict}」不是 {'/'.join(book.verdicts)} 之一")
        if rule.fee and rule.fee not in params:
            problems.append(f"{where}:费用参数 {rule.fee} 未在 {book.parameters_file} 中定义")
        for doc in rule.missing:
            if not any(h.endswith(doc) for h in headers):
                problems.append(f"{where}:缺少材料「{doc}」不是输入表头中的材料")
        if rule.missing and not rule.place.strip():
            problems.append(f"{where}:列出缺少材料的规则须写明办理地点(place),告知申请人到哪里补正")
        if rule.verdict == book.unruled_verdict and not rule.next.strip():
            problems.append(f"{where}:结论为「{rule.verdict}」的规则须在后续事项(next)中写明由谁决定、核对什么")
        if rule.when is not None:
            for key in rule.when.keys():
                if key.startswith(PARAM_PREFIX):
                    if key[len(PARAM_PREFIX):] not in params:
                        problems.append(f"{where}:条件引用的参数 {key[len(PARAM_PREFIX):]} 未定义")
                elif key not in schema.by_key:
                    problems.append(f"{where}:条件引用了未知的列 {key}")
        for service in rule.services:
            if service not in codes:
                problems.append(f"{where}:适用业务 {service} 不存在")
    for verdict, notice in book.notices.items():
        if verdict not in book.verdicts:
            problems.append(f"告知书「{notice.title}」的结论「{verdict}」不在 verdicts 中")
        for section in notice.sections:
            if section not in NOTICE_SECTIONS:
                problems.append(f"告知书「{notice.title}」的内容 {section} 不是 {'/'.join(NOTICE_SECTIONS)} 之一")
    try:
        book.missing_next.format(missing="", place="")
    except (KeyError, IndexError, ValueError):
        problems.append("missing_next 只能使用 {missing} 和 {place} 两个占位符")
    for service in book.services:
        for rule in service.rules:
            if rule.services:
                problems.append(f"规则 {rule.id}:业务模块中的规则不应再声明 services")
    if problems:
        raise RulebookError("规则库有误:\n  " + "\n  ".join(problems))

