"""What every declaration of a rule folder (a ``Rule``, a ``Column``) carries besides its
own content: where it was written (the file and line of its call, so a message can send
the policy officer there) and the dates it is in force."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.periods import Period

_ENGINE = str(Path(__file__).resolve().parent.parent) + os.sep
_SKIP = ("<", os.path.dirname(dataclasses.__file__) + os.sep)  # generated __init__, the standard library


def declared_at() -> tuple[str, int]:
    """(file, line) of the nearest caller outside sscard's engine and the standard library."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_ENGINE) and not filename.startswith(_SKIP):
            return filename, frame.f_lineno
        frame = frame.f_back
    return "", 0


def where(origin: tuple[str, int]) -> str:
    """``reissue.py 第 12 行``, the file shown relative to the working directory when under it."""
    filename, line = origin
    if not filename:
        return ""
    shown = shown_path(filename)
    return f"{shown} 第 {line} 行" if line else shown


def shown_path(path: str | Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


@dataclass(frozen=True)
class Declaration:
    # In force only for rows dated (申请日期) in this period; ``until`` is the last day.
    since: dt.date | None = field(default=None, kw_only=True)
    until: dt.date | None = field(default=None, kw_only=True)
    origin: tuple[str, int] = field(init=False, default=("", 0), compare=False, repr=False)
    period: Period = field(init=False, default=Period(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin", declared_at())
        object.__setattr__(self, "period", Period(self.since, self.until))  # read for every cell: made once
