"""`sscard rules list` / `rules export`: the catalogue a policy officer reads."""

import datetime as dt

from click.testing import CliRunner
from conftest import read_sheet
from drafts import NEW_RULE, copy_rulebook, raise_card_fee, require_power_of_attorney

from cli import cli


def test_rules_list_shows_each_rule_in_words_when_run_on_live_rulebook():
    result = CliRunner().invoke(cli, ["rules", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("REISSUE-NOT-REPORTED 未挂失不能补卡  [补卡]  §6")
    assert lines[at + 1:at + 4] == ["  条件:卡状态 = 正常", "  结果:结论 不予受理;后续事项 请先挂失", "  理由:未办理挂失,不能补卡"]
    assert "COMMON-CARD-FROZEN 卡已挂失冻结  [信息变更、密码重置、密码解锁、换卡]  §4  解释性规则" in lines
    assert "card_fee:换卡/补卡/信息变更须缴费时的工本费  解释性规定" in lines
    assert "  自 2015-01-01 起 20 元" in lines
    assert "  条件:账户类型 = 社保账户 且 连续密码错误次数 ≥ 参数 pin_lock_threshold" in lines


def test_rules_list_shows_draft_rule_and_fee_history_when_given_draft_dir(tmp_path):
    draft = copy_rulebook(tmp_path / "draft")
    raise_card_fee(draft, dt.date(2027, 1, 1), 30)
    require_power_of_attorney(draft)
    result = CliRunner().invoke(cli, ["rules", "list", "--rules", str(draft)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{NEW_RULE} 代办缺授权委托书  [补卡]  §6  解释性规则" in lines
    assert "  条件:办理人 = 代办 且 材料:授权委托书 = 否" in lines
    assert lines[lines.index("  自 2015-01-01 起 20 元") + 1] == "  自 2027-01-01 起 30 元"


def test_rules_export_writes_every_rule_and_dated_value_when_asked(tmp_path, book):
    out = tmp_path / "目录.xlsx"
    result = CliRunner().invoke(cli, ["rules", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"规则 {len(book.unique_rules())} 条;已写出 {out}\n"
    rules = read_sheet(out, "规则")
    assert [r["规则编号"] for r in rules] == [r.id for r in book.unique_rules()]
    fee = next(r for r in rules if r["规则编号"] == "REISSUE-FEE")
    assert (fee["业务类型"], fee["条款"], fee["结论"], fee["解释性规则"]) == ("补卡", "§7", "受理", "是")
    assert fee["费用"] == "card_fee(换卡/补卡/信息变更须缴费时的工本费)"
    missing = next(r for r in rules if r["规则编号"] == "REISSUE-AGENT-MISSING-AGENT-COPY")
    assert missing["缺少材料"] == "受托人身份证复印件"
    assert missing["条件"] == "办理人 = 代办 且 材料:受托人身份证复印件 = 否"
    params = read_sheet(out, "参数")
    assert [(p["参数"], p["值"]) for p in params] == [("pin_lock_threshold", 3), ("card_fee", 20)]
    assert params[1]["依据"].startswith("§7")


def test_catalogue_has_no_english_marker_or_python_repr_when_listed_or_exported(tmp_path, book):
    listed = CliRunner().invoke(cli, ["rules", "list"]).output
    assert "[interpretation]" not in listed and "解释性规则" in listed
    out = tmp_path / "目录.xlsx"
    assert CliRunner().invoke(cli, ["rules", "export", str(out)]).exit_code == 0
    rules = read_sheet(out, "规则")
    assert all(r["规则名称"] for r in rules)
    cells = [str(v) for sheet in ("规则", "参数") for r in read_sheet(out, sheet) for v in r.values()]
    assert not any("[interpretation]" in c or "Rule(" in c for c in cells)
