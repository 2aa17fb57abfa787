"""信息变更 (§1, §7(二)): the card or its data is wrong, or the holder's details changed.

The card is handed back and made again; the fee depends on whose doing the error is.
"""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .places import WINDOW

REMAKE = "重新制卡;新卡发放时旧卡收回并销毁(§8(二))"

RULES = (
    Rule(
        id="INFO-CHANGE-DATA-ERROR",
        name="采集错误免费重制",
        clause="§1",
        reason="卡面或卡内信息因数据采集错误有误,交回社保卡免费重新制卡",
        when=row.reason == "数据采集错误",
        verdict="受理",
        place=WINDOW,
        next=REMAKE,
    ),
    Rule(
        id="INFO-CHANGE-PERSONAL",
        name="个人信息变更收费",
        clause="§7(二)",
        reason="持卡人姓名、身份证号码或民族变更,属其他原因换领,须缴费",
        when=row.reason == "信息变更",
        verdict="受理",
        fee="card_fee",
        place=WINDOW,
        next=REMAKE,
    ),
    Rule(
        id="INFO-CHANGE-REASON-INVALID",
        name="信息变更原因不符",
        clause="§1",
        reason="信息变更仅限数据采集错误或持卡人信息变更",
        when=row.reason.none_of("数据采集错误", "信息变更"),
        verdict="不予受理",
    ),
    Rule(
        id="INFO-CHANGE-NOT-IN-PERSON",
        name="信息变更须本人",
        clause="§7(二)",
        reason="信息变更须持卡人本人办理,不能代办",
        when=row.applicant == "代办",
        verdict="不予受理",
        interpretation=True,
    ),
    Rule(
        id="INFO-CHANGE-MISSING-CARD",
        name="信息变更缺社保卡",
        clause="§1",
        reason="须将社会保障卡交回经办窗口重新制卡",
        when=row.doc_card == "否",
        verdict="补正材料",
        missing=("社保卡",),
        place=WINDOW,
    ),
    Rule(
        id="INFO-CHANGE-MISSING-ID",
        name="信息变更缺身份证件",
        clause="§7",
        reason="须出示本人有效身份证件原件",
        when=row.doc_id_original == "否",
        verdict="补正材料",
        missing=("身份证件原件",),
        place=WINDOW,
    ),
    Rule(
        id="INFO-CHANGE-MISSING-PROOF",
        name="信息变更缺变更证明",
        clause="§7(二)",
        reason="个人基本信息变更须持有关证明",
        when=(row.reason == "信息变更") & (row.doc_change_proof == "否"),
        verdict="补正材料",
        missing=("变更证明",),
        place=WINDOW,
    ),
)
