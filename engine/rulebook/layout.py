"""The rulebook workbook as a policy officer reads it: its sheets, their headings and
the words its cells use, in one place.  Nothing here is a program name: the headings and
values are the officer's own words (RULEBOOK.md requires only the service codes)."""

from __future__ import annotations

BOOK_NAME = "规则库.xlsx"  # the live rulebook's file name (rules/规则库.xlsx) and its name in the archive

# The settings sheet: 项目 | 内容, one item a row.
SETTINGS = "规则库"
ITEM, CONTENT = "项目", "内容"
NAME = "名称"
SOURCE_TITLE = "依据文件"
BATCH_SHEET = "申请表工作表"
MISSING_NEXT = "缺少材料时的后续事项"
UNRULED_NEXT = "须人工决定时的后续事项"
SETTING_ITEMS = (NAME, SOURCE_TITLE, BATCH_SHEET, MISSING_NEXT, UNRULED_NEXT)
REQUIRED_ITEMS = (NAME, BATCH_SHEET)

SERVICES = "业务"
SERVICE_NAME, SERVICE_CODE, CLAUSE, NOTE = "业务类型", "代码", "条款", "说明"
SERVICE_HEADINGS = (SERVICE_NAME, SERVICE_CODE, CLAUSE, NOTE)

VERDICTS = "结论"
VERDICT, STRENGTH, CHARGED, ROLE = "结论", "强弱", "收费", "作用"
NOTICE_TITLE, NOTICE_OPENING, FEE_LABEL, NOTICE_SECTIONS, PLACE_LABEL = (
    "告知书标题", "告知书开头", "费用名称", "告知书内容", "地点名称")
VERDICT_HEADINGS = (VERDICT, STRENGTH, CHARGED, ROLE, NOTICE_TITLE, NOTICE_OPENING, FEE_LABEL, NOTICE_SECTIONS,
                    PLACE_LABEL)
INVALID_ROLE, UNRULED_ROLE, MISSING_ROLE = "输入有误", "须人工决定", "缺少材料"
VERDICT_ROLES = (INVALID_ROLE, UNRULED_ROLE, MISSING_ROLE)
SECTION_WORDS = {"缺少材料": "missing", "理由及依据": "reasons", "办理地点": "place", "后续事项": "next",
                 "复议和诉讼": "appeal"}  # appeal: how to contest it (行政复议, 行政诉讼), from the office's settings

COLUMNS = "输入列"
HEADER, KIND, VALUES, USED_BY, REQUIRED = "列名", "类型", "可选值", "适用业务", "必填"
SINCE, UNTIL = "生效日期", "失效日期"
IDENTITY_ORDER, PAPERS_ORDER, HELP = "结果表次序", "告知书次序", "说明"
COLUMN_HEADINGS = (HEADER, KIND, VALUES, USED_BY, REQUIRED, SINCE, UNTIL, CLAUSE, ROLE, IDENTITY_ORDER,
                   PAPERS_ORDER, HELP)
TEXT, YES_NO, CHOICE, DATE, WHOLE_NUMBER, RESIDENT_ID = "文本", "是否", "选项", "日期", "整数", "公民身份号码"
KINDS = (TEXT, YES_NO, CHOICE, DATE, WHOLE_NUMBER, RESIDENT_ID)
REQUEST_ID_ROLE, DISPATCH_ROLE, EFFECTIVE_DATE_ROLE = "申请编号", "业务类型", "申请日期"
COLUMN_ROLES = (REQUEST_ID_ROLE, DISPATCH_ROLE, EFFECTIVE_DATE_ROLE)
ALL_SERVICES = "全部"
AND = "且"  # joins the conditions of a 必填 cell

PARAMETERS = "参数"
PARAMETER, VALUE, UNIT, LOW, HIGH, REFERENCE, INTERPRETATION = "参数", "值", "单位", "下限", "上限", "依据", "解释性规则"
PARAMETER_HEADINGS = (PARAMETER, SINCE, VALUE, UNIT, KIND, LOW, HIGH, NOTE, REFERENCE, INTERPRETATION)
# Written once, on a parameter's first row; a later row leaves them blank or repeats them.
PARAMETER_DESCRIPTION = (UNIT, KIND, LOW, HIGH, NOTE, REFERENCE, INTERPRETATION)

PHRASINGS = "写法"
WRITTEN, READS_AS = "写法", "读作"
PHRASING_HEADINGS = (HEADER, WRITTEN, READS_AS, USED_BY, SINCE, UNTIL, NOTE)

COMMON_RULES = "通用规则"
RULE_ID, RULE_NAME, FEE, MISSING, PLACE, NEXT, REASON = "规则编号", "名称", "费用", "缺少材料", "办理地点", "后续事项", "依据"
# Every heading of a rule table but the conditions (headed by the input column they test).
RULE_HEADINGS = (RULE_ID, RULE_NAME, VERDICT, FEE, MISSING, PLACE, NEXT, CLAUSE, REASON, SINCE, UNTIL, INTERPRETATION)
COMMON_HEADINGS = (SERVICE_NAME,)  # a shared rule names the services it applies to

CASES = "用例"

YES, NO = "是", "否"
LIST_SEPARATORS = "、,,;;"  # a list in one cell: 丢失、被盗 (a comma is read the same)
NOT = "非"  # 非 丢失、被盗: none of them
# A comparison in a condition cell: ≥ 密码锁定次数, < 3 (ASCII and full-width forms too).
COMPARISONS = {"≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", ">": ">", "<": "<", "＞": ">", "＜": "<",
               "＞＝": ">=", "＜＝": "<=", "≠": "!=", "=": "==", "＝": "=="}
