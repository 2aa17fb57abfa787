"""Batches as offices keep them (issue 13): legacy .xls saved by an office program, and
files that only look like workbooks.  The .xls files in tests/data were saved by
LibreOffice Calc (tests/data/make_office_files.py), so no test needs it installed."""

from __future__ import annotations

import random
import shutil
import zipfile
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, ROOT, fixture_request, read_sheet, write_batch

from cli import cli
from engine.core.schema import CellProblem
from engine.excel import opening
from engine.excel.reader import open_batch
from engine.records.digests import canonical

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "sample_data" / "batch.xlsx"


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def refused(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def decisions_of(batch: Path) -> Path:
    return batch.with_name(f"{batch.stem}.decisions.xlsx")


def same_cells(rows_a: list[dict], rows_b: list[dict]) -> None:
    assert len(rows_a) == len(rows_b)
    for number, (a, b) in enumerate(zip(rows_a, rows_b), start=2):
        assert a == b, f"结果 row {number} differs"


# --- an .xls saved by LibreOffice is decided as the .xlsx it came from --------------

def test_check_decides_an_xls_saved_by_libreoffice_exactly_as_the_xlsx_it_was_saved_from(tmp_path):
    (tmp_path / "新").mkdir(), (tmp_path / "旧").mkdir()
    xlsx = copy(SAMPLE, tmp_path / "新" / "批次.xlsx")
    xls = copy(DATA / "batch.xls", tmp_path / "旧" / "批次.xls")

    as_xlsx, as_xls = run("check", xlsx, "--workers", 1), run("check", xls, "--workers", 1)

    assert as_xlsx.exit_code == 0 and as_xls.exit_code == 0, as_xls.output
    # every column of every row: the input cells, 结论, 费用, 缺少材料, 依据, 规则 and the 核验码
    same_cells(read_sheet(decisions_of(xlsx)), read_sheet(decisions_of(xls)))
    same_cells(read_sheet(decisions_of(xlsx), "错误"), read_sheet(decisions_of(xls), "错误"))
    shown = as_xls.output.replace(str(decisions_of(xls)), str(decisions_of(xlsx))).replace(str(xls), str(xlsx))
    assert shown == as_xlsx.output
    assert "输入有误" in as_xls.output  # the sample's numeric and invalid IDs are still refused
    assert zipfile.is_zipfile(decisions_of(xls))  # the decision workbook is an .xlsx


def test_xls_cells_read_as_the_same_cells_saved_as_xlsx_when_formats_could_differ(fixture_book):
    """Dates, a time, logicals, a 读者证号 typed as a number, #N/A, a formula's result,
    a merged range and a blank row: saved by LibreOffice in both formats."""
    from_xlsx = open_batch(DATA / "cells.xlsx", fixture_book.schema)
    from_xls = open_batch(DATA / "cells.xls", fixture_book.schema)
    try:
        xlsx_rows, xls_rows = list(from_xlsx.rows()), list(from_xls.rows())
        assert from_xls.headers == from_xlsx.headers
    finally:
        from_xlsx.close()
        from_xls.close()

    assert [n for n, _ in xls_rows] == [n for n, _ in xlsx_rows]
    for (number, a), (_, b) in zip(xlsx_rows, xls_rows):
        assert [type(v) for v in b] == [type(v) for v in a], f"row {number}"
        assert [canonical(v) for v in b] == [canonical(v) for v in a], f"row {number}"
    by_id = {values[0]: values for _, values in xls_rows if values[0]}
    member_at = from_xls.headers.index("读者证号")
    assert by_id["F1"][member_at] == "12345678" and by_id["F2"][member_at] == 12345678  # text vs number
    assert isinstance(by_id["F4"][from_xls.headers.index("办理人")], CellProblem)  # #N/A
    covered = by_id["F6"][from_xls.headers.index("业务类型")]
    assert isinstance(covered, CellProblem) and "合并单元格 B6:B7" in covered.message


def test_check_refuses_a_numeric_id_in_an_xls_as_in_xlsx(tmp_path):
    xls = copy(DATA / "cells.xls", tmp_path / "cells.xls")
    xlsx = copy(DATA / "cells.xlsx", tmp_path / "cells.xlsx")

    assert run("check", xls, "--rules", FIXTURE_RULES).exit_code == 0
    assert run("check", xlsx, "--rules", FIXTURE_RULES).exit_code == 0

    rows = read_sheet(decisions_of(xls))
    same_cells(read_sheet(decisions_of(xlsx)), rows)
    same_cells(read_sheet(decisions_of(xlsx), "错误"), read_sheet(decisions_of(xls), "错误"))
    verdicts = {r["申请编号"]: r["结论"] for r in rows}
    problems = {(e["申请编号"], e["列"]): e["问题"] for e in read_sheet(decisions_of(xls), "错误")}
    assert verdicts["F2"] == "输入有误" and "是数字单元格" in problems["F2", "读者证号"]
    assert "是数字单元格" not in problems.get(("F1", "读者证号"), "")  # the same number typed as text


def test_check_reads_an_xls_by_its_bytes_when_it_is_named_xlsx(tmp_path):
    renamed = copy(DATA / "cells.xls", tmp_path / "改了扩展名.xlsx")
    xlsx = copy(DATA / "cells.xlsx", tmp_path / "cells.xlsx")
    assert run("check", renamed, "--rules", FIXTURE_RULES).exit_code == 0
    assert run("check", xlsx, "--rules", FIXTURE_RULES).exit_code == 0
    same_cells(read_sheet(decisions_of(xlsx)), read_sheet(decisions_of(renamed)))


def test_check_of_a_folder_decides_its_xls_batches_too(tmp_path, fixture_book):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "东区.xlsx", fixture_book, [fixture_request()])
    copy(DATA / "cells.xls", offices / "西区.xls")

    result = run("check", offices, "-o", tmp_path / "决定", "--rules", FIXTURE_RULES, "--workers", 1)

    assert result.exit_code == 0, result.output
    assert "共 2 个批次完成、0 个失败" in result.output
    assert (tmp_path / "决定" / "西区.decisions.xlsx").exists()


