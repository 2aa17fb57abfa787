"""One backup of everything an office's desk keeps, consistent while the desk runs, and checked.

What is copied, in this order:

1. the kept uploads and their results (one folder per batch; a batch still being checked
   is left out: it has no result yet, and a restored desk would only mark it interrupted),
   and the rule drafts with their reports and approvals;
2. the office's settings file and the rulebook archive (what explain and verify judge an
   old workbook by);
3. the accounts, by SQLite's online backup, without the sessions (after a restore everyone
   signs in again, and a copy of the backup opens no one's session);
4. the ledger, by SQLite's online backup, last: every batch copied in 1 whose check was
   recorded is in the copied ledger too.

Each SQLite copy is a snapshot taken in one step whatever is written meanwhile, then
checked with SQLite's full integrity check; the ledger is copied by ``Ledger.backup``
(`sscard ledger backup`), which also walks the hash chain in the copy.  Every file is hashed as it is read and again in the copy; the list goes to
``备份清单.json``.  The backup is built in a private folder beside its destination and
renamed into place only when complete and checked: there is never half a backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import SscardError, describe_os_error
from engine.office.accounts import FILE_NAME as ACCOUNTS_FILE
from engine.office.drafts import FOLDER as DRAFTS
from engine.records.digests import file_sha256
from engine.records.ledger import ChainCheck, Ledger

MANIFEST = "备份清单.json"
LEDGER_COPY = "ledger.sqlite3"
DESK_COPY = "desk"
SETTINGS_COPY = "settings.toml"
ARCHIVE_COPY = "archive"
KEPT = "jobs"  # the desk's folder of kept uploads (desk.store)
UNFINISHED = ("queued", "running")


class BackupRefused(SscardError):
    """The backup cannot be made where asked, or its copy failed a check."""


@dataclass
class BackupReport:
    destination: Path
    files: int = 0
    batches: int = 0
    skipped_batches: int = 0  # still being checked
    accounts: int = 0
    runs: int = 0
    chain: ChainCheck | None = None
    copied: list[str] = field(default_factory=list)  # what was copied, in words


def sqlite_snapshot(source: Path, target: Path, wait: float = 60) -> None:
    """Copy the SQLite database ``source`` (the accounts) to ``target`` with SQLite's online
    backup (one step: a consistent snapshot while others write; a writer is waited for up to
    ``wait`` seconds), then run SQLite's full integrity check on the copy."""
    try:
        with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True, timeout=wait)) as origin, \
                closing(sqlite3.connect(target)) as copy:
            origin.backup(copy)
        with closing(sqlite3.connect(target)) as copy:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as error:
        raise BackupRefused(f"无法复制数据库 {source}({error});请确认文件完好、未被长时间占用后重试") from None
    if verdict != "ok":
        raise BackupRefused(f"数据库 {source} 的副本未通过 SQLite 完整性检查({verdict});原文件可能已损坏,请联系维护人员")


