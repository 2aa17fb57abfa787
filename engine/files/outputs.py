"""Write an output safely: never over an input, never over someone's file, never half.

Every command that writes a file goes through ``atomic_output`` (or ``reserve`` when it
must do something between finishing the file and putting it in place, as check does
with the ledger).  Before anything is decided:

- the input is never written: an output that IS an input of the run (same device and
  inode, however the path is spelt: a second mount, a mapped drive, a symlink, a hard
  link) is refused, even with --force;
- a file sscard did not make is never replaced unless the user says --force, and
  neither is one open in Excel, WPS or LibreOffice (their lock file lies beside it);
- a folder, a path through a file, an empty path or a folder that cannot be written
  is refused in one line.

How sscard knows a file is one it made: every file it writes carries the mark
``MARK``.  A workbook carries it as a custom document property (File > Properties >
Custom in Excel; kept when the workbook is edited and saved again); any other file
(a PDF) carries the text ``MARK`` in its metadata (e.g. the PDF Creator), where
``made_by_sscard`` finds it in the file's first or last 64 KB.

The file is built in a private folder beside the target (same disk, so the final
rename is atomic), owner-only while it holds personal data; it takes the permissions
the user's umask gives new files only as it is renamed into place.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from defusedxml import ElementTree

from engine.errors import SscardError, describe_os_error
from engine.files import scratch

MARK = "made-by-sscard"  # custom document property of every workbook sscard writes; text in other files' metadata
RUN_PROPERTY = "sscard-run"  # custom document property: the run id of a decision workbook
_PROPERTIES = "docProps/custom.xml"
_MAX_PROPERTIES = 1 << 20
_MARK_WINDOW = 64 * 1024


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FINAL_MODE = 0o666 & ~_read_umask()  # what any program's new file gets; temporaries stay 0600


class OutputError(SscardError):
    """An output cannot or must not be written; the message says which and what to do."""


def custom_properties(path: Path) -> dict[str, str]:
    """A workbook's custom document properties (name -> text); {} for anything else."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(_PROPERTIES)
            if info.file_size > _MAX_PROPERTIES:
                return {}
            root = ElementTree.fromstring(archive.read(info))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return {}
    found = {}
    for prop in root:
        name = prop.get("name")
        if name is not None:
            found[name] = "".join(prop.itertext())
    return found


def made_by_sscard(path: Path) -> bool:
    if zipfile.is_zipfile(path):
        return MARK in custom_properties(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_MARK_WINDOW)
            handle.seek(max(0, path.stat().st_size - _MARK_WINDOW))
            tail = handle.read(_MARK_WINDOW)
    except OSError:
        return False
    return MARK.encode() in head or MARK.encode() in tail


def lock_file(target: Path) -> Path | None:
    """The lock file Excel / WPS (~$name) or LibreOffice (.~lock.name#) keeps beside a
    file it has open; Excel shortens a long name by its first two characters."""
    name = target.name
    for candidate in (f"~${name}", f"~${name[2:]}", f".~lock.{name}#"):
        if (target.parent / candidate).exists():
            return target.parent / candidate
    return None


def stamp(path: Path) -> tuple | None:
    """What changes when a file is replaced, moved away or written: identity, size, time."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def same_file(a: Path, b: Path) -> bool:
    """Identity, not spelling: same device and inode."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def target_path(text: str | Path) -> Path:
    if not str(text).strip():
        raise OutputError("输出路径为空;请在 -o 后给出文件名,如 -o 决定.xlsx")
    return Path(text)


def check_folder(folder: str | Path) -> Path:
    """An output folder (check of many batches): refused when it is a file or lies under one."""
    folder = target_path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"输出文件夹 {folder} 是一个已有的文件,不是文件夹;多个批次时 -o 须为文件夹")
    _refuse_through_file(folder, folder)
    _refuse_unwritable(folder, folder)
    return folder


def check_target(target: str | Path, *, inputs: Iterable[Path] = (), force: bool = False) -> Path:
    """Refuse, in one line and before anything is decided, an output sscard must not write."""
    target = target_path(target)
    for source in inputs:
        if same_file(target, source):
            shown = "" if str(source) == str(target) else f"({target} 与 {source} 是同一个文件)"
            raise OutputError(f"输出文件不能与输入文件相同{shown}:{target};输入工作簿从不被改写,请换一个输出文件名")
    if target.is_dir():
        raise OutputError(f"输出路径 {target} 是已有的文件夹;请给出文件名,如 {target / ('决定' + (target.suffix or '.xlsx'))}")
    _refuse_through_file(target.parent, target)
    if os.path.lexists(target) and not force:
        if not target.is_file():
            raise OutputError(f"输出路径 {target} 已存在且不是普通文件;请换一个输出文件名")
        if not made_by_sscard(target):
            raise OutputError(f"{target} 已存在,且不是 sscard 写出的文件;为免覆盖他人的文件,请换一个输出文件名,"
                              "或确认可以覆盖后加 --force")
    lock = lock_file(target) if not force else None
    if lock is not None:
        raise OutputError(f"{target} 似乎正在 Excel、WPS 或 LibreOffice 中打开(旁边有锁文件 {lock.name});"
                          "请先关闭它再试,或确认无人在用后加 --force")
    _refuse_unwritable(target.parent, target)
    return target


