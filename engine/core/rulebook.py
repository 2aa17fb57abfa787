"""A rulebook: rules, schema, parameters and verdicts, as the rulebook workbook declares
them (engine.rulebook reads it).

engine.core.validation checks how the pieces fit when the rulebook is read: a bad
declaration fails there, naming the cell it is written in, instead of deciding rows wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.core.conditions import Condition
from engine.core.parameters import Parameters
from engine.core.schema import Column, Schema
from engine.core.written import NOWHERE, Where, Written


@dataclass(frozen=True)
class Rule(Written):
    """One rule, one clause, one reason; in force on the dates it says (``since``, ``until``)."""

    id: str
    clause: str
    reason: str
    verdict: str
    when: Condition | None = None  # None: every request of the service
    fee: str | None = None  # name of the parameter charged when the request goes ahead
    missing: tuple[str, ...] = ()  # documents still to bring, as named in the input header (after 材料:)
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


@dataclass(frozen=True)
class Notice:
    """The paper an applicant is handed for one 结论 (``sscard notices``)."""

    title: str
    opening: str  # the first sentence: what was decided
    fee_label: str = "费用"
    # What follows, in order: "missing" (every document still to bring), "reasons" (why,
    # with the clause: the rules of this 结论), "place" (办理地点), "next" (后续事项),
    # "appeal" (how to contest the decision: 行政复议 and 行政诉讼, from the office's settings).
    sections: tuple[str, ...] = ()
    place_label: str = "办理地点"


@dataclass(frozen=True)
class Service:
    """A kind of request, with its own rules (its sheet of the rulebook workbook)."""

    code: str
    name: str
    clause: str
    rules: tuple[Rule, ...] = ()
    at: Where = field(default=NOWHERE, compare=False, repr=False)


# The words a 后续事项 text of the rulebook uses for what the row itself supplies.
MISSING_PLACEHOLDER = "〔缺少材料〕"
PLACE_PLACEHOLDER = "〔办理地点〕"


@dataclass
class Rulebook:
    name: str
    schema: Schema
    services: tuple[Service, ...]
    common: tuple[Rule, ...]
    verdicts: tuple[str, ...]  # strongest first
    invalid_verdict: str  # the row itself cannot be read
    unruled_verdict: str  # no parameter in force, or no rule applies: a person decides
    charged_verdicts: tuple[str, ...]  # the fee is shown only for these
    missing_verdict: str  # 缺少材料 is filled only for this one
    parameters: Parameters
    # 后续事项 of a row missing documents: what to bring and where (MISSING_PLACEHOLDER,
    # PLACE_PLACEHOLDER), instead of the steps of acceptance, which come only once the
    # documents are there.
    missing_next: str = ""
    # 后续事项 of a row no rule in force settles (unruled_verdict): who decides, what to check.
    unruled_next: str = ""
    notices: dict[str, Notice] = field(default_factory=dict)  # 结论 -> its paper; none: no paper
    # The title of the source text whose paragraphs the clauses cite as §N, as an applicant's
    # paper names it: 《解疑社保一卡通8大问题》 (see citation).
    source_title: str = ""
    # Set from the content when read, never by hand (engine.records.archive): the
    # publication date and short digest, or 草案 and the digest for an unpublished one.
    version: str = ""
    # filled by engine.rulebook when the workbook is read
    path: Path | None = None  # the workbook it was read from
    digest: str = ""  # SHA-256 of its content (engine.rulebook.content): its identity
    source: Any = None  # the RulebookSource it was read from: the exact bytes that decide

    def next_for_missing(self, missing: str, place: str) -> str:
        return self.missing_next.replace(MISSING_PLACEHOLDER, missing).replace(PLACE_PLACEHOLDER, place)

    def rules_for(self, service: str) -> tuple[Rule, ...]:
        """Every rule a request of ``service`` is judged by, common rules first."""
        own = next(s.rules for s in self.services if s.code == service)
        return tuple(r for r in self.common if service in r.services) + own

    def unique_rules(self) -> list[Rule]:
        return list(self.common) + [r for s in self.services for r in s.rules]

    def service_name(self, code: str) -> str:
        return next((s.name for s in self.services if s.code == code), code)

    def rank(self, verdict: str) -> int:
        return self.verdicts.index(verdict)

    def citation(self, clause: str) -> str:
        """A clause as an applicant can look it up: §4 → 《source》第4条, §7(一) → 《source》第7条(一);
        any other clause (C3: the rulebook's own) → 《rulebook name》C3."""
        paragraph = _PARAGRAPH.fullmatch(clause)
        if paragraph and self.source_title:
            return f"{self.source_title}第{paragraph[1]}条{paragraph[2]}"
        return f"《{self.name}》{clause}" if clause and not paragraph else clause


_PARAGRAPH = re.compile(r"§\s*(\d+)(.*)")


ALWAYS = "一直有效"  # the period of a rule or column without dates, in words
COLUMN_COLUMNS = ("列", "是否必填", "取值", "适用业务", "生效", "说明")


def column_row(book: Rulebook, column: Column) -> tuple[str, str, str, str, str, str]:
    """(列, 是否必填, 取值, 适用业务, 生效, 说明): a column as the template's 说明 sheet,
    the catalogue and the rulebook document describe it."""
    used = "全部业务" if column.used_by is None else "、".join(
        s.name for s in book.services if s.code in column.used_by)
    need = "必填" if column.required else ("按业务必填" if column.required_when is not None else "选填")
    return column.header, need, column.kind.describe(), used, column.period.words() or ALWAYS, column.help
