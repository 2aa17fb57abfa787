from datetime import date

from engine.core.conditions import row
from engine.core.rulebook import Rule

RULES = (
    Rule(id="ISSUE-ACCEPT", name="办证", clause="§1", reason="本人凭身份证件办证", verdict="受理",
         when=row.applicant == "本人", fee="card_fee", place="服务台", next="当场领证"),
    Rule(id="ISSUE-MISSING-ID", name="办证缺身份证件", clause="§1", reason="办证须出示身份证件", verdict="补正材料",
         when=row.doc_id == "否", missing=("身份证件",), place="服务台"),
    Rule(id="ISSUE-BY-OTHER", name="代办办证须复核", clause="§1", reason="代办办证须馆员确认", verdict="人工复核",
         when=row.applicant == "代办", next="请馆员复核", interpretation=True, until=date(2026, 12, 31)),
    # From 2027 the library stops agent applications, and asks for a signed form.
    Rule(id="ISSUE-BY-OTHER-REFUSED", name="代办不再办证", clause="§1", reason="自 2027 年起办证须本人办理",
         verdict="不予受理", when=row.applicant == "代办", since=date(2027, 1, 1)),
    Rule(id="ISSUE-MISSING-FORM", name="办证缺申请表", clause="§1", reason="自 2027 年起办证须交申请表",
         verdict="补正材料", when=row.doc_form == "否", missing=("申请表",), place="服务台", since=date(2027, 1, 1)),
)
