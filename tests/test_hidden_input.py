"""Nothing in a batch goes unnoticed (issue 9, item 3): a note without a header, a
decision workbook passed as a batch, a hidden sheet beside a visible copy, a chartsheet,
invisible characters and digits of other scripts each reach the clerk."""

from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_request, read_sheet, write_batch

from cli import cli


def check(*args):
    return CliRunner().invoke(cli, ["check", *map(str, args), "--workers", "1", "--rules", str(FIXTURE_RULES)])


def one_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def put(batch, cell, value):
    """Type one cell into a batch, as a clerk would in Excel."""
    workbook = openpyxl.load_workbook(batch)
    workbook["申请"][cell] = value
    workbook.save(batch)


def errors(output) -> list[dict]:
    return read_sheet(output, "错误")


def test_a_note_right_of_the_header_is_kept_and_named_when_its_column_has_no_header(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="F1"),
                                                               fixture_request(申请编号="F2")])
    put(batch, "AD2", "持卡人已电话确认")

    result = check(batch, "-o", tmp_path / "决定.xlsx")

    assert result.exit_code == 0, result.output
    assert ("注意:第 AD 列没有表头,其中 1 个单元格已原样保留在「结果」表的「(无表头 AD)」列,未参与判定;"
            "如是申请内容,请补上表头") in result.output.splitlines()
    rows = read_sheet(tmp_path / "决定.xlsx")
    assert [r["(无表头 AD)"] for r in rows] == ["持卡人已电话确认", None]
    assert [r["结论"] for r in rows] == ["受理", "受理"]
    verified = CliRunner().invoke(cli, ["verify", str(tmp_path / "决定.xlsx"), "--rules", str(FIXTURE_RULES)])
    assert verified.exit_code == 0, verified.output


def test_a_row_holding_only_a_note_without_header_is_reported_when_checked(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="F1")])
    put(batch, "M3", "下一位是代办")

    result = check(batch, "-o", tmp_path / "决定.xlsx")

    assert result.exit_code == 0, result.output
    rows = read_sheet(tmp_path / "决定.xlsx")
    assert [(r["(无表头 M)"], r["结论"]) for r in rows] == [(None, "受理"), ("下一位是代办", "输入有误")]


def test_notes_far_right_past_column_amj_are_kept_each_in_one_column_of_its_own(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="F1"),
                                                               fixture_request(申请编号="F2")])
    put(batch, "AMK2", "已电话确认")  # column 1,025, one past AMJ
    put(batch, "XFD3", "远处的备注")  # Excel's last column

    result = check(batch, "-o", tmp_path / "决定.xlsx")

    assert result.exit_code == 0, result.output
    for column in ("AMK", "XFD"):
        assert (f"注意:第 {column} 列没有表头,其中 1 个单元格已原样保留在「结果」表的「(无表头 {column})」列,"
                "未参与判定;如是申请内容,请补上表头") in result.output.splitlines()
    workbook = openpyxl.load_workbook(tmp_path / "决定.xlsx", read_only=True)
    header = next(workbook["结果"].iter_rows(max_row=1, values_only=True))
    workbook.close()
    assert header[-3:] == ("(无表头 AMK)", "(无表头 XFD)", "核验码")  # the empty columns between are not written
    rows = read_sheet(tmp_path / "决定.xlsx")
    assert [(r["(无表头 AMK)"], r["(无表头 XFD)"], r["结论"]) for r in rows] == [
        ("已电话确认", None, "受理"), (None, "远处的备注", "受理")]
    verified = CliRunner().invoke(cli, ["verify", str(tmp_path / "决定.xlsx"), "--rules", str(FIXTURE_RULES)])
    assert verified.exit_code == 0, verified.output


def _decision_workbook(tmp_path, fixture_book, name="上月结果.xlsx"):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request()])
    assert check(batch, "-o", tmp_path / name).exit_code == 0
    return tmp_path / name


def test_check_refuses_a_decision_workbook_naming_it_when_given_as_a_batch(tmp_path, fixture_book):
    decisions = _decision_workbook(tmp_path, fixture_book)

    line = one_line(check(decisions, "-o", tmp_path / "again.xlsx"))

    assert line.startswith(f"错误:{decisions}: 是 sscard 写出的决定工作簿")
    assert not (tmp_path / "again.xlsx").exists()


def test_folder_check_reports_a_renamed_decision_workbook_instead_of_deciding_it_again(tmp_path, fixture_book):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "东区.xlsx", fixture_book, [fixture_request(申请编号="E1")])
    _decision_workbook(offices, fixture_book, name="东区旧结果.xlsx")
    (offices / "批次.xlsx").unlink()

    result = check(offices, "-o", tmp_path / "决定")

    assert result.exit_code == 2, result.output
    assert "东区旧结果.xlsx: 失败:" in result.output and "是 sscard 写出的决定工作簿" in result.output
    assert "共 1 个批次完成、1 个失败,申请 1 行" in result.output
    per_file = {r["文件"]: r for r in read_sheet(tmp_path / "决定" / "合并汇总.xlsx", "各批次")}
    assert per_file["东区旧结果.xlsx"]["申请行数"] == 0