def back_up(destination: str | Path, *, data: Path, ledger: Ledger, settings: Path, archive: Path) -> BackupReport:
    """Back up the desk's folder ``data``, the ``ledger``, the ``settings`` file and the
    rulebook ``archive`` into the new folder ``destination``."""
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupRefused(f"{destination} 已存在且不是空文件夹;备份只写入新的(或空的)文件夹,请换一个")
    if not ledger.path.is_file():
        raise BackupRefused(f"账本 {ledger.path} 不存在;请用 --ledger 或环境变量 SSCARD_LEDGER 指向柜面服务使用的账本")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".sscard-backup-", suffix=".part", dir=destination.parent))
    except OSError as error:
        raise BackupRefused(f"无法在 {destination.parent} 建立备份({describe_os_error(error)})") from None
    report = BackupReport(destination)
    try:
        digests: dict[str, str] = {}
        _copy_kept(data / KEPT, staging / DESK_COPY / KEPT, report, digests, staging)
        drafts = sorted(p for p in (data / DRAFTS).glob("*/*") if p.is_file() and not p.name.startswith("."))
        for path in drafts:
            _copy_file(path, staging / DESK_COPY / DRAFTS / path.relative_to(data / DRAFTS), digests, staging)
        if drafts:
            report.copied.append(f"规则草案 {len({p.parent for p in drafts})} 份(工作簿、检查结果和审批经过)")
        if settings.is_file():
            _copy_file(settings, staging / SETTINGS_COPY, digests, staging)
            report.copied.append(f"设置文件 {settings}")
        if archive.is_dir():
            for path in sorted(archive.rglob("*")):
                if path.is_file():
                    _copy_file(path, staging / ARCHIVE_COPY / path.relative_to(archive), digests, staging)
            report.copied.append(f"规则库归档 {archive}({sum(1 for p in archive.iterdir() if p.is_dir())} 个已发布的规则库)")
        if (data / ACCOUNTS_FILE).is_file():
            copy = staging / DESK_COPY / ACCOUNTS_FILE
            sqlite_snapshot(data / ACCOUNTS_FILE, copy)
            with closing(sqlite3.connect(copy)) as accounts:
                with accounts:
                    accounts.execute("DELETE FROM sessions")
                    accounts.execute("DELETE FROM failures")
                accounts.execute("VACUUM")  # the ended sessions' tokens leave no trace in the file
                report.accounts = accounts.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]
            digests[copy.relative_to(staging).as_posix()] = file_sha256(copy)
            report.copied.append(f"账户 {report.accounts} 个(不含登录会话:恢复后每人重新登录)")
        report.chain = ledger.backup(staging / LEDGER_COPY).chain
        report.runs = report.chain.runs
        digests[LEDGER_COPY] = file_sha256(staging / LEDGER_COPY)
        report.copied.append(f"账本 {ledger.path}:{report.runs} 次运行,账本头 {report.chain.head}")
        _check_copies(staging, digests)
        report.files = len(digests)
        manifest = {"time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "ledger": str(ledger.path), "data": str(data), "settings": str(settings), "archive": str(archive),
                    "ledger_head": report.chain.head, "ledger_intact": report.chain.intact, "runs": report.runs,
                    "batches": report.batches, "accounts": report.accounts, "sha256": digests}
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for path in staging.rglob("*"):  # names and 公民身份号码: the owner's alone, whatever the umask
            path.chmod(0o700 if path.is_dir() else 0o600)
        if destination.exists():
            destination.rmdir()  # empty, as checked above
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _copy_kept(source: Path, target: Path, report: BackupReport, digests: dict[str, str], root: Path) -> None:
    _private(target)
    if not source.is_dir():
        return
    for folder in sorted(source.iterdir()):
        try:
            state = json.loads((folder / "job.json").read_text("utf-8"))
        except (OSError, ValueError):
            continue  # being made right now, or not a batch
        if state.get("status") in UNFINISHED:
            report.skipped_batches += 1
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.endswith(".part") and not path.name.startswith("."):
                _copy_file(path, target / folder.name / path.name, digests, root)
        report.batches += 1
    report.copied.append(f"保存中的批次 {report.batches} 个(上传、决定工作簿和结果表)"
                         + (f";另有 {report.skipped_batches} 个正在检查,未备份" if report.skipped_batches else ""))


def _copy_file(source: Path, target: Path, digests: dict[str, str], root: Path) -> None:
    _private(target.parent)
    digest = hashlib.sha256()
    try:
        with source.open("rb") as reader, open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
                                               "wb") as writer:
            while chunk := reader.read(1 << 20):
                digest.update(chunk)
                writer.write(chunk)
    except OSError as error:
        raise BackupRefused(f"无法复制 {source}({describe_os_error(error)})") from None
    digests[target.relative_to(root).as_posix()] = digest.hexdigest()


def _private(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def _check_copies(root: Path, digests: dict[str, str]) -> None:
    """Every copied file, read back from the backup, is what was read from its source."""
    for relative, expected in digests.items():
        if file_sha256(root / relative) != expected:
            raise BackupRefused(f"备份中的 {relative} 与原文件不符(复制时磁盘出错?);请换一个位置重新备份")
