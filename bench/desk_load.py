"""Benchmark the counter desk: how long a colleague's 20-row batch takes while big
batches are being checked (by default two of 45,000 rows, uploaded together).

    .venv/bin/python bench/desk_load.py                        # two 45,000-row batches beside 20
    .venv/bin/python bench/desk_load.py --big 100000 --bigs 1  # one 100,000-row batch

Starts `sscard serve` on a free port with its own data folder and ledger, and talks to
it over HTTP as a browser does (Playwright's request client, no browser): upload, then
poll the progress endpoint every 50 ms until the result is there.  Prints the 20-row
result time alone, then again and again while the big batches run, and the big batches'
own times.  The machine is shared and noisy: run it twice.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

POLL_SECONDS = 0.05


class Desk:
    def __init__(self, api):
        self.api = api

    def upload(self, path: Path) -> str:
        """Upload one batch; its result link's token."""
        page = self.api.get("/").text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        response = self.api.post("/check", multipart={"csrf_token": token, "batches": {
            "name": path.name, "mimeType": "application/octet-stream", "buffer": path.read_bytes()}})
        assert response.ok, response.status
        return re.search(r'href="/batch/([A-Za-z0-9_-]{43})"', response.text())[1]  # the newest card first

    def status(self, token: str) -> dict:
        return self.api.get(f"/batch/{token}/progress").json()

    def wait(self, token: str) -> None:
        while (progress := self.status(token))["status"] not in ("done", "failed"):
            time.sleep(POLL_SECONDS)
        assert progress["status"] == "done", progress

    def result_seconds(self, path: Path) -> float:
        start = time.perf_counter()
        self.wait(self.upload(path))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=45_000, help="rows of each big batch")
    parser.add_argument("--bigs", type=int, default=2, help="how many big batches run at once")
    parser.add_argument("--small", type=int, default=20, help="rows of the colleague's batch")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "sscard-bench")
    args = parser.parse_args()
    from make_batch import write_batch
    from playwright.sync_api import sync_playwright

    args.data.mkdir(parents=True, exist_ok=True)
    big, small = args.data / f"batch-{args.big}.xlsx", args.data / f"batch-{args.small}.xlsx"
    for rows, path in ((args.big, big), (args.small, small)):
        if not path.exists():
            write_batch(rows, path)
    work = Path(tempfile.mkdtemp(prefix="sscard-desk-bench-"))
    server = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", "0", "--data", str(work)],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "SSCARD_LEDGER": str(work / "ledger.sqlite3")})
    try:
        port = re.search(r"http://\S+?:(\d+)/", server.stdout.readline())[1]
        with sync_playwright() as playwright:
            desk = Desk(playwright.request.new_context(base_url=f"http://127.0.0.1:{port}"))
            alone = [desk.result_seconds(small) for _ in range(5)]
            print(f"{args.small}-row batch alone: median {statistics.median(alone):.2f} s, max {max(alone):.2f} s")
            started = time.perf_counter()
            bigs = [desk.upload(big) for _ in range(args.bigs)]
            while all(desk.status(token)["status"] == "queued" for token in bigs):
                time.sleep(POLL_SECONDS)
            beside, finished = [], {}
            while len(finished) < len(bigs):
                beside.append(desk.result_seconds(small))
                for token in bigs:
                    if token not in finished and desk.status(token)["status"] in ("done", "failed"):
                        finished[token] = time.perf_counter() - started
            for token in bigs:
                desk.wait(token)
            print(f"{args.small}-row batch while {args.bigs} × {args.big:,}-row batches run ({len(beside)} times): "
                  f"median {statistics.median(beside):.2f} s, 90th percentile "
                  f"{statistics.quantiles(beside, n=10)[-1]:.2f} s, max {max(beside):.2f} s, "
                  f"{sum(seconds >= 2 for seconds in beside)} of them 2 s or more")
            for number, token in enumerate(bigs, 1):
                print(f"{args.big:,}-row batch {number}: {finished[token]:.1f} s from upload to result")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
