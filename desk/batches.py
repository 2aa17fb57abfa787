"""批次检查: upload batches, follow their progress, read and download each result,
print the applicant's notices; and the empty batch template."""

from __future__ import annotations

import io
import logging
from functools import partial
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for

from desk import jobs, results
from desk.chart import stacked_bars
from desk.context import current_operator, desk
from desk.store import DONE, FAILED, QUEUED, RUNNING, Job, display_name
from engine.errors import SscardError
from engine.excel.template import write_template

blueprint = Blueprint("batches", __name__)
log = logging.getLogger("sscard.desk")

RECENT_JOBS = 20  # batches listed on a person's check page
INTERNAL = "检查时服务内部出错,详情已记入服务日志;请重新上传,仍不行请联系管理员"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.get("/")
def check_page():
    store = desk().store
    cards = [_card(token, job) for token in session.get("jobs", []) if (job := store.job(token))]
    return render_template("check.html", cards=cards)


@blueprint.post("/check")
def upload():
    files = [f for f in request.files.getlist("batches") if f.filename]
    if not files:
        flash("请先选择或拖入至少一个批次工作簿(.xlsx)。")
        return redirect(url_for(".check_page"), 303)
    operator = current_operator()
    tokens = []
    for file in files:
        name = display_name(file.filename)
        token, job = desk().store.create(name, operator, file.stream)
        _start(job, name, operator)
        tokens.append(token)
    session["jobs"] = (tokens + session.get("jobs", []))[:RECENT_JOBS]
    return redirect(url_for(".check_page"), 303)


def _start(job: Job, name: str, operator: str) -> None:
    d = desk()
    future = d.lanes.submit(job.input.stat().st_size, jobs.check, str(job.folder), name, operator, str(d.ledger.path))
    future.add_done_callback(partial(_finished, job, name))


def _finished(job: Job, name: str, future) -> None:
    if future.cancelled():
        return  # the server is stopping; the next start marks the job as interrupted
    try:
        summary = jobs.outcome(future, {job.input: name})
    except SscardError as error:
        job.update(status=FAILED, message=str(error))
    except Exception:
        log.exception("检查 %s 时出错", job.folder.name)
        job.update(status=FAILED, message=INTERNAL)
    else:
        job.update(status=DONE, summary=summary, run_id=summary["run_id"])


def _job(token: str, *, done: bool = False) -> Job:
    """The job of ``token``; 404 for an unknown or expired link (or, with ``done``, an unfinished check)."""
    job = desk().store.job(token)
    if job is None or (done and job.state()["status"] != DONE):
        abort(404)
    return job


def _card(token: str, job: Job) -> dict[str, Any]:
    state, progress = job.state(), job.progress()
    status = RUNNING if state["status"] == QUEUED and progress else state["status"]
    return {"token": token, "name": state["name"], "status": status, "phase": progress.get("phase", ""),
            "rows": progress.get("rows", 0), "message": state.get("message", ""), "summary": state.get("summary"),
            "operator": state.get("operator", ""), "created": state.get("created", "")}


@blueprint.get("/batch/<token>/progress")
def progress(token: str):
    card = _card(token, _job(token))
    return jsonify({key: card[key] for key in ("status", "phase", "rows", "message")})


@blueprint.get("/batch/<token>")
def batch_page(token: str):
    job = _job(token)
    card = _card(token, job)
    if card["status"] != DONE:
        return render_template("batch.html", card=card)
    verdict = request.args.get("verdict", "")
    search = request.args.get("q", "").strip()
    number = request.args.get("page", 1, type=int)
    table = results.page(job.index, verdict=verdict, search=search, number=number)
    errors, error_total = results.errors(job.index)
    verdicts = list(desk().book.verdicts)
    return render_template("batch.html", card=card, table=table, errors=errors, error_total=error_total,
                           error_columns=results.ERROR_COLUMNS, chart=stacked_bars(card["summary"]["by_service"], verdicts), verdicts=verdicts,
                           verdict=verdict, search=search)


@blueprint.get("/batch/<token>/decisions.xlsx")
def download(token: str):
    job = _job(token, done=True)
    return send_file(job.output, mimetype=XLSX, as_attachment=True,
                     download_name=f"{Path(job.state()['name']).stem}.decisions.xlsx")


@blueprint.post("/batch/<token>/notices")
def notices(token: str):
    job = _job(token, done=True)
    name = job.state()["name"]
    chosen = request.form.getlist("id") if request.form.get("scope") == "selected" else None
    if chosen == []:
        flash("请先在表中勾选要打印告知书的申请。")
        return redirect(url_for(".batch_page", token=token), 303)
    with desk().store.scratch() as folder:
        pdf = folder / "notices.pdf"
        future = desk().lanes.submit(job.output.stat().st_size, jobs.notices, str(job.output), str(pdf), chosen,
                                     str(desk().ledger.path))
        try:
            jobs.outcome(future, {job.output: f"{Path(name).stem}.decisions.xlsx", pdf: "告知书.pdf"})
        except SscardError as error:
            flash(str(error))
            return redirect(url_for(".batch_page", token=token), 303)
        data = pdf.read_bytes()
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{Path(name).stem}.告知书.pdf")


@blueprint.get("/template.xlsx")
def template():
    with desk().store.scratch() as folder:
        data = write_template(folder / "template.xlsx", desk().book).read_bytes()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="申请批次模板.xlsx")
