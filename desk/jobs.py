"""Work runs beside the page, not in it.

Checks, verifications, explanations and notices run in worker processes, never in the web
server's threads: durable-rules holds the GIL while it decides.  There are two lanes of
workers.  Small batches go to one, big ones to the other, so a 45,000-row batch never
takes the slot a colleague's 20-row batch needs; within a lane, work waits its turn.
Small or big is the number of rows read from the sheet, never the file's size: 45,000
rows of repeated values fit in 172 KB.  Each worker loads the rulebook once, from the
very bytes the server loaded and hashed, under the version the server knows it by, and
decides its task alone (one process per task: a second core is the other lane's).
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from desk import results
from desk.notices import write_notices
from desk.store import Job
from desk.wording import for_the_page
from engine.auditors.explain import Explanation, explain
from engine.auditors.recorded import rulebook_for
from engine.auditors.verify import Verification, verify_workbook
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.decision_workbook import open_decisions
from engine.excel.reader import count_rows
from engine.files.protection import Password
from engine.office import drafts
from engine.records.archive import Archive
from engine.records.digests import RULEBOOK_DIGEST
from engine.records.ledger import Ledger
from engine.rulebook.source import RulebookSource, load_source
from engine.runs.check import Summary, check_batch
from engine.runs.parallel import default_workers, spawn_context

log = logging.getLogger("sscard.desk")

SMALL_BATCH_ROWS = 2000  # a few seconds of work: a colleague's small batch never waits longer
SMALL_LANE_WORKERS = 2
# Big batches' workers run at a lower CPU priority: on a machine with few cores, a
# colleague's small batch and the pages get the processor first, and the big one loses little.
LARGE_LANE_NICENESS = 10
# durable-rules keeps every engine a worker ever built: a worker is replaced after this many tasks.
TASKS_PER_WORKER = 50

_book: Rulebook | None = None
_archive: Archive | None = None


def rows_of(path: Path, book: Rulebook, password: Password | None = None) -> int:
    """The rows of a workbook to check or read, counted just far enough to choose a lane."""
    return count_rows(path, book.schema, SMALL_BATCH_ROWS, password)


class Lanes:
    def __init__(self, book: Rulebook, archive: Archive | None = None, large_workers: int | None = None):
        self._archive = archive
        self._large_workers = large_workers or max(1, default_workers() // 2)
        self._lock = threading.Lock()
        self._small, self._large = self._lanes(book)

    def _lanes(self, book: Rulebook) -> tuple[ProcessPoolExecutor, ProcessPoolExecutor]:
        context = spawn_context()

        def lane(workers: int, niceness: int) -> ProcessPoolExecutor:
            executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                           initargs=(book.source, book.version, self._archive, niceness),
                                           max_tasks_per_child=TASKS_PER_WORKER)
            executor.submit(_ready)  # start a worker now, not when the first clerk waits for it
            return executor
        return lane(SMALL_LANE_WORKERS, 0), lane(self._large_workers, LARGE_LANE_NICENESS)

    def use(self, book: Rulebook) -> None:
        """From now on decide with ``book`` (a rulebook just published): new workers load it;
        work already handed to the old ones finishes with the rulebook it was started with."""
        with self._lock:
            old = (self._small, self._large)
            self._small, self._large = self._lanes(book)
        for executor in old:
            executor.shutdown(wait=False)

    def submit(self, rows: int, task: Callable[..., Any], *args: Any) -> Future:
        """Run ``task(*args)`` in a worker; ``rows`` (of the workbook it reads) picks the lane."""
        with self._lock:
            return (self._small if rows <= SMALL_BATCH_ROWS else self._large).submit(task, *args)

    def close(self) -> None:
        for executor in (self._small, self._large):
            executor.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():  # a 100,000-row check does not hold up a stop
            child.terminate()
            child.join(5)


def _start_worker(source: RulebookSource, version: str, archive: Archive | None, niceness: int) -> None:
    global _book, _archive
    os.umask(0o077)  # what a worker writes (decision workbooks, results) holds personal data
    if niceness:
        os.nice(niceness)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then ends its workers
    _book = load_source(source)
    # The bytes alone do not say whether they were published: the server looked them up
    # in the archive, and its version (never 草案 for a published rulebook) is the run's.
    _book.version = version
    _archive = archive


def _ready() -> None:
    pass


def _rulebook() -> Rulebook:
    assert _book is not None, "the worker's rulebook is loaded by its initializer"
    return _book


# Tasks: each runs in a worker and calls the engine as the matching command does.

def sealed(password: Password | None) -> str | None:
    """A Password refuses to be pickled, so that it never lands in a spool file; the one
    way it travels to a worker is this text, through the pipe between the two processes
    (memory to memory), and the worker wraps it again at once (``opened``)."""
    return password.reveal() if password is not None else None


def opened(password: str | None) -> Password | None:
    return Password(password) if password else None


def check(folder: str, name: str, operator: str, ledger: str, password: str | None = None) -> dict[str, Any]:
    job = Job(Path(folder))
    book = _rulebook()
    job.set_progress("读取与判定", 0)
    with results.Recorder(job.index, book.schema) as table:
        summary = check_batch(job.input, job.output, book, workers=1, ledger=_ledger(ledger), operator=operator,
                              input_name=name, command_line=f"sscard serve:网页上传 {name}", password=opened(password),
                              progress=lambda rows: job.set_progress("读取与判定", rows), on_row=table.add,
                              on_restart=table.restart)
    job.output.chmod(0o600)  # a decision workbook names people: private, whatever the umask
    return summary_record(summary, book)


def verify(workbook: str, batch: str | None, ledger: str, password: str | None = None) -> Verification:
    key = opened(password)
    return verify_workbook(workbook, _judged_by(Path(workbook), key), batch, _ledger(ledger), key)


def why(workbook: str, request_id: str) -> Explanation:
    return explain(workbook, request_id, _judged_by(Path(workbook)))


def _ledger(path: str) -> Ledger:
    # Built here, not sent: a Ledger carries its messenger.  A wait for a busy ledger goes to the log.
    return Ledger(path, notify=log.warning)


def _judged_by(workbook: Path, password: Password | None = None) -> Rulebook:
    """As `sscard explain` and `verify` do: a decision workbook is judged by the rulebook it
    was decided with, the desk's own when its 审计 sheet names that one, else the archived one."""
    book = _rulebook()
    decisions = open_decisions(workbook, password)
    try:
        recorded = decisions.audit.get(RULEBOOK_DIGEST)
    finally:
        decisions.close()
    if _archive is None or recorded in (None, book.digest):
        return book
    return rulebook_for(workbook, None, book.path, _archive, password)


