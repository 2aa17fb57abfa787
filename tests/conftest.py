"""Shared test helpers: build a batch the way a clerk would, read a decision sheet back."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import fixture_rulebook
import openpyxl
import pytest

from engine.core.decide import Decider, Decision
from engine.core.normalise import normalise
from engine.excel.decision_workbook import open_decisions
from engine.records.archive import archive_beside
from engine.records.digests import ResultsDigest, audit_digest, row_digest
from engine.rulebook.source import load_rulebook
from engine.runs import parallel

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "规则库.xlsx"
# Engine tests run on this small rulebook, so a change of the live policy never breaks them.
# It is built from its tables (fixture_rulebook.py) once per test run, in a private folder.
_BUILT = Path(tempfile.mkdtemp(prefix="fixture-rulebook-"))
atexit.register(shutil.rmtree, _BUILT, True)
FIXTURE_RULES = fixture_rulebook.build(_BUILT / "规则库.xlsx")
FIXTURE_MEMBER = fixture_rulebook.ID  # a valid 读者证号 of the fixture rulebook
BAD_CHECK_DIGIT = "110105194912310021"  # the same number with a wrong check digit
VALID_ID = "11010519491231002X"  # GB 11643 example number with a valid check digit
CASE_DAY = dt.datetime(2026, 3, 1)  # the date a test request is made on unless it says otherwise


SOFFICE = shutil.which("soffice")


def libreoffice_or_skip() -> None:
    """Tests that save a workbook as a spreadsheet application does need LibreOffice; CI
    (.ci/run) installs it and sets SSCARD_REQUIRE_OFFICE=1, so there it is never skipped."""
    if SOFFICE is None and os.environ.get("SSCARD_REQUIRE_OFFICE") != "1":
        pytest.skip("LibreOffice 测试已跳过:本机没有 LibreOffice(apt-get install libreoffice-calc-nogui 后即可运行)",
                    allow_module_level=True)


def saved_by_libreoffice(path: Path, work: Path) -> Path:
    """``path`` opened and saved once by LibreOffice Calc, in place, as an officer's spreadsheet
    application saves it (its own profile, so parallel runs never share one)."""
    out = work / "libreoffice-out"
    subprocess.run([SOFFICE or "soffice", "--headless", f"-env:UserInstallation=file://{work / 'libreoffice-profile'}",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)], check=True, capture_output=True,
                   timeout=300)
    shutil.move(out / path.with_suffix(".xlsx").name, path)
    return path


@pytest.fixture(scope="session")
def book():
    """The live rulebook as sscard loads it (its version from the archive when published)."""
    return archive_beside(RULES).load(RULES)


@pytest.fixture(scope="session")
def fixture_book():
    return load_rulebook(FIXTURE_RULES)


@pytest.fixture
def fixture_home(tmp_path, monkeypatch) -> Path:
    """A repository of its own around a published copy of the fixture rulebook:
    home/rules/规则库.xlsx (the live rulebook sscard uses, via SSCARD_RULES) and home/archive."""
    home = tmp_path / "home"
    live = home / "rules" / "规则库.xlsx"
    live.parent.mkdir(parents=True)
    shutil.copy(FIXTURE_RULES, live)
    monkeypatch.setenv("SSCARD_RULES", str(live))
    archive_beside(live).store(load_rulebook(live))
    return home


def live_of(home: Path) -> Path:
    return home / "rules" / "规则库.xlsx"


@pytest.fixture
def home_book(fixture_home):
    """The live rulebook of ``fixture_home`` as sscard loads it: published, with its version."""
    return archive_beside(live_of(fixture_home)).load(live_of(fixture_home))


def fixture_decide(book, **fields: Any) -> Decision:
    """Decide one fixture request (see fixture_request) straight through the engine."""
    by_header = {c.header: c.key for c in book.schema.columns}
    cells = {by_header[h]: v for h, v in fixture_request(**fields).items()}
    return Decider(book).decide(normalise(book.schema, cells))


def fixture_request(**fields: Any) -> dict[str, Any]:
    """A request of the fixture rulebook by header name: a valid 本人 办证 unless told otherwise."""
    row = {"申请编号": "F1", "业务类型": "办证", "申请日期": CASE_DAY, "姓名": "李四",
           "读者证号": FIXTURE_MEMBER, "办理人": "本人", "材料:身份证件": "是"}
    row.update(fields)
    return row


@pytest.fixture(scope="session")
def decider(book):
    return Decider(book)


def headers(book) -> list[str]:
    return [c.header for c in book.schema.columns]


def request(**fields: Any) -> dict[str, Any]:
    """A request by header name; the always-required fields default to a valid 本人 row."""
    row = {"申请编号": "T1", "申请日期": CASE_DAY, "持卡人姓名": "张三",
           "公民身份号码": VALID_ID, "办理人": "本人", "卡状态": "正常"}
    row.update(fields)
    return row


def write_batch(path: Path, book, rows: list[dict[str, Any]], *, sheet: str = "申请",
                extra_headers: tuple[str, ...] = (), cells: dict[tuple[int, int], Any] | None = None) -> Path:
    """A batch workbook with the full header; each row a dict keyed by header; ``cells``
    sets more cells by (Excel row, column), such as one right of the header."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    header = headers(book) + list(extra_headers)
    ws.append(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, f"unknown headers {unknown}"
        ws.append([row.get(h) for h in header])
    for (row, column), value in (cells or {}).items():
        ws.cell(row, column, value)
    workbook.save(path)
    return path


HELPERS_ROWS = 5000  # fixture requests enough for a batch worth helper processes


def write_helpers_batch(path: Path, book, prefix: str, *, changed: dict[int, dict[str, Any]] | None = None,
                        cells: dict[tuple[int, int], Any] | None = None) -> Path:
    """A batch big enough to be read and decided by helper processes (engine/runs/parallel.py):
    requests PREFIX0, PREFIX1 ... from Excel row 2, the fields of Excel row N ``changed[N]``."""
    rows = [fixture_request(**{"申请编号": f"{prefix}{i}", **(changed or {}).get(i + 2, {})}) for i in range(HELPERS_ROWS)]
    write_batch(path, book, rows, cells=cells)
    assert HELPERS_ROWS > max(parallel.HELPERS_FROM_ROWS, 2 * parallel.CHUNK_ROWS), "too few rows for helpers"
    return path


def read_sheet(path: Path, sheet: str = "结果") -> list[dict[str, Any]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    workbook.close()
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


def forge_decision(path: Path, request_id: str, verdict: str) -> None:
    """What someone who knows the algorithm can do: change a decision and recompute
    the row's 核验码, the 结果表核验码 and the 审计表核验码."""
    stored = open_decisions(path)
    try:
        headers, codes = stored.headers, []
        rid_at = headers.index("申请编号")
        audit = stored.audit_items
        rows = list(stored.rows())
    finally:
        stored.close()
    workbook = openpyxl.load_workbook(path)
    results, audit_sheet = workbook["结果"], workbook["审计"]
    recorded = dict(audit)["规则库 SHA-256"]
    header = [c.value for c in results[1]]
    for row in rows:
        cells = list(row.cells)
        if row.inputs[rid_at] == request_id:
            cells[0] = verdict
            results.cell(row.sheet_row, header.index("结论") + 1).value = verdict
            code = row_digest(row.inputs, cells, recorded)
            results.cell(row.sheet_row, header.index("核验码") + 1).value = code
        else:
            code = row.code
        codes.append(code)
    digest = ResultsDigest()
    for code in codes:
        digest.add(code)
    items = [(k, digest.hexdigest() if k == "结果表核验码" else v) for k, v in audit if k != "审计表核验码"]
    items.append(("审计表核验码", audit_digest(items)))
    for number, (key, value) in enumerate(items, start=2):
        audit_sheet.cell(number, 1).value, audit_sheet.cell(number, 2).value = key, value
    workbook.save(path)


def damage_ledger(ledger: Path) -> None:
    """What a failing disk or a half-copied file does to a ledger: a page of it overwritten."""
    data = bytearray(ledger.read_bytes())
    data[2 * 4096:3 * 4096] = b"\x5a" * 4096
    ledger.write_bytes(bytes(data))


# A ledger as sscard wrote it before runs had operators (and before request ids had keys).
LEDGER_BEFORE_OPERATORS = """
CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE, started TEXT NOT NULL,
    rulebook_version TEXT NOT NULL, rulebook_digest TEXT NOT NULL, input_name TEXT NOT NULL,
    input_sha256 TEXT NOT NULL, rows INTEGER NOT NULL, command_line TEXT NOT NULL, prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL);
CREATE TABLE decisions (run_id TEXT NOT NULL, row INTEGER NOT NULL, request_id TEXT, verdict TEXT NOT NULL,
    fee NUMERIC NOT NULL, missing TEXT NOT NULL, rules TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (run_id, row));
"""


@pytest.fixture
def decide(book, decider):
    """Decide one request given by header name, straight through the engine (no Excel)."""
    def run(**fields: Any) -> Decision:
        by_header = {c.header: c.key for c in book.schema.columns}
        cells = {by_header[h]: v for h, v in request(**fields).items()}
        return decider.decide(normalise(book.schema, cells))
    return run


@pytest.fixture(autouse=True)
def _ledger_in_tmp(tmp_path, monkeypatch):
    """`sscard check` records every run in a ledger; no test may write the user's real one."""
    monkeypatch.setenv("SSCARD_LEDGER", str(tmp_path / "ledger.sqlite3"))
