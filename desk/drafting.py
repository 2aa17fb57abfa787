"""规则草案, for 政策 users: download the live rulebook workbook, upload a draft and read
its report (`rules lint`, `rules test`, `diff --new` on the batches the desk keeps), submit
it, and approve or return a colleague's.  The moves and their checks are
engine.office.drafts; approval publishes as `sscard rules publish` does, and the desk
decides with the new rulebook from the next batch on."""

from __future__ import annotations

import io
import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from desk import jobs
from desk.access import POLICY, allowed
from desk.context import current_person, desk
from desk.store import DONE, stored_suffix, uploaded_name, write_private
from desk.wording import for_the_page
from engine.errors import SscardError
from engine.office.drafts import PENDING, Draft, DraftRefused
from engine.records.ledger import local_time
from engine.rulebook.layout import BOOK_NAME

blueprint = Blueprint("drafting", __name__)
log = logging.getLogger("sscard.desk")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPACT_ROWS_SHOWN = 200  # per batch; the count says how many more


@blueprint.get("/rules/规则库.xlsx")
@allowed(POLICY)
def live_workbook():
    """The live rulebook workbook to edit: as archived when published (byte for byte)."""
    d = desk()
    publication = d.archive.publication(d.book.digest)
    data = (publication.path / BOOK_NAME).read_bytes() if publication else d.book.source.content
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=f"规则库-{d.book.version}.xlsx")


@blueprint.get("/drafts")
@allowed(POLICY)
def drafts_page():
    return render_template("drafts.html", drafts=desk().drafts.all(), pending=PENDING)


@blueprint.post("/drafts")
@allowed(POLICY)
def upload():
    draft_file, batch_file = request.files.get("draft"), request.files.get("batch")
    if draft_file is None or not draft_file.filename:
        flash("请先选择草案工作簿(.xlsx)。")
        return redirect(url_for(".drafts_page"), 303)
    d = desk()
    draft = d.drafts.add(uploaded_name(draft_file), current_person().name, draft_file.stream.read(), d.book)
    names = {}
    try:
        with d.store.scratch() as folder:
            batches, rows = _kept_batches()
            if batch_file is not None and batch_file.filename:
                name = uploaded_name(batch_file)
                path = write_private(folder / f"batch{stored_suffix(name)}", batch_file.stream)
                names = {path: name}
                batches.append((f"{name}(本次上传)", str(path)))
                rows += jobs.rows_of(path, d.book)
            report = jobs.outcome(d.lanes.submit(rows, jobs.review, str(draft.workbook), batches),
                                  {draft.workbook: draft.state["name"], **names})
        d.drafts.set_report(draft, report)
    except SscardError as error:
        d.drafts.discard(draft)
        flash(for_the_page(str(error), names))
        return redirect(url_for(".drafts_page"), 303)
    except BaseException:
        d.drafts.discard(draft)
        raise
    return redirect(url_for(".draft_page", draft_id=draft.id), 303)


def _kept_batches() -> tuple[list[tuple[str, str]], int]:
    """The batches the desk keeps with a result, named so that two of one name differ; their rows."""
    batches, rows = [], 0
    for job in desk().store.all_jobs():
        state = job.state()
        if state.get("status") == DONE:
            batches.append((f"{state['name']}({local_time(state['created'])},{state['owner']})", str(job.input)))
            rows += state["summary"]["rows"]
    return sorted(batches), rows


def _draft(draft_id: str) -> Draft:
    draft = desk().drafts.get(draft_id)
    if draft is None or draft.state["report"] is None:
        abort(404)
    return draft


@blueprint.get("/drafts/<draft_id>")
@allowed(POLICY)
def draft_page(draft_id: str):
    d, draft = desk(), _draft(draft_id)
    return render_template("draft.html", draft=draft, report=draft.report, stale=draft.stale(d.book.path),
                           me=current_person().name, shown=IMPACT_ROWS_SHOWN, pending=PENDING)


@blueprint.get("/drafts/<draft_id>/草案.xlsx")
@allowed(POLICY)
def draft_workbook(draft_id: str):
    draft = _draft(draft_id)
    return send_file(draft.workbook, mimetype=XLSX, as_attachment=True, download_name=draft.state["name"])


@blueprint.post("/drafts/<draft_id>")
@allowed(POLICY)
def move(draft_id: str):
    """提交审批, 退回 or 审批通过: each refused here, whatever the page offered, when not allowed."""
    d, person, action = desk(), current_person(), request.form.get("action", "")
    try:
        if action == "submit":
            d.drafts.submit(draft_id, person.name, person.roles, d.book.path)
            flash("已提交审批;请另一位政策人员审批。")
        elif action == "return":
            d.drafts.send_back(draft_id, person.name, person.roles, request.form.get("comment", ""))
            flash("已退回起草人。")
        elif action == "approve":
            _, published = d.drafts.approve(draft_id, person.name, person.roles, d.book.path, d.archive, d.ledger)
            d.refresh()  # the next batch is decided by it
            flash(f"已审批并发布:规则库版本 {published.publication.version};此后检查的批次都按此版本判定。")
        else:
            abort(400)
    except DraftRefused as error:
        flash(str(error))
    except SscardError as error:
        log.warning("草案 %s:%s", draft_id, error)
        flash(for_the_page(str(error)))
    return redirect(url_for(".draft_page", draft_id=draft_id), 303)
