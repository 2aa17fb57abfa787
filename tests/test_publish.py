"""`sscard rules publish`: lint and the cases first, nothing changed on any failure; then the
rulebook is archived under its SHA-256 (which gives its version), becomes the live one,
and the rulebook document is regenerated.  Decision workbooks made before are still
explained with the rules they were decided with."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner
from conftest import fixture_request, write_batch
from drafts import append, append_value, copy_rulebook, delete_rule

from cli import cli
from engine.core.loader import load_rulebook
from engine.policy.cases import write_cases
from engine.records.archive import archive_beside

LATER = dt.datetime(2027, 3, 1)
FORM = {"材料:申请表": "是"}


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _case(name, verdict, fee=None, missing=None, rules=None, **fields):
    return {"用例名称": name, **fixture_request(申请编号=name, **fields), "期望结论": verdict, "期望费用(元)": fee,
            "期望缺少材料": missing, "期望规则": rules}


def fixture_cases(book):
    """A case for every rule of the fixture rulebook, its fee read from the rulebook."""
    fee = book.parameters["card_fee"].on
    return [
        _case("办证", "受理", fee(dt.date(2026, 3, 1)), "无", "ISSUE-ACCEPT"),
        _case("办证 缺身份证件", "补正材料", None, "身份证件", "ISSUE-MISSING-ID", **{"材料:身份证件": "否"}),
        _case("代办 2026", "人工复核", rules="ISSUE-BY-OTHER", 办理人="代办"),
        _case("代办 2027", "不予受理", rules="ISSUE-BY-OTHER-REFUSED", 办理人="代办", 申请日期=LATER, **FORM),
        _case("2027 缺申请表", "补正材料", fee(LATER.date()), "申请表", "ISSUE-MISSING-FORM", 申请日期=LATER),
        _case("重设 馆内", "受理", rules="RESET-LIBRARY", 业务类型="重设密码", 账户="馆内账户"),
        _case("重设 银行", "转银行办理", rules="RESET-BANK", 业务类型="重设密码", 账户="银行账户"),
        _case("重设 代办", "不予受理", rules="RESET-NOT-IN-PERSON", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),
        _case("解锁", "受理", rules="UNLOCK-LOCKED", 业务类型="解锁", 错误次数=3),
        _case("未锁定", "不予受理", rules="UNLOCK-NOT-LOCKED", 业务类型="解锁", 错误次数=2),
        _case("解锁 缺身份证件", "补正材料", rules="UNLOCK-MISSING-ID", 业务类型="解锁", 错误次数=3,
              **{"材料:身份证件": "否"}),
    ]


@pytest.fixture
def draft(tmp_path, fixture_home):
    directory = copy_rulebook(tmp_path / "草案")
    append_value(directory, "card_fee", dt.date(2029, 1, 1), 18.5)
    write_cases(directory / "cases.xlsx", load_rulebook(directory), fixture_cases(load_rulebook(directory)))
    return directory


def _untouched(home):
    """What publishing may change: the live folder, the archive, the document."""
    return (sorted((p.relative_to(home).as_posix(), p.read_bytes()) for p in home.rglob("*") if p.is_file()))


def test_publish_archives_installs_and_documents_the_draft_when_every_check_passes(draft, fixture_home):
    result = invoke("rules", "publish", draft)
    assert result.exit_code == 0, result.output
    book = load_rulebook(fixture_home / "rules")
    version = re.search(r"版本 (\S+)", result.output.splitlines()[0])[1]
    assert version == f"{dt.date.today():%Y.%m.%d}-{book.digest[:8]}"
    assert result.output.splitlines()[1:] == [
        f"  规则库 SHA-256 {book.digest}",
        f"  已归档到 {fixture_home / 'archive' / book.digest}",
        f"  现行规则库 {fixture_home / 'rules'} 已替换为 {draft} 的内容",
        f"  规则手册已更新:{fixture_home / 'docs' / '规则手册.md'}",
    ]
    assert book.digest == load_rulebook(draft).digest and book.parameters["card_fee"].on(dt.date(2029, 2, 1)) == 18.5
    archived = fixture_home / "archive" / book.digest
    record = json.loads((archived / "published.json").read_text(encoding="utf-8"))
    assert (record["version"], record["sha256"], record["files"]) == (version, book.digest, book.files)
    assert load_rulebook(archived).digest == book.digest and (archived / "cases.xlsx").is_file()
    assert "2029-01-01 | 18.5 元" in (fixture_home / "docs" / "规则手册.md").read_text(encoding="utf-8")
    listed = invoke("rules", "list")
    assert listed.output.splitlines()[0].startswith(f"借书证测试规则 版本 {version}(")


@pytest.mark.parametrize(("breakage", "words"), [
    (lambda d: delete_rule(d, "reset", "RESET-BANK"), "未发布:规则检查发现 1 个问题,第一个是 [空缺] 重设密码"),
    (lambda d: write_cases(d / "cases.xlsx", load_rulebook(d), [{**case, "期望结论": "人工复核"} if case["用例名称"] == "办证"
                                                                 else case for case in fixture_cases(load_rulebook(d))]),
     "未发布:1 个用例失败:办证;请运行 sscard rules test"),
    (lambda d: append(d, "reset.py", '\nfrom datetime import date\nRULES += (Rule(id="RESET-EXTRA", name="多余", '
                                     'clause="§2", reason="多余", verdict="转银行办理", place="合作银行", '
                                     'when=row.account == "银行账户", since=date(2029, 1, 1)),)\n'),
     "未发布:1 条规则没有用例命中:RESET-EXTRA 多余"),
    (lambda d: (d / "cases.xlsx").unlink(), "未发布:"),
])
def test_publish_refuses_and_changes_nothing_when_a_check_fails(draft, fixture_home, breakage, words):
    breakage(draft)
    before = _untouched(fixture_home)
    result = invoke("rules", "publish", draft)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and words in result.output
    assert _untouched(fixture_home) == before


def test_publishing_the_same_rulebook_again_keeps_its_first_version(fixture_home, home_book, tmp_path):
    live = fixture_home / "rules"
    write_cases(live / "cases.xlsx", home_book, fixture_cases(home_book))
    first = invoke("rules", "publish", live)
    again = invoke("rules", "publish", live)
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert first.output.splitlines()[0] == again.output.splitlines()[0] == \
        f"已发布:借书证测试规则 版本 {home_book.version}"
    assert "已替换" not in first.output  # the live folder published in place


def test_a_workbook_decided_before_a_publication_is_still_explained_with_its_own_rules(draft, fixture_home,
                                                                                      fixture_book, tmp_path):
    batch = write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="A1")])
    out = tmp_path / "决定.xlsx"
    assert invoke("check", batch, "-o", out, "--workers", "1").exit_code == 0
    delete_rule(draft, "issue", "ISSUE-BY-OTHER")  # lint now finds a gap: first make the draft publishable
    append(draft, "issue.py", '\nRULES += (Rule(id="ISSUE-BY-OTHER-2026", name="代办须复核", clause="§1", '
                              'reason="代办办证须馆员确认", verdict="人工复核", when=row.applicant == "代办", '
                              'next="请馆员复核", until=date(2026, 12, 31)),)\n')
    cases = fixture_cases(load_rulebook(draft))
    cases[2]["期望规则"] = "ISSUE-BY-OTHER-2026"
    write_cases(draft / "cases.xlsx", load_rulebook(draft), cases)
    assert invoke("rules", "publish", draft).exit_code == 0
    explained = invoke("explain", out, "A1")
    assert explained.exit_code == 0, explained.output
    recorded = next(p for p in archive_beside(fixture_home / "rules").publications() if p.digest == fixture_book.digest)
    assert f"按生成时的规则库({recorded.version})" in explained.output
    assert "ISSUE-BY-OTHER 代办办证须复核 未命中" in explained.output
