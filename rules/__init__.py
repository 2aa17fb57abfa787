"""The 社会保障卡 rulebook (RULEBOOK.md; source text: 齐齐哈尔市人社局 "解疑社保一卡通8大问题").

Change a rule in its service module; change a fee or threshold in parameters.toml.
Bump VERSION with every change that can alter a decision.
"""

from engine.core.rulebook import Rulebook

from . import common
from .schema import SCHEMA
from .services import SERVICES

VERSION = "2026.11.26"

RULEBOOK = Rulebook(
    name="社会保障卡柜面业务规则",
    version=VERSION,
    schema=SCHEMA,
    services=SERVICES,  # each service's rules: the module named by its code
    common=common.RULES,
    verdicts=("输入有误", "不予受理", "补正材料", "人工复核", "转银行办理", "受理"),
    invalid_verdict="输入有误",
    unruled_verdict="人工复核",
    charged_verdicts=("受理", "补正材料"),
    missing_verdict="补正材料",
    missing_next="请申请人携带{missing}到{place}补正;材料齐全后即可办理",
    unruled_next="请交窗口负责人复核决定:对照「依据」核实申请日期及当日适用的政策和收费标准;复核决定前暂不办理",
)
