"""Signing in and out, and changing one's own password.

Each person signs in with their own account (engine.office.accounts); the session lives
on the server, and the browser only holds its random token in the signed cookie.  The
client address that the lock-out counts is the one desk.proxies found."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from desk.access import EVERYONE, allowed, public
from desk.context import current_person, desk
from engine.office.accounts import AccountError, SignInRefused

blueprint = Blueprint("sign_in", __name__)


@blueprint.route("/signin", methods=["GET", "POST"])
@public
def sign_in():
    accounts = desk().accounts
    if not accounts.exist():
        return redirect(url_for("batches.check_page"))  # this machine's own user needs no sign-in
    target = _safe_target(request.values.get("next", "/"))
    if request.method == "GET":
        return render_template("signin.html", target=target, problem="", name="")
    name = request.form.get("name", "")
    try:
        token = accounts.sign_in(name, request.form.get("password", ""), request.remote_addr or "")
    except SignInRefused as refused:
        return render_template("signin.html", target=target, problem=str(refused), name=name.strip()), 403
    session.clear()
    session["sid"] = token
    return redirect(target)


@blueprint.post("/signout")
@allowed(*EVERYONE)
def sign_out():
    token = session.get("sid")
    if isinstance(token, str):
        desk().accounts.sign_out(token)
    session.clear()
    return redirect(url_for(".sign_in"))


@blueprint.route("/password", methods=["GET", "POST"])
@allowed(*EVERYONE)
def password_page():
    person = current_person()
    if not person.signed_in:
        flash("本机使用、没有账户时无须密码;建立账户后每人用自己的账户登录。")
        return redirect(url_for("batches.check_page"))
    if request.method == "GET":
        return render_template("password.html", problem="")
    new = request.form.get("new", "")
    try:
        if new != request.form.get("again", ""):
            raise AccountError("两次输入的新密码不一致")
        desk().accounts.change_own_password(person.name, request.form.get("current", ""), new)
    except AccountError as error:
        return render_template("password.html", problem=str(error)), 400
    session.clear()  # the change ended every session of the account, this one too
    flash("密码已更改,您的所有登录已退出;请用新密码重新登录。")
    return redirect(url_for(".sign_in"))


def _safe_target(target: str) -> str:
    """Only a page of this desk: never another site (//evil) after signing in."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
