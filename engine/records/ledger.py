"""The decision ledger: every check run and every row's decision, in one SQLite file.

The workbook can be edited by anyone with Excel; the ledger keeps a second record
whose runs are hash-chained: each run row carries the hash of the previous run row,
and its own hash covers its fields and a digest over its decision rows.  Deleting or
editing a run, or any of its decisions, breaks the chain from that run on.  Deleting
runs from the end breaks nothing inside the file, so a head (``history --head``) or
a decision workbook kept elsewhere is an anchor that proves how long the ledger was.

The workbook and the ledger agree: a decision workbook is in place only when its run
is in the ledger, and the other way round.  One run goes in three steps:

1. the workbook is completed under a private temporary name; its decisions, staged in
   a temporary table meanwhile, enter the ledger with the run marked *pending* (the
   pending table is outside the chain);
2. the workbook is renamed into place;
3. the run is *confirmed*: chained onto the last confirmed run, and no longer pending.

A run interrupted between 1 and 3 leaves a pending run.  The next command that opens
the ledger resolves it once its process is gone: confirmed when its workbook (known by
the run id it carries) is in place, rolled back otherwise.  So whatever moment a run is
killed at, the ledger and the folder end up with both or neither.

The 审计 sheet quotes the run's record digest (its fields and decisions, without the
chain), since the chain position is only known at step 3.

A request is found by its id however it was typed: each decision also keeps the id's
key (request_ids), indexed, derived from the recorded id (which alone is hashed).

Each publication of a rulebook (which version replaced which, who drafted it, who
approved it, on the desk or at the command line) is a row of ``publications``, chained
the same way on its own: `history --verify` walks both chains.

A damaged file is said plainly: the first time a Ledger opens its file, SQLite checks
its structure (``PRAGMA quick_check``; ``integrity_check`` for history --verify and a
backup); a file that fails is never read on or written to (LedgerDamaged).  ``backup``
copies the file with SQLite's online backup while others write, and checks the copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
import time
from collections import Counter, defaultdict
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import platformdirs

from engine.core.request_ids import request_key
from engine.core.rulebook import Rulebook
from engine.errors import SscardError, describe_os_error
from engine.files import outputs, scratch
from engine.records.digests import RunRecord, canonical

ENV = "SSCARD_LEDGER"
WAIT_ENV = "SSCARD_LEDGER_WAIT"  # seconds to wait for a ledger another sscard is writing
DEFAULT_WAIT = 60
GENESIS = "0" * 64  # the "previous hash" of the first run
BATCH = 1000  # decision rows per insert
_HOST = socket.gethostname()

# The first table's name marks the file as sscard's (outputs.made_by_sscard finds it in the
# schema, on the file's first page), so the next backup replaces a backup without --force.
_MARK_TABLE = f'CREATE TABLE IF NOT EXISTS "{outputs.MARK}" (note TEXT)'
_TABLES = (_MARK_TABLE, """
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
)""", """
CREATE TABLE IF NOT EXISTS decisions (
    run_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    request_id TEXT,
    verdict TEXT NOT NULL,
    fee NUMERIC NOT NULL,
    missing TEXT NOT NULL,
    rules TEXT NOT NULL,
    code TEXT NOT NULL,
    request_key TEXT,
    PRIMARY KEY (run_id, row)
)""", """
CREATE TABLE IF NOT EXISTS pending (
    run_id TEXT PRIMARY KEY,
    fields TEXT NOT NULL,
    decisions_digest TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL
)""", """
CREATE TABLE IF NOT EXISTS publications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    published TEXT NOT NULL,
    rulebook_version TEXT NOT NULL,
    rulebook_digest TEXT NOT NULL,
    replaced_digest TEXT NOT NULL,
    drafted_by TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    via TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)""")
_KEY_INDEX = "decisions_by_request_key"
_RUN_FIELDS = ("run_id", "started", "rulebook_version", "rulebook_digest", "input_name", "input_sha256", "rows",
               "command_line")
# Fields recorded since a later version, one group per version: a run from before a
# group has NULL there, and its hash covers the fields it had, so older ledgers still
# verify.  Operators and outputs came first; then the digests of the sheets 结果 does
# not cover (汇总, 错误), as JSON.
_GENERATIONS = (("operator", "output"), ("sheets",))
_ADDED_FIELDS = tuple(name for generation in _GENERATIONS for name in generation)
_DECISION_FIELDS = ("row", "request_id", "verdict", "fee", "missing", "rules", "code")
# Publications of a rulebook are chained on their own: a rulebook made live is no check run.
_PUBLICATION_FIELDS = ("published", "rulebook_version", "rulebook_digest", "replaced_digest", "drafted_by",
                       "approved_by", "via")


class LedgerError(SscardError):
    """The ledger file cannot be opened or written; the message names it."""


class LedgerMissing(LedgerError):
    """There is no ledger file where one was expected."""


class LedgerDamaged(LedgerError):
    """The file fails SQLite's own check (or is no database): never read on, never written to."""

    def __init__(self, path: Path):
        super().__init__(f"账本 {path} 已损坏(SQLite 完整性检查未通过),或不是 sscard 的账本;sscard 不再读写它。"
                         "请把该文件移到别处留存,用最近一次 sscard ledger backup 的备份恢复(见用户手册 docs/用户手册/系统管理员.md「恢复」),"
                         "再运行 sscard history --verify 核对")


