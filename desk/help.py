"""帮助: the user manual (desk.manual) for the signed-in person's roles, its pictures, and
the section of it that each page's 帮助 link opens."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_from_directory, url_for

from desk import manual
from desk.access import ADMIN, AUDITOR, CLERK, EVERYONE, POLICY, allowed
from desk.context import Person, current_person

blueprint = Blueprint("help", __name__)

# Each page's section of the manual: (roles it is for, guide, anchor); the first the person's roles match.
SECTIONS: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {
    "batches.check_page": (((CLERK,), "经办人员", "在柜面检查批次"),),
    "batches.batch_page": (((CLERK,), "经办人员", "看懂检查结果"),),
    "auditing.query_page": (((AUDITOR,), "审计人员", "查询和说明一项决定"), ((CLERK,), "经办人员", "查询一个申请")),
    "auditing.verify_page": (((AUDITOR,), "审计人员", "核验决定工作簿"),),
    "auditing.ledger_page": (((AUDITOR,), "审计人员", "台账和账本头"),),
    "catalogue.rules_page": (((POLICY,), "政策人员", "阅读规则目录"), (EVERYONE, manual.INDEX, "查看规则")),
    "drafting.drafts_page": (((POLICY,), "政策人员", "上传草案"),),
    "drafting.draft_page": (((POLICY,), "政策人员", "审批同事的草案"),),
    "office.accounts_page": (((ADMIN,), "系统管理员", "账户和角色"),),
    "office.account_page": (((ADMIN,), "系统管理员", "账户和角色"),),
    "office.settings_page": (((ADMIN,), "系统管理员", "经办机构设置"),),
    "sign_in.password_page": ((EVERYONE, manual.INDEX, "登录和修改密码"),),
}


def link_for(endpoint: str | None, person: Person) -> str:
    """Where the 帮助 link of the page ``endpoint`` leads ``person``: its section, else the index."""
    for roles, name, anchor in SECTIONS.get(endpoint or "", ()):
        if person.has(*roles):
            return f"{_url(name)}#{anchor}"
    return url_for("help.index_page")


@blueprint.get("/help/")
@allowed(*EVERYONE)
def index_page():
    return guide_page(manual.INDEX)


@blueprint.get("/help/<name>")
@allowed(*EVERYONE)
def guide_page(name: str):
    person = current_person()
    guides = manual.readable(person.roles)
    chosen = manual.guide(name)
    if chosen is None:
        abort(404)
    if chosen not in guides:
        abort(403)
    names = {g.name for g in guides}
    page = manual.render(chosen.path.read_text(encoding="utf-8"), names.__contains__, _url,
                         lambda file: url_for("help.picture", name=file))
    return render_template("help.html", guides=[(g, _url(g.name)) for g in guides], chosen=chosen, page=page)


def _url(name: str) -> str:
    return url_for("help.index_page") if name == manual.INDEX else url_for("help.guide_page", name=name)


@blueprint.get(f"/help/{manual.PICTURES}/<name>")
@allowed(*EVERYONE)
def picture(name: str):
    if not name.endswith(".png"):
        abort(404)
    return send_from_directory(manual.MANUAL / manual.PICTURES, name, mimetype="image/png")
