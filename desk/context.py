"""What every page reaches: the running desk, and who is at the counter."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from flask import current_app, session

from desk.config import DeskConfig
from desk.jobs import Lanes
from desk.store import Store
from engine.core.rulebook import Rulebook
from engine.records.ledger import Ledger


@dataclass
class Desk:
    config: DeskConfig
    book: Rulebook
    ledger: Ledger
    store: Store
    lanes: Lanes
    # address -> times of recent wrong access codes
    sign_in_failures: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))


def desk() -> Desk:
    return current_app.extensions["sscard_desk"]


def current_operator() -> str:
    """The one place the operator of a run is decided: the name the person signed in with,
    or, on a desk without sign-in (this machine only), the account that runs the server."""
    return session.get("operator") or desk().config.os_user
