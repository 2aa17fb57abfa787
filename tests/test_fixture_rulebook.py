"""The fixture rulebook engine tests run on decides as its declarations say."""

from __future__ import annotations

import datetime as dt

from conftest import fixture_decide


def test_fixture_rulebook_reaches_every_verdict_and_dates_its_fee(fixture_book):
    seen = {
        fixture_decide(fixture_book).verdict,
        fixture_decide(fixture_book, **{"材料:身份证件": "否"}).verdict,
        fixture_decide(fixture_book, 办理人="代办").verdict,
        fixture_decide(fixture_book, 业务类型="重设密码", 账户="银行账户").verdict,
        fixture_decide(fixture_book, 业务类型="解锁", 错误次数=1).verdict,
        fixture_decide(fixture_book, 读者证号="12345675").verdict,
    }
    assert seen == set(fixture_book.verdicts)
    fee = fixture_book.parameters["card_fee"]
    later = fee.values[-1][0]
    assert fixture_decide(fixture_book, 申请日期=dt.datetime.combine(later, dt.time()),
                          **{"材料:申请表": "是"}).fee == fee.values[-1][1]
    assert fixture_decide(fixture_book).fee == fee.on(dt.date(2026, 3, 1))
