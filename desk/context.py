"""What every page reaches: the running desk, and who is at the counter."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, session

from desk.config import DeskConfig
from desk.jobs import Lanes
from desk.store import Store
from engine.core.rulebook import Rulebook
from engine.office.accounts import ROLES, Accounts
from engine.records.ledger import Ledger


@dataclass
class Desk:
    config: DeskConfig
    book: Rulebook
    ledger: Ledger
    store: Store
    lanes: Lanes
    accounts: Accounts


@dataclass(frozen=True)
class Person:
    name: str
    roles: tuple[str, ...]
    signed_in: bool  # False: the one local user of a desk without accounts

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


def desk() -> Desk:
    return current_app.extensions["sscard_desk"]


def current_person() -> Person | None:
    """Who makes this request: the account its session belongs to (looked up on the server,
    so a session ended elsewhere is ended here); on a desk without accounts that only this
    machine can reach, the account that runs the server, in every role; else nobody."""
    if "person" not in g:
        d = desk()
        g.person = None
        if d.accounts.exist():
            token = session.get("sid")
            account = d.accounts.session(token) if isinstance(token, str) else None
            if account is not None:
                g.person = Person(account.name, account.roles, True)
        elif d.config.local_only:
            g.person = Person(d.config.os_user, ROLES, False)
    return g.person


def current_operator() -> str:
    """The one place the operator of a run is decided: the signed-in account's name."""
    person = current_person()
    assert person is not None, "every page but sign-in requires a person (sign_in.guard)"
    return person.name
