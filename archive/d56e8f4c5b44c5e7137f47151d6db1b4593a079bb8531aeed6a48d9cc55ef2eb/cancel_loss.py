"""解除挂失 (§5): a found card is reinstated, unless a reissue was already applied for."""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .places import WINDOW

RULES = (
    Rule(
        id="CANCEL-LOSS-ACCEPT",
        name="找回卡片解除挂失",
        clause="§5",
        reason="找回已挂失的卡片且未申请补卡,可解除挂失",
        when=(row.card_status == "挂失") & (row.reissue_applied == "否"),
        verdict="受理",
        place=WINDOW,
        next="银行端挂失须另到合作银行营业网点凭本人身份证件原件和社保卡解除",
    ),
    Rule(
        id="CANCEL-LOSS-NOT-REPORTED",
        name="未挂失无需解除",
        clause="§5",
        reason="卡片未挂失,无需解除挂失",
        when=row.card_status == "正常",
        verdict="不予受理",
    ),
    Rule(
        id="CANCEL-LOSS-REISSUE-APPLIED",
        name="已申请补卡不能解除",
        clause="§5",
        reason="已申请补卡,原卡不能再解除挂失",
        when=row.reissue_applied == "是",
        verdict="不予受理",
    ),
    Rule(
        id="CANCEL-LOSS-NOT-IN-PERSON",
        name="解除挂失须本人",
        clause="§5",
        reason="解除挂失须凭本人有效身份证件原件本人办理,不能代办",
        when=row.applicant == "代办",
        verdict="不予受理",
        interpretation=True,
    ),
    Rule(
        id="CANCEL-LOSS-MISSING-ID",
        name="解除挂失缺身份证原件",
        clause="§5",
        reason="解除挂失须凭本人有效身份证件原件(复印件不可)",
        when=row.doc_id_original == "否",
        verdict="补正材料",
        missing=("身份证件原件",),
        place=WINDOW,
    ),
    Rule(
        id="CANCEL-LOSS-MISSING-CARD",
        name="解除挂失缺社保卡",
        clause="§5",
        reason="解除挂失须出示找回的社会保障卡",
        when=row.doc_card == "否",
        verdict="补正材料",
        missing=("社保卡",),
        place=WINDOW,
    ),
)
