"""An auditor's checks on a decision workbook: edits are found, clean workbooks pass,
the workbook is judged by the rulebook it was decided with (archived), rule changes show
up as drift under --rules, and the 审计 sheet says what produced the sheet."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_request, read_sheet, write_batch
from drafts import copy_rulebook, delete_rule

from cli import cli
from engine.excel.ooxml import unescape as read_back
from engine.excel.writer import Styles, atomic_workbook, write_cell
from engine.records.digests import canonical

EXTRA = ("备注", "金额", "时间", "核对")
ROWS = [
    fixture_request(申请编号="R-ACCEPT"),
    fixture_request(申请编号="R-REJECT", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),
    fixture_request(申请编号="R-BANK", 业务类型="重设密码", 账户="银行账户"),
    # Extra columns with values Excel stores differently from Python: they must not
    # make an untouched row look edited.
    fixture_request(申请编号="R-ODD", 业务类型="解锁", 错误次数=9,
                    备注="a" * 40000, 金额=0.1 + 0.2, 时间=dt.datetime(2026, 3, 1, 9, 30, 15, 123456), 核对=True),
    fixture_request(申请编号="R-REJECT-2", 业务类型="重设密码", 账户="馆内账户", 办理人="代办", 备注="_x0041_ 不是转义"),
]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def decided(fixture_home, fixture_book, tmp_path):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS, extra_headers=EXTRA)
    out = tmp_path / "batch.decisions.xlsx"
    result = invoke("check", batch, "-o", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    return batch, out


def _edit(path, request_id, column, value):
    """Change one cell the way an auditor (or anyone) would: openpyxl, load, save."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["结果"]
    header = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[header.index("申请编号")].value == request_id:
            cells[header.index(column)].value = value
            number = cells[0].row
    workbook.save(path)
    return number


def test_workbook_verifies_clean_under_its_archived_rulebook_when_nothing_was_edited(decided, home_book):
    batch, out = decided
    result = invoke("verify", out, "--batch", batch)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == (f"{out} 核对通过:5 行的核验码与审计记录均相符、与账本一致、批次无规则漂移"
                         f"(按规则库 {home_book.version} 重新判断结果相同)")
    assert lines[1].startswith("  工作簿:5 行的核验码") and lines[3].startswith(f"  批次 {batch}:")
    assert "逐行核对 5 行核验码(5 行一致),核对账本记录摘要,哈希链自第 1 条至该运行完好" in lines[2]


def test_verify_names_the_row_when_a_verdict_was_edited_outside_sscard(decided):
    _, out = decided
    number = _edit(out, "R-REJECT", "结论", "受理")
    result = invoke("verify", out)
    assert result.exit_code == 1
    assert (f"[核验码] 第 {number} 行 申请编号 R-REJECT:核验码不符:决定被改动:"
            "结论 现为「受理」,按规则应为「不予受理」") in result.output
    assert "R-ACCEPT" not in result.output and "R-ODD" not in result.output  # a resave alone changes nothing
    assert "核对未通过:1 个问题" in result.output


def test_verify_names_the_row_when_an_input_cell_was_edited(decided):
    _, out = decided
    number = _edit(out, "R-ACCEPT", "姓名", "王五")
    result = invoke("verify", out)
    assert result.exit_code == 1
    assert f"[核验码] 第 {number} 行 申请编号 R-ACCEPT:核验码不符:输入列或核验码本身被改动" in result.output


def test_verify_fails_when_a_row_was_deleted(decided):
    _, out = decided
    workbook = openpyxl.load_workbook(out)
    workbook["结果"].delete_rows(3)
    workbook.save(out)
    result = invoke("verify", out)
    assert result.exit_code == 1
    assert "[审计] 工作簿:「结果」表有 4 行,审计记录为 5 行:有行被删除或插入" in result.output


def test_verify_fails_when_an_audit_line_was_edited(decided):
    _, out = decided
    workbook = openpyxl.load_workbook(out)
    for key, value in workbook["审计"].iter_rows(min_row=2):
        if key.value == "输入文件":
            value.value = "别的批次.xlsx"
    workbook.save(out)
    result = invoke("verify", out)
    assert result.exit_code == 1
    assert "[审计] 工作簿:「审计」表的内容与其审计表核验码不符" in result.output


