"""Who may open which page: each view says the roles it serves, and a request is let
through only for a person holding one of them.  A page that declares nothing is refused,
so a new page is closed until someone decides who it is for."""

from __future__ import annotations

from typing import Callable

from flask import abort, current_app, redirect, request, url_for

from desk.context import Person, current_person
from engine.office.accounts import ADMIN, AUDITOR, CLERK, POLICY, ROLES

EVERYONE = ROLES
# The pages a person moves between, in the order of the menu; each shows for the roles of its view.
MENU = (("批次检查", "batches.check_page"), ("查询", "auditing.query_page"), ("核验", "auditing.verify_page"),
        ("台账", "auditing.ledger_page"), ("规则", "catalogue.rules_page"),
        ("规则草案", "drafting.drafts_page"), ("账户", "office.accounts_page"),
        ("设置", "office.settings_page"))
_OPEN_ENDPOINTS = {"static"}

__all__ = ["ADMIN", "AUDITOR", "CLERK", "POLICY", "EVERYONE", "allowed", "public", "guard", "menu"]


def allowed(*roles: str) -> Callable:
    """The roles a page serves."""
    def mark(view: Callable) -> Callable:
        view.roles = roles  # type: ignore[attr-defined]
        return view
    return mark


def public(view: Callable) -> Callable:
    """A page anyone may open, signed in or not (signing in itself, the colours)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def may_open(endpoint: str, person: Person | None) -> bool:
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    if endpoint in _OPEN_ENDPOINTS or getattr(view, "public", False):
        return True
    return person is not None and person.has(*getattr(view, "roles", ()))


def menu(person: Person | None) -> list[tuple[str, str]]:
    return [(title, endpoint) for title, endpoint in MENU if may_open(endpoint, person)]


def guard():
    """Before every request: sign in first; then only the pages of one's roles."""
    endpoint = request.endpoint
    if endpoint is None or may_open(endpoint, None):
        return None  # an unknown address (404), or a public page
    person = current_person()
    if person is None:
        return redirect(url_for("sign_in.sign_in", next=request.full_path if request.method == "GET" else "/"))
    if may_open(endpoint, person):
        return None
    if endpoint == "batches.check_page":  # the front page: each role starts on its own first page
        first = menu(person)
        if first:
            return redirect(url_for(first[0][1]))
    abort(403)
