"""explain: for a row of every 结论, which rules held and which condition failed, with the
row's own value, read from the rule declarations the engine runs; judged by the rulebook
the workbook was decided with (archived), unless --rules names another."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import BAD_CHECK_DIGIT, FIXTURE_RULES, fixture_request, live_of, read_sheet, write_batch
from drafts import copy_rulebook, delete_rule

from cli import cli
from engine.rulebook.source import load_rulebook

LATER = dt.datetime(2027, 3, 1)
ROWS = [
    fixture_request(申请编号="ACCEPT"),
    fixture_request(申请编号="DOCS", **{"材料:身份证件": "否"}),
    fixture_request(申请编号="REJECT", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),
    fixture_request(申请编号="REVIEW", 办理人="代办"),
    fixture_request(申请编号="BANK", 业务类型="重设密码", 账户="银行账户"),
    fixture_request(申请编号="BAD", 读者证号=BAD_CHECK_DIGIT),
    fixture_request(申请编号="LATER", 办理人="代办", 申请日期=LATER, **{"材料:申请表": "是"}),
]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def decided(fixture_home, fixture_book, tmp_path):
    """A batch checked under the live (published) fixture rulebook."""
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS)
    out = tmp_path / "out.xlsx"
    result = invoke("check", batch, "-o", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    return batch, out


@pytest.mark.parametrize("request_id, verdict, matched, failed", [
    ("ACCEPT", "受理", "ISSUE-ACCEPT 办证 命中: 办理人 = 本人 (§1) → 受理",
     "ISSUE-MISSING-ID 办证缺身份证件 未命中: 材料:身份证件 = 是, 须为 否 (§1)"),
    ("DOCS", "补正材料", "ISSUE-MISSING-ID 办证缺身份证件 命中: 材料:身份证件 = 否 (§1) → 补正材料",
     "ISSUE-BY-OTHER 代办办证须复核 未命中: 办理人 = 本人, 须为 代办 (§1)"),
    ("REJECT", "不予受理", "RESET-NOT-IN-PERSON 重设须本人 命中: 办理人 = 代办 (§2) → 不予受理",
     "RESET-BANK 银行账户转银行 未命中: 账户 = 馆内账户, 须为 银行账户 (§2)"),
    ("REVIEW", "人工复核", "ISSUE-BY-OTHER 代办办证须复核 命中: 办理人 = 代办 (§1) → 人工复核",
     "ISSUE-BY-OTHER-REFUSED 代办不再办证 未生效:自 2027-01-01 起 (§1)"),
    ("BANK", "转银行办理", "RESET-BANK 银行账户转银行 命中: 账户 = 银行账户 (§2) → 转银行办理",
     "RESET-LIBRARY 馆内账户重设 未命中: 账户 = 银行账户, 须为 馆内账户 (§2)"),
    ("LATER", "不予受理", "ISSUE-BY-OTHER-REFUSED 代办不再办证 命中: 办理人 = 代办 (§1) → 不予受理",
     "ISSUE-BY-OTHER 代办办证须复核 已失效:至 2026-12-31 止 (§1)"),
])
def test_explain_gives_failed_conditions_and_dates_when_row_has_each_verdict(
        decided, home_book, request_id, verdict, matched, failed):
    _, out = decided
    result = invoke("explain", out, request_id)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith(f"记录的结论:{verdict}(规则 ")
    assert lines[2] == f"按生成时的规则库({home_book.version})重新判断:一致,结论 {verdict}"
    assert f"  {matched}" in lines
    assert f"  {failed}" in lines
    assert lines[-1].startswith(f"结论:{verdict}(")


def test_explain_lists_input_problems_when_row_is_invalid(decided):
    _, out = decided
    result = invoke("explain", out, "BAD")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[3:] == [
        "输入有误,未评估任何规则:",
        f"  INPUT-VALUE 读者证号「{BAD_CHECK_DIGIT}」:读者证号 「{BAD_CHECK_DIGIT}」校验位错误,按前 17 位应为 X(F0)",
    ]


def test_explain_decides_afresh_under_the_live_rulebook_when_given_the_batch(decided, home_book):
    batch, _ = decided
    result = invoke("explain", batch, "REJECT")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "batch.xlsx 第 4 行,申请编号 REJECT"
    assert lines[1] == f"结论(按规则库 {home_book.version}):不予受理"


def test_explain_uses_the_archived_rulebook_when_the_live_one_changed_since(decided, fixture_home, home_book):
    _, out = decided
    live = live_of(fixture_home)
    delete_rule(live, "ISSUE-ACCEPT")  # the live rules no longer accept the row
    changed = invoke("explain", out, "ACCEPT")
    assert changed.exit_code == 0, changed.output
    assert changed.output.splitlines()[2] == f"按生成时的规则库({home_book.version})重新判断:一致,结论 受理"
    overridden = invoke("explain", out, "ACCEPT", "--rules", live)
    assert overridden.exit_code == 0, overridden.output
    assert overridden.output.splitlines()[2].startswith(
        f"按规则库 {load_rulebook(live).version}(不是生成时的规则库)重新判断:不一致:结论 受理 → 人工复核")


def test_explain_says_plainly_when_the_recorded_rulebook_is_not_archived(tmp_path, fixture_book):
    draft = copy_rulebook(tmp_path / "草案.xlsx")
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS[:1])
    out = tmp_path / "out.xlsx"
    assert invoke("check", batch, "-o", out, "--rules", draft, "--workers", "1").exit_code == 0
    result = invoke("explain", out, "ACCEPT")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert f"SHA-256 {fixture_book.digest[:12]}" in result.output
    assert "规则库归档" in result.output and "没有它" in result.output and "用 --rules 指定" in result.output
    with_rules = invoke("explain", out, "ACCEPT", "--rules", FIXTURE_RULES)
    assert with_rules.exit_code == 0, with_rules.output


def test_explain_says_stored_verdict_disagrees_when_it_was_edited(decided, tmp_path):
    _, out = decided
    edited = tmp_path / "edited.xlsx"
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["结果"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=4, column=header.index("结论") + 1, value="受理")  # row 4 is REJECT
    workbook.save(edited)
    result = invoke("explain", edited, "REJECT")
    assert result.exit_code == 0, result.output
    assert "重新判断:不一致:结论 受理 → 不予受理" in result.output


def test_explain_fails_with_a_message_when_request_id_is_unknown(decided):
    _, out = decided
    result = invoke("explain", out, "NOPE")
    assert result.exit_code == 2
    assert result.output == f"错误:{out}: 找不到申请编号「NOPE」\n"


def test_explain_finds_the_archived_rulebook_of_a_protected_workbook_when_given_its_password(
        fixture_home, fixture_book, home_book, tmp_path, monkeypatch):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS[:1])
    out = tmp_path / "out.xlsx"
    monkeypatch.setenv("SSCARD_PASSWORD", "柜面-2026")
    assert invoke("check", batch, "-o", out, "--encrypt-output", "--workers", "1").exit_code == 0
    result = invoke("explain", out, "ACCEPT")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2] == f"按生成时的规则库({home_book.version})重新判断:一致,结论 受理"


def test_explain_names_the_same_row_as_the_error_sheet_when_the_batch_has_a_blank_row(fixture_home, fixture_book,
                                                                                      tmp_path):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, [
        fixture_request(申请编号="FIRST"),
        {},  # a blank row: skipped, but it keeps its number
        fixture_request(申请编号="Sq-Late", 读者证号=BAD_CHECK_DIGIT),
    ])
    out = tmp_path / "out.xlsx"
    assert invoke("check", batch, "-o", out, "--workers", "1").exit_code == 0
    error_row = read_sheet(out, "错误")[0]["行号"]
    assert error_row == 4
    for workbook in (out, batch):
        result = invoke("explain", workbook, "sq-late")  # typed in lower case
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == f"{workbook.name} 第 {error_row} 行,申请编号 Sq-Late"