def test_summary_names_a_visible_copy_when_the_batch_sheet_used_is_hidden(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="OLD")])
    workbook = openpyxl.load_workbook(batch)
    workbook["申请"].sheet_state = "hidden"
    visible = workbook.copy_worksheet(workbook["申请"])
    visible.title = "申请 (2)"
    visible.sheet_state = "visible"
    visible["A2"] = "NEW"
    workbook.active = 1
    workbook.save(batch)

    result = check(batch, "-o", tmp_path / "决定.xlsx")

    assert result.exit_code == 0, result.output
    assert ("注意:使用的是隐藏的工作表「申请」;可见的工作表「申请 (2)」也有批次的表头,未被检查。"
            "如该表才是本批次,请把它改名为「申请」并删除隐藏的表后重新检查") in result.output.splitlines()
    assert [r["申请编号"] for r in read_sheet(tmp_path / "决定.xlsx")] == ["OLD"]


def test_check_refuses_in_one_line_when_the_sheet_named_batch_is_a_chartsheet(tmp_path):
    path = tmp_path / "图表.xlsx"
    workbook = xlsxwriter.Workbook(path)
    data = workbook.add_worksheet("数据")
    data.write_row(0, 0, ["申请编号", "份数"])
    data.write_row(1, 0, ["F1", 3])
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({"values": ["数据", 1, 1, 1, 1]})
    workbook.add_chartsheet("申请").set_chart(chart)
    workbook.close()

    line = one_line(check(path))

    assert "「申请」是图表工作表,不是数据表" in line


@pytest.mark.parametrize("hidden, named", [("\u200b", "零宽空格 U+200B"), ("\ufeff", "字节顺序标记 BOM U+FEFF"),
                                           ("\u200e", "从左到右标记 U+200E")])
def test_an_id_with_an_invisible_character_is_reported_instead_of_passing_the_duplicate_check(
        tmp_path, fixture_book, hidden, named):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="SQ-006"),
                                                               fixture_request(申请编号=f"SQ-006{hidden}")])

    assert check(batch, "-o", tmp_path / "决定.xlsx").exit_code == 0

    assert [r["结论"] for r in read_sheet(tmp_path / "决定.xlsx")] == ["受理", "输入有误"]
    (error,) = errors(tmp_path / "决定.xlsx")
    assert (error["行号"], error["列"]) == (3, "申请编号")
    assert f"含{named}(第 7 个字符)" in error["问题"]


def test_a_closed_value_with_a_zero_width_space_is_reported_when_checked(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(办理人="本\u200b人")])

    assert check(batch, "-o", tmp_path / "决定.xlsx").exit_code == 0

    (error,) = errors(tmp_path / "决定.xlsx")
    assert error["列"] == "办理人" and "零宽空格 U+200B(第 2 个字符)" in error["问题"]


def test_check_refuses_naming_the_character_when_a_header_carries_an_invisible_one(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request()])
    put(batch, "A1", "\ufeff申请编号")

    line = one_line(check(batch))

    assert "A1 的表头「申请编号」含字节顺序标记 BOM U+FEFF(第 1 个字符);请删除该字符后重试" in line


@pytest.mark.parametrize("digit", ["\u0663", "\u0969", "³"])  # Arabic-Indic, Devanagari, superscript three
def test_a_digit_of_another_script_is_not_read_as_a_number_when_checked(tmp_path, fixture_book, digit):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [
        fixture_request(申请编号="N1", 业务类型="解锁", 错误次数=digit),
        fixture_request(申请编号="N2", 读者证号=f"11010519491231002{digit}"),
    ])

    assert check(batch, "-o", tmp_path / "决定.xlsx").exit_code == 0

    assert [r["结论"] for r in read_sheet(tmp_path / "决定.xlsx")] == ["输入有误", "输入有误"]
    assert [(e["列"], "非阿拉伯数字" in e["问题"]) for e in errors(tmp_path / "决定.xlsx")] == [
        ("错误次数", True), ("读者证号", True)]


def test_full_width_digits_still_count_as_digits_when_checked(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(读者证号="１１０１０５１９４９１２３１００２Ｘ")])

    assert check(batch, "-o", tmp_path / "决定.xlsx").exit_code == 0

    assert [r["结论"] for r in read_sheet(tmp_path / "决定.xlsx")] == ["受理"]
