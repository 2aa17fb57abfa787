"""A whole city's offices in one command: one decision workbook per batch, one combined 汇总."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import CASE_DAY, read_sheet, request, write_batch

from cli import cli

ACCEPTED = {"业务类型": "补卡", "卡状态": "挂失", "材料:身份证件原件": "是"}  # 受理, 工本费
REJECTED = {"业务类型": "补卡", "卡状态": "正常"}  # 不予受理


def test_folder_gets_a_workbook_per_batch_and_one_summary_when_one_file_is_bad(tmp_path, book):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "东区.xlsx", book, [request(申请编号="E1", **ACCEPTED), request(申请编号="E2", **REJECTED)])
    write_batch(offices / "西区.xlsx", book, [request(申请编号="W1", **ACCEPTED)])
    (offices / "南区.xlsx").write_text("申请编号,业务类型\n1,补卡\n", encoding="utf-8")  # a CSV renamed
    out = tmp_path / "决定"

    result = CliRunner().invoke(cli, ["check", str(offices), "-o", str(out), "--workers", "1"])

    assert result.exit_code == 2, result.output  # one file failed, and it says so
    assert "南区.xlsx: 失败:" in result.output and "CSV" in result.output
    assert "共 2 个批次完成、1 个失败,申请 3 行" in result.output
    assert [r["结论"] for r in read_sheet(out / "东区.decisions.xlsx")] == ["受理", "不予受理"]
    assert [r["结论"] for r in read_sheet(out / "西区.decisions.xlsx")] == ["受理"]
    per_file = {r["文件"]: r for r in read_sheet(out / "合并汇总.xlsx", "各批次")}
    assert per_file["东区.xlsx"]["受理"] == 1 and per_file["东区.xlsx"]["不予受理"] == 1
    assert per_file["南区.xlsx"]["状态"].startswith("失败")
    combined = {r["业务类型"]: r for r in read_sheet(out / "合并汇总.xlsx", "汇总")}
    fee = book.parameters["工本费"].on(CASE_DAY.date())
    assert combined["补卡"]["受理"] == 2 and combined["补卡"]["应收(元)"] == 2 * fee


def test_every_batch_of_a_folder_is_recorded_in_the_ledger_when_checked_together(tmp_path, book):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "a.xlsx", book, [request(申请编号="A1", **ACCEPTED)])
    write_batch(offices / "b.xlsx", book, [request(申请编号="B1", **ACCEPTED)])
    ledger = tmp_path / "ledger.sqlite3"
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(offices), "--ledger", str(ledger), "--workers", "1"]).exit_code == 0

    history = runner.invoke(cli, ["history", "--ledger", str(ledger)])
    assert "a.xlsx" in history.output and "b.xlsx" in history.output
    assert runner.invoke(cli, ["history", "--verify", "--ledger", str(ledger)]).exit_code == 0
