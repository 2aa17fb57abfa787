"""`sscard notices`: the papers a clerk hands the applicant, one page per request, read
back as text from the PDF (engine tests on the fixture rulebook, through the CLI)."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import BAD_CHECK_DIGIT, FIXTURE_MEMBER, FIXTURE_RULES, fixture_request, write_batch
from pypdf import PdfReader

from cli import cli
from engine.papers.notices import mask

ROWS = [
    fixture_request(申请编号="OK"),
    fixture_request(申请编号="DOCS", **{"材料:身份证件": "否"}),
    fixture_request(申请编号="BAD", 读者证号=BAD_CHECK_DIGIT),  # 输入有误: no paper
    fixture_request(申请编号="REVIEW", 办理人="代办"),
    fixture_request(申请编号="BANK", 业务类型="重设密码", 账户="银行账户"),
    fixture_request(申请编号="NO", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),
]
OFFICE = ("城东图书馆办证处", "城东区文化路 1 号", "0452-7654321")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def decisions(tmp_path_factory, fixture_book):
    folder = tmp_path_factory.mktemp("notices")
    batch = write_batch(folder / "batch.xlsx", fixture_book, ROWS)
    out = folder / "batch.decisions.xlsx"
    result = invoke("check", batch, "-o", out, "--rules", FIXTURE_RULES, "--workers", 1,
                    "--ledger", folder / "ledger.sqlite3")
    assert result.exit_code == 0, result.output
    settings = folder / "settings.toml"
    settings.write_text('[office]\nname = "{}"\naddress = "{}"\nphone = "{}"\n'.format(*OFFICE), encoding="utf-8")
    return out, settings


def pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_notices_print_one_page_per_request_by_verdict_and_none_for_input_errors(decisions, tmp_path, fixture_book):
    out, settings = decisions
    pdf = tmp_path / "告知书.pdf"
    result = invoke("notices", out, "-o", pdf, "--settings", settings, "--rules", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    assert "第 4 行 申请编号 BAD:输入有误,不出具告知书" in result.output
    assert result.output.splitlines()[-1].startswith(f"已写出 {pdf}:共 5 页")
    texts = pages(pdf)
    titles = {verdict: notice.title for verdict, notice in fixture_book.notices.items()}
    expected = [("OK", "受理"), ("DOCS", "补正材料"), ("REVIEW", "人工复核"), ("BANK", "转银行办理"),
                ("NO", "不予受理")]
    assert len(texts) == len(expected)
    for text, (request_id, verdict) in zip(texts, expected):
        assert titles[verdict] in text
        assert request_id in text and "李四" in text and "2026年3月1日" in text
        assert mask(FIXTURE_MEMBER) in text and FIXTURE_MEMBER not in text  # the ID never whole on paper
        assert all(part in text for part in OFFICE)
        assert "经办人(签字)" in text
        assert " 元" in text


def test_one_time_notice_lists_every_missing_document_and_where_to_bring_it(decisions, tmp_path):
    out, settings = decisions
    pdf = tmp_path / "docs.pdf"
    assert invoke("notices", out, "-o", pdf, "--id", "docs", "--settings", settings,
                  "--rules", FIXTURE_RULES).exit_code == 0
    [text] = pages(pdf)
    assert "须补正的材料(共 1 项)" in text and "1. 身份证件" in text
    assert "补正地点:服务台" in text


def test_rejection_notice_gives_the_reasons_with_their_clauses_and_no_rule_ids(decisions, tmp_path, fixture_book):
    out, settings = decisions
    pdf = tmp_path / "no.pdf"
    assert invoke("notices", out, "-o", pdf, "--id", "NO", "--settings", settings,
                  "--rules", FIXTURE_RULES).exit_code == 0
    [text] = pages(pdf)
    rejecting = next(r for r in fixture_book.rules_for("reset") if r.verdict == "不予受理")
    accepting = next(r for r in fixture_book.rules_for("reset") if r.id == "RESET-LIBRARY")
    assert f"1. {rejecting.reason}" in text and rejecting.clause in text
    assert accepting.reason not in text  # it fired too, but it is no reason for refusing
    assert rejecting.id not in text


def test_notices_leave_office_lines_blank_and_say_so_when_no_settings_file(decisions, tmp_path):
    out, _ = decisions
    missing = tmp_path / "none.toml"
    pdf = tmp_path / "blank.pdf"
    result = invoke("notices", out, "-o", pdf, "--id", "OK", "--settings", missing, "--rules", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"注意:未找到设置文件 {missing}")
    [text] = pages(pdf)
    assert "地址:____" in text and "联系电话:____" in text


@pytest.mark.parametrize(("content", "words"), [
    ("[office\nname = 1", "第 1 行第 8 列附近格式有误"), ('name = "x"\n', "缺少 [office]"), ("[office]\nname = 3\n", "name 应为"),
])
def test_notices_refuse_with_one_line_when_settings_file_is_malformed(decisions, tmp_path, content, words):
    out, _ = decisions
    settings = tmp_path / "bad.toml"
    settings.write_text(content, encoding="utf-8")
    result = invoke("notices", out, "-o", tmp_path / "x.pdf", "--settings", settings, "--rules", FIXTURE_RULES)
    assert result.exit_code == 2
    assert words in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_notices_refuse_an_unknown_request_id_naming_it(decisions, tmp_path):
    out, settings = decisions
    result = invoke("notices", out, "-o", tmp_path / "x.pdf", "--id", "OK", "--id", "GHOST",
                    "--settings", settings, "--rules", FIXTURE_RULES)
    assert result.exit_code == 2
    assert "找不到申请编号 「GHOST」" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_notices_refuse_a_workbook_edited_after_check(decisions, tmp_path):
    out, settings = decisions
    edited = tmp_path / "edited.xlsx"
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["结果"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("费用(元)") + 1, value=0)
    workbook.save(edited)
    result = invoke("notices", edited, "-o", tmp_path / "x.pdf", "--settings", settings, "--rules", FIXTURE_RULES)
    assert result.exit_code == 2
    assert "第 2 行(申请编号 OK)的核验码与内容不符" in result.output
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize(("code", "shown"), [("11010519491231002X", "110105********002X"), ("12345678", "****5678")])
def test_id_number_shows_only_its_first_six_and_last_four_characters(code, shown):
    assert mask(code) == shown


def test_notices_read_a_protected_workbook_and_protect_the_pdf_when_asked(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS)
    out = tmp_path / "locked.decisions.xlsx"
    locked = CliRunner().invoke(cli, ["check", str(batch), "-o", str(out), "--rules", str(FIXTURE_RULES),
                                      "--workers", "1", "--encrypt-output"], input="口令-7\n口令-7\n")
    assert locked.exit_code == 0, locked.output
    pdf = tmp_path / "告知书.pdf"
    result = CliRunner().invoke(cli, ["notices", str(out), "-o", str(pdf), "--id", "OK", "--password",
                                      "--encrypt-output", "--settings", str(tmp_path / "none.toml"),
                                      "--rules", str(FIXTURE_RULES)], input="口令-7\n")
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf)
    assert reader.is_encrypted
    reader.decrypt("口令-7")
    assert "OK" in reader.pages[0].extract_text()
