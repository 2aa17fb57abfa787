"""规则: the rule catalogue, read-only, from the very definitions that decide (as `sscard rules list`)."""

from __future__ import annotations

from flask import Blueprint, render_template

from desk.context import desk
from engine.policy import catalogue

blueprint = Blueprint("catalogue", __name__)


@blueprint.get("/rules")
def rules_page():
    book = desk().book
    entries = catalogue.entries(book)
    services = [(service.name, [e for e in entries if service.name in e.services]) for service in book.services]
    return render_template("rules.html", services=services, parameters=catalogue.parameter_rows(book),
                           columns=catalogue.PARAMETER_COLUMNS,
                           phrasings=[words for _, words in catalogue.phrasing_lines(book)])
