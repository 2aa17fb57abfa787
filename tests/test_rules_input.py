"""Reading a row (RULEBOOK.md: C1, C2, 'Blank and malformed cells').

An invalid row is 输入有误 and names what is wrong; a readable one is decided as if
the clerk had typed the canonical spelling.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_rules import CANCEL, DEATH, EXCHANGE, FEE, INFO_DATA, LOSS, REISSUE, REISSUE_EMPLOYED, UNLOCK_SOCIAL

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def with_check_digit(first17: str) -> str:
    """GB 11643 check digit, computed here rather than borrowed from the code under test."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


NUMERIC_ID = with_check_digit("23020219800101002")  # 230202198001010028: check digit is a digit
assert NUMERIC_ID[-1] != "X"


def invalid(decision, column: str, *words: str) -> None:
    assert decision.verdict == "输入有误", decision.basis
    assert decision.fee == 0 and decision.missing == ()
    assert column in [p.column for p in decision.problems], decision.problems
    text = "\n".join(decision.basis)
    assert column in text
    for word in words:
        assert word in text, text


# C1: 公民身份号码
@pytest.mark.parametrize("holder_id", [
    pytest.param("110105194912310021", id="wrong_check_digit"),
    pytest.param("11010519491231002", id="seventeen_characters"),
    pytest.param("11010519491231002XX", id="nineteen_characters"),
    pytest.param(with_check_digit("11010519490230002"), id="birth_date_not_a_real_day"),
    pytest.param("1101051949123A002X", id="letter_inside"),
])
def test_id_is_input_error_when_not_a_valid_resident_id(decide, holder_id):
    invalid(decide(**LOSS, 公民身份号码=holder_id), "公民身份号码", holder_id)


def test_id_is_accepted_when_check_digit_is_lowercase_x(decide):
    assert decide(**LOSS, 公民身份号码="11010519491231002x").verdict == "受理"


def test_id_is_accepted_when_check_digit_is_a_digit(decide):
    assert decide(**LOSS, 公民身份号码=NUMERIC_ID).verdict == "受理"


def test_id_is_accepted_when_holder_born_before_the_area_code_existed(decide):
    # 龙沙区 (230202) dates from 1983; people born earlier carry it all the same.
    # C1 asks for length, check digit and birth date only, never the birth place.
    assert decide(**LOSS, 公民身份号码=with_check_digit("23020219500101002")).verdict == "受理"


@pytest.mark.parametrize("cell", [pytest.param(int(NUMERIC_ID), id="int"),
                                  pytest.param(float(NUMERIC_ID), id="float")])
def test_id_is_input_error_when_numeric_cell_even_if_digits_pass(decide, cell):
    invalid(decide(**LOSS, 公民身份号码=cell), "公民身份号码")


def test_id_is_input_error_when_holder_born_after_application(decide):
    born_later = with_check_digit("23020220260502001")
    invalid(decide(**LOSS, 公民身份号码=born_later, 申请日期=dt.datetime(2026, 5, 1)), "公民身份号码")


def test_id_is_accepted_when_holder_born_on_application_day(decide):
    born_today = with_check_digit("23020220260501001")
    assert decide(**LOSS, 公民身份号码=born_today, 申请日期=dt.datetime(2026, 5, 1)).verdict == "受理"


# C2: 业务类型 and required fields
@pytest.mark.parametrize("service", ["办卡", "补 卡", "REISSUE", "5"])
def test_service_is_input_error_when_not_one_of_the_eight(decide, service):
    invalid(decide(**{**REISSUE, "业务类型": service}), "业务类型", service)


@pytest.mark.parametrize(("code", "fields"), [
    ("info_change", INFO_DATA), ("pin_unlock", UNLOCK_SOCIAL), ("report_loss", LOSS), ("cancel_loss", CANCEL),
    ("reissue", REISSUE), ("exchange", EXCHANGE), ("deregister", DEATH),
])
def test_service_by_code_is_decided_like_its_chinese_name_when_given_as_code(decide, code, fields):
    by_name, by_code = decide(**fields), decide(**{**fields, "业务类型": code})
    assert (by_code.verdict, by_code.fee, by_code.rules) == (by_name.verdict, by_name.fee, by_name.rules)
    assert by_code.verdict == "受理"


@pytest.mark.parametrize("column", ["申请编号", "业务类型", "申请日期", "持卡人姓名", "公民身份号码", "办理人", "卡状态"])
@pytest.mark.parametrize("blank", [None, "", "   "], ids=["none", "empty", "spaces"])
def test_row_is_input_error_naming_the_field_when_required_field_blank(decide, column, blank):
    invalid(decide(**{**REISSUE, column: blank}), column)


