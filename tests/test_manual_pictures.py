"""The user manual's pictures (docs/用户手册/图片/), retaken by every run so they never show
an old screen: the desk's pages in Chromium at 1366×768, signed in as the person each guide
is for; a printed 结果 and a printed sheet of the rulebook workbook (LibreOffice → PDF → PNG)
and two notices (the notices PDF → PNG).

What changes from run to run on a screen (times, run ids, digests, the temporary path of
the settings file) is written as one fixed value before the picture is taken, so a picture
changes only when what people see changes.  A picture is written only where a Chinese font
is installed.  Each page is also checked as its guide describes it, and its 帮助 link is
followed to its section.  Skipped where Chromium, LibreOffice or poppler is missing; CI
installs them and sets SSCARD_REQUIRE_BROWSER=1 and SSCARD_REQUIRE_OFFICE=1."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import test_clerk_papers
from browser import CHROMIUM, Server, chromium_browser, sign_in, upload, wait_finished  # noqa: F401 (browser)
from click.testing import CliRunner
from conftest import ROOT, read_sheet
from drafts import append_value
from PIL import Image, ImageChops

from cli import DEFAULT_RULES, cli
from desk import manual
from engine.rulebook import layout

PICTURES = manual.MANUAL / manual.PICTURES
SAMPLE = ROOT / "sample_data" / "batch.xlsx"
SETTINGS = ROOT / "deploy" / "settings.toml"  # an office's settings, as deploy/ ships them
OFFICE = {"王管理": ("管理员",), "张经办": ("经办",), "李审计": ("审计",), "王政策": ("政策",)}
SCREEN = {"width": 1366, "height": 768}
UNCHANGED_PIXELS = 16  # a pixel of antialiasing here and there; a changed word is hundreds
PDFTOPPM = shutil.which("pdftoppm")
libreoffice = test_clerk_papers.office  # the fixture: LibreOffice converting a workbook (skipped where missing)
if CHROMIUM is None and os.environ.get("SSCARD_REQUIRE_BROWSER") != "1":
    pytest.skip("手册图片已跳过:本机没有 Chromium(apt-get install chromium 后即可运行)", allow_module_level=True)
# Times, run ids, ledger heads and the settings file's temporary path, each as one fixed value
# (the rulebook's digest stays: it changes only with the rulebook).
DIGEST = "84b397738fbc5b8dd837aa4fa0700da9abc615c97f50e11ab309d7b09aa3857d"
RUN = "9f980c33cd65be7fd9af568c7282eeb0"
STEADY = """() => {
  const fixed = [[/\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}/g, "2026-12-04 09:30:00"],
                 [/(\\d+:)[0-9a-f]{64}\\b/g, "$1%s"], [/\\b[0-9a-f]{32}\\b/g, "%s"],
                 [/(运行 )[0-9a-f]{12}/g, "$1%s"], [/(设置文件 )\\S+/g, "$1/var/lib/sscard/settings.toml"]];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    for (const [pattern, value] of fixed) node.nodeValue = node.nodeValue.replace(pattern, value);
}""" % (DIGEST, RUN, RUN[:12])


def chinese_fonts() -> bool:
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


def keep(name: str, image: bytes) -> None:
    """The manual's picture ``name``, replaced only when what it shows changed (and only where
    Chinese shows as Chinese).  256 colours keep a screen of text as it was, in a third of the
    bytes."""
    assert image.startswith(b"\x89PNG")
    colours = Image.open(io.BytesIO(image)).convert("RGB").quantize(256, Image.Quantize.FASTOCTREE,
                                                                    dither=Image.Dither.NONE)
    target = PICTURES / name
    if not chinese_fonts() or (target.exists() and looks_the_same(Image.open(target), colours)):
        return
    packed = io.BytesIO()
    colours.save(packed, "PNG", optimize=True)
    target.write_bytes(packed.getvalue())


def looks_the_same(before: Image.Image, after: Image.Image) -> bool:
    """Chromium now and then antialiases a rounded corner a shade differently, or paints a table
    row that sits at a fraction of a pixel one pixel lower: neither is a change people see."""
    before, after = before.convert("RGB"), after.convert("RGB")
    if before.size != after.size:
        return False
    box = ImageChops.difference(before, after).getbbox()
    if box is None or _differing(before, after) <= UNCHANGED_PIXELS:
        return True
    left, top, right, bottom = box
    return any(_differing(one.crop(box), other.crop((left, top + dy, right, bottom + dy))) <= UNCHANGED_PIXELS
               for one, other in ((before, after), (after, before)) for dy in (-1, 1))


def _differing(one: Image.Image, other: Image.Image) -> int:
    """Pixels that differ by more than a shade."""
    return sum(ImageChops.difference(one, other).convert("L").point(lambda v: 1 if v > 24 else 0).histogram()[1:])


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The desk as an office runs it: every person with an account, the office's settings."""
    folder = tmp_path_factory.mktemp("office")
    settings = folder / "settings.toml"
    shutil.copy(SETTINGS, settings)
    running = Server(folder, "--settings", str(settings), accounts=OFFICE)
    yield running
    running.stop()
    assert "Traceback" not in running.log.read_text(), running.log.read_text()


