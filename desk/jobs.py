"""Work runs beside the page, not in it.

Checks, verifications, explanations and notices run in worker processes, never in the web
server's threads: durable-rules holds the GIL while it decides.  There are two lanes of
workers.  Small uploads go to one, big ones to the other, so a 100,000-row batch never
takes the slot a colleague's 20-row batch needs; within a lane, work waits its turn.
Each worker loads the rulebook once, from the very bytes the server loaded and hashed,
and decides its task alone (one process per task: a second core is the other lane's).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from desk import results
from desk.notices import write_notices
from desk.store import Job
from engine.auditors.explain import Explanation, explain
from engine.auditors.recorded import rulebook_for
from engine.auditors.verify import Verification, verify_workbook
from engine.core.loader import RulebookSource, load_source
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.decision_workbook import open_decisions
from engine.records.archive import Archive
from engine.records.digests import RULEBOOK_DIGEST
from engine.records.ledger import Ledger
from engine.runs.check import Summary, check_batch
from engine.runs.parallel import default_workers

log = logging.getLogger("sscard.desk")

SMALL_UPLOAD_BYTES = 1 << 20  # about 10,000 rows
SMALL_LANE_WORKERS = 2
# durable-rules keeps every engine a worker ever built: a worker is replaced after this many tasks.
TASKS_PER_WORKER = 50

_book: Rulebook | None = None
_archive: Archive | None = None


class Lanes:
    def __init__(self, book: Rulebook, archive: Archive | None = None, large_workers: int | None = None):
        context = multiprocessing.get_context("spawn")  # no fork of a process running server threads

        def lane(workers: int) -> ProcessPoolExecutor:
            return ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                       initargs=(book.source, archive), max_tasks_per_child=TASKS_PER_WORKER)
        self._small = lane(SMALL_LANE_WORKERS)
        self._large = lane(large_workers or max(1, default_workers() // 2))
        for executor in (self._small, self._large):
            executor.submit(_ready)  # start a worker now, not when the first clerk waits for it

    def submit(self, size: int, task: Callable[..., Any], *args: Any) -> Future:
        """Run ``task(*args)`` in a worker; ``size`` (bytes of the file it reads) picks the lane."""
        return (self._small if size <= SMALL_UPLOAD_BYTES else self._large).submit(task, *args)

    def close(self) -> None:
        for executor in (self._small, self._large):
            executor.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():  # a 100,000-row check does not hold up a stop
            child.terminate()
            child.join(5)


def _start_worker(source: RulebookSource, archive: Archive | None) -> None:
    global _book, _archive
    os.umask(0o077)  # what a worker writes (decision workbooks, results) holds personal data
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then ends its workers
    _book = load_source(source)
    _archive = archive


def _ready() -> None:
    pass


def _rulebook() -> Rulebook:
    assert _book is not None, "the worker's rulebook is loaded by its initializer"
    return _book


# Tasks: each runs in a worker and calls the engine as the matching command does.

def check(folder: str, name: str, operator: str, ledger: str) -> dict[str, Any]:
    job = Job(Path(folder))
    book = _rulebook()
    job.set_progress("读取与判定", 0)
    with results.Recorder(job.index, book.schema) as table:
        summary = check_batch(job.input, job.output, book, workers=1, ledger=_ledger(ledger), operator=operator,
                              input_name=name, command_line=f"sscard serve:网页上传 {name}",
                              progress=lambda rows: job.set_progress("读取与判定", rows), on_row=table.add,
                              on_restart=table.restart)
    job.output.chmod(0o600)  # a decision workbook names people: private, whatever the umask
    return summary_record(summary, book)


def verify(workbook: str, batch: str | None, ledger: str) -> Verification:
    return verify_workbook(workbook, _judged_by(Path(workbook)), batch, _ledger(ledger))


def why(workbook: str, request_id: str) -> Explanation:
    return explain(workbook, request_id, _judged_by(Path(workbook)))


def _ledger(path: str) -> Ledger:
    # Built here, not sent: a Ledger carries its messenger.  A wait for a busy ledger goes to the log.
    return Ledger(path, notify=log.warning)


def _judged_by(workbook: Path) -> Rulebook:
    """As `sscard explain` and `verify` do: a decision workbook is judged by the rulebook it
    was decided with, the desk's own when its 审计 sheet names that one, else the archived one."""
    book = _rulebook()
    decisions = open_decisions(workbook)
    try:
        recorded = decisions.audit.get(RULEBOOK_DIGEST)
    finally:
        decisions.close()
    if _archive is None or recorded in (None, book.digest):
        return book
    return rulebook_for(workbook, None, book.directory, _archive)


def notices(workbook: str, output: str, request_ids: list[str] | None) -> str:
    return str(write_notices(Path(workbook), Path(output), request_ids, _rulebook()))


def summary_record(summary: Summary, book: Rulebook) -> dict[str, Any]:
    """What the page shows of a check's summary, as plain data kept with the job."""
    known = [s.name for s in book.services]
    services = sorted(summary.by_service, key=lambda s: known.index(s) if s in known else len(known))
    return {
        "run_id": summary.run_id,
        "sheet": summary.sheet,
        "sheet_found_by_name": summary.sheet_found_by_name,
        "rows": summary.rows,
        "skipped": summary.skipped,
        "problems": summary.problems,
        "verdicts": {v: summary.verdicts[v] for v in book.verdicts},
        "by_service": [[s, {v: summary.by_service[s][v] for v in book.verdicts}, summary.due[s], summary.pending[s]]
                       for s in services],
        "total_due": summary.total_due,
        "total_pending": summary.total_pending,
    }


def outcome(future: Future, names: dict[Path, str]) -> Any:
    """The task's result; an engine error comes back as one line naming the files as the
    person uploaded them (``names``: stored path -> uploaded name), never sscard's own paths."""
    try:
        return future.result()
    except SscardError as error:
        message = str(error)
        for path, name in names.items():
            message = message.replace(str(path), name)
        raise type(error)(message) from None
