def test_reissue_is_rejected_when_loss_not_reported(decide):
    decision = decide(业务类型="补卡", 卡状态="正常")
    assert decision.verdict == "不予受理"
    assert "REISSUE-NOT-REPORTED" in decision.rules
    assert "未办理挂失,不能补卡(§6)" in decision.basis


def test_documents_missing_before_any_fee_is_in_force_goes_to_review(decide):
    # 补正材料 outranks 人工复核, but no fee is in force to tell the applicant what it will cost.
    decision = decide(业务类型="补卡", 卡状态="挂失", 申请日期="2014-06-01")
    assert decision.verdict == "人工复核"
    assert decision.rules == ("PARAMETER-NOT-IN-FORCE",)
    assert "card_fee" in decision.basis[0]


def test_free_request_is_decided_when_only_an_unused_fee_is_not_yet_in_force(decide):
    decision = decide(业务类型="信息变更", 原因="数据采集错误", 申请日期="2014-06-01",
                      **{"材料:身份证件原件": "是", "材料:社保卡": "是"})
    assert (decision.verdict, decision.fee) == ("受理", 0)


def test_cancelled_card_is_rejected_even_when_no_parameter_is_in_force(decide):
    decision = decide(业务类型="补卡", 卡状态="注销", 申请日期="2014-06-01")
    assert decision.verdict == "不予受理"
    assert "COMMON-CARD-CANCELLED" in decision.rules


def test_bank_unlock_is_referred_when_the_lock_threshold_is_not_yet_in_force(decide):
    decision = decide(业务类型="密码解锁", 账户类型="银行账户", 申请日期="2014-06-01")
    assert decision.verdict == "转银行办理"


def test_social_unlock_goes_to_review_when_the_lock_threshold_is_not_yet_in_force(decide):
    decision = decide(业务类型="密码解锁", 账户类型="社保账户", 连续密码错误次数=5, 申请日期="2014-06-01",
                      **{"材料:身份证件原件": "是", "材料:社保卡": "是"})
    assert decision.verdict == "人工复核"
