"""批次检查: upload batches, follow their progress, read and download each result,
print the applicant's notices; and the empty batch template."""

from __future__ import annotations

import io
import logging
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from desk import jobs, results
from desk.access import CLERK, allowed
from desk.chart import stacked_bars
from desk.context import current_operator, desk
from desk.office import SETTINGS_FIELDS
from desk.store import DONE, FAILED, QUEUED, RUNNING, Job, download_name, uploaded_name
from engine.errors import PasswordNeeded, SscardError
from engine.excel.template import write_template
from engine.files.protection import Password
from engine.papers.settings import load_settings

blueprint = Blueprint("batches", __name__)
log = logging.getLogger("sscard.desk")

RECENT_JOBS = 20  # batches listed on a person's check page
INTERNAL = "检查时服务内部出错,详情已记入服务日志;请重新上传,仍不行请联系管理员"
GIVE_PASSWORD = "请在「打开密码」一栏填写该工作簿的密码后重新上传(密码只在检查时使用,不保存)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.get("/")
@allowed(CLERK)
def check_page():
    """The person's own latest batches, newest first, whichever browser uploaded them."""
    cards = [_card(job) for job in desk().store.recent(current_operator(), RECENT_JOBS)]
    return render_template("check.html", cards=cards)


@blueprint.post("/check")
@allowed(CLERK)
def upload():
    files = [f for f in request.files.getlist("batches") if f.filename]
    if not files:
        flash("请先选择或拖入至少一个批次工作簿(.xlsx)。")
        return redirect(url_for(".check_page"), 303)
    operator = current_operator()
    password = Password(request.form["password"]) if request.form.get("password") else None
    for file in files:
        name = uploaded_name(file)
        _, job = desk().store.create(name, operator, file.stream)
        _start(job, name, operator, password)
    return redirect(url_for(".check_page"), 303)


def _start(job: Job, name: str, operator: str, password: Password | None) -> None:
    d = desk()
    future = d.lanes.submit(jobs.rows_of(job.input, d.book, password), jobs.check, str(job.folder), name, operator,
                            str(d.ledger.path), jobs.sealed(password))
    future.add_done_callback(partial(_finished, job, name))


def _finished(job: Job, name: str, future) -> None:
    if future.cancelled() or isinstance(future.exception(), BrokenProcessPool):
        return  # the server is stopping; the next start marks the job as interrupted
    try:
        summary = jobs.outcome(future, {job.input: name})
    except PasswordNeeded as error:
        job.update(status=FAILED, message=f"{error};{GIVE_PASSWORD}")
    except SscardError as error:
        job.update(status=FAILED, message=str(error))
    except Exception:
        log.exception("检查 %s 时出错", job.folder.name)
        job.update(status=FAILED, message=INTERNAL)
    else:
        job.update(status=DONE, summary=summary, run_id=summary["run_id"])


def _job(token: str, *, done: bool = False) -> Job:
    """The job of ``token``, if it is the person's own; 404 for an unknown or expired link,
    another person's batch (or, with ``done``, an unfinished check)."""
    job = desk().store.job(token)
    if job is None or job.state().get("owner") != current_operator() or (done and job.state()["status"] != DONE):
        abort(404)
    return job


def _card(job: Job) -> dict[str, Any]:
    state, progress = job.state(), job.progress()
    status = RUNNING if state["status"] == QUEUED and progress else state["status"]
    return {"token": state["token"], "name": state["name"], "status": status, "phase": progress.get("phase", ""),
            "rows": progress.get("rows", 0), "message": state.get("message", ""), "summary": state.get("summary"),
            "operator": state.get("operator", ""), "created": state.get("created", "")}


@blueprint.get("/batch/<token>/progress")
@allowed(CLERK)
def progress(token: str):
    card = _card(_job(token))
    return jsonify({key: card[key] for key in ("status", "phase", "rows", "message")})


@blueprint.get("/batch/<token>")
@allowed(CLERK)
def batch_page(token: str):
    job = _job(token)
    card = _card(job)
    if card["status"] != DONE:
        return render_template("batch.html", card=card)
    verdict = request.args.get("verdict", "")
    search = request.args.get("q", "").strip()
    number = request.args.get("page", 1, type=int)
    table = results.page(job.index, verdict=verdict, search=search, number=number)
    errors, error_total = results.errors(job.index)
    verdicts = list(desk().book.verdicts)
    return render_template("batch.html", card=card, table=table, errors=errors, error_total=error_total,
                           error_columns=results.ERROR_COLUMNS, chart=stacked_bars(card["summary"]["by_service"], verdicts),
                           verdicts=verdicts, verdict=verdict, search=search, office=_office_missing())


def _office_missing() -> str:
    """What the notices will leave blank for lack of settings (the office's details on every
    page, the bodies and time limits of 行政复议 and 行政诉讼 on a refusal), said before anyone prints."""
    try:
        settings = load_settings(desk().config.settings)
    except SscardError:  # the 管理员 sees what is wrong with the file on 设置
        missing = [label for _, _, label, _ in SETTINGS_FIELDS]
    else:
        missing = [label for section, key, label, _ in SETTINGS_FIELDS if not getattr(getattr(settings, section), key)]
    if not missing:
        return ""
    return f"告知书上的{'、'.join(missing)}尚未设置,打印时这些栏留空待手写;请管理员在「设置」页填写"


@blueprint.get("/batch/<token>/decisions.xlsx")
@allowed(CLERK)
def download(token: str):
    job = _job(token, done=True)
    return send_file(job.output, mimetype=XLSX, as_attachment=True,
                     download_name=download_name(job.state()["name"], ".decisions.xlsx"))


@blueprint.post("/batch/<token>/notices")
@allowed(CLERK)
def notices(token: str):
    job = _job(token, done=True)
    state = job.state()
    chosen = request.form.getlist("id") if request.form.get("scope") == "selected" else None
    if chosen == []:
        flash("请先在表中勾选要打印告知书的申请。")
        return redirect(url_for(".batch_page", token=token), 303)
    d = desk()
    with d.store.scratch() as folder:
        pdf = folder / "notices.pdf"
        future = d.lanes.submit(state["summary"]["rows"], jobs.notices, str(job.output), str(pdf), chosen,
                                str(d.ledger.path), str(d.config.settings))
        try:
            jobs.outcome(future, {job.output: download_name(state["name"], ".decisions.xlsx"), pdf: "告知书.pdf"})
        except SscardError as error:
            flash(str(error))
            return redirect(url_for(".batch_page", token=token), 303)
        data = pdf.read_bytes()
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=download_name(state["name"], ".告知书.pdf"))


@blueprint.get("/template.xlsx")
@allowed(CLERK)
def template():
    with desk().store.scratch() as folder:
        data = write_template(folder / "template.xlsx", desk().book).read_bytes()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="申请批次模板.xlsx")
