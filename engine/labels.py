"""The words sscard shows: sheet names and the decision columns (RULEBOOK.md, 'Output')."""

RESULT_SHEET = "结果"
SUMMARY_SHEET = "汇总"
ERROR_SHEET = "错误"
AUDIT_SHEET = "审计"
HELP_SHEET = "说明"

VERDICT = "结论"
FEE = "费用(元)"
MISSING = "缺少材料"
PLACE = "办理地点"
NEXT = "后续事项"
BASIS = "依据"
RULES = "规则"
DIGEST = "核验码"

DECISION_COLUMNS = (VERDICT, FEE, MISSING, PLACE, NEXT, BASIS, RULES)

ERROR_COLUMNS = ("行号", "申请编号", "列", "值", "问题")

LIST_SEPARATOR = "、"
RULE_SEPARATOR = ", "
