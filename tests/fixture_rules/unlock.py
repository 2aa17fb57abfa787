from engine.core.conditions import param, row
from engine.core.rulebook import Rule

RULES = (
    Rule(id="UNLOCK-LOCKED", name="已锁定可解锁", clause="§3", reason="错误次数已达锁定次数", verdict="受理",
         when=row.wrong_count >= param("lock_threshold"), place="服务台"),
    Rule(id="UNLOCK-NOT-LOCKED", name="未锁定", clause="§3", reason="未锁定,无需解锁", verdict="不予受理",
         when=row.wrong_count < param("lock_threshold")),
    Rule(id="UNLOCK-MISSING-ID", name="解锁缺身份证件", clause="§3", reason="解锁须出示身份证件", verdict="补正材料",
         when=row.doc_id == "否", missing=("身份证件",), place="服务台"),
)
