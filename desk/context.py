"""What every page reaches: the running desk, and who is at the counter."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import current_app, g, session

from desk.config import DeskConfig
from desk.jobs import Lanes
from desk.store import Store
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.files.outputs import stamp
from engine.office.accounts import ROLES, Accounts
from engine.office.drafts import Drafts
from engine.records.archive import Archive, archive_beside
from engine.records.ledger import Ledger

log = logging.getLogger("sscard.desk")


@dataclass
class Desk:
    config: DeskConfig
    book: Rulebook  # the live rulebook, as the desk decides with it now (refresh)
    ledger: Ledger
    store: Store
    lanes: Lanes
    accounts: Accounts
    archive: Archive | None = None  # published rulebooks; by default the archive beside the live one
    drafts: Drafts = field(init=False)
    _seen: tuple | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.archive = self.archive or archive_beside(self.book.path)
        self.drafts = Drafts(self.config.data)
        self._seen = stamp(self.book.path)

    def refresh(self) -> None:
        """Decide with the live rulebook as it is now: once it was replaced (published on the
        desk, or by `sscard rules publish`), the next batch and every page use the new one."""
        if stamp(self.book.path) == self._seen:
            return
        with self._lock:
            now = stamp(self.book.path)
            if now == self._seen:
                return
            try:
                book = self.archive.load(self.book.path)
            except SscardError as error:  # half-saved by hand, say: keep deciding with the one loaded
                log.warning("现行规则库 %s 无法读取,仍使用版本 %s:%s", self.book.path, self.book.version, error)
                return
            if (book.digest, book.version) != (self.book.digest, self.book.version) and self.lanes is not None:
                self.lanes.use(book)
            self.book, self._seen = book, now


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
