"""The sample batch: regenerated identically, and decided exactly as its scenarios say."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, read_sheet

from engine.core.schema import Invalid
from engine.runs.check import check_batch

SAMPLE = ROOT / "sample_data"
BATCH = SAMPLE / "batch.xlsx"
EXPECTED = SAMPLE / "expected.csv"


def _make_sample():
    spec = importlib.util.spec_from_file_location("make_sample", SAMPLE / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _cells(path: Path) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook["申请"].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _expected() -> list[dict]:
    with EXPECTED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _rules(text) -> set[str]:
    """Rule IDs of a 规则 cell ("ID 名称" per line) or of an expected.csv line (IDs only)."""
    return set(re.findall(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+", str(text or "")))


def _documents(text) -> set[str]:
    return {d for d in str(text or "").split("、") if d}


@pytest.fixture(scope="module")
def decided(tmp_path_factory, book):
    output = tmp_path_factory.mktemp("sample") / "batch.decisions.xlsx"
    summary = check_batch(BATCH, output, book, command_line="pytest")
    return summary, read_sheet(output)


def test_sample_is_identical_when_regenerated(tmp_path):
    _make_sample().write(tmp_path)
    assert _cells(tmp_path / "batch.xlsx") == _cells(BATCH)
    assert (tmp_path / "expected.csv").read_text(encoding="utf-8") == EXPECTED.read_text(encoding="utf-8")


def test_sample_has_every_service_verdict_and_bad_row_when_generated():
    rows = _cells(BATCH)
    header, body = rows[0], rows[1:]
    assert header[-1] == "备注"
    assert sum(all(v is None for v in row) for row in body) == 1
    services = {row[1] for row in body if row[1]}
    assert {"信息变更", "密码重置", "密码解锁", "挂失", "解除挂失", "补卡", "换卡", "注销"} <= services
    assert {e["结论"] for e in _expected()} == {"受理", "补正材料", "不予受理", "转银行办理", "人工复核", "输入有误"}
    ids = [row[4] for row in body if any(v is not None for v in row)]
    # Exactly one ID typed as a number, on purpose (C1); every other ID cell is text.
    assert sorted(type(i).__name__ for i in ids if not isinstance(i, str)) in (["int"], ["float"])


def test_sample_decisions_match_expected_when_checked(decided):
    summary, results = decided
    expected = _expected()
    assert summary.skipped == 1
    assert len(results) == len(expected), "every non-blank row appears once"
    wrong = []
    for row, want in zip(results, expected):
        got = (row["申请编号"], row["结论"], float(row["费用(元)"] or 0), _documents(row["缺少材料"]), _rules(row["规则"]))
        exp = (want["申请编号"], want["结论"], float(want["费用(元)"]), _documents(want["缺少材料"]), _rules(want["规则"]))
        if got != exp:
            wrong.append(f"{want['申请编号']} ({want['场景']}): expected {exp[1:]}, got {got[1:]}")
    assert not wrong, "\n".join(wrong)


def test_every_rule_in_force_on_the_sample_dates_fires_on_a_sample_row_when_checked(decided, book):
    _, results = decided
    fired = set().union(*(_rules(row["规则"]) for row in results))
    days = {_day(book, row["申请日期"]) for row in results} - {None}
    silent = sorted(r.id for r in book.unique_rules()
                    if r.id not in fired and any(r.period.contains(day) for day in days))
    assert not silent, f"rules no sample row fires: {silent}"


def _day(book, cell):
    try:
        return book.schema.by_key[book.schema.effective_date].kind.parse(cell)
    except Invalid:
        return None
