"""Big batches (issue 20): rows are read, decided and written at the same time, in
processes of their own, and a batch is written again from the start only when a row far
down changes rows already written (a 申请编号 seen before, a cell right of the header).
Whatever the path, the workbook and the ledger say the same, and nothing is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from conftest import FIXTURE_RULES, HELPERS_ROWS, ROOT, fixture_request, read_sheet, write_batch, write_helpers_batch

from cli import cli
from desk import results
from engine.excel.writer import CommentedSheet, forget_written_row
from engine.files import protection
from engine.files.protection import Password, encrypt_workbook
from engine.runs import parallel
from engine.runs.check import check_batch


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("SSCARD_LEDGER", str(path))
    return path


def checked(batch, out, workers: int, *more):
    result = invoke("check", batch, "-o", out, "--workers", workers, "--rules", FIXTURE_RULES, *more)
    assert result.exit_code == 0, result.output
    return result


def verified(out, batch):
    result = invoke("verify", out, "--batch", batch, "--rules", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    assert f"{HELPERS_ROWS} 行的核验码" in result.output


def test_an_id_used_again_far_down_makes_every_row_carrying_it_invalid_in_input_order(tmp_path, fixture_book,
                                                                                      ledger):
    # D7 is on row 9; rows 3 and 4002 use it again, and row 4802 too, written full-width in lower case.
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "D",
                                changed={3: {"申请编号": "D7"}, 4002: {"申请编号": "D7"}, 4802: {"申请编号": "ｄ７"}})
    out = tmp_path / "决定.xlsx"

    checked(batch, out, 2)

    rows = read_sheet(out)
    assert [r["申请编号"] for r in rows[:3]] == ["D0", "D7", "D2"] and len(rows) == HELPERS_ROWS
    carrying = [r for r in rows if r["申请编号"] in ("D7", "ｄ７")]
    assert [r["行号"] for r in carrying] == [3, 9, 4002, 4802]
    for row in carrying:
        assert row["结论"] == "输入有误"
        assert (f"申请编号「{row['申请编号']}」在本批次出现 4 次(第 3 行「D7」、第 9 行「D7」、第 4002 行「D7」、"
                "第 4802 行「ｄ７」;大小写、全角半角或连字符不同,也是同一个编号)") in row["依据"]
    assert {r["结论"] for r in rows if r not in carrying} == {"受理"}
    verified(out, batch)  # the rows written again agree with the ledger, row for row


def test_a_cell_right_of_the_header_far_down_widens_every_row_and_the_codes_still_verify(tmp_path, fixture_book,
                                                                                         ledger):
    width = len(fixture_book.schema.columns)
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "W", cells={(4500, width + 2): "复印件模糊"})
    out = tmp_path / "决定.xlsx"

    result = checked(batch, out, 2)

    rows = read_sheet(out)
    column = f"(无表头 {openpyxl.utils.get_column_letter(width + 2)})"
    assert "没有表头" in result.output and column in result.output
    assert [(r["行号"], r[column]) for r in rows if r[column] is not None] == [(4500, "复印件模糊")]
    assert len(rows) == HELPERS_ROWS
    verified(out, batch)


def test_a_batch_gives_the_same_workbook_whether_read_here_or_by_helper_processes(tmp_path, fixture_book):
    # Written again from the start either way: an id used twice, a cell right of the header.
    width = len(fixture_book.schema.columns)
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "S",
                                changed={4000: {"申请编号": "S1"}, 4200: {"申请日期": "不存在的日期"}},
                                cells={(4400, width + 1): "备注"})
    here, helpers = tmp_path / "一个进程.xlsx", tmp_path / "多个进程.xlsx"

    checked(batch, here, 1, "--ledger", tmp_path / "a.sqlite3")
    checked(batch, helpers, 2, "--ledger", tmp_path / "b.sqlite3")

    for sheet in ("结果", "错误", "汇总"):
        assert read_sheet(here, sheet) == read_sheet(helpers, sheet)


def test_the_desk_table_holds_each_row_once_when_an_id_turns_up_again_far_down(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book,
                        [fixture_request(申请编号="T0" if i == 4500 else f"T{i}") for i in range(5000)])
    index = tmp_path / "表.sqlite3"

    with results.Recorder(index, fixture_book.schema) as table:
        summary = check_batch(batch, tmp_path / "决定.xlsx", fixture_book, workers=1, on_row=table.add,
                              on_restart=table.restart)

    assert results.page(index).total == summary.rows == 5000
    assert [r.number for r in results.page(index, verdict="输入有误").rows] == [2, 4502]
    lines, total = results.errors(index)
    assert total == 2 and [line[0] for line in lines] == ["2", "4502"]


def test_a_row_that_cannot_be_read_far_down_is_one_line_and_leaves_nothing(tmp_path, fixture_book, ledger):
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "U")
    broken = tmp_path / "损坏.xlsx"
    with zipfile.ZipFile(batch) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="4001"', b'<row r="4001" <')
            target.writestr(item, data)
    out = tmp_path / "决定" / "决定.xlsx"
    out.parent.mkdir()

    result = invoke("check", broken, "-o", out, "--workers", 2, "--rules", FIXTURE_RULES)

    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "第 4001 行附近" in result.output, result.output
    assert list(out.parent.iterdir()) == []
    assert "还没有运行记录" in invoke("history").output


def test_a_protected_batch_is_read_in_this_process_whatever_the_workers(tmp_path, fixture_book, monkeypatch):
    plain = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "K")
    batch = tmp_path / "加密.xlsx"
    with plain.open("rb") as source, batch.open("wb") as sink:
        encrypt_workbook(source, sink, Password("S3cret-口令"))

    def never(*args):
        raise AssertionError("a password-protected batch went to helper processes")
    monkeypatch.setattr(parallel.Pipeline, "start", never)
    monkeypatch.setenv(protection.ENV, "S3cret-口令")

    result = invoke("check", batch, "-o", tmp_path / "决定.xlsx", "--workers", 2, "--rules", FIXTURE_RULES,
                    "--ledger", tmp_path / "ledger.sqlite3")

    assert result.exit_code == 0, result.output
    assert f"申请 {HELPERS_ROWS} 行" in result.output


# --- the helper processes end with the run, whatever ends it ------------------------

RUNNER = textwrap.dedent('''
    import os, signal, sys
    from engine.runs import parallel


    def run():
        action, pids = sys.argv[1], sys.argv[2]
        real_start, real_collect = parallel.Pipeline.start, parallel._collect
        started = []

        def start(self, *args):
            real_start(self, *args)
            started[:] = [p.pid for p in self._processes]
            with open(pids, "w") as file:
                file.write(" ".join(map(str, started)))

        def collect(*args):
            data = real_collect(*args)
            if action == "kill check":
                os.kill(os.getpid(), signal.SIGKILL)
            else:  # kill the first decider: the run cannot be finished
                os.kill(started[0], signal.SIGKILL)
                parallel._collect = real_collect
            return data

        parallel.Pipeline.start, parallel._collect = start, collect
        sys.argv = ["sscard", *sys.argv[3:]]
        import cli
        cli.main()


    if __name__ == "__main__":  # the helpers import this file again
        run()
''')


def run_and(action, tmp_path, batch):
    (tmp_path / "runner.py").write_text(RUNNER, encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path / "tmp"),
           "SSCARD_LEDGER": str(tmp_path / "ledger.sqlite3")}
    pids = tmp_path / "pids"
    done = subprocess.run([sys.executable, str(tmp_path / "runner.py"), action, str(pids), "check", str(batch),
                           "-o", str(tmp_path / "决定.xlsx"), "--workers", "2", "--rules", str(FIXTURE_RULES)],
                          capture_output=True, text=True, env=env, timeout=120)
    return done, [int(pid) for pid in pids.read_text().split()]


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return any(line.split() == ["State:", "Z", "(zombie)"] for line in status)
    except FileNotFoundError:
        return True


def test_the_helper_processes_end_when_check_is_killed_outright(tmp_path, fixture_book):
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "Z")

    killed, helpers = run_and("kill check", tmp_path, batch)

    assert killed.returncode == -signal.SIGKILL and len(helpers) == 2
    deadline = time.monotonic() + 30
    while not all(map(gone, helpers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(map(gone, helpers)), "a reading or deciding process outlived the check that started it"


def test_a_helper_that_dies_ends_check_as_a_fault_of_sscard_in_one_line(tmp_path, fixture_book):
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "H")

    failed, helpers = run_and("kill a decider", tmp_path, batch)

    assert failed.returncode == 3, failed.stderr
    assert failed.stderr.startswith("错误:sscard 内部出错") and failed.stderr.count("\n") == 1, failed.stderr
    assert not (tmp_path / "决定.xlsx").exists() and os.listdir(tmp_path / "tmp") == []
    assert all(map(gone, helpers))
    assert "还没有运行记录" in invoke("history", "--ledger", tmp_path / "ledger.sqlite3").output


def test_comments_sit_where_xlsxwriter_puts_them_on_rows_of_many_heights(tmp_path):
    def written(worksheet_class) -> dict[str, bytes]:
        path = tmp_path / f"{worksheet_class.__name__ if worksheet_class else 'plain'}.xlsx"
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = workbook.add_worksheet("结果", worksheet_class=worksheet_class)
        sheet.write_comment(0, 2, "图例", {"x_scale": 2.5, "y_scale": 2.2})
        for row in range(1, 3000):
            sheet.set_row(row, (16, 32, 48, None)[row % 4])
            sheet.write_string(row, 0, f"第 {row} 行")
            forget_written_row(sheet, row - 1)
            if row % 7 == 0:
                sheet.write_comment(row, row % 5, "须改正:" + "很长的说明" * (row % 3 + 1), {"author": "sscard"})
        workbook.close()
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist() if "vml" in name or "comments" in name}

    ours, xlsxwriters = written(CommentedSheet), written(None)

    assert ours and ours == xlsxwriters
