"""Publish a draft rulebook: only when lint finds nothing and every case passes and
every rule has a case; then archive it under its SHA-256 (which gives it its version),
make it the live rulebook and regenerate the rulebook document.

Nothing is changed unless every check passed.  The live folder is replaced by a full
copy of the draft in two renames, so no run ever sees half of each.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from engine.core.origin import shown_path
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.policy.cases import CASE_BOOK, run_cases
from engine.policy.document import write_document
from engine.policy.lint import lint
from engine.records.archive import Archive, Publication

DOCUMENT = Path("docs") / "规则手册.md"


class PublishRefused(SscardError):
    """A check failed: nothing was published."""

    exit_code = 1


@dataclass(frozen=True)
class Published:
    book: Rulebook
    publication: Publication
    live: Path
    replaced: bool  # the live folder now holds the draft (False: the draft was the live folder)
    document: Path


def document_beside(live: Path) -> Path:
    """The rulebook document of the live rulebook ``live``: docs/规则手册.md next to it."""
    return Path(live).resolve().parent / DOCUMENT


def publish(draft: Path, live: Path, archive: Archive) -> Published:
    draft, live = Path(draft).resolve(), Path(live).resolve()
    book = archive.load(draft)
    findings = lint(book)
    if findings:
        first = findings[0]
        raise PublishRefused(f"未发布:规则检查发现 {len(findings)} 个问题,第一个是 [{first.check}] {first.subject}:"
                             f"{first.message};请运行 sscard rules lint --rules {shown_path(draft)} 查看并修正")
    cases = draft / CASE_BOOK
    if not cases.is_file():
        raise PublishRefused(f"未发布:{shown_path(draft)} 中没有用例工作簿 {CASE_BOOK};每次发布都须用用例核对"
                             "(sscard rules cases 由用例表写出)")
    report = run_cases(cases, book)
    if report.failures:
        names = "、".join(o.case.name for o in report.failures)
        raise PublishRefused(f"未发布:{len(report.failures)} 个用例失败:{names};"
                             f"请运行 sscard rules test --rules {shown_path(draft)} 查看差异")
    if report.uncovered:
        by_id = {rule.id: rule for rule in book.unique_rules()}
        names = "、".join(by_id[rule_id].label for rule_id in report.uncovered)
        raise PublishRefused(f"未发布:{len(report.uncovered)} 条规则没有用例命中:{names};请在用例表中为它们补充用例")
    if draft != live and (live in draft.parents or draft in live.parents):
        raise PublishRefused(f"未发布:草案 {shown_path(draft)} 与现行规则库 {shown_path(live)} 不能互相包含;"
                             "请把草案复制到规则库旁边的文件夹")
    publication = archive.store(book)
    if draft != live:
        _replace(live, draft)
    installed = archive.load(live)
    if installed.digest != book.digest:  # someone changed a file mid-way: say so, never pretend
        raise SscardError(f"发布后 {shown_path(live)} 的内容与已归档的 {publication.version} 不一致;"
                          "请确认发布期间没有人修改规则目录,然后重新发布")
    return Published(installed, publication, live, draft != live,
                     write_document(installed, document_beside(live)))


def _replace(live: Path, draft: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{live.name}.", suffix=".part", dir=live.parent))
    new = staging / live.name
    shutil.copytree(draft, new, ignore=shutil.ignore_patterns("__pycache__"))
    old = live.with_name(f".{live.name}.old-{uuid.uuid4().hex[:8]}")
    try:
        if live.exists():
            live.rename(old)
        try:
            new.rename(live)
        except BaseException:
            if old.exists():
                old.rename(live)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
