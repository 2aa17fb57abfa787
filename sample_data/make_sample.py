"""Write the sample batch (batch.xlsx) and the decisions RULEBOOK.md expects (expected.csv).

    python sample_data/make_sample.py [OUT_DIR]     (default: beside this script)

Every row comes from a scenario in SCENARIOS below: the input a clerk would type and
the outcome worked out by hand from RULEBOOK.md, never by running the checker. Each
scenario is repeated with different people, ID numbers and dates; rows are shuffled
with a fixed seed, so the same files come out every time. Besides the plain rows there
are spellings a clerk really uses (service codes, TRUE/FALSE, stray spaces, a lowercase
x, year-first dates typed as text in every form an office writes), which must not change
any decision, and bad rows: invalid or numeric 公民身份号码, unknown 业务类型, a
day-first or numeric date, blank required fields, a duplicated 申请编号, one all-blank
row and an extra 备注 column; a 原因 a service does not list is 不予受理, and a listed
phrasing of one (遗失 for 丢失, RULEBOOK.md revised 2026-12-04) is read as it.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

SEED = 20250301
HEADER = ["申请编号", "业务类型", "申请日期", "持卡人姓名", "公民身份号码", "办理人", "卡状态", "账户类型",
          "连续密码错误次数", "原因", "损坏责任", "已申请补卡", "有工作单位", "户籍已注销", "人社业务已办结",
          "银行业务已办清", "已领取新卡", "材料:身份证件原件", "材料:社保卡", "材料:受托人身份证原件",
          "材料:受托人身份证复印件", "材料:单位证明", "材料:社区证明", "材料:变更证明", "材料:户籍注销证明"]
EXTRA = "备注"  # a column of the office's own: kept, never read
EXPECTED_COLUMNS = ["申请编号", "结论", "费用(元)", "缺少材料", "规则"]
YES_NO_COLUMNS = HEADER[11:]
DOCUMENTS = [h for h in HEADER if h.startswith("材料:")]
CODES = {"信息变更": "info_change", "密码重置": "pin_reset", "密码解锁": "pin_unlock", "挂失": "report_loss",
         "解除挂失": "cancel_loss", "补卡": "reissue", "换卡": "exchange", "注销": "deregister"}
FEE = 20  # card_fee from 2015-01-01; every sample row is dated 2025-2026
Y, N = "是", "否"

# Sentinels: cells the generator fills in a deliberately wrong way.
BAD_CHECK_DIGIT = "<valid ID with its check digit changed>"
NUMERIC_ID = "<valid ID typed as a number>"
BORN_AFTER_APPLYING = "<ID whose birth date is after 申请日期>"
DUPLICATE_ID = "<申请编号 shared by both rows of this scenario>"


@dataclass(frozen=True)
class Scenario:
    name: str
    count: int
    fields: dict  # by header; 申请编号/申请日期/持卡人姓名/公民身份号码 are generated unless given
    verdict: str
    fee: int = 0
    missing: tuple[str, ...] = ()  # as in the header without 材料:, in header order
    rules: tuple[str, ...] = field(default=())  # every rule ID (or input check) that must fire, no other


def s(name, count, fields, verdict, fee=0, missing="", rules=""):
    return Scenario(name, count, fields, verdict, fee, tuple(missing.split()), tuple(rules.split()))


ID = {"材料:身份证件原件": Y}
CARD = {"材料:社保卡": Y}
ID_CARD = {**ID, **CARD}
AGENT = {"办理人": "代办", "材料:受托人身份证原件": Y, "材料:受托人身份证复印件": Y}
LOST = {"卡状态": "挂失"}

INFO_DATA = {"业务类型": "信息变更", "原因": "数据采集错误", **ID_CARD}
INFO_PERSONAL = {"业务类型": "信息变更", "原因": "信息变更", **ID_CARD, "材料:变更证明": Y}
RESET = {"业务类型": "密码重置", "账户类型": "社保账户", **ID_CARD}
UNLOCK = {"业务类型": "密码解锁", "账户类型": "社保账户", "连续密码错误次数": 3, **ID_CARD}
LOSS = {"业务类型": "挂失", "原因": "丢失"}
CANCEL = {"业务类型": "解除挂失", **LOST, "已申请补卡": N, **ID_CARD}
REISSUE = {"业务类型": "补卡", **LOST, **ID}
REISSUE_EMPLOYED = {**REISSUE, **AGENT, "有工作单位": Y, "材料:单位证明": Y}
REISSUE_UNEMPLOYED = {**REISSUE, **AGENT, "有工作单位": N, "材料:社区证明": Y}
EXCHANGE = {"业务类型": "换卡", "原因": "卡面污损", "损坏责任": "卡片质量问题", **ID_CARD}
DEATH = {"业务类型": "注销", "原因": "死亡", "户籍已注销": Y, "人社业务已办结": Y, "银行业务已办清": Y,
         "材料:户籍注销证明": Y}
RENEWAL = {"业务类型": "注销", "原因": "换领新卡", "已领取新卡": Y, **CARD}

SCENARIOS = [
    # 信息变更 (§1, §7(二)): 数据采集错误 free; the holder's own change paid and needs proof.
    s("信息变更-采集错误", 12, INFO_DATA, "受理", 0, "", "INFO-CHANGE-DATA-ERROR"),
    s("信息变更-本人信息变更", 10, INFO_PERSONAL, "受理", FEE, "", "INFO-CHANGE-PERSONAL"),
    s("信息变更-缺变更证明", 4, {**INFO_PERSONAL, "材料:变更证明": N}, "补正材料", FEE, "变更证明",
      "INFO-CHANGE-PERSONAL INFO-CHANGE-MISSING-PROOF"),
    s("信息变更-未交回卡", 3, {**INFO_DATA, "材料:社保卡": None}, "补正材料", 0, "社保卡",
      "INFO-CHANGE-DATA-ERROR INFO-CHANGE-MISSING-CARD"),
    s("信息变更-缺身份证", 3, {**INFO_PERSONAL, "材料:身份证件原件": N}, "补正材料", FEE, "身份证件原件",
      "INFO-CHANGE-PERSONAL INFO-CHANGE-MISSING-ID"),
    s("信息变更-原因不符", 2, {**INFO_DATA, "原因": "丢失"}, "不予受理", 0, "", "INFO-CHANGE-REASON-INVALID"),
    s("信息变更-原因为其他文字", 1, {**INFO_DATA, "原因": "想换照片"}, "不予受理", 0, "", "INFO-CHANGE-REASON-INVALID"),
    s("信息变更-代办", 2, {**INFO_DATA, "办理人": "代办"}, "不予受理", 0, "",
      "INFO-CHANGE-DATA-ERROR INFO-CHANGE-NOT-IN-PERSON"),
    s("信息变更-卡已挂失", 2, {**INFO_DATA, **LOST}, "不予受理", 0, "",
      "COMMON-CARD-FROZEN INFO-CHANGE-DATA-ERROR"),

    # 密码重置 (§2)
    s("密码重置-社保账户", 14, RESET, "受理", 0, "", "PIN-RESET-SOCIAL"),
    s("密码重置-银行账户", 10, {"业务类型": "密码重置", "账户类型": "银行账户", **ID_CARD}, "转银行办理", 0, "",
      "PIN-RESET-BANK"),
    s("密码重置-银行账户代办且卡已挂失", 2, {"业务类型": "密码重置", "账户类型": "银行账户", "办理人": "代办", **LOST},
      "转银行办理", 0, "", "PIN-RESET-BANK"),
    s("密码重置-代办", 2, {**RESET, "办理人": "代办"}, "不予受理", 0, "", "PIN-RESET-SOCIAL PIN-RESET-NOT-IN-PERSON"),
    s("密码重置-未带卡", 3, {**RESET, "材料:社保卡": N}, "补正材料", 0, "社保卡",
      "PIN-RESET-SOCIAL PIN-RESET-MISSING-CARD"),
    s("密码重置-缺身份证", 2, {**RESET, "材料:身份证件原件": None}, "补正材料", 0, "身份证件原件",
      "PIN-RESET-SOCIAL PIN-RESET-MISSING-ID"),
    s("密码重置-卡已挂失", 2, {**RESET, **LOST}, "不予受理", 0, "", "COMMON-CARD-FROZEN PIN-RESET-SOCIAL"),

    # 密码解锁 (§3): locked at 3 wrong passwords in a row.
    s("密码解锁-输错3次", 8, UNLOCK, "受理", 0, "", "PIN-UNLOCK-LOCKED"),
    s("密码解锁-输错5次", 3, {**UNLOCK, "连续密码错误次数": 5}, "受理", 0, "", "PIN-UNLOCK-LOCKED"),
    s("密码解锁-次数写成文字", 1, {**UNLOCK, "连续密码错误次数": "4"}, "受理", 0, "", "PIN-UNLOCK-LOCKED"),
    s("密码解锁-未锁定", 3, {**UNLOCK, "连续密码错误次数": 1}, "不予受理", 0, "", "PIN-UNLOCK-NOT-LOCKED"),
    s("密码解锁-银行账户", 8, {"业务类型": "密码解锁", "账户类型": "银行账户"}, "转银行办理", 0, "", "PIN-UNLOCK-BANK"),
    s("密码解锁-代办", 2, {**UNLOCK, "办理人": "代办", "连续密码错误次数": 4}, "不予受理", 0, "",
      "PIN-UNLOCK-LOCKED PIN-UNLOCK-NOT-IN-PERSON"),
    s("密码解锁-未带卡", 2, {**UNLOCK, "材料:社保卡": N}, "补正材料", 0, "社保卡",
      "PIN-UNLOCK-LOCKED PIN-UNLOCK-MISSING-CARD"),
    s("密码解锁-缺身份证", 2, {**UNLOCK, "材料:身份证件原件": N}, "补正材料", 0, "身份证件原件",
      "PIN-UNLOCK-LOCKED PIN-UNLOCK-MISSING-ID"),
    s("密码解锁-卡已挂失", 1, {**UNLOCK, **LOST}, "不予受理", 0, "", "COMMON-CARD-FROZEN PIN-UNLOCK-LOCKED"),
    s("密码解锁-次数不是整数", 1, {**UNLOCK, "连续密码错误次数": "2.5"}, "输入有误", 0, "", "INPUT-VALUE"),

    # 挂失 (§4): by phone, no documents; someone else reporting → a person decides.
    s("挂失-丢失", 14, LOSS, "受理", 0, "", "REPORT-LOSS-ACCEPT"),
    s("挂失-被盗", 6, {**LOSS, "原因": "被盗"}, "受理", 0, "", "REPORT-LOSS-ACCEPT"),
    s("挂失-填了不相关的列", 1, {**LOSS, "账户类型": "储蓄卡", "连续密码错误次数": "不清楚"}, "受理", 0, "",
      "REPORT-LOSS-ACCEPT"),
    s("挂失-已挂失", 3, {**LOSS, **LOST}, "不予受理", 0, "", "REPORT-LOSS-ALREADY-REPORTED"),
    s("挂失-原因不符", 2, {**LOSS, "原因": "卡面污损"}, "不予受理", 0, "", "REPORT-LOSS-REASON-INVALID"),
    s("挂失-原因写成遗失", 1, {**LOSS, "原因": "遗失"}, "受理", 0, "", "REPORT-LOSS-ACCEPT INPUT-READ-AS"),
    s("挂失-他人代为挂失", 4, {**LOSS, "办理人": "代办"}, "人工复核", 0, "", "REPORT-LOSS-ACCEPT REPORT-LOSS-BY-OTHER"),

    # 解除挂失 (§5)
    s("解除挂失-找回卡片", 10, CANCEL, "受理", 0, "", "CANCEL-LOSS-ACCEPT"),
    s("解除挂失-未挂失", 2, {**CANCEL, "卡状态": "正常"}, "不予受理", 0, "", "CANCEL-LOSS-NOT-REPORTED"),
    s("解除挂失-已申请补卡", 3, {**CANCEL, "已申请补卡": Y}, "不予受理", 0, "", "CANCEL-LOSS-REISSUE-APPLIED"),
    s("解除挂失-代办", 2, {**CANCEL, "办理人": "代办"}, "不予受理", 0, "",
      "CANCEL-LOSS-ACCEPT CANCEL-LOSS-NOT-IN-PERSON"),
    s("解除挂失-只带身份证复印件", 3, {**CANCEL, "材料:身份证件原件": N}, "补正材料", 0, "身份证件原件",
      "CANCEL-LOSS-ACCEPT CANCEL-LOSS-MISSING-ID"),
    s("解除挂失-未带卡", 2, {**CANCEL, "材料:社保卡": N}, "补正材料", 0, "社保卡",
      "CANCEL-LOSS-ACCEPT CANCEL-LOSS-MISSING-CARD"),

    # 补卡 (§6): paid [interpretation]; an agent brings both IDs and a letter.
    s("补卡-本人", 16, REISSUE, "受理", FEE, "", "REISSUE-ACCEPT REISSUE-FEE"),
    s("补卡-本人缺身份证", 3, {**REISSUE, "材料:身份证件原件": N}, "补正材料", FEE, "身份证件原件",
      "REISSUE-ACCEPT REISSUE-FEE REISSUE-MISSING-HOLDER-ID"),
    s("补卡-未挂失", 4, {**REISSUE, "卡状态": "正常"}, "不予受理", 0, "", "REISSUE-NOT-REPORTED"),
    s("补卡-代办有单位", 5, REISSUE_EMPLOYED, "受理", FEE, "", "REISSUE-ACCEPT REISSUE-FEE"),
    s("补卡-代办无单位", 5, REISSUE_UNEMPLOYED, "受理", FEE, "", "REISSUE-ACCEPT REISSUE-FEE"),
    s("补卡-代办缺单位证明", 3, {**REISSUE_EMPLOYED, "材料:单位证明": N, "材料:社区证明": Y}, "补正材料", FEE,
      "单位证明", "REISSUE-ACCEPT REISSUE-FEE REISSUE-AGENT-MISSING-EMPLOYER-LETTER"),
    s("补卡-代办缺社区证明", 3, {**REISSUE_UNEMPLOYED, "材料:社区证明": None}, "补正材料", FEE, "社区证明",
      "REISSUE-ACCEPT REISSUE-FEE REISSUE-AGENT-MISSING-COMMUNITY-LETTER"),
    s("补卡-代办缺受托人原件", 2, {**REISSUE_EMPLOYED, "材料:受托人身份证原件": N}, "补正材料", FEE,
      "受托人身份证原件", "REISSUE-ACCEPT REISSUE-FEE REISSUE-AGENT-MISSING-AGENT-ID"),
    s("补卡-代办缺受托人复印件", 2, {**REISSUE_UNEMPLOYED, "材料:受托人身份证复印件": N}, "补正材料", FEE,
      "受托人身份证复印件", "REISSUE-ACCEPT REISSUE-FEE REISSUE-AGENT-MISSING-AGENT-COPY"),
    s("补卡-代办只带委托人身份证", 1, {**REISSUE, "办理人": "代办", "有工作单位": Y}, "补正材料", FEE,
      "受托人身份证原件 受托人身份证复印件 单位证明",
      "REISSUE-ACCEPT REISSUE-FEE REISSUE-AGENT-MISSING-AGENT-ID REISSUE-AGENT-MISSING-AGENT-COPY "
      "REISSUE-AGENT-MISSING-EMPLOYER-LETTER"),
    s("补卡-代办未填有工作单位", 1, {**REISSUE_EMPLOYED, "有工作单位": None}, "输入有误", 0, "", "INPUT-BLANK"),

    # 换卡 (§7(一)): who caused the damage sets the fee.
    s("换卡-质量问题", 6, EXCHANGE, "受理", 0, "", "EXCHANGE-ELIGIBLE EXCHANGE-FREE"),
    s("换卡-采集错误", 3, {**EXCHANGE, "原因": "卡面残缺", "损坏责任": "数据采集错误"}, "受理", 0, "",
      "EXCHANGE-ELIGIBLE EXCHANGE-FREE"),
    s("换卡-使用不当", 6, {**EXCHANGE, "原因": "无法读写", "损坏责任": "使用不当"}, "受理", FEE, "",
      "EXCHANGE-ELIGIBLE EXCHANGE-PAID"),
    s("换卡-其他", 2, {**EXCHANGE, "损坏责任": "其他"}, "受理", FEE, "", "EXCHANGE-ELIGIBLE EXCHANGE-PAID"),
    s("换卡-卡片过期", 3, {**EXCHANGE, "原因": "卡片过期", "损坏责任": None}, "不予受理", 0, "",
      "EXCHANGE-CARD-EXPIRED"),
    s("换卡-原因不符", 2, {**EXCHANGE, "原因": "丢失", "损坏责任": None}, "不予受理", 0, "", "EXCHANGE-REASON-INVALID"),
    s("换卡-代办", 2, {**EXCHANGE, "办理人": "代办", "损坏责任": "使用不当"}, "不予受理", 0, "",
      "EXCHANGE-ELIGIBLE EXCHANGE-PAID EXCHANGE-NOT-IN-PERSON"),
    s("换卡-未带旧卡", 2, {**EXCHANGE, "损坏责任": "使用不当", "材料:社保卡": N}, "补正材料", FEE, "社保卡",
      "EXCHANGE-ELIGIBLE EXCHANGE-PAID EXCHANGE-MISSING-CARD"),
    s("换卡-缺身份证", 2, {**EXCHANGE, "材料:身份证件原件": N}, "补正材料", 0, "身份证件原件",
      "EXCHANGE-ELIGIBLE EXCHANGE-FREE EXCHANGE-MISSING-ID"),
    s("换卡-卡已挂失", 1, {**EXCHANGE, **LOST}, "不予受理", 0, "",
      "COMMON-CARD-FROZEN EXCHANGE-ELIGIBLE EXCHANGE-FREE"),
    s("换卡-未填损坏责任", 1, {**EXCHANGE, "损坏责任": None}, "输入有误", 0, "", "INPUT-BLANK"),

    # 注销 (§8): death or disappearance (an agent may apply), or the old card after renewal.
    s("注销-死亡", 6, DEATH, "受理", 0, "", "DEREGISTER-DEATH-ACCEPT"),
    s("注销-死亡家属代办", 3, {**DEATH, "办理人": "代办"}, "受理", 0, "", "DEREGISTER-DEATH-ACCEPT"),
    s("注销-失踪家属代办", 2, {**DEATH, "原因": "失踪", "办理人": "代办"}, "受理", 0, "", "DEREGISTER-DEATH-ACCEPT"),
    s("注销-死亡且卡已挂失", 1, {**DEATH, **LOST, "办理人": "代办"}, "受理", 0, "", "DEREGISTER-DEATH-ACCEPT"),
    s("注销-户籍未注销", 2, {**DEATH, "户籍已注销": N}, "不予受理", 0, "",
      "DEREGISTER-DEATH-ACCEPT DEREGISTER-HUKOU-NOT-CANCELLED"),
    s("注销-人社业务未办结", 2, {**DEATH, "人社业务已办结": N}, "不予受理", 0, "",
      "DEREGISTER-DEATH-ACCEPT DEREGISTER-HRSS-NOT-CLOSED"),
    s("注销-银行业务未办清", 2, {**DEATH, "银行业务已办清": None}, "不予受理", 0, "",
      "DEREGISTER-DEATH-ACCEPT DEREGISTER-BANK-NOT-CLOSED"),
    s("注销-缺户籍注销证明", 2, {**DEATH, "材料:户籍注销证明": N}, "补正材料", 0, "户籍注销证明",
      "DEREGISTER-DEATH-ACCEPT DEREGISTER-MISSING-HUKOU-PROOF"),
    s("注销-换领新卡", 5, RENEWAL, "受理", 0, "", "DEREGISTER-RENEWAL-ACCEPT"),
    s("注销-未领新卡", 2, {**RENEWAL, "已领取新卡": N}, "不予受理", 0, "",
      "DEREGISTER-RENEWAL-ACCEPT DEREGISTER-NEW-CARD-NOT-RECEIVED"),
    s("注销-未交旧卡", 2, {**RENEWAL, "材料:社保卡": N}, "补正材料", 0, "社保卡",
      "DEREGISTER-RENEWAL-ACCEPT DEREGISTER-RENEWAL-MISSING-CARD"),
    s("注销-换领新卡代办", 1, {**RENEWAL, "办理人": "代办"}, "不予受理", 0, "",
      "DEREGISTER-RENEWAL-ACCEPT DEREGISTER-RENEWAL-NOT-IN-PERSON"),
    s("注销-原因不符", 1, {**DEATH, "原因": "丢失"}, "不予受理", 0, "", "DEREGISTER-REASON-INVALID"),

    # C3: a card already cancelled no longer exists, whatever the service.
    s("卡已注销-补卡", 2, {**REISSUE, "卡状态": "注销"}, "不予受理", 0, "", "COMMON-CARD-CANCELLED"),
    s("卡已注销-挂失", 1, {**LOSS, "卡状态": "注销"}, "不予受理", 0, "", "COMMON-CARD-CANCELLED"),
    s("卡已注销-银行密码重置", 1, {"业务类型": "密码重置", "账户类型": "银行账户", "卡状态": "注销"}, "不予受理", 0,
      "", "COMMON-CARD-CANCELLED PIN-RESET-BANK"),
    s("卡已注销-换卡", 1, {**EXCHANGE, "卡状态": "注销"}, "不予受理", 0, "",
      "COMMON-CARD-CANCELLED EXCHANGE-ELIGIBLE EXCHANGE-FREE"),
    s("卡已注销-再注销", 1, {**DEATH, "卡状态": "注销"}, "不予受理", 0, "",
      "COMMON-CARD-CANCELLED DEREGISTER-DEATH-ACCEPT"),

    # Rows the checker must refuse to decide (C1, C2, malformed cells).
    s("身份号码校验位错误", 2, {**LOSS, "公民身份号码": BAD_CHECK_DIGIT}, "输入有误", 0, "", "INPUT-VALUE"),
    s("身份号码是数字单元格", 1, {**REISSUE, "公民身份号码": NUMERIC_ID}, "输入有误", 0, "", "INPUT-VALUE"),
    s("身份号码17位", 1, {**RESET, "公民身份号码": "23020219750312061"}, "输入有误", 0, "", "INPUT-VALUE"),
    s("出生日期晚于申请日期", 1, {**LOSS, "公民身份号码": BORN_AFTER_APPLYING}, "输入有误", 0, "",
      "INPUT-INCONSISTENT"),
    s("业务类型未知-办卡", 1, {**REISSUE, "业务类型": "办卡"}, "输入有误", 0, "", "INPUT-VALUE"),
    s("业务类型未知-开户", 1, {**LOSS, "业务类型": "开户"}, "输入有误", 0, "", "INPUT-VALUE"),
    s("申请日期不存在", 1, {**RESET, "申请日期": "2026-02-30"}, "输入有误", 0, "", "INPUT-VALUE"),
    s("申请日期日月不明", 1, {**LOSS, "申请日期": "3/2/2026"}, "输入有误", 0, "", "INPUT-VALUE"),
    s("申请日期是常规格式的数字", 1, {**LOSS, "申请日期": 46083}, "输入有误", 0, "", "INPUT-VALUE"),
    s("业务类型写成补办", 1, {**REISSUE, "业务类型": "补办"}, "输入有误", 0, "", "INPUT-VALUE"),
    s("持卡人姓名空白", 1, {**REISSUE, "持卡人姓名": None}, "输入有误", 0, "", "INPUT-BLANK"),
    s("卡状态空白", 1, {**CANCEL, "卡状态": None}, "输入有误", 0, "", "INPUT-BLANK"),
    s("卡状态不是可选值", 1, {**LOSS, "卡状态": "冻结"}, "输入有误", 0, "", "INPUT-VALUE"),
    s("申请编号重复", 2, {**LOSS, "申请编号": DUPLICATE_ID}, "输入有误", 0, "", "INPUT-DUPLICATE-ID"),
]

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
            "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
DOUBLE_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "慕容")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂玉华建国志红金凤春兰海波鹏飞宇婷雪梅晓东丹丹淑珍立新"
         "永德文博浩然子涵欣怡俊杰宏亮佳琪思远")
# 齐齐哈尔 (the FAQ's city) districts and counties, and a few from elsewhere in 黑龙江.
AREAS = ("230202", "230203", "230204", "230205", "230206", "230207", "230208", "230221", "230223", "230224",
         "230225", "230227", "230229", "230230", "230231", "230281", "230102", "230103", "230604", "231002")
REMARKS = ("电话预约", "老人行动不便,家属陪同", "-加急", "复印件已留存", "+ 已告知工本费", "@窗口3", "已短信通知",
           "外地户籍", "材料已核验")
WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
FIRST_DAY, LAST_DAY = dt.date(2025, 1, 2), dt.date(2026, 12, 30)
# Year-first dates typed as text, as a Chinese office writes them (RULEBOOK.md accepts each).
DATE_SPELLINGS = ("{d:%Y-%m-%d}", "{d.year}-{d.month}-{d.day}", "{d.year}/{d.month}/{d.day}",
                  "{d.year}.{d.month}.{d.day}", "{d.year}年{d.month}月{d.day}日", "{d:%Y%m%d}")


def check_digit(first17: str) -> str:
    """GB 11643-1999 check character."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def make_id(rng: random.Random, born: dt.date, *, digit_check: bool = False) -> str:
    while True:
        first17 = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
        number = first17 + check_digit(first17)
        if not digit_check or number[-1] != "X":
            return number


