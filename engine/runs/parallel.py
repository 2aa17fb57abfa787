"""Read, decide and write at the same time, each in processes of its own.

    reading process --rows--> deciding processes --decided rows--> this process (writes)

openpyxl and durable-rules hold the GIL, so threads would give nothing.  Chunk i of the
batch goes to decider i mod n and is collected from it in turn, so the rows come back in
input order without sorting, and each pipe holds at most about a chunk: a million-row
batch never sits in memory.  The reader and the deciders load their own rulebook from
the very bytes this process loaded and hashed (never from the folder again, which may
have been edited since).

Every pipe end lives in exactly one process.  When one of them ends (done, failed,
killed), the others' next send or receive on its pipes fails and they end too, so
nothing is left waiting after this process is killed outright.  The helpers ignore
Ctrl-C, which reaches the whole process group: this process alone answers it and ends
them.  They write no file: whatever holds personal data at rest is this process's, in
the run's private folder.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from engine.core.decide import Decider, Decision
from engine.core.normalise import normalise
from engine.core.rulebook import Rulebook
from engine.core.schema import ABSENT, Schema, is_blank, shown
from engine.errors import SscardError
from engine.excel.reader import Batch, count_rows, is_blank_row
from engine.rulebook.source import RulebookSource, load_source

CHUNK_ROWS = 2000
FIRST_CHUNK_ROWS = 250
# A batch of fewer rows is read and decided in this process: starting the helper
# processes would take longer than they save.  Rows are counted (up to this many) in a
# file under SMALL_BATCH_BYTES, never guessed from its size: repeated values compress
# to almost nothing, 45,000 rows fit in 172 KB.
HELPERS_FROM_ROWS = 2000
SMALL_BATCH_BYTES = 256 * 1024
# Reading and writing are one stream each, and each takes three to four times as long
# as deciding: a third decider would only wait.
MAX_DECIDERS = 2
_END = b""  # a decider's last message: no more chunks

Opener = Callable[[Path, Schema], Batch]  # a module's function: it travels to the reading process by name

Decided = tuple[Any, str | None, Decision]  # (request id as typed, service, decision)

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


def decide_one(decider: Decider, cells: dict[str, Any]) -> Decided:
    """The request id comes back as the clerk typed it, valid or not (None when blank): it is
    shown that way everywhere, recorded that way, and compared by its key (request_ids)."""
    book = decider.book
    row = normalise(book.schema, cells)
    typed = cells.get(book.schema.request_id)
    request_id = None if typed is ABSENT or is_blank(typed) else shown(typed).strip()
    return request_id, row.fact.get(book.schema.dispatch), decider.decide(row)


def chunks(rows: Iterable, size: int = CHUNK_ROWS, first: int | None = None) -> Iterator[list]:
    """Lists of ``size`` rows; with ``first``, the first lists are that long and double
    up to ``size`` (so that the rows start flowing before a whole chunk was read)."""
    chunk: list = []
    length = min(first or size, size)
    for row in rows:
        chunk.append(row)
        if len(chunk) >= length:
            yield chunk
            chunk, length = [], min(2 * length, size)
    if chunk:
        yield chunk


def in_helpers(path: Path, schema: Schema, workers: int, password: object) -> bool:
    """Whether a batch is worth reading and deciding in helper processes.  A protected
    batch never is: its password does not leave this process (protection.Password)."""
    return workers > 1 and password is None and (
        path.stat().st_size >= SMALL_BATCH_BYTES or count_rows(path, schema, HELPERS_FROM_ROWS) > HELPERS_FROM_ROWS)


class HelperFailed(Exception):
    """A reading or deciding process failed for a reason that is sscard's fault."""


