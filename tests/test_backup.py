"""`sscard backup`: everything the desk keeps, copied consistently while it works, checked,
and restored: a decision workbook made on the desk verifies against the restored ledger
and archive, and the accounts sign in again (their sessions do not come back)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading

import pytest
from click.testing import CliRunner
from conftest import fixture_request, write_batch
from test_desk import PASSWORD, finished, sign_in, upload

from cli import cli
from desk.app import create_app
from desk.config import DeskConfig
from desk.context import Desk
from desk.jobs import Lanes
from desk.store import Store
from engine.office.accounts import Accounts
from engine.office.drafts import Drafts
from engine.records.ledger import Ledger
from engine.runs.check import check_batch


@pytest.fixture
def office(tmp_path, home_book):
    """A desk on the network, as an office runs it, with a clerk's batch checked on it."""
    lanes = Lanes(home_book, large_workers=1)
    config = DeskConfig(tmp_path / "data", tmp_path / "settings.toml", host="0.0.0.0")
    config.settings.write_text('[office]\nname = "某市图书证服务中心"\n', encoding="utf-8")
    accounts = Accounts(config.data)
    accounts.add("管理", ["管理员"], PASSWORD)
    accounts.add("张三", ["经办"], PASSWORD)
    desk = Desk(config, home_book, Ledger(tmp_path / "ledger.sqlite3"), Store(config.data), lanes, accounts)
    client = create_app(desk).test_client()
    sign_in(client, "张三")
    batch = write_batch(tmp_path / "三月批次.xlsx", home_book, [fixture_request(申请编号=f"F{i}") for i in range(30)])
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, progress)] = finished(client)
    assert progress["status"] == "done"
    response = client.get(f"/batch/{token}/decisions.xlsx")
    (tmp_path / "决定.xlsx").write_bytes(response.data)
    response.close()
    yield desk, client, tmp_path / "决定.xlsx"
    lanes.close()


def backup(desk, destination):
    return CliRunner().invoke(cli, ["backup", str(destination), "--data", str(desk.config.data),
                                    "--settings", str(desk.config.settings), "--ledger", str(desk.ledger.path)])


def test_a_backup_restored_elsewhere_verifies_the_desks_decision_workbook(office, tmp_path, fixture_home, monkeypatch):
    desk, client, workbook = office
    made = backup(desk, tmp_path / "备份")
    assert made.exit_code == 0, made.output
    assert "保存中的批次 1 个" in made.output and "账户 2 个(不含登录会话" in made.output and "核对" in made.output
    manifest = json.loads((tmp_path / "备份" / "备份清单.json").read_text(encoding="utf-8"))
    assert manifest["runs"] == 1 and manifest["ledger_intact"] and manifest["batches"] == 1
    for path in (tmp_path / "备份").rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path  # names and 公民身份号码: the owner's alone

    # Restore on another machine, as 系统管理员.md「恢复」 says: the ledger, the desk's folder, the settings, the archive.
    restored = tmp_path / "新机器"
    shutil.copytree(fixture_home / "rules", restored / "home" / "rules")  # the repository's checkout
    shutil.copytree(tmp_path / "备份" / "archive", restored / "home" / "archive")
    shutil.copytree(tmp_path / "备份" / "desk", restored / "data")
    shutil.copy(tmp_path / "备份" / "ledger.sqlite3", restored / "ledger.sqlite3")
    shutil.copy(tmp_path / "备份" / "settings.toml", restored / "settings.toml")
    monkeypatch.setenv("SSCARD_RULES", str(restored / "home" / "rules" / "规则库.xlsx"))
    shutil.rmtree(fixture_home / "archive")  # the old machine's archive is gone
    verified = CliRunner().invoke(cli, ["verify", str(workbook), "--ledger", str(restored / "ledger.sqlite3")])
    assert verified.exit_code == 0, verified.output
    assert "核对通过" in verified.output and "与账本一致" in verified.output

    accounts = Accounts(restored / "data")
    with sqlite3.connect(accounts.path) as db:
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    assert accounts.sign_in("张三", PASSWORD, "127.0.0.1")
    [job] = Store(restored / "data").recent("张三", 10)
    assert job.state()["status"] == "done" and job.output.is_file()


def test_a_backup_taken_while_checks_are_recorded_is_a_consistent_snapshot(office, tmp_path, home_book):
    desk, client, _ = office
    batch = write_batch(tmp_path / "再来.xlsx", home_book, [fixture_request(申请编号=f"G{i}") for i in range(200)])
    stop, errors = threading.Event(), []

    def keep_checking():
        number = 0
        while not stop.is_set():
            number += 1
            try:
                check_batch(batch, tmp_path / f"out{number}.xlsx", home_book, ledger=Ledger(desk.ledger.path))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                return

    writer = threading.Thread(target=keep_checking)
    writer.start()
    try:
        reports = [backup(desk, tmp_path / f"备份{i}") for i in range(3)]
    finally:
        stop.set()
        writer.join()
    assert not errors
    for report in reports:
        assert report.exit_code == 0, report.output
    for i in range(3):
        copied = Ledger(tmp_path / f"备份{i}" / "ledger.sqlite3")
        chain = copied.verify()
        assert chain.intact and chain.runs >= 1


def test_a_backup_never_writes_into_a_folder_that_holds_something(office, tmp_path):
    desk, _, _ = office
    taken = tmp_path / "已有"
    taken.mkdir()
    (taken / "别人的文件.txt").write_text("x")
    refused = backup(desk, taken)
    assert refused.exit_code == 2 and "不是空文件夹" in refused.output
    assert sorted(p.name for p in taken.iterdir()) == ["别人的文件.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sscard-backup-")]


def test_rule_drafts_awaiting_approval_are_backed_up_and_restored_with_their_reports(office, tmp_path, home_book):
    desk, _, _ = office
    draft = desk.drafts.add("草案.xlsx", "张政策", home_book.source.content, home_book)
    desk.drafts.set_report(draft, {"lint": [], "blocking": [], "impact": []})
    made = backup(desk, tmp_path / "备份")
    assert made.exit_code == 0, made.output
    assert "规则草案 1 份" in made.output
    restored = Drafts(tmp_path / "备份" / "desk").get(draft.id)
    assert restored is not None and restored.state["drafter"] == "张政策" and restored.report["lint"] == []
    assert restored.workbook.read_bytes() == home_book.source.content
