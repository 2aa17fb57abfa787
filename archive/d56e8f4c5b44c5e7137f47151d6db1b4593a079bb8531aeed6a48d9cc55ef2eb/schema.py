"""The batch's columns (sheet 申请, header on row 1), as RULEBOOK.md lists them.

A column introduced on a date says so (``since=date(2027, 1, 1)``): rows dated before
it never need it, and batches made before it stay valid.  A new column may be appended
at the end of this file: ``COLUMNS += (Column(...),)``.
"""

import datetime as dt

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from engine.core.conditions import row
from engine.core.schema import Choice, Column, Date, Invalid, Text, TextCode, WholeNumber, YesNo

from .services import CODES, SERVICES

# The batch may name a service by its Chinese name or by its code.
SERVICE_SPELLINGS = {**{s.name: s.code for s in SERVICES}, **{code: code for code in CODES}}

PASSWORD_SERVICES = frozenset({"pin_reset", "pin_unlock"})
EXCHANGE_ELIGIBLE = ("卡面污损", "卡面残缺", "无法读写")
# The 原因 the services name, offered in the template's drop-down (any text is still read).
REASONS = ("数据采集错误", "信息变更", "丢失", "被盗", *EXCHANGE_ELIGIBLE, "卡片过期", "死亡", "失踪", "换领新卡")


