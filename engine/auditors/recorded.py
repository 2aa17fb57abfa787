"""Which rulebook an auditor's command judges a workbook by.

A decision workbook is explained and verified with the rulebook it was decided with:
the archived one its 审计 sheet names by SHA-256, so a workbook from a year ago is read
under last year's rules.  ``--rules`` overrides (e.g. to see what today's rules would
say); a batch workbook, never decided, is judged by the live rulebook.
"""

from __future__ import annotations

from pathlib import Path

from engine.core.rulebook import Rulebook
from engine.excel.decision_workbook import is_decision_workbook, open_decisions
from engine.files.protection import Password
from engine.records.archive import Archive
from engine.records.digests import RULEBOOK_DIGEST, RULEBOOK_VERSION


def rulebook_for(workbook: Path, rules: Path | None, live: Path, archive: Archive,
                 password: Password | None = None) -> Rulebook:
    """``password`` opens a protected decision workbook."""
    if rules is not None:
        return archive.load(rules)
    if not is_decision_workbook(workbook, password):
        return archive.load(live)
    decisions = open_decisions(workbook, password)
    try:
        audit = decisions.audit
    finally:
        decisions.close()
    digest = audit.get(RULEBOOK_DIGEST)
    if not digest:  # verify reports the missing line; explain says which rulebook it used
        return archive.load(live)
    return archive.rulebook(str(digest), str(audit.get(RULEBOOK_VERSION) or ""))