def person(browser, office: Server, name: str):
    page = browser.new_context(viewport=SCREEN, locale="zh-CN", accept_downloads=True).new_page()
    sign_in(page, office, name)
    return page


def picture(page, name: str) -> None:
    page.evaluate(STEADY)
    # Fonts loaded and the page painted twice since: a sticky table header may still be settling.
    page.evaluate("document.fonts.ready.then(() => new Promise((done) => "
                  "requestAnimationFrame(() => requestAnimationFrame(done))))")
    keep(name, page.screenshot())


def follow_help(page) -> None:
    """The page's 帮助 link opens its section of the guide, and the guide's pictures load."""
    page.click("header .who a.help")
    anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    assert anchor and page.locator(f"[id='{anchor}']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    for image in page.locator("article.manual img").all():
        image.scroll_into_view_if_needed()
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle()), \
            image.get_attribute("src")


@pytest.fixture(scope="module")
def checked(browser, office, tmp_path_factory):
    """The clerk's day: a batch that is no workbook, then 三月批次.xlsx, checked on the desk;
    (the clerk's page, the downloaded decision workbook)."""
    folder = tmp_path_factory.mktemp("batches")
    wrong = folder / "四月批次.xlsx"
    wrong.write_text("申请编号,业务类型\nSQ1,补卡\n", encoding="utf-8")  # a CSV renamed .xlsx
    batch = folder / "三月批次.xlsx"
    shutil.copy(SAMPLE, batch)
    page = person(browser, office, "张经办")
    for each in (wrong, batch):  # one after the other, each in a tab of its own: a finished check reloads its tab
        tab = page.context.new_page()
        upload(tab, office, each)
        wait_finished(tab)
        tab.close()
    page.goto(office.url + "/")
    page.click("text=查看结果")
    with page.expect_download() as download:
        page.click("text=下载决定工作簿")
    workbook = folder / "三月批次.decisions.xlsx"
    download.value.save_as(workbook)
    page.goto(office.url + "/")
    return page, workbook


def test_the_clerks_pages(office, checked):
    page, _ = checked
    cards = page.locator("section.card")
    assert "已完成" in cards.nth(0).inner_text() and "CSV" in cards.nth(1).locator(".problem").inner_text()
    picture(page, "批次检查.png")
    follow_help(page)
    page.goto(office.url + "/")
    page.click("text=查看结果")
    result = page.url
    assert page.locator("h1").inner_text() == "三月批次.xlsx"
    picture(page, "批次结果.png")
    follow_help(page)
    page.goto(result)
    page.locator("h2:text-is('结果')").evaluate("(heading) => heading.scrollIntoView()")
    assert page.locator("table.rows tbody tr").count() == 50
    picture(page, "结果表.png")


def test_the_auditors_pages(browser, office, checked, tmp_path):
    _, workbook = checked
    rows = read_sheet(workbook)
    mended = next(r for r in rows if r["结论"] == "补正材料")
    page = person(browser, office, "李审计")
    page.goto(f"{office.url}/query?id={mended['申请编号']}")
    assert "为何是这个结论" in page.locator("main").inner_text()
    picture(page, "查询.png")
    follow_help(page)

    edited = tmp_path / "三月批次.decisions.xlsx"
    book = openpyxl.load_workbook(workbook)
    sheet = book["结果"]
    header = [c.value for c in sheet[1]]
    row = next(i for i, r in enumerate(rows, start=2) if r["结论"] == "不予受理")
    sheet.cell(row, header.index("结论") + 1).value = "受理"  # a refusal turned into an acceptance in Excel
    book.save(edited)
    page.goto(office.url + "/verify")
    page.set_input_files("input[name=workbook]", str(edited))
    page.click("button:text('核验')")
    assert "核对未通过" in page.locator(".verdict-bad").inner_text()
    assert "决定被改动" in page.locator("table").inner_text()
    picture(page, "核验-未通过.png")
    follow_help(page)

    page.goto(office.url + "/ledger")
    assert "哈希链完好" in page.locator(".verdict-ok").inner_text()
    picture(page, "台账.png")
    follow_help(page)


def test_the_administrators_pages(browser, office):
    page = person(browser, office, "王管理")
    page.goto(office.url + "/accounts")
    assert page.locator("table.accounts tbody tr").count() == len(OFFICE)
    picture(page, "账户.png")
    follow_help(page)
    page.goto(office.url + "/settings")
    assert page.locator("input[name=name]").input_value() and "127.0.0.1" in page.locator("main").inner_text()
    picture(page, "设置.png")
    follow_help(page)


