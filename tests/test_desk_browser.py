"""The counter desk in a real browser: Chromium (Debian's package) driven by Playwright,
against `sscard serve` started as a clerk's office would start it.

Skipped, with one line in the summary, where no Chromium is installed; CI installs one
and sets SSCARD_REQUIRE_BROWSER=1, so there a missing browser fails instead.
"""

from __future__ import annotations

import base64
import os
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, read_sheet

from engine.runs.check import check_batch

SAMPLE = ROOT / "sample_data" / "batch.xlsx"
SCREENSHOT = ROOT / "docs" / "desk-check.png"
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)
# Root needs --no-sandbox; the rest keep a browser on a closed network from reaching out.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ACCESS_CODE = "柜面-2026-春"
WAIT_MS = 60_000

if CHROMIUM is None and os.environ.get("SSCARD_REQUIRE_BROWSER") != "1":
    pytest.skip("浏览器测试已跳过:本机没有 Chromium(apt-get install chromium 后即可运行)", allow_module_level=True)


class Server:
    """`sscard serve` in its own process, on a free port, with its own data and ledger."""

    def __init__(self, folder: Path, *args: str, env: dict[str, str] | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "server.log"
        self.ledger = folder / "ledger.sqlite3"
        environment = {**os.environ, "SSCARD_LEDGER": str(self.ledger), **(env or {})}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "cli.py"), "serve", "--port", "0", "--data", str(folder / "data"), *args],
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


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("SSCARD_REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("desk"))
    yield running
    running.stop()
    assert "Traceback" not in running.log.read_text(), running.log.read_text()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def upload(page, server: Server, *paths: Path) -> None:
    page.goto(server.url + "/")
    page.set_input_files("#batches", [str(p) for p in paths])
    page.click("text=开始检查")


def wait_finished(page, count: int = 1) -> None:
    """The page follows progress by itself and shows each batch when it ends."""
    page.locator("section.card.done, section.card.failed").nth(count - 1).wait_for(timeout=WAIT_MS)


@pytest.fixture(scope="module")
def checked_sample(browser, server, tmp_path_factory):
    """sample_data/batch.xlsx checked in the browser: (its result page, the downloaded decision workbook)."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    upload(page, server, SAMPLE)
    wait_finished(page)
    page.click("text=查看结果")
    with page.expect_download() as download:
        page.click("text=下载决定工作簿")
    saved = tmp_path_factory.mktemp("download") / download.value.suggested_filename
    download.value.save_as(saved)
    result_url = page.url
    context.close()
    return result_url, saved


def test_sample_batch_is_checked_and_the_downloaded_workbook_holds_checks_decisions(checked_sample, book, tmp_path):
    _, downloaded = checked_sample
    assert downloaded.name == "batch.decisions.xlsx"
    expected = check_batch(SAMPLE, tmp_path / "cli.xlsx", book).output
    decided = [(r["申请编号"], r["结论"], r["费用(元)"], r["缺少材料"]) for r in read_sheet(downloaded)]
    assert decided == [(r["申请编号"], r["结论"], r["费用(元)"], r["缺少材料"]) for r in read_sheet(expected)]
    assert len(decided) == sum(1 for row in read_sheet(SAMPLE, "申请") if any(v is not None for v in row.values()))


def test_result_page_shows_summary_chart_errors_and_a_filterable_table(checked_sample, page, book):
    result_url, downloaded = checked_sample
    page.goto(result_url)
    rows = read_sheet(downloaded)
    errors = read_sheet(downloaded, "错误")
    pending = sum(r["费用(元)"] for r in rows if r["结论"] == "补正材料")
    due = sum(r["费用(元)"] for r in rows) - pending
    cells = page.locator("table.matrix tfoot td")
    assert [cells.nth(cells.count() - 2).inner_text(), cells.last.inner_text()] == [f"{due:g}", f"{pending:g}"]
    assert page.locator("svg.chart rect").count() > len(book.verdicts)
    assert page.locator("table.errors tbody tr").count() == len(errors)
    page.select_option("select[name=verdict]", "人工复核")
    page.click("text=筛选")
    review = [r["申请编号"] for r in rows if r["结论"] == "人工复核"]
    assert page.locator("table.rows tbody tr").count() == len(review)
    assert page.locator("table.rows tbody tr").first.locator("td").nth(2).inner_text() == review[0]
    _screenshot_for_readme(page, result_url)


def _screenshot_for_readme(page, result_url: str) -> None:
    """The README's picture of the check page, retaken by every run where Chinese fonts exist."""
    page.goto(result_url)
    image = page.screenshot(mask=[page.locator(".meta")], mask_color="#f6f7f9")  # the upload time changes
    assert image.startswith(b"\x89PNG")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True) if shutil.which("fc-list") else None
    if fonts and fonts.stdout.strip() and (not SCREENSHOT.exists() or SCREENSHOT.read_bytes() != image):
        SCREENSHOT.write_bytes(image)


