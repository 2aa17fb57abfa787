"""Limits a workbook must stay within before any parser sees it.

A native reader can be made to allocate gigabytes by a few kilobytes of zip
(docs/notes/EXCEL_NOTES.md, 'Bad files'), and a parser that reads a whole file into
memory must not be handed a huge one; so sizes are checked from the container's own
directory first.  Which kind of file it is, is decided in opening.py.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

from engine.errors import UnreadableWorkbook

# A workbook of 1,048,575 rows × 40 short columns inflates to about 1.5 GB of XML.
MAX_UNCOMPRESSED = 3 * 1024**3
# Sheet XML compresses 10-30×; a member inflating 200× is built to exhaust memory.
MAX_RATIO = 200
RATIO_FLOOR = 50 * 1024**2  # small members may compress as they like
# A legacy .xls is parsed whole, in memory: a full one (65,536 rows × 25 columns) is
# 24 MB on disk and 117 MB parsed.  64 MB leaves room for long texts and keeps the
# parsed workbook under about a gigabyte even for blank-cell records built to inflate.
MAX_LEGACY_BYTES = 64 * 1024**2
# A password-protected workbook is decrypted into memory (file, stream and plain copy:
# about three times its size).  A full worksheet of a batch is about 100 MB.
MAX_ENCRYPTED_BYTES = 512 * 1024**2


def check_size(path: Path, size: int, limit: int, what: str) -> None:
    if size > limit:
        raise UnreadableWorkbook(f"{path}: {what}有 {size / 1024**2:.0f} MB,超过上限 {limit / 1024**2:.0f} MB,"
                                 "拒绝读取;请拆分批次")


def check_zip(path: Path, handle: BinaryIO) -> list[str]:
    """The member names of a sane zip on ``handle``; raises UnreadableWorkbook, with a
    message a clerk can act on, for a damaged zip or one built to exhaust memory."""
    try:
        members = zipfile.ZipFile(handle).infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise UnreadableWorkbook(f"{path}: 文件已损坏或不完整,无法作为 .xlsx 打开;请向提供者要一份完整的文件") from None
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise UnreadableWorkbook(
            f"{path}: 解压后共 {total / 1024**3:.1f} GB,超过上限 {MAX_UNCOMPRESSED / 1024**3:.0f} GB,拒绝读取;请拆分批次")
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableWorkbook(
                f"{path}: 其中 {member.filename} 压缩比异常({member.file_size // max(member.compress_size, 1)} 倍),"
                "疑似压缩炸弹,拒绝读取")
    return [m.filename for m in members]