def test_verify_fails_when_the_batch_is_not_the_one_recorded(decided, tmp_path, fixture_book):
    _, out = decided
    other = write_batch(tmp_path / "other.xlsx", fixture_book, ROWS[:2])
    result = invoke("verify", out, "--batch", other)
    assert result.exit_code == 1
    assert "[批次] 工作簿:other.xlsx 的 SHA-256" in result.output
    assert "不是生成本工作簿的那个批次" in result.output


def test_verify_lists_drift_rows_when_given_a_draft_that_changes_an_outcome(decided, tmp_path):
    batch, out = decided
    draft = copy_rulebook(tmp_path / "draft_rules.xlsx")
    delete_rule(draft, "RESET-NOT-IN-PERSON")

    result = invoke("verify", out, "--batch", batch, "--rules", draft)

    assert result.exit_code == 1
    drift = [line for line in result.output.splitlines() if line.startswith("[规则漂移]")]
    assert [line.split(":")[0] for line in drift] == ["[规则漂移] 第 3 行 申请编号 R-REJECT",
                                                     "[规则漂移] 第 6 行 申请编号 R-REJECT-2"]
    assert drift[0].endswith("结论 不予受理 → 受理(规则 RESET-NOT-IN-PERSON 重设须本人、RESET-LIBRARY 馆内账户重设 → RESET-LIBRARY 馆内账户重设)")
    assert "注意:本工作簿由规则库" in result.output  # the rulebook changed, yet the 核验码 still check out
    assert "[核验码]" not in result.output


def test_verify_says_plainly_when_the_recorded_rulebook_is_not_archived(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS[:1])
    out = tmp_path / "out.xlsx"
    assert invoke("check", batch, "-o", out, "--rules", FIXTURE_RULES, "--workers", "1").exit_code == 0
    result = invoke("verify", out)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "规则库归档" in result.output and "用 --rules 指定" in result.output
    assert invoke("verify", out, "--rules", FIXTURE_RULES).exit_code == 0


def test_audit_sheet_records_what_produced_the_workbook(decided, home_book):
    batch, out = decided
    audit = {r["项目"]: r["内容"] for r in read_sheet(out, "审计")}
    assert audit["规则库 SHA-256"] == home_book.digest
    assert audit["规则库版本"] == home_book.version
    assert audit["输入文件"] == "batch.xlsx"
    assert audit["申请行数"] == "5"
    assert audit["运行时间"][-6:] in audit["时区"]  # an offset, so the time means one instant
    fee = home_book.parameters["工本费"].on(dt.date(2026, 3, 1))
    assert f"本批使用:{fee}" in audit["参数 工本费"]
    assert audit["命令行"].startswith("sscard check ")  # as typed, whoever called sscard
    for key in ("Python", "openpyxl", "durable-rules", "sscard 版本", "输入文件 SHA-256", "账本记录摘要", "操作员"):
        assert audit[key]


@pytest.mark.parametrize("value", [
    0.1 + 0.2, 1e20, 3.0, 12345678901234567890, 2**53 + 1, -0.0, True, False,
    dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 1, 12, 34, 56, 789123), dt.date(2026, 3, 1), dt.time(8, 5, 1),
    "a" * 40000, " 前后空格 ", "a\r\nb", "c\x01d", "_x0041_", "_x005F_", "=1+1", "", None,
], ids=repr)
def test_canonical_is_identical_when_a_value_is_written_and_read_back(tmp_path, value):
    path = tmp_path / "round.xlsx"
    with atomic_workbook(path, "测试") as workbook:
        write_cell(workbook.add_worksheet("s"), 0, 0, value, Styles(workbook, ["x"]))
    workbook = openpyxl.load_workbook(path, read_only=True)
    back = next(workbook["s"].iter_rows(values_only=True), (None,))[0]
    workbook.close()
    assert canonical(read_back(back)) == canonical(value)
