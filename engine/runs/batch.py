"""The one batch loop: every request row read, normalised, decided, and the duplicate-id
rule applied, in input order.  check, explain, verify, diff and rules test all decide
through it, so a row is decided the same way whichever command looks at it.

A 申请编号 used twice is only known once the whole batch was read, so the loop runs in
two passes: the first decides every row into a spool file (flat memory, a million rows
never sit in memory), the second replays it with the duplicates marked.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from engine.core.decide import Decider, Decision
from engine.core.normalise import Problem
from engine.core.rulebook import Rulebook
from engine.excel.reader import is_blank_row
from engine.files import scratch
from engine.runs.parallel import decide_rows

DUPLICATE_ID = "INPUT-DUPLICATE-ID"


@dataclass(frozen=True)
class DecidedRow:
    number: int  # the row's number in the workbook it was read from
    item: Any  # what the source gave for the row (its cell values, or a stored row)
    request_id: str | None
    service: str | None
    decision: Decision


def duplicate_problem(book: Rulebook, request_id: str, rows: list[int]) -> Problem:
    column = book.schema.by_key[book.schema.request_id]
    where = "、".join(f"第 {r} 行" for r in rows)
    return Problem(DUPLICATE_ID, column.header, request_id,
                   f"{column.header}「{request_id}」在本批次出现 {len(rows)} 次({where}),无法确定以哪一行为准",
                   column.clause, column.key)


class DecidedBatch:
    """A batch after the first pass: counts known, rows ready to replay in order."""

    def __init__(self, book: Rulebook, decider: Decider, spool, unique_ids: bool):
        self.book = book
        self.decider = decider
        self.rows = 0  # request rows (blank rows not counted)
        self.skipped = 0  # blank rows
        self.duplicates: dict[str, list[int]] = {}  # request id used more than once -> its row numbers
        self._spool = spool
        self._unique_ids = unique_ids

    def __iter__(self) -> Iterator[DecidedRow]:
        self._spool.seek(0)
        while True:
            try:
                number, item, request_id, service, decision = pickle.load(self._spool)
            except EOFError:
                return
            if self._unique_ids and request_id in self.duplicates:
                problem = duplicate_problem(self.book, request_id, self.duplicates[request_id])
                decision = self.decider.invalid([*decision.problems, problem])
            yield DecidedRow(number, item, request_id, service, decision)

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> DecidedBatch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def decide_batch(book: Rulebook, rows: Iterable[tuple[int, Any]], cells: Callable[[Any], dict[str, Any]], *,
                 decider: Decider | None = None, workers: int = 1, progress: Callable[[int], None] | None = None,
                 unique_ids: bool = True, blank: Callable[[Any], bool] = is_blank_row) -> DecidedBatch:
    """Decide every row of ``rows`` ((number, item) in input order; ``cells(item)`` gives its
    cells by schema key; ``blank(item)`` marks a row to skip).

    ``unique_ids`` applies the batch rule that a 申请编号 used twice makes every row carrying
    it 输入有误; a case workbook, where each row stands alone, turns it off."""
    decider = decider or Decider(book)
    spool = scratch.spool()  # owner-only, in the run's private folder, nameless
    result = DecidedBatch(book, decider, spool, unique_ids)
    # Only the first row of each id is remembered: a list per id would double the
    # memory a full worksheet of unique ids needs.
    first: dict[str, int] = {}
    repeated: dict[str, list[int]] = defaultdict(list)

    def requests():
        for number, item in rows:
            if blank(item):
                result.skipped += 1
                continue
            yield (number, item), cells(item)

    try:
        for (number, item), (request_id, service, decision) in decide_rows(book, requests(), workers, decider):
            if request_id and first.setdefault(request_id, number) != number:
                repeated[request_id].append(number)
            try:
                pickle.dump((number, item, request_id, service, decision), spool, pickle.HIGHEST_PROTOCOL)
            except OSError as error:
                raise scratch.TemporarySpaceError(error) from None
            result.rows += 1
            if progress and result.rows % 1000 == 0:
                progress(result.rows)
    except BaseException:
        spool.close()
        raise
    result.duplicates = {request_id: [first[request_id], *numbers] for request_id, numbers in repeated.items()}
    return result
