from engine.core.conditions import row
from engine.core.rulebook import Rule

RULES = (
    Rule(id="RESET-LIBRARY", name="馆内账户重设", clause="§2", reason="馆内账户密码在服务台重设", verdict="受理",
         when=row.account == "馆内账户", place="服务台"),
    Rule(id="RESET-BANK", name="银行账户转银行", clause="§2", reason="银行账户密码由银行重设", verdict="转银行办理",
         when=row.account == "银行账户", place="合作银行", next="到合作银行办理"),
    Rule(id="RESET-NOT-IN-PERSON", name="重设须本人", clause="§2", reason="重设密码须本人办理", verdict="不予受理",
         when=row.applicant == "代办"),
)
