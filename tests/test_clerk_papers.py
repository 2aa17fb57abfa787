"""Papers a clerk can read and a template that takes what the README promises (issue 16,
item 9): printed 结果 at 8 pt or more on A4 landscape, 审计 on one page, every promised
spelling of 申请日期 accepted by the template's check, and a mark for 是 / 否 suggested.

What prints is read back from the workbook's page setup, and rendered once through
LibreOffice (as a clerk's office prints it) to measure it.  Where LibreOffice or poppler
is not installed those renderings are skipped, saying so in one line of the summary; CI
installs both and sets SSCARD_REQUIRE_OFFICE=1, so there a missing one fails instead.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, ROOT, fixture_request, read_sheet, write_batch
from openpyxl.utils import get_column_letter

from cli import cli

SAMPLE = ROOT / "sample_data" / "batch.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
PRINTED = ("行号", "申请编号", "持卡人姓名", "业务类型", "结论", "费用(元)", "缺少材料", "办理地点", "后续事项", "依据")
LEGIBLE_POINTS = 8.0


def sscard(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """LibreOffice, headless, with a profile of its own: office(workbook, "pdf") -> the converted file."""
    if not (SOFFICE and PDFTOTEXT):
        if os.environ.get("SSCARD_REQUIRE_OFFICE") == "1":
            pytest.fail("SSCARD_REQUIRE_OFFICE=1 but LibreOffice or poppler-utils is missing "
                        "(apt-get install libreoffice-calc-nogui poppler-utils)")
        pytest.skip("打印测试已跳过:本机没有 LibreOffice 或 poppler-utils"
                    "(apt-get install libreoffice-calc-nogui poppler-utils 后即可运行)")
    profile = tmp_path_factory.mktemp("office-profile")

    def convert(workbook: Path, to: str) -> Path:
        out = workbook.parent / f"{workbook.stem}-{to}"
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", to,
                        "--outdir", str(out), str(workbook)], check=True, capture_output=True, timeout=300)
        return out / f"{workbook.stem}.{to}"
    return convert


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float

    @property
    def width(self) -> float:
        return self.right - self.left


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def pages_of(pdf: Path) -> list[Page]:
    """Every page of a PDF with its words where they print (points), as poppler reads them."""
    html = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for width, height, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        words = [Word(text, float(x0), float(y0), float(x1)) for x0, y0, x1, text in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
                            body)]
        pages.append(Page(float(width), float(height), words))
    return pages


@pytest.fixture(scope="module")
def sample_decisions(tmp_path_factory):
    """The sample batch checked as a clerk checks it (the live rulebook: only the layout is measured)."""
    folder = tmp_path_factory.mktemp("papers")
    output = folder / "决定.xlsx"
    result = CliRunner().invoke(cli, ["check", str(SAMPLE), "-o", str(output), "--workers", "1",
                                      "--ledger", str(folder / "ledger.sqlite3")])
    assert result.exit_code == 0, result.output
    return output


# --- printed 结果 ------------------------------------------------------------------

def test_results_print_who_and_the_decision_on_a4_landscape_one_page_wide_and_leave_rule_ids_to_the_screen(
        sample_decisions):
    sheet = openpyxl.load_workbook(sample_decisions)["结果"]
    header = [c.value for c in sheet[1]]
    last = get_column_letter(header.index("依据") + 1)

    assert header[:len(PRINTED)] == list(PRINTED) and header[len(PRINTED)] == "规则"
    assert sheet.print_area == f"'结果'!$A$1:${last}${sheet.max_row}"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    # What the page width must hold: at most 145 character units (Excel prints that at 100 %).
    printed = sum(sheet.column_dimensions[get_column_letter(i)].width for i in range(1, len(PRINTED) + 1))
    assert printed <= 145


def test_printed_results_are_at_least_8_points_when_libreoffice_fits_them_to_a4(sample_decisions, office):
    pages = pages_of(office(sample_decisions, "pdf"))
    first = pages[0]
    top = next(w.top for w in first.words if w.text == "行号")
    header = {w.text: w for w in first.words if abs(w.top - top) < 1}

    assert first.width > first.height  # landscape
    assert set(PRINTED) <= set(header) and "规则" not in header  # rule IDs stay on the screen
    # A Chinese character is one em wide: the printed size of the text, whatever scale LibreOffice chose.
    assert header["行号"].width / 2 >= LEGIBLE_POINTS
    assert header["持卡人姓名"].width / 5 >= LEGIBLE_POINTS


# --- 审计 -------------------------------------------------------------------------

def test_audit_prints_upright_on_one_page(sample_decisions, office):
    sheet = openpyxl.load_workbook(sample_decisions)["审计"]
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight in (None, 1)

    pages = pages_of(office(sample_decisions, "pdf"))
    audit = [i for i, page in enumerate(pages) if "运行编号" in page.text() or "审计表核验码" in page.text()]

    assert audit == [len(pages) - 1]  # its first and last lines on the last page, and only there
    assert pages[-1].height > pages[-1].width


# --- the template ----------------------------------------------------------------

PROMISED = ["2026-03-02", "2026-3-2", "2026/3/2", "2026.3.2", "2026年3月2日", "20260302", "２０２６－３－２",
            " 2026-03-02 ", "2026-03-02 10:30"]
REFUSED = ["3/2/2026", "昨天", "46083"]


def test_template_date_check_accepts_every_promised_spelling_typed_as_a_clerk_types(tmp_path, office):
    template = tmp_path / "申请批次.xlsx"
    assert sscard("template", template, "--rules", FIXTURE_RULES).exit_code == 0
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["申请"]
    column = next(c.column_letter for c in sheet[1] if c.value == "申请日期")
    check = next(v for v in sheet.data_validations.dataValidation if f"{column}2:" in str(v.sqref))
    assert check.type == "custom" and check.errorStyle in (None, "stop")
    # Type each spelling into the column, and let LibreOffice evaluate the check on it.
    typed = [*PROMISED, *REFUSED, dt.datetime(2026, 3, 2)]
    verdicts = workbook.create_sheet("核对")
    for row, value in enumerate(typed, start=2):
        sheet[f"{column}{row}"] = value
        verdicts[f"A{row}"] = "=" + check.formula1.replace(f"{column}2", f"申请!{column}{row}")
    workbook.save(tmp_path / "填好.xlsx")

    evaluated = openpyxl.load_workbook(office(tmp_path / "填好.xlsx", "xlsx"), data_only=True)["核对"]

    accepted = {str(value): evaluated[f"A{row}"].value for row, value in enumerate(typed, start=2)}
    assert accepted == {**dict.fromkeys(PROMISED, True), **dict.fromkeys(REFUSED, False), "2026-03-02 00:00:00": True}


def test_template_keeps_a_typed_date_as_typed(tmp_path):
    template = tmp_path / "申请批次.xlsx"
    assert sscard("template", template, "--rules", FIXTURE_RULES).exit_code == 0
    sheet = openpyxl.load_workbook(template)["申请"]
    column = next(c.column_letter for c in sheet[1] if c.value == "申请日期")
    # Text: 20260302 stays 20260302 (in a date or General cell Excel makes it a number).
    assert sheet.column_dimensions[column].number_format == "@"


# --- 是 / 否 ---------------------------------------------------------------------

MARKS = {"有": "是", "√": "是", "✓": "是", "对": "是", "无": "否", "×": "否", "✗": "否"}


def test_a_mark_for_yes_or_no_is_input_error_with_the_word_suggested_never_applied(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book,
                        [fixture_request(申请编号=f"M{i}", **{"材料:身份证件": mark}) for i, mark in enumerate(MARKS)])

    result = sscard("check", batch, "-o", tmp_path / "决定.xlsx", "--workers", "1", "--rules", FIXTURE_RULES)

    assert result.exit_code == 0, result.output
    assert [r["结论"] for r in read_sheet(tmp_path / "决定.xlsx")] == ["输入有误"] * len(MARKS)
    problems = {r["值"]: r["问题"] for r in read_sheet(tmp_path / "决定.xlsx", "错误")}
    for mark, meant in MARKS.items():
        assert f"「{mark}」不是可选值;是否指「{meant}」?" in problems[mark]
