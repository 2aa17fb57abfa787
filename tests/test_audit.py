"""An auditor's checks on a decision workbook: edits are found, clean workbooks pass,
the workbook is judged by the rulebook it was decided with (archived), rule changes show
up as drift under --rules, and the 审计 sheet says what produced the sheet."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_request, read_sheet, write_batch
from drafts import copy_rulebook, delete_rule

from cli import cli
from engine.excel.ooxml import unescape as read_back
from engine.excel.writer import Styles, atomic_workbook, write_cell
from engine.records.digests import canonical

EXTRA = ("备注", "金额", "时间", "核对")
ROWS = [
    fixture_request(申请编号="R-ACCEPT"),
    fixture_request(申请编号="R-REJECT", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),
    fixture_request(申请编号="R-BANK", 业务类型="重设密码", 账户="银行账户"),
    # Extra columns with values Excel stores differently from Python: they must not
    # make an untouched row look edited.
    fixture_request(申请编号="R-ODD", 业务类型="解锁", 错误次数=9,
                    备注="a" * 40000, 金额=0.1 + 0.2, 时间=dt.datetime(2026, 3, 1, 9, 30, 15, 123456), 核对=True),
    fixture_request(申请编号="R-REJECT-2", 业务类型="重设密码", 账户="馆内账户", 办理人="代办", 备注="_x0041_ 不是转义"),
]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def decided(fixture_home, fixture_book, tmp_path):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS, extra_headers=EXTRA)
    out = tmp_path / "batch.decisions.xlsx"
    result = invoke("check", batch, "-o", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    return batch, out


def _edit(path, request_id, column, value):
    """Change one cell the way an auditor (or anyone) would: openpyxl, load, save."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["结果"]
    header = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[header.index("申请编号")].value == request_id:
            cells[header.index(column)].value = value
            number = cells[0].row
    workbook.save(path)
    return number


def test_workbook_verifies_clean_under_its_archived_rulebook_when_nothing_was_edited(decided, home_book):
    batch, out = decided
    result = invoke("verify", out, "--batch", batch)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == (f"{out} 核对通过:5 行的核验码与审计记录均相符、与账本一致、批次无规则漂移"
                         f"(按规则库 {home_book.version} 重新判断结果相同)")
    assert lines[1].startswith("  工作簿:5 行的核验码") and "(5 行相符)" in lines[1]
    assert lines[2] == (f"  重新判断所用的规则库:{home_book.version}({home_book.digest[:12]}…),"
                        "即生成时的规则库(「审计」表记录,取自归档)")
    assert "按申请编号逐行核对「结果」表 5 行(5 行一致),账本记录摘要一致,哈希链自第 1 条至该运行完好" in lines[3]
    assert lines[4] == (f"  批次 {batch}:SHA-256 与「审计」表记录的输入文件一致;按规则库 {home_book.version}"
                        "(生成时的规则库)重新判断每一行:按行号对上 5 行,结论、费用和缺少材料均相同")


def test_verify_names_the_row_when_a_verdict_was_edited_outside_sscard(decided):
    _, out = decided
    number = _edit(out, "R-REJECT", "结论", "受理")
    result = invoke("verify", out)
    assert result.exit_code == 1
    assert (f"[核验码] 「结果」表第 {number} 行(行号 {number},申请编号 R-REJECT):核验码不符:决定被改动:"
            f"结论 E{number} 现为「受理」,按规则应为「不予受理」") in result.output
    assert "R-ACCEPT" not in result.output and "R-ODD" not in result.output  # a resave alone changes nothing
    assert "核对未通过:1 个问题" in result.output


def test_verify_names_the_row_when_an_input_cell_was_edited(decided):
    _, out = decided
    number = _edit(out, "R-ACCEPT", "姓名", "王五")
    result = invoke("verify", out)
    assert result.exit_code == 1
    assert (f"[核验码] 「结果」表第 {number} 行(行号 {number},申请编号 R-ACCEPT):核验码不符:输入列或核验码本身被改动"
            in result.output)


def test_verify_names_the_deleted_row_once_when_a_row_was_deleted(decided):
    _, out = decided
    workbook = openpyxl.load_workbook(out)
    workbook["结果"].delete_rows(3)
    workbook.save(out)
    result = invoke("verify", out)
    assert result.exit_code == 1
    findings = [line for line in result.output.splitlines() if line.startswith("[")]
    assert findings == ["[账本] 行号 3,申请编号 R-REJECT:账本记录有这一行(结论 不予受理,费用(元) 0,缺少材料 (空)),"
                        "「结果」表中没有:该行被删除"]
    assert "按申请编号逐行核对「结果」表 4 行(4 行一致;账本记录的另有 1 行不在表中)" in result.output


def test_verify_without_the_ledger_counts_the_deleted_row(decided):
    _, out = decided
    workbook = openpyxl.load_workbook(out)
    workbook["结果"].delete_rows(3)
    workbook.save(out)
    result = invoke("verify", out, "--without-ledger")
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("[")] == [
        "[审计] 工作簿:「结果」表有 4 行,审计记录为 5 行:有 1 行被删除"]


