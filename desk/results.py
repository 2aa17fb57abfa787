"""A finished batch's rows and 错误 lines, kept beside its decision workbook in a small
SQLite file, so the page can filter, search and page through 100,000 rows at once.

Filled once, in the worker, from the decision workbook as written (read back by the
engine's decision-workbook reader): the page shows exactly what the clerk downloads.
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
from engine.excel.decision_workbook import open_decisions
from engine.records.digests import canonical

PAGE_ROWS = 50
ERRORS_SHOWN = 500
SHOWN_DECISIONS = (labels.VERDICT, labels.FEE, labels.MISSING, labels.BASIS)
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


def build(decisions: Path, index: Path, schema: Schema) -> None:
    """Index the 结果 rows (the always-required input columns and the decision) and the 错误 lines."""
    part = index.with_name(index.name + ".part")
    part.unlink(missing_ok=True)
    try:
        with open_decisions(decisions) as workbook, closing(sqlite3.connect(part)) as db:
            key_at = workbook.key_at(schema)
            shown = [key_at[c.key] for c in schema.columns if c.required and c.key in key_at]
            columns = [workbook.headers[i] for i in shown] + list(SHOWN_DECISIONS)
            at_id = key_at.get(schema.request_id)
            db.executescript("""
                CREATE TABLE meta (columns TEXT NOT NULL);
                CREATE TABLE rows (number INTEGER PRIMARY KEY, request_id TEXT, verdict TEXT, search TEXT,
                                   cells TEXT);
                CREATE TABLE errors (line INTEGER PRIMARY KEY, cells TEXT);
            """)
            db.execute("INSERT INTO meta VALUES (?)", (json.dumps(columns, ensure_ascii=False),))
            pending = []
            for row in workbook.rows():
                inputs = [_shown(v) for v in row.inputs]
                cells = [inputs[i] for i in shown] + [_shown(row.cell(c)) for c in SHOWN_DECISIONS]
                pending.append((row.number, inputs[at_id] if at_id is not None else "", _shown(row.cell(labels.VERDICT)),
                                " ".join(inputs).casefold(), json.dumps(cells, ensure_ascii=False)))
                if len(pending) >= _INSERT_BATCH:
                    db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?)", pending)
                    pending.clear()
            db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?)", pending)
            db.executemany("INSERT INTO errors VALUES (?, ?)",
                           ((n, json.dumps([_shown(v) for v in line], ensure_ascii=False))
                            for n, line in enumerate(workbook.errors(), start=1)))
            db.commit()
        os.replace(part, index)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


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