def default_path() -> Path:
    """SSCARD_LEDGER if set, else ledger.sqlite3 in the user's data directory."""
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("sscard")) / "ledger.sqlite3"


def default_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        raise LedgerError(f"环境变量 {WAIT_ENV} 应为秒数,现为「{os.environ[WAIT_ENV]}」") from None


def decision_digest(rows: Iterable[Sequence[Any]]) -> str:
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


def record_digest(fields: Sequence[Any], decisions: str) -> str:
    """The run as the workbook quotes it: its fields and decisions, not its place in the chain."""
    return hashlib.sha256(f"{_line(fields)}\n{decisions}".encode("utf-8")).hexdigest()


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
    operator: str | None
    output: str | None
    sheets: str | None  # JSON: sheet name -> what was recorded of it (sheet_records)
    prev_hash: str
    hash: str

    @property
    def fields(self) -> list[Any]:
        names = _RUN_FIELDS + tuple(name for generation in _GENERATIONS if getattr(self, generation[0]) is not None
                                    for name in generation)
        return [getattr(self, name) for name in names]

    @property
    def when(self) -> str:
        """When it ran, in this computer's local time, as people read a time."""
        return local_time(self.started)

    def sheet_records(self) -> dict[str, dict[str, Any]]:
        """What check recorded of the sheets 结果 does not cover: name -> {"digest": …, "cells": …}."""
        return json.loads(self.sheets) if self.sheets else {}


