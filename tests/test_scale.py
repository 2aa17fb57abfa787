"""Batches far past durable-rules' 1024-session limit are decided completely and the same way twice."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl
import pytest

from engine.runs.check import check_batch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from make_batch import write_batch  # noqa: E402


def _results(path: Path) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(r) for r in workbook["结果"].iter_rows(values_only=True)]
    workbook.close()
    return rows


def _decided_twice(tmp_path: Path, book, rows: int, workers: int) -> None:
    batch = write_batch(rows, tmp_path / "batch.xlsx")
    first = check_batch(batch, tmp_path / "first.xlsx", book, workers=workers)
    second = check_batch(batch, tmp_path / "second.xlsx", book, workers=1)
    assert first.rows == second.rows == rows
    assert sum(first.verdicts.values()) == rows
    one, two = _results(tmp_path / "first.xlsx"), _results(tmp_path / "second.xlsx")
    assert len(one) == rows + 1
    verdict = one[0].index("结论")
    assert all(r[verdict] in book.verdicts for r in one[1:])
    request_id = one[0].index("申请编号")
    assert [r[request_id] for r in one[1:]] == [f"B{i:07d}" for i in range(1, rows + 1)]  # input order kept
    assert one == two  # same decisions, same 核验码, whether decided by workers or in-process


def test_5000_rows_are_all_decided_identically_when_run_twice(tmp_path, book):
    _decided_twice(tmp_path, book, 5_000, workers=2)


@pytest.mark.slow
def test_100000_rows_are_all_decided_identically_when_run_twice(tmp_path, book):
    _decided_twice(tmp_path, book, 100_000, workers=2)


@pytest.mark.slow
def test_full_worksheet_is_decided_in_bounded_memory_when_it_has_1048575_rows(tmp_path):
    # Run as a clerk would, in its own process, so its peak memory is its own.
    batch = write_batch(1_048_575, tmp_path / "full.xlsx")
    out = tmp_path / "full.decisions.xlsx"
    measure = ("import resource, subprocess, sys; "
               "subprocess.run([sys.executable, 'cli.py', 'check', sys.argv[1], '-o', sys.argv[2]], check=True, "
               "stdout=subprocess.DEVNULL); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", measure, str(batch), str(out)], cwd=root, check=True,
                          capture_output=True, text=True)
    peak_mb = int(done.stdout.strip())
    assert peak_mb < 400, f"peak RSS {peak_mb} MB"
    with warnings.catch_warnings():
        # Every row is printable, so the print area is whole columns ($A:$K): Excel and LibreOffice
        # read that; openpyxl only warns that it cannot represent it.
        warnings.filterwarnings("ignore", message="Print area cannot be set")
        workbook = openpyxl.load_workbook(out, read_only=True)
    rows = sum(1 for _ in workbook["结果"].iter_rows(min_row=2, values_only=True))
    workbook.close()
    assert rows == 1_048_575
