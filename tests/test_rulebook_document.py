"""The rulebook as a document: generated from the declarations by `sscard rules doc`, kept
current by `rules publish`, and this repository's copy is exactly what the command
generates from the rulebook published last."""

from __future__ import annotations

import re

from click.testing import CliRunner
from conftest import FIXTURE_RULES, ROOT

from cli import cli
from engine.records.archive import Archive

DOCUMENT = ROOT / "docs" / "规则手册.md"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_repository_document_is_what_rules_doc_generates_from_the_rulebook_published_last():
    text = DOCUMENT.read_text(encoding="utf-8")
    digest = re.search(r"SHA-256 `([0-9a-f]{64})`", text)[1]
    archive = Archive(ROOT / "archive")
    assert archive.publications()[-1].digest == digest, "docs/规则手册.md is not the last published rulebook's"
    generated = invoke("rules", "doc", archive.root / digest / "规则库.xlsx")
    assert generated.exit_code == 0, generated.output
    assert generated.output == text, "docs/规则手册.md differs from `sscard rules doc`: run sscard rules publish"


def test_rules_doc_names_every_rule_its_dates_and_interpretations_and_every_dated_value(fixture_book, tmp_path):
    out = tmp_path / "手册.md"
    result = invoke("rules", "doc", FIXTURE_RULES, "-o", out)
    assert result.exit_code == 0 and result.output == f"已写出 {out}\n", result.output
    text = out.read_text(encoding="utf-8")
    assert text == invoke("rules", "doc", FIXTURE_RULES).output
    sections = text.split("\n### ")
    for rule in fixture_book.unique_rules():
        section = next(s for s in sections if s.startswith(f"{rule.label}\n"))
        assert f"条款:{rule.clause}" in section and f"理由:{rule.reason}" in section
        assert ("**[解释性规则]**" in section) == rule.interpretation
        assert f"- 生效:{rule.period.words() or '一直有效'}" in section
    assert "| 材料:申请表 | 选填 | 可选:是/否 | 办证 | 自 2027-01-01 起 |" in text
    for parameter in fixture_book.parameters:
        for start, value in parameter.values:
            assert f"| {start.isoformat()} | {value:g} {parameter.unit} |" in text
    assert "条件:办理人 = 代办" in text and "条件:错误次数 ≥ 参数 锁定次数" in text
