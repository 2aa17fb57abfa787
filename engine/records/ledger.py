"""The decision ledger: every check run and every row's decision, in one SQLite file.

The workbook can be edited by anyone with Excel; the ledger keeps a second record
whose runs are hash-chained: each run row carries the hash of the previous run row,
and its own hash covers its fields and a digest over its decision rows.  Deleting or
editing a run, or any of its decisions, breaks the chain from that run on.

Rows are staged in a temporary table while the batch is being written (flat memory,
and the ledger itself is not locked for the length of a run); they are moved into the
ledger, and the run row chained on, in one transaction that commits only after the
decision workbook is in place.  A crash before that leaves the ledger as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import platformdirs

from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.records.digests import RunRecord, canonical

ENV = "SSCARD_LEDGER"
GENESIS = "0" * 64  # the "previous hash" of the first run
BATCH = 1000  # decision rows per insert

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    started TEXT NOT NULL,
    rulebook_version TEXT NOT NULL,
    rulebook_digest TEXT NOT NULL,
    input_name TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    command_line TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    run_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    request_id TEXT,
    verdict TEXT NOT NULL,
    fee NUMERIC NOT NULL,
    missing TEXT NOT NULL,
    rules TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (run_id, row)
);
CREATE INDEX IF NOT EXISTS decisions_by_request ON decisions (request_id);
"""
_RUN_FIELDS = ("run_id", "started", "rulebook_version", "rulebook_digest", "input_name", "input_sha256", "rows",
               "command_line")
_DECISION_FIELDS = ("row", "request_id", "verdict", "fee", "missing", "rules", "code")


class LedgerError(SscardError):
    """The ledger file cannot be opened or written; the message names it."""


def default_path() -> Path:
    """SSCARD_LEDGER if set, else ledger.sqlite3 in the user's data directory."""
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("sscard")) / "ledger.sqlite3"


def decision_digest(rows: Sequence[Sequence[Any]]) -> str:
    digest = _DecisionDigest()
    for values in rows:
        digest.add(values)
    return digest.hexdigest()


