"""What an auditor needs to trust a decision sheet a year later.

Each row carries a 核验码: a digest of its input cells, its decision cells and the
rulebook digest, so that a decision edited outside sscard no longer matches.  The
审计 sheet records the run: when, with which rulebook and parameters, on which file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import math
import os
import platform
import sys
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from engine import labels
from engine.core.rulebook import Rulebook
from engine.excel.ooxml import MAX_CELL_TEXT, cell_name

DIGEST_LENGTH = 20  # hex characters shown in the 核验码 column

# Lines of the 审计 sheet that verify reads back.
RULEBOOK_DIGEST = "规则库 SHA-256"
RULEBOOK_VERSION = "规则库版本"
INPUT_DIGEST = "输入文件 SHA-256"
ROW_COUNT = "申请行数"
RESULTS_DIGEST = "结果表核验码"
# The sheets 结果's row codes do not cover: their digests, recorded at check time.
SHEET_DIGESTS = {labels.SUMMARY_SHEET: f"{labels.SUMMARY_SHEET}表核验码", labels.ERROR_SHEET: f"{labels.ERROR_SHEET}表核验码"}
RUN_ID = "运行编号"
OPERATOR = "操作员"
LEDGER = "账本"
LEDGER_DIGEST = "账本记录摘要"
NOT_IN_LEDGER = "未记入账本"
AUDIT_DIGEST = "审计表核验码"


def canonical(value: Any) -> str:
    """One text form per cell value, identical for a value and for the same value
    written by xlsxwriter and read back by openpyxl."""
    if type(value) is str:  # most cells: first, for a million rows' sake
        return value[:MAX_CELL_TEXT]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, dt.datetime):
        return _to_millisecond(value).isoformat()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)).isoformat()
    if isinstance(value, dt.time):
        return _to_millisecond(dt.datetime.combine(dt.date(2000, 1, 1), value)).time().isoformat()
    return str(value)[:MAX_CELL_TEXT]


def _number(value: int | float) -> str:
    # A cell holds a double written with 16 significant digits: 0.1 + 0.2 comes back
    # as 0.3, an 18-digit int as a rounded float.  Canonicalise to what comes back.
    number = float(value)
    if not math.isfinite(number):
        return str(value)  # written as text: 'nan', 'inf'
    stored = float(f"{number:.16G}")
    return str(int(stored)) if stored.is_integer() else repr(stored)


def _to_millisecond(value: dt.datetime) -> dt.datetime:
    # An Excel date-time keeps milliseconds at best.
    return value.replace(microsecond=0) + dt.timedelta(milliseconds=round(value.microsecond / 1000))


def row_digest(inputs: Sequence[Any], decision: Sequence[Any], rulebook_digest: str) -> str:
    payload = json.dumps([[canonical(v) for v in inputs], [canonical(v) for v in decision], rulebook_digest],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "未安装"


@dataclass
class RunRecord:
    """The 审计 sheet's facts about one run of ``check``."""

    input_path: Path
    input_sha256: str
    command_line: str
    operator: str = ""  # who ran it: the OS user unless the caller names someone (see current_operator)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())
    # The file's name as the clerk knows it: an upload is stored under a name of sscard's own.
    input_name: str = ""

    def __post_init__(self) -> None:
        self.input_name = self.input_name or self.input_path.name

    def items(self, book: Rulebook, rows: int, skipped: int, sheet: str,
              parameters_used: dict[str, set], results_digest: str = "",
              ledger_digest: str = "", ledger_path: Path | None = None,
              sheet_digests: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
        """``sheet_digests``: sheet name -> its SheetDigest, for the sheets in SHEET_DIGESTS."""
        offset = self.started.utcoffset() or dt.timedelta(0)
        items = [
            (RUN_ID, self.run_id),
            ("运行时间", self.started.isoformat(timespec="seconds")),
            ("时区", f"{self.started.tzname()}(UTC{_offset(offset)})"),
            (OPERATOR, self.operator),
            ("sscard 版本", _version("sscard")),
            ("规则库", book.name),
            (RULEBOOK_VERSION, book.version),
            ("规则库文件", str(book.path)),
            (RULEBOOK_DIGEST, book.digest),
        ]
        for parameter in book.parameters:
            history = "; ".join(f"自 {start.isoformat()} 起 {value}" for start, value in parameter.values)
            used = "、".join(str(v) for v in sorted(parameters_used.get(parameter.name, ())))
            items.append((f"参数 {parameter.name}", f"{history}(本批使用:{used or '无'};依据:{parameter.reference})"))
        items += [
            ("输入文件", self.input_name),
            ("输入文件路径", str(self.input_path.resolve())),
            (INPUT_DIGEST, self.input_sha256),
            ("输入工作表", sheet),
            (ROW_COUNT, str(rows)),
            ("跳过的空行", str(skipped)),
            ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
            ("openpyxl", _version("openpyxl")),
            ("durable-rules", _version("durable_rules")),
            ("xlsxwriter", _version("xlsxwriter")),
            ("xlrd", _version("xlrd")),  # reads a legacy .xls batch
            ("msoffcrypto-tool", _version("msoffcrypto-tool")),  # opens and protects password-protected workbooks
            ("命令行", self.command_line),
            ("核验码算法", f"SHA-256(输入各列、决定各列、规则库 SHA-256)前 {DIGEST_LENGTH} 位"),
            (RESULTS_DIGEST, results_digest),
            *((line, (sheet_digests or {}).get(name, "")) for name, line in SHEET_DIGESTS.items()),
            (LEDGER, str(ledger_path) if ledger_path else NOT_IN_LEDGER),
            (LEDGER_DIGEST, ledger_digest or NOT_IN_LEDGER),
        ]
        return items + [(AUDIT_DIGEST, audit_digest(items))]


def current_operator() -> str:
    """The person at the keyboard as the system knows them (the login name)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (a container, a service)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "未知"


def _offset(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class ResultsDigest:
    """One digest over every row's 核验码, in order: a deleted, added or moved row changes it."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, row_code: str) -> None:
        self._hash.update(row_code.encode("ascii", "replace") + b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class SheetDigest:
    """One digest over a sheet's cells: the place and value of every non-blank cell, row
    by row, so that an edited figure, a changed line, a deleted or added row all change it.
    Fed as the sheet is written (writer.TracedSheet) and as it is read back (verify).
    ``keep`` also keeps the cells (a small sheet: 汇总), to say later which one changed."""

    def __init__(self, keep: bool = False) -> None:
        self._hash = hashlib.sha256()
        self.cells: list[list[str]] | None = [] if keep else None  # [cell reference, value]

    def add_row(self, row: int, values: Mapping[int, Any]) -> None:
        """``row`` and the keys of ``values`` count from 0, as xlsxwriter's do."""
        cells = [(col, text) for col, value in sorted(values.items()) if (text := canonical(value))]
        if not cells:
            return
        self._hash.update(json.dumps([row, cells], ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
        if self.cells is not None:
            self.cells += [[cell_name(row, col), text] for col, text in cells]

    def add_rows(self, rows: Iterable[Sequence[Any]]) -> SheetDigest:
        """Rows as read back, from the sheet's first row."""
        for row, values in enumerate(rows):
            self.add_row(row, dict(enumerate(values)))
        return self

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def record(self) -> dict[str, Any]:
        """What the ledger keeps of the sheet."""
        return {"digest": self.hexdigest(), **({"cells": self.cells} if self.cells is not None else {})}


def audit_digest(items: Sequence[tuple[Any, Any]]) -> str:
    """Digest over the 审计 sheet's own lines, so an edited line there shows too."""
    payload = json.dumps([[canonical(k), canonical(v)] for k, v in items], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