@pytest.mark.parametrize(("fields", "column"), [
    pytest.param({"业务类型": "密码重置", "材料:身份证件原件": "是", "材料:社保卡": "是"}, "账户类型", id="pin_reset_account"),
    pytest.param({"业务类型": "密码解锁", "连续密码错误次数": 3}, "账户类型", id="pin_unlock_account"),
    pytest.param({**UNLOCK_SOCIAL, "连续密码错误次数": None}, "连续密码错误次数", id="social_unlock_count"),
    pytest.param({**INFO_DATA, "原因": None}, "原因", id="info_change_reason"),
    pytest.param({**LOSS, "原因": ""}, "原因", id="report_loss_reason"),
    pytest.param({**EXCHANGE, "原因": None}, "原因", id="exchange_reason"),
    pytest.param({**DEATH, "原因": None}, "原因", id="deregister_reason"),
    pytest.param({**EXCHANGE, "损坏责任": None}, "损坏责任", id="eligible_exchange_fault"),
    pytest.param({**REISSUE_EMPLOYED, "有工作单位": None}, "有工作单位", id="agent_reissue_employed"),
])
def test_row_is_input_error_naming_the_field_when_field_the_service_uses_is_blank(decide, fields, column):
    invalid(decide(**fields), column)


@pytest.mark.parametrize(("fields", "verdict"), [
    pytest.param({"业务类型": "密码解锁", "账户类型": "银行账户", "连续密码错误次数": None}, "转银行办理",
                 id="bank_unlock_needs_no_count"),
    pytest.param({**EXCHANGE, "原因": "卡片过期", "损坏责任": None}, "不予受理", id="expired_exchange_needs_no_fault"),
    pytest.param({**REISSUE, "有工作单位": None}, "受理", id="in_person_reissue_needs_no_employer"),
])
def test_conditionally_required_field_may_be_blank_when_the_row_does_not_need_it(decide, fields, verdict):
    assert decide(**fields).verdict == verdict


# Closed values
@pytest.mark.parametrize(("column", "value"), [
    ("业务类型", " 补卡 "), ("业务类型", "\u3000补卡\u3000"), ("业务类型", " reissue"),
    ("业务类型", "ｒｅｉｓｓｕｅ"),  # full-width letters
    ("卡状态", "挂失 "), ("卡状态", "\u3000挂失"), ("办理人", " 本人"),
    ("材料:身份证件原件", " 是\u3000"),
])
def test_closed_value_is_read_when_padded_with_stray_or_full_width_spaces(decide, column, value):
    decision = decide(**{**REISSUE, column: value})
    assert (decision.verdict, decision.fee) == ("受理", FEE)


@pytest.mark.parametrize(("base", "column", "value"), [
    (LOSS, "卡状态", "冻结"), (LOSS, "卡状态", "挂 失"), (LOSS, "办理人", "家属"),
    (REISSUE, "材料:身份证件原件", "Y"), (REISSUE, "材料:身份证件原件", "有"), (REISSUE, "材料:身份证件原件", 1),
])
def test_closed_value_is_input_error_naming_column_and_value_when_not_a_spelling(decide, base, column, value):
    invalid(decide(**{**base, column: value}), column, str(value))


@pytest.mark.parametrize(("base", "column", "typed", "meant"), [
    (REISSUE, "业务类型", "补办", "补卡"), (REISSUE, "业务类型", "REISSUE", "补卡"), (LOSS, "卡状态", "挂 失", "挂失"),
    (LOSS, "办理人", "本 人", "本人"),
])
def test_rejected_value_suggests_the_close_spelling_without_applying_it_when_one_is_close(decide, base, column, typed,
                                                                                          meant):
    decision = decide(**{**base, column: typed})
    invalid(decision, column, f"「{typed}」", f"是否指「{meant}」?")


@pytest.mark.parametrize(("base", "column", "typed"), [(LOSS, "卡状态", "冻结"), (LOSS, "办理人", "家属")])
def test_rejected_value_has_no_suggestion_when_nothing_is_close(decide, base, column, typed):
    assert "是否指" not in "\n".join(decide(**{**base, column: typed}).basis)


def test_message_names_no_service_code_when_service_is_unknown(decide):
    text = "\n".join(decide(**{**REISSUE, "业务类型": "开户"}).basis)
    assert "信息变更/密码重置" in text
    assert not any(code in text for code in ("reissue", "info_change", "pin_reset", "deregister"))


