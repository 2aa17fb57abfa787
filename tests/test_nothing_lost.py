"""Whatever damage a batch carries, every non-blank input row comes out exactly once, in order, with a 结论."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from conftest import VALID_ID, headers, read_sheet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import EmptyBatch
from engine.runs.check import check_batch

DAMAGED = st.one_of(
    st.none(), st.just(""), st.just("   "), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), st.integers(-5, 10 ** 17),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["是", "否", "TRUE", "挂失", "补卡", "reissue", "本人", "代办", "社保账户", "=1+1", "@SUM(A1)",
                     "-3", "+86", "#N/A", "ｅｘｃｈａｎｇｅ", VALID_ID, VALID_ID.lower(), "2026-02-30",
                     "x" * 40_000]),
)


@st.composite
def batches(draw):
    width = 40  # fitted to the rulebook's header in the test: a column added to the rulebook changes nothing
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 9)) == 0:
            rows.append(None)  # a wholly blank row: skipped, and counted
            continue
        rows.append([draw(DAMAGED) for _ in range(width)])
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=batches())
def test_every_row_is_decided_exactly_once_when_cells_are_damaged(tmp_path_factory, book, rows):
    folder = tmp_path_factory.mktemp("damage")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申请"
    sheet.append(headers(book) + ["备注"])
    markers = []
    for number, row in enumerate(rows, start=2):
        if row is None:
            sheet.append([])
            continue
        marker = f"row-{number}"
        markers.append(marker)
        width = len(headers(book))
        for col, value in enumerate((row + [None] * width)[:width] + [marker], start=1):
            if isinstance(value, str) and value.startswith("="):
                sheet.cell(number, col).value = value
                sheet.cell(number, col).data_type = "s"  # text that looks like a formula, as a clerk typed it
            else:
                sheet.cell(number, col, value)
    batch = folder / "batch.xlsx"
    workbook.save(batch)
    before = batch.read_bytes()

    if not markers:  # no request row at all: refused, nothing written
        with pytest.raises(EmptyBatch):
            check_batch(batch, folder / "out.xlsx", book, workers=1)
        assert not (folder / "out.xlsx").exists() and batch.read_bytes() == before
        return
    summary = check_batch(batch, folder / "out.xlsx", book, workers=1)

    results = read_sheet(folder / "out.xlsx")
    assert [r["备注"] for r in results] == markers
    assert all(r["结论"] in book.verdicts for r in results)
    assert summary.rows == len(markers)
    # A blank row after the last filled one is not stored in the file at all.
    last = max((i for i, r in enumerate(rows) if r is not None), default=0)
    assert summary.skipped == sum(1 for r in rows[:last] if r is None)
    assert batch.read_bytes() == before
