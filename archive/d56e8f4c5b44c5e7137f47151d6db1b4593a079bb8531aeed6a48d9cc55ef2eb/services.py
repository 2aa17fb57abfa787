"""The eight services (业务类型, RULEBOOK.md), declared once: code, Chinese name, clause.

Each service's rules live in the module named by its code (reissue.py for 补卡); the
业务类型 column's accepted values and the shared rules' reach are derived from this list.
"""

from engine.core.rulebook import Service

SERVICES = (
    Service("info_change", "信息变更", "§1, §7(二)"),
    Service("pin_reset", "密码重置", "§2"),
    Service("pin_unlock", "密码解锁", "§3"),
    Service("report_loss", "挂失", "§4"),
    Service("cancel_loss", "解除挂失", "§5"),
    Service("reissue", "补卡", "§6"),
    Service("exchange", "换卡", "§7(一)"),
    Service("deregister", "注销", "§8"),
)

CODES = tuple(service.code for service in SERVICES)
