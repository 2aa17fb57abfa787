from engine.core.conditions import row
from engine.core.rulebook import Rule

RULES = (
    Rule(id="ISSUE-ACCEPT", name="办证", clause="§1", reason="本人凭身份证件办证", verdict="受理",
         when=row.applicant == "本人", fee="card_fee", place="服务台", next="当场领证"),
    Rule(id="ISSUE-MISSING-ID", name="办证缺身份证件", clause="§1", reason="办证须出示身份证件", verdict="补正材料",
         when=row.doc_id == "否", missing=("身份证件",), place="服务台"),
    Rule(id="ISSUE-BY-OTHER", name="代办办证须复核", clause="§1", reason="代办办证须馆员确认", verdict="人工复核",
         when=row.applicant == "代办", next="请馆员核实代办人后决定", interpretation=True),
)
