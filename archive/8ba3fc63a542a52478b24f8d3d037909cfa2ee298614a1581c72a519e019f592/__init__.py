"""The 社会保障卡 rulebook (RULEBOOK.md; source text: 齐齐哈尔市人社局 "解疑社保一卡通8大问题").

Change a rule in its service module; change a fee or threshold in parameters.toml.
The version is never written here: `sscard rules publish` sets it from the content.
"""

from engine.core.rulebook import Rulebook
from engine.core.schema import Schema

from . import common, schema
from .services import SERVICES

RULEBOOK = Rulebook(
    name="社会保障卡柜面业务规则",
    schema=Schema(
        columns=schema.COLUMNS,  # read here, after schema.py has run to its end, appended columns included
        dispatch="service",
        request_id="request_id",
        effective_date="apply_date",
        sheet="申请",
        row_checks=(schema.born_before_application,),
        clause="C2",
    ),
    services=SERVICES,  # each service's rules: the module named by its code
    common=common.RULES,
    verdicts=("输入有误", "不予受理", "补正材料", "人工复核", "转银行办理", "受理"),
    invalid_verdict="输入有误",
    unruled_verdict="人工复核",
    charged_verdicts=("受理", "补正材料"),
    missing_verdict="补正材料",
)
