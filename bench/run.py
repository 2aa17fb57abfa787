"""Benchmark: end-to-end rows/s and peak memory, next to the I/O floor measured in the same run.

    .venv/bin/python bench/run.py                 # 10,000 and 100,000 rows
    .venv/bin/python bench/run.py --rows 1048575  # a full worksheet (several minutes)

For each batch size it prints, each measured in a fresh process on the same file:
- floor: openpyxl read-only read of every cell + openpyxl write-only write of the same
  cells plus the decision columns, no rules (the cost of Excel I/O alone);
- xlsxwriter floor: the same read, written with xlsxwriter constant_memory (our writer);
- sscard: `sscard check` end to end, with 1 worker and with all cores;
and the engine alone (normalised rows through durable-rules, no I/O), with and
without the decision cache.  The machine is shared and noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DECISION_COLUMNS = 8


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure_floor(path: Path, writer: str) -> dict:
    import openpyxl
    start = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = 0
    out = Path(tempfile.mkdtemp()) / "floor.xlsx"
    if writer == "openpyxl":
        target = openpyxl.Workbook(write_only=True)
        sheet = target.create_sheet("结果")
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            sheet.append(list(values) + ["受理"] * DECISION_COLUMNS)
            rows += 1
        target.save(out)
    else:
        import xlsxwriter
        target = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False})
        sheet = target.add_worksheet("结果")
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            sheet.write_row(rows, 0, list(values) + ["受理"] * DECISION_COLUMNS)
            rows += 1
        target.close()
    return {"seconds": time.perf_counter() - start, "rows": rows - 1}


def measure_check(path: Path, workers: int) -> dict:
    out = Path(tempfile.mkdtemp()) / "out.xlsx"
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(path), "-o", str(out),
                    "--workers", str(workers)], check=True, stdout=subprocess.DEVNULL)
    return {"seconds": time.perf_counter() - start}


def measure_engine(path: Path, rows: int) -> dict:
    """Rows/s through durable-rules alone: normalised rows in, decisions out, no Excel."""
    from engine.core.decide import Decider
    from engine.core.normalise import normalise
    from engine.excel.reader import open_batch
    from engine.rulebook.source import load_rulebook
    book = load_rulebook(ROOT / "rules" / "规则库.xlsx")
    batch = open_batch(path, book.schema)
    normalised = [normalise(book.schema, batch.cells(values)) for _, values in itertools.islice(batch.rows(), rows)]
    batch.close()
    decider = Decider(book)
    start = time.perf_counter()
    for row in normalised:
        decider.decide(row)
    cached = time.perf_counter() - start
    uncached_decider = Decider(book)
    uncached_decider._cache = _NoCache()
    start = time.perf_counter()
    for row in normalised:
        uncached_decider.decide(row)
    uncached = time.perf_counter() - start
    return {"rows": len(normalised), "cached_rows_per_s": len(normalised) / cached,
            "durable_rows_per_s": len(normalised) / uncached}


class _NoCache(dict):
    """Forces every row through durable-rules, to measure the engine itself."""

    def get(self, key, default=None):
        return default

    def __setitem__(self, key, value):
        pass


def child(kind: str, path: Path, arg: int) -> None:
    if kind == "floor":
        result = measure_floor(path, "openpyxl")
    elif kind == "floor-xlsxwriter":
        result = measure_floor(path, "xlsxwriter")
    elif kind == "check":
        result = measure_check(path, arg)
    else:
        result = measure_engine(path, arg)
    own, children = _peak_mb()
    result.update(peak_mb=own, children_peak_mb=children)
    print(json.dumps(result))


def run_child(kind: str, path: Path, arg: int = 0) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(arg)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "sscard-bench")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), int(args.child[2]))
        return
    from make_batch import write_batch
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>9} {'step':<28} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'× floor':>8}")
    for rows in args.rows:
        path = args.data / f"batch-{rows}.xlsx"
        if not path.exists():
            write_batch(rows, path)
        floor = run_child("floor", path)
        steps = [("floor: openpyxl read+write", floor),
                 ("floor: read + xlsxwriter", run_child("floor-xlsxwriter", path)),
                 ("sscard check, 1 worker", run_child("check", path, 1)),
                 (f"sscard check, {args.workers} workers", run_child("check", path, args.workers))]
        for name, result in steps:
            peak = max(result["peak_mb"], result["children_peak_mb"])
            print(f"{rows:>9} {name:<28} {result['seconds']:>8.1f} {rows / result['seconds']:>9.0f} "
                  f"{peak:>8.0f} {result['seconds'] / floor['seconds']:>8.2f}")
        engine = run_child("engine", path, min(rows, 50_000))
        print(f"{rows:>9} {'engine alone (durable-rules)':<28} {'':>8} {engine['durable_rows_per_s']:>9.0f}")
        print(f"{rows:>9} {'engine alone, with cache':<28} {'':>8} {engine['cached_rows_per_s']:>9.0f}")


if __name__ == "__main__":
    main()
