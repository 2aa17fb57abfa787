"""The decision ledger: every check run recorded, history tamper-evident, and a
failed run leaves no trace."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from click.testing import CliRunner
from conftest import CASE_DAY, request, write_batch

from cli import cli
from engine.excel import writer
from engine.runs import check as check_module

ROWS = [
    request(申请编号="L1", 业务类型="补卡", 卡状态="正常"),
    request(申请编号="L2", 业务类型="补卡", 卡状态="挂失", **{"材料:身份证件原件": "是"}),
]


@pytest.fixture
def batch(tmp_path, book):
    return write_batch(tmp_path / "batch.xlsx", book, ROWS)


def _check(batch, ledger, out):
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(out), "--workers", "1", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output


def _decision_count(ledger):
    with closing(sqlite3.connect(ledger)) as connection:
        return connection.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]


def _runs(ledger):
    with closing(sqlite3.connect(ledger)) as connection:
        return connection.execute("SELECT run_id FROM runs ORDER BY seq").fetchall()


def test_history_lists_each_check_run_when_batches_were_checked(batch, tmp_path, book):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    result = CliRunner().invoke(cli, ["history", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("   1  ") and lines[1].startswith("   2  ")
    assert all(f"batch.xlsx  2 行  规则库 {book.version}  sscard " in line for line in lines)


def test_history_shows_every_decision_for_a_request_id_when_it_was_checked_twice(batch, tmp_path, book):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    result = CliRunner().invoke(cli, ["history", "L2", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    fee = book.parameters["card_fee"].on(CASE_DAY.date())
    assert all(f"batch.xlsx 第 3 行  受理  费用 {fee:g}  缺少材料 无  规则 REISSUE-ACCEPT, REISSUE-FEE" in line
               for line in lines)


def test_check_records_in_the_ledger_named_by_the_environment_when_no_option_is_given(batch, tmp_path,
                                                                                        monkeypatch):
    ledger = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("SSCARD_LEDGER", str(ledger))
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(tmp_path / "a.xlsx"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert len(_runs(ledger)) == 1


def test_history_verify_passes_when_ledger_is_untouched(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    for name in ("a", "b", "c"):
        _check(batch, ledger, tmp_path / f"{name}.xlsx")
    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"账本 {ledger} 完好:3 次运行,最新哈希 ")


def test_history_verify_fails_naming_the_run_when_a_run_row_was_deleted(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    for name in ("a", "b", "c"):
        _check(batch, ledger, tmp_path / f"{name}.xlsx")
    (first,), (second,), (third,) = _runs(ledger)
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.execute("DELETE FROM runs WHERE run_id = ?", (second,))
    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert result.exit_code == 1
    assert f"运行 {third}(第 3 条," in result.output  # the first run whose chain no longer holds
    assert "其前的运行被删除、插入或改动" in result.output
    assert f"运行 {second}:有决定记录,但运行记录已被删除" in result.output
    assert first not in result.output


def test_history_verify_fails_naming_the_run_when_one_of_its_decisions_was_edited(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    (first,), _ = _runs(ledger)
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.execute("UPDATE decisions SET verdict = '受理' WHERE run_id = ? AND request_id = 'L1'", (first,))
    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert result.exit_code == 1
    assert f"错误:账本 {ledger} 的哈希链断裂:运行 {first}(第 1 条," in result.output
    assert "哈希不符,该运行的记录或其 2 条决定被改动" in result.output


@pytest.mark.parametrize("breaks", ["while writing rows", "when renaming the workbook into place"])
def test_ledger_is_unchanged_when_check_fails_mid_run(batch, tmp_path, monkeypatch, breaks):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    before = _decision_count(ledger)

    def crash(*args, **kwargs):
        raise OSError("磁盘已满")

    if breaks == "while writing rows":
        monkeypatch.setattr(check_module, "_write_overview", crash)
    else:
        monkeypatch.setattr(writer.os, "replace", crash)
    out = tmp_path / "b.xlsx"
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(out), "--workers", "1",
                                      "--ledger", str(ledger)])
    assert isinstance(result.exception, OSError)
    assert not out.exists()
    monkeypatch.undo()
    assert _decision_count(ledger) == before == 2
    verified = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert verified.exit_code == 0, verified.output
    assert "完好:1 次运行" in verified.output
