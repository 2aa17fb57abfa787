"""A finished batch's rows and input problems, kept beside its decision workbook in a
small SQLite file, so the page can filter, search and page through 100,000 rows at once.

Filled in the worker while check writes the decision workbook (check's ``on_row``), so
the table costs no second reading of the workbook and shows the rows as written.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import labels
from engine.core.schema import Schema
from engine.records.digests import canonical
from engine.runs.batch import DecidedRow

PAGE_ROWS = 50
ERRORS_SHOWN = 500
ERROR_COLUMNS = ("行号", "申请编号", "列", "值", "问题", "条款")
_INSERT_BATCH = 1000


@dataclass(frozen=True)
class Row:
    number: int  # the row on 结果
    request_id: str
    verdict: str
    cells: list[str]


@dataclass(frozen=True)
class Page:
    columns: list[str]
    rows: list[Row]
    total: int  # rows matching the filter
    page: int
    pages: int


class Recorder:
    """Takes each row as check writes it (``add``); the index appears, whole, only when
    the block ends without an error."""

    def __init__(self, index: Path, schema: Schema):
        self._index = index
        self._part = index.with_name(index.name + ".part")
        # As 结果 opens: who and what (the identifying columns), then every decision column.
        self._keys = [key for key in schema.identity if key in schema.by_key]
        self._rows: list[tuple] = []
        self._errors: list[tuple] = []
        self._part.unlink(missing_ok=True)
        self._db = sqlite3.connect(self._part)
        self._db.executescript("""
            CREATE TABLE meta (columns TEXT NOT NULL);
            CREATE TABLE rows (number INTEGER PRIMARY KEY, request_id TEXT, verdict TEXT, search TEXT, cells TEXT);
            CREATE TABLE errors (line INTEGER PRIMARY KEY AUTOINCREMENT, cells TEXT);
        """)
        columns = [schema.by_key[k].header for k in self._keys] + list(labels.DECISION_COLUMNS)
        self._db.execute("INSERT INTO meta VALUES (?)", (json.dumps(columns, ensure_ascii=False),))

    def add(self, row: DecidedRow, cells: dict[str, Any]) -> None:
        decision = row.decision.cells()
        shown = [_shown(cells.get(k)) for k in self._keys] + [_shown(value) for value in decision]
        search = " ".join(_shown(v) for v in row.item).casefold()
        self._rows.append((row.number, row.request_id or "", row.decision.verdict, search,
                           json.dumps(shown, ensure_ascii=False)))
        for problem in row.decision.problems:
            line = [str(row.number), row.request_id or "", problem.column, _shown(problem.value), problem.message,
                    problem.clause]
            self._errors.append((json.dumps(line, ensure_ascii=False),))
        if len(self._rows) >= _INSERT_BATCH:
            self._flush()

    def restart(self) -> None:
        """The rows taken so far are void: check writes them again (a 申请编号 found twice)."""
        self._rows.clear()
        self._errors.clear()
        self._db.execute("DELETE FROM rows")
        self._db.execute("DELETE FROM errors")

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?)", self._rows)
        self._db.executemany("INSERT INTO errors (cells) VALUES (?)", self._errors)
        self._rows.clear()
        self._errors.clear()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None:
                self._flush()
                self._db.commit()
        finally:
            self._db.close()
        if kind is None:
            os.replace(self._part, self._index)
        else:
            self._part.unlink(missing_ok=True)


def page(index: Path, *, verdict: str = "", search: str = "", number: int = 1) -> Page:
    """One page of rows, optionally only one 结论, and only rows with ``search`` in any input cell."""
    where, args = [], []
    if verdict:
        where.append("verdict = ?")
        args.append(verdict)
    if search:
        where.append("search LIKE ? ESCAPE '\\'")
        escaped = search.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.append(f"%{escaped}%")
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    with closing(sqlite3.connect(index)) as db:
        columns = json.loads(db.execute("SELECT columns FROM meta").fetchone()[0])
        total = db.execute(f"SELECT COUNT(*) FROM rows {condition}", args).fetchone()[0]
        pages = max(1, math.ceil(total / PAGE_ROWS))
        number = min(max(1, number), pages)
        found = db.execute(f"SELECT number, request_id, verdict, cells FROM rows {condition} ORDER BY number "
                           "LIMIT ? OFFSET ?", [*args, PAGE_ROWS, (number - 1) * PAGE_ROWS]).fetchall()
    return Page(columns, [Row(n, rid or "", v, json.loads(c)) for n, rid, v, c in found], total, number, pages)


def who(index: Path, number: int, leave_out: set[str]) -> str:
    """Whose request row ``number`` was (its identifying cells but the columns in
    ``leave_out``, e.g. the id and the service, shown beside it anyway), while the batch is kept."""
    with closing(sqlite3.connect(index)) as db:
        columns = json.loads(db.execute("SELECT columns FROM meta").fetchone()[0])
        found = db.execute("SELECT cells FROM rows WHERE number = ?", (number,)).fetchone()
    if found is None:
        return ""
    identity = columns[:columns.index(labels.VERDICT)]
    return " ".join(value for column, value in zip(identity, json.loads(found[0])) if value and column not in leave_out)


def errors(index: Path) -> tuple[list[list[str]], int]:
    """The first ERRORS_SHOWN 错误 lines, and how many there are in all."""
    with closing(sqlite3.connect(index)) as db:
        total = db.execute("SELECT COUNT(*) FROM errors").fetchone()[0]
        lines = [json.loads(c) for (c,) in db.execute("SELECT cells FROM errors ORDER BY line LIMIT ?",
                                                      (ERRORS_SHOWN,))]
    return lines, total


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return canonical(value)
