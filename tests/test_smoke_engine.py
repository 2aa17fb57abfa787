from conftest import request  # noqa: F401


def test_reissue_is_rejected_when_loss_not_reported(decide):
    decision = decide(业务类型="补卡", 卡状态="正常, ".strip(", "))
    assert decision.verdict == "不予受理"
    assert "REISSUE-NOT-REPORTED" in decision.rules
    assert "未办理挂失,不能补卡(§6)" in decision.basis
