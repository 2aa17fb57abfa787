"""The one batch loop: every request row read, normalised, decided, and the duplicate-id
rule applied, in input order.  check, explain, verify, diff and rules test all decide
through it, so a row is decided the same way whichever command looks at it.

A 申请编号 used twice makes every row carrying it 输入有误, rows read long before
included, so a row is final only once the whole batch has been read.  Rows are taken a
chunk at a time as they are decided and kept in a spool file (flat memory: a million
rows never sit in memory).  ``stream()`` hands each row on at once, to a caller that can
start over (check writes the workbook meanwhile): most batches hold no duplicate and
are done in that one pass.  When one turns up, ``StartOver`` is raised, and iterating
the batch replays the spool from the start with the duplicates marked.
``decide_batch`` decides every row first, for callers that go through the rows once.
Two ids are the same when their keys are (request_ids: letter case, full-width forms
and dashes aside).
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from engine.core.decide import Decider, Decision
from engine.core.normalise import Problem
from engine.core.request_ids import request_key
from engine.core.rulebook import Rulebook
from engine.core.schema import Schema
from engine.errors import EmptyBatch
from engine.excel.reader import Batch, is_blank_row, open_batch
from engine.files import scratch
from engine.files.protection import Password
from engine.runs.parallel import chunks, decide_one, in_helpers, read_and_decide

DUPLICATE_ID = "INPUT-DUPLICATE-ID"


@dataclass(frozen=True)
class DecidedRow:
    number: int  # the row's number in the workbook it was read from
    item: Any  # what the source gave for the row (its cell values, or a stored row)
    request_id: str | None
    service: str | None
    decision: Decision


class StartOver(Exception):
    """Rows already handed on are not final after all: iterate the batch again."""


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


class RepeatedIds:
    """The 申请编号 a batch uses more than once, compared by their keys (request_ids),
    and the rows carrying them."""

    def __init__(self) -> None:
        # Only the first row of each key, without its spelling (learnt again on replay):
        # more would double the memory a full worksheet of unique ids needs.
        self._first: dict[str, int] = {}
        self._more: dict[str, list[tuple[int, str]]] = defaultdict(list)  # (row, id as typed) after the first

    def see(self, request_id: str | None, number: int) -> None:
        key = request_key(request_id)
        if key and self._first.setdefault(key, number) != number:
            self._more[key].append((number, request_id))

    def __bool__(self) -> bool:
        return bool(self._more)

    def __contains__(self, request_id: str | None) -> bool:
        return request_key(request_id) in self._more

    def replayed(self) -> Callable[[int, str | None], list[tuple[int, str]] | None]:
        """For a replay in input order: (row, id) -> every row carrying that id, with its
        spelling there, when there is more than one."""
        first_spelling: dict[str, tuple[int, str]] = {}

        def rows_of(number: int, request_id: str | None) -> list[tuple[int, str]] | None:
            key = request_key(request_id) if self._more else None
            if key not in self._more:
                return None
            return [first_spelling.setdefault(key, (number, request_id)), *self._more[key]]
        return rows_of


class DecidedBatch:
    """A batch's rows as they are decided (``stream``), or final (iteration).

    ``chunks`` gives (rows, the same pickled or None) per chunk in input order, each row
    (number, item, request id, service, decision), and its ``skipped`` (blank rows) once
    it is done."""

    def __init__(self, book: Rulebook, decider: Decider, chunks, *, unique_ids: bool = True,
                 progress: Callable[[int], None] | None = None, cells: Callable[[Any], dict[str, Any]] | None = None):
        self.book = book
        self.decider = decider
        self.cells = cells  # a row's cells by schema key, from its item
        self.rows = 0  # request rows (blank rows not counted)
        self.duplicates = RepeatedIds()
        self._source = chunks
        self._chunks = iter(chunks)
        self._unique_ids = unique_ids
        self._progress = progress
        self._spool = scratch.spool()  # owner-only, in the run's private folder, nameless

    @property
    def skipped(self) -> int:
        """Blank rows, known once every row was taken."""
        return self._source.skipped

    def _take(self) -> Iterator[list]:
        """Each chunk not taken yet, spooled and its ids noted before it is handed on."""
        for rows, pickled in self._chunks:
            try:
                if pickled is None:
                    pickle.dump(rows, self._spool, pickle.HIGHEST_PROTOCOL)
                else:
                    self._spool.write(pickled)
            except OSError as error:
                raise scratch.TemporarySpaceError(error) from None
            for row in rows:
                self.duplicates.see(row[2], row[0])
            self.rows += len(rows)
            if self._progress:
                self._progress(self.rows)
            yield rows

    def stream(self) -> Iterator[DecidedRow]:
        """Each row as soon as it is decided.  Raises StartOver once a 申请编号 turns up
        a second time: what was made of the rows so far must be dropped, and the batch
        iterated again."""
        for rows in self._take():
            if self._unique_ids and self.duplicates:
                raise StartOver
            for number, item, request_id, service, decision in rows:
                yield DecidedRow(number, item, request_id, service, decision)

    def read_all(self) -> None:
        """Decide every row not decided yet: counts and duplicates are then final."""
        for _ in self._take():
            pass

    def __iter__(self) -> Iterator[DecidedRow]:
        self.read_all()
        self._spool.seek(0)
        same_id = self.duplicates.replayed() if self._unique_ids else lambda number, request_id: None
        while True:
            try:
                rows = pickle.load(self._spool)
            except EOFError:
                return
            for number, item, request_id, service, decision in rows:
                same = same_id(number, request_id)
                if same:
                    decision = self.decider.invalid([*decision.problems, duplicate_problem(self.book, request_id, same)])
                yield DecidedRow(number, item, request_id, service, decision)

    def is_duplicate(self, request_id: str | None) -> bool:
        return request_id in self.duplicates

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> DecidedBatch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _DecidedHere:
    """Rows read and decided in this process, a chunk at a time."""

    def __init__(self, rows: Iterable[tuple[int, Any]], cells: Callable[[Any], dict[str, Any]],
                 blank: Callable[[Any], bool], decider: Decider):
        self._rows, self._cells, self._blank, self._decider = rows, cells, blank, decider
        self.skipped = 0

    def __iter__(self) -> Iterator[tuple[list, None]]:
        cells, decider = self._cells, self._decider
        for chunk in chunks(self._requests()):
            yield [(number, item, *decide_one(decider, cells(item))) for number, item in chunk], None

    def _requests(self) -> Iterator[tuple[int, Any]]:
        for number, item in self._rows:
            if self._blank(item):
                self.skipped += 1
            else:
                yield number, item


def decide_batch(book: Rulebook, rows: Iterable[tuple[int, Any]], cells: Callable[[Any], dict[str, Any]], *,
                 decider: Decider | None = None, unique_ids: bool = True,
                 blank: Callable[[Any], bool] = is_blank_row) -> DecidedBatch:
    """Decide every row of ``rows`` ((number, item) in input order; ``cells(item)`` gives its
    cells by schema key; ``blank(item)`` marks a row to skip); iterate the result for them.

    ``unique_ids`` applies the batch rule that a 申请编号 used twice makes every row carrying
    it 输入有误; a case workbook, where each row stands alone, turns it off."""
    decider = decider or Decider(book)
    decided = DecidedBatch(book, decider, _DecidedHere(rows, cells, blank, decider), unique_ids=unique_ids,
                           cells=cells)
    try:
        decided.read_all()
    except BaseException:
        decided.close()
        raise
    return decided


def open_requests(path: Path, schema: Schema, password: Password | None = None) -> Batch:
    """The batch workbook at ``path``, refused when no row below its header holds a value."""
    batch = open_batch(path, schema, password=password)
    try:
        if not batch.has_requests():
            raise EmptyBatch(f"{path} 工作表「{batch.sheet}」只有表头,没有一行申请(像是未填写的模板);"
                             "未作判定,未写出决定工作簿,也未记入账本。请从第 2 行起每行填写一项申请后重试")
    except BaseException:
        batch.close()
        raise
    return batch


@contextmanager
def streamed_batch(path: Path, book: Rulebook, *, workers: int = 1, password: Password | None = None,
                   progress: Callable[[int], None] | None = None) -> Iterator[tuple[Batch, DecidedBatch]]:
    """The batch workbook at ``path``, opened (a refusal is raised here, before any row is
    decided), and its rows as they are decided: read by a process of its own and decided
    by others while this one writes (parallel.py) when ``workers`` allows and the batch
    is worth it."""
    decider = Decider(book)
    if in_helpers(path, book.schema, workers, password):
        with read_and_decide(book, path, workers, open_requests) as pipeline, \
                DecidedBatch(book, decider, pipeline, progress=progress) as decided:
            yield pipeline.batch, decided
        return
    batch = open_requests(path, book.schema, password)
    try:
        with DecidedBatch(book, decider, _DecidedHere(batch.rows(), batch.cells, is_blank_row, decider),
                          progress=progress) as decided:
            yield batch, decided
    finally:
        batch.close()
