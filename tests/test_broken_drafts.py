"""No traceback for policy staff, ever: every command that loads a rulebook, given a
broken draft, ends with one Chinese line naming the file, the line where known, and the
fix, and exits non-zero (`rules lint` lists every problem, then one such line)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, fixture_request, write_batch
from drafts import append, copy_rulebook

from cli import cli

# Python's own words a policy officer must never be shown.
PROGRAM_TEXT = re.compile(r"Traceback|\b\w+(Error|Exception)\b|datetime\.date\(|File \"|line \d+|<module>")

RULE = 'Rule(id="ISSUE-DRAFT", name="草案规则", clause="§1", reason="草案", verdict="受理", {})'


def _rule(directory: Path, arguments: str) -> str:
    append(directory, "issue.py", f"\nRULES += ({RULE.format(arguments)},)  # DRAFT\n")
    return "issue.py"


def _value(directory: Path, start: str, value: str) -> str:
    append(directory, "parameters.toml", f"\n[[card_fee.values]]\nfrom = {start}  # DRAFT\nvalue = {value}\n")
    return "parameters.toml"


BROKEN = {
    # id: (how the draft is broken, words the message must hold)
    "syntax_error": (lambda d: append(d, "issue.py", "\nRULES += (  # DRAFT\n") or "issue.py",
                     ["语法错误", "括号未闭合", "请修正"]),
    "import_error": (lambda d: append(d, "issue.py", "\nfrom .nowhere import X  # DRAFT\n") or "issue.py",
                     ["找不到模块 nowhere", "请修正"]),
    "misspelt_name": (lambda d: _rule(d, 'when=roww.applicant == "本人"'), ["名称 roww 未定义"]),
    "division_by_zero": (lambda d: append(d, "issue.py", "\nLIMIT = 1 / 0  # DRAFT\n") or "issue.py", ["除以零"]),
    "misspelt_argument": (lambda d: _rule(d, 'verdit="受理"'), ["Rule 没有参数 verdit", "可用:"]),
    "and_instead_of_amp": (lambda d: _rule(d, 'when=(row.applicant == "本人") and (row.doc_id == "是")'),
                           ["不能用 and、or、not", "&"]),
    "unknown_column": (lambda d: _rule(d, 'when=row.aplicant == "本人"'), ["未知的列 aplicant", "是否指 applicant"]),
    "unknown_parameter": (lambda d: _rule(d, 'fee="card_fees"'), ["费用参数 card_fees 未在 parameters.toml 中定义",
                                                                   "是否指 card_fee"]),
    "text_for_a_count": (lambda d: append(d, "unlock.py", '\nRULES += (Rule(id="UNLOCK-DRAFT", name="草案", '
                                                          'clause="§3", reason="草案", verdict="受理", '
                                                          'when=row.wrong_count == "3"),)  # DRAFT\n') or "unlock.py",
                         ["列「错误次数」是整数列,不能与文字「3」比较", "写成 3"]),
    "date_for_a_count": (lambda d: append(d, "unlock.py", '\nfrom datetime import date\nRULES += (Rule('
                                                          'id="UNLOCK-DRAFT", name="草案", clause="§3", '
                                                          'reason="草案", verdict="受理", '
                                                          'when=row.wrong_count >= date(2027, 1, 1)),)  # DRAFT\n')
                         or "unlock.py", ["是整数列,不能与 2027-01-01 比较"]),
    "unknown_value": (lambda d: _rule(d, 'when=row.applicant == "他人"'), ["没有取值 他人", "本人/代办"]),
    "date_where_a_number_is_expected": (lambda d: _value(d, "2030-01-01", "2030-01-01"),
                                        ["参数 card_fee 自 2030-01-01 起的值 2030-01-01", "不能是日期"]),
    "negative_fee": (lambda d: _value(d, "2030-01-01", "-20"), ["参数 card_fee 自 2030-01-01 起的值 -20", "须 ≥ 0"]),
    "fee_with_fractions_of_a_fen": (lambda d: _value(d, "2030-01-01", "10.555"), ["10.555", "最多两位小数"]),
    "fractional_threshold": (lambda d: append(d, "parameters.toml", "\n[[lock_threshold.values]]\n"
                                                                    "from = 2030-01-01  # DRAFT\nvalue = 3.5\n")
                             or "parameters.toml", ["参数 lock_threshold 自 2030-01-01 起的值 3.5", "须为整数"]),
    "unordered_period": (lambda d: _value(d, "2021-01-01", "12"), ["参数 card_fee 的取值日期 2021-01-01",
                                                                   "早于前一个取值的日期 2027-01-01", "追加在最后"]),
    "overlapping_period": (lambda d: _value(d, "2027-01-01", "12"), ["取值日期 2027-01-01 与前一个取值的日期相同"]),
    "toml_syntax": (lambda d: append(d, "parameters.toml", "\n[card_fee.more  # DRAFT\n") or "parameters.toml",
                    ["参数文件", "格式有误", "第"]),
    "service_without_rules": (lambda d: append(d, "services.py", '\nSERVICES += (Service("renew", "续证", "§4"),)\n'),
                              ["业务「续证」(renew)已在业务清单中声明", "renew.py",
                                                 "请添加该业务的规则模块"]),
    "empty_folder": (lambda d: [shutil.rmtree(d), d.mkdir()] and None, ["不是规则目录", "缺少 __init__.py"]),
}


def _line_of(path: Path) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if "DRAFT" in line)


@pytest.fixture
def setting(tmp_path, fixture_book, monkeypatch):
    """A batch and its decision workbook (fixture rules), and a live rulebook of its own."""
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request()])
    decided = tmp_path / "决定.xlsx"
    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(decided), "--rules", str(FIXTURE_RULES),
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("SSCARD_RULES", str(copy_rulebook(tmp_path / "home" / "rules")))
    return batch, decided


COMMANDS = {
    "rules_list": lambda d, b, w: ["rules", "list", "--rules", d],
    "rules_export": lambda d, b, w: ["rules", "export", b.with_name("目录.xlsx"), "--rules", d],
    "rules_test": lambda d, b, w: ["rules", "test", "--rules", d],
    "rules_doc": lambda d, b, w: ["rules", "doc", "--rules", d],
    "rules_publish": lambda d, b, w: ["rules", "publish", d],
    "diff": lambda d, b, w: ["diff", b, "--old", FIXTURE_RULES, "--new", d],
    "check": lambda d, b, w: ["check", b, "-o", b.with_name("新决定.xlsx"), "--rules", d],
    "verify": lambda d, b, w: ["verify", w, "--rules", d],
    "explain": lambda d, b, w: ["explain", w, "F1", "--rules", d],
}


def _expect(message: str, draft: Path, broken: str, file: str | None) -> None:
    assert not PROGRAM_TEXT.search(message), message
    for words in BROKEN[broken][1]:
        assert words in message, message
    if file is not None:
        assert f"{file} 第 {_line_of(draft / file)} 行" in message, message
    assert re.search(r"[\u4e00-\u9fff]", message)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("broken", BROKEN)
def test_command_ends_with_one_chinese_line_naming_file_line_and_fix_when_the_draft_is_broken(
        tmp_path, setting, broken, command):
    batch, decided = setting
    draft = copy_rulebook(tmp_path / "草案")
    file = BROKEN[broken][0](draft)
    result = CliRunner().invoke(cli, [str(a) for a in COMMANDS[command](draft, batch, decided)])
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    _expect(lines[0], draft, broken, file)


@pytest.mark.parametrize("broken", BROKEN)
def test_lint_lists_the_problem_as_a_declaration_finding_when_the_draft_is_broken(tmp_path, broken):
    draft = copy_rulebook(tmp_path / "草案")
    file = BROKEN[broken][0](draft)
    result = CliRunner().invoke(cli, ["rules", "lint", "--rules", str(draft)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    findings = [line for line in result.output.splitlines() if line.startswith("[声明] ")]
    assert findings, result.output
    _expect(findings[0], draft, broken, file)
    assert f"规则库 {draft} 有 " in result.output.splitlines()[-1]


def test_validation_names_every_problem_in_lint_and_the_first_elsewhere_when_a_draft_has_several(tmp_path):
    draft = copy_rulebook(tmp_path / "草案")
    _rule(draft, 'when=row.aplicant == "本人", fee="card_fees"')
    lint = CliRunner().invoke(cli, ["rules", "lint", "--rules", str(draft)])
    assert len([line for line in lint.output.splitlines() if line.startswith("[声明] ")]) == 2
    listed = CliRunner().invoke(cli, ["rules", "list", "--rules", str(draft)])
    assert listed.exit_code == 2
    assert "(另有 1 处问题;sscard rules lint --rules" in listed.output
