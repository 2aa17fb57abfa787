"""The decision workbook as a clerk reads and prints it (issue 11): who and the decision
together and in view, rows tinted by 结论, the cells to fix marked, pages ready to print.

Engine tests: they run on the fixture rulebook (a 借书证 counter)."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import fixture_request, write_batch

from engine.excel.writer import FIX_FILL, VERDICT_FILLS
from engine.runs.check import check_batch

ROWS = [
    fixture_request(申请编号="OK"),  # 受理
    fixture_request(申请编号="DOCS", **{"材料:身份证件": "否"}),  # 补正材料
    fixture_request(申请编号="BAD", 申请日期="3/2/2026"),  # 输入有误: the date cell is to fix
    fixture_request(申请编号="REVIEW", 办理人="代办"),  # 人工复核
    fixture_request(申请编号="BANK", 业务类型="重设密码", 账户="银行账户"),  # 转银行办理
    fixture_request(申请编号="NO", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),  # 不予受理
]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, fixture_book):
    folder = tmp_path_factory.mktemp("layout")
    batch = write_batch(folder / "batch.xlsx", fixture_book, ROWS)
    summary = check_batch(batch, folder / "out.xlsx", fixture_book)
    book = openpyxl.load_workbook(folder / "out.xlsx")
    return summary, book


def _columns(sheet) -> dict[str, int]:
    return {c.value: c.column for c in sheet[1]}


def _row_of(sheet, request_id: str) -> int:
    at = _columns(sheet)["申请编号"]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, at).value == request_id)


def test_results_keep_row_number_id_name_service_and_verdict_in_view_when_scrolling(workbook):
    _, book = workbook
    sheet = book["结果"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["行号", "申请编号", "姓名", "业务类型", "结论"]
    assert sheet.freeze_panes == "F2"  # the header row and those five columns stay put


def test_results_rows_are_tinted_by_verdict_in_six_distinct_colours(workbook):
    _, book = workbook
    sheet = book["结果"]
    at = _columns(sheet)
    fills = {}
    for request_id in ("OK", "DOCS", "BAD", "REVIEW", "BANK", "NO"):
        row = _row_of(sheet, request_id)
        verdict = sheet.cell(row, at["结论"]).value
        colours = {sheet.cell(row, c).fill.fgColor.rgb for c in (at["行号"], at["结论"], at["依据"], at["核验码"])}
        assert len(colours) == 1, f"{request_id}: the whole row carries one colour"
        fills[verdict] = colours.pop()
    assert len(set(fills.values())) == 6
    assert {f[-6:] for f in fills.values()} == {c.lstrip("#") for c in VERDICT_FILLS}


def test_the_cell_to_fix_is_filled_and_commented_with_what_is_wrong_when_a_row_is_invalid(workbook):
    _, book = workbook
    sheet = book["结果"]
    at = _columns(sheet)
    row = _row_of(sheet, "BAD")
    date_cell = sheet.cell(row, at["申请日期"])
    assert date_cell.fill.fgColor.rgb.endswith(FIX_FILL.lstrip("#"))
    assert "年份不在前" in date_cell.comment.text
    assert sheet.cell(row, at["姓名"]).comment is None  # only the cell that is wrong
    assert not sheet.cell(row, at["姓名"]).fill.fgColor.rgb.endswith(FIX_FILL.lstrip("#"))


def test_results_have_room_for_an_id_and_wrap_basis_on_rows_tall_enough(workbook):
    _, book = workbook
    sheet = book["结果"]
    at = _columns(sheet)
    letter = openpyxl.utils.get_column_letter
    assert sheet.column_dimensions[letter(at["读者证号"])].width >= 20  # an 18-digit 公民身份号码 fits too
    assert sheet.cell(2, at["依据"]).alignment.wrap_text
    row = _row_of(sheet, "DOCS")  # two rules fired: two lines of 依据 and of 规则
    assert sheet.cell(row, at["依据"]).value.count("\n") == 1
    assert sheet.row_dimensions[row].height >= 32


@pytest.mark.parametrize("name", ["结果", "汇总", "错误"])
def test_sheets_print_landscape_one_page_wide_with_the_header_on_every_page(workbook, name):
    _, book = workbook
    sheet = book[name]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the file format's default
    if name == "汇总":
        assert sheet.page_setup.fitToHeight in (None, 1)  # the table, the legend and the chart on one page
    else:
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1"


def test_printed_results_hold_who_and_the_decision_across_one_page_width(workbook):
    _, book = workbook
    sheet = book["结果"]
    at = _columns(sheet)
    last = openpyxl.utils.get_column_letter(at["依据"])  # 规则 (rule IDs) follows on screen only
    assert at["规则"] == at["依据"] + 1
    assert sheet.print_area == f"'结果'!$A$1:${last}${sheet.max_row}"


def test_summary_splits_fees_due_now_from_fees_due_once_documents_are_brought(workbook):
    summary, book = workbook
    rows = {r[0]: r for r in book["汇总"].iter_rows(min_row=1, values_only=True) if r and r[0]}
    header = list(rows["业务类型"])
    total = rows["合计"]
    fee = book["结果"].cell(_row_of(book["结果"], "OK"), _columns(book["结果"])["费用(元)"]).value
    assert fee > 0
    assert total[header.index("应收(元)")] == fee == summary.total_due  # OK is accepted
    assert total[header.index("补正后应收(元)")] == fee == summary.total_pending  # DOCS, once its ID is shown


def test_summary_carries_a_legend_of_every_verdict_colour(workbook):
    _, book = workbook
    sheet = book["汇总"]
    legend = {c.value: c.fill.fgColor.rgb for row in sheet.iter_rows() for c in row
              if c.column == 1 and c.value in ("受理", "补正材料", "不予受理", "转银行办理", "人工复核", "输入有误", "须改正")}
    assert len(set(legend.values())) == 7
