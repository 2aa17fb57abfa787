"""What the browser tests share: Debian's Chromium (the fixture ``browser``: a module imports
``chromium_browser`` to use it), `sscard serve` in a process of its own (with the accounts an
office's IT staff make first), and a person uploading, waiting and signing in as they would."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)
# Root needs --no-sandbox; the rest keep a browser on a closed network from reaching out.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "柜面-2026-春天"
WAIT_MS = 60_000


@pytest.fixture(scope="module", name="browser")
def chromium_browser():
    """Debian's Chromium, driven by Playwright: skipped where none is installed, unless CI
    requires it (SSCARD_REQUIRE_BROWSER=1)."""
    if CHROMIUM is None:
        if os.environ.get("SSCARD_REQUIRE_BROWSER") == "1":
            pytest.fail("SSCARD_REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install chromium)")
        pytest.skip("浏览器测试已跳过:本机没有 Chromium(apt-get install chromium 后即可运行)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Server:
    """`sscard serve` in its own process, on a free port, with its own data and ledger."""

    def __init__(self, folder: Path, *args: str, env: dict[str, str] | None = None,
                 accounts: dict[str, tuple[str, ...]] | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "server.log"
        self.ledger = folder / "ledger.sqlite3"
        self.data = folder / "data"
        environment = {**os.environ, "SSCARD_LEDGER": str(self.ledger), **(env or {})}
        for name, roles in (accounts or {}).items():  # as the IT staff make them, before the service starts
            subprocess.run([sys.executable, str(ROOT / "cli.py"), "users", "add", name, *(f"--role={r}" for r in roles),
                            "--data", str(self.data)], env={**environment, "SSCARD_NEW_PASSWORD": PASSWORD},
                           check=True, capture_output=True)
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "cli.py"), "serve", "--port", "0", "--data", str(self.data), *args],
                stdout=subprocess.PIPE, stderr=log, text=True, env=environment, cwd=folder)
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        line = self.process.stdout.readline() if ready else ""
        found = re.search(r"http://\S+?:(\d+)/", line)
        if not found:
            self.stop()
            raise AssertionError(f"sscard serve did not start: {line!r} {self.log.read_text()}")
        self.url = f"http://127.0.0.1:{found[1]}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        self.process.stdout.close()


def upload(page, server: Server, *paths: Path) -> None:
    page.goto(server.url + "/")
    page.set_input_files("#batches", [str(p) for p in paths])
    page.click("text=开始检查")


def wait_finished(page) -> None:
    """The page follows progress by itself and shows each batch when it ends: wait until none runs."""
    page.locator("section.card").first.wait_for(timeout=WAIT_MS)
    deadline = time.monotonic() + 2 * WAIT_MS / 1000
    # The page reloads as each batch ends: a document caught mid-reload holds no card at
    # all, which must not pass for "none running".
    while True:
        page.wait_for_load_state()
        try:
            settled = page.locator("section.card").count() and \
                not page.locator("section.card.queued, section.card.running").count()
        except PlaywrightError:  # the document was replaced while it was being read
            settled = False
        if settled:
            break
        assert time.monotonic() < deadline, page.locator("section.card").all_inner_texts()
        page.wait_for_timeout(200)


def sign_in(page, server: Server, name: str, password: str = PASSWORD, target: str = "/") -> None:
    page.goto(server.url + target)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button:text('登录')")
