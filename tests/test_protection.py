"""The password and the ciphers (engine/files/protection.py): a password never shows, decrypted
content never touches the disk, and a PDF can be protected before it is handed out."""

from __future__ import annotations

import io
import pickle
import tempfile
from pathlib import Path

import pytest
from pypdf import PasswordType, PdfReader, PdfWriter

from engine.excel.opening import OLE2_MAGIC, ZIP_MAGIC, open_workbook
from engine.files.protection import Password, encrypt_workbook, protect_pdf

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "batch.xlsx"


def test_a_password_shows_as_stars_and_cannot_be_pickled_when_it_reaches_text_or_a_worker():
    password = Password("张三的口令")
    assert "张三的口令" not in f"{password} {password!r} {[password]}"
    with pytest.raises(TypeError):
        pickle.dumps(password)
    assert password.reveal() == "张三的口令"


def test_decrypting_a_batch_uses_no_temporary_file_when_the_library_would_write_one(tmp_path, monkeypatch):
    locked_xlsx = tmp_path / "批次.xlsx"
    with SAMPLE.open("rb") as plain, locked_xlsx.open("wb") as sink:
        encrypt_workbook(plain, sink, Password("口令"))

    def no_disk(*args, **kwargs):
        raise AssertionError("decrypted content must stay in memory")
    for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, no_disk)

    xls = open_workbook(DATA / "batch-password.xls", Password("柜面-2026"))
    xlsx = open_workbook(locked_xlsx, Password("口令"))

    assert xls.encrypted and xls.content.startswith(OLE2_MAGIC) and xls.content != (DATA / "batch.xls").read_bytes()
    assert xlsx.encrypted and xlsx.content == SAMPLE.read_bytes()
    assert xlsx.open().read(4) == ZIP_MAGIC


def _pdf_with(title: str) -> io.BytesIO:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    data = io.BytesIO()
    writer.write(data)
    data.seek(0)
    return data


def test_a_protected_pdf_opens_only_with_its_password_and_hides_its_content(tmp_path):
    title = "补卡通知 张三 11010519491231002X"
    target = protect_pdf(_pdf_with(title), tmp_path / "通知.pdf", Password("口令-1"))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["通知.pdf"]
    assert title.encode("utf-16-be") not in target.read_bytes() and b"11010519491231002X" not in target.read_bytes()
    reader = PdfReader(target)
    assert reader.is_encrypted and reader.trailer["/Encrypt"]["/V"] == 5  # AES-256
    assert reader.decrypt("wrong") == PasswordType.NOT_DECRYPTED
    assert reader.decrypt("口令-1") != PasswordType.NOT_DECRYPTED
    assert reader.metadata.title == title and len(reader.pages) == 1


def test_protecting_a_pdf_leaves_nothing_when_the_source_is_not_a_pdf(tmp_path):
    with pytest.raises(Exception):
        protect_pdf(io.BytesIO(b"not a pdf"), tmp_path / "通知.pdf", Password("口令"))
    assert list(tmp_path.iterdir()) == []
