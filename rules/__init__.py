"""The 社会保障卡 rulebook (RULEBOOK.md; source text: 齐齐哈尔市人社局 "解疑社保一卡通8大问题").

Change a rule in its service module; change a fee or threshold in parameters.toml.
Bump VERSION with every change that can alter a decision.
"""

from engine.core.rulebook import Rulebook, Service

from . import cancel_loss, common, deregister, exchange, info_change, pin_reset, pin_unlock, reissue, report_loss
from .schema import SCHEMA

VERSION = "2026.11.26"

RULEBOOK = Rulebook(
    name="社会保障卡柜面业务规则",
    version=VERSION,
    schema=SCHEMA,
    services=(
        Service("info_change", "信息变更", "§1, §7(二)", info_change.RULES),
        Service("pin_reset", "密码重置", "§2", pin_reset.RULES),
        Service("pin_unlock", "密码解锁", "§3", pin_unlock.RULES),
        Service("report_loss", "挂失", "§4", report_loss.RULES),
        Service("cancel_loss", "解除挂失", "§5", cancel_loss.RULES),
        Service("reissue", "补卡", "§6", reissue.RULES),
        Service("exchange", "换卡", "§7(一)", exchange.RULES),
        Service("deregister", "注销", "§8", deregister.RULES),
    ),
    common=common.RULES,
    verdicts=("输入有误", "不予受理", "补正材料", "人工复核", "转银行办理", "受理"),
    invalid_verdict="输入有误",
    unruled_verdict="人工复核",
    charged_verdicts=("受理", "补正材料"),
    missing_verdict="补正材料",
)
