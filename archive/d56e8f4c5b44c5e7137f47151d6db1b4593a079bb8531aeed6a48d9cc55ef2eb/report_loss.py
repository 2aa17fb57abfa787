"""挂失 (§4): a lost or stolen card is frozen at once, by phone; no documents."""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .places import BOTH_PHONES

RULES = (
    Rule(
        id="REPORT-LOSS-ACCEPT",
        name="丢失被盗挂失",
        clause="§4",
        reason="社保卡丢失或被盗,立即挂失,人社部门和合作银行冻结该卡",
        when=row.reason.one_of("丢失", "被盗") & (row.card_status == "正常"),
        verdict="受理",
        place=BOTH_PHONES,
        next="请分别拨打卡面的人社部门与银行服务电话;挂失后请尽快补卡",
    ),
    Rule(
        id="REPORT-LOSS-ALREADY-REPORTED",
        name="已挂失无需再挂",
        clause="§4",
        reason="卡片已处于挂失状态,无需再次挂失",
        when=row.card_status == "挂失",
        verdict="不予受理",
        next="如需新卡请申请补卡",
    ),
    Rule(
        id="REPORT-LOSS-REASON-INVALID",
        name="挂失原因不符",
        clause="§4",
        reason="挂失仅适用于社保卡丢失或被盗",
        when=row.reason.none_of("丢失", "被盗"),
        verdict="不予受理",
    ),
    Rule(
        id="REPORT-LOSS-BY-OTHER",
        name="他人代为挂失须复核",
        clause="§4",
        reason="问答只写持卡人本人拨打电话挂失,他人代为挂失须人工确认",
        when=row.applicant == "代办",
        verdict="人工复核",
        next="请交窗口负责人复核决定:核实代为挂失人的身份证件、与持卡人的关系及持卡人是否知情;确认后再为持卡人挂失",
        interpretation=True,
    ),
)