def _refuse_through_file(folder: Path, target: Path) -> None:
    for ancestor in (folder, *folder.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(f"输出路径 {target} 无法创建:其中的 {ancestor} 是文件,不是文件夹;请换一个输出位置")
            return


def _refuse_unwritable(folder: Path, target: Path) -> None:
    existing = next((a for a in (folder, *folder.parents) if a.exists()), Path("."))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"无法写入 {target}:文件夹 {existing} 不可写(只读或没有权限);请用 -o 换一个输出位置")


class Output:
    """One output on its way: ``temporary`` is the private file to write, ``commit()``
    renames it into place."""

    def __init__(self, target: Path, inputs: tuple[Path, ...], force: bool, folder: Path):
        self.target = target
        self.temporary = folder / f"{target.stem}.part{target.suffix}"
        # Owner-only from the first byte: a writer that opens it again ('wb') keeps the mode,
        # so a run killed while writing leaves no file others could read.
        os.close(os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.committed = False
        self._inputs, self._force, self._folder = inputs, force, folder

    def commit(self) -> Path:
        # Checked again: the target may have appeared (or been opened) while this ran.
        check_target(self.target, inputs=self._inputs, force=self._force)
        try:
            with self.temporary.open("rb") as handle:
                os.fsync(handle.fileno())  # the content is on disk before the name points at it
            os.chmod(self.temporary, FINAL_MODE)
            os.replace(self.temporary, self.target)
        except OSError as error:
            raise _write_failed(self.target, error) from None
        self.committed = True
        _sync_folder(self.target.parent)
        return self.target


@contextmanager
def reserve(target: str | Path, *, inputs: Iterable[Path] = (), force: bool = False) -> Iterator[Output]:
    """Check ``target`` and make its private folder; on leaving, whatever happened, the
    folder and any unfinished file are gone (the output is in place only if committed)."""
    inputs = tuple(Path(i) for i in inputs)
    target = check_target(target, inputs=inputs, force=force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        folder = scratch.output_folder(target.parent)
    except OSError as error:
        raise _write_failed(target, error) from None
    try:
        yield Output(target, inputs, force, folder)
    except OSError as error:
        if error.errno is None:
            raise
        raise _write_failed(target, error, folder) from None
    finally:
        scratch.remove(folder)


@contextmanager
def atomic_output(target: str | Path, *, inputs: Iterable[Path] = (), force: bool = False) -> Iterator[Path]:
    """Write any file safely: yields a private temporary path; the file appears at
    ``target`` only if the block ends without an error.

        with atomic_output(path, force=force) as temporary:
            document.save(temporary)   # a PDF: put outputs.MARK in its metadata

    Refuses (OutputError, one line) before the block runs when ``target`` is an input,
    someone else's file (unless ``force``), open in Excel, a folder or not writable."""
    with reserve(target, inputs=inputs, force=force) as output:
        yield output.temporary
        output.commit()


def _write_failed(target: Path, error: OSError, folder: Path | None = None) -> OutputError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        full = _full_disks([target.parent, Path(tempfile.gettempdir())] if folder else [target.parent])
        return OutputError(f"写出 {target} 失败:{full}磁盘已满;未完成的文件已删除,请腾出空间后重试")
    return OutputError(f"无法写出 {target}({describe_os_error(error)});未完成的文件已删除,"
                       "请检查输出文件夹的权限和空间,或用 -o 换一个位置")


def _full_disks(folders: list[Path]) -> str:
    """Which of the output folder and the temporary folder is on the full disk."""
    named = []
    for folder, label in zip(folders, ("输出文件夹", "临时文件夹 TMPDIR")):
        try:
            if shutil.disk_usage(folder).free < 16 * 1024**2:
                named.append(f"{label} {folder} 所在的")
        except OSError:
            continue
    return "、".join(named) if named else "输出文件夹或临时文件夹所在的"


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut (best effort: not every system allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_private(path: Path, data: bytes | BinaryIO) -> Path:
    """Write ``data`` (bytes or a stream) to ``path`` as a whole, readable by the owner only."""
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)  # mkstemp: 0600
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                shutil.copyfileobj(data, out, 1 << 20)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
