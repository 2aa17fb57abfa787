"""A small rulebook for engine tests (a 借书证 counter, not the real card rules).

Engine tests run on it, so a change of the live policy (a fee, a text) never breaks
them; the shipped rulebook in rules/ is tested by its own cases.  It has one rule of
every outcome, a dated fee, a dated threshold, a column that only some services use, a
rule that ends and one that starts on 2027-01-01, and a document column asked for from then.
"""

from engine.core.rulebook import Rulebook
from engine.core.schema import Schema

from . import schema
from .services import SERVICES

RULEBOOK = Rulebook(
    name="借书证测试规则",
    schema=Schema(columns=schema.COLUMNS, dispatch="service", request_id="request_id", effective_date="apply_date",
                  sheet="申请", clause="F0"),
    services=SERVICES,
    common=(),
    verdicts=("输入有误", "不予受理", "补正材料", "人工复核", "转银行办理", "受理"),
    invalid_verdict="输入有误",
    unruled_verdict="人工复核",
    charged_verdicts=("受理", "补正材料"),
    missing_verdict="补正材料",
)
