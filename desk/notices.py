"""Papers for the applicant, from a decision workbook: the one call the desk's 打印告知书 makes.

It is `sscard notices DECISIONS.xlsx -o 告知书.pdf [--id …]`: the same engine function,
consulting the desk's ledger as that command does (nothing is printed from a workbook the
ledger does not confirm), with the office's settings file found as that command finds it
(SSCARD_SETTINGS, else the user's configuration directory; without one the office lines
are left to be written by hand).
"""

from __future__ import annotations

from pathlib import Path

from engine.core.rulebook import Rulebook
from engine.papers.notices import write_notices as write_papers
from engine.papers.settings import load_settings
from engine.records.ledger import Ledger


def write_notices(decisions: Path, output: Path, request_ids: list[str] | None, book: Rulebook,
                  ledger: Ledger) -> Path:
    """Write the notices of ``request_ids`` (all rows when None) of ``decisions`` to the PDF ``output``."""
    write_papers(decisions, output, book, load_settings(), request_ids or (), ledger=ledger)
    return output
