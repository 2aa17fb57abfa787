from engine.core.rulebook import Service

SERVICES = (
    Service("issue", "办证", "§1"),
    Service("reset", "重设密码", "§2"),
    Service("unlock", "解锁", "§3"),
)
CODES = tuple(s.code for s in SERVICES)