def review(draft: str, batches: list[tuple[str, str]]) -> dict[str, Any]:
    """The report of a rule draft against the desk's rulebook (engine.office.drafts.review:
    `rules lint`, `rules test` and `diff --new` on each batch), said as a page says it."""
    report = drafts.review(Path(draft), _rulebook(), _archive, [(name, Path(path)) for name, path in batches])
    said = lambda text: for_the_page(text, {Path(draft): "草案", Path(drafts.WORKBOOK): "草案"})  # noqa: E731
    report["lint"], report["blocking"] = list(map(said, report["lint"])), list(map(said, report["blocking"]))
    for batch in report["impact"]:
        if "problem" in batch:
            batch["problem"] = for_the_page(batch["problem"])
    return report


def notices(workbook: str, output: str, request_ids: list[str] | None, ledger: str, settings: str) -> str:
    return str(write_notices(Path(workbook), Path(output), request_ids, _rulebook(), _ledger(ledger), Path(settings)))


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
        "unlisted": summary.unlisted_lines(),
    }


def outcome(future: Future, names: dict[Path, str]) -> Any:
    """The task's result; an engine error comes back as one line naming the files as the
    person uploaded them (``names``: stored path -> uploaded name), never sscard's own
    paths, and without what to type at a terminal (desk.wording).  A verification's
    findings and evidence are said the same way."""
    try:
        result = future.result()
    except SscardError as error:
        raise type(error)(for_the_page(str(error), names)) from None
    if isinstance(result, Verification):
        said = lambda text: for_the_page(text, names)  # noqa: E731
        result.findings = [dataclasses.replace(f, message=said(f.message)) for f in result.findings]
        result.notes, result.evidence = list(map(said, result.notes)), list(map(said, result.evidence))
    return result
