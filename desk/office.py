"""For the 管理员: 账户 (add, roles, passwords, disabling, recent sign-ins) and 设置 (the
office's details printed on the applicant's notices).  The same engine calls as
`sscard users …`; the settings file is the one `serve --settings` names."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from desk.access import ADMIN, allowed
from desk.context import current_person, desk
from engine.errors import SscardError
from engine.office.accounts import ROLES, AccountError
from engine.papers.settings import Appeal, Office, load_settings, save_settings

blueprint = Blueprint("office", __name__)

SIGN_INS_SHOWN = 30
SETTINGS_FIELDS = (  # (section, field, label, hint): what the 设置 page edits
    ("office", "name", "经办机构名称", "如 齐齐哈尔市社会保障卡服务中心"),
    ("office", "address", "地址", "申请人来办理或补正材料的地址"),
    ("office", "phone", "电话", "如 0452-1234567"),
    ("appeal", "review_body", "行政复议机关", "对不予受理不服时申请行政复议的机关,如 齐齐哈尔市人民政府"),
    ("appeal", "review_within", "申请行政复议的期限", "如 六十日"),
    ("appeal", "court", "提起行政诉讼的法院", "如 齐齐哈尔市龙沙区人民法院"),
    ("appeal", "sue_within", "提起行政诉讼的期限", "如 六个月"),
)
MAX_SETTING = 200


@blueprint.get("/accounts")
@allowed(ADMIN)
def accounts_page():
    accounts = desk().accounts
    return render_template("accounts.html", accounts=accounts.all(), roles=ROLES, problem="", form=MultiDict(),
                           sign_ins=accounts.sign_ins(SIGN_INS_SHOWN))


@blueprint.post("/accounts")
@allowed(ADMIN)
def add_account():
    accounts = desk().accounts
    form = request.form
    try:
        _same_twice(form)
        account = accounts.add(form.get("name", ""), form.getlist("role"), form.get("password", ""))
    except AccountError as error:
        return render_template("accounts.html", accounts=accounts.all(), roles=ROLES, problem=str(error),
                               form=form, sign_ins=accounts.sign_ins(SIGN_INS_SHOWN)), 400
    flash(f"已建立账户「{account.name}」({'、'.join(account.roles)})。"
          + ("" if current_person().signed_in else "从现在起每人须用自己的账户登录。"))
    return redirect(url_for(".accounts_page"), 303)


@blueprint.get("/account")
@allowed(ADMIN)
def account_page():
    account = desk().accounts.get(request.args.get("name", ""))
    if account is None:
        abort(404)
    return render_template("account.html", account=account, roles=ROLES, problem="")


@blueprint.post("/account")
@allowed(ADMIN)
def change_account():
    accounts, form = desk().accounts, request.form
    name, action = form.get("name", ""), form.get("action", "")
    account = accounts.get(name)
    if account is None:
        abort(404)
    try:
        if action == "roles":
            done = f"角色已改为 {'、'.join(accounts.set_roles(name, form.getlist('role')).roles)}"
        elif action == "password":
            _same_twice(form)
            ended = accounts.set_password(name, form.get("password", ""))
            done = f"密码已重设;其 {ended} 个登录已退出" if ended else "密码已重设"
        elif action == "disable":
            ended = accounts.disable(name)
            done = f"账户已停用;其 {ended} 个登录已退出" if ended else "账户已停用"
        elif action == "enable":
            accounts.enable(name)
            done = "账户已启用"
        else:
            abort(400)
    except AccountError as error:
        return render_template("account.html", account=accounts.get(name), roles=ROLES, problem=str(error)), 400
    flash(f"「{name}」:{done}。")
    if name == current_person().name and action in ("password", "disable"):
        return redirect(url_for("sign_in.sign_in"), 303)
    return redirect(url_for(".account_page", name=name), 303)


def _same_twice(form) -> None:
    if form.get("password", "") != form.get("again", ""):
        raise AccountError("两次输入的密码不一致")


@blueprint.route("/settings", methods=["GET", "POST"])
@allowed(ADMIN)
def settings_page():
    path = desk().config.settings
    problem = ""
    if request.method == "POST":
        typed = {key: request.form.get(key, "").strip()[:MAX_SETTING] for _, key, _, _ in SETTINGS_FIELDS}
        try:
            save_settings(path, Office(**{k: typed[k] for s, k, _, _ in SETTINGS_FIELDS if s == "office"}),
                          Appeal(**{k: typed[k] for s, k, _, _ in SETTINGS_FIELDS if s == "appeal"}))
        except SscardError as error:
            problem = str(error)
        else:
            flash("设置已保存;此后打印的告知书即使用这些内容。")
            return redirect(url_for(".settings_page"), 303)
    try:
        settings = load_settings(path)
        values = {key: getattr(getattr(settings, section), key) for section, key, _, _ in SETTINGS_FIELDS}
    except SscardError as error:
        values, problem = {}, problem or str(error)
    return render_template("settings.html", fields=SETTINGS_FIELDS, values=values, path=path, problem=problem,
                           proxies=desk().config.trusted_proxies), 400 if problem else 200