def test_verify_fails_when_an_audit_line_was_edited(decided):
    _, out = decided
    workbook = openpyxl.load_workbook(out)
    for key, value in workbook["审计"].iter_rows(min_row=2):
        if key.value == "输入文件":
            value.value = "别的批次.xlsx"
    workbook.save(out)
    result = invoke("verify", out)
    assert result.exit_code == 1
    assert "[审计] 工作簿:「审计」表的内容与其审计表核验码不符" in result.output


def test_verify_fails_when_the_batch_is_not_the_one_recorded(decided, tmp_path, fixture_book):
    _, out = decided
    other = write_batch(tmp_path / "other.xlsx", fixture_book, ROWS[:2])
    result = invoke("verify", out, "--batch", other)
    assert result.exit_code == 1
    assert "[批次] 工作簿:other.xlsx 的 SHA-256" in result.output
    assert "不是生成本工作簿的那个批次" in result.output


def test_verify_lists_drift_rows_when_given_a_draft_that_changes_an_outcome(decided, tmp_path):
    batch, out = decided
    draft = copy_rulebook(tmp_path / "draft_rules.xlsx")
    delete_rule(draft, "RESET-NOT-IN-PERSON")

    result = invoke("verify", out, "--batch", batch, "--rules", draft)

    assert result.exit_code == 1
    drift = [line for line in result.output.splitlines() if line.startswith("[规则漂移]")]
    assert [line.split(":")[0] for line in drift] == ["[规则漂移] 「结果」表第 3 行(行号 3,申请编号 R-REJECT)",
                                                     "[规则漂移] 「结果」表第 6 行(行号 6,申请编号 R-REJECT-2)"]
    assert drift[0].endswith("结论 不予受理 → 受理(规则 RESET-NOT-IN-PERSON 重设须本人、RESET-LIBRARY 馆内账户重设 → RESET-LIBRARY 馆内账户重设)")
    assert "注意:本工作簿由规则库" in result.output  # the rulebook changed, yet the 核验码 still check out
    assert "[核验码]" not in result.output


def test_verify_says_plainly_when_the_recorded_rulebook_is_not_archived(tmp_path, fixture_book):
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, ROWS[:1])
    out = tmp_path / "out.xlsx"
    assert invoke("check", batch, "-o", out, "--rules", FIXTURE_RULES, "--workers", "1").exit_code == 0
    result = invoke("verify", out)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "规则库归档" in result.output and "用 --rules 指定" in result.output
    assert invoke("verify", out, "--rules", FIXTURE_RULES).exit_code == 0


def test_audit_sheet_records_what_produced_the_workbook(decided, home_book):
    batch, out = decided
    audit = {r["项目"]: r["内容"] for r in read_sheet(out, "审计")}
    assert audit["规则库 SHA-256"] == home_book.digest
    assert audit["规则库版本"] == home_book.version
    assert audit["输入文件"] == "batch.xlsx"
    assert audit["申请行数"] == "5"
    assert audit["运行时间"][-6:] in audit["时区"]  # an offset, so the time means one instant
    fee = home_book.parameters["工本费"].on(dt.date(2026, 3, 1))
    assert f"本批使用:{fee}" in audit["参数 工本费"]
    assert audit["命令行"].startswith("sscard check ")  # as typed, whoever called sscard
    for key in ("Python", "openpyxl", "durable-rules", "sscard 版本", "输入文件 SHA-256", "账本记录摘要", "操作员"):
        assert audit[key]


@pytest.mark.parametrize("value", [
    0.1 + 0.2, 1e20, 3.0, 12345678901234567890, 2**53 + 1, -0.0, True, False,
    dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 1, 12, 34, 56, 789123), dt.date(2026, 3, 1), dt.time(8, 5, 1),
    "a" * 40000, " 前后空格 ", "a\r\nb", "c\x01d", "_x0041_", "_x005F_", "=1+1", "", None,
], ids=repr)
def test_canonical_is_identical_when_a_value_is_written_and_read_back(tmp_path, value):
    path = tmp_path / "round.xlsx"
    with atomic_workbook(path, "测试") as workbook:
        write_cell(workbook.add_worksheet("s"), 0, 0, value, Styles(workbook, ["x"]))
    workbook = openpyxl.load_workbook(path, read_only=True)
    back = next(workbook["s"].iter_rows(values_only=True), (None,))[0]
    workbook.close()
    assert canonical(read_back(back)) == canonical(value)


# --- every sheet checked, and only what is true said (issue 16, item 4) -----------------

