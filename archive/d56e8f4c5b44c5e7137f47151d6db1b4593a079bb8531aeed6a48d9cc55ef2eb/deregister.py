"""注销 (§8): a card is cancelled when its holder's 户籍 is cancelled (death,
disappearance), or when the old card is handed back after a new one was received.
Everything else must be settled first."""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .places import WINDOW

DEATH = row.reason.one_of("死亡", "失踪")
RENEWAL = row.reason == "换领新卡"

RULES = (
    Rule(
        id="DEREGISTER-DEATH-ACCEPT",
        name="死亡失踪注销",
        clause="§8(一)",
        reason="持卡人因死亡、失踪被注销户籍,办结人社业务后由经办窗口注销社保卡",
        when=DEATH,
        verdict="受理",
        place=WINDOW,
        next="金融功能注销按银行规定办理",
    ),
    Rule(
        id="DEREGISTER-HUKOU-NOT-CANCELLED",
        name="户籍未注销",
        clause="§8(一)",
        reason="户籍尚未被公安部门注销,不能注销社保卡",
        when=DEATH & (row.hukou_cancelled == "否"),
        verdict="不予受理",
    ),
    Rule(
        id="DEREGISTER-HRSS-NOT-CLOSED",
        name="人社业务未办结",
        clause="§8(一)",
        reason="人力资源社会保障业务尚未办结,须先办结再注销",
        when=DEATH & (row.hrss_closed == "否"),
        verdict="不予受理",
    ),
    Rule(
        id="DEREGISTER-BANK-NOT-CLOSED",
        name="银行业务未办清",
        clause="§8",
        reason="银行业务尚未办清,须先办清再注销",
        when=DEATH & (row.bank_closed == "否"),
        verdict="不予受理",
    ),
    Rule(
        id="DEREGISTER-MISSING-HUKOU-PROOF",
        name="缺户籍注销证明",
        clause="§8(一)",
        reason="须提交户籍注销证明",
        when=DEATH & (row.doc_hukou_cancellation == "否"),
        verdict="补正材料",
        missing=("户籍注销证明",),
        place=WINDOW,
    ),
    Rule(
        id="DEREGISTER-RENEWAL-ACCEPT",
        name="换领新卡注销旧卡",
        clause="§8(二)",
        reason="换卡后领取新卡,旧卡由经办窗口收回注销",
        when=RENEWAL,
        verdict="受理",
        place=WINDOW,
        next="旧卡收回、注销并物理破坏",
    ),
    Rule(
        id="DEREGISTER-NEW-CARD-NOT-RECEIVED",
        name="未领新卡不能注销",
        clause="§8(二)",
        reason="尚未领取新卡,旧卡不能注销",
        when=RENEWAL & (row.new_card_received == "否"),
        verdict="不予受理",
    ),
    Rule(
        id="DEREGISTER-RENEWAL-MISSING-CARD",
        name="注销旧卡缺旧卡",
        clause="§8(二)",
        reason="须交回旧卡",
        when=RENEWAL & (row.doc_card == "否"),
        verdict="补正材料",
        missing=("社保卡",),
        place=WINDOW,
    ),
    Rule(
        id="DEREGISTER-RENEWAL-NOT-IN-PERSON",
        name="注销旧卡须本人",
        clause="§8(二)",
        reason="换领新卡后注销旧卡须持卡人本人办理,不能代办",
        when=RENEWAL & (row.applicant == "代办"),
        verdict="不予受理",
        interpretation=True,
    ),
    Rule(
        id="DEREGISTER-REASON-INVALID",
        name="注销原因不符",
        clause="§8",
        reason="注销仅限持卡人死亡、失踪或换领新卡两种情形",
        when=row.reason.none_of("死亡", "失踪", "换领新卡"),
        verdict="不予受理",
    ),
)
