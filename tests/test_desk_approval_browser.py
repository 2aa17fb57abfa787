"""A rule change approved on the desk, in Debian's Chromium: one 政策 user downloads the live
(fixture) rulebook, raises a fee in it and uploads it; the 草案 page names the kept batch's row
the change touches; a second 政策 user approves it; the clerk's next batch is decided by the
new version, which the page shows."""

from __future__ import annotations

import shutil

import pytest
from browser import WAIT_MS, Server, chromium_browser, sign_in, upload, wait_finished  # noqa: F401 (browser)
from conftest import FIXTURE_RULES, fixture_request, write_batch
from drafts import RAISED_FROM, raise_fee

from engine.records.archive import archive_beside
from engine.rulebook.source import load_rulebook

OFFICE = {"钱管理": ("管理员",), "张经办": ("经办",), "赵政策": ("政策",), "孙政策": ("政策",)}
SCREEN = {"width": 1366, "height": 768}
LATER = {"申请日期": f"{RAISED_FROM.year}-{RAISED_FROM.month + 1:02d}-01", "材料:申请表": "是"}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The desk on a published copy of the fixture rulebook (never the live policy's)."""
    folder = tmp_path_factory.mktemp("office")
    live = folder / "home" / "rules" / "规则库.xlsx"
    live.parent.mkdir(parents=True)
    shutil.copy(FIXTURE_RULES, live)
    archive_beside(live).store(load_rulebook(live))
    running = Server(folder, "--host", "0.0.0.0", env={"SSCARD_RULES": str(live)}, accounts=OFFICE)
    running.live = live
    yield running
    running.stop()
    assert "Traceback" not in running.log.read_text(), running.log.read_text()


def person(browser, office, name):
    page = browser.new_context(viewport=SCREEN, locale="zh-CN", accept_downloads=True).new_page()
    sign_in(page, office, name)
    return page


def test_a_fee_change_is_drafted_approved_by_another_and_decides_the_next_batch(browser, office, tmp_path):
    batch = write_batch(tmp_path / "三月批次.xlsx", load_rulebook(office.live), [
        fixture_request(申请编号="A1"), fixture_request(申请编号="A2", 姓名="王芳", **LATER)])
    clerk = person(browser, office, "张经办")
    upload(clerk, office, batch)
    wait_finished(clerk)
    before = clerk.locator("footer").inner_text()

    drafter = person(browser, office, "赵政策")
    drafter.click("header nav a:text-is('规则')")
    with drafter.expect_download() as download:
        drafter.click("#live-workbook")
    draft = tmp_path / "草案.xlsx"
    download.value.save_as(draft)
    assert draft.read_bytes() == office.live.read_bytes()  # the live workbook, as archived
    raise_fee(draft, 18)
    drafter.click("header nav a:text-is('规则草案')")
    drafter.set_input_files("input[name=draft]", str(draft))
    drafter.click("button:text('上传并检查')")
    drafter.locator("#status").wait_for(timeout=WAIT_MS)
    assert drafter.locator("#status").inner_text() == "草稿"
    assert "未发现问题" in drafter.locator("main").inner_text()
    assert "失败 0" in drafter.locator("#cases + p").inner_text()
    changed = drafter.locator("table.changes tbody tr")
    assert changed.count() == 1
    assert changed.first.locator("td").all_inner_texts()[:4] == ["3", "A2", "王芳", "办证"]
    assert "15 → 18" in changed.first.inner_text()
    assert drafter.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    drafter.screenshot(path=str(tmp_path.parent / "草案页面.png"), full_page=True)
    drafter.click("button:text('提交审批')")
    assert drafter.locator("#status").inner_text() == "待审核"
    assert drafter.locator("button:text('审批通过并发布')").count() == 0  # not for one's own draft
    draft_page = drafter.url

    reviewer = person(browser, office, "孙政策")
    reviewer.goto(draft_page)
    assert reviewer.locator("table.changes tbody tr").first.inner_text() == changed.first.inner_text()
    reviewer.click("button:text('审批通过并发布')")
    assert reviewer.locator("#status").inner_text() == "已发布"
    flash = reviewer.locator(".problem").first.inner_text()
    assert "已审批并发布:规则库版本" in flash
    version = flash.split("规则库版本 ")[1].split(";")[0]

    tab = clerk.context.new_page()
    upload(tab, office, batch)
    wait_finished(tab)
    assert version in tab.locator("footer").inner_text() and version not in before
    tab.click("text=查看结果")
    row = tab.locator("table.rows tbody tr", has_text="A2")
    assert "18" in row.inner_text()
    reviewer.click("header nav a:text-is('规则')")
    assert f"{version}\t赵政策\t孙政策" in reviewer.locator("table.versions tbody tr").first.inner_text()
