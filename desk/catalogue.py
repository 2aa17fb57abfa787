"""规则: the rule catalogue, read-only, from the very definitions that decide (as `sscard rules list`),
with every fee and threshold as its value and unit, and the versions published (from the
ledger).  Every role may read it; a rule change is drafted and approved by policy staff
(desk.drafting)."""

from __future__ import annotations

from flask import Blueprint, render_template

from desk.access import EVERYONE, allowed
from desk.context import desk
from engine.policy import catalogue
from engine.records.ledger import LedgerMissing, Publication

blueprint = Blueprint("catalogue", __name__)
PARAMETER_COLUMNS = ("参数", "类型", "生效日期", "值", "依据", "解释性")


@blueprint.get("/rules")
@allowed(*EVERYONE)
def rules_page():
    book = desk().book
    entries = catalogue.entries(book, values=True)
    services = [(service.name, [e for e in entries if service.name in e.services]) for service in book.services]
    parameters = [[description, kind, start, f"{catalogue.value_words(value)} {unit}".rstrip(), reference, flag]
                  for _, description, kind, unit, start, value, reference, flag in catalogue.parameter_rows(book)]
    return render_template("rules.html", services=services, parameters=parameters, columns=PARAMETER_COLUMNS,
                           phrasings=[words for _, words in catalogue.phrasing_lines(book)],
                           publications=publications())


def publications() -> list[Publication]:
    """Every publication of a rulebook the desk's ledger records (none while it has no ledger)."""
    try:
        return desk().ledger.publications()
    except LedgerMissing:
        return []
