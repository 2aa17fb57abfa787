"""Benchmark: end-to-end rows/s and peak memory, next to the I/O floor measured in the same run.

    .venv/bin/python bench/run.py                 # 10,000 and 100,000 rows
    .venv/bin/python bench/run.py --rows 100000 --repeat 3
    .venv/bin/python bench/run.py --rows 1048575  # a full worksheet (several minutes a step)

For each batch size it prints, each measured in a fresh process on the same file:
- floor: openpyxl read-only read of every cell + openpyxl write-only write of the same
  cells plus the decision columns, no rules (the cost of Excel I/O alone);
- xlsxwriter floor: the same read, written with xlsxwriter constant_memory (our writer);
- sscard: `sscard check` end to end (a ledger of its own), with each --workers given;
- the stages of `sscard check` apart, in CPU seconds on at most 100,000 rows: reading,
  deciding, writing the printable 结果 with the ledger, and passing rows between
  processes.  `check` does them one after the other with 1 worker; with more, reading,
  deciding and writing overlap, so with enough cores a batch takes about its slowest
  stage;
- the engine alone (normalised rows through durable-rules, no I/O), with and without
  the decision cache.

The machine may be shared: with --repeat the steps take turns, and each ratio to the
floor is taken against the floor of the same round (the median is shown).  CPU seconds
(of every process of a step) show the work done whatever the load; seconds show what
a clerk waits, which only free cores shorten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DECISION_COLUMNS = 8
STAGE_ROWS = 100_000


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure_floor(path: Path, writer: str) -> dict:
    import openpyxl
    start, cpu = time.perf_counter(), _cpu_seconds(resource.RUSAGE_SELF)
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
    out.unlink()
    return {"seconds": time.perf_counter() - start, "cpu": _cpu_seconds(resource.RUSAGE_SELF) - cpu, "rows": rows - 1}


def measure_check(path: Path, workers: int) -> dict:
    """`sscard check` in a process of its own, with a fresh ledger; the peak memory of
    its largest process, and of all its processes together (sampled every 0.1 s)."""
    folder = Path(tempfile.mkdtemp())
    env = {**os.environ, "SSCARD_LEDGER": str(folder / "ledger.sqlite3")}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "check", str(path), "-o", str(folder / "out.xlsx"),
                                "--workers", str(workers)], stdout=subprocess.DEVNULL, env=env)
    together = 0.0
    while process.poll() is None:
        together = max(together, _tree_rss_mb(process.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"sscard check failed with exit code {process.returncode}")
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()
    return {"seconds": seconds, "cpu": _cpu_seconds(resource.RUSAGE_CHILDREN), "together_mb": together}


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def measure_stages(path: Path, rows: int) -> dict:
    """CPU seconds of each stage of `check`, apart, on the first ``rows`` rows."""
    from engine.core.decide import Decider
    from engine.excel.reader import is_blank_row, open_batch
    from engine.excel.result_layout import ResultLayout
    from engine.records.digests import RunRecord
    from engine.records.ledger import Ledger
    from engine.rulebook.source import load_rulebook
    from engine.runs import check
    from engine.runs.batch import DecidedRow
    from engine.runs.parallel import CHUNK_ROWS, chunks, decide_one

    book = load_rulebook(ROOT / "rules" / "规则库.xlsx")
    batch = open_batch(path, book.schema)
    clock = time.process_time
    start = clock()
    read = [(n, v) for n, v in itertools.islice(batch.rows(), rows) if not is_blank_row(v)]
    read_seconds = clock() - start

    decider = Decider(book)
    start = clock()
    decided = [(n, v, *decide_one(decider, batch.cells(v))) for n, v in read]
    decide_seconds = clock() - start

    start = clock()  # what the helpers send: rows to the deciders, decided rows to check
    for raw, done in zip(chunks(read, CHUNK_ROWS), chunks(decided, CHUNK_ROWS)):
        pickle.loads(pickle.dumps(raw, pickle.HIGHEST_PROTOCOL))
        pickle.loads(pickle.dumps(done, pickle.HIGHEST_PROTOCOL))
    transfer_seconds = clock() - start

    folder = Path(tempfile.mkdtemp())
    output = folder / "out.xlsx"
    record = RunRecord(path, "bench", "bench", "bench")
    summary = check.Summary(path, output, batch.sheet, batch.sheet_found_by_name, run_id=record.run_id)
    layout = ResultLayout.of(batch.output_headers(), batch.key_at, book.schema.identity)
    rows_done = [DecidedRow(*row) for row in decided]

    class Counts:
        rows, skipped = len(rows_done), 0
    ledger = Ledger(folder / "ledger.sqlite3")
    start = clock()
    with ledger.recording(record, book, output) as entry:
        check._write(output, layout, batch.key_at, book, rows_done, Counts(), summary, record, entry, ledger.path)
        entry.pending()
    write_seconds = clock() - start
    batch.close()
    return {"rows": len(read), "read": read_seconds, "decide": decide_seconds, "transfer": transfer_seconds,
            "write": write_seconds}


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
    uncached_decider._decisions = _NoCache()
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
    elif kind == "stages":
        result = measure_stages(path, arg)
    else:
        result = measure_engine(path, arg)
    own, children = _peak_mb()
    result.update(peak_mb=own, children_peak_mb=children)
    print(json.dumps(result))


def run_child(kind: str, path: Path, arg: int = 0) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(arg)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, nargs="*", default=sorted({1, cores()}))
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every step, taking turns")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "sscard-bench")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), int(args.child[2]))
        return
    from make_batch import write_batch
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"{dt.date.today()}, {cores()} cores, load average {_load()} at the start")
    print(f"{'rows':>9} {'step':<34} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'all MB':>7} {'× floor':>8} "
          f"{'CPU s':>7} {'CPU × floor':>8}")
    for rows in args.rows:
        path = args.data / f"batch-{rows}.xlsx"
        if not path.exists():  # written under another name first: a bench stopped half-way leaves no half batch
            write_batch(rows, path.with_name(f"{path.stem}.part.xlsx")).rename(path)
        steps = {"floor: openpyxl read+write": ("floor", 0), "floor: read + xlsxwriter": ("floor-xlsxwriter", 0),
                 **{f"sscard check, {w} worker{'s' if w > 1 else ''}": ("check", w) for w in args.workers}}
        results: dict[str, list[dict]] = {name: [] for name in steps}
        for _ in range(args.repeat):
            for name, (kind, arg) in steps.items():
                results[name].append(run_child(kind, path, arg))
        floors = results["floor: openpyxl read+write"]
        for name, runs in results.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            ratio = statistics.median(r["seconds"] / floor["seconds"] for r, floor in zip(runs, floors))
            cpu = statistics.median(r["cpu"] for r in runs)
            cpu_ratio = statistics.median(r["cpu"] / floor["cpu"] for r, floor in zip(runs, floors))
            peak = max(max(r["peak_mb"], r["children_peak_mb"]) for r in runs)
            together = max(r.get("together_mb", 0) for r in runs)
            together_text = f"{together:.0f}" if together else ""
            print(f"{rows:>9} {name:<34} {seconds:>8.1f} {rows / seconds:>9.0f} {peak:>8.0f} {together_text:>7} "
                  f"{ratio:>8.2f} {cpu:>7.1f} {cpu_ratio:>8.2f}")
        stages = run_child("stages", path, min(rows, STAGE_ROWS))
        per = rows / stages["rows"]  # the stages, scaled to the whole batch
        for stage, label in (("read", "reading (openpyxl)"), ("decide", "deciding"),
                             ("write", "writing 结果 + ledger"), ("transfer", "between processes")):
            print(f"{rows:>9} {'stage: ' + label:<34} {stages[stage] * per:>8.1f}   (CPU seconds)")
        engine = run_child("engine", path, min(rows, 50_000))
        print(f"{rows:>9} {'engine alone (durable-rules)':<34} {'':>8} {engine['durable_rows_per_s']:>9.0f}")
        print(f"{rows:>9} {'engine alone, with cache':<34} {'':>8} {engine['cached_rows_per_s']:>9.0f}")
    print(f"load average {_load()} at the end")


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
