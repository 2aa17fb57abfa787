"""One request id however it is written (RULEBOOK.md, revised 2026-12-04): SQ-0005, sq-0005,
SQ‐0005 (a typographic hyphen) and ＳＱ－０００５ are one id to the duplicate rule, to explain,
to history and to the desk's 查询; each is still shown as the clerk typed it."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from click.testing import CliRunner
from conftest import LEDGER_BEFORE_OPERATORS, fixture_request, read_sheet, write_batch

from cli import cli
from engine.core.request_ids import request_key
from engine.records.ledger import GENESIS, decision_digest, run_hash

SPELLINGS = ["SQ20260302-0005", "sq20260302-0005", "SQ20260302\u20100005", "ＳＱ２０２６０３０２－０００５"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("typed", ["sq-0005", "SQ\u20100005", "SQ\u20110005", "SQ\u20120005", "SQ\u20130005",
                                   "SQ\u20140005", "SQ\u20150005", "SQ\uff0d0005", "ＳＱ-０００５", " SQ-0005 "])
def test_every_spelling_the_rulebook_names_has_the_key_of_the_plain_id(typed):
    assert request_key(typed) == request_key("SQ-0005")


def test_ids_that_differ_only_in_case_dash_or_width_are_one_id_and_every_row_carrying_it_is_an_input_error(
        fixture_home, fixture_book, tmp_path):
    rows = [fixture_request(申请编号=typed) for typed in SPELLINGS] + [fixture_request(申请编号="SQ20260302-0006")]
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, rows)
    out = tmp_path / "out.xlsx"

    result = invoke("check", batch, "-o", out, "--workers", 1)

    assert result.exit_code == 0, result.output
    assert "输入有误: 4" in result.output and "受理: 1" in result.output
    decided = read_sheet(out)
    assert [(r["申请编号"], r["结论"]) for r in decided] == [(typed, "输入有误") for typed in SPELLINGS] + [
        ("SQ20260302-0006", "受理")]  # input order, each as typed
    errors = read_sheet(out, "错误")
    assert [(e["行号"], e["申请编号"]) for e in errors] == [(n, typed) for n, typed in enumerate(SPELLINGS, start=2)]
    spelled = "、".join(f"第 {n} 行「{typed}」" for n, typed in enumerate(SPELLINGS, start=2))
    assert errors[1]["问题"] == (f"申请编号「{SPELLINGS[1]}」在本批次出现 4 次({spelled};"
                               "大小写、全角半角或连字符不同,也是同一个编号),无法确定以哪一行为准(F0)")
    assert all(r["费用(元)"] in (0, None) for r in decided[:4])  # nobody is charged twice


def test_explain_finds_the_row_however_the_id_is_typed_and_names_it_as_written(fixture_home, fixture_book, tmp_path):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, [fixture_request(申请编号="SQ20260302-0005")])
    out = tmp_path / "out.xlsx"
    assert invoke("check", batch, "-o", out, "--workers", 1).exit_code == 0

    result = invoke("explain", out, "sq20260302\u20140005")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "out.xlsx 第 2 行,申请编号 SQ20260302-0005"


def test_history_finds_every_decision_of_a_request_however_it_was_typed_then_or_now(fixture_home, fixture_book,
                                                                                   tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    for name, typed in (("march", "SQ-1"), ("april", "sq\u20101")):
        batch = write_batch(tmp_path / f"{name}.xlsx", fixture_book, [fixture_request(申请编号=typed)])
        assert invoke("check", batch, "-o", tmp_path / f"{name}.out.xlsx", "--workers", 1,
                      "--ledger", ledger).exit_code == 0

    result = invoke("history", "ＳＱ－１", "--ledger", ledger)

    assert result.exit_code == 0, result.output
    heading, first, second = result.output.splitlines()
    assert heading.startswith("账本中申请编号「ＳＱ－１」的决定 2 条")
    assert "march.xlsx 第 2 行  申请编号 SQ-1  受理" in first and not first.endswith("〔最新〕")
    assert "april.xlsx 第 2 行  申请编号 sq\u20101  受理" in second and second.endswith("〔最新〕")


def test_a_ledger_written_before_id_keys_is_brought_up_to_date_and_finds_its_requests_by_any_spelling(
        fixture_home, fixture_book, tmp_path):
    ledger = tmp_path / "old.sqlite3"
    fields = ["old-run", "2026-11-01T09:00:00+08:00", "2026.11.26", "f" * 64, "旧批次.xlsx", "e" * 64, 1,
              "sscard check 旧批次.xlsx"]
    decisions = [(2, "SQ-OLD-7", "受理", 20, "", "ISSUE-ACCEPT 办证", "c" * 20)]
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.executescript(LEDGER_BEFORE_OPERATORS)
        connection.execute("CREATE INDEX decisions_by_request ON decisions (request_id)")
        connection.execute("INSERT INTO runs (run_id, started, rulebook_version, rulebook_digest, input_name, "
                           "input_sha256, rows, command_line, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           (*fields, GENESIS, run_hash(GENESIS, fields, decision_digest(decisions))))
        connection.execute("INSERT INTO decisions VALUES ('old-run', ?, ?, ?, ?, ?, ?, ?)", decisions[0])

    found = invoke("history", "sq\u2013old\u20137", "--ledger", ledger)

    assert found.exit_code == 0, found.output
    assert "旧批次.xlsx 第 2 行  申请编号 SQ-OLD-7  受理" in found.output
    with closing(sqlite3.connect(ledger)) as connection:
        plan = " ".join(str(row) for row in connection.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM decisions WHERE request_key = 'x'"))
    assert "decisions_by_request_key" in plan  # found through an index, not by reading every decision
    verified = invoke("history", "--verify", "--ledger", ledger)
    assert verified.exit_code == 0 and "完好:1 次运行" in verified.output


def test_history_verify_catches_an_edited_id_key_that_would_hide_a_request(fixture_home, fixture_book, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, [fixture_request(申请编号="SQ-9")])
    assert invoke("check", batch, "-o", tmp_path / "out.xlsx", "--workers", 1, "--ledger", ledger).exit_code == 0
    with closing(sqlite3.connect(ledger)) as connection, connection:
        connection.execute("UPDATE decisions SET request_key = 'hidden'")

    assert "账本中没有申请编号「SQ-9」的决定" in invoke("history", "SQ-9", "--ledger", ledger).output
    result = invoke("history", "--verify", "--ledger", ledger)

    assert result.exit_code == 1
    assert "第 2 行的申请编号比对键被改动,按申请编号查询会找不到这些决定" in result.output


def test_a_workbook_with_an_unreadable_or_blank_id_verifies_against_the_ledger_and_its_errors_name_it(
        fixture_home, fixture_book, tmp_path):
    rows = [fixture_request(申请编号="SQ-6\u200b"), fixture_request(申请编号=None), fixture_request(申请编号="SQ-7")]
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, rows)
    out = tmp_path / "out.xlsx"
    assert invoke("check", batch, "-o", out, "--workers", 1).exit_code == 0

    result = invoke("verify", out)

    assert result.exit_code == 0, result.output
    assert [(e["行号"], e["申请编号"] or "") for e in read_sheet(out, "错误")] == [(2, "SQ-6\u200b"), (3, "")]
