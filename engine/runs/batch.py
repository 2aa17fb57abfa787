"""The one batch loop: every request row read, normalised, decided, and the duplicate-id
rule applied, in input order.  check, explain, verify, diff and rules test all decide
through it, so a row is decided the same way whichever command looks at it.

A 申请编号 used twice is only known once the whole batch was read, so the loop runs in
two passes: the first decides every row into a spool file (flat memory, a million rows
never sit in memory), the second replays it with the duplicates marked.  Two ids are
the same when their keys are (request_ids: letter case, full-width forms and dashes aside).
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from engine.core.decide import Decider, Decision
from engine.core.normalise import Problem
from engine.core.request_ids import request_key
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


def duplicate_problem(book: Rulebook, request_id: str, rows: list[tuple[int, str]]) -> Problem:
    """``rows``: (row number, the id as typed there) of every row carrying the id."""
    column = book.schema.by_key[book.schema.request_id]
    if len({typed for _, typed in rows}) == 1:
        where = "、".join(f"第 {number} 行" for number, _ in rows)
    else:  # written differently: say how, or the clerk sees two ids and no duplicate
        where = "、".join(f"第 {number} 行「{typed}」" for number, typed in rows) + \
            ";大小写、全角半角或连字符不同,也是同一个编号"
    return Problem(DUPLICATE_ID, column.header, request_id,
                   f"{column.header}「{request_id}」在本批次出现 {len(rows)} 次({where}),无法确定以哪一行为准",
                   column.clause, column.key)


class DecidedBatch:
    """A batch after the first pass: counts known, rows ready to replay in order."""

    def __init__(self, book: Rulebook, decider: Decider, spool, unique_ids: bool,
                 cells: Callable[[Any], dict[str, Any]] | None = None):
        self.book = book
        self.decider = decider
        self.cells = cells  # a row's cells by schema key, from its item
        self.rows = 0  # request rows (blank rows not counted)
        self.skipped = 0  # blank rows
        # The key of each request id used more than once -> (row number, id as typed) of
        # every row after the first; the first row's spelling is learnt on replay.
        self.duplicates: dict[str, list[tuple[int, str]]] = {}
        self._spool = spool
        self._unique_ids = unique_ids

    def is_duplicate(self, request_id: str | None) -> bool:
        return request_key(request_id) in self.duplicates

    def __iter__(self) -> Iterator[DecidedRow]:
        self._spool.seek(0)
        first_spelling: dict[str, tuple[int, str]] = {}
        while True:
            try:
                number, item, request_id, service, decision = pickle.load(self._spool)
            except EOFError:
                return
            key = request_key(request_id) if self._unique_ids and self.duplicates else None
            if key in self.duplicates:
                first = first_spelling.setdefault(key, (number, request_id))  # rows replay in input order
                problem = duplicate_problem(self.book, request_id, [first, *self.duplicates[key]])
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
    result = DecidedBatch(book, decider, spool, unique_ids, cells)
    # Only the first row of each id is remembered: a list per id would double the
    # memory a full worksheet of unique ids needs.
    first: dict[str, int] = {}
    repeated: dict[str, list[tuple[int, str]]] = defaultdict(list)

    def requests():
        for number, item in rows:
            if blank(item):
                result.skipped += 1
                continue
            yield (number, item), cells(item)

    try:
        for (number, item), (request_id, service, decision) in decide_rows(book, requests(), workers, decider):
            key = request_key(request_id)
            if key and first.setdefault(key, number) != number:
                repeated[key].append((number, request_id))
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
    result.duplicates = dict(repeated)
    return result
