"""What every declaration of a rulebook (a rule, an input column, a phrasing) carries
besides its own content: where it is written (the workbook, sheet, row and the cell of
each of its fields, so a message sends the policy officer to the cell to change) and the
dates it is in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.core.periods import Period


@dataclass(frozen=True)
class Where:
    """A row of a rulebook sheet; ``cells`` maps a field (``fee``, a column's header for a
    condition) to the column letter it is written in."""

    book: str = ""  # the workbook's file name
    sheet: str = ""
    row: int = 0
    cells: tuple[tuple[str, str], ...] = ()

    def cell(self, name: str | None = None) -> str:
        """``规则库.xlsx「补卡」H7``; the row (``第 7 行``) when the field has no cell of its own."""
        letter = dict(self.cells).get(name) if name is not None else None
        place = f"{letter}{self.row}" if letter and self.row else (f"第 {self.row} 行" if self.row else "")
        return f"{self.book}「{self.sheet}」{place}" if self.sheet else self.book


NOWHERE = Where()


@dataclass(frozen=True)
class Written:
    # In force only for rows dated (申请日期) in this period; ``until`` is the last day.
    since: dt.date | None = field(default=None, kw_only=True)
    until: dt.date | None = field(default=None, kw_only=True)
    at: Where = field(default=NOWHERE, kw_only=True, compare=False, repr=False)
    period: Period = field(init=False, default=Period(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "period", Period(self.since, self.until))  # read for every cell: made once
