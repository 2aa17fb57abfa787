"""`sscard rules publish`: lint and the cases first, nothing changed on any failure; then the
rulebook is archived under its SHA-256 (which gives its version), becomes the live one,
and the rulebook document is regenerated.  Decision workbooks made before are still
explained with the rules they were decided with."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re

import pytest
from click.testing import CliRunner
from conftest import fixture_request, live_of, write_batch
from drafts import add_row, append_value, delete_rule, editing, row_of, set_cell

from cli import cli
from engine.records.archive import archive_beside
from engine.records.ledger import Ledger
from engine.rulebook.source import load_rulebook

LATER = dt.datetime(2027, 3, 1)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def draft(tmp_path, fixture_home):
    """A draft of the live fixture rulebook with a new fee from 2029 (its cases still pass)."""
    path = invoke("rules", "draft", tmp_path / "草案.xlsx")
    assert path.exit_code == 0, path.output
    append_value(tmp_path / "草案.xlsx", "工本费", dt.date(2029, 1, 1), 18.5)
    return tmp_path / "草案.xlsx"


def _untouched(home):
    """What publishing may change: the live workbook, the archive, the document."""
    return (sorted((p.relative_to(home).as_posix(), p.read_bytes()) for p in home.rglob("*") if p.is_file()))


def test_rules_draft_copies_the_live_rulebook_and_never_over_an_existing_draft(tmp_path, fixture_home):
    target = tmp_path / "草案.xlsx"
    made = invoke("rules", "draft", target)
    assert made.exit_code == 0, made.output
    assert target.read_bytes() == live_of(fixture_home).read_bytes()
    assert made.output == (f"已把现行规则库 {live_of(fixture_home)} 复制为 {target};"
                           f"修改后请运行 sscard rules lint {target}\n")
    append_value(target, "工本费", dt.date(2029, 1, 1), 18.5)  # the officer's work
    edited = target.read_bytes()
    again = invoke("rules", "draft", target)
    assert again.exit_code == 2 and target.read_bytes() == edited
    assert again.output == f"错误:{target} 已存在(可能是正在修改的草案),未覆盖;请换一个文件名,或加 --force 覆盖\n"


def test_publish_archives_installs_documents_and_records_the_draft_when_every_check_passes(draft, fixture_home,
                                                                                         home_book):
    ledger_path = os.environ["SSCARD_LEDGER"]
    result = invoke("rules", "publish", draft)
    assert result.exit_code == 0, result.output
    live = live_of(fixture_home)
    book = load_rulebook(live)
    version = re.search(r"版本 (\S+)", result.output.splitlines()[0])[1]
    assert version == f"{dt.date.today():%Y.%m.%d}-{book.digest[:8]}"
    assert result.output.splitlines()[1:] == [
        f"  规则库 SHA-256 {book.digest}",
        f"  已归档到 {fixture_home / 'archive' / book.digest}",
        f"  现行规则库 {live} 已替换为 {draft} 的内容",
        f"  规则手册已更新:{fixture_home / 'docs' / '规则手册.md'}",
        f"  已记入账本 {ledger_path}(操作员 {getpass.getuser()})",
    ]
    [recorded] = Ledger(ledger_path).publications()  # the command line's operator drafted and approved it
    assert (recorded.rulebook_version, recorded.rulebook_digest, recorded.replaced_digest) == \
        (version, book.digest, home_book.digest)
    assert (recorded.drafted_by, recorded.approved_by, recorded.via) == (getpass.getuser(), getpass.getuser(), "命令行")
    history = invoke("history")
    assert f"规则库 {version}  起草 {getpass.getuser()}  审批 {getpass.getuser()}  经命令行" in history.output
    assert live.read_bytes() == draft.read_bytes() and book.parameters["工本费"].on(dt.date(2029, 2, 1)) == 18.5
    archived = fixture_home / "archive" / book.digest
    record = json.loads((archived / "published.json").read_text(encoding="utf-8"))
    assert (record["version"], record["sha256"], record["name"]) == (version, book.digest, book.name)
    assert (archived / "规则库.xlsx").read_bytes() == draft.read_bytes()  # the bytes as published, cases included
    rulesets = json.loads((archived / "规则集.json").read_text(encoding="utf-8"))
    assert sorted(rulesets) == ["issue", "reset", "unlock"]
    assert rulesets["reset"]["RESET-BANK"] == {"all": [{"m": {"$and": [{"业务类型": "reset"}, {"账户": "银行账户"}]}}]}
    assert "2029-01-01 | 18.5 元" in (fixture_home / "docs" / "规则手册.md").read_text(encoding="utf-8")
    listed = invoke("rules", "list")
    assert listed.output.splitlines()[0].startswith(f"借书证测试规则 版本 {version}(")


def _wrong_expectation(path):
    with editing(path) as workbook:
        set_cell(workbook["用例"], row_of(workbook["用例"], "用例名称", "办证"), "期望结论", "人工复核")


def _extra_rule(path):
    with editing(path) as workbook:
        add_row(workbook["重设密码"], {"规则编号": "RESET-EXTRA", "名称": "多余", "账户": "银行账户", "结论": "转银行办理",
                                     "办理地点": "合作银行", "条款": "§2", "依据": "多余", "生效日期": dt.date(2029, 1, 1)})


def _no_cases(path):
    with editing(path) as workbook:
        del workbook["用例"]


@pytest.mark.parametrize(("breakage", "words"), [
    (lambda d: delete_rule(d, "RESET-BANK"), "未发布:规则检查发现 1 个问题,第一个是 [空缺] 草案.xlsx「重设密码」"),
    (_wrong_expectation, "未发布:1 个用例失败:办证;请运行 sscard rules test"),
    (_extra_rule, "未发布:1 条规则没有用例命中:RESET-EXTRA 多余;请在「用例」表中为它们补充用例"),
    (_no_cases, "未发布:草案.xlsx:没有工作表「用例」"),
])
def test_publish_refuses_and_changes_nothing_when_a_check_fails(draft, fixture_home, breakage, words):
    breakage(draft)
    before = _untouched(fixture_home)
    result = invoke("rules", "publish", draft)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and words in result.output
    assert _untouched(fixture_home) == before


def test_publishing_the_same_rulebook_again_keeps_its_first_version(fixture_home, home_book):
    live = live_of(fixture_home)
    first = invoke("rules", "publish", live)
    again = invoke("rules", "publish", live)
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert first.output.splitlines()[0] == again.output.splitlines()[0] == \
        f"已发布:借书证测试规则 版本 {home_book.version}"
    assert "已替换" not in first.output  # the live workbook published in place


def test_a_workbook_decided_before_a_publication_is_still_explained_with_its_own_rules(draft, fixture_home,
                                                                                      fixture_book, tmp_path):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="A1")])
    out = tmp_path / "决定.xlsx"
    assert invoke("check", batch, "-o", out, "--workers", "1").exit_code == 0
    with editing(draft) as workbook:  # the 2026 review rule is renamed: a new ID, the same meaning
        sheet = workbook["办证"]
        set_cell(sheet, row_of(sheet, "规则编号", "ISSUE-BY-OTHER"), "规则编号", "ISSUE-BY-OTHER-2026")
        cases = workbook["用例"]
        set_cell(cases, row_of(cases, "用例名称", "代办 2026"), "期望规则", "ISSUE-BY-OTHER-2026")
    published = invoke("rules", "publish", draft)
    assert published.exit_code == 0, published.output
    explained = invoke("explain", out, "A1")
    assert explained.exit_code == 0, explained.output
    recorded = next(p for p in archive_beside(live_of(fixture_home)).publications() if p.digest == fixture_book.digest)
    assert f"按生成时的规则库({recorded.version})" in explained.output
    assert "ISSUE-BY-OTHER 代办办证须复核 未命中" in explained.output
