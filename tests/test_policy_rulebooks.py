"""Two rulebooks side by side, and dated parameters effective by 申请日期."""

import datetime as dt

from conftest import fixture_decide
from drafts import append_value, copy_rulebook, editing, row_of, set_cell

from engine.policy.lint import lint
from engine.rulebook.source import load_rulebook


def _on(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def test_live_and_draft_decide_independently_when_loaded_in_one_process(tmp_path, fixture_book):
    draft_dir = copy_rulebook(tmp_path / "draft.xlsx")
    fee = fixture_book.parameters["工本费"]
    start, before = fee.values[-1][0] + dt.timedelta(days=365), fee.values[-1][1]
    append_value(draft_dir, "工本费", start, before + 7)
    draft = load_rulebook(draft_dir)

    assert fixture_decide(draft, 申请日期=_on(start)).fee == before + 7
    # The rulebook loaded first is untouched by the draft loaded after it.
    assert fixture_decide(fixture_book, 申请日期=_on(start)).fee == before
    assert fixture_book.path != draft.path and fixture_book.digest != draft.digest


def test_fee_change_applies_only_from_its_date_when_appended_to_parameters(tmp_path, fixture_book):
    draft_dir = copy_rulebook(tmp_path / "draft.xlsx")
    history = fixture_book.parameters["工本费"].values
    start = history[-1][0] + dt.timedelta(days=400)
    append_value(draft_dir, "工本费", start, 99.5)
    draft = load_rulebook(draft_dir)

    assert fixture_decide(draft, 申请日期=_on(start - dt.timedelta(days=1))).fee == history[-1][1]
    assert fixture_decide(draft, 申请日期=_on(start)).fee == 99.5
    assert fixture_decide(draft, 申请日期=_on(start + dt.timedelta(days=3000))).fee == 99.5
    assert [v for _, v in draft.parameters["工本费"].values] == [v for _, v in history] + [99.5]


def test_lint_refuses_a_rule_naming_missing_documents_but_no_place(tmp_path):
    # The 一次性告知书 must say where to bring what is missing.
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    with editing(draft) as workbook:
        cell = set_cell(workbook["办证"], row_of(workbook["办证"], "规则编号", "ISSUE-MISSING-ID"), "办理地点", None)
    assert f"draft.xlsx「办证」{cell}:规则 ISSUE-MISSING-ID 列出了缺少材料,须写明办理地点,告知申请人到哪里补正" in [
        f.message for f in lint(load_rulebook(draft))]


def test_lint_refuses_a_review_rule_that_does_not_say_who_decides(tmp_path):
    draft = copy_rulebook(tmp_path / "draft.xlsx")
    with editing(draft) as workbook:
        cell = set_cell(workbook["办证"], row_of(workbook["办证"], "规则编号", "ISSUE-BY-OTHER"), "后续事项", None)
    assert f"draft.xlsx「办证」{cell}:规则 ISSUE-BY-OTHER 的结论为「人工复核」,须在后续事项中写明由谁决定、核对什么" in [
        f.message for f in lint(load_rulebook(draft))]
