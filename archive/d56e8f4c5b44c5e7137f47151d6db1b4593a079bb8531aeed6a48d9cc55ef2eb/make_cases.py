"""The rulebook's own test cases, written from RULEBOOK.md, and the workbook made from them.

Each line: case name, the request (column: value; unnamed columns are a 本人 request
for a 正常 card dated 2026-03-01 with no documents brought), then the expected
结论, 费用(元) and 缺少材料 ("无": nothing missing; None: not checked), and the rules
the case is written for (期望规则: each must fire; others may fire too).

Write the workbook beside this file after changing the table (a case may be appended
at the end: ``CASES += [(...)]``):

    sscard rules cases                  # rules/cases.xlsx
    sscard rules cases --rules 草案      # a draft's own cases.xlsx
"""

from __future__ import annotations

import datetime as dt

ID = {"材料:身份证件原件": "是"}
CARD = {"材料:社保卡": "是"}
AGENT_DOCS = {"材料:受托人身份证原件": "是", "材料:受托人身份证复印件": "是"}
DEATH_SETTLED = {"户籍已注销": "是", "人社业务已办结": "是", "银行业务已办清": "是", "材料:户籍注销证明": "是"}
FEE = 20  # card_fee in force on 2026-03-01

# (case name, request, 期望结论, 期望费用(元), 期望缺少材料, 期望规则)
CASES = [
    # C1 / C2: the row itself is wrong
    ("C1 身份证号为数字单元格", {"业务类型": "挂失", "原因": "丢失", "公民身份号码": 110105194912310020}, "输入有误", 0, "无",
     "INPUT-VALUE"),
    ("C1 身份证号校验位错误", {"业务类型": "挂失", "原因": "丢失", "公民身份号码": "110105194912310021"}, "输入有误", 0, "无",
     "INPUT-VALUE"),
    ("C2 业务类型未知", {"业务类型": "开户", "原因": "丢失"}, "输入有误", 0, "无",
     "INPUT-VALUE"),
    ("C2 换卡缺损坏责任", {"业务类型": "换卡", "原因": "卡面污损", **ID, **CARD}, "输入有误", 0, "无",
     "INPUT-BLANK"),
    ("C2 社保账户解锁缺错误次数", {"业务类型": "密码解锁", "账户类型": "社保账户", **ID, **CARD}, "输入有误", 0, "无",
     "INPUT-BLANK"),
    ("C2 代办补卡缺有无工作单位", {"业务类型": "补卡", "办理人": "代办", "卡状态": "挂失"}, "输入有误", 0, "无",
     "INPUT-BLANK"),
    ("C2 信息变更原因空白", {"业务类型": "信息变更", **ID, **CARD}, "输入有误", 0, "无",
     "INPUT-BLANK"),
    # parameters: before the first fee there is no rule in force
    ("参数 申请日期早于工本费生效", {"业务类型": "补卡", "卡状态": "挂失", "申请日期": dt.datetime(2014, 12, 31), **ID},
     "人工复核", 0, "无",
     "PARAMETER-NOT-IN-FORCE"),
    # C3, C4, C6: shared rules
    ("C3 已注销的卡不能补卡", {"业务类型": "补卡", "卡状态": "注销", **ID}, "不予受理", 0, "无",
     "COMMON-CARD-CANCELLED"),
    ("C3 已注销的卡不能解锁", {"业务类型": "密码解锁", "卡状态": "注销", "账户类型": "社保账户", "连续密码错误次数": 3,
                         **ID, **CARD}, "不予受理", 0, "无",
     "COMMON-CARD-CANCELLED"),
    ("C4 挂失冻结的卡不能换卡", {"业务类型": "换卡", "卡状态": "挂失", "原因": "卡面污损", "损坏责任": "使用不当", **ID, **CARD},
     "不予受理", 0, "无",
     "COMMON-CARD-FROZEN"),
    ("C4 挂失冻结的卡不能重置社保密码", {"业务类型": "密码重置", "卡状态": "挂失", "账户类型": "社保账户", **ID, **CARD},
     "不予受理", 0, "无",
     "COMMON-CARD-FROZEN"),
    ("C6 挂失的卡银行密码仍转银行", {"业务类型": "密码重置", "卡状态": "挂失", "账户类型": "银行账户"}, "转银行办理", 0, "无",
     "PIN-RESET-BANK"),
    # 信息变更 (§1, §7(二))
    ("信息变更 数据采集错误免费", {"业务类型": "信息变更", "原因": "数据采集错误", **ID, **CARD}, "受理", 0, "无",
     "INFO-CHANGE-DATA-ERROR"),
    ("信息变更 个人信息变更缴费", {"业务类型": "信息变更", "原因": "信息变更", **ID, **CARD, "材料:变更证明": "是"},
     "受理", FEE, "无",
     "INFO-CHANGE-PERSONAL"),
    ("信息变更 缺变更证明", {"业务类型": "信息变更", "原因": "信息变更", **ID, **CARD}, "补正材料", FEE, "变更证明",
     "INFO-CHANGE-MISSING-PROOF"),
    ("信息变更 缺社保卡和身份证", {"业务类型": "信息变更", "原因": "数据采集错误"}, "补正材料", 0, "社保卡、身份证件原件",
     "INFO-CHANGE-MISSING-CARD INFO-CHANGE-MISSING-ID"),
    ("信息变更 原因不符", {"业务类型": "信息变更", "原因": "丢失", **ID, **CARD}, "不予受理", 0, "无",
     "INFO-CHANGE-REASON-INVALID"),
    ("信息变更 原因为其他文字", {"业务类型": "信息变更", "原因": "想换照片", **ID, **CARD}, "不予受理", 0, "无",
     "INFO-CHANGE-REASON-INVALID"),
    ("信息变更 代办", {"业务类型": "信息变更", "办理人": "代办", "原因": "数据采集错误", **ID, **CARD}, "不予受理", 0, "无",
     "INFO-CHANGE-NOT-IN-PERSON"),
    # 密码重置 (§2)
    ("密码重置 社保账户本人", {"业务类型": "密码重置", "账户类型": "社保账户", **ID, **CARD}, "受理", 0, "无",
     "PIN-RESET-SOCIAL"),
    ("密码重置 银行账户转银行", {"业务类型": "密码重置", "账户类型": "银行账户", "办理人": "代办"}, "转银行办理", 0, "无",
     "PIN-RESET-BANK"),
    ("密码重置 代办", {"业务类型": "密码重置", "账户类型": "社保账户", "办理人": "代办", **ID, **CARD}, "不予受理", 0, "无",
     "PIN-RESET-NOT-IN-PERSON"),
    ("密码重置 缺卡和身份证", {"业务类型": "密码重置", "账户类型": "社保账户"}, "补正材料", 0, "社保卡、身份证件原件",
     "PIN-RESET-MISSING-CARD PIN-RESET-MISSING-ID"),
    # 密码解锁 (§3): locked at pin_lock_threshold = 3
    ("密码解锁 输错3次已锁定", {"业务类型": "密码解锁", "账户类型": "社保账户", "连续密码错误次数": 3, **ID, **CARD},
     "受理", 0, "无",
     "PIN-UNLOCK-LOCKED"),
    ("密码解锁 输错2次未锁定", {"业务类型": "密码解锁", "账户类型": "社保账户", "连续密码错误次数": 2, **ID, **CARD},
     "不予受理", 0, "无",
     "PIN-UNLOCK-NOT-LOCKED"),
    ("密码解锁 银行账户转银行电话", {"业务类型": "密码解锁", "账户类型": "银行账户"}, "转银行办理", 0, "无",
     "PIN-UNLOCK-BANK"),
    ("密码解锁 代办", {"业务类型": "密码解锁", "账户类型": "社保账户", "连续密码错误次数": 5, "办理人": "代办", **ID, **CARD},
     "不予受理", 0, "无",
     "PIN-UNLOCK-NOT-IN-PERSON"),
    ("密码解锁 缺卡和身份证", {"业务类型": "密码解锁", "账户类型": "社保账户", "连续密码错误次数": 4}, "补正材料", 0,
     "社保卡、身份证件原件",
     "PIN-UNLOCK-MISSING-CARD PIN-UNLOCK-MISSING-ID"),
    # 挂失 (§4)
    ("挂失 丢失", {"业务类型": "挂失", "原因": "丢失"}, "受理", 0, "无",
     "REPORT-LOSS-ACCEPT"),
    ("挂失 被盗", {"业务类型": "挂失", "原因": "被盗"}, "受理", 0, "无",
     "REPORT-LOSS-ACCEPT"),
    ("挂失 已挂失", {"业务类型": "挂失", "原因": "丢失", "卡状态": "挂失"}, "不予受理", 0, "无",
     "REPORT-LOSS-ALREADY-REPORTED"),
    ("挂失 原因不符", {"业务类型": "挂失", "原因": "卡面污损"}, "不予受理", 0, "无",
     "REPORT-LOSS-REASON-INVALID"),
    ("挂失 原因写成遗失", {"业务类型": "挂失", "原因": "遗失"}, "不予受理", 0, "无",
     "REPORT-LOSS-REASON-INVALID"),
    ("挂失 他人代为挂失", {"业务类型": "挂失", "原因": "被盗", "办理人": "代办"}, "人工复核", 0, "无",
     "REPORT-LOSS-BY-OTHER"),
    # 解除挂失 (§5)
    ("解除挂失 找回卡片", {"业务类型": "解除挂失", "卡状态": "挂失", **ID, **CARD}, "受理", 0, "无",
     "CANCEL-LOSS-ACCEPT"),
    ("解除挂失 卡未挂失", {"业务类型": "解除挂失", **ID, **CARD}, "不予受理", 0, "无",
     "CANCEL-LOSS-NOT-REPORTED"),
    ("解除挂失 已申请补卡", {"业务类型": "解除挂失", "卡状态": "挂失", "已申请补卡": "是", **ID, **CARD}, "不予受理", 0, "无",
     "CANCEL-LOSS-REISSUE-APPLIED"),
    ("解除挂失 代办", {"业务类型": "解除挂失", "卡状态": "挂失", "办理人": "代办", **ID, **CARD}, "不予受理", 0, "无",
     "CANCEL-LOSS-NOT-IN-PERSON"),
    ("解除挂失 缺卡和身份证原件", {"业务类型": "解除挂失", "卡状态": "挂失"}, "补正材料", 0, "身份证件原件、社保卡",
     "CANCEL-LOSS-MISSING-ID CANCEL-LOSS-MISSING-CARD"),
    # 补卡 (§6): paid (a lost card is not a quality problem)
    ("补卡 本人", {"业务类型": "补卡", "卡状态": "挂失", **ID}, "受理", FEE, "无",
     "REISSUE-ACCEPT REISSUE-FEE"),
    ("补卡 未挂失", {"业务类型": "补卡", **ID}, "不予受理", 0, "无",
     "REISSUE-NOT-REPORTED"),
    ("补卡 本人缺身份证原件", {"业务类型": "补卡", "卡状态": "挂失"}, "补正材料", FEE, "身份证件原件",
     "REISSUE-MISSING-HOLDER-ID"),
    ("补卡 代办 有单位 材料齐全", {"业务类型": "补卡", "卡状态": "挂失", "办理人": "代办", "有工作单位": "是", **ID,
                          **AGENT_DOCS, "材料:单位证明": "是"}, "受理", FEE, "无",
     "REISSUE-ACCEPT REISSUE-FEE"),
    ("补卡 代办 无单位 材料齐全", {"业务类型": "补卡", "卡状态": "挂失", "办理人": "代办", "有工作单位": "否", **ID,
                          **AGENT_DOCS, "材料:社区证明": "是"}, "受理", FEE, "无",
     "REISSUE-ACCEPT REISSUE-FEE"),
    ("补卡 代办 有单位 缺单位证明", {"业务类型": "补卡", "卡状态": "挂失", "办理人": "代办", "有工作单位": "是", **ID,
                           **AGENT_DOCS, "材料:社区证明": "是"}, "补正材料", FEE, "单位证明",
     "REISSUE-AGENT-MISSING-EMPLOYER-LETTER"),
    ("补卡 代办 无单位 缺社区证明", {"业务类型": "补卡", "卡状态": "挂失", "办理人": "代办", "有工作单位": "否", **ID,
                           **AGENT_DOCS}, "补正材料", FEE, "社区证明",
     "REISSUE-AGENT-MISSING-COMMUNITY-LETTER"),
    ("补卡 代办 缺受托人证件", {"业务类型": "补卡", "卡状态": "挂失", "办理人": "代办", "有工作单位": "是", **ID,
                         "材料:单位证明": "是"}, "补正材料", FEE, "受托人身份证原件、受托人身份证复印件",
     "REISSUE-AGENT-MISSING-AGENT-ID REISSUE-AGENT-MISSING-AGENT-COPY"),
    # 换卡 (§7(一)): the fee follows who caused the damage
    ("换卡 卡片质量问题免费", {"业务类型": "换卡", "原因": "卡面污损", "损坏责任": "卡片质量问题", **ID, **CARD}, "受理", 0, "无",
     "EXCHANGE-ELIGIBLE EXCHANGE-FREE"),
    ("换卡 数据采集错误免费", {"业务类型": "换卡", "原因": "无法读写", "损坏责任": "数据采集错误", **ID, **CARD}, "受理", 0, "无",
     "EXCHANGE-ELIGIBLE EXCHANGE-FREE"),
    ("换卡 使用不当缴费", {"业务类型": "换卡", "原因": "卡面残缺", "损坏责任": "使用不当", **ID, **CARD}, "受理", FEE, "无",
     "EXCHANGE-ELIGIBLE EXCHANGE-PAID"),
    ("换卡 其他原因缴费", {"业务类型": "换卡", "原因": "无法读写", "损坏责任": "其他", **ID, **CARD}, "受理", FEE, "无",
     "EXCHANGE-ELIGIBLE EXCHANGE-PAID"),
    ("换卡 卡片过期", {"业务类型": "换卡", "原因": "卡片过期", **ID, **CARD}, "不予受理", 0, "无",
     "EXCHANGE-CARD-EXPIRED"),
    ("换卡 原因不符", {"业务类型": "换卡", "原因": "丢失", **ID, **CARD}, "不予受理", 0, "无",
     "EXCHANGE-REASON-INVALID"),
    ("换卡 原因为其他文字", {"业务类型": "换卡", "原因": "想换新样式", **ID, **CARD}, "不予受理", 0, "无",
     "EXCHANGE-REASON-INVALID"),
    ("换卡 代办", {"业务类型": "换卡", "原因": "卡面污损", "损坏责任": "其他", "办理人": "代办", **ID, **CARD},
     "不予受理", 0, "无",
     "EXCHANGE-NOT-IN-PERSON"),
    ("换卡 缺旧卡和身份证", {"业务类型": "换卡", "原因": "卡面污损", "损坏责任": "使用不当"}, "补正材料", FEE,
     "社保卡、身份证件原件",
     "EXCHANGE-MISSING-CARD EXCHANGE-MISSING-ID"),
    # 注销 (§8)
    ("注销 死亡 已办结", {"业务类型": "注销", "原因": "死亡", "办理人": "代办", **DEATH_SETTLED}, "受理", 0, "无",
     "DEREGISTER-DEATH-ACCEPT"),
    ("注销 失踪 已办结", {"业务类型": "注销", "原因": "失踪", "办理人": "代办", **DEATH_SETTLED}, "受理", 0, "无",
     "DEREGISTER-DEATH-ACCEPT"),
    ("注销 死亡 户籍未注销", {"业务类型": "注销", "原因": "死亡", **DEATH_SETTLED, "户籍已注销": "否"}, "不予受理", 0, "无",
     "DEREGISTER-HUKOU-NOT-CANCELLED"),
    ("注销 死亡 人社业务未办结", {"业务类型": "注销", "原因": "死亡", **DEATH_SETTLED, "人社业务已办结": "否"}, "不予受理", 0,
     "无",
     "DEREGISTER-HRSS-NOT-CLOSED"),
    ("注销 死亡 银行业务未办清", {"业务类型": "注销", "原因": "死亡", **DEATH_SETTLED, "银行业务已办清": "否"}, "不予受理", 0,
     "无",
     "DEREGISTER-BANK-NOT-CLOSED"),
    ("注销 死亡 缺户籍注销证明", {"业务类型": "注销", "原因": "死亡", **DEATH_SETTLED, "材料:户籍注销证明": "否"}, "补正材料",
     0, "户籍注销证明",
     "DEREGISTER-MISSING-HUKOU-PROOF"),
    ("注销 换领新卡 交回旧卡", {"业务类型": "注销", "原因": "换领新卡", "已领取新卡": "是", **CARD}, "受理", 0, "无",
     "DEREGISTER-RENEWAL-ACCEPT"),
    ("注销 换领新卡 未领新卡", {"业务类型": "注销", "原因": "换领新卡", **CARD}, "不予受理", 0, "无",
     "DEREGISTER-NEW-CARD-NOT-RECEIVED"),
    ("注销 换领新卡 缺旧卡", {"业务类型": "注销", "原因": "换领新卡", "已领取新卡": "是"}, "补正材料", 0, "社保卡",
     "DEREGISTER-RENEWAL-MISSING-CARD"),
    ("注销 换领新卡 代办", {"业务类型": "注销", "原因": "换领新卡", "已领取新卡": "是", "办理人": "代办", **CARD}, "不予受理",
     0, "无",
     "DEREGISTER-RENEWAL-NOT-IN-PERSON"),
    ("注销 原因不符", {"业务类型": "注销", "原因": "丢失", **CARD}, "不予受理", 0, "无",
     "DEREGISTER-REASON-INVALID"),
    ("注销 原因为其他文字", {"业务类型": "注销", "原因": "出国定居", **CARD}, "不予受理", 0, "无",
     "DEREGISTER-REASON-INVALID"),
]

BASE = {"申请日期": dt.datetime(2026, 3, 1), "持卡人姓名": "张三", "公民身份号码": "11010519491231002X",
        "办理人": "本人", "卡状态": "正常"}


def rows() -> list[dict]:
    """The cases as workbook rows, keyed by header."""
    out = []
    for number, (name, request, verdict, fee, missing, rules) in enumerate(CASES, start=1):
        row = {"用例名称": name, "申请编号": f"CASE-{number:03d}", **BASE, **request}
        row.update({"期望结论": verdict, "期望费用(元)": fee, "期望缺少材料": missing, "期望规则": rules})
        out.append(row)
    return out