def test_hostile_file_gives_the_one_line_message(page, server, tmp_path):
    hostile = tmp_path / "坏批次.xlsx"
    hostile.write_text("申请编号,业务类型\nA1,补卡\n", encoding="utf-8")  # a CSV renamed .xlsx
    upload(page, server, hostile)
    wait_finished(page)
    message = page.locator("section.card.failed .problem").inner_text()
    assert message.startswith("坏批次.xlsx: ") and "CSV" in message and "Excel" in message
    assert "\n" not in message.strip() and "Traceback" not in page.content()


def test_edited_decision_workbook_is_caught_on_verify(checked_sample, page, server, tmp_path):
    _, downloaded = checked_sample
    edited = tmp_path / "改过的决定.xlsx"
    workbook = openpyxl.load_workbook(downloaded)
    sheet = workbook["结果"]
    header = [c.value for c in sheet[1]]
    verdict = header.index("结论") + 1
    request_id = sheet.cell(5, header.index("申请编号") + 1).value
    sheet.cell(5, verdict).value = "受理" if sheet.cell(5, verdict).value != "受理" else "不予受理"
    workbook.save(edited)
    page.goto(server.url + "/verify")
    page.set_input_files("input[name=workbook]", str(edited))
    page.click("button:text('核验')")
    assert "核对未通过" in page.locator(".verdict-bad").inner_text()
    finding = page.locator("table tbody tr").filter(has_text=request_id)
    assert finding.locator("td").nth(1).inner_text() == "5"
    assert "决定被改动" in finding.inner_text()


def test_notices_pdf_downloads_for_all_and_for_selected_rows(checked_sample, page):
    result_url, _ = checked_sample
    page.goto(result_url)
    with page.expect_download(timeout=10_000) as everyone:
        page.click("text=打印全部告知书")
    assert everyone.value.suggested_filename == "batch.告知书.pdf"
    assert Path(everyone.value.path()).read_bytes().startswith(b"%PDF")
    page.locator("table.rows tbody input[name=id]").first.check()
    with page.expect_download(timeout=10_000) as chosen:
        page.click("text=打印所选告知书")
    assert Path(chosen.value.path()).read_bytes().startswith(b"%PDF")


def test_two_batches_uploaded_at_once_both_finish_and_the_ledger_chain_holds(page, server, tmp_path):
    second = tmp_path / "二号网点.xlsx"
    shutil.copy(SAMPLE, second)
    upload(page, server, SAMPLE, second)
    wait_finished(page, 2)
    assert page.locator("section.card.done").count() == 2
    page.click("text=台账")
    assert "哈希链完好" in page.locator(".verdict-ok").inner_text()
    assert page.get_by_role("cell", name="二号网点.xlsx", exact=True).count() == 1


def test_a_batch_dropped_on_the_page_is_checked(page, server):
    page.goto(server.url + "/")
    content = base64.b64encode(SAMPLE.read_bytes()).decode("ascii")
    with page.expect_navigation():
        page.evaluate("""([name, content]) => {
            const bytes = Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
            const files = new DataTransfer();
            files.items.add(new File([bytes], name));
            document.getElementById("drop").dispatchEvent(
                new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
        }""", ["拖入的批次.xlsx", content])
    wait_finished(page)
    assert page.locator("section.card.done h3").inner_text() == "拖入的批次.xlsx"


def test_sign_in_is_required_on_an_office_network_bind(browser, tmp_path):
    office = Server(tmp_path / "office", "--host", "0.0.0.0", env={"SSCARD_ACCESS_CODE": ACCESS_CODE})
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(office.url + "/ledger")
        assert "/signin" in page.url and page.locator("nav a", has_text="台账").count() == 0
        page.fill("input[name=name]", "张三")
        page.fill("input[name=code]", "不是这个访问码")
        page.click("button:text('登录')")
        assert "访问码不对" in page.locator(".problem").inner_text()
        page.fill("input[name=name]", "张三")
        page.fill("input[name=code]", ACCESS_CODE)
        page.click("button:text('登录')")
        assert page.url.endswith("/ledger") and "操作员:张三" in page.locator(".who").inner_text()
        upload(page, office, SAMPLE)
        wait_finished(page)
        page.click("text=台账")
        assert "张三" in page.locator("table tbody tr").first.inner_text()
        context.close()
    finally:
        office.stop()
