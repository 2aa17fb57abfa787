"""Decide rows on every core, in input order, with bounded memory.

durable-rules holds the GIL, so threads give nothing: each worker process loads its
own rulebook and engine, from the very bytes the main process loaded and hashed (never
from the folder again, which may have been edited since).  The main process keeps reading while workers decide; at
most a few chunks are in flight, so a million-row batch never sits in memory.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from engine.core.decide import Decider, Decision
from engine.core.normalise import normalise
from engine.core.rulebook import Rulebook
from engine.core.schema import ABSENT, is_blank, shown
from engine.rulebook.source import RulebookSource, load_source

CHUNK_ROWS = 2000
IN_FLIGHT_PER_WORKER = 2

Decided = tuple[Any, str | None, Decision]  # (request id as typed, service, decision)

_worker_decider: Decider | None = None

# A run killed outright (SIGKILL) cannot release its pool's named semaphores.
# multiprocessing's resource tracker, a process that outlives the run, does so, and then
# warns about the leak in English on the clerk's terminal.  It starts with the
# interpreter's -W options, so this one keeps it quiet (and cleaning).
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def spawn_context():
    """multiprocessing's spawn context (never a fork of a process that may hold native
    state or server threads), with the resource tracker kept quiet (see _QUIET_TRACKER)."""
    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)
    return multiprocessing.get_context("spawn")


def _start_worker(source: RulebookSource) -> None:
    global _worker_decider
    # Ctrl-C reaches the whole process group: the main process alone answers it (and
    # ends the pool), so a worker never prints a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker has nothing to tell the clerk: results and errors travel back to the main
    # process, which says them.  Once that process is gone (killed), a worker failing to
    # send its result back is expected, and must not print a traceback on the terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    _worker_decider = Decider(load_source(source))


def decide_one(decider: Decider, cells: dict[str, Any]) -> Decided:
    """The request id comes back as the clerk typed it, valid or not (None when blank): it is
    shown that way everywhere, recorded that way, and compared by its key (request_ids)."""
    book = decider.book
    row = normalise(book.schema, cells)
    typed = cells.get(book.schema.request_id)
    request_id = None if typed is ABSENT or is_blank(typed) else shown(typed).strip()
    return request_id, row.fact.get(book.schema.dispatch), decider.decide(row)


def _decide_chunk(chunk: list[dict[str, Any]]) -> list[Decided]:
    assert _worker_decider is not None
    return [decide_one(_worker_decider, cells) for cells in chunk]


def decide_rows(book: Rulebook, rows: Iterable[tuple[Any, dict[str, Any]]], workers: int,
                decider: Decider | None = None) -> Iterator[tuple[Any, Decided]]:
    """(tag, cells by key) in -> (tag, decided) out, in the same order.

    ``tag`` is whatever the caller needs back with the decision (row number, raw values).
    """
    chunks = _chunks(rows, CHUNK_ROWS)
    first, second = next(chunks, []), next(chunks, None)
    if workers <= 1 or second is None:  # a small batch is decided before a pool could start
        decider = decider or Decider(book)
        for chunk in itertools.chain([first], [second] if second else [], chunks):
            for tag, cells in chunk:
                yield tag, decide_one(decider, cells)
        return
    context = spawn_context()
    with _ignoring_interrupts():  # the workers start with Ctrl-C ignored, before _start_worker runs
        pool = context.Pool(workers, initializer=_start_worker, initargs=(book.source,))
    with pool:
        pending: deque = deque()
        for chunk in itertools.chain([first, second], chunks):
            tags = [tag for tag, _ in chunk]
            pending.append((tags, pool.apply_async(_decide_chunk, ([cells for _, cells in chunk],))))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from _collect(pending.popleft())
        while pending:
            yield from _collect(pending.popleft())


@contextmanager
def _ignoring_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may change signal handling (a web server's worker thread)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _collect(item) -> Iterator[tuple[Any, Decided]]:
    tags, result = item
    yield from zip(tags, result.get())


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

