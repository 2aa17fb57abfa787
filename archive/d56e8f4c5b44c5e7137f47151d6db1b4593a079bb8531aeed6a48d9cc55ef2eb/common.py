"""Rules shared by several services (RULEBOOK.md, 'Rules common to all services').

C1 and C2 (a readable 公民身份号码, a known 业务类型, required fields) are checks of
the input itself and live in schema.py; a row failing them reaches no rule here.
"""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .services import CODES

RULES = (
    Rule(
        id="COMMON-CARD-CANCELLED",
        name="卡已注销",
        clause="§8",
        reason="社保卡已注销,卡片已不存在,不能再办理业务",
        when=row.card_status == "注销",
        verdict="不予受理",
        services=CODES,
    ),
    Rule(
        id="COMMON-CARD-FROZEN",
        name="卡已挂失冻结",
        clause="§4",
        reason="卡片已挂失冻结,须先解除挂失或补卡",
        # C6: a 银行账户 password is the bank's business whatever the card status.
        when=(row.card_status == "挂失") & (row.account != "银行账户"),
        verdict="不予受理",
        next="请先办理解除挂失或补卡",
        interpretation=True,
        services=("info_change", "pin_reset", "pin_unlock", "exchange"),
    ),
)
