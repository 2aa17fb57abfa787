"""The fixture rulebook engine tests run on decides as its declarations say."""

from __future__ import annotations

import datetime as dt

from conftest import BAD_CHECK_DIGIT, fixture_decide


def test_fixture_rulebook_reaches_every_verdict_and_dates_its_fee(fixture_book):
    seen = {
        fixture_decide(fixture_book).verdict,
        fixture_decide(fixture_book, **{"材料:身份证件": "否"}).verdict,
        fixture_decide(fixture_book, 办理人="代办").verdict,
        fixture_decide(fixture_book, 业务类型="重设密码", 账户="银行账户").verdict,
        fixture_decide(fixture_book, 业务类型="解锁", 错误次数=1).verdict,
        fixture_decide(fixture_book, 读者证号=BAD_CHECK_DIGIT).verdict,
    }
    assert seen == set(fixture_book.verdicts)
    fee = fixture_book.parameters["工本费"]
    later = fee.values[-1][0]
    assert fixture_decide(fixture_book, 申请日期=dt.datetime.combine(later, dt.time()),
                          **{"材料:申请表": "是"}).fee == fee.values[-1][1]
    assert fixture_decide(fixture_book).fee == fee.on(dt.date(2026, 3, 1))


def test_missing_documents_say_what_to_bring_and_where_not_what_happens_after(fixture_book):
    decision = fixture_decide(fixture_book, **{"材料:身份证件": "否"})
    assert decision.verdict == "补正材料"
    expected = fixture_book.next_for_missing("身份证件", decision.place)
    assert decision.place and decision.next == expected
    accepted_steps = fixture_decide(fixture_book).next
    assert accepted_steps and accepted_steps not in decision.next  # nothing is issued yet


def test_review_row_says_who_decides_and_what_to_check(fixture_book):
    by_rule = fixture_decide(fixture_book, 办理人="代办")
    assert by_rule.verdict == "人工复核"
    rule = next(r for r in fixture_book.rules_for("issue") if r.verdict == "人工复核")
    assert by_rule.next == rule.next
    no_fee_yet = fixture_decide(fixture_book, 申请日期=dt.datetime(2019, 6, 1))  # before the first 工本费
    assert (no_fee_yet.verdict, no_fee_yet.next) == ("人工复核", fixture_book.unruled_next)


def test_rule_column_names_each_rule_beside_its_id_one_per_line(fixture_book):
    decision = fixture_decide(fixture_book, **{"材料:身份证件": "否"})
    rules = {r.id: r for r in fixture_book.rules_for("issue")}
    assert decision.cells()[-1].split("\n") == [rules[i].label for i in decision.rules]
    invalid = fixture_decide(fixture_book, 读者证号=BAD_CHECK_DIGIT)
    assert invalid.cells()[-1] == "INPUT-VALUE 取值有误"
