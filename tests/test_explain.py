"""explain: for a row of every 结论, which rules held and which condition failed,
with the row's own value, read from the rule declarations the engine runs."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import request, write_batch

from cli import cli

ROWS = [
    request(申请编号="ACCEPT", 业务类型="补卡", 卡状态="挂失", **{"材料:身份证件原件": "是"}),
    request(申请编号="DOCS", 业务类型="补卡", 卡状态="挂失"),
    request(申请编号="REJECT", 业务类型="补卡", 卡状态="正常", **{"材料:身份证件原件": "是"}),
    request(申请编号="REVIEW", 业务类型="挂失", 办理人="代办", 原因="丢失"),
    request(申请编号="BANK", 业务类型="密码重置", 账户类型="银行账户"),
    request(申请编号="BAD", 业务类型="补卡", 卡状态="挂失", 公民身份号码="110105194912310021"),
]


@pytest.fixture(scope="module")
def decided(tmp_path_factory, book):
    folder = tmp_path_factory.mktemp("explain")
    batch = write_batch(folder / "batch.xlsx", book, ROWS)
    out = folder / "out.xlsx"
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(out), "--workers", "1",
                                      "--ledger", str(folder / "ledger.sqlite3")])
    assert result.exit_code == 0, result.output
    return batch, out


@pytest.mark.parametrize("request_id, verdict, matched, failed", [
    ("ACCEPT", "受理", "REISSUE-ACCEPT 命中: 卡状态 = 挂失 (§6) → 受理",
     "REISSUE-MISSING-HOLDER-ID 未命中: 材料:身份证件原件 = 是, 须为 否 (§6)"),
    ("DOCS", "补正材料", "REISSUE-MISSING-HOLDER-ID 命中: 材料:身份证件原件 = 否 (§6) → 补正材料",
     "REISSUE-NOT-REPORTED 未命中: 卡状态 = 挂失, 须为 正常 (§6)"),
    ("REJECT", "不予受理", "REISSUE-NOT-REPORTED 命中: 卡状态 = 正常 (§6) → 不予受理",
     "REISSUE-ACCEPT 未命中: 卡状态 = 正常, 须为 挂失 (§6)"),
    ("REVIEW", "人工复核", "REPORT-LOSS-BY-OTHER 命中: 办理人 = 代办 (§4) → 人工复核",
     "REPORT-LOSS-ALREADY-REPORTED 未命中: 卡状态 = 正常, 须为 挂失 (§4)"),
    ("BANK", "转银行办理", "PIN-RESET-BANK 命中: 账户类型 = 银行账户 (§2) → 转银行办理",
     "PIN-RESET-SOCIAL 未命中: 账户类型 = 银行账户, 须为 社保账户 (§2)"),
])
def test_explain_gives_failed_conditions_with_actual_values_when_row_has_each_verdict(
        decided, request_id, verdict, matched, failed):
    _, out = decided
    result = CliRunner().invoke(cli, ["explain", str(out), request_id])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith(f"记录的结论:{verdict}(规则 ")
    assert lines[2] == f"按当前规则库(与生成时相同)重新判断:一致,结论 {verdict}"
    assert f"  {matched}" in lines
    assert f"  {failed}" in lines
    assert lines[-1].startswith(f"结论:{verdict}(")


def test_explain_lists_input_problems_when_row_is_invalid(decided):
    _, out = decided
    result = CliRunner().invoke(cli, ["explain", str(out), "BAD"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "记录的结论:输入有误(规则 INPUT-VALUE)",
        "按当前规则库(与生成时相同)重新判断:一致,结论 输入有误",
        "输入有误,未评估任何规则:",
        "  INPUT-VALUE 公民身份号码「110105194912310021」:公民身份号码 「110105194912310021」校验位错误,"
        "按前 17 位应为 X(C1)",
    ]


def test_explain_decides_afresh_when_given_the_batch(decided):
    batch, _ = decided
    result = CliRunner().invoke(cli, ["explain", str(batch), "REJECT"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "batch.xlsx 第 4 行,申请编号 REJECT"
    assert lines[1] == "结论(按当前规则 2026.11.26):不予受理"
    assert "  REISSUE-ACCEPT 未命中: 卡状态 = 正常, 须为 挂失 (§6)" in lines


def test_explain_says_stored_verdict_disagrees_when_it_was_edited(decided, tmp_path):
    _, out = decided
    edited = tmp_path / "edited.xlsx"
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["结果"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=4, column=header.index("结论") + 1, value="受理")  # row 4 is REJECT
    workbook.save(edited)
    result = CliRunner().invoke(cli, ["explain", str(edited), "REJECT"])
    assert result.exit_code == 0, result.output
    assert "按当前规则库(与生成时相同)重新判断:不一致:结论 受理 → 不予受理" in result.output


def test_explain_fails_with_a_message_when_request_id_is_unknown(decided):
    _, out = decided
    result = CliRunner().invoke(cli, ["explain", str(out), "NOPE"])
    assert result.exit_code == 2
    assert result.output == f"错误:{out}: 找不到申请编号「NOPE」\n"
