"""The decision ledger: every check run recorded, history tamper-evident, and a
failed run leaves no trace."""

from __future__ import annotations

import errno
import getpass
import sqlite3
from contextlib import closing

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import CASE_DAY, fixture_request, read_sheet, write_batch

from cli import cli
from engine.excel.decision_workbook import open_decisions
from engine.files import outputs
from engine.records.digests import ResultsDigest, audit_digest, row_digest
from engine.records.ledger import GENESIS, decision_digest, run_hash
from engine.runs import check as check_module

ROWS = [
    fixture_request(申请编号="L1", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),  # 不予受理
    fixture_request(申请编号="L2"),  # 受理, with a fee
]


@pytest.fixture
def book(home_book):
    """A published rulebook of the tests' own (the fixture's, as the live one): a policy
    change to rules/, published or not, never touches what the ledger's tests check."""
    return home_book


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
    assert all(f"batch.xlsx  2 行  规则库 {book.version}  操作员 " in line and "  sscard check " in line for line in lines)


def test_history_shows_every_decision_for_a_request_id_when_it_was_checked_twice(batch, tmp_path, book):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    result = CliRunner().invoke(cli, ["history", "L2", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    fee = book.parameters["工本费"].on(CASE_DAY.date())
    assert all(f"batch.xlsx 第 3 行  受理  费用 {fee:g}  缺少材料 无  规则 ISSUE-ACCEPT 办证" in line
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
    assert result.output.startswith(f"账本 {ledger} 完好:3 次运行,最新 3:")


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


def _two_runs_the_first_edited(batch, tmp_path):
    """Two runs in a ledger; then someone changes a decision of the first with SQLite."""
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    (first,), _ = _runs(ledger)
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.execute("UPDATE decisions SET verdict = '受理' WHERE run_id = ? AND request_id = 'L1'", (first,))
    return ledger, first


def test_history_verify_fails_naming_the_run_when_one_of_its_decisions_was_edited(batch, tmp_path):
    ledger, first = _two_runs_the_first_edited(batch, tmp_path)
    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert result.exit_code == 1
    assert f"错误:账本 {ledger} 核对未通过:运行 {first}(第 1 条," in result.output
    assert "哈希不符,该运行的记录或其 2 条决定被改动" in result.output


@pytest.mark.parametrize("breaks", ["while writing rows", "when renaming the workbook into place"])
def test_ledger_is_unchanged_when_check_fails_mid_run(batch, tmp_path, monkeypatch, breaks):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    before = _decision_count(ledger)

    def crash(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if breaks == "while writing rows":
        monkeypatch.setattr(check_module, "write_overview", crash)
    else:
        monkeypatch.setattr(outputs.os, "replace", crash)
    out = tmp_path / "b.xlsx"
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(out), "--workers", "1",
                                      "--ledger", str(ledger)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"错误:写出 {out} 失败:") and "磁盘已满;未完成的文件已删除" in result.output
    assert not out.exists()
    monkeypatch.undo()
    assert _decision_count(ledger) == before == 2
    verified = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert verified.exit_code == 0, verified.output
    assert "完好:1 次运行" in verified.output


# --- issue 9, item 6: auditors can lean on the ledger -----------------------------

def _forge(path, book, request_id, verdict):
    """What someone who knows the algorithm can do: change a decision and recompute
    the row's 核验码, the 结果表核验码 and the 审计表核验码."""
    stored = open_decisions(path)
    try:
        headers, codes = stored.headers, []
        rid_at = headers.index("申请编号")
        audit = stored.audit_items
        rows = list(stored.rows())
    finally:
        stored.close()
    workbook = openpyxl.load_workbook(path)
    results, audit_sheet = workbook["结果"], workbook["审计"]
    recorded = dict(audit)["规则库 SHA-256"]
    header = [c.value for c in results[1]]
    for row in rows:
        cells = list(row.cells)
        if row.inputs[rid_at] == request_id:
            cells[0] = verdict
            results.cell(row.sheet_row, header.index("结论") + 1).value = verdict
            code = row_digest(row.inputs, cells, recorded)
            results.cell(row.sheet_row, header.index("核验码") + 1).value = code
        else:
            code = row.code
        codes.append(code)
    digest = ResultsDigest()
    for code in codes:
        digest.add(code)
    items = [(k, digest.hexdigest() if k == "结果表核验码" else v) for k, v in audit if k != "审计表核验码"]
    items.append(("审计表核验码", audit_digest(items)))
    for number, (key, value) in enumerate(items, start=2):
        audit_sheet.cell(number, 1).value, audit_sheet.cell(number, 2).value = key, value
    workbook.save(path)


def test_verify_fails_when_the_workbooks_run_is_not_in_the_ledger(batch, tmp_path):
    ledger, other, out = tmp_path / "ledger.sqlite3", tmp_path / "另一个账本.sqlite3", tmp_path / "a.xlsx"
    _check(batch, ledger, out)
    _check(batch, other, tmp_path / "b.xlsx")
    (run_id,), = _runs(ledger)

    result = CliRunner().invoke(cli, ["verify", str(out), "--ledger", str(other)])

    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == (f"[账本] 工作簿:账本 {other} 中没有运行 {run_id}:该工作簿的运行未记入这个账本,"
                                             "或已从账本中删除(账本被截短或改动)")
    assert result.output.splitlines()[-1] == f"错误:{out} 核对未通过:1 个问题"
    missing = CliRunner().invoke(cli, ["verify", str(out), "--ledger", str(tmp_path / "无.sqlite3")])
    assert missing.exit_code == 1 and f"[账本] 工作簿:无法核对账本:账本 {tmp_path / '无.sqlite3'} 不存在" in missing.output


def test_verify_without_ledger_checks_the_workbook_alone_and_says_so(batch, tmp_path):
    out = tmp_path / "a.xlsx"
    _check(batch, tmp_path / "ledger.sqlite3", out)

    result = CliRunner().invoke(cli, ["verify", str(out), "--without-ledger", "--ledger", str(tmp_path / "无.sqlite3")])

    assert result.exit_code == 0, result.output
    assert "  账本:未核对(--without-ledger);只核对了工作簿本身,而知道算法的人可以重算工作簿中的核验码" in result.output
    assert result.output.splitlines()[-1] == f"{out} 核对通过:2 行的核验码与审计记录均相符"


def test_verify_names_the_row_when_a_decision_was_forged_with_recomputed_codes(batch, tmp_path, book):
    ledger, out = tmp_path / "ledger.sqlite3", tmp_path / "a.xlsx"
    _check(batch, ledger, out)
    _forge(out, book, "L1", "受理")

    alone = CliRunner().invoke(cli, ["verify", str(out), "--without-ledger"])
    assert alone.exit_code == 0, alone.output  # the workbook alone cannot tell

    result = CliRunner().invoke(cli, ["verify", str(out), "--ledger", str(ledger)])
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("[账本] 第 2 行 申请编号 L1:")]
    assert line.startswith("[账本] 第 2 行 申请编号 L1:核验码与账本记录不符(账本记录:结论 ")
    assert "结论 受理" not in line and line.endswith(":该行在工作簿中被改动")
    assert "逐行核对 2 行核验码(1 行一致)" in result.output


def test_history_verify_catches_runs_deleted_from_the_end_when_a_workbook_is_the_anchor(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    for name in ("a", "b", "c"):
        _check(batch, ledger, tmp_path / f"{name}.xlsx")
    _, _, (last,) = _runs(ledger)
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.execute("DELETE FROM runs WHERE run_id = ?", (last,))
        connection.execute("DELETE FROM decisions WHERE run_id = ?", (last,))

    unanchored = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert unanchored.exit_code == 0
    assert unanchored.output.endswith(";未给锚点,无法发现末尾被删除的运行\n")

    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger),
                                      "--anchor", str(tmp_path / "a.xlsx"), "--anchor", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 1, result.output
    assert (f"锚点 {tmp_path / 'c.xlsx'} 证明账本中应有运行 {last},但账本中没有:账本被截短,或该运行被删除"
            in result.output.splitlines())


def test_history_verify_catches_an_emptied_ledger_when_a_head_kept_elsewhere_is_the_anchor(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    head = CliRunner().invoke(cli, ["history", "--head", "--ledger", str(ledger)]).output.strip()
    assert head.startswith("2:") and len(head) == 66
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.execute("DELETE FROM runs")
        connection.execute("DELETE FROM decisions")

    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger), "--anchor", head])

    assert result.exit_code == 1, result.output
    assert f"锚点 {head} 证明账本至少有 2 次运行,现只有 0 次:账本末尾的运行被删除(截短)" in result.output


