"""A rule folder is a program, read once (issue 9, items 4 and 9): editing it mid-run
changes neither a decision nor the 审计 record, and a folder someone else could have
written is refused."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, read_sheet, write_helpers_batch

from cli import cli
from engine.runs import parallel


@pytest.fixture
def draft(tmp_path):
    return shutil.copytree(FIXTURE_RULES, tmp_path / "草案", ignore=shutil.ignore_patterns("__pycache__"))


def test_editing_the_parameters_mid_run_changes_no_decision_and_not_the_audit_record(tmp_path, draft, fixture_book,
                                                                                    monkeypatch):
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "P")
    parameters = draft / "parameters.toml"
    real_start = parallel.Pipeline.start

    def start_after_someone_edits(self, *args):
        # Loaded by this process, not yet by the reading and deciding processes it starts now.
        text = parameters.read_text(encoding="utf-8")
        edited = text.replace("from = 2020-01-01\nvalue = 10\n", "from = 2020-01-01\nvalue = 99\n")
        assert edited != text
        parameters.write_text(edited, encoding="utf-8")
        return real_start(self, *args)
    monkeypatch.setattr(parallel.Pipeline, "start", start_after_someone_edits)

    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(tmp_path / "决定.xlsx"), "--workers", "2",
                                      "--rules", str(draft)])

    assert result.exit_code == 0, result.output
    assert "value = 99" in parameters.read_text(encoding="utf-8")  # the edit did happen
    fees = {r["费用(元)"] for r in read_sheet(tmp_path / "决定.xlsx")}
    assert fees == {fixture_book.parameters["card_fee"].on(dt.date(2026, 3, 1))}  # the fee as loaded, never 99
    audit = {r["项目"]: r["内容"] for r in read_sheet(tmp_path / "决定.xlsx", "审计")}
    assert audit["规则库 SHA-256"] == fixture_book.digest
    assert "99" not in audit["参数 card_fee"]


def test_a_rule_folder_anyone_may_write_is_refused_in_one_line(draft):
    module = draft / "issue.py"
    module.chmod(module.stat().st_mode | stat.S_IWOTH)

    result = CliRunner().invoke(cli, ["rules", "list", "--rules", str(draft)])

    assert result.exit_code == 2
    assert result.output == (f"错误:规则目录中的 {module} 任何人都可写入;规则目录中的 Python 会被执行,"
                             f"请先执行 chmod o-w '{module}'\n")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_a_rule_folder_owned_by_another_user_is_refused_in_one_line(draft, tmp_path):
    batch = tmp_path / "批次.xlsx"
    os.chown(draft, 4321, -1)

    result = CliRunner().invoke(cli, ["check", str(batch), "--rules", str(draft)])

    assert result.exit_code == 2
    assert result.output == (f"错误:规则目录中的 {draft} 属于另一用户(uid 4321);规则目录中的 Python 会被执行,"
                             "请复制一份归自己所有的规则目录再使用\n")
