"""A small rulebook for engine tests (a 借书证 counter, not the real card rules), written
here as the tables of its workbook so a reviewer reads it in a diff.

Engine tests run on it, so a change of the live policy (a fee, a text) never breaks
them; the shipped rulebook (rules/规则库.xlsx) is tested by its own cases.  It has one
rule of every outcome, a dated fee, a dated threshold, a column that only some services
use, a rule that ends and one that starts on 2027-01-01, and a document column asked for
from then.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

D = dt.datetime
CASE_DAY = D(2026, 3, 1)
LATER = D(2027, 3, 1)
ID = "11010519491231002X"  # a valid 读者证号 (the fixture's card number is a 公民身份号码)

RULE_HEADINGS = ["规则编号", "名称", "结论", "费用", "缺少材料", "办理地点", "后续事项", "条款", "依据", "生效日期",
                 "失效日期", "解释性规则"]


def rules(conditions: list[str], rows: list[dict]) -> list[list]:
    """A rule table: the fixed headings around the condition columns, a rule a row."""
    headings = RULE_HEADINGS[:2] + conditions + RULE_HEADINGS[2:]
    return [headings] + [[row.get(h) for h in headings] for row in rows]


def case(name: str, verdict: str, fee=None, missing=None, expected_rules=None, **fields) -> dict:
    return {"用例名称": name, "期望结论": verdict, "期望费用(元)": fee, "期望缺少材料": missing, "期望规则": expected_rules,
            "申请编号": name, "业务类型": "办证", "申请日期": CASE_DAY, "姓名": "李四", "读者证号": ID, "办理人": "本人",
            "材料:身份证件": "是", **fields}


FORM = {"材料:申请表": "是"}
CASES = [
    case("办证", "受理", 10, "无", "ISSUE-ACCEPT"),
    case("办证 缺身份证件", "补正材料", None, "身份证件", "ISSUE-MISSING-ID", **{"材料:身份证件": "否"}),
    case("代办 2026", "人工复核", expected_rules="ISSUE-BY-OTHER", 办理人="代办"),
    case("代办 2027", "不予受理", expected_rules="ISSUE-BY-OTHER-REFUSED", 办理人="代办", 申请日期=LATER, **FORM),
    case("2027 缺申请表", "补正材料", 15, "申请表", "ISSUE-MISSING-FORM", 申请日期=LATER),
    case("重设 馆内", "受理", expected_rules="RESET-LIBRARY", 业务类型="重设密码", 账户="馆内账户"),
    case("重设 银行", "转银行办理", expected_rules="RESET-BANK", 业务类型="重设密码", 账户="银行账户"),
    case("重设 代办", "不予受理", expected_rules="RESET-NOT-IN-PERSON", 业务类型="重设密码", 账户="馆内账户", 办理人="代办"),
    case("解锁", "受理", expected_rules="UNLOCK-LOCKED", 业务类型="解锁", 错误次数=3),
    case("未锁定", "不予受理", expected_rules="UNLOCK-NOT-LOCKED", 业务类型="解锁", 错误次数=2),
    case("解锁 缺身份证件", "补正材料", expected_rules="UNLOCK-MISSING-ID", 业务类型="解锁", 错误次数=3,
         **{"材料:身份证件": "否"}),
]

COLUMNS = [
    ["列名", "类型", "可选值", "适用业务", "必填", "生效日期", "失效日期", "条款", "作用", "结果表次序", "告知书次序", "说明"],
    ["申请编号", "文本", None, "全部", "是", None, None, "F0", "申请编号", 1, 1, None],
    ["业务类型", "选项", None, "全部", "是", None, None, "F0", "业务类型", 3, 4, "办证、重设密码或解锁"],
    ["申请日期", "日期", None, "全部", "是", None, None, "F0", "申请日期", None, 5, None],
    ["姓名", "文本", None, "全部", "是", None, None, "F0", None, 2, 2, None],
    ["读者证号", "公民身份号码", None, "全部", "是", None, None, "F0", None, None, 3, "读者的公民身份号码"],
    ["办理人", "选项", "本人、代办", "全部", "是", None, None, "F0", None, None, None, None],
    ["账户", "选项", "馆内账户、银行账户", "重设密码", "是", None, None, "F0", None, None, None, None],
    ["错误次数", "整数", "≥ 0", "解锁", "是", None, None, "F0", None, None, None, None],
    ["材料:身份证件", "是否", None, "办证、解锁", "否", None, None, "F0", None, None, None, None],
    ["材料:申请表", "是否", None, "办证", "否", D(2027, 1, 1), None, "F0", None, None, None, None],
]

SHEETS: dict[str, list[list]] = {
    "规则库": [
        ["项目", "内容"],
        ["名称", "借书证测试规则"],
        ["依据文件", "《借书证办理须知》"],
        ["申请表工作表", "申请"],
        ["缺少材料时的后续事项", "请带〔缺少材料〕到〔办理地点〕补正"],
        ["须人工决定时的后续事项", "请交馆员复核决定"],
    ],
    "业务": [
        ["业务类型", "代码", "条款", "说明"],
        ["办证", "issue", "§1", None],
        ["重设密码", "reset", "§2", None],
        ["解锁", "unlock", "§3", None],
    ],
    "结论": [
        ["结论", "强弱", "收费", "作用", "告知书标题", "告知书开头", "费用名称", "告知书内容", "地点名称"],
        ["输入有误", 1, "否", "输入有误", None, None, None, None, None],
        ["不予受理", 2, "否", None, "借书证不予受理告知书", "您的申请不予受理,理由如下:", None, "理由及依据、复议和诉讼",
         None],
        ["补正材料", 3, "是", "缺少材料", "借书证一次性告知书", "请一次补齐下列材料:", "补正后应缴费用", "缺少材料、办理地点",
         "补正地点"],
        ["人工复核", 4, "否", "须人工决定", "借书证收件回执", "您的申请须由馆员复核后决定。", None, None, None],
        ["转银行办理", 5, "否", None, "借书证转办告知单", "请到银行办理:", None, "办理地点、后续事项", None],
        ["受理", 6, "是", None, "借书证受理回执", "您的申请已受理。", "应缴费用", "办理地点、后续事项", None],
    ],
    "输入列": COLUMNS,
    "参数": [
        ["参数", "生效日期", "值", "单位", "类型", "下限", "上限", "说明", "依据", "解释性规则"],
        ["工本费", D(2020, 1, 1), 10, "元", "金额", None, None, "办证工本费", "§1", None],
        ["工本费", D(2027, 1, 1), 15, None, None, None, None, None, None, None],
        ["锁定次数", D(2020, 1, 1), 3, "次", "次数", None, None, "连续输错多少次锁定", "§3", None],
    ],
    "写法": [["列名", "写法", "读作", "适用业务", "生效日期", "失效日期", "说明"]],
    "通用规则": [RULE_HEADINGS[:2] + ["业务类型"] + RULE_HEADINGS[2:]],
    "办证": rules(["办理人", "材料:身份证件", "材料:申请表"], [
        dict(规则编号="ISSUE-ACCEPT", 名称="办证", 办理人="本人", 结论="受理", 费用="工本费", 办理地点="服务台",
             后续事项="当场领证", 条款="§1", 依据="本人凭身份证件办证"),
        {"规则编号": "ISSUE-MISSING-ID", "名称": "办证缺身份证件", "材料:身份证件": "否", "结论": "补正材料",
         "缺少材料": "身份证件", "办理地点": "服务台", "条款": "§1", "依据": "办证须出示身份证件"},
        dict(规则编号="ISSUE-BY-OTHER", 名称="代办办证须复核", 办理人="代办", 结论="人工复核", 后续事项="请馆员复核", 条款="§1",
             依据="代办办证须馆员确认", 失效日期=D(2026, 12, 31), 解释性规则="是"),
        # From 2027 the library stops agent applications, and asks for a signed form.
        dict(规则编号="ISSUE-BY-OTHER-REFUSED", 名称="代办不再办证", 办理人="代办", 结论="不予受理", 条款="§1",
             依据="自 2027 年起办证须本人办理", 生效日期=D(2027, 1, 1)),
        {"规则编号": "ISSUE-MISSING-FORM", "名称": "办证缺申请表", "材料:申请表": "否", "结论": "补正材料",
         "缺少材料": "申请表", "办理地点": "服务台", "条款": "§1", "依据": "自 2027 年起办证须交申请表",
         "生效日期": D(2027, 1, 1)},
    ]),
    "重设密码": rules(["办理人", "账户"], [
        dict(规则编号="RESET-LIBRARY", 名称="馆内账户重设", 账户="馆内账户", 结论="受理", 办理地点="服务台", 条款="§2",
             依据="馆内账户密码在服务台重设"),
        dict(规则编号="RESET-BANK", 名称="银行账户转银行", 账户="银行账户", 结论="转银行办理", 办理地点="合作银行",
             后续事项="到合作银行办理", 条款="§2", 依据="银行账户密码由银行重设"),
        dict(规则编号="RESET-NOT-IN-PERSON", 名称="重设须本人", 办理人="代办", 结论="不予受理", 条款="§2",
             依据="重设密码须本人办理"),
    ]),
    "解锁": rules(["错误次数", "材料:身份证件"], [
        dict(规则编号="UNLOCK-LOCKED", 名称="已锁定可解锁", 错误次数="≥ 锁定次数", 结论="受理", 办理地点="服务台",
             条款="§3", 依据="错误次数已达锁定次数"),
        dict(规则编号="UNLOCK-NOT-LOCKED", 名称="未锁定", 错误次数="< 锁定次数", 结论="不予受理", 条款="§3",
             依据="未锁定,无需解锁"),
        {"规则编号": "UNLOCK-MISSING-ID", "名称": "解锁缺身份证件", "材料:身份证件": "否", "结论": "补正材料",
         "缺少材料": "身份证件", "办理地点": "服务台", "条款": "§3", "依据": "解锁须出示身份证件"},
    ]),
}
CASE_HEADINGS = ["用例名称", "期望结论", "期望费用(元)", "期望缺少材料", "期望规则"] + [row[0] for row in COLUMNS[1:]]
SHEETS["用例"] = [CASE_HEADINGS] + [[c.get(h) for h in CASE_HEADINGS] for c in CASES]


def write_rulebook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A rulebook workbook holding ``sheets`` (name -> rows, the first the headings)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str):
                    cell.number_format = "@"  # a card number typed as text stays text
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def build(path: Path) -> Path:
    return write_rulebook(path, SHEETS)
