"""Rule drafts on the desk, from upload to publication, approved by a second person.

A 政策 user uploads a draft rulebook workbook.  It is kept in the desk's data folder (one
private folder per draft: the workbook as uploaded and ``draft.json``), with its report:
what `sscard rules lint` finds, what `sscard rules test` says of its cases, and what
`sscard diff --new` says it would change in the batches the desk keeps.  The report is
made once, by ``review``, with those very engine calls, and every later reader (the
drafter, the reviewer) sees the same one.

A draft moves through states, each move made here under a lock and refused in one
Chinese line when it is not allowed, whoever asks:

    草稿 --submit (its drafter; only with a clean report)--> 待审核
    待审核 --send_back (another 政策 user, with a comment)--> 退回 --submit--> 待审核
    待审核 --approve (another 政策 user)--> 已发布

Approval publishes exactly as `sscard rules publish` does (engine.policy.publish), with
the drafter and the approver recorded in the ledger.  A draft was made against the live
rulebook of its upload; once another one has been published, its report no longer says
what it would change, so it is refused until uploaded again against the new one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from engine import labels
from engine.core.rulebook import Rulebook
from engine.errors import MissingColumns, SscardError
from engine.files.outputs import write_private
from engine.office.accounts import POLICY
from engine.policy import impact, lint
from engine.policy.cases import run_cases
from engine.policy.changes import rulebook_changes
from engine.policy.publish import DESK, Approval, Published, live_digest, publish
from engine.records.archive import Archive
from engine.records.ledger import Ledger
from engine.rulebook.source import load_rulebook

DRAFTING, PENDING, RETURNED, PUBLISHED = "草稿", "待审核", "退回", "已发布"
FOLDER = "drafts"  # in the desk's data folder
WORKBOOK = "draft.xlsx"
STATE = "draft.json"
MAX_COMMENT = 1000


class DraftRefused(SscardError):
    """A move the draft's state, the person's role or the live rulebook does not allow."""


@dataclass(frozen=True)
class Draft:
    folder: Path
    state: dict[str, Any]

    @property
    def id(self) -> str:
        return self.state["id"]

    @property
    def workbook(self) -> Path:
        return self.folder / WORKBOOK

    @property
    def status(self) -> str:
        return self.state["status"]

    @property
    def report(self) -> dict[str, Any]:
        return self.state["report"]

    def stale(self, live: Path) -> bool:
        """Another rulebook has been made live since this draft was uploaded."""
        return self.status != PUBLISHED and live_digest(live) != self.state["base_digest"]


def review(draft: Path, live: Rulebook, archive: Archive | None, batches: Iterable[tuple[str, Path]]
           ) -> dict[str, Any]:
    """The report of a draft against the ``live`` rulebook: lint, the cases, the rulebook's
    changes and the impact on each of ``batches`` (name shown, path), as plain data."""
    book, findings = lint.lint_file(draft, archive.load if archive else load_rulebook)
    report: dict[str, Any] = {"lint": lint.report_lines(None, findings)[:-1], "readable": book is not None,
                              "cases": None, "changes": [], "impact": [], "blocking": []}
    if findings:
        report["blocking"].append(f"规则检查发现 {len(findings)} 个问题")
    if book is None:
        return report
    report.update(name=book.name, version=book.version, digest=book.digest, changes=rulebook_changes(live, book))
    try:
        cases = run_cases(book)
    except MissingColumns as error:
        report["blocking"].append(f"{error};提交审批的草案须带「用例」表")
    else:
        report["cases"] = {
            "outcomes": [{"name": o.case.name, "row": o.case.row, "passed": o.passed, "differences": list(o.differences)}
                         for o in cases.outcomes],
            "uncovered": [cases.labels.get(rule_id, rule_id) for rule_id in cases.uncovered]}
        if cases.failures:
            report["blocking"].append(f"{len(cases.failures)} 个用例失败")
        if cases.uncovered:
            report["blocking"].append(f"{len(cases.uncovered)} 条规则没有用例命中")
    report["impact"] = [_impact(name, path, live, book) for name, path in batches]
    return report


def _impact(name: str, batch: Path, live: Rulebook, draft: Rulebook) -> dict[str, Any]:
    try:
        found = impact.compare(batch, live, draft)
    except SscardError as error:
        return {"batch": name, "problem": str(error).replace(str(batch), name)}
    return {"batch": name, "rows": found.rows, "fee_before": found.fee_before, "fee_after": found.fee_after,
            "changes": [{"row": c.row, "request_id": c.request_id, "who": c.who, "service": c.service,
                         "what": list(c.what), "verdict": [c.old.verdict, c.new.verdict], "fee": [c.old.fee, c.new.fee],
                         "missing": [labels.LIST_SEPARATOR.join(c.old.missing) or "无",
                                     labels.LIST_SEPARATOR.join(c.new.missing) or "无"]}
                        for c in found.changes]}


class Drafts:
    """The drafts of one desk, in ``data``/drafts."""

    def __init__(self, data: Path):
        self.root = data / FOLDER
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root.chmod(0o700)

    def add(self, name: str, drafter: str, content: bytes, live: Rulebook) -> Draft:
        """Keep an uploaded draft of ``drafter``, made against the ``live`` rulebook; its
        report is added by ``set_report`` (made in a worker)."""
        draft_id = secrets.token_hex(8)
        folder = self.root / draft_id
        folder.mkdir(mode=0o700)
        write_private(folder / WORKBOOK, content)
        state = {"id": draft_id, "name": name, "drafter": drafter, "created": _now(), "status": DRAFTING,
                 "base_digest": live.digest, "base_version": live.version, "report": None,
                 "events": [{"when": _now(), "who": drafter, "what": "上传", "comment": ""}]}
        write_private(folder / STATE, _json(state))
        return Draft(folder, state)

    def set_report(self, draft: Draft, report: dict[str, Any]) -> Draft:
        with self._locked():
            state = self._state(draft.id)
            state["report"] = report
            return self._save(state)

    def discard(self, draft: Draft) -> None:
        """A draft whose report could not be made: it was never seen, so it goes."""
        shutil.rmtree(draft.folder, ignore_errors=True)

    def get(self, draft_id: str) -> Draft | None:
        if not (draft_id.isalnum() and len(draft_id) == 16) or not (self.root / draft_id / STATE).is_file():
            return None
        return Draft(self.root / draft_id, self._state(draft_id))

    def all(self) -> list[Draft]:
        """Every draft with its report, newest first."""
        found = [self.get(folder.name) for folder in self.root.iterdir() if folder.is_dir()]
        return sorted((d for d in found if d is not None and d.state["report"] is not None),
                      key=lambda d: d.state["created"], reverse=True)

    # --- the moves --------------------------------------------------------------------

    def submit(self, draft_id: str, who: str, roles: Iterable[str], live: Path) -> Draft:
        with self._locked():
            state = self._moving(draft_id, roles, (DRAFTING, RETURNED), "提交审批")
            if state["drafter"] != who:
                raise DraftRefused(f"只有起草人 {state['drafter']} 可以提交此草案")
            _current(state, live)
            blocking = state["report"]["blocking"] if state["report"] else ["尚未检查"]
            if blocking:
                raise DraftRefused(f"此草案不能提交审批:{'、'.join(blocking)};请修改后重新上传")
            return self._event(state, who, PENDING, "提交审批")

    def send_back(self, draft_id: str, who: str, roles: Iterable[str], comment: str) -> Draft:
        comment = comment.strip()[:MAX_COMMENT]
        with self._locked():
            state = self._moving(draft_id, roles, (PENDING,), "退回")
            _not_own(state, who, "退回")
            if not comment:
                raise DraftRefused("退回时请写明意见,起草人据此修改")
            return self._event(state, who, RETURNED, "退回", comment)

    def approve(self, draft_id: str, who: str, roles: Iterable[str], live: Path, archive: Archive,
                ledger: Ledger) -> tuple[Draft, Published]:
        """Approve and publish, as `sscard rules publish` does, recording both people."""
        with self._locked():
            state = self._moving(draft_id, roles, (PENDING,), "审批")
            _not_own(state, who, "审批")
            _current(state, live)
            published = publish(self.root / draft_id / WORKBOOK, live, archive, ledger,
                                Approval(state["drafter"], who, DESK))
            state["published_version"] = published.publication.version
            return self._event(state, who, PUBLISHED, f"审批通过,发布为 {published.publication.version}"), published

    # --- keeping ----------------------------------------------------------------------

    def _moving(self, draft_id: str, roles: Iterable[str], allowed: tuple[str, ...], move: str) -> dict[str, Any]:
        if POLICY not in tuple(roles):
            raise DraftRefused(f"只有政策人员可以{move}规则库草案")
        if self.get(draft_id) is None:
            raise DraftRefused("没有这份草案")
        state = self._state(draft_id)
        if state["status"] not in allowed:
            raise DraftRefused(f"此草案的状态是「{state['status']}」,不能{move}")
        return state

    def _event(self, state: dict[str, Any], who: str, status: str, what: str, comment: str = "") -> Draft:
        state["status"] = status
        state["events"].append({"when": _now(), "who": who, "what": what, "comment": comment})
        return self._save(state)

    def _state(self, draft_id: str) -> dict[str, Any]:
        return json.loads((self.root / draft_id / STATE).read_text("utf-8"))

    def _save(self, state: dict[str, Any]) -> Draft:
        folder = self.root / state["id"]
        write_private(folder / STATE, _json(state))
        return Draft(folder, state)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One move at a time, across threads and processes (two reviewers at once)."""
        with open(os.open(self.root / ".lock", os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


def _not_own(state: dict[str, Any], who: str, move: str) -> None:
    if state["drafter"] == who:
        raise DraftRefused(f"不能{move}自己起草的草案;请由另一位政策人员{move}")


def _current(state: dict[str, Any], live: Path) -> None:
    if live_digest(live) != state["base_digest"]:
        raise DraftRefused(f"此草案是按规则库 {state['base_version']} 做的,现行规则库已经改变(其间有人发布了新版本);"
                           "请下载新的现行规则库,把修改重新做在上面后再上传")


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _json(state: dict[str, Any]) -> bytes:
    return json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8")


def remove_unreviewed(data: Path) -> None:
    """At start: a draft whose report was never made (the desk stopped meanwhile) goes."""
    root = data / FOLDER
    for folder in [f for f in root.iterdir() if f.is_dir()] if root.is_dir() else ():
        try:
            if json.loads((folder / STATE).read_text("utf-8"))["report"] is None:
                shutil.rmtree(folder)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(folder, ignore_errors=True)
