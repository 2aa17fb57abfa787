"""Where the desk keeps uploads and results: one private folder per job under --data.

Batches hold names and 公民身份号码, so every folder is 0700 and every file 0600.  A job
belongs to the account that uploaded it and is reached through its token
(secrets.token_urlsafe, in its link); its folder is named by the token's SHA-256, so
neither the link nor a name a clerk chose is ever a path, and a decision workbook's 审计
sheet (which names the input's path) does not give the link away.  After the retention
period a job's folder goes; the ledger keeps the decisions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import shutil
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from engine.files.outputs import write_private

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
BATCH_SUFFIXES = (".xlsx", ".xlsm", ".xls")  # kept on the stored copy: readers may tell formats by it
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
MAX_NAME = 200
INTERRUPTED = "服务在检查完成前停止了,本批次没有结果;请重新上传"


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def display_name(filename: str | None, fallback: str = "未命名.xlsx") -> str:
    """The name a file was uploaded under, as typed (pages escape it; it is never a path),
    without control characters, which no one typed."""
    name = "".join(ch for ch in filename or "" if unicodedata.category(ch)[0] != "C").strip()
    return name[:MAX_NAME] or fallback


_FILENAME = re.compile(r'\bfilename="([^"]*)"')


def uploaded_name(upload: Any) -> str:
    """The name an uploaded file (a Werkzeug FileStorage) had on the person's computer, as
    typed.  Browsers send it raw in the part's header (HTML's rules for form data encode
    only a quote and line breaks, as %22, %0D, %0A); Werkzeug unquotes it as if every
    backslash escaped the next character, so ``..\\..\\批次.xlsx`` would lose them."""
    raw = _FILENAME.search(upload.headers.get("Content-Disposition", ""))
    name = raw[1].replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n") if raw else upload.filename
    return display_name(name)


def download_name(name: str, suffix: str) -> str:
    """A file name for the browser to save under: the uploaded name's stem with ``suffix``,
    any character a file system refuses (/ \\ : * ? " < > |) made ``_``."""
    stem = next((name[:-len(s)] for s in BATCH_SUFFIXES if name.lower().endswith(s)), name)
    return re.sub(r'[\\/:*?"<>|]', "_", stem).strip(". ") + suffix


def stored_suffix(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix if suffix in BATCH_SUFFIXES else ".xlsx"


class Job:
    """One uploaded batch: its copy, its decision workbook, its state and progress."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.output = folder / "decisions.xlsx"
        self.index = folder / "rows.sqlite3"
        self._state = folder / "job.json"
        self._progress = folder / "progress.json"

    @property
    def input(self) -> Path:
        return self.folder / self.state()["stored"]

    def state(self) -> dict[str, Any]:
        return json.loads(self._state.read_text("utf-8"))

    def update(self, **fields: Any) -> None:
        # Written by the web process only (a worker writes progress), so no two writers race.
        state = self.state() if self._state.exists() else {}
        state.update(fields)
        write_private(self._state, json.dumps(state, ensure_ascii=False).encode("utf-8"))

    def progress(self) -> dict[str, Any]:
        try:
            return json.loads(self._progress.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def set_progress(self, phase: str, rows: int) -> None:
        write_private(self._progress, json.dumps({"phase": phase, "rows": rows}, ensure_ascii=False).encode("utf-8"))


class Store:
    def __init__(self, root: Path):
        self.root = private_dir(root.resolve())
        self.jobs = private_dir(self.root / "jobs")
        self.scratch_root = private_dir(self.root / "tmp")

    def create(self, name: str, owner: str, upload: BinaryIO) -> tuple[str, Job]:
        """Keep an upload of ``owner`` (the account whose batch it is, and its operator)."""
        token = secrets.token_urlsafe(32)
        job = Job(private_dir(self._folder(token)))
        stored = "input" + stored_suffix(name)
        write_private(job.folder / stored, upload)
        job.update(name=name, stored=stored, operator=owner, owner=owner, token=token, status=QUEUED,
                   created=dt.datetime.now().astimezone().isoformat(timespec="microseconds"))
        return token, job

    def recent(self, owner: str, count: int) -> list[Job]:
        """``owner``'s latest ``count`` batches, newest first, whichever browser uploaded them."""
        mine = [(state["created"], job) for job in self.all_jobs()
                if (state := job.state()).get("owner") == owner and "token" in state]
        return [job for _, job in sorted(mine, key=lambda pair: pair[0], reverse=True)[:count]]

    def job(self, token: str) -> Job | None:
        if not TOKEN.fullmatch(token or ""):
            return None
        folder = self._folder(token)
        return Job(folder) if (folder / "job.json").exists() else None

    def _folder(self, token: str) -> Path:
        return self.jobs / hashlib.sha256(token.encode("ascii")).hexdigest()

    def all_jobs(self) -> Iterator[Job]:
        for folder in self.jobs.iterdir():
            if (folder / "job.json").exists():
                yield Job(folder)

    def job_of_run(self, run_id: str) -> Job | None:
        """The job whose check recorded ``run_id`` in the ledger, while it is kept."""
        for job in self.all_jobs():
            if job.state().get("run_id") == run_id:
                return job
        return None

    def mark_interrupted(self) -> None:
        """At start: a job that was queued or running when the server stopped will never finish."""
        for job in self.all_jobs():
            if job.state().get("status") in (QUEUED, RUNNING):
                job.update(status=FAILED, message=INTERRUPTED)

    def sweep(self, keep_days: int, now: dt.datetime | None = None) -> int:
        """Delete jobs older than ``keep_days`` (uploads, decision workbooks, results); return how many."""
        limit = (now or dt.datetime.now().astimezone()) - dt.timedelta(days=keep_days)
        removed = 0
        for folder in list(self.jobs.iterdir()):
            try:
                created = dt.datetime.fromisoformat(json.loads((folder / "job.json").read_text("utf-8"))["created"])
            except (OSError, ValueError, KeyError):
                created = dt.datetime.fromtimestamp(folder.stat().st_mtime).astimezone()  # a half-made job
            if created < limit:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    def clear_scratch(self) -> None:
        """At start: nothing is running, so whatever a crash left in the scratch folder goes."""
        for path in self.scratch_root.iterdir():
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """A private folder for a request's files (a workbook to verify, a PDF), removed afterwards."""
        folder = Path(tempfile.mkdtemp(dir=self.scratch_root))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def secret_key(self) -> bytes:
        """Signs session cookies; kept across restarts so nobody is signed out by one."""
        path = self.root / "secret.key"
        if not path.exists():
            write_private(path, secrets.token_bytes(32))
        return path.read_bytes()
