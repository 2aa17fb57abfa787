"""Passwords: open the workbooks a clerk protected, and protect what sscard writes.

Batches carry names and 公民身份号码, so offices keep them password-protected; the
password opens them in memory and is never stored anywhere (not in a message, the
审计 sheet, the ledger, the command line or a temporary file).

- Reading: an encrypted .xlsx (an OLE2 file holding EncryptionInfo and EncryptedPackage,
  ECMA-376 agile or standard encryption) and an encrypted .xls (a FILEPASS record: XOR,
  RC4 or RC4 CryptoAPI) are decrypted by msoffcrypto-tool into bytes in memory.
- Writing: a workbook is encrypted as Excel 2010 and later do by default (ECMA-376
  agile: AES-256-CBC, SHA-512, 100,000 spins), which Excel, WPS and LibreOffice open;
  a PDF with AES-256 (pypdf, PDF 2.0 security handler revision 6).
"""

from __future__ import annotations

import io
import os
import tempfile
import types
from pathlib import Path
from typing import BinaryIO

import msoffcrypto
from msoffcrypto import exceptions as crypto_errors
from msoffcrypto.format import xls97
from msoffcrypto.format.ooxml import OOXMLFile
from pypdf import PdfReader, PdfWriter

ENV = "SSCARD_PASSWORD"

# msoffcrypto rebuilds a decrypted .xls in tempfile.TemporaryFile(): that is the whole
# batch, decrypted, on disk.  Its module gets a TemporaryFile that is memory instead, so
# decrypted content never leaves the process (tests/test_protection.py holds it to that).
xls97.tempfile = types.SimpleNamespace(TemporaryFile=io.BytesIO)


class Password:
    """A password as typed.  It shows as stars wherever it is turned into text (a
    message, a log line, a traceback) and cannot be pickled (so never reaches a worker
    process or a spool file); ``reveal`` hands the text to the cipher and nothing else."""

    __slots__ = ("_text",)

    def __init__(self, text: str):
        if not text:
            raise ValueError("empty password")
        self._text = text

    def reveal(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return "Password(******)"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a password is never pickled")


def from_environment() -> Password | None:
    text = os.environ.get(ENV, "")
    return Password(text) if text else None


class PasswordRejected(Exception):
    """The password does not open this file."""


def is_encrypted_xls(data: bytes) -> bool:
    """Whether a legacy .xls (an OLE2 file with a Workbook stream) has a FILEPASS record.
    Raises on a file too damaged to tell."""
    return bool(xls97.Xls97File(io.BytesIO(data)).is_encrypted())


def decrypt(data: bytes, password: Password) -> bytes:
    """The plain content of an encrypted .xlsx or .xls given as bytes, in memory.
    Raises PasswordRejected, or msoffcrypto's own errors for an encryption it does not
    support (rights management) or a damaged file."""
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if isinstance(office, OOXMLFile):
            office.load_key(password=password.reveal(), verify_password=True)
        else:  # a legacy .xls checks the password whatever it is told
            office.load_key(password=password.reveal())
        plain = io.BytesIO()
        office.decrypt(plain)
    except crypto_errors.InvalidKeyError:
        raise PasswordRejected() from None
    return plain.getvalue()


def encrypt_workbook(plain: BinaryIO, target: BinaryIO, password: Password) -> None:
    """Write the .xlsx read from ``plain`` to ``target`` as a password-protected workbook."""
    OOXMLFile(plain).encrypt(password.reveal(), target)


def protect_pdf(plain: str | Path | BinaryIO, target: str | Path, password: Password) -> Path:
    """Write the PDF read from ``plain`` (a path, or bytes in memory) to ``target``
    encrypted with AES-256: opening it asks for ``password``.  ``target`` appears only
    complete (built under a temporary name beside it, then renamed)."""
    target = Path(target)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=password.reveal(), algorithm="AES-256")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".pdf.part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as sink:
            writer.write(sink)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