class _DecisionDigest:
    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, values: Sequence[Any]) -> None:
        self._hash.update(_line(values).encode("utf-8") + b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _line(values: Sequence[Any]) -> str:
    return json.dumps([canonical(v) for v in values], ensure_ascii=False, separators=(",", ":"))


def run_hash(prev_hash: str, fields: Sequence[Any], decisions: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{_line(fields)}\n{decisions}".encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Run:
    seq: int
    run_id: str
    started: str
    rulebook_version: str
    rulebook_digest: str
    input_name: str
    input_sha256: str
    rows: int
    command_line: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class PastDecision:
    run: Run
    row: int
    request_id: str | None
    verdict: str
    fee: float | int
    missing: str
    rules: str


@dataclass(frozen=True)
class ChainCheck:
    runs: int
    head: str  # hash of the last run: write it down to detect a later truncation
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


class Ledger:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        if not create and not self.path.exists():
            raise LedgerError(f"账本 {self.path} 不存在")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=60)
            connection.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as error:
            raise LedgerError(f"无法打开账本 {self.path}:{error}") from None
        return connection

    @contextmanager
    def recording(self, record: RunRecord, book: Rulebook) -> Iterator[Recording]:
        """Yields a Recording; its run enters the ledger only when the block ends
        without an error (the caller ends it after the workbook is in place)."""
        with closing(self._connect(create=True)) as connection:
            recording = Recording(connection, record, book)
            try:
                yield recording
                recording._commit()
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    def runs(self) -> list[Run]:
        with closing(self._connect(create=False)) as connection:
            return [Run(*r) for r in connection.execute(f"SELECT seq, {', '.join(_RUN_FIELDS)}, prev_hash, hash "
                                                        "FROM runs ORDER BY seq")]

    def verdict_counts(self) -> dict[str, Counter]:
        """run id -> how many of its rows got each 结论."""
        counts: dict[str, Counter] = defaultdict(Counter)
        with closing(self._connect(create=False)) as connection:
            for run_id, verdict, n in connection.execute(
                    "SELECT run_id, verdict, COUNT(*) FROM decisions GROUP BY run_id, verdict"):
                counts[run_id][verdict] = n
        return counts

    def decisions_for(self, request_id: str) -> list[PastDecision]:
        with closing(self._connect(create=False)) as connection:
            runs = {r.run_id: r for r in self.runs()}
            rows = connection.execute("SELECT run_id, row, request_id, verdict, fee, missing, rules FROM decisions "
                                      "WHERE request_id = ? ORDER BY run_id, row", (request_id,)).fetchall()
        found = [PastDecision(runs[r[0]], *r[1:]) for r in rows if r[0] in runs]
        return sorted(found, key=lambda d: (d.run.seq, d.row))

    def verify(self) -> ChainCheck:
        """Walk the chain from the first run; name every run where it breaks."""
        problems: list[str] = []
        expected_prev = GENESIS
        runs = self.runs()
        with closing(self._connect(create=False)) as connection:
            for run in runs:
                if run.prev_hash != expected_prev:
                    problems.append(f"运行 {run.run_id}(第 {run.seq} 条,{run.started}):记录的前一哈希与上一条运行不符,"
                                    "其前的运行被删除、插入或改动")
                cursor = connection.execute(f"SELECT {', '.join(_DECISION_FIELDS)} FROM decisions WHERE run_id = ? "
                                            "ORDER BY row", (run.run_id,))
                digest, count = _DecisionDigest(), 0
                for values in cursor:
                    digest.add(values)
                    count += 1
                fields = [getattr(run, f) for f in _RUN_FIELDS]
                if run_hash(run.prev_hash, fields, digest.hexdigest()) != run.hash:
                    problems.append(f"运行 {run.run_id}(第 {run.seq} 条,{run.started}):哈希不符,"
                                    f"该运行的记录或其 {count} 条决定被改动")
                expected_prev = run.hash
            known = {r.run_id for r in runs}
            for (run_id,) in connection.execute("SELECT DISTINCT run_id FROM decisions"):
                if run_id not in known:
                    problems.append(f"运行 {run_id}:有决定记录,但运行记录已被删除")
        return ChainCheck(len(runs), runs[-1].hash if runs else GENESIS, problems)


class Recording:
    """One check run on its way into the ledger."""

    def __init__(self, connection: sqlite3.Connection, record: RunRecord, book: Rulebook):
        self._connection = connection
        self._record = record
        self._book = book
        self._pending: list[tuple[Any, ...]] = []
        self._digest = _DecisionDigest()
        self.hash = ""
        connection.execute(f"CREATE TEMP TABLE staged ({', '.join(_DECISION_FIELDS)})")

    def add(self, row: int, request_id: str | None, decision_cells: Sequence[Any], code: str) -> None:
        """``decision_cells`` as written: 结论, 费用, 缺少材料, 办理地点, 后续事项, 依据, 规则."""
        verdict, fee, missing, _place, _next, _basis, rules = decision_cells
        values = (row, request_id, verdict, fee, missing, rules, code)
        self._digest.add(values)
        self._pending.append(values)
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            # A transaction on the temporary table only: the ledger itself is not locked.
            self._connection.execute("BEGIN")
            self._connection.executemany(f"INSERT INTO staged VALUES ({', '.join('?' * len(_DECISION_FIELDS))})",
                                         self._pending)
            self._connection.execute("COMMIT")
            self._pending.clear()

    def seal(self, rows: int) -> str:
        """Chain the run on and return its hash; committed by the caller's ``recording`` block.

        The ledger stays locked for writers from here until the commit, so no other run
        can chain onto the same previous hash."""
        self._flush()
        record, book = self._record, self._book
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(f"INSERT INTO decisions (run_id, {', '.join(_DECISION_FIELDS)}) "
                           f"SELECT ?, {', '.join(_DECISION_FIELDS)} FROM staged ORDER BY row", (record.run_id,))
        last = connection.execute("SELECT hash FROM runs ORDER BY seq DESC LIMIT 1").fetchone()
        prev_hash = last[0] if last else GENESIS
        fields = [record.run_id, record.started.isoformat(timespec="seconds"), book.version, book.digest,
                  record.input_name, record.input_sha256, rows, record.command_line]
        self.hash = run_hash(prev_hash, fields, self._digest.hexdigest())
        connection.execute(f"INSERT INTO runs ({', '.join(_RUN_FIELDS)}, prev_hash, hash) "
                           f"VALUES ({', '.join('?' * (len(_RUN_FIELDS) + 2))})", (*fields, prev_hash, self.hash))
        return self.hash

    def _commit(self) -> None:
        if not self._connection.in_transaction:
            raise LedgerError("账本记录未封存:check 须在写完结果后调用 seal()")
        self._connection.execute("COMMIT")
