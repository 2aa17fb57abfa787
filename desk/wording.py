"""What the engine says, as a page says it.

The engine's messages are written for both front doors, and some end with what to type
at a terminal (``请加 --password 运行``, ``可用 sscard template 生成``).  On the desk the
page itself offers the way (a password field, a template button), so such a clause is
left out; and the desk's own files are named as the person uploaded them."""

from __future__ import annotations

import re
from pathlib import Path

_TERMINAL = re.compile(r"--[a-z]|\bsscard\s+[a-z]|\bSSCARD_[A-Z_]+")
_CLAUSE = ";"


def for_the_page(text: str, names: dict[Path, str] | None = None) -> str:
    for path, name in (names or {}).items():
        text = text.replace(str(path), name)
    kept = [clause for clause in text.split(_CLAUSE) if not _TERMINAL.search(clause)]
    return _CLAUSE.join(kept) if kept else text
