"""Named accounts (engine.office.accounts) and `sscard users`: what the bureau's IT staff
meet on the command line, and what the desk relies on."""

from __future__ import annotations

import sqlite3
import stat

import pytest
from click.testing import CliRunner

from cli import cli
from engine.office.accounts import FAILURE_WINDOW, IDLE_LIMIT, MAX_FAILURES, AccountError, Accounts, SignInRefused

PASSWORD = "柜面-2026-春天"


@pytest.fixture
def accounts(tmp_path):
    registry = Accounts(tmp_path / "data")
    registry.add("管理", ["管理员"], PASSWORD)
    registry.add("张三", ["经办"], PASSWORD)
    return registry


def users(tmp_path, *args, password: str | None = PASSWORD, input: str | None = None):
    env = {"SSCARD_NEW_PASSWORD": password} if password else {"SSCARD_NEW_PASSWORD": ""}
    return CliRunner().invoke(cli, ["users", *args, "--data", str(tmp_path / "data")], env=env, input=input)


def test_passwords_are_kept_as_salted_slow_hashes_in_an_owner_only_file(accounts):
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600
    with sqlite3.connect(accounts.path) as db:
        hashes = [h for (h,) in db.execute("SELECT password FROM accounts")]
    assert all(h.startswith("scrypt:") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # the same password, salted apart


def test_a_wrong_password_locks_the_account_until_the_failures_age_out(accounts):
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInRefused, match="姓名或密码不对"):
            accounts.sign_in("张三", "不是这个密码", "10.0.0.1", now=1000.0)
    with pytest.raises(SignInRefused, match="15 分钟后再试"):
        accounts.sign_in("张三", PASSWORD, "10.0.0.2", now=1000.0)
    assert accounts.sign_in("张三", PASSWORD, "10.0.0.2", now=1000.0 + FAILURE_WINDOW + 1)


def test_a_session_ends_when_unused_for_a_working_day(accounts):
    token = accounts.sign_in("张三", PASSWORD, "10.0.0.1", now=1000.0)
    assert accounts.session(token, now=1000.0 + 3600).name == "张三"
    assert accounts.session(token, now=1000.0 + 3600 + IDLE_LIMIT + 1) is None
    assert accounts.session(token, now=1000.0 + 3600) is None  # ended for good


def test_the_last_manager_cannot_be_disabled_or_lose_the_role(accounts):
    with pytest.raises(AccountError, match="唯一在用的管理员"):
        accounts.disable("管理")
    with pytest.raises(AccountError, match="唯一在用的管理员"):
        accounts.set_roles("管理", ["经办"])
    accounts.set_roles("张三", ["经办", "管理员"])
    accounts.disable("管理")
    assert not accounts.get("管理").enabled


def test_users_add_list_disable_enable_and_roles_from_the_command_line(tmp_path):
    added = users(tmp_path, "add", "李四", "--role", "审计", "--role", "管理员")
    assert added.exit_code == 0 and "已建立账户「李四」,角色 审计、管理员" in added.output
    assert users(tmp_path, "add", "张三", "--role", "经办").exit_code == 0
    listed = users(tmp_path, "list")
    assert "李四  审计、管理员  在用" in listed.output and "张三  经办  在用" in listed.output
    assert users(tmp_path, "disable", "张三").output.strip() == "已停用账户「张三」"
    assert "张三  经办  已停用" in users(tmp_path, "list").output
    assert users(tmp_path, "enable", "张三").exit_code == 0
    changed = users(tmp_path, "roles", "张三", "--role", "经办", "--role", "审计")
    assert changed.output.strip() == "「张三」的角色已改为 经办、审计"


def test_users_password_asks_twice_without_echo_and_ends_the_sessions(tmp_path):
    users(tmp_path, "add", "李四", "--role", "管理员")
    registry = Accounts(tmp_path / "data")
    token = registry.sign_in("李四", PASSWORD, "127.0.0.1")
    changed = users(tmp_path, "password", "李四", password=None, input="新的密码-12345\n新的密码-12345\n")
    assert changed.exit_code == 0 and "1 个登录已退出" in changed.output and "新的密码-12345" not in changed.output
    assert registry.session(token) is None
    assert registry.sign_in("李四", "新的密码-12345", "127.0.0.1")
    mismatch = users(tmp_path, "password", "李四", password=None, input="新的密码-12345\n另一个密码-123\n")
    assert mismatch.exit_code == 2 and "两次输入的密码不一致" in mismatch.output


def test_users_refuses_with_one_line_and_exit_code_two(tmp_path):
    first = users(tmp_path, "add", "张三", "--role", "经办")
    assert first.exit_code == 2 and "第一个账户须有「管理员」角色" in first.output
    short = users(tmp_path, "add", "李四", "--role", "管理员", password="1234567")
    assert short.exit_code == 2 and "密码太短" in short.output
    users(tmp_path, "add", "李四", "--role", "管理员")
    again = users(tmp_path, "add", "李四", "--role", "经办")
    assert again.exit_code == 2 and "已存在" in again.output
    unknown = users(tmp_path, "disable", "王五")
    assert unknown.exit_code == 2 and "没有账户「王五」" in unknown.output
    role = users(tmp_path, "add", "王五", "--role", "科长")
    assert role.exit_code == 2 and "「科长」不是可选的值;可选:经办、审计、政策、管理员" in role.output
