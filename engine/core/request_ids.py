"""When two request ids are the same id (RULEBOOK.md, 申请编号).

A clerk types an id as it comes: ``SQ-0005``, ``sq-0005``, ``ＳＱ－０００５`` or, pasted
from a word processor, ``SQ‐0005`` with a typographic hyphen.  They are one request
written four ways, so ids are compared by a key: Unicode NFKC (full-width forms to plain
ones), letter case folded, and every dash read as ``-``.  The id is still shown as typed
everywhere; only comparisons use the key.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# ‐ ‑ ‒ – — ― －: after NFKC only the full-width one is already "-".
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\uff0d"
_TO_HYPHEN = str.maketrans(dict.fromkeys(DASHES, "-"))


def request_key(value: Any) -> str | None:
    """The key two spellings of one request id share; None for no id (blank)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(value)).casefold())
    key = text.translate(_TO_HYPHEN).strip()
    return key or None
