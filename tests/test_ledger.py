"""The decision ledger: every check run recorded, history tamper-evident, and a
failed run leaves no trace."""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import sqlite3
import time
from contextlib import closing

import pytest
from click.testing import CliRunner
from conftest import (
    CASE_DAY,
    LEDGER_BEFORE_OPERATORS,
    damage_ledger,
    fixture_request,
    forge_decision,
    read_sheet,
    write_batch,
)

from cli import cli
from engine.files import outputs
from engine.records.ledger import GENESIS, Ledger, decision_digest, run_hash
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
    heading, *lines = result.output.splitlines()
    assert heading.startswith("账本中申请编号「L2」的决定 2 条,按运行先后(时间为本机时间")
    assert len(lines) == 2
    fee = book.parameters["工本费"].on(CASE_DAY.date())
    assert all(f"batch.xlsx 第 3 行  申请编号 L2  受理  费用 {fee:g}  缺少材料 无  规则 ISSUE-ACCEPT 办证" in line
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
    forge_decision(out, "L1", "受理")

    alone = CliRunner().invoke(cli, ["verify", str(out), "--without-ledger"])
    assert alone.exit_code == 0, alone.output  # the workbook alone cannot tell

    result = CliRunner().invoke(cli, ["verify", str(out), "--ledger", str(ledger)])
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("[")]
    assert line == ("[账本] 「结果」表第 2 行(行号 2,申请编号 L1):与账本记录不符:结论 E2 现为「受理」,"
                    "账本记录为「不予受理」:该行在工作簿中被改动")
    assert "按申请编号逐行核对「结果」表 2 行(1 行一致,1 行有问题)" in result.output


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

    _, *lines = result.output.splitlines()
    assert result.exit_code == 0 and len(lines) == 2
    assert lines[0].startswith("[哈希不符,记录已被改动]    1  ") and "受理" in lines[0]
    assert lines[1].startswith("   2  ") and "不予受理" in lines[1]


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
        connection.executescript(LEDGER_BEFORE_OPERATORS)
        connection.execute("INSERT INTO runs (run_id, started, rulebook_version, rulebook_digest, input_name, "
                           "input_sha256, rows, command_line, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           (*old_fields, GENESIS, run_hash(GENESIS, old_fields, decision_digest([]))))

    _check(batch, ledger, tmp_path / "a.xlsx")

    result = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    assert "完好:2 次运行" in result.output
    assert "操作员 (未记录)" in CliRunner().invoke(cli, ["history", "--ledger", str(ledger)]).output.splitlines()[0]




def test_verify_says_the_ledger_cannot_vouch_for_a_workbook_written_without_one(tmp_path, book):
    batch = write_batch(tmp_path / "batch.xlsx", book, ROWS)
    check_module.check_batch(batch, tmp_path / "a.xlsx", book)  # the engine called without a ledger

    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "a.xlsx")])

    assert result.exit_code == 1
    assert result.output.startswith("[账本] 工作簿:「审计」表记载本工作簿未记入账本,账本无法为它作证")


# --- a damaged ledger is said plainly; a backup is a checked copy (issue 16, item 5) --------

@pytest.mark.parametrize("command", [["history", "--verify"], ["history", "L1"], ["history"], ["verify", "{out}"],
                                     ["check", "{batch}", "-o", "{again}", "--workers", "1"]])
def test_a_damaged_ledger_stops_each_command_in_one_line_naming_the_file_and_what_to_do(batch, tmp_path, command):
    ledger, out = tmp_path / "ledger.sqlite3", tmp_path / "a.xlsx"
    _check(batch, ledger, out)
    damage_ledger(ledger)
    damaged = ledger.read_bytes()
    args = [a.format(out=out, batch=batch, again=tmp_path / "b.xlsx") for a in command]

    result = CliRunner().invoke(cli, [*args, "--ledger", str(ledger)])

    assert result.exit_code == 2, result.output
    assert result.output == (f"错误:账本 {ledger} 已损坏(SQLite 完整性检查未通过),或不是 sscard 的账本;sscard 不再读写它。"
                             "请把该文件移到别处留存,用最近一次 sscard ledger backup 的备份恢复"
                             "(见用户手册 docs/用户手册/系统管理员.md「恢复」),再运行 sscard history --verify 核对\n")
    assert ledger.read_bytes() == damaged  # nothing appended to it
    assert not (tmp_path / "b.xlsx").exists()  # no workbook whose run no ledger holds


def test_a_ledger_backup_is_a_checked_copy_and_restoring_it_brings_the_ledger_back(batch, tmp_path):
    ledger, backup = tmp_path / "ledger.sqlite3", tmp_path / "备份" / "账本.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    head = CliRunner().invoke(cli, ["history", "--head", "--ledger", str(ledger)]).output.strip()

    result = CliRunner().invoke(cli, ["ledger", "backup", str(backup), "--ledger", str(ledger)])

    assert result.exit_code == 0, result.output
    assert result.output == (f"已把账本 {ledger} 备份到 {backup}:2 次运行,最新 {head};"
                             "SQLite 完整性检查通过,哈希链完好\n")
    damage_ledger(ledger)
    assert CliRunner().invoke(cli, ["history", "--ledger", str(ledger)]).exit_code == 2
    ledger.write_bytes(backup.read_bytes())  # 系统管理员.md's restore: the backup copied over the ledger
    restored = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger), "--anchor", head,
                                        "--anchor", str(tmp_path / "b.xlsx")])
    assert restored.exit_code == 0, restored.output
    verified = CliRunner().invoke(cli, ["verify", str(tmp_path / "a.xlsx"), "--ledger", str(ledger)])
    assert verified.exit_code == 0, verified.output


