"""密码解锁 (§3): a 社保账户 locks after too many wrong passwords in a row."""

from engine.core.conditions import param, row
from engine.core.rulebook import Rule

from .places import BANK_PHONE, WINDOW

SOCIAL = row.account == "社保账户"

RULES = (
    Rule(
        id="PIN-UNLOCK-LOCKED",
        name="社保账户已锁定解锁",
        clause="§3",
        reason="社保账户密码连续输错已达锁定次数,本人凭卡和有效身份证件在经办窗口解锁",
        when=SOCIAL & (row.wrong_pin_count >= param("pin_lock_threshold")),
        verdict="受理",
        place=WINDOW,
    ),
    Rule(
        id="PIN-UNLOCK-NOT-LOCKED",
        name="密码未锁定",
        clause="§3",
        reason="连续输错次数未达锁定次数,密码未锁定,无需解锁",
        when=SOCIAL & (row.wrong_pin_count < param("pin_lock_threshold")),
        verdict="不予受理",
    ),
    Rule(
        id="PIN-UNLOCK-BANK",
        name="银行账户解锁转银行",
        clause="§3",
        reason="银行账户密码锁定,由持卡人拨打银行服务电话咨询解锁",
        when=row.account == "银行账户",
        verdict="转银行办理",
        place=BANK_PHONE,
        next="拨打卡面银行服务电话咨询密码解锁手续",
    ),
    Rule(
        id="PIN-UNLOCK-NOT-IN-PERSON",
        name="密码解锁须本人",
        clause="§3",
        reason="密码解锁须本人办理,不能代办",
        when=SOCIAL & (row.applicant == "代办"),
        verdict="不予受理",
        interpretation=True,
    ),
    Rule(
        id="PIN-UNLOCK-MISSING-CARD",
        name="密码解锁缺社保卡",
        clause="§3",
        reason="密码解锁须出示社会保障卡",
        when=SOCIAL & (row.doc_card == "否"),
        verdict="补正材料",
        missing=("社保卡",),
        place=WINDOW,
    ),
    Rule(
        id="PIN-UNLOCK-MISSING-ID",
        name="密码解锁缺身份证件",
        clause="§3",
        reason="密码解锁须出示本人有效身份证件",
        when=SOCIAL & (row.doc_id_original == "否"),
        verdict="补正材料",
        missing=("身份证件原件",),
        place=WINDOW,
    ),
)
