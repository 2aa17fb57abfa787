"""The 社会保障卡 rulebook (RULEBOOK.md; source text: 齐齐哈尔市人社局 "解疑社保一卡通8大问题").

Change a rule in its service module; change a fee or threshold in parameters.toml.
The version is never written here: `sscard rules publish` sets it from the content.
"""

from engine.core.rulebook import Notice, Rulebook
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
        identity=("request_id", "holder_name", "service"),
        papers=("request_id", "holder_name", "holder_id", "service", "apply_date"),
    ),
    services=SERVICES,  # each service's rules: the module named by its code
    common=common.RULES,
    verdicts=("输入有误", "不予受理", "补正材料", "人工复核", "转银行办理", "受理"),
    invalid_verdict="输入有误",
    unruled_verdict="人工复核",
    charged_verdicts=("受理", "补正材料"),
    missing_verdict="补正材料",
    missing_next="请申请人携带{missing}到{place}补正;材料齐全后即可办理",
    unruled_next="请交窗口负责人复核决定:对照「依据」核实申请日期及当日适用的政策和收费标准;复核决定前暂不办理",
    # The papers handed to the applicant (sscard notices); 输入有误 gets none: the clerk fixes the row.
    notices={
        "受理": Notice("社会保障卡业务受理回执", "您的申请已受理。", "应缴费用", ("place", "next")),
        "补正材料": Notice("社会保障卡业务一次性告知书",
                       "您的申请材料不齐全。现一次性告知您须补正的全部材料,请补齐后到下列地点办理:",
                       "补正后应缴费用", ("missing", "place"), place_label="补正地点"),
        "不予受理": Notice("社会保障卡业务不予受理告知书", "经审查,您的申请不予受理。理由及依据如下:", "费用",
                       ("reasons", "next", "appeal")),
        "转银行办理": Notice("社会保障卡业务转办告知单", "您申请的业务由社会保障卡合作银行办理,请按下列方式办理:", "费用",
                        ("place", "next")),
        "人工复核": Notice("社会保障卡业务申请收件回执",
                       "您的申请已收到。该申请须由工作人员复核后决定,复核结果将另行告知您,请保留本回执。", "费用"),
    },
    # The FAQ the clauses cite as §1 … §8, named as the applicant's paper cites it (§4: 第4条).
    source_title="《解疑社保一卡通8大问题》",
)