def _cell(path, sheet, row_label, header):
    """The coordinate of 汇总's cell in the row labelled ``row_label`` under ``header``."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows())
    col = [c.value for c in rows[0]].index(header)
    return next(r[col].coordinate for r in rows if r[0].value == row_label)


def _set(path, sheet, coordinate, value):
    workbook = openpyxl.load_workbook(path)
    before = workbook[sheet][coordinate].value
    workbook[sheet][coordinate].value = value
    workbook.save(path)
    return before


def _findings(result):
    return [line for line in result.output.splitlines() if line.startswith("[")]


def test_verify_names_the_cell_when_a_figure_on_the_summary_sheet_was_edited(decided):
    _, out = decided
    cell = _cell(out, "汇总", "合计", "合计")
    before = _set(out, "汇总", cell, 4)

    result = invoke("verify", out)

    assert result.exit_code == 1
    assert _findings(result) == [f"[汇总] 工作簿:「汇总」表 {cell}(合计·合计) 现为「4」,账本记录为「{before}」"]
    alone = invoke("verify", out, "--without-ledger")
    assert alone.exit_code == 1
    assert _findings(alone) == ["[汇总] 工作簿:「汇总」表与「审计」表记录的核验码不符:有数字或文字被改动"
                                "(对照账本核对可指出是哪个单元格)"]


@pytest.mark.parametrize(("change", "finding"), [
    (lambda workbook: workbook.remove(workbook["错误"]), "[工作表] 工作簿:缺少「错误」表:被删除或改名"),
    (lambda workbook: setattr(workbook["汇总"], "title", "汇总(改)"),
     "[工作表] 工作簿:「汇总」表不在了,多了「汇总(改)」表:工作表被改名(或被删除后另加了一张)"),
    (lambda workbook: workbook.create_sheet("备忘"), "[工作表] 工作簿:多了「备忘」表:sscard 写出的决定工作簿没有这张表"),
])
def test_verify_finds_a_sheet_deleted_renamed_or_added(decided, change, finding):
    _, out = decided
    workbook = openpyxl.load_workbook(out)
    change(workbook)
    workbook.save(out)

    result = invoke("verify", out)

    assert result.exit_code == 1
    assert _findings(result) == [finding]


@pytest.fixture
def with_errors(fixture_home, fixture_book, tmp_path):
    rows = [fixture_request(申请编号="E-OK"), fixture_request(申请编号="E-BAD", 读者证号="1"),
            fixture_request(申请编号="E-BLANK", 姓名=None), fixture_request(申请编号="E-OK-2")]
    batch = write_batch(tmp_path / "batch.xlsx", fixture_book, rows)
    out = tmp_path / "errors.decisions.xlsx"
    assert invoke("check", batch, "-o", out, "--workers", "1").exit_code == 0
    return out


def test_verify_names_the_line_deleted_from_the_errors_sheet(with_errors):
    out = with_errors
    workbook = openpyxl.load_workbook(out)
    removed = [c.value for c in workbook["错误"][2]]
    workbook["错误"].delete_rows(2)
    workbook.save(out)

    result = invoke("verify", out)

    assert result.exit_code == 1
    assert _findings(result) == [f"[错误] 工作簿:「错误」表少了一行:行号 3(申请编号 E-BAD)的读者证号问题「{removed[4]}」被删除"]
    assert "(4 行相符)" in result.output  # 结果 itself is untouched, and the evidence says so


def test_verify_names_the_cell_edited_on_the_errors_sheet(with_errors):
    out = with_errors
    before = _set(out, "错误", "C3", "读者证号")  # the blank name's line now blames another column

    result = invoke("verify", out)

    assert result.exit_code == 1
    assert _findings(result) == [f"[错误] 工作簿:「错误」表第 3 行(行号 4):C3 现为「读者证号」,应为「{before}」"]


def test_verify_names_an_inserted_row_once_as_inserted(decided):
    _, out = decided
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["结果"]
    sheet.append([c.value for c in sheet[2]])  # a copy of R-ACCEPT, its 核验码 valid for its cells
    workbook.save(out)

    result = invoke("verify", out)

    assert result.exit_code == 1
    assert _findings(result) == ["[账本] 「结果」表第 7 行(行号 2,申请编号 R-ACCEPT):账本记录的本次运行没有这个申请:"
                                 "该行是在工作簿中插入的"]


def test_verify_evidence_never_says_every_row_agrees_when_one_was_edited(decided):
    _, out = decided
    _edit(out, "R-REJECT", "结论", "受理")

    result = invoke("verify", out)

    assert result.exit_code == 1
    assert "(4 行相符)" in result.output
    assert "按申请编号逐行核对「结果」表 5 行(4 行一致,1 行有问题)" in result.output
    assert "5 行一致" not in result.output


def test_verify_evidence_names_the_rulebook_it_judged_by_when_told_another(decided, tmp_path, home_book):
    batch, out = decided
    draft = copy_rulebook(tmp_path / "draft_rules.xlsx")
    delete_rule(draft, "RESET-NOT-IN-PERSON")

    result = invoke("verify", out, "--batch", batch, "--rules", draft)

    judged = next(line for line in result.output.splitlines() if line.startswith("  重新判断所用的规则库:"))
    assert judged.endswith(f"不是生成时的规则库 {home_book.version}({home_book.digest[:12]}…)")
    assert "(不是生成时的规则库)重新判断每一行:按行号对上 5 行,2 行结论、费用或缺少材料不同" in result.output
    assert "当前规则" not in result.output
