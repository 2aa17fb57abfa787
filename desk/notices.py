"""Papers for the applicant, from a decision workbook: the one call the desk's 打印告知书 makes.

It is `sscard notices DECISIONS.xlsx -o 告知书.pdf [--id …] --settings FILE`: the same engine
function, consulting the desk's ledger as that command does (nothing is printed from a
workbook the ledger does not confirm), with the settings file the desk was started with
(`serve --settings`, else as that command finds it), read at each printing, so what the
管理员 saved on 设置 is used by the next notice.
"""

from __future__ import annotations

from pathlib import Path

from engine.core.rulebook import Rulebook
from engine.papers.notices import write_notices as write_papers
from engine.papers.settings import load_settings
from engine.records.ledger import Ledger


def write_notices(decisions: Path, output: Path, request_ids: list[str] | None, book: Rulebook, ledger: Ledger,
                  settings: Path) -> Path:
    """Write the notices of ``request_ids`` (all rows when None) of ``decisions`` to the PDF ``output``."""
    write_papers(decisions, output, book, load_settings(settings), request_ids or (), ledger=ledger)
    return output
