"""Builders for damaged and hostile workbooks, each generated into a path a test gives.

Every builder writes one file and returns its path, so a test reads as the situation
it sets up.  Valid batches come from conftest.write_batch; these damage or wrap them.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import xlsxwriter

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def random_bytes(path: Path, size: int = 4096, seed: int = 6) -> Path:
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def csv_renamed(path: Path) -> Path:
    path.write_text("申请编号,业务类型,申请日期\nA1,补卡,2026-03-01\n", encoding="utf-8")
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def ole2_file(path: Path) -> Path:
    """An OLE2 compound file (what an encrypted .xlsx and a legacy .xls are) holding
    nothing: a header sector and an empty sector behind it."""
    header = OLE2_MAGIC + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(512 - 32)
    path.write_bytes(header + bytes(512))
    return path


def rewrite_zip(source: Path, target: Path, *, replace: dict[str, Callable[[bytes], bytes]] | None = None,
                add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip member by member, transforming some and adding others."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename in replace:
                data = replace[info.filename](data)
            new.writestr(info.filename, data)
        for name, data in add.items():
            new.writestr(name, data)
    return target


def as_xlsm(source: Path, target: Path) -> Path:
    """A macro-enabled workbook: the .xlsm content type and a VBA project part."""
    def content_types(xml: bytes) -> bytes:
        xml = xml.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                          b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        return xml.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                                        b"</Types>")

    def rels(xml: bytes) -> bytes:
        return xml.replace(b"</Relationships>",
                           b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
                           b'vbaProject" Target="vbaProject.bin"/></Relationships>')

    vba = OLE2_MAGIC + b"Attribute VB_Name = \"ThisWorkbook\"\nSub Workbook_Open()\nShell \"calc\"\nEnd Sub\n"
    return rewrite_zip(source, target, replace={"[Content_Types].xml": content_types,
                                                "xl/_rels/workbook.xml.rels": rels},
                       add={"xl/vbaProject.bin": vba})


def pdf_of(path: Path) -> Path:
    """A PDF, as a batch printed or scanned to PDF would be handed over."""
    from reportlab.pdfgen import canvas
    page = canvas.Canvas(str(path))
    page.drawString(72, 720, "SQ20260302-0001")
    page.save()
    return path


def picture(path: Path, kind: str) -> Path:
    """A photo or screenshot of a batch (kind: PNG, JPEG ...), as a phone or a screen saves it."""
    from PIL import Image
    Image.new("RGB", (40, 20), "white").save(path, format=kind)
    return path


# Transitional -> Strict Open XML: the same parts under ISO/IEC 29500 strict namespaces.
STRICT_NAMESPACES = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


def as_strict(source: Path, target: Path) -> Path:
    """The workbook saved as Excel's 'Strict Open XML 电子表格'."""
    def strict(xml: bytes) -> bytes:
        for transitional, iso in STRICT_NAMESPACES.items():
            xml = xml.replace(transitional, iso)
        return xml
    with zipfile.ZipFile(source) as archive:
        members = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
    return rewrite_zip(source, target, replace=dict.fromkeys(members, strict))


BILLION_LAUGHS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>\n")


def billion_laughs(source: Path, target: Path, member: str) -> Path:
    """Entity expansion inside ``member`` (a sheet or sharedStrings.xml): its first text
    element becomes &lol9;, a billion 'lol's if anything expanded it."""
    def inject(xml: bytes) -> bytes:
        if xml.startswith(b"<?xml"):
            xml = xml[xml.index(b"?>") + 2:].lstrip()
        start = xml.index(b"<t")
        start = xml.index(b">", start) + 1
        end = xml.index(b"</t>", start)
        return BILLION_LAUGHS + xml[:start] + b"&lol9;" + xml[end:]
    return rewrite_zip(source, target, replace={member: inject})


def zip_bomb(source: Path, target: Path, megabytes: int = 200) -> Path:
    """A valid workbook plus a member that inflates to ``megabytes`` of zeros (about
    1,000× compression), streamed into the zip so building it stays light."""
    rewrite_zip(source, target)
    block = bytes(1 << 20)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(block)
    return target


@dataclass(frozen=True)
class Formula:
    """A formula cell and the result saved with it.  (A formula with no saved result:
    write it with openpyxl, which never saves one.)"""

    text: str
    cached: Any = None


def xlsxwriter_batch(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "申请",
                     number_formats: dict[int, str] | None = None) -> Path:
    """A sheet written cell by cell with xlsxwriter: strings stay strings (even '=…',
    control characters), Formula cells carry a cached result, dates get a date format."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                               "strings_to_urls": False})
    ws = workbook.add_worksheet(sheet)
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    formats = {col: workbook.add_format({"num_format": f}) for col, f in (number_formats or {}).items()}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Formula):
                ws.write_formula(r, c, value.text, formats.get(c), value.cached)
            elif isinstance(value, str):
                ws.write_string(r, c, value, formats.get(c))
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(r, c, value, date)
            else:
                ws.write(r, c, value, formats.get(c))
    workbook.close()
    return path

