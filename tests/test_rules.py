"""Every service rule, checked against RULEBOOK.md ("Per service" and C3–C6).

The expected 结论 and 缺少材料 of each case, and whether it is free or charged, are
worked out from RULEBOOK.md by hand, not read from rules/: the point is a second,
independent reading of the policy.  The rule IDs come from rules/, because RULEBOOK.md
leaves naming to them, and so does the amount of the fee: it is a dated parameter a
policy officer changes by appending a value, not a rule.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import CASE_DAY, RULES

from engine.rulebook.source import load_rulebook

YES, NO = "是", "否"
CARD_FEE = load_rulebook(RULES).parameters["工本费"]
FEE = CARD_FEE.on(CASE_DAY.date())  # the paid services charge 工本费, in force on the cases' date

ID = {"材料:身份证件原件": YES}
CARD = {"材料:社保卡": YES}
ID_CARD = {**ID, **CARD}
AGENT_IDS = {"材料:受托人身份证原件": YES, "材料:受托人身份证复印件": YES}


def case(name, fields, verdict, fee=0, missing=(), rules=()):
    """One row: its fields by header, and what RULEBOOK.md says the checker must answer.

    ``rules``: IDs that must be among the fired rules (not necessarily all of them)."""
    return pytest.param(fields, verdict, fee, frozenset(missing), tuple(rules.split()) if rules else (), id=name)


# 信息变更 (§1, §7(二))
INFO_DATA = {"业务类型": "信息变更", "原因": "数据采集错误", **ID_CARD}
INFO_PERSONAL = {"业务类型": "信息变更", "原因": "信息变更", **ID_CARD, "材料:变更证明": YES}
# 密码重置 (§2) / 密码解锁 (§3)
RESET_SOCIAL = {"业务类型": "密码重置", "账户类型": "社保账户", **ID_CARD}
RESET_BANK = {"业务类型": "密码重置", "账户类型": "银行账户"}
UNLOCK_SOCIAL = {"业务类型": "密码解锁", "账户类型": "社保账户", "连续密码错误次数": 3, **ID_CARD}
UNLOCK_BANK = {"业务类型": "密码解锁", "账户类型": "银行账户"}
# 挂失 (§4) / 解除挂失 (§5) / 补卡 (§6)
LOSS = {"业务类型": "挂失", "原因": "丢失"}
CANCEL = {"业务类型": "解除挂失", "卡状态": "挂失", "已申请补卡": NO, **ID_CARD}
REISSUE = {"业务类型": "补卡", "卡状态": "挂失", **ID}
REISSUE_AGENT = {**REISSUE, "办理人": "代办", **AGENT_IDS}
REISSUE_EMPLOYED = {**REISSUE_AGENT, "有工作单位": YES, "材料:单位证明": YES}
REISSUE_UNEMPLOYED = {**REISSUE_AGENT, "有工作单位": NO, "材料:社区证明": YES}
# 换卡 (§7(一))
EXCHANGE = {"业务类型": "换卡", "原因": "卡面污损", "损坏责任": "卡片质量问题", **ID_CARD}
# 注销 (§8)
DEATH = {"业务类型": "注销", "原因": "死亡", "户籍已注销": YES, "人社业务已办结": YES, "银行业务已办清": YES,
         "材料:户籍注销证明": YES}
RENEWAL = {"业务类型": "注销", "原因": "换领新卡", "已领取新卡": YES, **CARD}

SERVICE_CASES = [
    # 信息变更: data error is free, a change of the holder's own details is paid.
    case("info_change_accepted_free_when_data_error", INFO_DATA, "受理", 0, (), "INFO-CHANGE-DATA-ERROR"),
    case("info_change_needs_no_proof_when_data_error", {**INFO_DATA, "材料:变更证明": NO}, "受理", 0),
    case("info_change_accepted_paid_when_personal_details_changed", INFO_PERSONAL, "受理", FEE, (),
         "INFO-CHANGE-PERSONAL"),
    case("info_change_needs_proof_when_personal_details_changed", {**INFO_PERSONAL, "材料:变更证明": NO},
         "补正材料", FEE, ["变更证明"], "INFO-CHANGE-MISSING-PROOF"),
    case("info_change_needs_card_when_card_not_handed_back", {**INFO_DATA, "材料:社保卡": NO},
         "补正材料", 0, ["社保卡"], "INFO-CHANGE-MISSING-CARD"),
    case("info_change_needs_id_when_id_not_shown", {**INFO_DATA, "材料:身份证件原件": NO},
         "补正材料", 0, ["身份证件原件"], "INFO-CHANGE-MISSING-ID"),
    case("info_change_lists_every_document_when_all_missing",
         {"业务类型": "信息变更", "原因": "信息变更"}, "补正材料", FEE, ["社保卡", "身份证件原件", "变更证明"],
         "INFO-CHANGE-MISSING-CARD INFO-CHANGE-MISSING-ID INFO-CHANGE-MISSING-PROOF"),
    case("info_change_rejected_when_reason_not_for_this_service", {**INFO_DATA, "原因": "丢失"},
         "不予受理", 0, (), "INFO-CHANGE-REASON-INVALID"),
    case("info_change_rejected_when_by_agent", {**INFO_DATA, "办理人": "代办"},
         "不予受理", 0, (), "INFO-CHANGE-NOT-IN-PERSON"),
    case("info_change_rejected_when_card_frozen", {**INFO_PERSONAL, "卡状态": "挂失"},
         "不予受理", 0, (), "COMMON-CARD-FROZEN"),

    # 密码重置
    case("pin_reset_accepted_when_social_account_in_person", RESET_SOCIAL, "受理", 0, (), "PIN-RESET-SOCIAL"),
    case("pin_reset_referred_when_bank_account", RESET_BANK, "转银行办理", 0, (), "PIN-RESET-BANK"),
    case("pin_reset_referred_when_bank_account_by_agent_on_frozen_card",
         {**RESET_BANK, "办理人": "代办", "卡状态": "挂失"}, "转银行办理", 0, (), "PIN-RESET-BANK"),
    case("pin_reset_rejected_when_by_agent", {**RESET_SOCIAL, "办理人": "代办"},
         "不予受理", 0, (), "PIN-RESET-NOT-IN-PERSON"),
    case("pin_reset_needs_card_when_card_not_shown", {**RESET_SOCIAL, "材料:社保卡": NO},
         "补正材料", 0, ["社保卡"], "PIN-RESET-MISSING-CARD"),
    case("pin_reset_needs_id_when_id_not_shown", {**RESET_SOCIAL, "材料:身份证件原件": NO},
         "补正材料", 0, ["身份证件原件"], "PIN-RESET-MISSING-ID"),
    case("pin_reset_rejected_when_card_frozen", {**RESET_SOCIAL, "卡状态": "挂失"},
         "不予受理", 0, (), "COMMON-CARD-FROZEN"),

    # 密码解锁: locked at 3 wrong passwords in a row (密码锁定次数).
    case("pin_unlock_accepted_when_wrong_count_reaches_threshold", UNLOCK_SOCIAL, "受理", 0, (),
         "PIN-UNLOCK-LOCKED"),
    case("pin_unlock_accepted_when_wrong_count_above_threshold", {**UNLOCK_SOCIAL, "连续密码错误次数": 7},
         "受理", 0, (), "PIN-UNLOCK-LOCKED"),
    case("pin_unlock_rejected_when_wrong_count_below_threshold", {**UNLOCK_SOCIAL, "连续密码错误次数": 2},
         "不予受理", 0, (), "PIN-UNLOCK-NOT-LOCKED"),
    case("pin_unlock_rejected_when_no_wrong_password", {**UNLOCK_SOCIAL, "连续密码错误次数": 0},
         "不予受理", 0, (), "PIN-UNLOCK-NOT-LOCKED"),
    case("pin_unlock_referred_when_bank_account", UNLOCK_BANK, "转银行办理", 0, (), "PIN-UNLOCK-BANK"),
    case("pin_unlock_referred_when_bank_account_by_agent_on_frozen_card",
         {**UNLOCK_BANK, "办理人": "代办", "卡状态": "挂失"}, "转银行办理", 0, (), "PIN-UNLOCK-BANK"),
    case("pin_unlock_rejected_when_by_agent", {**UNLOCK_SOCIAL, "办理人": "代办"},
         "不予受理", 0, (), "PIN-UNLOCK-NOT-IN-PERSON"),
    case("pin_unlock_needs_card_when_card_not_shown", {**UNLOCK_SOCIAL, "材料:社保卡": NO},
         "补正材料", 0, ["社保卡"], "PIN-UNLOCK-MISSING-CARD"),
    case("pin_unlock_needs_id_when_id_not_shown", {**UNLOCK_SOCIAL, "材料:身份证件原件": None},
         "补正材料", 0, ["身份证件原件"], "PIN-UNLOCK-MISSING-ID"),
    case("pin_unlock_rejected_when_card_frozen", {**UNLOCK_SOCIAL, "卡状态": "挂失"},
         "不予受理", 0, (), "COMMON-CARD-FROZEN"),

    # 挂失: by phone, no documents.
    case("report_loss_accepted_when_card_lost", LOSS, "受理", 0, (), "REPORT-LOSS-ACCEPT"),
    case("report_loss_accepted_without_documents_when_card_stolen", {**LOSS, "原因": "被盗"},
         "受理", 0, (), "REPORT-LOSS-ACCEPT"),
    case("report_loss_rejected_when_already_reported", {**LOSS, "卡状态": "挂失"},
         "不予受理", 0, (), "REPORT-LOSS-ALREADY-REPORTED"),
    case("report_loss_rejected_when_reason_not_loss", {**LOSS, "原因": "卡面污损"},
         "不予受理", 0, (), "REPORT-LOSS-REASON-INVALID"),
    case("report_loss_goes_to_review_when_reported_by_someone_else", {**LOSS, "办理人": "代办"},
         "人工复核", 0, (), "REPORT-LOSS-BY-OTHER"),

    # 解除挂失
    case("cancel_loss_accepted_when_found_card_not_reissued", CANCEL, "受理", 0, (), "CANCEL-LOSS-ACCEPT"),
    case("cancel_loss_accepted_when_reissue_cell_blank", {**CANCEL, "已申请补卡": None},
         "受理", 0, (), "CANCEL-LOSS-ACCEPT"),
    case("cancel_loss_rejected_when_card_not_reported", {**CANCEL, "卡状态": "正常"},
         "不予受理", 0, (), "CANCEL-LOSS-NOT-REPORTED"),
    case("cancel_loss_rejected_when_reissue_applied", {**CANCEL, "已申请补卡": YES},
         "不予受理", 0, (), "CANCEL-LOSS-REISSUE-APPLIED"),
    case("cancel_loss_rejected_when_by_agent", {**CANCEL, "办理人": "代办"},
         "不予受理", 0, (), "CANCEL-LOSS-NOT-IN-PERSON"),
    case("cancel_loss_needs_id_original_when_only_a_copy", {**CANCEL, "材料:身份证件原件": NO},
         "补正材料", 0, ["身份证件原件"], "CANCEL-LOSS-MISSING-ID"),
    case("cancel_loss_needs_card_when_card_not_shown", {**CANCEL, "材料:社保卡": NO},
         "补正材料", 0, ["社保卡"], "CANCEL-LOSS-MISSING-CARD"),

    # 补卡: paid [interpretation]; an agent brings more.
    case("reissue_accepted_paid_when_reported_in_person", REISSUE, "受理", FEE, (), "REISSUE-ACCEPT REISSUE-FEE"),
    case("reissue_rejected_when_loss_not_reported", {**REISSUE, "卡状态": "正常"},
         "不予受理", 0, (), "REISSUE-NOT-REPORTED"),
    case("reissue_needs_holder_id_when_in_person_without_id", {**REISSUE, "材料:身份证件原件": NO},
         "补正材料", FEE, ["身份证件原件"], "REISSUE-MISSING-HOLDER-ID"),
    case("reissue_accepted_when_agent_brings_employer_letter", REISSUE_EMPLOYED, "受理", FEE, (),
         "REISSUE-ACCEPT REISSUE-FEE"),
    case("reissue_accepted_when_agent_brings_community_letter", REISSUE_UNEMPLOYED, "受理", FEE, (),
         "REISSUE-ACCEPT REISSUE-FEE"),
    case("reissue_needs_holder_id_when_agent_lacks_it", {**REISSUE_EMPLOYED, "材料:身份证件原件": NO},
         "补正材料", FEE, ["身份证件原件"], "REISSUE-MISSING-HOLDER-ID"),
    case("reissue_needs_agent_id_when_agent_lacks_original", {**REISSUE_EMPLOYED, "材料:受托人身份证原件": NO},
         "补正材料", FEE, ["受托人身份证原件"], "REISSUE-AGENT-MISSING-AGENT-ID"),
    case("reissue_needs_agent_copy_when_agent_lacks_copy", {**REISSUE_UNEMPLOYED, "材料:受托人身份证复印件": None},
         "补正材料", FEE, ["受托人身份证复印件"], "REISSUE-AGENT-MISSING-AGENT-COPY"),
    case("reissue_needs_employer_letter_when_holder_employed",
         {**REISSUE_EMPLOYED, "材料:单位证明": NO, "材料:社区证明": YES},
         "补正材料", FEE, ["单位证明"], "REISSUE-AGENT-MISSING-EMPLOYER-LETTER"),
    case("reissue_needs_community_letter_when_holder_not_employed",
         {**REISSUE_UNEMPLOYED, "材料:社区证明": NO, "材料:单位证明": YES},
         "补正材料", FEE, ["社区证明"], "REISSUE-AGENT-MISSING-COMMUNITY-LETTER"),
    case("reissue_lists_every_document_when_agent_brings_nothing",
         {"业务类型": "补卡", "卡状态": "挂失", "办理人": "代办", "有工作单位": YES},
         "补正材料", FEE, ["身份证件原件", "受托人身份证原件", "受托人身份证复印件", "单位证明"],
         "REISSUE-MISSING-HOLDER-ID REISSUE-AGENT-MISSING-AGENT-ID REISSUE-AGENT-MISSING-AGENT-COPY "
         "REISSUE-AGENT-MISSING-EMPLOYER-LETTER"),
    case("reissue_needs_no_agent_documents_when_in_person",
         {**REISSUE, "有工作单位": YES, "材料:受托人身份证原件": NO, "材料:单位证明": NO}, "受理", FEE),

    # 换卡: eligible damage; who caused it sets the fee.
    case("exchange_accepted_free_when_quality_problem", EXCHANGE, "受理", 0, (), "EXCHANGE-ELIGIBLE EXCHANGE-FREE"),
    case("exchange_accepted_free_when_data_error",
         {**EXCHANGE, "原因": "卡面残缺", "损坏责任": "数据采集错误"}, "受理", 0, (), "EXCHANGE-FREE"),
    case("exchange_accepted_paid_when_misuse", {**EXCHANGE, "原因": "无法读写", "损坏责任": "使用不当"},
         "受理", FEE, (), "EXCHANGE-ELIGIBLE EXCHANGE-PAID"),
    case("exchange_accepted_paid_when_other_fault", {**EXCHANGE, "损坏责任": "其他"},
         "受理", FEE, (), "EXCHANGE-PAID"),
    case("exchange_rejected_when_card_expired", {**EXCHANGE, "原因": "卡片过期", "损坏责任": None},
         "不予受理", 0, (), "EXCHANGE-CARD-EXPIRED"),
    case("exchange_rejected_when_reason_not_damage", {**EXCHANGE, "原因": "信息变更"},
         "不予受理", 0, (), "EXCHANGE-REASON-INVALID"),
    case("exchange_rejected_when_by_agent", {**EXCHANGE, "办理人": "代办"},
         "不予受理", 0, (), "EXCHANGE-NOT-IN-PERSON"),
    case("exchange_needs_old_card_when_not_brought", {**EXCHANGE, "损坏责任": "使用不当", "材料:社保卡": NO},
         "补正材料", FEE, ["社保卡"], "EXCHANGE-MISSING-CARD"),
    case("exchange_needs_id_when_not_shown", {**EXCHANGE, "材料:身份证件原件": NO},
         "补正材料", 0, ["身份证件原件"], "EXCHANGE-MISSING-ID"),
    case("exchange_rejected_when_card_frozen", {**EXCHANGE, "卡状态": "挂失"},
         "不予受理", 0, (), "COMMON-CARD-FROZEN"),

    # 注销 for death or disappearance (§8(一)): an agent may apply.
    case("deregister_accepted_when_holder_died_and_all_settled", DEATH, "受理", 0, (), "DEREGISTER-DEATH-ACCEPT"),
    case("deregister_accepted_when_missing_person_by_agent", {**DEATH, "原因": "失踪", "办理人": "代办"},
         "受理", 0, (), "DEREGISTER-DEATH-ACCEPT"),
    case("deregister_accepted_when_dead_holders_card_was_reported_lost", {**DEATH, "卡状态": "挂失"},
         "受理", 0, (), "DEREGISTER-DEATH-ACCEPT"),
    case("deregister_rejected_when_hukou_not_cancelled", {**DEATH, "户籍已注销": NO},
         "不予受理", 0, (), "DEREGISTER-HUKOU-NOT-CANCELLED"),
    case("deregister_rejected_when_hrss_not_closed", {**DEATH, "人社业务已办结": NO},
         "不予受理", 0, (), "DEREGISTER-HRSS-NOT-CLOSED"),
    case("deregister_rejected_when_bank_not_closed", {**DEATH, "银行业务已办清": None},
         "不予受理", 0, (), "DEREGISTER-BANK-NOT-CLOSED"),
    case("deregister_names_everything_undone_when_nothing_settled",
         {"业务类型": "注销", "原因": "死亡", "材料:户籍注销证明": YES}, "不予受理", 0, (),
         "DEREGISTER-HUKOU-NOT-CANCELLED DEREGISTER-HRSS-NOT-CLOSED DEREGISTER-BANK-NOT-CLOSED"),
    case("deregister_needs_hukou_proof_when_not_brought", {**DEATH, "材料:户籍注销证明": NO},
         "补正材料", 0, ["户籍注销证明"], "DEREGISTER-MISSING-HUKOU-PROOF"),
    # 注销 of the old card after a new one was received (§8(二)): in person.
    case("deregister_accepted_when_new_card_received", RENEWAL, "受理", 0, (), "DEREGISTER-RENEWAL-ACCEPT"),
    case("deregister_rejected_when_new_card_not_received", {**RENEWAL, "已领取新卡": NO},
         "不予受理", 0, (), "DEREGISTER-NEW-CARD-NOT-RECEIVED"),
    case("deregister_needs_old_card_when_not_handed_back", {**RENEWAL, "材料:社保卡": NO},
         "补正材料", 0, ["社保卡"], "DEREGISTER-RENEWAL-MISSING-CARD"),
    case("deregister_rejected_when_renewal_by_agent", {**RENEWAL, "办理人": "代办"},
         "不予受理", 0, (), "DEREGISTER-RENEWAL-NOT-IN-PERSON"),
    case("deregister_rejected_when_reason_not_allowed", {**DEATH, "原因": "卡面污损"},
         "不予受理", 0, (), "DEREGISTER-REASON-INVALID"),
]

# C3: a cancelled card no longer exists, whatever the service (a bank password too).
ACCEPTED_ROWS = {
    "info_change": INFO_PERSONAL, "pin_reset": RESET_SOCIAL, "pin_reset_bank": RESET_BANK,
    "pin_unlock": UNLOCK_SOCIAL, "pin_unlock_bank": UNLOCK_BANK, "report_loss": LOSS,
    "cancel_loss": CANCEL, "reissue": REISSUE_EMPLOYED, "exchange": EXCHANGE, "deregister_death": DEATH,
    "deregister_renewal": RENEWAL,
}
CANCELLED_CASES = [
    case(f"{name}_rejected_when_card_cancelled", {**fields, "卡状态": "注销"}, "不予受理", 0, (),
         "COMMON-CARD-CANCELLED")
    for name, fields in ACCEPTED_ROWS.items()
]

# Precedence: 输入有误 > 不予受理 > 补正材料 > 人工复核 > 转银行办理 > 受理.
PRECEDENCE_CASES = [
    case("rejection_wins_over_missing_documents_when_agent_exchanges_without_card",
         {**EXCHANGE, "办理人": "代办", "材料:社保卡": NO}, "不予受理", 0, (),
         "EXCHANGE-NOT-IN-PERSON EXCHANGE-MISSING-CARD"),
    case("rejection_wins_over_missing_documents_when_reissue_not_reported",
         {"业务类型": "补卡", "卡状态": "正常", "办理人": "代办", "有工作单位": NO}, "不予受理", 0, (),
         "REISSUE-NOT-REPORTED"),
    case("rejection_wins_over_missing_documents_when_cancel_after_reissue",
         {"业务类型": "解除挂失", "卡状态": "挂失", "已申请补卡": YES}, "不予受理", 0, (),
         "CANCEL-LOSS-REISSUE-APPLIED"),
    case("rejection_wins_over_review_when_someone_else_reports_a_frozen_card",
         {**LOSS, "办理人": "代办", "卡状态": "挂失"}, "不予受理", 0, (),
         "REPORT-LOSS-ALREADY-REPORTED REPORT-LOSS-BY-OTHER"),
    case("rejection_wins_over_bank_referral_when_card_cancelled",
         {**UNLOCK_BANK, "卡状态": "注销"}, "不予受理", 0, (), "COMMON-CARD-CANCELLED PIN-UNLOCK-BANK"),
    case("missing_documents_win_over_acceptance_when_paid_exchange_lacks_id",
         {**EXCHANGE, "损坏责任": "使用不当", "材料:身份证件原件": NO}, "补正材料", FEE, ["身份证件原件"],
         "EXCHANGE-PAID EXCHANGE-MISSING-ID"),
    case("review_wins_over_acceptance_when_someone_else_reports_loss",
         {**LOSS, "办理人": "代办"}, "人工复核", 0, (), "REPORT-LOSS-ACCEPT REPORT-LOSS-BY-OTHER"),
]

ALL_CASES = SERVICE_CASES + CANCELLED_CASES + PRECEDENCE_CASES


def _check(decision, verdict, fee, missing, rules):
    assert decision.verdict == verdict, decision.basis
    assert decision.fee == fee
    assert frozenset(decision.missing) == missing
    assert len(decision.missing) == len(missing), "a missing document is listed twice"
    for rule in rules:
        assert rule in decision.rules, f"{rule} did not fire; fired: {decision.rules}"
    assert len(decision.basis) == len(decision.rules)


@pytest.mark.parametrize(("fields", "verdict", "fee", "missing", "rules"), ALL_CASES)
def test_service_rule(decide, fields, verdict, fee, missing, rules):
    _check(decide(**fields), verdict, fee, missing, rules)


def test_every_rule_in_force_on_the_cases_date_has_a_case_when_rules_are_added(book):
    # A rule taking effect later is tested by the cases dated then (rules/cases.xlsx, rules publish).
    covered = {rule for param in ALL_CASES for rule in param.values[4]}
    untested = sorted(r.id for r in book.unique_rules() if r.id not in covered and r.period.contains(CASE_DAY.date()))
    assert not untested, f"rules without a case in tests/test_rules.py: {untested}"
    unknown = sorted(covered - {r.id for r in book.unique_rules()})
    assert not unknown, f"cases name rules the rulebook does not have: {unknown}"


def test_precedence_is_the_rulebook_order_when_verdicts_combine(book):
    assert tuple(book.verdicts) == ("输入有误", "不予受理", "补正材料", "人工复核", "转银行办理", "受理")


def test_input_error_wins_over_everything_when_id_is_wrong(decide):
    decision = decide(**{**EXCHANGE, "办理人": "代办", "公民身份号码": "110105194912310021"})
    assert decision.verdict == "输入有误"
    assert decision.fee == 0 and decision.missing == ()
    # No service rule is evaluated on an invalid row.
    assert not any(r.startswith(("EXCHANGE-", "COMMON-")) for r in decision.rules)


@pytest.mark.parametrize(("fields", "place"), [
    pytest.param(RESET_SOCIAL, "社会保障卡业务经办窗口", id="pin_reset_social"),
    pytest.param(RESET_BANK, "合作银行营业网点", id="pin_reset_bank"),
    pytest.param(UNLOCK_BANK, "银行服务电话", id="pin_unlock_bank"),
    pytest.param(LOSS, "人社部门及银行服务电话", id="report_loss"),
    pytest.param(CANCEL, "社会保障卡业务经办窗口", id="cancel_loss"),
    pytest.param(REISSUE, "社会保障卡业务经办窗口", id="reissue"),
])
def test_place_is_the_one_the_rulebook_names_when_accepted_or_referred(decide, fields, place):
    assert decide(**fields).place == place


@pytest.mark.parametrize(("fields", "words"), [
    pytest.param(REISSUE, "金融功能", id="reissue_bank_functions_enabled_at_bank"),
    pytest.param(LOSS, "补卡", id="report_loss_reissue_soon"),
    pytest.param(CANCEL, "合作银行营业网点", id="cancel_loss_bank_side_separately"),
    pytest.param(DEATH, "金融功能注销按银行规定办理", id="deregister_death_bank_rules"),
    pytest.param(RENEWAL, "旧卡收回、注销并物理破坏", id="deregister_renewal_old_card_destroyed"),
    pytest.param(INFO_DATA, "重新制卡", id="info_change_card_remade"),
])
def test_next_steps_say_what_the_rulebook_says_when_accepted(decide, fields, words):
    assert words in decide(**fields).next


# Parameters by date: before 工本费's first value no fee is in force.
FIRST_FEE_DAY = dt.datetime.combine(CARD_FEE.values[0][0], dt.time())


def test_reissue_goes_to_review_when_dated_before_the_fee_exists(decide):
    decision = decide(**REISSUE, 申请日期=FIRST_FEE_DAY - dt.timedelta(days=1))
    assert decision.verdict == "人工复核"
    assert decision.fee == 0 and decision.missing == ()


def test_paid_exchange_charges_the_fee_when_dated_on_its_first_day(decide):
    decision = decide(**{**EXCHANGE, "损坏责任": "使用不当"}, 申请日期=FIRST_FEE_DAY)
    assert (decision.verdict, decision.fee) == ("受理", CARD_FEE.values[0][1])


def test_report_loss_is_decided_when_dated_before_any_parameter(decide):
    # 挂失 uses no parameter, so no value missing on the date can stop it.
    assert decide(**LOSS, 申请日期=FIRST_FEE_DAY - dt.timedelta(days=1800)).verdict == "受理"
