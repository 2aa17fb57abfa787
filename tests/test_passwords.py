"""Password-protected batches and protected outputs (issue 13): opened with the clerk's
password, in memory; the password is never kept anywhere; outputs can be protected and
are read back by verify and explain the same way."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

import fixture_rulebook
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, ROOT, fixture_request, write_batch

from cli import cli
from engine.excel import writer
from engine.excel.opening import OLE2_MAGIC
from engine.files import scratch
from engine.files.protection import ENV, Password, decrypt, encrypt_workbook
from engine.policy.cases import write_cases

DATA = Path(__file__).resolve().parent / "data"
LIBREOFFICE_PASSWORD = "柜面-2026"  # tests/data/make_office_files.py
PASSWORD = "S3cret-口令"


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)


def run(*args, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env=env)


def refused(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    return lines[-1]


def decisions_of(batch: Path) -> Path:
    return batch.with_name(f"{batch.stem}.decisions.xlsx")


def protected(source: Path, target: Path, password: str = PASSWORD) -> Path:
    """``source`` (an .xlsx) saved with an opening password, as Excel 2010+ does."""
    with source.open("rb") as plain, target.open("wb") as sink:
        encrypt_workbook(plain, sink, Password(password))
    return target


def rows_of(path: Path, sheet: str = "结果", password: str | None = None) -> list[tuple]:
    data = path.read_bytes()
    if password is not None:
        data = decrypt(data, Password(password))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()


@pytest.fixture
def batch(tmp_path, fixture_book) -> Path:
    return write_batch(tmp_path / "批次.xlsx", fixture_book, [
        fixture_request(申请编号="F1"), fixture_request(申请编号="F2", 办理人="代办"),
        fixture_request(申请编号="F3", 读者证号=12345678)])


@pytest.fixture
def locked(tmp_path, batch) -> Path:
    folder = tmp_path / "加密"
    folder.mkdir()
    return protected(batch, folder / "批次.xlsx")


# --- opening a protected batch ------------------------------------------------------

def test_check_opens_a_protected_xls_saved_by_libreoffice_with_the_password_from_the_environment(tmp_path):
    (tmp_path / "明").mkdir(), (tmp_path / "密").mkdir()
    plain = shutil.copyfile(DATA / "batch.xls", tmp_path / "明" / "批次.xls")
    locked = shutil.copyfile(DATA / "batch-password.xls", tmp_path / "密" / "批次.xls")

    assert run("check", plain).exit_code == 0
    result = run("check", locked, env={ENV: LIBREOFFICE_PASSWORD})

    assert result.exit_code == 0, result.output
    assert rows_of(decisions_of(Path(locked))) == rows_of(decisions_of(Path(plain)))


def test_check_asks_for_the_password_without_echo_when_given_the_flag(batch, locked):
    assert run("check", batch, "--rules", FIXTURE_RULES).exit_code == 0
    result = run("check", locked, "--password", "--rules", FIXTURE_RULES, input=f"{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "工作簿的打开密码" in result.output and PASSWORD not in result.output
    assert rows_of(decisions_of(locked)) == rows_of(decisions_of(batch))


@pytest.mark.parametrize("which, flag, instead", [
    ("locked", "--password", f"请去掉 --password,改用环境变量 {ENV} 提供密码"),
    ("batch", "--encrypt-output", f"请用环境变量 {ENV} 提供给决定工作簿设的密码")])
def test_a_password_asked_for_with_no_terminal_says_in_one_chinese_line_to_use_the_environment(request, which, flag,
                                                                                               instead):
    batch = request.getfixturevalue(which)
    # A scheduled job: no controlling terminal, stdin from nowhere.
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(batch), flag, "--rules", str(FIXTURE_RULES)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, start_new_session=True,
                          cwd=batch.parent, timeout=120)

    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"错误:需要在终端中输入密码,但本次运行没有终端(如在脚本或计划任务中);{instead}\n"
    assert not decisions_of(batch).exists()


def test_a_new_desk_password_asked_for_with_no_terminal_says_to_use_its_own_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SSCARD_NEW_PASSWORD"}
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "users", "add", "张三", "--role", "经办",
                           "--data", str(tmp_path / "desk")], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          start_new_session=True, timeout=120, env=env)

    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("错误:需要在终端中输入密码,但本次运行没有终端(如在脚本或计划任务中);"
                           "请改用环境变量 SSCARD_NEW_PASSWORD 提供新密码\n")


def test_check_says_to_give_the_password_and_never_to_remove_it_when_none_is_given(locked):
    line = refused(run("check", locked, "--rules", FIXTURE_RULES))
    assert "设了打开密码" in line and "--password" in line and ENV in line
    assert "取消" not in line and "另存为" not in line
    assert not decisions_of(locked).exists()


@pytest.mark.parametrize("name", ["xlsx", "xls"])
def test_check_refuses_in_one_line_with_exit_2_when_the_password_is_wrong(tmp_path, locked, name):
    if name == "xls":
        locked = shutil.copyfile(DATA / "batch-password.xls", tmp_path / "批次.xls")
    result = run("check", locked, "--rules", FIXTURE_RULES, env={ENV: "wrong-密码"})
    assert "密码不对" in refused(result) and "wrong-密码" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not decisions_of(Path(locked)).exists()
    assert not (Path(locked).parent / "ledger.sqlite3").exists()


def test_the_password_is_kept_nowhere_when_a_protected_batch_was_checked(tmp_path, locked, monkeypatch):
    private_temp = tmp_path / "系统临时目录"
    private_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_temp))
    ledger = tmp_path / "ledger.sqlite3"

    result = run("check", locked, "--password", "--encrypt-output", "--rules", FIXTURE_RULES, "--ledger", ledger,
                 input=f"{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    audit = dict((k, v) for k, v, *_ in rows_of(decisions_of(locked), "审计", PASSWORD)[1:])
    assert "--password" in audit["命令行"] and not any(PASSWORD in str(v) for v in audit.values())
    with sqlite3.connect(ledger) as db:
        stored = [str(v) for table in ("runs", "decisions") for row in db.execute(f"select * from {table}") for v in row]
    assert stored and not any(PASSWORD in v for v in stored)
    # no file left anywhere (ledger, outputs, temporary folder) holds it, in any encoding
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and PASSWORD.encode("utf-16-le") not in data, path
    assert list(private_temp.iterdir()) == []


@pytest.mark.parametrize("typed", [["--password", "1234x"], ["--password=1234x"]])
def test_check_refuses_a_password_typed_on_the_command_line_without_repeating_it(batch, typed, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    result = run("check", batch, *typed, "--rules", FIXTURE_RULES, "--ledger", ledger)
    assert result.exit_code == 2
    assert "--password 后面不要写密码" in result.output and "1234x" not in result.output
    assert not decisions_of(batch).exists() and not ledger.exists()


def test_diff_and_rules_test_open_protected_workbooks_with_the_password(tmp_path, locked, fixture_book):
    plain = write_cases(tmp_path / "明文用例.xlsx", fixture_book, fixture_rulebook.CASES)
    cases = protected(plain, tmp_path / "用例.xlsx")
    env = {ENV: PASSWORD}

    compared = run("diff", locked, "--old", FIXTURE_RULES, "--new", FIXTURE_RULES, env=env)
    tested = run("rules", "test", FIXTURE_RULES, "--cases", cases, env=env)

    assert compared.exit_code == 0 and "申请 3 行,决定有变化 0 行" in compared.output, compared.output
    assert tested.exit_code == 0 and "用例 11 个:通过 11,失败 0" in tested.output, tested.output
    assert "设了打开密码" in refused(run("rules", "test", FIXTURE_RULES, "--cases", cases))


# --- protected outputs ----------------------------------------------------------------

def test_check_encrypts_the_decision_workbook_and_verify_and_explain_open_it_with_the_password(batch, locked):
    assert run("check", batch, "--rules", FIXTURE_RULES).exit_code == 0
    env = {ENV: PASSWORD}
    result = run("check", locked, "--encrypt-output", "--rules", FIXTURE_RULES, env=env)
    output = decisions_of(locked)

    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(OLE2_MAGIC)  # an encrypted package, not a readable zip
    with pytest.raises(Exception):
        openpyxl.load_workbook(output, read_only=True)
    plain_rows, protected_rows = rows_of(decisions_of(batch)), rows_of(output, password=PASSWORD)
    assert [r[:-1] for r in protected_rows] == [r[:-1] for r in plain_rows]  # 核验码 aside: same decisions

    verified = run("verify", output, "--batch", locked, "--rules", FIXTURE_RULES, env=env)
    explained = run("explain", output, "F3", "--rules", FIXTURE_RULES, env=env)
    assert verified.exit_code == 0 and "核对通过" in verified.output and "无规则漂移" in verified.output, \
        verified.output
    assert explained.exit_code == 0 and "记录的结论:输入有误" in explained.output, explained.output
    assert "设了打开密码" in refused(run("verify", output, "--rules", FIXTURE_RULES))


def test_check_asks_twice_for_the_output_password_when_the_batch_has_none(batch):
    result = run("check", batch, "--encrypt-output", "--rules", FIXTURE_RULES, input="新口令\n新口令\n")
    assert result.exit_code == 0, result.output
    assert rows_of(decisions_of(batch), password="新口令")[0][:2] == ("行号", "申请编号")


def test_check_writes_nothing_when_the_two_output_passwords_differ(batch):
    result = run("check", batch, "--encrypt-output", "--rules", FIXTURE_RULES, input="一\n二\n")
    assert result.exit_code == 2 and "两次输入的密码不一致" in result.output
    assert not decisions_of(batch).exists()


def test_check_of_a_folder_protects_every_workbook_it_writes(tmp_path, batch):
    out = tmp_path / "决定"
    result = run("check", batch.parent, "-o", out, "--encrypt-output", "--rules", FIXTURE_RULES, "--workers", 1,
                 env={ENV: PASSWORD})
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == ["合并汇总.xlsx", "批次.decisions.xlsx"]
    assert all((out / name).read_bytes().startswith(OLE2_MAGIC) for name in written)


@pytest.mark.parametrize("fails", [False, True])
def test_a_protected_workbook_leaves_no_plain_copy_behind_on_any_exit_path(tmp_path, monkeypatch, fails):
    private_temp = tmp_path / "temp"
    private_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_temp))
    target = tmp_path / "out" / "决定.xlsx"

    with pytest.raises(RuntimeError) if fails else nullcontext(), scratch.run_folder():
        with writer.atomic_workbook(target, "测试", password=Password(PASSWORD)) as workbook:
            workbook.add_worksheet("结果").write_string(0, 0, "张三 11010519491231002X")
            if fails:
                raise RuntimeError("interrupted")

    assert list(private_temp.iterdir()) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ([] if fails else ["决定.xlsx"])
    if not fails:
        assert b"11010519491231002X" not in target.read_bytes()
        assert rows_of(target, password=PASSWORD) == [("张三 11010519491231002X",)]

