"""`sscard rules list` / `rules export`: the catalogue a policy officer reads, with each
rule's name and the dates rules and columns are in force."""

import datetime as dt

from click.testing import CliRunner
from conftest import FIXTURE_RULES, read_sheet
from drafts import PHOTO, PHOTO_RULE, append_value, copy_rulebook, require_photo

from cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_rules_list_shows_each_rule_with_its_name_dates_and_words_when_run(fixture_book):
    result = invoke("rules", "list", "--rules", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"借书证测试规则 版本 {fixture_book.version}(")
    at = lines.index("RESET-BANK 银行账户转银行  [重设密码]  §2")
    assert lines[at + 1:at + 4] == ["  条件:账户 = 银行账户", "  结果:结论 转银行办理;办理地点 合作银行;后续事项 到合作银行办理",
                                    "  理由:银行账户密码由银行重设"]
    assert "ISSUE-BY-OTHER 代办办证须复核  [办证]  §1  解释性规则" in lines
    at = lines.index("ISSUE-BY-OTHER-REFUSED 代办不再办证  [办证]  §1")
    assert lines[at + 1] == "  生效:自 2027-01-01 起"
    assert "  生效:至 2026-12-31 止" in lines
    assert "材料:申请表:自 2027-01-01 起  [办证]" in lines
    assert "  条件:错误次数 ≥ 参数 lock_threshold" in lines
    fee = fixture_book.parameters["card_fee"]
    assert f"card_fee:{fee.description}(金额,≥ 0,最多两位小数)" in lines
    assert [line for line in lines if line.startswith("  自 ") and line.endswith(" 元")] == [
        f"  自 {start.isoformat()} 起 {value:g} 元" for start, value in fee.values]


def test_rules_list_shows_draft_rule_column_and_fee_history_when_given_draft_dir(tmp_path, fixture_book):
    draft = copy_rulebook(tmp_path / "draft")
    append_value(draft, "card_fee", dt.date(2030, 1, 1), 30)
    require_photo(draft)
    result = invoke("rules", "list", "--rules", draft)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index(f"{PHOTO_RULE} 办证缺照片  [办证]  §1")
    assert lines[at + 1:at + 3] == ["  生效:自 2028-01-01 起", f"  条件:{PHOTO} = 否"]
    assert f"{PHOTO}:自 2028-01-01 起  [办证]" in lines
    last = fixture_book.parameters["card_fee"].values[-1]
    assert lines[lines.index(f"  自 {last[0].isoformat()} 起 {last[1]:g} 元") + 1] == "  自 2030-01-01 起 30 元"


def test_rules_export_writes_every_rule_column_and_dated_value_when_asked(tmp_path, fixture_book):
    out = tmp_path / "目录.xlsx"
    result = invoke("rules", "export", out, "--rules", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    assert result.output == f"规则 {len(fixture_book.unique_rules())} 条;已写出 {out}\n"
    rules = read_sheet(out, "规则")
    assert [(r["规则编号"], r["名称"]) for r in rules] == [(r.id, r.name) for r in fixture_book.unique_rules()]
    refused = next(r for r in rules if r["规则编号"] == "ISSUE-BY-OTHER-REFUSED")
    assert (refused["业务类型"], refused["条款"], refused["生效"], refused["结论"]) == ("办证", "§1", "自 2027-01-01 起",
                                                                                "不予受理")
    assert next(r for r in rules if r["规则编号"] == "ISSUE-ACCEPT")["生效"] == "一直有效"
    accept = next(r for r in rules if r["规则编号"] == "ISSUE-ACCEPT")
    assert accept["费用"] == "card_fee(办证工本费)" and accept["解释性规则"] == "否"
    columns = {c["列"]: c for c in read_sheet(out, "输入列")}
    assert columns["材料:申请表"]["生效"] == "自 2027-01-01 起" and columns["姓名"]["生效"] == "一直有效"
    params = read_sheet(out, "参数")
    assert [(p["参数"], p["值"]) for p in params] == [(p.name, v) for p in fixture_book.parameters for _, v in p.values]
    assert params[0]["类型"] == "金额,≥ 0,最多两位小数"


def test_catalogue_has_no_english_marker_or_python_repr_when_listed_or_exported(tmp_path):
    listed = CliRunner().invoke(cli, ["rules", "list", "--rules", str(FIXTURE_RULES)]).output
    assert "[interpretation]" not in listed and "解释性规则" in listed
    out = tmp_path / "目录.xlsx"
    assert CliRunner().invoke(cli, ["rules", "export", str(out), "--rules", str(FIXTURE_RULES)]).exit_code == 0
    cells = [str(v) for sheet in ("规则", "参数") for r in read_sheet(out, sheet) for v in r.values()]
    assert not any("[interpretation]" in c or "Rule(" in c for c in cells)