def local_time(iso: str) -> str:
    """``2026-12-04T02:15:03+00:00`` as ``2026-12-04 10:15:03`` where the clock says 10:15."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Publication:
    """A rulebook made live: which, replacing which, drafted and approved by whom, and how
    (on the desk, 柜面, after a second person's approval; or by `sscard rules publish`, 命令行)."""

    seq: int
    published: str
    rulebook_version: str
    rulebook_digest: str
    replaced_digest: str  # the live rulebook before ("" if there was none)
    drafted_by: str
    approved_by: str
    via: str
    prev_hash: str = ""
    hash: str = ""

    @property
    def fields(self) -> list[Any]:
        return [getattr(self, name) for name in _PUBLICATION_FIELDS]

    @property
    def when(self) -> str:
        return local_time(self.published)


@dataclass(frozen=True)
class PendingRun:
    run_id: str
    fields: list[Any]
    host: str
    pid: int

    @property
    def input_name(self) -> str:
        return self.fields[_RUN_FIELDS.index("input_name")]

    @property
    def output(self) -> Path:
        return Path(self.fields[len(_RUN_FIELDS) + _ADDED_FIELDS.index("output")])


@dataclass(frozen=True)
class PastDecision:
    run: Run
    row: int
    request_id: str | None
    verdict: str
    fee: float | int
    missing: str
    rules: str
    intact: bool = True  # False: the run's recorded hash no longer matches its records


@dataclass(frozen=True)
class Anchor:
    """Evidence kept outside the ledger of what it held: a run a decision workbook
    quotes, or a head written down earlier."""

    shown: str  # the anchor as the auditor gave it
    run_id: str | None = None  # from a decision workbook
    digest: str | None = None  # its record digest, as the workbook quotes it
    seq: int | None = None  # from a head: the run's number in the chain
    hash: str | None = None  # from a head


@dataclass
class ChainCheck:
    runs: int
    head: str  # "N:HASH" of the last run: write it down to detect a later truncation
    problems: list[str] = field(default_factory=list)
    altered: set[str] = field(default_factory=set)  # runs whose own records fail their hash
    anchors: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Backup:
    path: Path
    chain: ChainCheck  # the copy's chain, checked


def head_token(runs: Sequence[Run]) -> str:
    return f"{runs[-1].seq}:{runs[-1].hash}" if runs else f"0:{GENESIS}"


class Ledger:
    def __init__(self, path: str | Path, *, wait: float | None = None,
                 notify: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.wait = default_wait() if wait is None else wait
        self.notify = notify or (lambda message: None)  # a waiting message, a resolved run: stderr in the CLI
        self._checked = ""  # the strongest structure check the file has passed in this object's life

    # --- opening, waiting ----------------------------------------------------------

    def _connect(self, *, create: bool, thorough: bool = False) -> sqlite3.Connection:
        """``thorough``: SQLite's full integrity check (indexes against their tables too),
        not only the quick one every command makes."""
        if not create and not self.path.exists():
            raise LedgerMissing(f"账本 {self.path} 不存在;请用 --ledger 或环境变量 {ENV} 指向 check 使用的账本")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=0.2)
        except (sqlite3.Error, OSError) as error:
            raise LedgerError(f"无法打开账本 {self.path}:{_reason(error)}") from None
        try:
            connection.create_function("id_key", 1, request_key, deterministic=True)
            self._check_structure(connection, "integrity_check" if thorough else "quick_check")
            self._prepare(connection)
            self._resolve_abandoned(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _check_structure(self, connection: sqlite3.Connection, pragma: str) -> None:
        if self._checked == "integrity_check" or self._checked == pragma:
            return
        result = self._waiting(lambda: connection.execute(f"PRAGMA {pragma}").fetchall())
        if result != [("ok",)]:
            raise LedgerDamaged(self.path)
        self._checked = pragma

    def _waiting(self, step: Callable[[], Any]) -> Any:
        """Run one statement (or transaction start); while another sscard holds the
        ledger, say so once and retry, up to ``wait`` seconds; then one line."""
        deadline, said = time.monotonic() + self.wait, False
        while True:
            try:
                return step()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise self._failure(error) from None
                if time.monotonic() >= deadline:
                    raise LedgerError(f"账本 {self.path} 被另一个 sscard 占用超过 {self.wait:g} 秒;"
                                      f"请稍后重试,或确认没有卡住的 sscard 进程(等待时间可用 {WAIT_ENV} 设置)") from None
                if not said:
                    self.notify(f"账本 {self.path} 正被另一个 sscard 使用,等待中(最多 {self.wait:g} 秒)…")
                    said = True
                time.sleep(0.1)
            except sqlite3.Error as error:
                raise self._failure(error) from None

    def _failure(self, error: sqlite3.Error, doing: str = "读写") -> LedgerError:
        if getattr(error, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
            return LedgerDamaged(self.path)
        return LedgerError(f"账本 {self.path} {doing}失败:{_reason(error)}")

    def _fetch(self, connection: sqlite3.Connection, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Any]:
        """Rows of a query, streamed; a failure while reading them is one line, as any other."""
        try:
            yield from self._waiting(lambda: connection.execute(sql, parameters))
        except sqlite3.Error as error:
            raise self._failure(error) from None

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Create a new ledger's tables, or bring one an older sscard wrote up to date: once,
        in one transaction (the id keys of its past decisions derived from their ids)."""
        if self._waiting(lambda: _is_current(connection)):
            return
        if self.path.exists() and not os.access(self.path, os.W_OK):
            raise LedgerError(f"账本 {self.path} 由旧版 sscard 写出,须先补记一次才能使用,但文件只读;"
                              "请复制一份可写的副本,用 --ledger 指向它")
        with self._transaction(connection):
            for statement in _TABLES:
                connection.execute(statement)
            for name in _ADDED_FIELDS:
                if name not in _columns(connection, "runs"):
                    connection.execute(f"ALTER TABLE runs ADD COLUMN {name} TEXT")
            if "request_key" not in _columns(connection, "decisions"):
                connection.execute("ALTER TABLE decisions ADD COLUMN request_key TEXT")
                connection.execute("UPDATE decisions SET request_key = id_key(request_id)")
                connection.execute("DROP INDEX IF EXISTS decisions_by_request")  # by the id as typed: no use now
            connection.execute(f"CREATE INDEX IF NOT EXISTS {_KEY_INDEX} ON decisions (request_key)")

    @contextmanager
    def _transaction(self, connection: sqlite3.Connection) -> Iterator[None]:
        self._waiting(lambda: connection.execute("BEGIN IMMEDIATE"))
        try:
            yield
            connection.execute("COMMIT")
        except BaseException as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise self._failure(error, "写入") from None
            raise

    # --- one run: pending, confirmed, or rolled back ---------------------------------

    @contextmanager
    def recording(self, record: RunRecord, book: Rulebook, output: Path) -> Iterator[Recording]:
        """Yields a Recording.  The block writes the workbook, calls ``pending()``, then
        puts the workbook in place; leaving it confirms the run.  On any error the run is
        resolved by what is on disk: confirmed if its workbook made it, else rolled back."""
        with closing(self._connect(create=True)) as connection:
            recording = Recording(self, connection, record, book, output)
            try:
                yield recording
            except BaseException:
                if recording.is_pending:
                    try:
                        self._resolve(connection, recording.run_id)
                    except Exception:
                        pass  # left pending: the next command resolves it
                raise
            else:
                if not recording.is_pending:
                    raise LedgerError("账本记录未进入待确认状态:check 须在放置工作簿前调用 pending()")
                try:
                    self._confirm(connection, record.run_id)
                except LedgerError as error:
                    raise LedgerError(f"决定工作簿 {output} 已写出,但账本未能确认本次运行({error});"
                                      "下次运行 sscard(如 sscard history)时会自动补记") from None

    def _confirm(self, connection: sqlite3.Connection, run_id: str) -> None:
        with self._transaction(connection):
            row = connection.execute("SELECT fields, decisions_digest FROM pending WHERE run_id = ?",
                                     (run_id,)).fetchone()
            if row is None:
                return  # resolved meanwhile by another command
            fields, decisions = json.loads(row[0]), row[1]
            last = connection.execute("SELECT hash FROM runs ORDER BY seq DESC LIMIT 1").fetchone()
            prev_hash = last[0] if last else GENESIS
            names = _RUN_FIELDS + _ADDED_FIELDS
            padded = fields + [None] * (len(names) - len(fields))  # left pending by an older sscard
            connection.execute(f"INSERT INTO runs ({', '.join(names)}, prev_hash, hash) "
                               f"VALUES ({', '.join('?' * (len(names) + 2))})",
                               (*padded, prev_hash, run_hash(prev_hash, fields, decisions)))
            connection.execute("DELETE FROM pending WHERE run_id = ?", (run_id,))

    def _roll_back(self, connection: sqlite3.Connection, run_id: str) -> None:
        with self._transaction(connection):
            connection.execute("DELETE FROM decisions WHERE run_id = ?", (run_id,))
            connection.execute("DELETE FROM pending WHERE run_id = ?", (run_id,))

    def _resolve(self, connection: sqlite3.Connection, run_id: str) -> str:
        """Confirm a pending run whose workbook is in place; roll back any other."""
        row = connection.execute("SELECT fields FROM pending WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            return ""
        pending = PendingRun(run_id, json.loads(row[0]), _HOST, os.getpid())
        if pending.output.is_file() and outputs.custom_properties(pending.output).get(outputs.RUN_PROPERTY) == run_id:
            self._confirm(connection, run_id)
            return f"中断的运行 {run_id[:12]}({pending.input_name})的决定工作簿 {pending.output} 已在,已补记入账本"
        self._roll_back(connection, run_id)
        scratch.sweep(pending.output.parent, scratch.OUTPUT_PREFIX)
        return f"中断的运行 {run_id[:12]}({pending.input_name})没有写出决定工作簿,已从账本撤销"

    def _resolve_abandoned(self, connection: sqlite3.Connection) -> None:
        for pending in self._pending(connection):
            # Only a run of this machine whose process is gone (never this process's own).
            if pending.host != _HOST or scratch.alive(pending.pid):
                continue
            try:
                message = self._resolve(connection, pending.run_id)
            except LedgerError as error:  # a read-only copy of the ledger can still be read
                message = f"中断的运行 {pending.run_id[:12]}({pending.input_name})未能补记或撤销:{error}"
            if message:
                self.notify(f"账本 {self.path}:{message}")

    def _pending(self, connection: sqlite3.Connection) -> list[PendingRun]:
        rows = self._waiting(lambda: connection.execute("SELECT run_id, fields, host, pid FROM pending").fetchall())
        return [PendingRun(run_id, json.loads(fields), host, pid) for run_id, fields, host, pid in rows]

    # --- reading -------------------------------------------------------------------

    def runs(self) -> list[Run]:
        with closing(self._connect(create=False)) as connection:
            return self._runs(connection)

    def _runs(self, connection: sqlite3.Connection) -> list[Run]:
        columns = ("seq", *_RUN_FIELDS, *_ADDED_FIELDS, "prev_hash", "hash")
        return [Run(*r) for r in self._fetch(connection, f"SELECT {', '.join(columns)} FROM runs ORDER BY seq")]

    def pending_runs(self) -> list[PendingRun]:
        with closing(self._connect(create=False)) as connection:
            return self._pending(connection)

    def head(self) -> str:
        return head_token(self.runs())

    def record_publication(self, version: str, digest: str, replaced: str, drafted_by: str, approved_by: str,
                           via: str, now: dt.datetime | None = None) -> Publication:
        """Chain a publication of a rulebook onto the last one."""
        published = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        fields = [published, version, digest, replaced, drafted_by, approved_by, via]
        with closing(self._connect(create=True)) as connection, self._transaction(connection):
            last = connection.execute("SELECT hash FROM publications ORDER BY seq DESC LIMIT 1").fetchone()
            prev_hash = last[0] if last else GENESIS
            cursor = connection.execute(
                f"INSERT INTO publications ({', '.join(_PUBLICATION_FIELDS)}, prev_hash, hash) "
                f"VALUES ({', '.join('?' * (len(_PUBLICATION_FIELDS) + 2))})",
                (*fields, prev_hash, _publication_hash(prev_hash, fields)))
            seq = cursor.lastrowid
        return Publication(seq, *fields, prev_hash, _publication_hash(prev_hash, fields))

    def publications(self) -> list[Publication]:
        """Every publication recorded, oldest first."""
        with closing(self._connect(create=False)) as connection:
            return self._publications(connection)

    def _publications(self, connection: sqlite3.Connection) -> list[Publication]:
        columns = ("seq", *_PUBLICATION_FIELDS, "prev_hash", "hash")
        return [Publication(*r) for r in self._fetch(connection, f"SELECT {', '.join(columns)} FROM publications "
                                                                 "ORDER BY seq")]

    def find_run(self, run_id: str) -> Run | None:
        return next((run for run in self.runs() if run.run_id == run_id), None)

    @contextmanager
    def decision_rows(self, run_id: str) -> Iterator[Iterator[tuple[Any, ...]]]:
        """A run's decision rows (row, request id, 结论, 费用, 缺少材料, 规则, 核验码), in row
        order, streamed: a million-row run is never held in memory."""
        with closing(self._connect(create=False)) as connection:
            yield self._fetch(connection, f"SELECT {', '.join(_DECISION_FIELDS)} FROM decisions WHERE run_id = ? "
                                          "ORDER BY row", (run_id,))

    def verdict_counts(self) -> dict[str, Counter]:
        """run id -> how many of its rows got each 结论."""
        counts: dict[str, Counter] = defaultdict(Counter)
        with closing(self._connect(create=False)) as connection:
            rows = list(self._fetch(connection, "SELECT run_id, verdict, COUNT(*) FROM decisions "
                                                "GROUP BY run_id, verdict"))
        for run_id, verdict, n in rows:
            counts[run_id][verdict] = n
        return counts

    def decisions_for(self, request_id: str) -> list[PastDecision]:
        """Every decision recorded for the id, however it was typed then or now, oldest first."""
        altered = self.verify().altered
        with closing(self._connect(create=False)) as connection:
            runs = {r.run_id: r for r in self._runs(connection)}
            rows = list(self._fetch(connection, "SELECT run_id, row, request_id, verdict, fee, missing, rules "
                                                "FROM decisions WHERE request_key = ?", (request_key(request_id),)))
        found = [PastDecision(runs[r[0]], *r[1:], intact=r[0] not in altered) for r in rows if r[0] in runs]
        return sorted(found, key=lambda d: (d.run.seq, d.row))

    def verify(self, anchors: Sequence[Anchor] = (), *, through: str | None = None,
               thorough: bool = False) -> ChainCheck:
        """Walk the chain from the first run (up to run ``through`` if given); name every
        run where it breaks, and every anchor the ledger falls short of.  ``thorough``:
        SQLite's full integrity check first (LedgerDamaged when it fails)."""
        with closing(self._connect(create=False, thorough=thorough)) as connection:
            runs = self._runs(connection)
            if through is not None:
                runs = runs[:next((i + 1 for i, r in enumerate(runs) if r.run_id == through), len(runs))]
            pending = {p.run_id for p in self._pending(connection)}
            check = ChainCheck(len(runs), head_token(runs), anchors=len(anchors))
            expected_prev = GENESIS
            for run in runs:
                if run.prev_hash != expected_prev:
                    check.problems.append(f"运行 {run.run_id}(第 {run.seq} 条,{run.when}):记录的前一哈希与上一条运行不符,"
                                          "其前的运行被删除、插入或改动")
                digest, count, unkeyed = _DecisionDigest(), 0, []
                for *values, key in self._fetch(connection, f"SELECT {', '.join(_DECISION_FIELDS)}, request_key "
                                                            "FROM decisions WHERE run_id = ? ORDER BY row",
                                                (run.run_id,)):
                    digest.add(values)
                    count += 1
                    if key != request_key(values[1]):
                        unkeyed.append(values[0])
                if unkeyed:  # the key is derived, not hashed: an edited key would hide the request from history
                    check.problems.append(f"运行 {run.run_id}(第 {run.seq} 条,{run.when}):第 "
                                          f"{'、'.join(map(str, unkeyed[:10]))} 行的申请编号比对键被改动,"
                                          "按申请编号查询会找不到这些决定")
                if run_hash(run.prev_hash, run.fields, digest.hexdigest()) != run.hash:
                    check.problems.append(f"运行 {run.run_id}(第 {run.seq} 条,{run.when}):哈希不符,"
                                          f"该运行的记录或其 {count} 条决定被改动")
                    check.altered.add(run.run_id)
                expected_prev = run.hash
            if through is None:
                known = {r.run_id for r in runs} | pending
                for (run_id,) in self._fetch(connection, "SELECT DISTINCT run_id FROM decisions"):
                    if run_id not in known:
                        check.problems.append(f"运行 {run_id}:有决定记录,但运行记录已被删除")
                def decisions(run_id: str) -> list[Any]:
                    return list(self._fetch(connection, f"SELECT {', '.join(_DECISION_FIELDS)} FROM decisions "
                                                        "WHERE run_id = ? ORDER BY row", (run_id,)))
                check.problems += [_anchor_problem(anchor, runs, decisions) for anchor in anchors]
                check.problems += _publication_problems(self._publications(connection))
                check.problems = [p for p in check.problems if p]
        return check

    # --- a copy --------------------------------------------------------------------

    def backup(self, destination: str | Path, *, force: bool = False) -> Backup:
        """A consistent copy of the ledger at ``destination``, made while others may be
        writing (SQLite's online backup), and checked before it is put in place: SQLite's
        full integrity check, then the hash chain.  It is written as every output is
        (outputs.atomic_output): never over the ledger itself or a file sscard did not make
        (unless ``force``), and only whole.  A copy failing SQLite's check is never put in
        place (LedgerDamaged: the ledger itself is); a chain that does not hold is copied
        as it is, and ``Backup.chain`` says where it breaks."""
        destination = outputs.target_path(destination)
        with outputs.atomic_output(destination, inputs=(self.path,), force=force) as temporary:
            with closing(self._connect(create=False)) as source, closing(sqlite3.connect(temporary)) as copy:
                self._waiting(lambda: source.backup(copy))  # one step: a snapshot, whatever is written meanwhile
            try:
                chain = Ledger(temporary, wait=self.wait).verify(thorough=True)
            except LedgerDamaged:
                raise LedgerDamaged(self.path) from None
        return Backup(destination, chain)

    def record_digest_of(self, run: Run) -> str:
        with self.decision_rows(run.run_id) as rows:
            return record_digest(run.fields, decision_digest(rows))


def _publication_hash(prev_hash: str, fields: Sequence[Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{_line(fields)}".encode("utf-8")).hexdigest()


def _publication_problems(publications: list[Publication]) -> list[str]:
    problems, expected_prev = [], GENESIS
    for publication in publications:
        if publication.prev_hash != expected_prev or \
                _publication_hash(publication.prev_hash, publication.fields) != publication.hash:
            problems.append(f"规则库发布记录第 {publication.seq} 条({publication.rulebook_version},"
                            f"{publication.when}):哈希不符,该记录或其前的发布记录被删除或改动")
        expected_prev = publication.hash
    return problems


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _is_current(connection: sqlite3.Connection) -> bool:
    names = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    return ({outputs.MARK, "runs", "decisions", "pending", "publications", _KEY_INDEX} <= names
            and set(_ADDED_FIELDS) <= _columns(connection, "runs") and "request_key" in _columns(connection, "decisions"))


def _anchor_problem(anchor: Anchor, runs: list[Run], decisions: Callable[[str], list[Any]]) -> str:
    if anchor.run_id is not None:
        run = next((r for r in runs if r.run_id == anchor.run_id), None)
        if run is None:
            return (f"锚点 {anchor.shown} 证明账本中应有运行 {anchor.run_id},但账本中没有:"
                    "账本被截短,或该运行被删除")
        rows = decisions(run.run_id)
        if anchor.digest and record_digest(run.fields, decision_digest(rows)) != anchor.digest:
            return f"锚点 {anchor.shown}:账本中运行 {run.run_id}(第 {run.seq} 条)的记录与工作簿引用的摘要不符,已被改动"
        return ""
    if anchor.seq is not None and anchor.seq > len(runs):
        return (f"锚点 {anchor.shown} 证明账本至少有 {anchor.seq} 次运行,现只有 {len(runs)} 次:"
                "账本末尾的运行被删除(截短)")
    matched = [r for r in runs if r.hash == anchor.hash]
    if not matched or (anchor.seq is not None and matched[0].seq != anchor.seq):
        where = f"第 {anchor.seq} 条运行" if anchor.seq else "任何一条运行"
        return f"锚点 {anchor.shown}:账本中{where}的哈希与锚点不符:账本被改写或换成了另一个账本"
    return ""


def _reason(error: BaseException) -> str:
    text = str(error)
    if "disk is full" in text or "disk I/O" in text:
        return "磁盘已满或磁盘故障"
    if "readonly" in text or "read-only" in text:
        return "账本文件或其文件夹只读"
    if "not a database" in text or "malformed" in text:
        return "文件不是 sscard 账本或已损坏"
    if "unable to open" in text:
        return "无法打开文件(文件夹不存在或没有权限)"
    if isinstance(error, OSError):
        return describe_os_error(error)
    return f"数据库错误({type(error).__name__})"


class Recording:
    """One check run on its way into the ledger."""

    def __init__(self, ledger: Ledger, connection: sqlite3.Connection, record: RunRecord, book: Rulebook,
                 output: Path):
        self._ledger = ledger
        self._connection = connection
        self._record = record
        self._book = book
        self._output = output
        self._pending: list[tuple[Any, ...]] = []
        self._digest = _DecisionDigest()
        self._fields: list[Any] | None = None
        self.run_id = record.run_id
        self.is_pending = False
        connection.execute(f"CREATE TEMP TABLE staged ({', '.join(_DECISION_FIELDS)})")

    def add(self, row: int, request_id: str | None, decision_cells: Sequence[Any], code: str) -> None:
        """``decision_cells`` as written: 结论, 费用, 缺少材料, 办理地点, 后续事项, 依据, 规则."""
        verdict, fee, missing, _place, _next, _basis, rules = decision_cells
        values = (row, request_id, verdict, fee, missing, rules, code)
        self._digest.add(values)
        self._pending.append(values)
        if len(self._pending) >= BATCH:
            self._flush()

    def restart(self) -> None:
        """Forget the rows added so far: they come again (check's second pass)."""
        self._pending.clear()
        self._digest = _DecisionDigest()
        self._connection.execute("DELETE FROM staged")

    def _flush(self) -> None:
        if self._pending:
            # A transaction on the temporary table only: the ledger itself is not locked.
            self._connection.execute("BEGIN")
            self._connection.executemany(f"INSERT INTO staged VALUES ({', '.join('?' * len(_DECISION_FIELDS))})",
                                         self._pending)
            self._connection.execute("COMMIT")
            self._pending.clear()

    def seal(self, rows: int, sheets: dict[str, dict[str, Any]]) -> str:
        """Fix the run's fields once every row was added; returns the record digest the
        审计 sheet quotes.  ``sheets``: what the workbook's other sheets held (Run.sheet_records)."""
        record, book = self._record, self._book
        self._fields = [record.run_id, record.started.isoformat(timespec="seconds"), book.version, book.digest,
                        record.input_name, record.input_sha256, rows, record.command_line,
                        record.operator, str(self._output.resolve()),
                        json.dumps(sheets, ensure_ascii=False, sort_keys=True, separators=(",", ":"))]
        return record_digest(self._fields, self._digest.hexdigest())

    def pending(self) -> None:
        """Step 1: the decisions and the run, marked pending, enter the ledger."""
        if self._fields is None:
            raise LedgerError("账本记录未封存:check 须在写完结果后调用 seal()")
        self._flush()
        connection = self._connection
        try:
            with self._ledger._transaction(connection):
                connection.execute(f"INSERT INTO decisions (run_id, {', '.join(_DECISION_FIELDS)}, request_key) "
                                   f"SELECT ?, {', '.join(_DECISION_FIELDS)}, id_key(request_id) FROM staged ORDER BY row",
                                   (self.run_id,))
                connection.execute("INSERT INTO pending VALUES (?, ?, ?, ?, ?)",
                                   (self.run_id, json.dumps(self._fields, ensure_ascii=False),
                                    self._digest.hexdigest(), _HOST, os.getpid()))
        except LedgerDamaged:
            raise
        except LedgerError as error:
            raise LedgerError(f"{error};决定工作簿未写出") from None
        self.is_pending = True
