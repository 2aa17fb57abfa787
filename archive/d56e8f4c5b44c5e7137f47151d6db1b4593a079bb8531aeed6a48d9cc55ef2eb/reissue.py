"""补卡 (§6): a card reported lost or stolen is replaced at the window, on the spot.

An agent may apply for the holder, with the holder's and the agent's ID and a letter
from the holder's employer, or from the community when the holder has none.
"""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .places import WINDOW

AGENT = row.applicant == "代办"

RULES = (
    Rule(
        id="REISSUE-ACCEPT",
        name="挂失后补卡",
        clause="§6",
        reason="已挂失的卡片可凭有效身份证件在经办窗口补卡",
        when=row.card_status == "挂失",
        verdict="受理",
        place=WINDOW,
        next="立时取卡,社保功能即可启用;金融功能需持卡到相关银行办理启用",
    ),
    Rule(
        id="REISSUE-FEE",
        name="补卡收工本费",
        clause="§7",
        reason="丢失或被盗补卡不属卡片质量问题,须缴纳工本费",
        when=row.card_status == "挂失",
        verdict="受理",
        fee="card_fee",
        interpretation=True,
    ),
    Rule(
        id="REISSUE-NOT-REPORTED",
        name="未挂失不能补卡",
        clause="§6",
        reason="未办理挂失,不能补卡",
        when=row.card_status == "正常",
        verdict="不予受理",
        next="请先挂失",
    ),
    Rule(
        id="REISSUE-MISSING-HOLDER-ID",
        name="补卡缺持卡人身份证件",
        clause="§6",
        reason="补卡须出示持卡人(委托人)有效身份证件原件",
        when=row.doc_id_original == "否",
        verdict="补正材料",
        missing=("身份证件原件",),
        place=WINDOW,
    ),
    Rule(
        id="REISSUE-AGENT-MISSING-AGENT-ID",
        name="代办缺受托人身份证原件",
        clause="§6",
        reason="代办补卡须出具受托人有效身份证原件",
        when=AGENT & (row.doc_agent_id_original == "否"),
        verdict="补正材料",
        missing=("受托人身份证原件",),
        place=WINDOW,
    ),
    Rule(
        id="REISSUE-AGENT-MISSING-AGENT-COPY",
        name="代办缺受托人身份证复印件",
        clause="§6",
        reason="代办补卡须出具受托人身份证复印件",
        when=AGENT & (row.doc_agent_id_copy == "否"),
        verdict="补正材料",
        missing=("受托人身份证复印件",),
        place=WINDOW,
    ),
    Rule(
        id="REISSUE-AGENT-MISSING-EMPLOYER-LETTER",
        name="代办缺单位证明",
        clause="§6",
        reason="委托人有工作单位,代办补卡须出具单位证明",
        when=AGENT & (row.employed == "是") & (row.doc_employer_letter == "否"),
        verdict="补正材料",
        missing=("单位证明",),
        place=WINDOW,
    ),
    Rule(
        id="REISSUE-AGENT-MISSING-COMMUNITY-LETTER",
        name="代办缺社区证明",
        clause="§6",
        reason="委托人无工作单位,代办补卡须出具街道社区证明",
        when=AGENT & (row.employed == "否") & (row.doc_community_letter == "否"),
        verdict="补正材料",
        missing=("社区证明",),
        place=WINDOW,
    ),
)
