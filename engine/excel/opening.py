"""The one door every workbook comes in by: look at the file before any parser does.

Every command that reads a workbook (check, verify, explain, diff, rules test, and a
web upload) goes through ``open_workbook``; it tells from the bytes, not the name:

- a zip: an .xlsx / .xlsm, once its directory shows sane sizes (safe_file.py);
- an OLE2 compound file holding EncryptionInfo and EncryptedPackage: a password-
  protected .xlsx, decrypted in memory with the clerk's password, then checked as a zip;
- an OLE2 file holding a Workbook stream: a legacy .xls (Excel 97-2003, as WPS and old
  templates save), decrypted in memory when it carries its own password (FILEPASS);
- anything else (a WPS .et, a CSV or a web page renamed .xlsx, other files): refused
  with one line that says which it is and how to save it as a workbook.

Decrypted content lives only in memory (bytes); nothing decrypted touches the disk.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import olefile

from engine.errors import PasswordNeeded, UnreadableWorkbook, WrongPassword
from engine.excel.safe_file import MAX_ENCRYPTED_BYTES, MAX_LEGACY_BYTES, check_size, check_zip
from engine.files import protection
from engine.files.protection import Password

XLSX = "xlsx"  # also .xlsm: values are read, macros never
XLS = "xls"

ZIP_MAGIC = b"PK\x03\x04"
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/"
_MAX_RELS = 64 * 1024
_USE_A_WORKBOOK = "请使用原来的 Excel 批次文件(.xlsx 或 .xls),或用 sscard template 生成模板,把申请填进去后重试"
_BMP_HEADER_SIZES = (12, 40, 52, 56, 108, 124)  # "BM" alone could begin a text
_OTHER_PACKAGES = (("word/", "Word 文档"), ("ppt/", "PowerPoint 演示文稿"))
# Files a clerk may hand over instead of the workbook: what each is, by its first bytes.
_PICTURES = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
             (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WPS_SUFFIXES = (".et", ".ett")
_SAVE_AS = "文件 → 另存为,文件类型选「Excel 工作簿(*.xlsx)」"


@dataclass(frozen=True)
class OpenedWorkbook:
    """A workbook file that passed the checks: its format and where a parser reads it."""

    path: Path  # as the person named it, for messages
    format: str  # XLSX or XLS
    encrypted: bool = False
    content: bytes | None = field(default=None, repr=False)  # in memory: decrypted, or a whole .xls

    def open(self) -> BinaryIO:
        """A fresh binary handle on the (decrypted) workbook; the caller closes it."""
        return io.BytesIO(self.content) if self.content is not None else self.path.open("rb")


def open_workbook(path: str | Path, password: Password | None = None) -> OpenedWorkbook:
    """The workbook on ``path``, or UnreadableWorkbook (PasswordNeeded, WrongPassword)
    with one line a clerk can act on.  ``password`` opens a protected one."""
    path = Path(path)
    if not path.exists():
        raise UnreadableWorkbook(f"{path}: 文件不存在")
    if path.is_dir():
        raise UnreadableWorkbook(f"{path}: 是文件夹,不是工作簿")
    if path.suffix.lower() in WPS_SUFFIXES:
        raise UnreadableWorkbook(
            f"{path}: 是 WPS 表格专用格式(.et),sscard 读不了;请在 WPS 中打开它,点 {_SAVE_AS}"
            "或「Excel 97-2003 工作簿(*.xls)」,保存后用新文件重试")
    with path.open("rb") as handle:
        head = handle.read(len(OLE2_MAGIC))
        if not head:
            raise UnreadableWorkbook(f"{path}: 文件是空的")
        if head.startswith(ZIP_MAGIC):
            handle.seek(0)
            _check_package(path, handle)
            return OpenedWorkbook(path, XLSX)
        if head == OLE2_MAGIC:
            return _open_compound(path, handle, password)
        handle.seek(0)
        sample = handle.read(4096)
    raise UnreadableWorkbook(f"{path}: {_what_else(sample)}")


def checked_content(path: Path, content: bytes) -> OpenedWorkbook:
    """A workbook already read into memory (a rulebook is read once, so what is checked,
    hashed and decided with are the same bytes): the checks of ``open_workbook``."""
    if content.startswith(ZIP_MAGIC):
        _check_package(path, io.BytesIO(content))
        return OpenedWorkbook(path, XLSX, content=content)
    if content.startswith(OLE2_MAGIC):
        return _open_compound(path, io.BytesIO(content), None)
    raise UnreadableWorkbook(f"{path}: {_what_else(content[:4096]) if content else '文件是空的'}")


def _check_package(path: Path, handle: BinaryIO) -> None:
    names = set(check_zip(path, handle))
    if "xl/workbook.bin" in names:
        raise UnreadableWorkbook(f"{path}: 是 Excel 二进制工作簿(.xlsb),sscard 读不了;请在 Excel 中点 {_SAVE_AS}")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        for part, kind in _OTHER_PACKAGES:
            if any(n.startswith(part) for n in names):
                raise UnreadableWorkbook(f"{path}: 是{kind},不是 Excel 工作簿,sscard 读不了其中的表格;{_USE_A_WORKBOOK}")
        kind = "OpenDocument 表格(.ods)" if "content.xml" in names else "zip 压缩包"
        raise UnreadableWorkbook(f"{path}: 是{kind},不是 Excel 工作簿;请用 Excel 或 WPS 打开后点 {_SAVE_AS}")
    if _is_strict(handle):
        raise UnreadableWorkbook(
            f"{path}: 是以「Strict Open XML 电子表格」格式保存的工作簿,sscard 读不了;请在 Excel 中打开它,"
            f"点 {_SAVE_AS}(不要选「Strict Open XML 电子表格」),保存后用新文件重试")


def _is_strict(handle: BinaryIO) -> bool:
    """Saved as Strict Open XML (ISO/IEC 29500 strict): its parts name other namespaces,
    so a reader of ordinary .xlsx finds no worksheet in it."""
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive, archive.open("_rels/.rels") as rels:
            return _STRICT_NAMESPACE in rels.read(_MAX_RELS)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


def _open_compound(path: Path, handle: BinaryIO, password: Password | None) -> OpenedWorkbook:
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    check_size(path, size, MAX_ENCRYPTED_BYTES, "文件")
    try:
        streams = {"/".join(entry) for entry in olefile.OleFileIO(handle).listdir()}
    except Exception:  # olefile raises OSError, struct.error, IndexError... on damage
        raise UnreadableWorkbook(f"{path}: 文件已损坏或不完整(Office 复合文档结构有误),无法读取;"
                                 "请向提供者要一份完整的文件") from None
    handle.seek(0)
    if {"EncryptionInfo", "EncryptedPackage"} <= streams:
        plain = _decrypt(path, handle.read(), password)
        _check_package(path, io.BytesIO(plain))
        return OpenedWorkbook(path, XLSX, True, plain)
    if "Workbook" in streams or "Book" in streams:  # BIFF8 (Excel 97-2003) or BIFF5 (Excel 95)
        check_size(path, size, MAX_LEGACY_BYTES, ".xls 文件")
        content = handle.read()
        if "Workbook" in streams and _has_own_password(path, content):
            return OpenedWorkbook(path, XLS, True, _decrypt(path, content, password))
        return OpenedWorkbook(path, XLS, False, content)
    raise UnreadableWorkbook(f"{path}: 是 Office 复合文档,但里面没有 Excel 工作簿(可能是 Word 文件或 WPS 专用格式);"
                             f"请用 Excel 或 WPS 打开后点 {_SAVE_AS}")


def _has_own_password(path: Path, content: bytes) -> bool:
    try:
        return protection.is_encrypted_xls(content)
    except Exception:  # a damaged record stream: msoffcrypto asserts, struct.error...
        raise legacy_damaged(path) from None


def legacy_damaged(path: Path) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"{path}: 是旧版 Excel 97-2003 工作簿(.xls),但文件已损坏或不完整,无法读取;"
                              f"请在 Excel 或 WPS 中打开它,点 {_SAVE_AS}")


def _decrypt(path: Path, content: bytes, password: Password | None) -> bytes:
    if password is None:
        raise PasswordNeeded(f"{path}: 工作簿设了打开密码;请加 --password 运行并按提示输入密码"
                             f"(脚本中可设环境变量 {protection.ENV});sscard 只在内存中解密,不保存密码,也不留下解密的文件")
    try:
        return protection.decrypt(content, password)
    except protection.PasswordRejected:
        raise WrongPassword(f"{path}: 密码不对,打不开这个工作簿;请核对密码(区分大小写)后重试") from None
    except Exception:  # an encryption msoffcrypto-tool does not support, or a damaged file
        raise UnreadableWorkbook(f"{path}: 工作簿的加密方式无法解密(如信息权限管理 IRM),或文件已损坏;"
                                 "请在 Excel 或 WPS 中用「用密码进行加密」重新设置打开密码并保存后重试") from None


def _what_else(sample: bytes) -> str:
    """What a file that is neither zip nor OLE2 is, and how to make a workbook of it."""
    if sample.startswith(b"%PDF-"):
        return f"是 PDF 文件,不是 Excel 工作簿,sscard 读不了 PDF 中的表格;{_USE_A_WORKBOOK}"
    picture = _picture(sample)
    if picture:
        return f"是图片({picture}),不是 Excel 工作簿,sscard 读不了照片或截图中的表格;{_USE_A_WORKBOOK}"
    text = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return ("是网页(HTML)或 XML 格式的表格,只是扩展名像 Excel(业务系统导出的文件常是这样);"
                f"请用 Excel 或 WPS 打开它,点 {_SAVE_AS}")
    if _is_text(sample):
        return f"是文本文件(多半是 CSV 改了扩展名),不是 Excel 工作簿;请用 Excel 或 WPS 打开它,点 {_SAVE_AS}"
    return f"不是 Excel 工作簿(.xlsx 或 .xls),无法读取;请在 Excel 或 WPS 中打开并点 {_SAVE_AS}"


def _picture(sample: bytes) -> str | None:
    for magic, kind in _PICTURES:
        if sample.startswith(magic):
            return kind
    if sample[:4] == b"RIFF" and sample[8:12] == b"WEBP":
        return "WebP"
    if sample[4:8] == b"ftyp" and sample[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return "HEIC" if sample[8:12] != b"avif" else "AVIF"  # iPhone photos
    if sample[:2] == b"BM" and int.from_bytes(sample[14:18], "little") in _BMP_HEADER_SIZES:
        return "BMP"
    return None


def _is_text(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: Excel's 'Unicode text'
        return True
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):  # Chinese offices' CSV files are often GBK
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start >= len(sample) - 4:  # a character cut at the end of the sample
                return True
    return False
