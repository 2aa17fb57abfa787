"""For auditors (and a clerk's own batches): 查询 (a 申请编号's decisions in the ledger, with
why and why not), 核验 (verify an uploaded decision workbook) and 台账 (the ledger's runs,
its chain, and the check of the chain against heads and workbooks kept elsewhere)."""

from __future__ import annotations

import dataclasses
import re
from itertools import groupby
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request

from desk import jobs, results
from desk.access import AUDITOR, CLERK, allowed
from desk.context import current_person, desk
from desk.store import download_name, stored_suffix, uploaded_name, write_private
from desk.wording import for_the_page
from engine.auditors.verify import history_anchors
from engine.errors import SscardError
from engine.files.protection import Password
from engine.records.ledger import LedgerError, LedgerMissing, PastDecision

blueprint = Blueprint("auditing", __name__)

RUNS_SHOWN = 200
HEAD = re.compile(r"(?:\d+:)?[0-9a-f]{64}")


@blueprint.get("/query")
@allowed(CLERK, AUDITOR)
def query_page():
    """Newest first; a clerk sees the runs they started, an auditor every run."""
    wanted = request.args.get("id", "").strip()
    person = current_person()
    runs: list[dict[str, Any]] = []
    problem = ""
    if wanted:
        try:
            past = desk().ledger.decisions_for(wanted)  # any spelling of the id: its key is compared
        except LedgerMissing:
            past = []  # no ledger yet: nothing was ever decided
        except LedgerError as error:  # damaged or unreadable: said, never taken for "nothing recorded"
            past, problem = [], str(error)
        if not person.has(AUDITOR):
            past = [d for d in past if d.run.operator == person.name]
        for _, decisions in groupby(sorted(past, key=lambda d: (-d.run.seq, d.row)), key=lambda d: d.run.seq):
            runs.append(_explained(list(decisions), wanted))
    if runs:
        runs[0]["latest"] = True
    return render_template("query.html", wanted=wanted, runs=runs, problem=problem, everyone=person.has(AUDITOR))


def _explained(decisions: list[PastDecision], wanted: str) -> dict[str, Any]:
    """A run's decisions for the id, with whose they were and explain's why / why not
    while the run's batch is kept."""
    d = desk()
    run = decisions[0].run
    found: dict[str, Any] = {"run": run, "decisions": decisions, "explanation": None, "problem": "", "who": {}}
    job = d.store.job_of_run(run.run_id)
    if job is None or not job.output.exists():
        found["problem"] = (f"这次运行的批次不在本服务中(在命令行运行,或已超过保存期限 {d.config.keep_days} 天),"
                            "持卡人姓名和逐条规则说明无从查看;以上是台账记录的决定。")
        return found
    schema = d.book.schema
    shown_anyway = {schema.by_key[key].header for key in (schema.request_id, schema.dispatch) if key in schema.by_key}
    found["who"] = {decision.row: results.who(job.index, decision.row, shown_anyway) for decision in decisions}
    future = d.lanes.submit(job.state()["summary"]["rows"], jobs.why, str(job.output), wanted)
    try:
        found["explanation"] = jobs.outcome(future, {job.output: download_name(run.input_name, ".decisions.xlsx")})
    except SscardError as error:
        found["problem"] = str(error)
    return found


@blueprint.route("/verify", methods=["GET", "POST"])
@allowed(AUDITOR)
def verify_page():
    uploads = [request.files.get("workbook"), request.files.get("batch")]
    if request.method == "GET" or not (uploads[0] and uploads[0].filename):
        problem = "请选择要核验的决定工作簿。" if request.method == "POST" else ""
        return render_template("verify.html", result=None, problem=problem, names=[])
    d = desk()
    password = Password(request.form["password"]) if request.form.get("password") else None
    result, problem = None, ""
    with d.store.scratch() as folder:
        names: dict[Path, str] = {}  # stored copy -> the name it was uploaded under
        for role, upload in zip(("workbook", "batch"), uploads):
            if upload and upload.filename:
                name = uploaded_name(upload)
                names[write_private(folder / (role + stored_suffix(name)), upload.stream)] = name
        workbook, *batch = names
        future = d.lanes.submit(jobs.rows_of(workbook, d.book, password), jobs.verify, str(workbook),
                                str(batch[0]) if batch else None, str(d.ledger.path), jobs.sealed(password))
        try:
            result = jobs.outcome(future, {**names, d.ledger.path: d.ledger.path.name})
        except SscardError as error:
            problem = str(error)
    return render_template("verify.html", result=result, problem=problem, names=list(names.values()))


@blueprint.route("/ledger", methods=["GET", "POST"])
@allowed(AUDITOR)
def ledger_page():
    """The runs, newest first, and the chain; posted heads and decision workbooks (kept
    outside the ledger) are checked against it, as anchors: a ledger cut short fails."""
    ledger = desk().ledger
    anchored, problem, damaged = None, "", ""
    try:
        if request.method == "POST":
            anchored, problem = _check_anchors()
        runs = ledger.runs()
        counts = ledger.verdict_counts()
        chain = ledger.verify()
        publications = ledger.publications()
    except LedgerError as error:
        runs, counts, chain, publications = [], {}, None, []
        damaged = "" if isinstance(error, LedgerMissing) else str(error)
    latest = list(reversed(runs))[:RUNS_SHOWN]
    return render_template("ledger.html", runs=latest, total=len(runs), counts=counts, chain=chain,
                           anchored=anchored, problem=problem, damaged=damaged, path=ledger.path,
                           publications=publications)


def _check_anchors():
    heads = [line.strip() for line in request.form.get("heads", "").splitlines() if line.strip()]
    uploads = [f for f in request.files.getlist("workbooks") if f.filename]
    if not heads and not uploads:
        return None, "请填写抄录的账本头(序号:哈希),或选择决定工作簿。"
    for head in heads:  # typed text is only ever a head, never a path on the server
        if not HEAD.fullmatch(head):
            return None, f"「{head}」不是账本头:应为本页抄录的「序号:哈希」,如 12:后接 64 位十六进制数字"
    with desk().store.scratch() as folder:
        names: dict[Path, str] = {}
        for number, upload in enumerate(uploads):
            name = uploaded_name(upload)
            names[write_private(folder / f"anchor{number}.xlsx", upload.stream)] = name
        try:
            anchors = history_anchors([*heads, *map(str, names)])
        except SscardError as error:
            return None, for_the_page(str(error), names)
        anchors = [dataclasses.replace(anchor, shown=for_the_page(anchor.shown, names)) for anchor in anchors]
        return desk().ledger.verify(anchors), ""