def test_history_verify_catches_a_rewritten_ledger_when_the_head_hash_differs(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    forged_head = "1:" + "ab" * 32

    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger), "--anchor", forged_head])

    assert result.exit_code == 1
    assert f"锚点 {forged_head}:账本中第 1 条运行的哈希与锚点不符" in result.output


def test_history_refuses_in_one_line_an_anchor_that_is_neither_a_workbook_nor_a_head(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger), "--anchor", "昨天的哈希"])
    assert result.exit_code == 2
    assert result.output == "错误:锚点「昨天的哈希」既不是文件,也不是 sscard history --head 打印的「序号:哈希」\n"


def test_history_of_a_request_marks_a_record_whose_hash_fails(batch, tmp_path):
    ledger, first = _two_runs_the_first_edited(batch, tmp_path)

    result = CliRunner().invoke(cli, ["history", "L1", "--ledger", str(ledger)])

    lines = result.output.splitlines()
    assert result.exit_code == 0 and len(lines) == 2
    assert lines[0].startswith("[哈希不符,记录已被改动] ") and "受理" in lines[0]
    assert not lines[1].startswith("[") and "不予受理" in lines[1]


def test_every_run_records_its_operator_shown_in_history_audit_and_verify(batch, tmp_path):
    ledger, out = tmp_path / "ledger.sqlite3", tmp_path / "a.xlsx"
    named = CliRunner().invoke(cli, ["check", str(batch), "-o", str(out), "--workers", "1", "--ledger", str(ledger),
                                     "--operator", "王五"])
    assert named.exit_code == 0, named.output
    _check(batch, ledger, tmp_path / "b.xlsx")

    lines = CliRunner().invoke(cli, ["history", "--ledger", str(ledger)]).output.splitlines()
    assert "操作员 王五" in lines[0] and f"操作员 {getpass.getuser()}" in lines[1]
    audit = {r["项目"]: r["内容"] for r in read_sheet(out, "审计")}
    assert audit["操作员"] == "王五"
    verified = CliRunner().invoke(cli, ["verify", str(out), "--ledger", str(ledger)])
    assert verified.output.splitlines()[0] == f"运行 {audit['运行编号']},操作员 王五;核对依据:"
    assert "操作员 王五)" in verified.output


