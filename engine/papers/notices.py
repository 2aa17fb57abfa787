"""Papers for the applicant: one page per request of a decision workbook, by its 结论.

The counter's practice is 一次性告知: whoever leaves without what they came for takes
every reason, or every missing document and where to bring it, home in writing.  The
rulebook declares the paper of each 结论 (``Rulebook.notices``); a 结论 without one (输入有误:
the clerk fixes the row) gets none.  Papers come only from the record: the ledger must
confirm the workbook as verify does (its run, and every row the ledger's record of the same
request), and each row's 核验码 must match it; a workbook edited since ``check`` prints
nothing, even with its codes recomputed.  A refusal cites each reason's clause as the
applicant can look it up (Rulebook.citation) and says how to contest it (settings.Appeal).
The PDF is written as every output is (engine.files.outputs): never over an input or a
file sscard did not make, and only whole.

The Chinese text is set in STSong-Light, one of the standard CJK fonts of the PDF format:
the viewer supplies it (Acrobat, a browser's viewer, Preview, poppler with poppler-data all
map it to a Song face of the system), so the file carries no font of its own.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from engine import labels
from engine.core.normalise import normalise
from engine.core.request_ids import request_key
from engine.core.rulebook import Notice, Rulebook
from engine.core.schema import TextCode, shown
from engine.errors import SscardError
from engine.excel.decision_workbook import DecisionWorkbook, StoredRow, open_decisions
from engine.files import outputs
from engine.files.protection import Password, protect_pdf
from engine.papers.settings import Appeal, Settings
from engine.records.confirmation import discrepancies, recorded_run
from engine.records.digests import RULEBOOK_DIGEST, row_digest
from engine.records.ledger import Ledger

FONT = "STSong-Light"
BLANK = "____________________"


@dataclass(frozen=True)
class Page:
    """What one notice says, before it is set on paper."""

    notice: Notice
    row: int
    request_id: str
    fields: tuple[tuple[str, str], ...]  # (label, value) printed at the top
    fee: str
    missing: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    place: str = ""
    next: str = ""


@dataclass
class NoticesResult:
    output: Path
    pages: Counter = field(default_factory=Counter)  # notice title -> pages
    skipped: list[str] = field(default_factory=list)  # rows that get no paper, and why
    notes: list[str] = field(default_factory=list)  # what the person must know: lines left to fill in by hand


def write_notices(decisions: str | Path, output: str | Path, book: Rulebook, settings: Settings,
                  ids: Iterable[str] = (), password: Password | None = None,
                  output_password: Password | None = None, force: bool = False,
                  ledger: Ledger | None = None) -> NoticesResult:
    """``ledger`` must confirm the workbook (None: not consulted; the caller says so);
    ``password`` opens a protected decision workbook; ``output_password`` protects the PDF;
    ``force`` replaces a file sscard did not make (outputs.atomic_output)."""
    decisions, output = Path(decisions), outputs.target_path(output)
    outputs.check_target(output, inputs=(decisions,), force=force)
    workbook = open_decisions(decisions, password)
    try:
        if ledger is not None:
            _confirmed(ledger, workbook, book)
        result = NoticesResult(output)
        pages = _pages(workbook, book, list(ids), result)
    finally:
        workbook.close()
    if not pages:
        raise SscardError(f"{decisions}: 没有可出具告知书的申请(输入有误的行不出具告知书)")
    if any("appeal" in page.notice.sections for page in pages) and settings.appeal_message():
        result.notes.append(settings.appeal_message())
    with outputs.atomic_output(output, inputs=(decisions,), force=force) as temporary:
        if output_password is None:
            _render(temporary, pages, settings)
        else:  # the plain pages exist only in memory
            plain = io.BytesIO()
            _render(plain, pages, settings)
            protect_pdf(io.BytesIO(plain.getvalue()), temporary, output_password)
    return result


def _confirmed(ledger: Ledger, workbook: DecisionWorkbook, book: Rulebook) -> None:
    """Refuse, in one line, a workbook whose run or rows the ledger does not confirm."""
    refused = f"{workbook.path}: 账本 {ledger.path} 不能证实这份决定工作簿,不打印告知书"
    run, problem = recorded_run(ledger, workbook)
    if run is None:
        raise SscardError(f"{refused}:{problem}")
    problems = discrepancies(ledger, run, workbook, book.schema)
    if problems:
        more = f"(共 {len(problems)} 处,sscard verify 逐条列出)" if len(problems) > 1 else ""
        raise SscardError(f"{refused}:{problems[0]}{more};请用 sscard verify 核对,并用原批次重新运行 sscard check")


def _pages(workbook: DecisionWorkbook, book: Rulebook, ids: list[str], result: NoticesResult) -> list[Page]:
    schema = book.schema
    key_at = workbook.key_at(schema)
    recorded = workbook.audit.get(RULEBOOK_DIGEST)
    wanted = {request_key(i): i.strip() for i in ids}
    found: set[str | None] = set()
    pages: list[Page] = []
    for stored in workbook.rows():
        cells = {key: stored.inputs[index] for key, index in key_at.items()}
        request_id = shown(cells.get(schema.request_id)).strip()
        if wanted and request_key(request_id) not in wanted:
            continue
        found.add(request_key(request_id))
        if recorded is None or str(stored.code) != row_digest(stored.inputs, stored.cells, recorded):
            raise SscardError(f"{workbook.path}: 第 {stored.number} 行(申请编号 {request_id})的核验码与内容不符,"
                              "决定工作簿在 check 之后被改动过;请重新运行 sscard check 后再打印告知书")
        verdict = str(stored.cell(labels.VERDICT) or "")
        notice = book.notices.get(verdict)
        if notice is None:
            result.skipped.append(f"第 {stored.number} 行 申请编号 {request_id}:{verdict},不出具告知书")
            continue
        result.pages[notice.title] += 1
        pages.append(_page(book, notice, stored, cells, request_id))
    unknown = [original for key, original in wanted.items() if key not in found]
    if unknown:
        raise SscardError(f"{workbook.path}: 找不到申请编号 {'、'.join(f'「{i}」' for i in unknown)}")
    return pages


def _page(book: Rulebook, notice: Notice, stored: StoredRow, cells: dict[str, Any], request_id: str) -> Page:
    schema = book.schema
    fact = normalise(schema, cells).fact  # the row as the rules read it: a date as a date, a service by name
    fields = []
    for key in schema.papers:
        column = schema.by_key[key]
        value = fact.get(key, cells.get(key))
        if key == schema.dispatch and value:
            text = book.service_name(str(value))
        elif hasattr(value, "year") and hasattr(value, "day"):
            text = f"{value.year}年{value.month}月{value.day}日"
        else:
            text = shown(value)
        fields.append((column.header, mask(text) if isinstance(column.kind, TextCode) else text))
    missing = tuple(d for d in str(stored.cell(labels.MISSING) or "").split(labels.LIST_SEPARATOR) if d)
    return Page(notice, stored.number, request_id, tuple(fields), _fee(stored.cell(labels.FEE)), missing,
                _reasons(book, stored), str(stored.cell(labels.PLACE) or ""), str(stored.cell(labels.NEXT) or ""))


def mask(code: str) -> str:
    """A personal ID number on paper: the first 6 and the last 4 characters, the rest hidden."""
    if len(code) > 10:
        return code[:6] + "*" * (len(code) - 10) + code[-4:]
    return "*" * max(0, len(code) - 4) + code[-4:]


def _fee(value: Any) -> str:
    if value in (None, ""):
        return "0 元"
    return f"{shown(value)} 元"


def _reasons(book: Rulebook, stored: StoredRow) -> tuple[str, ...]:
    """The 依据 lines of the rules that gave the row its 结论 (others that fired are not reasons),
    each clause cited as the applicant can look it up: (§4) → (《…》第4条)."""
    basis = [line for line in str(stored.cell(labels.BASIS) or "").split(labels.LINE_SEPARATOR) if line]
    rules = [line.split(" ", 1)[0] for line in str(stored.cell(labels.RULES) or "").split(labels.LINE_SEPARATOR)
             if line]
    by_id = {r.id: r for r in book.unique_rules()}
    if len(basis) != len(rules) or not all(r in by_id for r in rules):
        return tuple(basis)  # written by another rulebook: every reason recorded, as recorded
    verdict = stored.cell(labels.VERDICT)
    return tuple(_cited(book, line, by_id[rule].clause) for line, rule in zip(basis, rules)
                 if by_id[rule].verdict == verdict)


def _cited(book: Rulebook, line: str, clause: str) -> str:
    recorded = f"({clause})"
    return line[:-len(recorded)] + f"({book.citation(clause)})" if line.endswith(recorded) else line


def _render(path: Path | BinaryIO, pages: list[Page], settings: Settings) -> None:
    office = settings.office
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2 * mm)
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER, spaceAfter=5 * mm)
    heading = ParagraphStyle("heading", parent=body, spaceBefore=3 * mm)
    item = ParagraphStyle("item", parent=body, leftIndent=8 * mm)
    story: list[Any] = []
    for number, page in enumerate(pages):
        if number:
            story.append(PageBreak())
        story += [Paragraph(_text(page.notice.title), title),
                  Paragraph(_text(office.name or f"经办机构:{BLANK}"), centred)]
        rows = [[Paragraph(_text(label), body), Paragraph(_text(value), body)]
                for label, value in (*page.fields, (page.notice.fee_label, page.fee))]
        table = Table(rows, colWidths=[40 * mm, 125 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                   ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEEEEE")),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story += [table, Spacer(1, 5 * mm), Paragraph(_text(page.notice.opening), body)]
        for section in page.notice.sections:
            story += _section(section, page, settings.appeal, heading, item, body)
        story += [Spacer(1, 12 * mm),
                  Paragraph(_text(f"经办机构:{office.name or BLANK}"), body),
                  Paragraph(_text(f"地址:{office.address or BLANK}"), body),
                  Paragraph(_text(f"联系电话:{office.phone or BLANK}"), body),
                  Spacer(1, 8 * mm),
                  Paragraph(_text("经办人(签字):________________    日期:______年____月____日"), body),
                  Spacer(1, 4 * mm),
                  Paragraph(_text("申请人(签收):________________"), body)]
    document = SimpleDocTemplate(path if not isinstance(path, Path) else str(path), pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                                 topMargin=20 * mm, bottomMargin=18 * mm, title="告知书",
                                 author=office.name or "sscard", creator=outputs.MARK)  # the mark of sscard's files
    document.build(story)


def _section(section: str, page: Page, appeal: Appeal, heading: ParagraphStyle, item: ParagraphStyle,
             body: ParagraphStyle) -> list[Any]:
    if section == "missing" and page.missing:
        return [Paragraph(_text(f"须补正的材料(共 {len(page.missing)} 项):"), heading),
                *(Paragraph(_text(f"{n}. {doc}"), item) for n, doc in enumerate(page.missing, start=1))]
    if section == "reasons" and page.reasons:
        return [Paragraph(_text(f"{n}. {reason}"), item) for n, reason in enumerate(page.reasons, start=1)]
    if section == "place" and page.place:
        return [Paragraph(_text(f"{page.notice.place_label}:{page.place}"), heading)]
    if section == "next" and page.next:
        return [Paragraph(_text(f"后续事项:{page.next}"), heading)]
    if section == "appeal":
        return [Paragraph(_text(appeal_text(appeal)), heading)]
    return []


def appeal_text(appeal: Appeal) -> str:
    """How to contest the decision; what the office has not set is left to be written by hand."""
    short = "________"
    return (f"如不服本决定,可以自收到本告知书之日起{appeal.review_within or short}内向"
            f"{appeal.review_body or BLANK}申请行政复议,也可以自收到本告知书之日起"
            f"{appeal.sue_within or short}内向{appeal.court or BLANK}提起行政诉讼。")


def _text(value: str) -> str:
    """Plain text for a Paragraph, which reads markup: a name with < or & stays as written."""
    return escape(value)
