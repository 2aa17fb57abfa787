"""换卡 (§7(一)): a damaged or unreadable card is exchanged; who caused it sets the fee."""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .places import WINDOW
from .schema import EXCHANGE_ELIGIBLE

ELIGIBLE = row.reason.one_of(*EXCHANGE_ELIGIBLE)

RULES = (
    Rule(
        id="EXCHANGE-ELIGIBLE",
        name="卡面损坏可换卡",
        clause="§7(一)",
        reason="卡面污损、残缺不能辨认或不能读写,可申请换卡",
        when=ELIGIBLE,
        verdict="受理",
        place=WINDOW,
        next="领取新卡时旧卡收回、注销并物理破坏(§8(二))",
    ),
    Rule(
        id="EXCHANGE-FREE",
        name="质量问题免费换卡",
        clause="§7",
        reason="卡片质量问题或数据采集错误引起的坏卡,免费更换",
        when=ELIGIBLE & row.fault.one_of("卡片质量问题", "数据采集错误"),
        verdict="受理",
    ),
    Rule(
        id="EXCHANGE-PAID",
        name="使用不当收费换卡",
        clause="§7",
        reason="使用不当造成损坏或其他原因换领,须缴费后更换",
        when=ELIGIBLE & row.fault.one_of("使用不当", "其他"),
        verdict="受理",
        fee="card_fee",
    ),
    Rule(
        id="EXCHANGE-CARD-EXPIRED",
        name="卡片不设有效期",
        clause="§7",
        reason="社会保障卡不设有效期,可终生使用,不因过期换卡",
        when=row.reason == "卡片过期",
        verdict="不予受理",
    ),
    Rule(
        id="EXCHANGE-REASON-INVALID",
        name="换卡原因不符",
        clause="§7(一)",
        reason="换卡仅限卡面污损、残缺不能辨认或不能读写",
        when=row.reason.none_of(*EXCHANGE_ELIGIBLE, "卡片过期"),
        verdict="不予受理",
    ),
    Rule(
        id="EXCHANGE-NOT-IN-PERSON",
        name="换卡须本人",
        clause="§7(一)",
        reason="换卡须持卡人本人持旧卡和本人有效身份证件办理,不能代办",
        when=row.applicant == "代办",
        verdict="不予受理",
        interpretation=True,
    ),
    Rule(
        id="EXCHANGE-MISSING-CARD",
        name="换卡缺旧卡",
        clause="§7(一)",
        reason="换卡须持旧卡",
        when=row.doc_card == "否",
        verdict="补正材料",
        missing=("社保卡",),
        place=WINDOW,
    ),
    Rule(
        id="EXCHANGE-MISSING-ID",
        name="换卡缺身份证件",
        clause="§7(一)",
        reason="换卡须持本人有效身份证件",
        when=row.doc_id_original == "否",
        verdict="补正材料",
        missing=("身份证件原件",),
        place=WINDOW,
    ),
)
