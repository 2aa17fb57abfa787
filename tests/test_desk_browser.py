"""The counter desk in a real browser: Chromium (Debian's package) driven by Playwright,
against `sscard serve` started as a clerk's office would start it.

Skipped, with one line in the summary, where no Chromium is installed; CI installs one
and sets SSCARD_REQUIRE_BROWSER=1, so there a missing browser fails instead.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest
from browser import CHROMIUM, Server, chromium_browser, sign_in, upload, wait_finished  # noqa: F401 (browser)
from conftest import ROOT, read_sheet

from engine.runs.check import check_batch

SAMPLE = ROOT / "sample_data" / "batch.xlsx"
SCREENSHOT = ROOT / "docs" / "desk-check.png"
if CHROMIUM is None and os.environ.get("SSCARD_REQUIRE_BROWSER") != "1":
    pytest.skip("浏览器测试已跳过:本机没有 Chromium(apt-get install chromium 后即可运行)", allow_module_level=True)


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
    message = page.locator("section.card").first.locator(".problem").inner_text()
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
    wait_finished(page)
    cards = page.locator("section.card").all_inner_texts()[:2]  # the newest first
    assert [card.splitlines()[0] for card in cards] == ["二号网点.xlsx", "batch.xlsx"] or \
        [card.splitlines()[0] for card in cards] == ["batch.xlsx", "二号网点.xlsx"]
    assert all("已完成" in card for card in cards)
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
    assert page.locator("section.card").first.locator("h3").inner_text() == "拖入的批次.xlsx"
    assert "已完成" in page.locator("section.card").first.inner_text()


OFFICE = {"管理": ("管理员",), "张经办": ("经办",), "李审计": ("审计",), "王政策": ("政策",)}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The desk as an office runs it for its staff: on the network, every person with an account."""
    running = Server(tmp_path_factory.mktemp("office"), "--host", "0.0.0.0", accounts=OFFICE)
    yield running
    running.stop()
    assert "Traceback" not in running.log.read_text(), running.log.read_text()


def test_each_role_sees_and_opens_only_its_own_pages(browser, office):
    menus = {"管理": ["规则", "账户", "设置"], "张经办": ["批次检查", "查询", "规则"],
             "李审计": ["查询", "核验", "台账", "规则"], "王政策": ["规则", "规则草案"]}
    for name, menu in menus.items():
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        sign_in(page, office, name)
        assert page.locator("header nav a").all_inner_texts() == menu, name
        assert name in page.locator(".who").inner_text()
        for title in menu:
            page.click(f"header nav a:text-is('{title}')")
            assert page.locator("h1").first.inner_text() == title, (name, title)
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366, (name, title)
        if "台账" not in menu:
            page.goto(office.url + "/ledger")
            assert "您的角色不能打开此页面" in page.locator(".problem").inner_text()
        context.close()


def test_a_clerk_checks_a_batch_on_the_network_and_the_ledger_names_them(browser, office):
    context = browser.new_context()
    page = context.new_page()
    page.goto(office.url + "/ledger")
    assert "/signin" in page.url and page.locator("header nav a").count() == 0
    sign_in(page, office, "张经办", "不是这个密码", "/")
    assert "姓名或密码不对" in page.locator(".problem").inner_text()
    sign_in(page, office, "张经办")
    assert "操作员:张经办" in page.locator(".who").inner_text()
    upload(page, office, SAMPLE)
    wait_finished(page)
    context.close()
    auditor = browser.new_context().new_page()
    sign_in(auditor, office, "李审计", target="/ledger")
    assert "张经办" in auditor.locator("table.runs tbody tr").first.inner_text()
    auditor.context.close()


def test_signing_out_ends_the_session_for_a_copied_cookie_too(browser, office):
    first = browser.new_context()
    page = first.new_page()
    sign_in(page, office, "李审计", target="/ledger")
    assert page.locator("h1").inner_text() == "台账"
    copied = browser.new_context()
    copied.add_cookies(first.cookies())
    thief = copied.new_page()
    thief.goto(office.url + "/ledger")
    assert thief.locator("h1").inner_text() == "台账"  # the same session, from another browser
    page.click("button:text('退出')")
    assert "/signin" in page.url
    thief.goto(office.url + "/ledger")
    assert "/signin" in thief.url and thief.locator("h1").inner_text() == "登录"
    first.close()
    copied.close()


def test_three_batches_uploaded_at_once_from_three_tabs_each_keep_their_result(browser, office, tmp_path):
    context = browser.new_context()
    tabs = [context.new_page() for _ in range(3)]
    sign_in(tabs[0], office, "张经办")
    batches = []
    for number, tab in enumerate(tabs):
        batches.append(tmp_path / f"网点{number + 1}.xlsx")
        shutil.copy(SAMPLE, batches[-1])
        tab.goto(office.url + "/")
        tab.set_input_files("#batches", str(batches[-1]))
    for tab in tabs:  # submitted together: three requests in flight at once in one session
        tab.evaluate("document.getElementById('upload').submit()")
    page = tabs[0]
    # A submitted form navigates only once its request is answered: under load the list is
    # looked at again until every upload is on it (or the time is up, which fails).
    deadline = time.monotonic() + 60
    while True:
        page.goto(office.url + "/")
        wait_finished(page)
        cards = {card.splitlines()[0]: card for card in page.locator("section.card").all_inner_texts()}
        if all(batch.name in cards for batch in batches) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    for batch in batches:
        assert "已完成" in cards.get(batch.name, ""), (batch.name, list(cards))
    context.close()