@pytest.mark.parametrize(("base", "reason"), [
    pytest.param(INFO_DATA, "想换照片", id="info_change"), pytest.param(LOSS, "借给别人用", id="report_loss"),
    pytest.param({**EXCHANGE, "损坏责任": None}, "想换新样式", id="exchange"),
    pytest.param(DEATH, "出国定居", id="deregister"),
])
def test_reason_a_service_does_not_list_is_rejected_not_an_input_error(decide, base, reason):
    decision = decide(**{**base, "原因": reason})
    assert decision.verdict == "不予受理", decision.basis
    assert not decision.problems


# RULEBOOK.md, 原因 (revised 2026-12-04): no applicant is refused for a clerk's wording.
@pytest.mark.parametrize(("base", "typed", "reason", "verdict"), [
    (LOSS, "卡丢了", "丢失", "受理"), (LOSS, "丢了", "丢失", "受理"), (LOSS, "遗失", "丢失", "受理"),
    (LOSS, "被偷了", "被盗", "受理"), (LOSS, "被窃", "被盗", "受理"),
    ({**INFO_DATA, "材料:变更证明": "是"}, "改名字了", "信息变更", "受理"),
])
def test_a_listed_phrasing_is_read_as_its_reason_and_the_row_says_both(decide, base, typed, reason, verdict):
    decision = decide(**{**base, "原因": typed})
    assert decision.verdict == verdict and not decision.problems, decision.basis
    assert decision.basis[-1] == f"原因「{typed}」按写法读作「{reason}」(C2)"
    assert decision.rule_labels[-1] == "INPUT-READ-AS 按写法读取"
    plain = decide(**{**base, "原因": reason})  # otherwise decided exactly as the reason itself
    assert (decision.verdict, decision.fee, decision.missing, decision.place, decision.next) == \
        (plain.verdict, plain.fee, plain.missing, plain.place, plain.next)
    assert (decision.basis[:-1], decision.rules[:-1]) == (plain.basis, plain.rules)


@pytest.mark.parametrize(("base", "typed", "meant"), [
    (LOSS, "丢卡", "丢失"), (LOSS, "被盗了", "被盗"), ({**EXCHANGE, "损坏责任": "使用不当"}, "卡面污染", "卡面污损"),
])
def test_a_reason_close_to_a_listed_one_is_an_input_error_with_the_suggestion_never_a_refusal(decide, base, typed,
                                                                                             meant):
    decision = decide(**{**base, "原因": typed})
    invalid(decision, "原因", f"「{typed}」不是本业务所列的原因", f"是否指「{meant}」?")


def test_document_cell_is_ignored_when_the_service_never_asks_for_that_document(decide):
    # 挂失 is done by phone: a stray mark in a 材料 column must not make the row 输入有误.
    decision = decide(**{**LOSS, "材料:身份证件原件": "有", "材料:受托人身份证复印件": "Y"})
    assert decision.verdict == "受理"


@pytest.mark.parametrize(("value", "verdict"), [
    pytest.param(True, "受理", id="true_cell"), pytest.param("TRUE", "受理", id="true_text"),
    pytest.param(False, "补正材料", id="false_cell"), pytest.param("FALSE", "补正材料", id="false_text"),
    pytest.param(None, "补正材料", id="blank_is_no"),
])
def test_yes_no_is_read_when_given_as_excel_true_false_or_blank(decide, value, verdict):
    decision = decide(**{**REISSUE, "材料:身份证件原件": value})
    assert decision.verdict == verdict
    assert decision.missing == (() if verdict == "受理" else ("身份证件原件",))


def test_yes_no_blank_means_no_when_deregister_conditions_left_empty(decide):
    decision = decide(**{**DEATH, "户籍已注销": None, "人社业务已办结": "", "银行业务已办清": " "})
    assert decision.verdict == "不予受理"
    assert {"DEREGISTER-HUKOU-NOT-CANCELLED", "DEREGISTER-HRSS-NOT-CLOSED",
            "DEREGISTER-BANK-NOT-CLOSED"} <= set(decision.rules)