def test_verify_explain_and_diff_read_an_xls_batch_through_the_same_door(tmp_path):
    batch = copy(DATA / "cells.xls", tmp_path / "cells.xls")
    assert run("check", batch, "--rules", FIXTURE_RULES).exit_code == 0

    verified = run("verify", decisions_of(batch), "--batch", batch, "--rules", FIXTURE_RULES)
    explained = run("explain", batch, "F2", "--rules", FIXTURE_RULES)
    compared = run("diff", batch, "--old", FIXTURE_RULES, "--new", FIXTURE_RULES)

    assert verified.exit_code == 0 and "核对通过" in verified.output, verified.output
    assert explained.exit_code == 0 and "读者证号" in explained.output, explained.output
    assert compared.exit_code == 0 and "决定有变化 0 行" in compared.output, compared.output


# --- damaged, oversized and look-alike files: one line each ---------------------------

def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def _scrambled_records(path: Path) -> None:
    """The container intact, the workbook's records inside it noise."""
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        size = ole.get_size("Workbook")
        ole.write_stream("Workbook", random.Random(13).randbytes(size))


@pytest.mark.parametrize("damage", [_truncated, _scrambled_records])
def test_check_refuses_in_one_line_when_an_xls_is_damaged(tmp_path, damage):
    batch = copy(DATA / "batch.xls", tmp_path / "坏了.xls")
    damage(batch)
    line = refused(run("check", batch))
    assert "已损坏" in line and "坏了.xls" in line
    assert not decisions_of(batch).exists()


def test_check_refuses_an_xls_over_the_size_limit_before_parsing_it(tmp_path, monkeypatch):
    monkeypatch.setattr(opening, "MAX_LEGACY_BYTES", 1024)
    line = refused(run("check", copy(DATA / "batch.xls", tmp_path / "大.xls")))
    assert "超过上限" in line and ".xls" in line


@pytest.mark.parametrize(("name", "content", "words"), [
    ("批次.et", (DATA / "cells.xls").read_bytes(), ("WPS", "另存为", ".xlsx", ".xls")),
    ("导出.xls", "<html><body><table><tr><td>申请编号</td></tr></table></body></html>".encode(), ("网页", "另存为")),
    ("批次.xlsx", "申请编号,业务类型\nA1,补卡\n".encode("gb18030"), ("CSV", "另存为")),
    ("批次.xlsx", "\ufeff申请编号\t业务类型\n".encode("utf-16"), ("CSV", "另存为")),
])
def test_check_says_what_the_file_is_and_how_to_save_it_when_it_only_looks_like_a_workbook(
        tmp_path, name, content, words):
    batch = tmp_path / name
    batch.write_bytes(content)
    line = refused(run("check", batch))
    assert line.startswith(f"错误:{batch}: ")  # Chinese from its first word
    assert all(word in line for word in words), line


def test_check_names_the_format_when_a_zip_is_another_spreadsheet(tmp_path):
    ods = tmp_path / "表格.xlsx"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert "OpenDocument" in refused(run("check", ods))
