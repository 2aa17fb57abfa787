"""A whole city's offices in one command: one decision workbook per batch, one combined 汇总."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import CASE_DAY, FIXTURE_RULES, fixture_request, read_sheet, request, write_batch

from cli import cli

ACCEPTED = {"业务类型": "补卡", "卡状态": "挂失", "材料:身份证件原件": "是"}  # 受理, 工本费
REJECTED = {"业务类型": "补卡", "卡状态": "正常"}  # 不予受理


def test_folder_gets_a_workbook_per_batch_and_one_summary_when_one_file_is_bad(tmp_path, book):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "东区.xlsx", book, [request(申请编号="E1", **ACCEPTED), request(申请编号="E2", **REJECTED)])
    write_batch(offices / "西区.xlsx", book, [request(申请编号="W1", **ACCEPTED)])
    (offices / "南区.xlsx").write_text("申请编号,业务类型\n1,补卡\n", encoding="utf-8")  # a CSV renamed
    out = tmp_path / "决定"

    result = CliRunner().invoke(cli, ["check", str(offices), "-o", str(out), "--workers", "1"])

    assert result.exit_code == 2, result.output  # one file failed, and it says so
    assert "南区.xlsx: 失败:" in result.output and "CSV" in result.output
    assert "共 2 个批次完成、1 个失败,申请 3 行" in result.output
    assert [r["结论"] for r in read_sheet(out / "东区.decisions.xlsx")] == ["受理", "不予受理"]
    assert [r["结论"] for r in read_sheet(out / "西区.decisions.xlsx")] == ["受理"]
    per_file = {r["文件"]: r for r in read_sheet(out / "合并汇总.xlsx", "各批次")}
    assert per_file["东区.xlsx"]["受理"] == 1 and per_file["东区.xlsx"]["不予受理"] == 1
    assert per_file["南区.xlsx"]["状态"].startswith("失败")
    combined = {r["业务类型"]: r for r in read_sheet(out / "合并汇总.xlsx", "汇总")}
    fee = book.parameters["工本费"].on(CASE_DAY.date())
    assert combined["补卡"]["受理"] == 2 and combined["补卡"]["应收(元)"] == 2 * fee


def test_every_batch_of_a_folder_is_recorded_in_the_ledger_when_checked_together(tmp_path, book):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "a.xlsx", book, [request(申请编号="A1", **ACCEPTED)])
    write_batch(offices / "b.xlsx", book, [request(申请编号="B1", **ACCEPTED)])
    ledger = tmp_path / "ledger.sqlite3"
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(offices), "--ledger", str(ledger), "--workers", "1"]).exit_code == 0

    history = runner.invoke(cli, ["history", "--ledger", str(ledger)])
    assert "a.xlsx" in history.output and "b.xlsx" in history.output
    assert runner.invoke(cli, ["history", "--verify", "--ledger", str(ledger)]).exit_code == 0


# --- every batch of a folder checked, or said why not (issue 16, item 6) ------------

def fixture_check(*args):
    return CliRunner().invoke(cli, ["check", *map(str, args), "--workers", "1", "--rules", str(FIXTURE_RULES)])


def ids(path) -> list[str]:
    return [r["申请编号"] for r in read_sheet(path)]


def test_a_folder_is_searched_through_its_subfolders_and_outputs_keep_the_folders_name(tmp_path, fixture_book):
    offices = tmp_path / "各网点"
    for folder in ("网点1", "网点2/东区", ".备份"):
        (offices / folder).mkdir(parents=True)
    write_batch(offices / "总部.xlsx", fixture_book, [fixture_request(申请编号="H1")])
    write_batch(offices / "网点1" / "申请批次.xlsx", fixture_book, [fixture_request(申请编号="A1")])
    write_batch(offices / "网点2" / "东区" / "申请批次.xlsx", fixture_book, [fixture_request(申请编号="B1")])
    write_batch(offices / ".备份" / "旧批次.xlsx", fixture_book, [fixture_request(申请编号="OLD")])  # hidden: not a batch
    (offices / "网点2" / "说明.txt").write_text("周一交", encoding="utf-8")
    out = tmp_path / "决定"

    result = fixture_check(offices, "-o", out)

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["总部.decisions.xlsx", "网点1-申请批次.decisions.xlsx", "网点2-东区-申请批次.decisions.xlsx", "合并汇总.xlsx"])
    assert ids(out / "网点1-申请批次.decisions.xlsx") == ["A1"] and ids(out / "网点2-东区-申请批次.decisions.xlsx") == ["B1"]
    assert f"注意:1 个文件不是 Excel 工作簿,未检查:{offices / '网点2' / '说明.txt'}" in result.output.splitlines()
    assert "共 3 个批次完成、0 个失败,申请 3 行" in result.output
    listed = {r["文件"]: r["决定工作簿"] for r in read_sheet(out / "合并汇总.xlsx", "各批次")}
    assert listed == {"总部.xlsx": "总部.decisions.xlsx", "网点1/申请批次.xlsx": "网点1-申请批次.decisions.xlsx",
                      "网点2/东区/申请批次.xlsx": "网点2-东区-申请批次.decisions.xlsx"}


def test_a_folder_checked_in_place_gets_each_decision_workbook_beside_its_batch_and_one_summary(tmp_path,
                                                                                               fixture_book):
    offices = tmp_path / "各网点"
    for office, request_id in (("网点1", "A1"), ("网点2", "B1")):
        (offices / office).mkdir(parents=True)
        write_batch(offices / office / "申请批次.xlsx", fixture_book, [fixture_request(申请编号=request_id)])

    first = fixture_check(offices)
    again = fixture_check(offices)  # the outputs of the first run are no batches of the second

    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert ids(offices / "网点1" / "申请批次.decisions.xlsx") == ["A1"]
    assert ids(offices / "网点2" / "申请批次.decisions.xlsx") == ["B1"]
    assert "共 2 个批次完成、0 个失败,申请 2 行" in again.output
    assert [r["文件"] for r in read_sheet(offices / "合并汇总.xlsx", "各批次")] == ["网点1/申请批次.xlsx", "网点2/申请批次.xlsx"]


def test_an_unfilled_template_or_a_wps_file_in_a_folder_is_reported_as_failed_and_the_rest_checked(tmp_path,
                                                                                                   fixture_book):
    offices = tmp_path / "各网点"
    (offices / "网点1").mkdir(parents=True)
    write_batch(offices / "网点1" / "申请批次.xlsx", fixture_book, [fixture_request(申请编号="A1")])
    write_batch(offices / "网点1" / "下周.xlsx", fixture_book, [])  # the header only: an unfilled template
    (offices / "网点1" / "旧表.et").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))
    out, ledger = tmp_path / "决定", tmp_path / "ledger.sqlite3"

    result = fixture_check(offices, "-o", out, "--ledger", ledger)

    assert result.exit_code == 2, result.output
    assert (f"{offices / '网点1' / '下周.xlsx'}: 失败:{offices / '网点1' / '下周.xlsx'} 工作表「申请」只有表头,"
            "没有一行申请(像是未填写的模板);未作判定,未写出决定工作簿,也未记入账本。"
            "请从第 2 行起每行填写一项申请后重试") in result.output.splitlines()
    assert f"{offices / '网点1' / '旧表.et'}: 失败:" in result.output and "WPS" in result.output
    assert "共 1 个批次完成、2 个失败,申请 1 行" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["合并汇总.xlsx", "网点1-申请批次.decisions.xlsx"]
    states = {r["文件"]: r["状态"] for r in read_sheet(out / "合并汇总.xlsx", "各批次")}
    assert states["网点1/申请批次.xlsx"] == "已完成"
    assert states["网点1/下周.xlsx"].startswith("失败:") and "未填写的模板" in states["网点1/下周.xlsx"]
    history = CliRunner().invoke(cli, ["history", "--ledger", str(ledger)])
    assert "申请批次.xlsx" in history.output and "下周.xlsx" not in history.output
