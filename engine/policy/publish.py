"""A policy officer's draft, from its first copy to the live rulebook.

``start_draft`` copies the live rulebook workbook to a draft the officer edits in Excel,
WPS or LibreOffice.  ``publish`` makes a draft live only when lint finds nothing, every
case passes and every rule has a case; then it archives it under its SHA-256 (which gives
it its version), replaces the live workbook with the draft's bytes as they were checked,
and regenerates the rulebook document.  Nothing is changed unless every check passed,
and the live workbook is replaced in one rename, so no run ever sees half of it.  The
ledger records each publication: the version, the one it replaced, who drafted it and
who approved it (on the desk two people; at the command line the one who ran it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.core.rulebook import Rulebook
from engine.errors import MissingColumns, SscardError
from engine.files import outputs
from engine.labels import shown_path
from engine.policy.cases import run_cases
from engine.policy.document import write_document
from engine.policy.lint import lint
from engine.records.archive import Archive, Publication
from engine.records.ledger import Ledger
from engine.records.ledger import Publication as LedgerPublication
from engine.rulebook.layout import CASES
from engine.rulebook.source import read_source
from engine.rulebook.workbook import read_cells

DOCUMENT = Path("docs") / "规则手册.md"
DESK, COMMAND_LINE = "柜面", "命令行"  # how a publication was approved (Approval.via)


class PublishRefused(SscardError):
    """A check failed: nothing was published."""

    exit_code = 1


@dataclass(frozen=True)
class Published:
    book: Rulebook
    publication: Publication
    live: Path
    replaced: bool  # the live workbook now holds the draft (False: the draft was the live workbook)
    document: Path
    recorded: LedgerPublication | None = None  # its entry in the ledger


@dataclass(frozen=True)
class Approval:
    """Who made a publication: who drafted the rulebook, who approved it, and how."""

    drafted_by: str
    approved_by: str
    via: str  # 柜面 (a second person approved it on the desk) or 命令行 (sscard rules publish)


def document_beside(live: Path) -> Path:
    """The rulebook document of the live rulebook ``live`` (rules/规则库.xlsx): docs/规则手册.md
    in the folder above its own."""
    return Path(live).resolve().parent.parent / DOCUMENT


def start_draft(live: Path, target: str | Path, *, force: bool = False) -> Path:
    """A copy of the live rulebook, byte for byte, to edit; never over a file that exists
    (a draft being edited!) unless ``force``."""
    source = read_source(live)
    if Path(target).exists() and not force:
        raise outputs.OutputError(f"{target} 已存在(可能是正在修改的草案),未覆盖;请换一个文件名,或加 --force 覆盖")
    with outputs.atomic_output(target, inputs=[Path(live)], force=force) as temporary:
        temporary.write_bytes(source.content)
    return Path(target)


def live_digest(live: Path) -> str:
    """The content digest of the live rulebook now ("" if there is none or it cannot be read):
    what a draft was made against, and what a publication replaces."""
    try:
        source = read_source(live)
        return read_cells(source.path, source.content).digest
    except SscardError:
        return ""


def publish(draft: Path, live: Path, archive: Archive, ledger: Ledger | None = None,
            approval: Approval | None = None) -> Published:
    """``ledger``: where the publication is recorded, with ``approval`` (who drafted and approved it)."""
    draft, live = Path(draft), Path(live)
    book = archive.load(draft)
    findings = lint(book)
    if findings:
        first = findings[0]
        where = f"{first.subject}:" if first.subject else ""
        raise PublishRefused(f"未发布:规则检查发现 {len(findings)} 个问题,第一个是 [{first.check}] {where}"
                             f"{first.message};请运行 sscard rules lint {shown_path(draft)} 查看并修正")
    try:
        report = run_cases(book)
    except MissingColumns as error:
        raise PublishRefused(f"未发布:{error};每次发布都须用规则库「{CASES}」表中的用例核对") from None
    if report.failures:
        names = "、".join(o.case.name for o in report.failures)
        raise PublishRefused(f"未发布:{len(report.failures)} 个用例失败:{names};"
                             f"请运行 sscard rules test {shown_path(draft)} 查看差异")
    if report.uncovered:
        by_id = {rule.id: rule for rule in book.unique_rules()}
        names = "、".join(by_id[rule_id].label for rule_id in report.uncovered)
        raise PublishRefused(f"未发布:{len(report.uncovered)} 条规则没有用例命中:{names};"
                             f"请在「{CASES}」表中为它们补充用例")
    publication = archive.store(book)
    before = live_digest(live)
    replaced = not (live.exists() and outputs.same_file(draft, live))
    if replaced:
        with outputs.atomic_output(live, inputs=[draft], force=True) as temporary:
            temporary.write_bytes(book.source.content)  # the bytes that were checked, whatever is on disk now
    installed = archive.load(live)
    if installed.digest != book.digest:  # someone changed the file mid-way: say so, never pretend
        raise SscardError(f"发布后 {shown_path(live)} 的内容与已归档的 {publication.version} 不一致;"
                          "请确认发布期间没有人修改现行规则库,然后重新发布")
    document = write_document(installed, document_beside(live))
    recorded = None
    if ledger is not None and approval is not None:
        try:
            recorded = ledger.record_publication(publication.version, book.digest, before, approval.drafted_by,
                                                 approval.approved_by, approval.via)
        except SscardError as error:
            raise SscardError(f"已发布 {publication.version},但未能记入账本({error});"
                              "请修复账本后联系维护人员补记这次发布") from None
    return Published(installed, publication, live, replaced, document, recorded)
