"""Two rulebooks side by side, and dated parameters effective by 申请日期."""

import datetime as dt

from conftest import request
from drafts import copy_rulebook, raise_card_fee

from engine.core.decide import Decider
from engine.core.loader import load_rulebook
from engine.core.normalise import normalise


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
