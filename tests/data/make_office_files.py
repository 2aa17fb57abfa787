"""Make workbooks as an office program saves them, for tests that must not need one:

- batch.xls, batch-password.xls: sample_data/batch.xlsx stored by LibreOffice Calc as
  .xls, and as .xls with the password PASSWORD;
- cells.xlsx, cells.xls: one small batch of the fixture rulebook (tests/fixture_rulebook.py)
  with the cells that tell formats apart (dates, times, logicals, IDs typed as numbers,
  an error value, a formula with its result, a merged range), stored in both formats.

    /usr/bin/python3 tests/data/make_office_files.py      (from the repository root)

Run once, by hand; the files are committed.  Needs LibreOffice Calc and its Python
bridge (Debian: apt-get install libreoffice-calc, which brings python3-uno; use the
system python3, where the bridge lives).  tests/test_office_files.py uses the same
PASSWORD.  (Password-protected .xlsx files are made by the tests themselves with
msoffcrypto-tool: LibreOffice 7.4 run this way ignores the password for .xlsx.)
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.lang import Locale

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PASSWORD = "柜面-2026"
XLS, XLSX = "MS Excel 97", "Calc MS Excel 2007 XML"
PIPE = "sscard_fixtures"


class Formula(str):
    """A cell holding this formula (LibreOffice saves its result with it)."""


CELLS_HEADER = ["申请编号", "业务类型", "申请日期", "姓名", "读者证号", "办理人", "账户", "错误次数", "材料:身份证件", "备注"]
CELLS_ROWS = [
    ["F1", "办证", dt.datetime(2026, 3, 1), "李四", "12345678", "本人", None, None, True, "日期单元格、逻辑值 TRUE"],
    ["F2", "办证", dt.datetime(2026, 3, 1), "王五", 12345678, "本人", None, None, "是", "读者证号是数字单元格"],
    ["F3", "办证", "2026-03-02", "赵六", "12345678", "代办", None, None, False, dt.time(9, 30)],
    ["F4", "办证", dt.datetime(2026, 3, 1), "孙七", "12345678", Formula("=NA()"), None, None, "是", "#N/A 错误值"],
    ["F5", "解锁", dt.datetime(2026, 3, 1), "周八", "12345678", "本人", None, 3, "是", "业务类型与下一行合并"],
    ["F6", None, dt.datetime(2026, 3, 1), "吴九", "12345678", "本人", None, 3, "是", 2.5],
    ["F7", "解锁", dt.datetime(2026, 3, 1, 14, 30), "郑十", "12345678", "本人", None, Formula("=1+2"), "是",
     110105194912310021],
    [None] * 10,
    ["F8", "重置", dt.datetime(2026, 3, 1), "钱一", "12345678", "本人", "银行账户", None, None, "空行之后"],
]
MERGED = "B6:B7"  # 业务类型 of F5 and F6


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect():
    resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
    for _ in range(100):
        try:
            context = resolver.resolve(f"uno:pipe,name={PIPE};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except Exception:
            time.sleep(0.2)
    raise SystemExit("LibreOffice did not start")


def store(document, name: str, filter_name: str, password: str | None = None) -> None:
    options = [prop("FilterName", filter_name), prop("Overwrite", True)]
    if password:
        options.append(prop("Password", password))
    document.storeToURL((HERE / name).as_uri(), tuple(options))
    print(f"wrote tests/data/{name}")


def cells_document(desktop):
    document = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
    sheet = document.Sheets.getByIndex(0)
    sheet.Name = "申请"
    formats, locale = document.NumberFormats, Locale("en", "US", "")

    def number_format(code: str) -> int:
        key = formats.queryKey(code, locale, False)
        return key if key != -1 else formats.addNew(code, locale)

    epoch = dt.datetime(1899, 12, 30)
    for r, values in enumerate([CELLS_HEADER, *CELLS_ROWS]):
        for c, value in enumerate(values):
            cell = sheet.getCellByPosition(c, r)
            if value is None:
                continue
            if isinstance(value, Formula):
                cell.setFormula(str(value))
            elif isinstance(value, bool):
                cell.setValue(int(value))
                cell.NumberFormat = number_format("BOOLEAN")
            elif isinstance(value, dt.datetime):
                cell.setValue((value - epoch).total_seconds() / 86400)
                cell.NumberFormat = number_format("YYYY-MM-DD" if value.time() == dt.time(0) else "YYYY-MM-DD HH:MM")
            elif isinstance(value, dt.time):
                cell.setValue((value.hour * 60 + value.minute) / 1440)
                cell.NumberFormat = number_format("HH:MM")
            elif isinstance(value, (int, float)):
                cell.setValue(float(value))
            else:
                cell.setString(value)
    sheet.getCellRangeByName(MERGED).merge(True)
    return document


def main() -> None:
    # A profile of its own: otherwise a soffice already running for the same user takes the work.
    profile = tempfile.mkdtemp(prefix="sscard-lo-profile-")
    office = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
                               "--norestore", f"--accept=pipe,name={PIPE};urp;StarOffice.ComponentContext"])
    try:
        desktop = connect()
        batch = desktop.loadComponentFromURL((ROOT / "sample_data" / "batch.xlsx").as_uri(), "_blank", 0,
                                             (prop("Hidden", True),))
        store(batch, "batch.xls", XLS)
        store(batch, "batch-password.xls", XLS, PASSWORD)
        batch.close(True)
        cells = cells_document(desktop)
        store(cells, "cells.xlsx", XLSX)
        store(cells, "cells.xls", XLS)
        cells.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge drops as soffice exits
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
