"""A small rulebook for engine tests (a 借书证 counter, not the real card rules).

Engine tests run on it, so a change of the live policy (a fee, a text) never breaks
them; the shipped rulebook in rules/ is tested by its own cases.  It has one rule of
every outcome, a dated fee, a dated threshold, a column that only some services use, a
rule that ends and one that starts on 2027-01-01, and a document column asked for from then.
"""

from engine.core.rulebook import Notice, Rulebook
from engine.core.schema import Schema

from . import schema
from .services import SERVICES

RULEBOOK = Rulebook(
    name="借书证测试规则",
    schema=Schema(columns=schema.COLUMNS, dispatch="service", request_id="request_id", effective_date="apply_date",
                  sheet="申请", clause="F0", identity=("request_id", "holder_name", "service"),
                  papers=("request_id", "holder_name", "member_id", "service", "apply_date")),
    services=SERVICES,
    common=(),
    verdicts=("输入有误", "不予受理", "补正材料", "人工复核", "转银行办理", "受理"),
    invalid_verdict="输入有误",
    unruled_verdict="人工复核",
    charged_verdicts=("受理", "补正材料"),
    missing_verdict="补正材料",
    missing_next="请带{missing}到{place}补正",
    unruled_next="请交馆员复核决定",
    notices={
        "受理": Notice("借书证受理回执", "您的申请已受理。", "应缴费用", ("place", "next")),
        "补正材料": Notice("借书证一次性告知书", "请一次补齐下列材料:", "补正后应缴费用", ("missing", "place"),
                       place_label="补正地点"),
        "不予受理": Notice("借书证不予受理告知书", "您的申请不予受理,理由如下:", sections=("reasons", "appeal")),
        "转银行办理": Notice("借书证转办告知单", "请到银行办理:", sections=("place", "next")),
        "人工复核": Notice("借书证收件回执", "您的申请须由馆员复核后决定。"),
    },
    source_title="《借书证办理须知》",
)