@pytest.mark.parametrize(("fields", "column", "junk"), [
    pytest.param(LOSS, "账户类型", "储蓄卡", id="report_loss_ignores_account"),
    pytest.param(LOSS, "连续密码错误次数", "很多", id="report_loss_ignores_count"),
    pytest.param(REISSUE, "原因", "不小心", id="reissue_ignores_reason"),
    pytest.param(REISSUE, "损坏责任", "不知道", id="reissue_ignores_fault"),
    pytest.param(REISSUE, "户籍已注销", "也许", id="reissue_ignores_hukou"),
    pytest.param(LOSS, "有工作单位", "可能", id="report_loss_ignores_employed"),
    pytest.param(DEATH, "已申请补卡", "不清楚", id="deregister_ignores_reissue_applied"),
    pytest.param({"业务类型": "密码重置", "账户类型": "银行账户"}, "连续密码错误次数", -4,
                 id="pin_reset_ignores_count"),
])
def test_field_is_ignored_when_the_service_does_not_use_it(decide, fields, column, junk):
    plain = decide(**fields)
    assert plain.verdict != "输入有误"
    with_junk = decide(**{**fields, column: junk})
    assert (with_junk.verdict, with_junk.fee, with_junk.rules) == (plain.verdict, plain.fee, plain.rules)


# 申请日期
@pytest.mark.parametrize("cell", [
    pytest.param("2026-03-01", id="iso_text"), pytest.param(" 2026-03-01 ", id="iso_text_padded"),
    pytest.param("2026-3-1", id="dashes_short"), pytest.param("2026/3/1", id="slashes"),
    pytest.param("2026/03/01", id="slashes_padded"), pytest.param("2026.3.1", id="dots"),
    pytest.param("2026年3月1日", id="chinese"), pytest.param("２０２６年３月１日", id="chinese_full_width"),
    pytest.param("20260301", id="compact"), pytest.param("2026-03-01 09:30", id="text_with_time"),
    pytest.param(dt.date(2026, 3, 1), id="date"), pytest.param(dt.datetime(2026, 3, 1, 9, 30), id="datetime"),
])
def test_date_is_read_when_excel_date_or_year_first_text(decide, cell):
    decision = decide(**{**REISSUE, "申请日期": cell})
    assert (decision.verdict, decision.fee) == ("受理", FEE)


@pytest.mark.parametrize("cell", ["3/1/2026", "01-03-2026", "01.03.26", "1/3/26"])
def test_date_is_input_error_saying_it_is_ambiguous_when_year_is_not_first(decide, cell):
    invalid(decide(**{**REISSUE, "申请日期": cell}), "申请日期", f"「{cell}」", "年份不在前", "2026-03-02")


@pytest.mark.parametrize(("cell", "named"), [
    pytest.param(46082, "2026-03-01", id="serial"), pytest.param(46082.0, "2026-03-01", id="serial_float"),
    pytest.param(20260301, "2026-03-01", id="digits_as_number"),
])
def test_date_is_input_error_naming_the_date_it_would_be_when_a_number(decide, cell, named):
    invalid(decide(**{**REISSUE, "申请日期": cell}), "申请日期", f"是数字 {int(cell)}", named)


@pytest.mark.parametrize("cell", ["2026-02-30", "2026年13月1日", "20260230"])
def test_date_is_input_error_when_the_day_does_not_exist(decide, cell):
    invalid(decide(**{**REISSUE, "申请日期": cell}), "申请日期", "不是真实存在的日期")


@pytest.mark.parametrize("cell", ["明天", "2026-03", "2026-3/1", "26-3-1"])
def test_date_is_input_error_when_not_a_date_at_all(decide, cell):
    invalid(decide(**{**REISSUE, "申请日期": cell}), "申请日期", f"「{cell}」不是日期")


def test_numeric_id_is_echoed_in_plain_digits_when_excel_kept_only_fifteen(decide):
    decision = decide(**{**LOSS, "公民身份号码": 1.1010519491231e+17})
    problem = next(p for p in decision.problems if p.column == "公民身份号码")
    assert problem.value == "110105194912310000"
    assert "e+" not in "\n".join(decision.basis) and "110105194912310000" in "\n".join(decision.basis)


# 连续密码错误次数
@pytest.mark.parametrize("count", [2.5, "2.5", -1, "-1", "三", "3次", True])
def test_wrong_pin_count_is_input_error_when_not_a_whole_number(decide, count):
    invalid(decide(**{**UNLOCK_SOCIAL, "连续密码错误次数": count}), "连续密码错误次数")


@pytest.mark.parametrize("count", [3, 3.0, "3", " 3 ", "４"])
def test_wrong_pin_count_is_read_when_whole_number_typed_any_way(decide, count):
    assert decide(**{**UNLOCK_SOCIAL, "连续密码错误次数": count}).verdict == "受理"