def test_the_policy_officers_pages(browser, office):
    page = person(browser, office, "王政策")
    page.goto(office.url + "/rules")
    assert page.locator("table.rules").count() >= 8
    picture(page, "规则.png")
    follow_help(page)


def test_the_policy_officers_draft(browser, office, checked, tmp_path):
    """A draft of the live rulebook raising 工本费 from a day after its cases' (so they still
    pass), uploaded after the clerk's batch was kept: never approved, so never published."""
    page = person(browser, office, "王政策")
    page.goto(office.url + "/rules")
    with page.expect_download() as download:
        page.click("#live-workbook")
    draft = tmp_path / "草案.xlsx"
    download.value.save_as(draft)
    append_value(draft, "工本费", dt.date(2026, 6, 1), 25)
    page.click("header nav a:text-is('规则草案')")
    page.set_input_files("input[name=draft]", str(draft))
    page.click("button:text('上传并检查')")
    page.locator("#status").wait_for()
    assert "未发现问题" in page.locator("main").inner_text() and page.locator("#blocking").count() == 0
    assert page.locator("table.changes tbody tr").count() >= 1
    picture(page, "草案.png")
    follow_help(page)


# --- printed papers --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def papers(libreoffice, tmp_path_factory):
    """The sample batch checked at the command line: (its folder, the ledger)."""
    folder = tmp_path_factory.mktemp("papers")
    shutil.copy(SAMPLE, folder / "三月批次.xlsx")
    ledger = folder / "ledger.sqlite3"
    checked = CliRunner().invoke(cli, ["check", str(folder / "三月批次.xlsx"), "--ledger", str(ledger)])
    assert checked.exit_code == 0, checked.output
    return folder, ledger


def page_png(pdf: Path, number: int, width: int, height: int, dpi: int = 100) -> bytes:
    """Page ``number`` of ``pdf`` as PNG, its top left ``width`` × ``height`` pixels at ``dpi``."""
    ran = subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", str(number), "-l", str(number), "-x", "0", "-y", "0",
                          "-W", str(width), "-H", str(height), str(pdf)], capture_output=True, check=True, timeout=120)
    return ran.stdout


def test_a_printed_result_sheet(papers, libreoffice):
    folder, _ = papers
    pdf = libreoffice(folder / "三月批次.decisions.xlsx", "pdf")
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "结论" in text and "依据" in text and "第 1 页" in text  # the header and the page number print
    keep("结果-打印.png", page_png(pdf, 1, 1286, 560, dpi=110))


def test_a_notice_for_documents_to_bring_and_one_for_a_refusal(papers):
    folder, ledger = papers
    rows = read_sheet(folder / "三月批次.decisions.xlsx")
    chosen = [next(r["申请编号"] for r in rows if r["结论"] == verdict) for verdict in ("补正材料", "不予受理")]
    pdf = folder / "告知书.pdf"
    printed = CliRunner().invoke(cli, ["notices", str(folder / "三月批次.decisions.xlsx"), "-o", str(pdf),
                                       "--settings", str(SETTINGS), "--ledger", str(ledger),
                                       *(f"--id={i}" for i in chosen)])
    assert printed.exit_code == 0, printed.output
    assert "一次性告知书 1 份" in printed.output and "不予受理告知书 1 份" in printed.output
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "行政复议" in text and "齐齐哈尔市社会保障卡服务中心" in text
    for number, name in enumerate(("告知书-一次性告知书.png", "告知书-不予受理告知书.png"), start=1):
        keep(name, page_png(pdf, number, 827, 760))


def test_a_printed_sheet_of_the_rulebook(libreoffice, tmp_path):
    """The 补卡 sheet of the live rulebook as it prints: the picture may show today's rules,
    the test checks only that the sheet's own headings print."""
    book = openpyxl.load_workbook(DEFAULT_RULES)
    for name in book.sheetnames:
        if name != "补卡":
            del book[name]
    book.save(tmp_path / "补卡.xlsx")
    pdf = libreoffice(tmp_path / "补卡.xlsx", "pdf")
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert all(heading in text for heading in (layout.RULE_ID, layout.RULE_NAME, layout.VERDICT)), text
    assert "第 1 页" in text  # the page's footer: the sheet prints with the page setup the officer prints it with
    page = Image.open(io.BytesIO(page_png(pdf, 1, 1403, 992, dpi=120))).convert("RGB")
    body = page.crop((0, 0, page.width, page.height * 9 // 10))  # the table, not the footer
    left, top, right, bottom = ImageChops.difference(body, Image.new("RGB", body.size, "white")).getbbox()
    framed = io.BytesIO()
    page.crop((left - 8, top - 8, right + 8, bottom + 8)).save(framed, "PNG")
    keep("规则库-补卡.png", framed.getvalue())
