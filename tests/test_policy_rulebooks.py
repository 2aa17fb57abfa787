"""Two rulebooks side by side, and dated parameters effective by 申请日期."""

import datetime as dt

import pytest
from conftest import request
from drafts import copy_rulebook, raise_card_fee

from engine.core.decide import Decider
from engine.core.loader import load_rulebook
from engine.core.normalise import normalise
from engine.errors import RulebookError


def _decide(book, decider, **fields):
    by_header = {c.header: c.key for c in book.schema.columns}
    cells = {by_header[h]: v for h, v in request(**fields).items()}
    return decider.decide(normalise(book.schema, cells))


REISSUE = {"业务类型": "补卡", "卡状态": "挂失", "材料:身份证件原件": "是"}


def test_live_and_draft_decide_independently_when_loaded_in_one_process(tmp_path, book, decider):
    draft_dir = copy_rulebook(tmp_path / "draft")
    raise_card_fee(draft_dir, dt.date(2020, 1, 1), 35)
    draft = load_rulebook(draft_dir)
    draft_decider = Decider(draft)

    assert _decide(draft, draft_decider, **REISSUE).fee == 35
    # The live rulebook, loaded first, is untouched by the draft loaded after it.
    assert _decide(book, decider, **REISSUE).fee == 20
    assert book.directory != draft.directory and book.digest != draft.digest


def test_fee_change_applies_only_from_its_date_when_appended_to_parameters(tmp_path, book, decider):
    draft_dir = copy_rulebook(tmp_path / "draft")
    raise_card_fee(draft_dir, dt.date(2027, 1, 1), 30)
    draft = load_rulebook(draft_dir)
    draft_decider = Decider(draft)

    def fee(which, day):
        b, d = which
        return _decide(b, d, **REISSUE, 申请日期=dt.datetime.combine(day, dt.time())).fee

    before, on = dt.date(2026, 12, 31), dt.date(2027, 1, 1)
    assert fee((draft, draft_decider), before) == 20
    assert fee((draft, draft_decider), on) == 30
    assert fee((draft, draft_decider), dt.date(2030, 6, 1)) == 30
    assert fee((book, decider), on) == 20
    assert [v for _, v in draft.parameters["card_fee"].values] == [20, 30]


def test_rulebook_is_refused_when_a_rule_names_missing_documents_but_no_place(tmp_path):
    # The 一次性告知书 must say where to bring what is missing.
    draft = copy_rulebook(tmp_path / "draft")
    source = (draft / "reissue.py").read_text(encoding="utf-8")
    (draft / "reissue.py").write_text(source.replace('        missing=("单位证明",),\n        place=WINDOW,\n',
                                                     '        missing=("单位证明",),\n'), encoding="utf-8")
    with pytest.raises(RulebookError, match="REISSUE-AGENT-MISSING-EMPLOYER-LETTER:列出缺少材料的规则须写明办理地点"):
        load_rulebook(draft)


def test_rulebook_is_refused_when_a_review_rule_does_not_say_who_decides(tmp_path):
    draft = copy_rulebook(tmp_path / "draft")
    source = (draft / "report_loss.py").read_text(encoding="utf-8")
    start = source.index("        next=", source.index('id="REPORT-LOSS-BY-OTHER"'))
    end = source.index("\n", start) + 1
    (draft / "report_loss.py").write_text(source[:start] + source[end:], encoding="utf-8")
    with pytest.raises(RulebookError, match="REPORT-LOSS-BY-OTHER:结论为「人工复核」的规则须在后续事项"):
        load_rulebook(draft)
