"""密码重置 (§2): a forgotten password is reset where the account is kept."""

from engine.core.conditions import row
from engine.core.rulebook import Rule

from .places import BANK_BRANCH, WINDOW

SOCIAL = row.account == "社保账户"

RULES = (
    Rule(
        id="PIN-RESET-SOCIAL",
        name="社保账户密码重置",
        clause="§2",
        reason="社保账户密码遗忘,本人凭社会保障卡和有效身份证件在经办窗口重置",
        when=SOCIAL,
        verdict="受理",
        place=WINDOW,
    ),
    Rule(
        id="PIN-RESET-BANK",
        name="银行账户密码转银行",
        clause="§2",
        reason="银行账户密码由合作银行重置",
        when=row.account == "银行账户",
        verdict="转银行办理",
        place=BANK_BRANCH,
        next="本人凭社会保障卡和有效身份证件到合作银行营业网点办理密码重置",
    ),
    Rule(
        id="PIN-RESET-NOT-IN-PERSON",
        name="密码重置须本人",
        clause="§2",
        reason="密码重置须本人办理,不能代办",
        when=SOCIAL & (row.applicant == "代办"),
        verdict="不予受理",
        interpretation=True,
    ),
    Rule(
        id="PIN-RESET-MISSING-CARD",
        name="密码重置缺社保卡",
        clause="§2",
        reason="密码重置须出示社会保障卡",
        when=SOCIAL & (row.doc_card == "否"),
        verdict="补正材料",
        missing=("社保卡",),
        place=WINDOW,
    ),
    Rule(
        id="PIN-RESET-MISSING-ID",
        name="密码重置缺身份证件",
        clause="§2",
        reason="密码重置须出示本人有效身份证件",
        when=SOCIAL & (row.doc_id_original == "否"),
        verdict="补正材料",
        missing=("身份证件原件",),
        place=WINDOW,
    ),
)
