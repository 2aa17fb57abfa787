"""The words sscard shows: sheet names and the decision columns (RULEBOOK.md, 'Output')."""

from pathlib import Path

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

ROW_NUMBER = "行号"  # the request's row in the batch workbook: the same on 结果, 错误 and in explain
ERROR_COLUMNS = (ROW_NUMBER, "申请编号", "列", "值", "问题")
AUDIT_COLUMNS = ("项目", "内容")

# Fees in the summaries: due now (accepted rows) and due once the missing documents are brought.
FEE_DUE = "应收(元)"
FEE_PENDING = "补正后应收(元)"

LIST_SEPARATOR = "、"
RULE_SEPARATOR = ", "  # rule IDs on one line (reports, messages)
LINE_SEPARATOR = "\n"  # 依据 and 规则 cells: one rule per line, each beside its line in the other

# The checks the engine itself makes, named like rules (ID 名称) wherever rules are listed.
CHECK_NAMES = {
    "INPUT-BLANK": "必填项为空",
    "INPUT-VALUE": "取值有误",
    "INPUT-INCONSISTENT": "前后矛盾",
    "INPUT-DUPLICATE-ID": "申请编号重复",
    "PARAMETER-NOT-IN-FORCE": "参数未生效",
    "NO-RULE-FIRED": "无规则适用",
    "INPUT-READ-AS": "按写法读取",
}


def one_line(cell: str) -> str:
    """A multi-line cell (依据, 规则) on one line, for a message or a terminal line."""
    return cell.replace(LINE_SEPARATOR, LIST_SEPARATOR)


def check_label(check: str) -> str:
    name = CHECK_NAMES.get(check)
    return f"{check} {name}" if name else check


def shown_path(path) -> str:
    """A path as a person is shown it: relative to the working directory when under it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
