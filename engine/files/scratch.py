"""Private folders for temporary data: everything sscard holds between reading a batch
and writing its decisions lives in folders only the user can open, and goes away.

Temporary data holds personal data (names, 公民身份号码): the spool of decided rows,
xlsxwriter's sheets before they are zipped, an output not yet renamed into place.  So:

- one private (0700) folder per run in the temporary directory (TMPDIR), removed when
  the run ends, by success, error, Ctrl-C or SIGTERM;
- an output is built in a private folder beside its target (same disk, so renaming it
  into place is atomic), removed likewise; the run's folder notes where it made one;
- a run killed outright (SIGKILL, power loss) cannot clean up, so every command first
  removes the folders of earlier runs whose process is gone: in TMPDIR, and beside the
  outputs each of those runs noted (and, in any folder an output is written to, those
  left there by any dead run).

A folder's name carries the host and process id that made it, so only folders of this
user, made on this host by a process that no longer exists, are ever swept: a shared
output folder written from two machines never loses the other machine's work.
"""

from __future__ import annotations

import atexit
import errno
import os
import re
import shutil
import socket
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Iterator

from engine.errors import SscardError, describe_os_error

RUN_PREFIX = "sscard-"  # in the temporary directory
OUTPUT_PREFIX = ".sscard-"  # beside an output
_BESIDE_OUTPUTS = "beside-outputs"  # in a run's folder: the folders it made private folders in
_MAX_NOTES = 1 << 20
_HOST = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:40] or "host"

_current: ContextVar[Path | None] = ContextVar("sscard_run_folder", default=None)
_process_folder: Path | None = None


def _prefix(kind: str) -> str:
    return f"{kind}{os.getpid()}-{_HOST}-"


def private_folder(parent: Path, kind: str) -> Path:
    """A new owner-only folder in ``parent``, named so that sweep() knows whose it is."""
    sweep(parent, kind)
    return Path(tempfile.mkdtemp(prefix=_prefix(kind), dir=parent))


def output_folder(parent: Path) -> Path:
    """A private folder beside an output, its parent noted first in the run's folder, so
    that the next command's sweep of TMPDIR finds it if this run is killed outright."""
    try:
        notes = os.open(current() / _BESIDE_OUTPUTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(notes, os.fsencode(os.path.abspath(parent)) + b"\0")
        finally:
            os.close(notes)
    except OSError as error:
        raise TemporarySpaceError(error) from None
    return private_folder(parent, OUTPUT_PREFIX)


def remove(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(parent: Path, kind: str) -> list[Path]:
    """Remove the folders left in ``parent`` by sscard runs of this user on this host
    whose process is gone; returns them."""
    if os.name != "posix":
        return []  # no cheap, safe liveness test: leave them
    pattern = re.compile(re.escape(kind) + r"(\d+)-" + re.escape(_HOST) + r"-[^/]+")
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return []
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if not found or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        if not alive(int(found[1])):
            for noted in _noted_parents(Path(entry.path)) if kind == RUN_PREFIX else ():
                sweep(noted, OUTPUT_PREFIX)
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _noted_parents(run_folder: Path) -> set[Path]:
    try:
        with (run_folder / _BESIDE_OUTPUTS).open("rb") as notes:
            return {Path(os.fsdecode(name)) for name in notes.read(_MAX_NOTES).split(b"\0") if name}
    except OSError:
        return set()


def alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process now has this id: leave the folder
    return True


@contextmanager
def run_folder() -> Iterator[Path]:
    """The private folder of one run; every temporary file of the run goes in it."""
    folder = _run_folder()
    token = _current.set(folder)
    try:
        yield folder
    finally:
        _current.reset(token)
        remove(folder)


def current() -> Path:
    """The running command's private folder; outside run_folder() (a script calling the
    engine), one for the process, removed when it exits."""
    folder = _current.get()
    if folder is not None:
        return folder
    global _process_folder
    if _process_folder is None or not _process_folder.is_dir():
        _process_folder = _run_folder()
        atexit.register(remove, _process_folder)
    return _process_folder


def spool() -> IO[bytes]:
    """An unnamed owner-only file in the run's folder (gone the moment it is closed)."""
    try:
        return tempfile.TemporaryFile(dir=current())
    except OSError as error:
        raise TemporarySpaceError(error) from None


def _run_folder() -> Path:
    try:
        return private_folder(_temporary_directory(), RUN_PREFIX)
    except OSError as error:
        raise TemporarySpaceError(error) from None


def _temporary_directory() -> Path:
    directory = Path(tempfile.gettempdir())
    if not directory.is_dir():
        raise SscardError(f"临时文件夹 {directory} 不存在;请检查环境变量 TMPDIR")
    return directory


class TemporarySpaceError(SscardError):
    """The temporary folder cannot take the run's temporary data."""

    def __init__(self, error: OSError):
        where = tempfile.gettempdir()
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            message = (f"临时文件夹 TMPDIR {where} 所在的磁盘已满,无法存放本次运行的临时数据;"
                       "请腾出空间,或把环境变量 TMPDIR 指向空间更大的文件夹后重试")
        else:
            message = (f"无法在临时文件夹 {where} 中写入临时数据({describe_os_error(error)});"
                       "请检查该文件夹的权限,或把环境变量 TMPDIR 指向可写的文件夹后重试")
        super().__init__(message)
