"""Damaged and hostile batches (issue 6): each ends in exit 2 with a one-line message,
or in 输入有误 rows that say what is wrong; never a traceback, never a hang."""

from __future__ import annotations

import datetime as dt
import re
import time
import zipfile
from pathlib import Path

import hostile_files as hostile
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import VALID_ID, headers, read_sheet, request, write_batch

from cli import cli

# A request every rule accepts (受理, charged 工本费): any other 结论 means the damage leaked in.
GOOD = {"业务类型": "补卡", "卡状态": "挂失", "材料:身份证件原件": "是"}


@pytest.fixture(autouse=True)
def _own_ledger(tmp_path, monkeypatch):
    # check records every run in a ledger; a test must never write the user's own.
    monkeypatch.setenv("SSCARD_LEDGER", str(tmp_path / "ledger.sqlite3"))


def run_check(batch: Path, *extra: str):
    return CliRunner().invoke(cli, ["check", str(batch), *extra])


def refused(result) -> str:
    """A refusal: exit 2, one line, no traceback; returns the line."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def decided(result, batch: Path) -> list[dict]:
    assert result.exit_code == 0, result.output
    return read_sheet(batch.with_name(f"{batch.stem}.decisions.xlsx"))


def errors_of(batch: Path) -> list[dict]:
    return read_sheet(batch.with_name(f"{batch.stem}.decisions.xlsx"), "错误")


def no_output(batch: Path) -> bool:
    return not list(batch.parent.glob("*.decisions.xlsx")) and not list(batch.parent.glob("*.part"))


@pytest.fixture
def valid(tmp_path, book) -> Path:
    return write_batch(tmp_path / "valid.xlsx", book, [request(**GOOD)])


# --- files that are not workbooks ----------------------------------------------------

def test_check_refuses_random_bytes_when_file_is_not_a_zip(tmp_path):
    batch = hostile.random_bytes(tmp_path / "noise.xlsx")
    assert "不是 Excel 工作簿" in refused(run_check(batch))
    assert no_output(batch)


def test_check_refuses_csv_when_renamed_to_xlsx(tmp_path):
    batch = hostile.csv_renamed(tmp_path / "batch.xlsx")
    assert "CSV" in refused(run_check(batch))


def test_check_refuses_empty_file(tmp_path):
    assert "文件是空的" in refused(run_check(hostile.empty_file(tmp_path / "empty.xlsx")))


USE_A_WORKBOOK = "请使用原来的 Excel 批次文件(.xlsx 或 .xls),或用 sscard template 生成模板,把申请填进去后重试"


@pytest.mark.parametrize("name", ["批次.pdf", "批次.xlsx"])  # as handed over, or renamed
def test_check_names_a_pdf_for_what_it_is_and_what_to_do(tmp_path, name):
    batch = hostile.pdf_of(tmp_path / name)
    assert refused(run_check(batch)) == (f"错误:{batch}: 是 PDF 文件,不是 Excel 工作簿,sscard 读不了 PDF 中的表格;"
                                         f"{USE_A_WORKBOOK}")
    assert no_output(batch)


@pytest.mark.parametrize("kind, name", [("PNG", "截图.png"), ("JPEG", "照片.jpg"), ("JPEG", "批次.xlsx")])
def test_check_names_a_photo_or_screenshot_for_what_it_is_and_what_to_do(tmp_path, kind, name):
    batch = hostile.picture(tmp_path / name, kind)
    assert refused(run_check(batch)) == (f"错误:{batch}: 是图片({kind}),不是 Excel 工作簿,"
                                         f"sscard 读不了照片或截图中的表格;{USE_A_WORKBOOK}")


def test_check_names_a_strict_open_xml_workbook_and_how_to_save_it_again(tmp_path, valid):
    batch = hostile.as_strict(valid, tmp_path / "严格.xlsx")
    line = refused(run_check(batch))
    assert line == (f"错误:{batch}: 是以「Strict Open XML 电子表格」格式保存的工作簿,sscard 读不了;请在 Excel 中打开它,"
                    "点 文件 → 另存为,文件类型选「Excel 工作簿(*.xlsx)」(不要选「Strict Open XML 电子表格」),保存后用新文件重试")


@pytest.mark.parametrize("name", ["encrypted.xlsx", "legacy.xls"])
def test_check_refuses_in_one_line_when_an_office_compound_file_holds_no_workbook(tmp_path, name):
    line = refused(run_check(hostile.ole2_file(tmp_path / name)))
    assert "没有 Excel 工作簿" in line and "另存为" in line


def test_check_reads_values_only_when_workbook_has_macros(tmp_path, valid):
    batch = hostile.as_xlsm(valid, tmp_path / "macros.xlsm")
    rows = decided(run_check(batch), batch)
    assert [r["结论"] for r in rows] == ["受理"]
    # the decision workbook is a plain .xlsx: the VBA project is never copied
    with zipfile.ZipFile(tmp_path / "macros.decisions.xlsx") as archive:
        assert not [n for n in archive.namelist() if "vba" in n.lower()]


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_check_refuses_entity_expansion_when_hidden_in_workbook_xml(tmp_path, book, member):
    rows = [request(**GOOD)]
    if member == "xl/sharedStrings.xml":  # openpyxl writes inline strings; xlsxwriter a shared table
        source = hostile.xlsxwriter_batch(tmp_path / "source.xlsx",
                                          [headers(book), [request(**r).get(h) for r in rows for h in headers(book)]])
    else:
        source = write_batch(tmp_path / "source.xlsx", book, rows)
    batch = hostile.billion_laughs(source, tmp_path / "laughs.xlsx", member)
    started = time.monotonic()
    line = refused(run_check(batch))
    assert time.monotonic() - started < 10
    assert "实体" in line
    assert no_output(batch)


@pytest.fixture(scope="session")
def bomb(tmp_path_factory, book) -> Path:
    folder = tmp_path_factory.mktemp("bomb")
    source = write_batch(folder / "source.xlsx", book, [request()])
    return hostile.zip_bomb(source, folder / "bomb.xlsx", megabytes=200)


def test_check_refuses_zip_bomb_before_parsing_when_member_inflates_hugely(bomb):
    assert bomb.stat().st_size < 2 * 1024**2
    started = time.monotonic()
    line = refused(run_check(bomb))
    assert time.monotonic() - started < 2
    assert "压缩炸弹" in line


# --- sheet shapes --------------------------------------------------------------------

def test_check_refuses_quickly_when_sheet_has_only_a1_and_the_last_cell(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "申请"
    workbook.active["A1"] = "申请编号"
    workbook.active["XFD1048576"] = "x"
    batch = tmp_path / "far.xlsx"
    workbook.save(batch)
    started = time.monotonic()
    assert "缺少必需的列" in refused(run_check(batch))
    assert time.monotonic() - started < 5


def test_check_decides_the_rows_and_ignores_the_void_when_one_cell_is_far_away(tmp_path, book):
    batch = write_batch(tmp_path / "far.xlsx", book, [request(**GOOD)])
    workbook = openpyxl.load_workbook(batch)
    # A formatted empty cell: the sheet's recorded dimension reaches XFD1048576, its rows hold nothing.
    workbook["申请"]["XFD1048576"].number_format = "@"
    workbook.save(batch)
    started = time.monotonic()
    result = run_check(batch)
    assert time.monotonic() - started < 20
    rows = decided(result, batch)
    assert [r["结论"] for r in rows] == ["受理"]
    # the million blank rows after the last value are not rows of the batch
    assert "申请 1 行,跳过空行 0 行" in result.output


def test_check_refuses_naming_the_cell_when_a_stray_header_cell_is_far_right(tmp_path, book):
    batch = write_batch(tmp_path / "wide.xlsx", book, [request(**GOOD)])
    workbook = openpyxl.load_workbook(batch)
    workbook["申请"]["XFD1"] = "x"
    workbook.save(batch)
    line = refused(run_check(batch))
    assert "XFD1" in line and "请删除多余的列" in line


@pytest.mark.parametrize("blank_rows", [0, 3])
def test_check_refuses_an_unfilled_template_and_decides_writes_and_records_nothing(tmp_path, book, blank_rows):
    batch = tmp_path / "申请批次.xlsx"
    assert CliRunner().invoke(cli, ["template", str(batch)]).exit_code == 0
    if blank_rows:  # rows a clerk began and cleared again: blank, yet stored in the file
        workbook = openpyxl.load_workbook(batch)
        for row in range(2, 2 + blank_rows):
            workbook["申请"].cell(row, 1, "  ")
        workbook.save(batch)

    line = refused(run_check(batch))

    assert line == (f"错误:{batch} 工作表「申请」只有表头,没有一行申请(像是未填写的模板);"
                    "未作判定,未写出决定工作簿,也未记入账本。请从第 2 行起每行填写一项申请后重试")
    assert no_output(batch) and not [p for p in tmp_path.iterdir() if p.name.startswith(".sscard-")]
    assert not (tmp_path / "ledger.sqlite3").exists()


def _below_a_title(batch: Path, *titles: str) -> Path:
    workbook = openpyxl.load_workbook(batch)
    sheet = workbook["申请"]
    sheet.insert_rows(1, len(titles))
    for row, title in enumerate(titles, start=1):
        sheet.cell(row, 1, title)
    workbook.save(batch)
    return batch


def test_check_says_the_header_is_on_row_2_under_a_title_row_and_to_delete_the_title(tmp_path, valid):
    batch = _below_a_title(valid, "齐齐哈尔市社会保障卡柜面业务申请登记表")
    assert refused(run_check(batch)) == (
        f"错误:{batch} 工作表「申请」的表头在第 2 行,不在第 1 行(第 1 行是「齐齐哈尔市社会保障卡柜面业务申请登记表」,"
        "像是标题);请删除表头上面的 1 行,使表头位于第 1 行、申请从第 2 行起,然后重试")


def test_check_names_the_header_row_under_a_title_and_a_blank_row_and_what_it_still_lacks(tmp_path, book):
    columns = [h for h in headers(book) if h != "申请日期"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申请"
    sheet.append(["2026 年 3 月申请登记"])
    sheet.append([])
    sheet.append(columns)
    batch = tmp_path / "登记表.xlsx"
    workbook.save(batch)

    line = refused(run_check(batch))

    assert line.startswith(f"错误:{batch} 工作表「申请」的表头在第 3 行,不在第 1 行(第 1 行是「2026 年 3 月申请登记」,"
                           "像是标题);请删除表头上面的 2 行")
    assert line.endswith(";另外,第 3 行的表头缺少必需的列:申请日期;可用 sscard template 生成正确的表头")


def test_check_matches_headers_when_reordered_and_padded_with_spaces(tmp_path, book):
    names = list(reversed(headers(book)))
    row = request(**GOOD)
    batch = hostile.xlsxwriter_batch(tmp_path / "shuffled.xlsx",
                                     [[f" {h}  " for h in names], [row.get(h) for h in names]])
    rows = decided(run_check(batch), batch)
    assert rows[0]["结论"] == "受理"
    shown = list(rows[0])
    assert {f" {h}  " for h in names} <= set(shown)  # the clerk's headers, as written
    others = [f" {h}  " for h in names if h not in ("申请编号", "持卡人姓名", "业务类型")]
    assert [h for h in shown if h in others] == others  # in the clerk's order


def test_check_refuses_batch_naming_the_column_when_header_is_duplicated(tmp_path, book):
    names = headers(book) + ["卡状态"]
    batch = hostile.xlsxwriter_batch(tmp_path / "dup.xlsx", [names])
    line = refused(run_check(batch))
    assert "列重复" in line and "卡状态" in line


def test_check_flags_the_covered_cells_when_cells_are_merged(tmp_path, book):
    batch = write_batch(tmp_path / "merged.xlsx", book, [
        request(申请编号="M1", **GOOD),
        request(申请编号="M2", **GOOD),
        request(申请编号="M3", **GOOD)])
    workbook = openpyxl.load_workbook(batch)
    column = headers(book).index("业务类型") + 1
    letter = openpyxl.utils.get_column_letter(column)
    workbook["申请"].merge_cells(f"{letter}2:{letter}3")
    workbook.save(batch)
    rows = decided(run_check(batch), batch)
    assert [r["结论"] for r in rows] == ["受理", "输入有误", "受理"]
    problem = errors_of(batch)[0]
    assert problem["行号"] == 3 and problem["列"] == "业务类型"
    assert f"合并单元格 {letter}2:{letter}3" in problem["问题"]


# --- cell values ---------------------------------------------------------------------

def test_check_uses_the_saved_result_when_formula_has_one(tmp_path, book):
    names = headers(book)
    row = request(**GOOD)
    cells = [row.get(h) for h in names]
    cells[names.index("业务类型")] = hostile.Formula('="补"&"卡"', "补卡")
    batch = hostile.xlsxwriter_batch(tmp_path / "cached.xlsx", [names, cells])
    assert [r["结论"] for r in decided(run_check(batch), batch)] == ["受理"]


def test_check_reads_blank_when_formula_saved_an_empty_text_result(tmp_path, book):
    # =IF(…,"",…) is common; Excel saves its "" result as <c t="str"><f>…</f><v></v></c>,
    # which is a result, not a missing one
    names = headers(book)
    cells = [request(**GOOD).get(h) for h in names]
    cells[names.index("材料:社区证明")] = hostile.Formula('=""', "")
    source = hostile.xlsxwriter_batch(tmp_path / "source.xlsx", [names, cells])
    batch = hostile.rewrite_zip(source, tmp_path / "empty_result.xlsx", replace={
        "xl/worksheets/sheet1.xml": lambda xml: re.sub(rb'(<c r="[A-Z]+2")(><f>""</f><v></v>)', rb'\1 t="str"\2', xml)})
    assert b't="str"' in zipfile.ZipFile(batch).read("xl/worksheets/sheet1.xml")
    assert [r["结论"] for r in decided(run_check(batch), batch)] == ["受理"]


def test_check_reports_the_cell_when_formula_has_no_saved_result(tmp_path, book):
    batch = write_batch(tmp_path / "uncached.xlsx", book, [
        request(**{**GOOD, "申请编号": "F1", "业务类型": '="补"&"卡"'}),
        request(申请编号="F2", **GOOD)])
    rows = decided(run_check(batch), batch)
    assert [r["结论"] for r in rows] == ["输入有误", "受理"]
    assert rows[0]["业务类型"] == '="补"&"卡"'  # shown as the formula's text, not blank
    problem = errors_of(batch)[0]
    assert problem["列"] == "业务类型" and problem["申请编号"] == "F1"
    assert "是公式" in problem["问题"] and "没有" in problem["问题"] and "保存后重试" in problem["问题"]


def test_check_reports_the_cell_when_it_holds_an_excel_error_value(tmp_path, book):
    batch = write_batch(tmp_path / "na.xlsx", book, [request(**{**GOOD, "卡状态": "#N/A"})])
    rows = decided(run_check(batch), batch)
    assert rows[0]["结论"] == "输入有误"
    letter = openpyxl.utils.get_column_letter(headers(book).index("卡状态") + 1)
    problem = errors_of(batch)[0]
    assert problem["值"] == "#N/A" and f"单元格 {letter}2 是 Excel 错误值 #N/A" in problem["问题"]


@pytest.mark.parametrize("applied, verdict", [
    (dt.datetime(2026, 3, 1), "受理"),  # an Excel date
    ("2026-03-01", "受理"),  # a date typed as text
    (46082, "输入有误"),  # a date serial left in General format
])
def test_check_reads_apply_date_when_given_as(tmp_path, book, applied, verdict):
    batch = write_batch(tmp_path / "dates.xlsx", book, [request(**GOOD, 申请日期=applied)])
    assert decided(run_check(batch), batch)[0]["结论"] == verdict
    if verdict == "输入有误":
        assert "2026-03-01" in errors_of(batch)[0]["问题"]  # the hint: what the serial would mean


def test_check_still_decides_the_row_when_a_cell_is_over_excels_limit(tmp_path, book):
    long_text = "备" * 40_000
    batch = write_batch(tmp_path / "long.xlsx", book, [request(**GOOD, 备注=long_text)],
                        extra_headers=("备注",))
    rows = decided(run_check(batch), batch)
    assert rows[0]["结论"] == "受理"
    assert rows[0]["备注"] == long_text[:32_767]


def test_check_reports_the_cell_when_text_holds_control_characters(tmp_path, book):
    names = headers(book)
    row = request(**GOOD, 持卡人姓名="张\x07三")
    batch = hostile.xlsxwriter_batch(tmp_path / "control.xlsx", [names, [row.get(h) for h in names]])
    rows = decided(run_check(batch), batch)
    assert rows[0]["结论"] == "输入有误"
    assert "控制字符 U+0007" in errors_of(batch)[0]["问题"]


def test_check_finds_the_batch_sheet_by_name_when_it_is_hidden_and_not_first(tmp_path, book):
    batch = write_batch(tmp_path / "hidden.xlsx", book, [request(**GOOD)])
    workbook = openpyxl.load_workbook(batch)
    workbook.create_sheet("封面", 0)["A1"] = "某区社保中心"
    workbook["申请"].sheet_state = "hidden"
    workbook.active = 0
    workbook.save(batch)
    result = run_check(batch)
    assert [r["结论"] for r in decided(result, batch)] == ["受理"]
    assert "工作表「申请」" in result.output


def test_check_uses_the_first_visible_sheet_and_says_so_when_none_is_named_batch(tmp_path, book):
    batch = write_batch(tmp_path / "other.xlsx", book, [request(**GOOD)], sheet="三月")
    workbook = openpyxl.load_workbook(batch)
    workbook.create_sheet("下拉选项", 0).sheet_state = "hidden"
    workbook.active = 1
    workbook.save(batch)
    result = run_check(batch)
    assert [r["结论"] for r in decided(result, batch)] == ["受理"]
    assert "工作表「三月」(未找到「申请」,已使用第一个可见的工作表)" in result.output


def test_check_counts_one_output_row_per_input_row_when_batch_mixes_damage(tmp_path, book):
    rows = [request(申请编号=f"R{i}", 业务类型=service, 卡状态="挂失")
            for i, service in enumerate(["补卡", "#N/A", '="补卡"', "补卡", "不存在", "补卡"])]
    batch = write_batch(tmp_path / "mixed.xlsx", book, rows)
    decided_rows = decided(run_check(batch), batch)
    assert [r["申请编号"] for r in decided_rows] == [f"R{i}" for i in range(6)]
    assert all(r["结论"] for r in decided_rows)
    assert VALID_ID in {r["公民身份号码"] for r in decided_rows}
