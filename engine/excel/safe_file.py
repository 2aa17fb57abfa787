"""Look at a file before any parser does.

A native reader can be made to allocate gigabytes by a few kilobytes of zip, and an
encrypted workbook makes openpyxl raise a misleading error, so the container is
inspected first (docs/notes/EXCEL_NOTES.md, 'Bad files').
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from engine.errors import UnreadableWorkbook

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# A workbook of 1,048,575 rows × 40 short columns inflates to about 1.5 GB of XML.
MAX_UNCOMPRESSED = 3 * 1024**3
# Sheet XML compresses 10-30×; a member inflating 200× is built to exhaust memory.
MAX_RATIO = 200
RATIO_FLOOR = 50 * 1024**2  # small members may compress as they like


def check_workbook_file(path: Path) -> None:
    """Raise UnreadableWorkbook, with a message a clerk can act on, unless ``path``
    looks like a sane .xlsx/.xlsm zip."""
    if not path.exists():
        raise UnreadableWorkbook(f"{path}: 文件不存在")
    if path.is_dir():
        raise UnreadableWorkbook(f"{path}: 是文件夹,不是工作簿")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise UnreadableWorkbook(f"{path}: 文件是空的")
    if head == OLE2_MAGIC:
        raise UnreadableWorkbook(
            f"{path}: 是加密(设了打开密码)的工作簿或旧版 .xls 文件;请在 Excel 中取消密码并另存为 .xlsx 后重试")
    if not head.startswith(ZIP_MAGIC):
        raise UnreadableWorkbook(f"{path}: 不是 Excel .xlsx 工作簿(可能是 CSV 或其他文件改了扩展名);请在 Excel 中另存为 .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableWorkbook(f"{path}: 文件已损坏,无法作为 .xlsx 打开({error})") from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnreadableWorkbook(f"{path}: 是 zip 压缩包,但不是 Excel 工作簿")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise UnreadableWorkbook(
            f"{path}: 解压后共 {total / 1024**3:.1f} GB,超过上限 {MAX_UNCOMPRESSED / 1024**3:.0f} GB,拒绝读取;请拆分批次")
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableWorkbook(
                f"{path}: 其中 {member.filename} 压缩比异常({member.file_size // max(member.compress_size, 1)} 倍),"
                "疑似压缩炸弹,拒绝读取")
