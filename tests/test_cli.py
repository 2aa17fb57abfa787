"""The two commands a clerk types (issue 3), through click's CliRunner: exit code, the
printed summary, and the workbook written, read back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import hostile_files as hostile
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import CASE_DAY, headers, read_sheet, request, write_batch

import engine.excel.decision_sheets
from cli import cli

DECISION_HEADERS = ["结论", "费用(元)", "缺少材料", "办理地点", "后续事项", "依据", "规则"]
IDENTITY = ["申请编号", "持卡人姓名", "业务类型"]
GOOD = {"业务类型": "补卡", "卡状态": "挂失", "材料:身份证件原件": "是"}  # 受理, 工本费


@pytest.fixture(autouse=True)
def _own_ledger(tmp_path, monkeypatch):
    # check records every run in a ledger; a test must never write the user's own.
    monkeypatch.setenv("SSCARD_LEDGER", str(tmp_path / "ledger.sqlite3"))


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_refusal(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def batch(tmp_path, book) -> Path:
    """Four requests with a blank row between them and a column sscard does not know."""
    path = write_batch(tmp_path / "三月批次.xlsx", book, [
        request(申请编号="A1", **GOOD, 备注="窗口 3"),
        request(申请编号="A2", 业务类型="补卡", 卡状态="正常"),  # not reported lost: 不予受理
        {},
        request(申请编号="A3", 业务类型="补卡", 卡状态="挂失"),  # no documents: 补正材料
        request(申请编号="A4", 业务类型="换新", 备注="?"),  # unknown service: 输入有误
    ], extra_headers=("备注",))
    return path


def test_check_writes_decisions_beside_the_batch_and_prints_the_summary_when_no_output_given(batch):
    result = invoke("check", batch)
    assert result.exit_code == 0, result.output
    output = batch.with_name("三月批次.decisions.xlsx")
    assert output.exists()
    lines = result.output.splitlines()
    assert lines[0] == f"读取 {batch} 工作表「申请」"
    assert lines[1] == "申请 4 行,跳过空行 1 行"
    assert {"  受理: 1", "  补正材料: 1", "  不予受理: 1", "  输入有误: 1"} <= set(lines)
    assert lines[-1] == f"已写出 {output}"


def test_check_writes_where_asked_when_output_given(batch, tmp_path):
    target = tmp_path / "out" / "决定.xlsx"
    result = invoke("check", batch, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"已写出 {target}"
    assert target.exists() and not batch.with_name("三月批次.decisions.xlsx").exists()


def test_decision_workbook_shows_who_and_the_decision_first_then_every_other_input_column(batch, book):
    invoke("check", batch)
    output = batch.with_name("三月批次.decisions.xlsx")
    workbook = openpyxl.load_workbook(output, read_only=True)
    assert workbook.sheetnames == ["结果", "汇总", "错误", "审计"]
    header = next(workbook["结果"].iter_rows(max_row=1, values_only=True))
    workbook.close()
    others = [h for h in headers(book) if h not in IDENTITY] + ["备注"]
    assert list(header) == ["行号", *IDENTITY, *DECISION_HEADERS, *others, "核验码"]
    rows = read_sheet(output)
    assert [r["申请编号"] for r in rows] == ["A1", "A2", "A3", "A4"]  # input order, blank row skipped
    assert [r["行号"] for r in rows] == [2, 3, 5, 6]  # the batch's own row numbers, blank row 4 included
    assert [r["结论"] for r in rows] == ["受理", "不予受理", "补正材料", "输入有误"]
    assert rows[0]["费用(元)"] == book.parameters["工本费"].on(CASE_DAY.date()) and rows[0]["备注"] == "窗口 3"
    assert rows[0]["规则"] and rows[0]["核验码"]
    assert rows[2]["缺少材料"]


def test_error_sheet_names_row_request_column_value_and_problem_when_a_row_is_bad(batch):
    invoke("check", batch)
    errors = read_sheet(batch.with_name("三月批次.decisions.xlsx"), "错误")
    assert list(errors[0]) == ["行号", "申请编号", "列", "值", "问题"]
    assert [(e["行号"], e["申请编号"], e["列"], e["值"]) for e in errors] == [(6, "A4", "业务类型", "换新")]
    assert "不是可选值" in errors[0]["问题"]


def test_summary_sheet_has_a_native_chart_when_batch_is_checked(batch):
    invoke("check", batch)
    output = batch.with_name("三月批次.decisions.xlsx")
    with zipfile.ZipFile(output) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()
    overview = read_sheet(output, "汇总")
    total = next(r for r in overview if r["业务类型"] == "合计")
    assert total["合计"] == 4
    results = read_sheet(output)
    assert total["应收(元)"] == sum(r["费用(元)"] or 0 for r in results if r["结论"] == "受理")
    assert total["补正后应收(元)"] == sum(r["费用(元)"] or 0 for r in results if r["结论"] == "补正材料")
    assert total["补正后应收(元)"] > 0  # A3 owes its fee only once its documents are brought


def test_check_leaves_the_input_bytes_untouched_when_it_runs(batch):
    before = batch.read_bytes()
    assert invoke("check", batch).exit_code == 0
    assert batch.read_bytes() == before


def test_check_refuses_output_equal_to_input_when_o_names_the_batch(batch):
    before = batch.read_bytes()
    line = one_line_refusal(invoke("check", batch, "-o", batch))
    assert "不能与输入文件相同" in line
    assert batch.read_bytes() == before


def test_check_exits_2_with_one_line_when_file_is_not_xlsx(tmp_path):
    path = hostile.csv_renamed(tmp_path / "批次.xlsx")
    line = one_line_refusal(invoke("check", path))
    assert "CSV" in line and "另存为" in line


def test_check_exits_2_naming_the_column_when_a_required_column_is_missing(tmp_path, book):
    names = [h for h in headers(book) if h != "卡状态"]
    path = hostile.xlsxwriter_batch(tmp_path / "批次.xlsx", [names])
    line = one_line_refusal(invoke("check", path))
    assert "缺少必需的列:卡状态" in line


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(1)"])
def test_text_that_looks_like_a_formula_is_written_back_as_text_when_checked(tmp_path, book, text):
    names = headers(book) + ["备注"]
    row = request(**GOOD, 持卡人姓名=text, 备注=text)
    bad = request(申请编号="B", **{**GOOD, "业务类型": text})
    path = hostile.xlsxwriter_batch(tmp_path / "批次.xlsx", [names, [row.get(h) for h in names],
                                                             [bad.get(h) for h in names]])
    assert invoke("check", path).exit_code == 0
    workbook = openpyxl.load_workbook(path.with_name("批次.decisions.xlsx"))
    results, errors = workbook["结果"], workbook["错误"]
    shown = [c.value for c in results[1]]
    written = [results.cell(2, shown.index("持卡人姓名") + 1), results.cell(2, shown.index("备注") + 1),
               results.cell(3, shown.index("业务类型") + 1), errors.cell(2, 4)]
    assert [(c.value, c.data_type) for c in written] == [(text, "s")] * 4


def test_template_writes_headers_drop_downs_text_id_column_and_help_sheet(tmp_path, book):
    target = tmp_path / "空白批次.xlsx"
    result = invoke("template", target)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"已写出 {target}"
    workbook = openpyxl.load_workbook(target)
    sheet = workbook["申请"]
    assert [c.value for c in sheet[1]] == headers(book)
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list":
            column = openpyxl.utils.get_column_letter(min(r.min_col for r in validation.sqref.ranges))
            lists[sheet[f"{column}1"].value] = validation.formula1
    closed = [c.header for c in book.schema.columns if c.kind.choices]
    assert set(lists) == set(closed)
    assert "本人" in lists["办理人"] and "代办" in lists["办理人"]
    id_column = openpyxl.utils.get_column_letter(headers(book).index("公民身份号码") + 1)
    assert sheet.column_dimensions[id_column].number_format == "@"
    guide = [r[0] for r in workbook["说明"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert set(headers(book)) <= set(guide)


def test_check_leaves_no_output_and_no_part_file_when_writing_crashes(batch, monkeypatch):
    calls = {"n": 0}
    real = engine.excel.decision_sheets.write_cell

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 20:
            raise RuntimeError("disk gone")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.excel.decision_sheets, "write_cell", failing)
    result = invoke("check", batch)
    assert result.exit_code == 3 and result.output.startswith("错误:sscard 内部出错")
    assert calls["n"] > 20  # the crash did happen mid-write
    assert not list(batch.parent.glob("*.decisions.xlsx"))
    assert not list(batch.parent.glob("*.part")) and not list(batch.parent.glob(".*.part"))


def test_template_offers_reasons_but_takes_any_text_when_a_reason_is_typed(tmp_path, book):
    # 原因 is open text (each service refuses what it does not list): its drop-down proposes, never blocks.
    target = tmp_path / "空白批次.xlsx"
    assert invoke("template", target).exit_code == 0
    sheet = openpyxl.load_workbook(target)["申请"]
    styles = {}
    for validation in sheet.data_validations.dataValidation:
        column = openpyxl.utils.get_column_letter(min(r.min_col for r in validation.sqref.ranges))
        styles[sheet[f"{column}1"].value] = validation.errorStyle or "stop"
    assert styles["原因"] == "information"
    assert styles["业务类型"] == styles["卡状态"] == "stop"



def test_output_cut_short_by_a_pipe_ends_quietly_when_the_reader_stops_early(tmp_path):
    """`sscard rules list | head -1`: the reader leaves; no error line, no traceback."""
    import fcntl
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parent.parent
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)  # the listing no longer fits in the pipe
    with open(tmp_path / "stderr", "wb") as errors:
        listing = subprocess.Popen([sys.executable, str(root / "cli.py"), "rules", "list"],
                                   stdout=write_end, stderr=errors, cwd=root)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as reader:
            first = reader.readline()  # the reader stops here, as head -1 does
        code = listing.wait()
    assert first.strip() and code == 0
    assert (tmp_path / "stderr").read_bytes() == b""


def test_a_fault_of_sscard_itself_is_one_chinese_line_with_exit_3_and_nothing_half_written(tmp_path, monkeypatch,
                                                                                         fixture_book):
    from conftest import FIXTURE_RULES, fixture_request, write_batch

    import engine.excel.decision_sheets as sheets

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(sheets.ResultsSheet, "add", broken)
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request()])
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(tmp_path / "决定.xlsx"), "--workers", "1",
                                      "--rules", str(FIXTURE_RULES)])
    assert result.exit_code == 3
    assert result.output.startswith("错误:sscard 内部出错:") and result.output.count("\n") == 1
    assert "Traceback" not in result.output and "ZeroDivisionError" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("ledger")) == ["批次.xlsx"]