def test_a_busy_ledger_is_waited_for_with_a_message_then_one_line(batch, tmp_path, monkeypatch):
    ledger, out = tmp_path / "ledger.sqlite3", tmp_path / "a.xlsx"
    _check(batch, ledger, tmp_path / "first.xlsx")
    monkeypatch.setenv("SSCARD_LEDGER_WAIT", "0.5")
    with closing(sqlite3.connect(ledger, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")  # another sscard, stuck mid-write
        result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(out), "--workers", "1",
                                          "--ledger", str(ledger)])
        holder.execute("ROLLBACK")

    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"账本 {ledger} 正被另一个 sscard 使用,等待中(最多 0.5 秒)…",
        f"错误:账本 {ledger} 被另一个 sscard 占用超过 0.5 秒;请稍后重试,或确认没有卡住的 sscard 进程"
        "(等待时间可用 SSCARD_LEDGER_WAIT 设置)"]
    assert not out.exists()


def test_a_ledger_from_before_operators_still_verifies_and_takes_new_runs(batch, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    old_fields = ["old-run", "2026-11-01T09:00:00+08:00", "2026.11.26", "f" * 64, "旧批次.xlsx", "e" * 64, 0,
                  "sscard check 旧批次.xlsx"]
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.executescript(OLD_SCHEMA)
        connection.execute("INSERT INTO runs (run_id, started, rulebook_version, rulebook_digest, input_name, "
                           "input_sha256, rows, command_line, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           (*old_fields, GENESIS, run_hash(GENESIS, old_fields, decision_digest([]))))

    _check(batch, ledger, tmp_path / "a.xlsx")

    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    assert "完好:2 次运行" in result.output
    assert "操作员 (未记录)" in CliRunner().invoke(cli, ["history", "--ledger", str(ledger)]).output.splitlines()[0]


OLD_SCHEMA = """
CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE, started TEXT NOT NULL,
    rulebook_version TEXT NOT NULL, rulebook_digest TEXT NOT NULL, input_name TEXT NOT NULL,
    input_sha256 TEXT NOT NULL, rows INTEGER NOT NULL, command_line TEXT NOT NULL, prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL);
CREATE TABLE decisions (run_id TEXT NOT NULL, row INTEGER NOT NULL, request_id TEXT, verdict TEXT NOT NULL,
    fee NUMERIC NOT NULL, missing TEXT NOT NULL, rules TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (run_id, row));
"""


def test_verify_says_the_ledger_cannot_vouch_for_a_workbook_written_without_one(tmp_path, book):
    batch = write_batch(tmp_path / "batch.xlsx", book, ROWS)
    check_module.check_batch(batch, tmp_path / "a.xlsx", book)  # the engine called without a ledger

    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "a.xlsx")])

    assert result.exit_code == 1
    assert result.output.startswith("[账本] 工作簿:「审计」表记载本工作簿未记入账本,账本无法为它作证")
