"""Sign-in: on a desk with an access code, each person enters it and their own name; the
name is the operator recorded with every run they start."""

from __future__ import annotations

import hmac
import time
import unicodedata

from flask import Blueprint, redirect, render_template, request, session, url_for

from desk.context import desk

blueprint = Blueprint("sign_in", __name__)

MAX_NAME = 40
MAX_FAILURES = 5  # wrong access codes from one address ...
FAILURE_WINDOW = 15 * 60  # ... within this many seconds lock it out for as long
OPEN_ENDPOINTS = {"sign_in.sign_in", "static", "verdict_colours"}


def require_sign_in():
    if desk().config.sign_in_required and "operator" not in session and request.endpoint not in OPEN_ENDPOINTS:
        return redirect(url_for("sign_in.sign_in", next=request.full_path if request.method == "GET" else "/"))
    return None


@blueprint.route("/signin", methods=["GET", "POST"])
def sign_in():
    if not desk().config.sign_in_required:
        return redirect(url_for("batches.check_page"))
    target = _safe_target(request.values.get("next", "/"))
    if request.method == "GET":
        return render_template("signin.html", target=target, problem="", name="")
    name = "".join(ch for ch in request.form.get("name", "") if unicodedata.category(ch)[0] != "C").strip()
    code = request.form.get("code", "")
    problem = _refusal(name, code)
    if problem:
        return render_template("signin.html", target=target, problem=problem, name=name), 403
    session.clear()
    session["operator"] = name
    return redirect(target)


@blueprint.post("/signout")
def sign_out():
    session.clear()
    return redirect(url_for("sign_in.sign_in"))


def _refusal(name: str, code: str) -> str:
    address = request.remote_addr or ""
    recent = desk().sign_in_failures[address]
    while recent and recent[0] < time.monotonic() - FAILURE_WINDOW:
        recent.popleft()
    if len(recent) >= MAX_FAILURES:
        return f"访问码错误次数过多,请 {FAILURE_WINDOW // 60} 分钟后再试。"
    if not hmac.compare_digest(code.encode("utf-8"), (desk().config.access_code or "").encode("utf-8")):
        recent.append(time.monotonic())
        return "访问码不对;请向管理员确认。"
    if not name or len(name) > MAX_NAME:
        return f"请填写您的姓名({MAX_NAME} 字以内):它作为操作员记入每次检查的台账。"
    return ""


def _safe_target(target: str) -> str:
    """Only a page of this desk: never another site (//evil) after signing in."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
