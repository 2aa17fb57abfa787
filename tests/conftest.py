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
from engine.records.archive import archive_beside
from engine.rulebook.source import load_rulebook

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
    (.ci/run) installs it and sets SSCARD_REQUIRE_LIBREOFFICE=1, so there it is never skipped."""
    if SOFFICE is None and os.environ.get("SSCARD_REQUIRE_LIBREOFFICE") != "1":
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
                extra_headers: tuple[str, ...] = ()) -> Path:
    """A batch workbook with the full header; each row a dict keyed by header."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    header = headers(book) + list(extra_headers)
    ws.append(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, f"unknown headers {unknown}"
        ws.append([row.get(h) for h in header])
    workbook.save(path)
    return path


def read_sheet(path: Path, sheet: str = "结果") -> list[dict[str, Any]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    workbook.close()
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


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