def test_a_ledger_backup_is_consistent_while_another_sscard_is_writing(batch, tmp_path):
    ledger, backup = tmp_path / "ledger.sqlite3", tmp_path / "backup.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    with closing(sqlite3.connect(ledger, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # another sscard in the middle of recording a run
        writer.execute("DELETE FROM runs")
        writer.execute("INSERT INTO pending VALUES ('half', '[]', '', 'elsewhere', 1)")

        result = CliRunner().invoke(cli, ["ledger", "backup", str(backup), "--ledger", str(ledger)])

        writer.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)
        assert copy.execute("SELECT COUNT(*) FROM pending").fetchone() == (0,)  # nothing half-written


def test_a_ledger_backup_replaces_an_earlier_backup_but_never_someone_elses_file(batch, tmp_path):
    ledger, backup = tmp_path / "ledger.sqlite3", tmp_path / "backup.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    assert CliRunner().invoke(cli, ["ledger", "backup", str(backup), "--ledger", str(ledger)]).exit_code == 0
    _check(batch, ledger, tmp_path / "b.xlsx")

    again = CliRunner().invoke(cli, ["ledger", "backup", str(backup), "--ledger", str(ledger)])

    assert again.exit_code == 0 and ":2 次运行" in again.output
    report = tmp_path / "报告.docx"
    report.write_bytes(b"someone's report")
    refused = CliRunner().invoke(cli, ["ledger", "backup", str(report), "--ledger", str(ledger)])
    assert refused.exit_code == 2 and "不是 sscard 写出的文件" in refused.output
    assert report.read_bytes() == b"someone's report"
    onto_itself = CliRunner().invoke(cli, ["ledger", "backup", str(ledger), "--ledger", str(ledger), "--force"])
    assert onto_itself.exit_code == 2 and "输出文件不能与输入文件相同" in onto_itself.output


def test_a_damaged_ledger_is_not_backed_up(batch, tmp_path):
    ledger, backup = tmp_path / "ledger.sqlite3", tmp_path / "backup.sqlite3"
    _check(batch, ledger, tmp_path / "a.xlsx")
    damage_ledger(ledger)

    result = CliRunner().invoke(cli, ["ledger", "backup", str(backup), "--ledger", str(ledger)])

    assert result.exit_code == 2 and result.output.startswith(f"错误:账本 {ledger} 已损坏")
    assert not backup.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".sscard")] == []


@pytest.fixture
def clock_zone(monkeypatch):
    """Set the computer's time zone for the test (TZ, as the system reads it)."""
    def set_zone(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_history_shows_when_a_decision_was_made_in_local_time_and_marks_the_latest(batch, tmp_path, clock_zone):
    ledger = tmp_path / "ledger.sqlite3"
    clock_zone("UTC0")  # the server that checked the batch kept UTC
    _check(batch, ledger, tmp_path / "a.xlsx")
    _check(batch, ledger, tmp_path / "b.xlsx")
    with closing(sqlite3.connect(ledger)) as connection:
        started = [s for (s,) in connection.execute("SELECT started FROM runs ORDER BY seq")]
    clock_zone("CST-8")  # the auditor's computer, eight hours ahead

    result = CliRunner().invoke(cli, ["history", "L1", "--ledger", str(ledger)])

    _, first, second = result.output.splitlines()
    local = [(dt.datetime.fromisoformat(s) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S") for s in started]
    assert first.startswith(f"   1  {local[0]}  运行 ") and second.startswith(f"   2  {local[1]}  运行 ")
    assert not first.endswith("〔最新〕") and second.endswith("〔最新〕")  # identical decisions, told apart
    assert started[0] not in result.output and "+00:00" not in result.output


def test_history_verify_names_a_rulebook_publication_whose_record_was_edited(batch, tmp_path):
    ledger_path = tmp_path / "ledger.sqlite3"
    _check(batch, ledger_path, tmp_path / "a.xlsx")
    ledger = Ledger(ledger_path)
    ledger.record_publication("2027.01.01-aaaaaaaa", "a" * 64, "b" * 64, "起草人", "审批人", "柜面")
    ledger.record_publication("2027.02.01-cccccccc", "c" * 64, "a" * 64, "起草人", "另一审批人", "柜面")
    assert [(p.drafted_by, p.approved_by) for p in ledger.publications()] == [("起草人", "审批人"), ("起草人", "另一审批人")]
    intact = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger_path)])
    assert intact.exit_code == 0, intact.output
    with closing(sqlite3.connect(ledger_path)) as connection, connection:
        connection.execute("UPDATE publications SET approved_by = '起草人' WHERE seq = 1")  # self-approval, forged
    broken = CliRunner().invoke(cli, ["history", "--verify", "--ledger", str(ledger_path)])
    assert broken.exit_code == 1
    assert "规则库发布记录第 1 条(2027.01.01-aaaaaaaa" in broken.output and "哈希不符" in broken.output
