"""Where each cell of a 结果 row goes, for the writer (check) and the readers (explain,
verify, notices) alike.

A clerk reads a request by who and what it is and what was decided, so 结果 opens with
行号 (the request's row in the batch, as 错误 and explain name it), the identifying input
columns (申请编号, 持卡人姓名, 业务类型), then the decision columns (结论 first), then
every other input column in input order, and the 核验码 last.  The 核验码 covers every
cell but itself, in this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from engine import labels


@dataclass(frozen=True)
class ResultLayout:
    input_headers: tuple[str | None, ...]  # by input column; None: a column not shown (empty, without header)
    leading: tuple[int, ...]  # input columns shown before the decision
    rest: tuple[int, ...]  # the other input columns shown, in input order

    @classmethod
    def of(cls, headers: Sequence[str | None], key_at: dict[str, int], identity: Sequence[str]) -> ResultLayout:
        leading = tuple(key_at[key] for key in identity if key in key_at)
        return cls(tuple(headers), leading,
                   tuple(i for i, header in enumerate(headers) if i not in leading and header is not None))

    @property
    def decision_at(self) -> int:
        """结果 column of 结论, the first decision column (columns left of it stay in view)."""
        return 1 + len(self.leading)

    @property
    def last_decision(self) -> int:
        return self.decision_at + len(labels.DECISION_COLUMNS) - 1

    @property
    def headers(self) -> list[str]:
        return [labels.ROW_NUMBER, *(self.input_headers[i] for i in self.leading), *labels.DECISION_COLUMNS,
                *(self.input_headers[i] for i in self.rest), labels.DIGEST]

    def kept(self, number: int, values: Sequence[Any]) -> list[Any]:
        """The cells beside the decision, in 结果 order: 行号 and the input cells (a row
        that ends before a column only some rows reach has a blank there)."""
        width = len(values)
        return [number, *(values[i] for i in self.leading), *(values[i] if i < width else None for i in self.rest)]

    def row(self, kept: Sequence[Any], decision: Sequence[Any], code: str) -> list[Any]:
        at = self.decision_at
        return [*kept[:at], *decision, *kept[at:], code]

    def column_of_input(self, index: int) -> int:
        if index in self.leading:
            return 1 + self.leading.index(index)
        return self.last_decision + 1 + self.rest.index(index)


def decision_block(header: Sequence[Any]) -> int | None:
    """Where the decision columns start in a 结果 header, or None if it is not one sscard wrote
    (they must be there together, in order, with the 核验码 last)."""
    names = ["" if h is None else str(h) for h in header]
    width = len(labels.DECISION_COLUMNS)
    if not names or names[-1] != labels.DIGEST:
        return None
    for start in range(len(names) - width):
        if tuple(names[start:start + width]) == labels.DECISION_COLUMNS:
            return start
    return None
