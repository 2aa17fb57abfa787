"""`sscard diff` and the judged scenario: a draft raises the card fee from a future date
and makes 补卡 by 代办 need one more document; exactly the affected rows are named."""

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import RULES, read_sheet, request, write_batch
from drafts import NEW_RULE, copy_rulebook, raise_card_fee, require_power_of_attorney

from cli import cli

ID = {"材料:身份证件原件": "是"}
CARD = {"材料:社保卡": "是"}
AGENT = {"办理人": "代办", "卡状态": "挂失", "材料:受托人身份证原件": "是", "材料:受托人身份证复印件": "是", **ID}


def _day(y, m, d):
    return dt.datetime(y, m, d)


ROWS = [
    request(申请编号="R01", 业务类型="补卡", 卡状态="挂失", 申请日期=_day(2026, 6, 1), **ID),
    request(申请编号="R02", 业务类型="补卡", 卡状态="挂失", 申请日期=_day(2027, 2, 1), **ID),
    request(申请编号="R03", 业务类型="补卡", 有工作单位="是", 申请日期=_day(2026, 6, 1), **AGENT,
            **{"材料:单位证明": "是"}),
    request(申请编号="R04", 业务类型="补卡", 有工作单位="否", 申请日期=_day(2026, 6, 1), **AGENT),
    request(申请编号="R05", 业务类型="补卡", 办理人="代办", 有工作单位="是", 申请日期=_day(2026, 6, 1)),
    request(申请编号="R06", 业务类型="换卡", 原因="卡面污损", 损坏责任="使用不当", 申请日期=_day(2027, 3, 1), **ID, **CARD),
    request(申请编号="R07", 业务类型="换卡", 原因="卡面污损", 损坏责任="卡片质量问题", 申请日期=_day(2027, 3, 1), **ID, **CARD),
    request(申请编号="R08", 业务类型="挂失", 原因="丢失", 申请日期=_day(2027, 3, 1)),
    # The same 申请编号 twice: 输入有误 under both rulebooks, so never an impact.
    request(申请编号="R09", 业务类型="补卡", 有工作单位="是", 申请日期=_day(2026, 6, 1), **AGENT),
    request(申请编号="R09", 业务类型="补卡", 有工作单位="是", 申请日期=_day(2026, 6, 1), **AGENT),
    request(申请编号="R11", 业务类型="补卡", 办理人="代办", 卡状态="注销", 有工作单位="否", 申请日期=_day(2026, 6, 1)),
    request(申请编号="R12", 业务类型="信息变更", 原因="信息变更", 申请日期=_day(2026, 12, 31), **ID, **CARD,
            **{"材料:变更证明": "是"}),
    request(申请编号="R13", 业务类型="信息变更", 原因="信息变更", 申请日期=_day(2027, 1, 1), **ID, **CARD,
            **{"材料:变更证明": "是"}),
]
AFFECTED = ["R02", "R03", "R04", "R06", "R13"]


@pytest.fixture
def draft(tmp_path):
    directory = copy_rulebook(tmp_path / "draft")
    raise_card_fee(directory, dt.date(2027, 1, 1), 30)
    require_power_of_attorney(directory)
    return directory


@pytest.fixture
def batch(tmp_path, book):
    return write_batch(tmp_path / "上月批次.xlsx", book, ROWS)


def test_diff_names_exactly_the_affected_rows_when_draft_raises_fee_and_adds_agent_document(batch, draft, tmp_path):
    out = tmp_path / "影响.xlsx"
    result = CliRunner().invoke(cli, ["diff", str(batch), "--new", str(draft), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[2:] == [
        "申请 13 行,决定有变化 5 行",
        "费用合计:原 140 元,新 170 元,差额 +30 元",
        "结论变化(原 → 新):",
        "  受理 → 补正材料: 1",
        "  第 3 行 R02 补卡:费用 20 → 30",
        "  第 4 行 R03 补卡:结论 受理 → 补正材料;缺少材料 无 → 授权委托书",
        "  第 5 行 R04 补卡:缺少材料 社区证明 → 社区证明、授权委托书",
        "  第 7 行 R06 换卡:费用 20 → 30",
        "  第 14 行 R13 信息变更:费用 20 → 30",
        f"已写出 {out}",
    ]
    changed = read_sheet(out, "变化明细")
    assert [r["申请编号"] for r in changed] == AFFECTED
    r03 = changed[1]
    assert (r03["原结论"], r03["新结论"], r03["新缺少材料"]) == ("受理", "补正材料", "授权委托书")
    assert r03["原规则"] == "REISSUE-ACCEPT, REISSUE-FEE"
    assert r03["新规则"] == f"{NEW_RULE}, REISSUE-ACCEPT, REISSUE-FEE"
    matrix = {r["原结论 \\ 新结论"]: r for r in read_sheet(out, "结论矩阵")}
    assert matrix["受理"]["补正材料"] == 1 and matrix["输入有误"]["输入有误"] == 2
    about = {r["项目"]: r["内容"] for r in read_sheet(out, "概要")}
    assert (about["原费用合计(元)"], about["新费用合计(元)"], about["决定有变化的行数"]) == (140, 170, 5)


def test_diff_reports_no_change_when_both_rulebooks_are_the_same(batch):
    result = CliRunner().invoke(cli, ["diff", str(batch), "--new", str(RULES)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:] == ["申请 13 行,决定有变化 0 行", "费用合计:原 140 元,新 140 元,差额 +0 元"]


def test_diff_refuses_to_overwrite_the_batch_when_output_is_the_input(batch, draft):
    result = CliRunner().invoke(cli, ["diff", str(batch), "--new", str(draft), "-o", str(batch)])
    assert result.exit_code == 2
    assert result.output == f"错误:输出文件不能与输入文件相同:{batch};输入工作簿从不被改写,请换一个输出文件名\n"


def test_shipped_cases_fail_by_name_on_draft_when_they_pass_on_live_rulebook(draft):
    live = CliRunner().invoke(cli, ["rules", "test", str(RULES / "cases.xlsx")])
    assert live.exit_code == 0, live.output
    result = CliRunner().invoke(cli, ["rules", "test", "--rules", str(draft), str(RULES / "cases.xlsx")])
    assert result.exit_code == 1
    assert "用例工作簿没有这些列,按空白处理:材料:授权委托书" in result.output
    assert result.output.splitlines()[-1] == (
        "错误:5 个用例失败:补卡 代办 有单位 材料齐全、补卡 代办 无单位 材料齐全、补卡 代办 有单位 缺单位证明、"
        "补卡 代办 无单位 缺社区证明、补卡 代办 缺受托人证件")
    assert "      结论 期望 受理,实际 补正材料;命中规则 " in result.output
