"""`sscard notices`: the papers a clerk hands the applicant, one page per request, read
back as text from the PDF (engine tests on the fixture rulebook, through the CLI)."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import BAD_CHECK_DIGIT, FIXTURE_MEMBER, FIXTURE_RULES, fixture_request, forge_decision, write_batch
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
APPEAL = '[appeal]\nreview_body = "城东区人民政府"\nreview_within = "六十日"\ncourt = "城东区人民法院"\nsue_within = "六个月"\n'


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
    settings.write_text('[office]\nname = "{}"\naddress = "{}"\nphone = "{}"\n'.format(*OFFICE) + APPEAL,
                        encoding="utf-8")
    return out, settings, folder / "ledger.sqlite3"


def pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_notices_print_one_page_per_request_by_verdict_and_none_for_input_errors(decisions, tmp_path, fixture_book):
    out, settings, ledger = decisions
    pdf = tmp_path / "告知书.pdf"
    result = invoke("notices", out, "-o", pdf, "--settings", settings, "--rules", FIXTURE_RULES, "--ledger", ledger)
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
    out, settings, ledger = decisions
    pdf = tmp_path / "docs.pdf"
    assert invoke("notices", out, "-o", pdf, "--id", "docs", "--settings", settings,
                  "--rules", FIXTURE_RULES, "--ledger", ledger).exit_code == 0
    [text] = pages(pdf)
    assert "须补正的材料(共 1 项)" in text and "1. 身份证件" in text
    assert "补正地点:服务台" in text


def test_rejection_notice_gives_the_reasons_with_their_clauses_and_no_rule_ids(decisions, tmp_path, fixture_book):
    out, settings, ledger = decisions
    pdf = tmp_path / "no.pdf"
    assert invoke("notices", out, "-o", pdf, "--id", "NO", "--settings", settings,
                  "--rules", FIXTURE_RULES, "--ledger", ledger).exit_code == 0
    [text] = pages(pdf)
    rejecting = next(r for r in fixture_book.rules_for("reset") if r.verdict == "不予受理")
    accepting = next(r for r in fixture_book.rules_for("reset") if r.id == "RESET-LIBRARY")
    assert f"1. {rejecting.reason}" in text
    assert accepting.reason not in text  # it fired too, but it is no reason for refusing
    assert rejecting.id not in text


def test_rejection_notice_cites_the_source_by_its_title_and_says_how_to_contest_it(decisions, tmp_path):
    out, settings, ledger = decisions
    pdf = tmp_path / "no.pdf"
    result = invoke("notices", out, "-o", pdf, "--id", "NO", "--settings", settings, "--rules", FIXTURE_RULES,
                    "--ledger", ledger)
    assert result.exit_code == 0, result.output
    text = "".join(pages(pdf)[0].split())  # the lines as wrapped on the page, joined
    assert "1.重设密码须本人办理(《借书证办理须知》第2条)" in text
    assert "§" not in text  # a paragraph sign the applicant cannot look up
    assert ("如不服本决定,可以自收到本告知书之日起六十日内向城东区人民政府申请行政复议,"
            "也可以自收到本告知书之日起六个月内向城东区人民法院提起行政诉讼。") in text
    assert "未写明" not in result.stderr


def test_rejection_notice_leaves_the_appeal_bodies_to_be_written_by_hand_and_says_so(decisions, tmp_path):
    out, _, ledger = decisions
    settings = tmp_path / "office-only.toml"
    settings.write_text('[office]\nname = "城东图书馆办证处"\n', encoding="utf-8")
    pdf = tmp_path / "no.pdf"
    result = invoke("notices", out, "-o", pdf, "--id", "NO", "--settings", settings, "--rules", FIXTURE_RULES,
                    "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert (f"注意:设置文件 {settings} 未写明行政复议机关、申请行政复议的期限、提起行政诉讼的法院、"
            "提起行政诉讼的期限,不予受理告知书上的这些内容留空待手写") in result.stderr
    text = "".join(pages(pdf)[0].split())
    assert "可以自收到本告知书之日起________内向____________________申请行政复议" in text
    accepted = invoke("notices", out, "-o", tmp_path / "ok.pdf", "--id", "OK", "--settings", settings,
                      "--rules", FIXTURE_RULES, "--ledger", ledger)
    assert accepted.exit_code == 0 and "行政复议" not in accepted.stderr  # a receipt contests nothing
    assert f"注意:设置文件 {settings} 未写明地址、电话,告知书上的这些内容留空待手写" in accepted.stderr


def test_notices_leave_office_lines_blank_and_say_so_when_no_settings_file(decisions, tmp_path):
    out, _, ledger = decisions
    missing = tmp_path / "none.toml"
    pdf = tmp_path / "blank.pdf"
    result = invoke("notices", out, "-o", pdf, "--id", "OK", "--settings", missing, "--rules", FIXTURE_RULES,
                    "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"注意:未找到设置文件 {missing}")
    [text] = pages(pdf)
    assert "地址:____" in text and "联系电话:____" in text


@pytest.mark.parametrize(("content", "words"), [
    ("[office\nname = 1", "第 1 行第 8 列附近格式有误"), ('name = "x"\n', "缺少 [office]"), ("[office]\nname = 3\n", "name 应为"),
])
def test_notices_refuse_with_one_line_when_settings_file_is_malformed(decisions, tmp_path, content, words):
    out, _, ledger = decisions
    settings = tmp_path / "bad.toml"
    settings.write_text(content, encoding="utf-8")
    result = invoke("notices", out, "-o", tmp_path / "x.pdf", "--settings", settings, "--rules", FIXTURE_RULES,
                    "--ledger", ledger)
    assert result.exit_code == 2
    assert words in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_notices_refuse_an_unknown_request_id_naming_it(decisions, tmp_path):
    out, settings, ledger = decisions
    result = invoke("notices", out, "-o", tmp_path / "x.pdf", "--id", "OK", "--id", "GHOST",
                    "--settings", settings, "--rules", FIXTURE_RULES, "--ledger", ledger)
    assert result.exit_code == 2
    assert "找不到申请编号 「GHOST」" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_notices_refuse_a_workbook_edited_after_check(decisions, tmp_path):
    out, settings, ledger = decisions
    edited = tmp_path / "edited.xlsx"
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["结果"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("费用(元)") + 1, value=0)
    workbook.save(edited)
    result = invoke("notices", edited, "-o", tmp_path / "x.pdf", "--settings", settings, "--rules", FIXTURE_RULES,
                    "--ledger", ledger)
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


# --- papers only from the record: the ledger must confirm the workbook ------------------

def test_notices_refuse_a_forged_acceptance_whose_codes_were_recomputed(decisions, tmp_path):
    out, settings, ledger = decisions
    forged = tmp_path / "forged.decisions.xlsx"
    forged.write_bytes(out.read_bytes())
    forge_decision(forged, "NO", "受理")  # a refusal turned acceptance, every code recomputed
    pdf = tmp_path / "x.pdf"

    result = invoke("notices", forged, "-o", pdf, "--settings", settings, "--rules", FIXTURE_RULES, "--ledger", ledger)

    assert result.exit_code == 2
    assert result.output == (f"错误:{forged}: 账本 {ledger} 不能证实这份决定工作簿,不打印告知书:「结果」表第 7 行"
                             "(行号 7,申请编号 NO):与账本记录不符:结论 E7 现为「受理」,账本记录为「不予受理」:"
                             "该行在工作簿中被改动;请用 sscard verify 核对,并用原批次重新运行 sscard check\n")
    assert not pdf.exists()
    alone = invoke("notices", forged, "-o", pdf, "--id", "OK", "--settings", settings, "--rules", FIXTURE_RULES,
                   "--without-ledger")
    assert alone.exit_code == 0, alone.output
    assert alone.stderr.splitlines()[0] == "注意:未查账本(--without-ledger):告知书只依据工作簿本身的核验码,未经账本证实"
    assert "受理回执" in pages(pdf)[0]


def test_notices_refuse_a_workbook_whose_run_the_ledger_does_not_hold(decisions, tmp_path, fixture_book):
    out, settings, _ = decisions
    other = tmp_path / "other.sqlite3"
    batch = write_batch(tmp_path / "b.xlsx", fixture_book, ROWS[:1])
    assert invoke("check", batch, "-o", tmp_path / "b.out.xlsx", "--rules", FIXTURE_RULES, "--workers", 1,
                  "--ledger", other).exit_code == 0

    result = invoke("notices", out, "-o", tmp_path / "x.pdf", "--settings", settings, "--rules", FIXTURE_RULES,
                    "--ledger", other)

    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert f"账本 {other} 中没有运行 " in result.output and "该工作簿的运行未记入这个账本" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_notices_find_an_id_however_it_is_typed(decisions, tmp_path):
    out, settings, ledger = decisions
    pdf = tmp_path / "ok.pdf"
    result = invoke("notices", out, "-o", pdf, "--id", "ok", "--id", "ｄｏｃｓ", "--settings", settings,
                    "--rules", FIXTURE_RULES, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert len(pages(pdf)) == 2
