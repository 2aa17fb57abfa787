"""For auditors: 查询 (a 申请编号's decisions in the ledger, with why and why not),
核验 (verify an uploaded decision workbook) and 台账 (the ledger's runs and its chain)."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request

from desk import jobs
from desk.context import desk
from desk.store import display_name, stored_suffix, write_private
from engine.errors import SscardError
from engine.records.ledger import LedgerError, LedgerMissing, PastDecision

blueprint = Blueprint("auditing", __name__)

RUNS_SHOWN = 200


@blueprint.get("/query")
def query_page():
    wanted = request.args.get("id", "").strip()
    runs: list[dict[str, Any]] = []
    problem = ""
    if wanted:
        try:
            past = desk().ledger.decisions_for(wanted)  # any spelling of the id: its key is compared
        except LedgerMissing:
            past = []  # no ledger yet: nothing was ever decided
        except LedgerError as error:  # damaged or unreadable: said, never taken for "nothing recorded"
            past, problem = [], str(error)
        for _, decisions in groupby(past, key=lambda d: d.run.seq):
            runs.append(_explained(list(decisions), wanted))
    if runs:
        runs[-1]["latest"] = True
    return render_template("query.html", wanted=wanted, runs=runs, problem=problem)


def _explained(decisions: list[PastDecision], wanted: str) -> dict[str, Any]:
    """A run's decisions for the id, with explain's why / why not while its workbook is kept."""
    d = desk()
    run = decisions[0].run
    found: dict[str, Any] = {"run": run, "decisions": decisions, "explanation": None, "problem": ""}
    job = d.store.job_of_run(run.run_id)
    if job is None or not job.output.exists():
        found["problem"] = (f"这次运行的决定工作簿不在本服务中(在命令行运行,或已超过保存期限 {d.config.keep_days} 天),"
                            "无法逐条说明规则;以上是台账记录的决定。")
        return found
    future = d.lanes.submit(job.output.stat().st_size, jobs.why, str(job.output), wanted)
    try:
        found["explanation"] = jobs.outcome(future, {job.output: f"{Path(run.input_name).stem}.decisions.xlsx"})
    except SscardError as error:
        found["problem"] = str(error)
    return found


@blueprint.route("/verify", methods=["GET", "POST"])
def verify_page():
    uploads = [request.files.get("workbook"), request.files.get("batch")]
    if request.method == "GET" or not (uploads[0] and uploads[0].filename):
        problem = "请选择要核验的决定工作簿。" if request.method == "POST" else ""
        return render_template("verify.html", result=None, problem=problem, names=[])
    d = desk()
    result, problem = None, ""
    with d.store.scratch() as folder:
        names: dict[Path, str] = {}  # stored copy -> the name it was uploaded under
        for role, upload in zip(("workbook", "batch"), uploads):
            if upload and upload.filename:
                name = display_name(upload.filename)
                names[write_private(folder / (role + stored_suffix(name)), upload.stream)] = name
        workbook, *batch = names
        future = d.lanes.submit(sum(p.stat().st_size for p in names), jobs.verify, str(workbook),
                                str(batch[0]) if batch else None, str(d.ledger.path))
        try:
            result = jobs.outcome(future, names)
        except SscardError as error:
            problem = str(error)
    return render_template("verify.html", result=result, problem=problem, names=list(names.values()))


@blueprint.get("/ledger")
def ledger_page():
    ledger = desk().ledger
    problem = ""
    try:
        runs = ledger.runs()
        counts = ledger.verdict_counts()
        chain = ledger.verify()
    except LedgerError as error:
        runs, counts, chain = [], {}, None
        problem = "" if isinstance(error, LedgerMissing) else str(error)
    latest = list(reversed(runs))[:RUNS_SHOWN]
    return render_template("ledger.html", runs=latest, total=len(runs), counts=counts, chain=chain,
                           path=ledger.path, problem=problem)