def name(rng: random.Random) -> str:
    surname = rng.choice(DOUBLE_SURNAMES) if rng.random() < 0.03 else rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _respell(rng: random.Random, row: dict) -> None:
    """Spellings clerks really type, which RULEBOOK.md accepts: none may change a decision."""
    if rng.random() < 0.12 and row.get("业务类型") in CODES:
        row["业务类型"] = CODES[row["业务类型"]]
    if rng.random() < 0.08:  # Excel's own TRUE/FALSE for 是/否
        for column in YES_NO_COLUMNS:
            if row.get(column) in (Y, N):
                row[column] = row[column] == Y
    if rng.random() < 0.06:
        for column in ("卡状态", "办理人"):
            if isinstance(row.get(column), str):
                row[column] = rng.choice((" {} ", "{}\u3000", " {}")).format(row[column])
    if rng.random() < 0.25:  # a blank document cell means 否; some clerks type it
        for column in DOCUMENTS:
            if row.get(column) is None and rng.random() < 0.5:
                row[column] = N
    number = row.get("公民身份号码")
    if isinstance(number, str) and number.endswith("X") and rng.random() < 0.5:
        row["公民身份号码"] = number[:-1] + "x"


def build(seed: int = SEED) -> tuple[list[dict | None], list[dict]]:
    """(the batch rows in order, None for the blank row; the expected decisions in order)."""
    rng = random.Random(seed)
    instances = [(scenario, i) for scenario in SCENARIOS for i in range(scenario.count)]
    rng.shuffle(instances)
    rows: list[dict | None] = []
    expected: list[dict] = []
    duplicate_ids: dict[str, str] = {}
    for number, (scenario, _) in enumerate(instances, start=1):
        applied = day_between(rng, FIRST_DAY, LAST_DAY)
        born = day_between(rng, dt.date(1938, 1, 1), dt.date(2008, 12, 31))
        row = {"申请编号": f"SQ{applied:%Y%m%d}-{number:04d}",
               "申请日期": dt.datetime.combine(applied, dt.time()) if rng.random() < 0.8 else
               rng.choice(DATE_SPELLINGS).format(d=applied),
               "持卡人姓名": name(rng), "公民身份号码": make_id(rng, born), "办理人": "本人", "卡状态": "正常"}
        row.update(scenario.fields)
        if row["申请编号"] == DUPLICATE_ID:
            row["申请编号"] = duplicate_ids.setdefault(scenario.name, f"SQ{applied:%Y%m%d}-{number:04d}")
        if row["公民身份号码"] == BAD_CHECK_DIGIT:
            valid = make_id(rng, born)
            row["公民身份号码"] = valid[:-1] + ("0" if valid[-1] != "0" else "1")
        elif row["公民身份号码"] == NUMERIC_ID:
            row["公民身份号码"] = int(make_id(rng, born, digit_check=True))
        elif row["公民身份号码"] == BORN_AFTER_APPLYING:
            if applied > dt.date(2026, 12, 1):
                applied = dt.date(2026, 6, 1)
                row["申请日期"] = dt.datetime(2026, 6, 1)
            row["公民身份号码"] = make_id(rng, applied + dt.timedelta(days=rng.randrange(1, 28)))
        _respell(rng, row)
        if rng.random() < 0.15:
            row[EXTRA] = rng.choice(REMARKS)
        rows.append(row)
        expected.append({"申请编号": row["申请编号"], "结论": scenario.verdict, "费用(元)": scenario.fee,
                         "缺少材料": "、".join(scenario.missing), "规则": " ".join(scenario.rules),
                         "场景": scenario.name})
    rows.insert(len(rows) // 2, None)  # the all-blank row: skipped, not decided
    return rows, expected


def write(out_dir: Path, seed: int = SEED) -> tuple[Path, Path]:
    rows, expected = build(seed)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申请"
    columns = HEADER + [EXTRA]
    sheet.append(columns)
    for excel_row, row in enumerate(rows, start=2):
        for col, header in enumerate(columns, start=1):
            value = None if row is None else row.get(header)
            if value is None:
                continue
            cell = sheet.cell(excel_row, col, value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
            elif header == "公民身份号码" and isinstance(value, str):
                cell.number_format = "@"
    # openpyxl stamps the current time into the document properties; fix it so reruns differ
    # only in the zip's own timestamps (the test compares cell values).
    workbook.properties.created = workbook.properties.modified = dt.datetime(2026, 1, 1)
    batch = out_dir / "batch.xlsx"
    workbook.save(batch)
    expected_path = out_dir / "expected.csv"
    with expected_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, EXPECTED_COLUMNS + ["场景"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(expected)
    return batch, expected_path


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    batch, expected_path = write(out_dir)
    print(f"wrote {batch} and {expected_path}")


if __name__ == "__main__":
    main()