def resident_id(text: str) -> str:
    """公民身份号码 (GB 11643): 18 characters, a real birth date, a valid check digit.

    The birth-place code is not checked: C1 does not ask for it, and python-stdnum's
    table of area codes by year would reject real people born in renamed counties.
    """
    number = text.upper()  # a lowercase x check digit is read as X
    if len(number) != 18:
        raise Invalid(f"「{text}」有 {len(number)} 位,应为 18 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise Invalid(f"「{text}」格式有误:前 17 位须为数字,末位为数字或 X")
    try:
        ric.get_birth_date(number)
    except ValidationError:
        raise Invalid(f"「{text}」中的出生日期 {number[6:14]} 不是真实日期") from None
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise Invalid(f"「{text}」校验位错误,按前 17 位应为 {expected}")
    return number


def born_before_application(fact):
    """C1: the holder cannot be born after the request was made."""
    holder_id, applied = fact.get("holder_id"), fact.get("apply_date")
    if not holder_id or not isinstance(applied, dt.date):
        return []
    born = ric.get_birth_date(holder_id)
    if born > applied:
        return [("holder_id", f"出生日期 {born.isoformat()} 晚于申请日期 {applied.isoformat()}")]
    return []


def uses(*services):
    return frozenset(services)


YES_NO = YesNo()

# Which services ask for which document: a 材料 cell of a service that never asks for
# it is ignored, like any field the service does not use (挂失 is done by phone).
WITH_HOLDER_ID = uses("info_change", "pin_reset", "pin_unlock", "cancel_loss", "reissue", "exchange")
WITH_CARD = uses("info_change", "pin_reset", "pin_unlock", "cancel_loss", "exchange", "deregister")

COLUMNS = (
    Column("申请编号", "request_id", Text(), required=True, clause="C2",
           help="本批次内唯一的申请编号;同一编号出现两次,两行都判为输入有误"),
    Column("业务类型", "service", Choice(*CODES, aliases=SERVICE_SPELLINGS), required=True, clause="C2",
           help="八类业务之一,填中文名,如 补卡"),
    Column("申请日期", "apply_date", Date(), required=True, clause="C2",
           help="Excel 日期,或年份在前的文字(2026-03-02、2026/3/2、2026年3月2日 等);决定适用哪一期的参数(如工本费)"),
    Column("持卡人姓名", "holder_name", Text(), required=True, clause="C2", help="持卡人姓名"),
    Column("公民身份号码", "holder_id", TextCode(resident_id, "18 位文字,校验位须正确"), required=True, clause="C1",
           help="持卡人的 18 位公民身份号码,必须是文本单元格(数字单元格会丢失末位);小写 x 按 X 处理"),
    Column("办理人", "applicant", Choice("本人", "代办"), required=True, clause="C2",
           help="本人 / 代办"),
    Column("卡状态", "card_status", Choice("正常", "挂失", "注销"), required=True, clause="C2",
           help="正常 / 挂失 / 注销"),
    Column("账户类型", "account", Choice("社保账户", "银行账户"), used_by=PASSWORD_SERVICES,
           required_when=row.service.one_of(*PASSWORD_SERVICES), clause="C2",
           help="密码重置、密码解锁必填:社保账户 / 银行账户"),
    Column("连续密码错误次数", "wrong_pin_count", WholeNumber(0), used_by=uses("pin_unlock"),
           required_when=row.account == "社保账户", clause="C2",
           help="社保账户密码解锁必填:连续输错的次数,整数 ≥ 0"),
    # Open text: each service lists the 原因 it accepts, and its own rule refuses any other
    # (不予受理, RULEBOOK.md); only a blank 原因 is an input error.
    Column("原因", "reason", Text(*REASONS),
           used_by=uses("info_change", "report_loss", "exchange", "deregister"),
           required_when=row.service.one_of("info_change", "report_loss", "exchange", "deregister"), clause="C2",
           help="信息变更:数据采集错误/信息变更;挂失:丢失/被盗;换卡:卡面污损/卡面残缺/无法读写/卡片过期;"
                "注销:死亡/失踪/换领新卡;所列以外的原因不予受理"),
    Column("损坏责任", "fault", Choice("卡片质量问题", "数据采集错误", "使用不当", "其他"), used_by=uses("exchange"),
           required_when=row.reason.one_of(*EXCHANGE_ELIGIBLE), clause="C2",
           help="换卡必填(原因为卡面污损、卡面残缺、无法读写时):决定是否收费"),
    Column("已申请补卡", "reissue_applied", YES_NO, used_by=uses("cancel_loss"),
           help="解除挂失:是否已申请过补卡(已申请则不能解除挂失);空白按 否"),
    Column("有工作单位", "employed", YES_NO, used_by=uses("reissue"),
           required_when=row.applicant == "代办", clause="C2",
           help="代办补卡必填:委托人有工作单位须出具单位证明,否则出具社区证明"),
    Column("户籍已注销", "hukou_cancelled", YES_NO, used_by=uses("deregister"), help="注销(死亡/失踪):空白按 否"),
    Column("人社业务已办结", "hrss_closed", YES_NO, used_by=uses("deregister"), help="注销(死亡/失踪):空白按 否"),
    Column("银行业务已办清", "bank_closed", YES_NO, used_by=uses("deregister"), help="注销(死亡/失踪):空白按 否"),
    Column("已领取新卡", "new_card_received", YES_NO, used_by=uses("deregister"), help="注销(换领新卡):空白按 否"),
    Column("材料:身份证件原件", "doc_id_original", YES_NO, used_by=WITH_HOLDER_ID, help="持卡人本人有效身份证件原件;空白按 否"),
    Column("材料:社保卡", "doc_card", YES_NO, used_by=WITH_CARD, help="社会保障卡本身已交回或出示;空白按 否"),
    Column("材料:受托人身份证原件", "doc_agent_id_original", YES_NO, used_by=uses("reissue"), help="代办时受托人身份证原件;空白按 否"),
    Column("材料:受托人身份证复印件", "doc_agent_id_copy", YES_NO, used_by=uses("reissue"), help="代办时受托人身份证复印件;空白按 否"),
    Column("材料:单位证明", "doc_employer_letter", YES_NO, used_by=uses("reissue"), help="代办补卡、委托人有单位时;空白按 否"),
    Column("材料:社区证明", "doc_community_letter", YES_NO, used_by=uses("reissue"), help="代办补卡、委托人无单位时(街道社区证明);空白按 否"),
    Column("材料:变更证明", "doc_change_proof", YES_NO, used_by=uses("info_change"), help="姓名/身份证号码/民族变更的官方证明;空白按 否"),
    Column("材料:户籍注销证明", "doc_hukou_cancellation", YES_NO, used_by=uses("deregister"), help="注销(死亡/失踪)时;空白按 否"),
)
