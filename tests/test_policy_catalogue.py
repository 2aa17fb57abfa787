"""`sscard rules list` / `rules show`: the catalogue a policy officer reads, with each
rule's name, where it is written and the dates rules and columns are in force."""

import datetime as dt

from click.testing import CliRunner
from conftest import FIXTURE_RULES
from drafts import PHOTO, PHOTO_RULE, append_value, copy_rulebook, require_photo

from cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_rules_list_shows_each_rule_with_its_name_dates_and_words_when_run(fixture_book):
    result = invoke("rules", "list", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"借书证测试规则 版本 {fixture_book.version}(")
    at = lines.index(f"RESET-BANK 银行账户转银行  [重设密码]  §2  {FIXTURE_RULES.name}「重设密码」第 3 行")
    assert lines[at + 1:at + 4] == ["  条件:账户 = 银行账户", "  结果:结论 转银行办理;办理地点 合作银行;后续事项 到合作银行办理",
                                    "  理由:银行账户密码由银行重设"]
    assert f"ISSUE-BY-OTHER 代办办证须复核  [办证]  §1  解释性规则  {FIXTURE_RULES.name}「办证」第 4 行" in lines
    at = lines.index(f"ISSUE-BY-OTHER-REFUSED 代办不再办证  [办证]  §1  {FIXTURE_RULES.name}「办证」第 5 行")
    assert lines[at + 1] == "  生效:自 2027-01-01 起"
    assert "  生效:至 2026-12-31 止" in lines
    assert "材料:申请表:自 2027-01-01 起  [办证]" in lines
    assert "  条件:错误次数 ≥ 参数 锁定次数" in lines
    fee = fixture_book.parameters["工本费"]
    assert f"工本费:{fee.description}(金额,≥ 0,最多两位小数)" in lines
    assert [line for line in lines if line.startswith("  自 ") and line.endswith(" 元")] == [
        f"  自 {start.isoformat()} 起 {value:g} 元" for start, value in fee.values]


def test_rules_list_shows_draft_rule_column_and_fee_history_when_given_draft_dir(tmp_path, fixture_book):
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    append_value(draft, "工本费", dt.date(2030, 1, 1), 30)
    require_photo(draft)
    result = invoke("rules", "list", draft)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index(f"{PHOTO_RULE} 办证缺照片  [办证]  §1  draft.xlsx「办证」第 7 行")
    assert lines[at + 1:at + 3] == ["  生效:自 2028-01-01 起", f"  条件:{PHOTO} = 否"]
    assert f"{PHOTO}:自 2028-01-01 起  [办证]" in lines
    last = fixture_book.parameters["工本费"].values[-1]
    assert lines[lines.index(f"  自 {last[0].isoformat()} 起 {last[1]:g} 元") + 1] == "  自 2030-01-01 起 30 元"


def test_rules_show_prints_the_rule_as_written_and_the_durable_rules_rule_it_compiles_to(fixture_book):
    result = invoke("rules", "show", "unlock-locked", FIXTURE_RULES)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"UNLOCK-LOCKED 已锁定可解锁:写在 {FIXTURE_RULES.name}「解锁」第 2 行",
        "  规则编号:UNLOCK-LOCKED",
        "  名称:已锁定可解锁",
        "  错误次数:≥ 锁定次数",
        "  结论:受理",
        "  办理地点:服务台",
        "  条款:§3",
        "  依据:错误次数已达锁定次数",
        "交给 durable-rules 的规则(规则集 unlock,业务 解锁):",
        '  {"UNLOCK-LOCKED": {"all": [{"m": {"$and": [{"业务类型": "unlock"}, '
        '{"$gte": {"错误次数": {"$m": "param_锁定次数"}}}]}}]}}',
    ]
    unknown = invoke("rules", "show", "NO-SUCH-RULE", FIXTURE_RULES)
    assert unknown.exit_code == 2
    assert unknown.output == (f"错误:规则库 {FIXTURE_RULES} 中没有规则「NO-SUCH-RULE」;"
                              "sscard rules list 列出全部规则\n")


def test_catalogue_has_no_english_marker_or_python_repr_when_listed_or_shown():
    listed = invoke("rules", "list", FIXTURE_RULES).output
    shown = invoke("rules", "show", "ISSUE-BY-OTHER", FIXTURE_RULES).output
    assert "[interpretation]" not in listed and "解释性规则" in listed
    assert not any(marker in text for text in (listed, shown) for marker in ("Rule(", "Compare(", "None", "True"))
