"""A parameter not yet in force on the row's date sends the row to 人工复核 only when a
rule that would settle the row needs it (fixture rulebook: fees and thresholds from 2020)."""

import datetime as dt

import pytest
from conftest import fixture_decide


@pytest.fixture
def before_parameters(fixture_book):
    first = min(start for p in fixture_book.parameters for start, _ in p.values[:1])
    return dt.datetime.combine(first - dt.timedelta(days=1), dt.time())


def test_documents_missing_go_to_review_when_no_fee_is_in_force_yet(fixture_book, before_parameters):
    # 补正材料 outranks 人工复核, but no fee is in force to tell the applicant what it will cost.
    decision = fixture_decide(fixture_book, 申请日期=before_parameters, **{"材料:身份证件": "否"})
    assert decision.verdict == "人工复核"
    assert decision.rules == ("PARAMETER-NOT-IN-FORCE",)
    assert "工本费" in decision.basis[0]


def test_request_is_decided_when_its_service_reads_no_parameter_not_yet_in_force(fixture_book, before_parameters):
    decision = fixture_decide(fixture_book, 业务类型="重设密码", 账户="馆内账户", 申请日期=before_parameters)
    assert (decision.verdict, decision.fee) == ("受理", 0)


def test_rejection_decides_when_no_threshold_is_in_force_yet(fixture_book, before_parameters):
    decision = fixture_decide(fixture_book, 业务类型="重设密码", 账户="馆内账户", 办理人="代办",
                              申请日期=before_parameters)
    assert decision.verdict == "不予受理"


def test_unlock_goes_to_review_when_the_lock_count_is_not_in_force_yet(fixture_book, before_parameters):
    decision = fixture_decide(fixture_book, 业务类型="解锁", 错误次数=5, 申请日期=before_parameters)
    assert decision.verdict == "人工复核"
    assert "锁定次数" in decision.basis[-1]