class Pipeline:
    """The helper processes reading and deciding one batch.

    ``batch`` is the batch as opened by the reader (without its workbook); iterating
    gives (rows, the same pickled) per chunk, in input order, each row (number, cell
    values, request id, service, decision).  ``skipped`` (blank rows) and
    ``batch.unheaded`` are final once the iteration ends."""

    def __init__(self) -> None:
        self._processes: list = []
        self._mine: list = []  # this process's pipe ends
        self._from_reader: Any = None
        self._from_deciders: list = []
        self.skipped = 0
        self.batch: Batch | None = None

    def start(self, book: Rulebook, path: Path, workers: int, opener: Opener) -> None:
        context = spawn_context()
        self._from_reader, reader_out = context.Pipe(duplex=False)
        self._mine.append(self._from_reader)
        to_deciders = []
        for _ in range(min(max(1, workers - 1), MAX_DECIDERS)):
            decider_in, reader_to_decider = context.Pipe(duplex=False)
            from_decider, decider_out = context.Pipe(duplex=False)
            self._mine.append(from_decider)
            self._start(context, _decide, book.source, decider_in, decider_out)
            to_deciders.append(reader_to_decider)
            self._from_deciders.append(from_decider)
        self._start(context, _read, book.source, opener, path, to_deciders, reader_out)
        self.batch = self._receive(self._from_reader)

    def _start(self, context, target, *args) -> None:
        process = context.Process(target=target, args=args, daemon=True)
        with _ignoring_interrupts(), _main_left_out():
            process.start()
        self._processes.append(process)
        for end in args:  # the child's ends now live in the child alone
            for connection in end if isinstance(end, list) else [end]:
                if isinstance(connection, multiprocessing.connection.Connection):
                    connection.close()

    def __iter__(self) -> Iterator[tuple[list, bytes]]:
        deciders = self._from_deciders
        index = 0
        while True:
            data = _collect(deciders[index % len(deciders)], self._from_reader)
            if data == _END:
                break
            rows = pickle.loads(data)
            if isinstance(rows, _Failure):
                rows.raise_it()
            yield rows, data
            index += 1
        self.skipped, self.batch.unheaded = self._receive(self._from_reader)

    @staticmethod
    def _receive(connection) -> Any:
        """The reader's first or last message: the batch as opened, or what is left to know."""
        try:
            message = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            raise HelperFailed("the reading process ended unexpectedly") from None
        if isinstance(message, _Failure):
            message.raise_it()
        return message

    def close(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
        for connection in self._mine:
            connection.close()


def _collect(connection, reader) -> bytes:
    """The next chunk of decided rows from a decider (or its last message)."""
    try:
        return connection.recv_bytes()
    except (EOFError, OSError):
        pass
    # A decider ended without its last message: the reader may have said why (a failure
    # that ended it before it could tell the deciders that the rows were over).
    try:
        message = pickle.loads(reader.recv_bytes()) if reader.poll(1) else None
    except (EOFError, OSError):
        message = None
    if isinstance(message, _Failure):
        message.raise_it()
    raise HelperFailed("a reading or deciding process ended unexpectedly")


@contextmanager
def read_and_decide(book: Rulebook, path: Path, workers: int, opener: Opener) -> Iterator[Pipeline]:
    """The batch at ``path``, opened by ``opener(path, schema)`` in one helper process,
    which reads it, and decided by ``workers - 1`` others (at least one, at most
    MAX_DECIDERS); raises what opening the batch raises (a refusal, one line)."""
    pipeline = Pipeline()
    try:
        pipeline.start(book, path, workers, opener)
        yield pipeline
    finally:
        pipeline.close()


# --- in the helper processes ---------------------------------------------------------

class _Failure:
    """What went wrong in a helper, sent to this process to be raised here."""

    def __init__(self, error: BaseException):
        self.error: BaseException = HelperFailed(type(error).__name__)
        if isinstance(error, (SscardError, OSError)):  # said to the person as in this process
            try:
                self.error = pickle.loads(pickle.dumps(error))
            except Exception:
                self.error = SscardError(str(error)) if isinstance(error, SscardError) else OSError(error.errno, "")

    def raise_it(self) -> None:
        raise self.error


def _read(*args) -> None:
    _as_helper(_read_batch, *args)


def _decide(*args) -> None:
    _as_helper(_decide_chunks, *args)


def _as_helper(run, *args) -> None:
    """A helper's body: Ctrl-C ignored, every failure sent on to the main process, and a
    vanished main process the end of the helper."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A helper has nothing to tell the clerk: what it finds travels to the main process,
    # which says it.  Nothing it could print (a traceback of its own) reaches the terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    report = args[-1]
    try:
        run(*args)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass  # a pipe closed: the main process (or the reader) ended first; nothing waits for this one
    except BaseException as error:
        try:
            report.send_bytes(pickle.dumps(_Failure(error)))
        except Exception:
            pass


def _read_batch(source: RulebookSource, opener: Opener, path: Path, to_deciders: list, report) -> None:
    batch = opener(path, load_source(source).schema)
    try:
        shape = pickle.dumps(dataclasses.replace(batch, _workbook=None, _handle=None, _marks=[]))
        for connection in (report, *to_deciders):
            connection.send_bytes(shape)
        skipped = 0
        failure = None

        def requests():
            nonlocal skipped
            for number, values in batch.rows():
                if is_blank_row(values):
                    skipped += 1
                else:
                    yield number, values
        try:
            for index, chunk in enumerate(chunks(requests(), first=FIRST_CHUNK_ROWS)):
                to_deciders[index % len(to_deciders)].send_bytes(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))
        except SscardError as error:  # a row past the first cannot be read: the rows before it are decided
            failure = _Failure(error)
        for connection in to_deciders:
            connection.send_bytes(_END)
        report.send_bytes(pickle.dumps(failure or (skipped, batch.unheaded)))
    finally:
        batch.close()


def _decide_chunks(source: RulebookSource, rows_in, report) -> None:
    decider = Decider(load_source(source))
    batch: Batch = pickle.loads(rows_in.recv_bytes())
    while (data := rows_in.recv_bytes()) != _END:
        decided = [(number, values, *decide_one(decider, batch.cells(values))) for number, values in pickle.loads(data)]
        report.send_bytes(pickle.dumps(decided, pickle.HIGHEST_PROTOCOL))
    report.send_bytes(_END)


@contextmanager
def _main_left_out() -> Iterator[None]:
    """Spawn runs the main script (cli.py and all it imports) again in every process it
    starts, which doubles a helper's start-up time and memory; a helper needs none of it
    (its target lives in this module), so spawn is shown no main script while it starts one."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


@contextmanager
def _ignoring_interrupts() -> Iterator[None]:
    """Helpers are born ignoring Ctrl-C, before their target says so itself."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may change signal handling (a web server's worker thread)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
