"""`sscard diff`: a draft raises the fee from a future date and asks for one more document
from that date; exactly the affected rows are named, and the rulebook's changes with
their dates."""

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_request, read_sheet, write_batch
from drafts import PHOTO, PHOTO_FROM, PHOTO_RULE, append_value, copy_rulebook, require_photo

from cli import cli
from engine.policy.impact import decided_as_check
from engine.rulebook.source import load_rulebook

FORM = {"材料:申请表": "是"}
LATER = dt.datetime.combine(PHOTO_FROM + dt.timedelta(days=31), dt.time())
ROWS = [
    fixture_request(申请编号="D01", 申请日期=dt.datetime(2026, 6, 1)),
    fixture_request(申请编号="D02", 申请日期=LATER, **FORM, **{PHOTO: "是"}),
    fixture_request(申请编号="D03", 申请日期=LATER, **FORM),
    fixture_request(申请编号="D04", 申请日期=dt.datetime.combine(PHOTO_FROM - dt.timedelta(days=1), dt.time()), **FORM),
    fixture_request(申请编号="D05", 业务类型="重设密码", 账户="银行账户", 申请日期=LATER),
    # The same 申请编号 twice: 输入有误 under both rulebooks, so never an impact.
    fixture_request(申请编号="D06", 申请日期=LATER, **FORM),
    fixture_request(申请编号="D06", 申请日期=LATER, **FORM),
    # Refused from 2027 anyway: the new document changes nothing the applicant sees.
    fixture_request(申请编号="D08", 办理人="代办", 申请日期=LATER, **FORM),
]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def draft(tmp_path, fixture_book):
    directory = copy_rulebook(tmp_path / "draft.xlsx")
    append_value(directory, "工本费", PHOTO_FROM, _fee(fixture_book, LATER) + 5)
    require_photo(directory)
    return directory


def _fee(book, day):
    return book.parameters["工本费"].on(day.date())


@pytest.fixture
def batch(tmp_path, draft):
    return write_batch(tmp_path / "上月批次.xlsx", load_rulebook(draft), ROWS)


def test_diff_names_exactly_the_affected_rows_and_the_dated_changes_when_draft_raises_fee_and_adds_document(
        batch, draft, tmp_path, fixture_book):
    out = tmp_path / "影响.xlsx"
    result = invoke("diff", batch, "--old", FIXTURE_RULES, "--new", draft, "-o", out)
    assert result.exit_code == 0, result.output
    old_fee, new_fee = _fee(fixture_book, LATER), _fee(fixture_book, LATER) + 5
    before = _fee(fixture_book, dt.datetime(2026, 6, 1)) + 3 * old_fee
    lines = result.output.splitlines()
    assert lines[2:] == [
        "规则库的变化:",
        f"  新增规则 {PHOTO_RULE} 办证缺照片[办证]:自 {PHOTO_FROM.isoformat()} 起",
        f"  新增输入列 {PHOTO}:自 {PHOTO_FROM.isoformat()} 起",
        f"  参数 工本费 新增取值:自 {PHOTO_FROM.isoformat()} 起 {new_fee:g} 元",
        "申请 8 行,决定有变化 2 行",
        f"费用合计:原 {before:g} 元,新 {before + 10:g} 元,差额 +10 元",
        "结论变化(原 → 新):",
        "  受理 → 补正材料: 1",
        f"  第 3 行 D02 李四 办证:费用 {old_fee:g} → {new_fee:g}",
        f"  第 4 行 D03 李四 办证:结论 受理 → 补正材料;费用 {old_fee:g} → {new_fee:g};缺少材料 无 → 照片",
        f"已写出 {out}",
    ]
    changed = read_sheet(out, "变化明细")
    assert [(r["申请编号"], r["申请人"]) for r in changed] == [("D02", "李四"), ("D03", "李四")]
    assert changed[1]["新规则"] == f"{PHOTO_RULE} 办证缺照片, ISSUE-ACCEPT 办证"
    assert [r["变化"] for r in read_sheet(out, "规则库变化")] == [line.strip() for line in lines[3:6]]
    matrix = {r["原结论 \\ 新结论"]: r for r in read_sheet(out, "结论矩阵")}
    assert matrix["受理"]["补正材料"] == 1 and matrix["输入有误"]["输入有误"] == 2
    about = {r["项目"]: r["内容"] for r in read_sheet(out, "概要")}
    assert (about["原费用合计(元)"], about["新费用合计(元)"], about["决定有变化的行数"]) == (before, before + 10, 2)


def test_diff_reports_no_change_when_both_rulebooks_are_the_same(batch):
    result = invoke("diff", batch, "--old", FIXTURE_RULES, "--new", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2].startswith("申请 8 行,决定有变化 0 行")
    assert "规则库的变化" not in result.output


def test_diff_names_the_absent_column_when_a_past_batch_lacks_a_document_the_draft_asks_for(
        tmp_path, draft, fixture_book):
    past = write_batch(tmp_path / "旧批次.xlsx", fixture_book, [
        fixture_request(申请编号="P1", 申请日期=dt.datetime(2026, 6, 1)),
        fixture_request(申请编号="P2", 申请日期=LATER, **FORM)])
    result = invoke("diff", past, "--old", FIXTURE_RULES, "--new", draft)
    assert result.exit_code == 0, result.output
    assert "申请 2 行,决定有变化 1 行" in result.output
    assert "  第 3 行 P2 李四 办证:结论 受理 → 输入有误;费用" in result.output  # never silently 否


def test_diff_and_check_word_a_duplicated_request_id_identically_when_a_batch_repeats_one(batch, tmp_path):
    out = tmp_path / "决定.xlsx"
    assert invoke("check", batch, "-o", out, "--rules", FIXTURE_RULES, "--workers", "1").exit_code == 0
    checked = [r["依据"] for r in read_sheet(out) if r["申请编号"] == "D06"]
    with decided_as_check(batch, load_rulebook(FIXTURE_RULES)) as rows:
        compared = ["\n".join(r.decision.basis) for r in rows if r.request_id == "D06"]
    assert len(checked) == 2 and checked == compared
    assert "申请编号「D06」在本批次出现 2 次(第 7 行、第 8 行)" in checked[0]


def test_diff_refuses_to_overwrite_the_batch_when_output_is_the_input(batch, draft):
    result = invoke("diff", batch, "--old", FIXTURE_RULES, "--new", draft, "-o", batch)
    assert result.exit_code == 2
    assert result.output == f"错误:输出文件不能与输入文件相同:{batch};输入工作簿从不被改写,请换一个输出文件名\n"
