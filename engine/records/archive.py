"""Published rulebooks, kept under their SHA-256, so that an auditor a year later can
explain and verify a decision workbook with the very rules it was decided with.

The archive is a folder beside the live rulebook's folder (in this repository ``archive/``
beside ``rules/``): one folder per published rulebook, named by the SHA-256 of its
content, holding the workbook as published (``规则库.xlsx``, the very bytes that were read,
its cases included), the durable-rules rulesets it compiles to (``规则集.json``, per
service: exactly what was handed to the evaluator of record, so an auditor sees what
ran) and ``published.json`` (version, time of publication, digests).  It lives in the
repository, not in one user's data directory, because a rulebook is shared by every
office that runs this checkout: publishing is a change committed together with the
rules, and the history shows who published what and when.

A rulebook's version is never written by hand: a published one is known by the date it
was published and its short digest (``2026.11.27-3f2a9c1b``), an unpublished one as
``草案-3f2a9c1b``.  Its digest is over its content, not its bytes: the same workbook saved
again in Excel, WPS or LibreOffice is the same published version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.core.decide import rulesets
from engine.core.rulebook import Rulebook
from engine.errors import RulebookError, SscardError
from engine.labels import shown_path
from engine.rulebook.layout import BOOK_NAME
from engine.rulebook.source import load_rulebook

PUBLISHED = "published.json"
RULESETS = "规则集.json"


class ArchiveMissing(SscardError):
    """A workbook names a rulebook the archive does not hold."""


@dataclass(frozen=True)
class Publication:
    digest: str
    version: str
    published: str  # ISO time, with its offset
    path: Path


def archive_beside(live: Path) -> Archive:
    """The archive of the live rulebook ``live`` (rules/规则库.xlsx): ``archive`` next to its folder."""
    return Archive(Path(live).resolve().parent.parent / "archive")


class Archive:
    def __init__(self, root: Path):
        self.root = Path(root)

    def publication(self, digest: str) -> Publication | None:
        path = self.root / digest
        try:
            record = json.loads((path / PUBLISHED).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Publication(digest, record["version"], record["published"], path)

    def publications(self) -> list[Publication]:
        """Every published rulebook, oldest first."""
        found = [self.publication(p.name) for p in self.root.iterdir()] if self.root.is_dir() else []
        return sorted((p for p in found if p is not None), key=lambda p: p.published)

    def load(self, path: str | Path) -> Rulebook:
        """The rulebook workbook at ``path``, with its version: the published one, or 草案."""
        book = load_rulebook(path)
        publication = self.publication(book.digest)
        if publication is not None:
            book.version = publication.version
        return book

    def rulebook(self, digest: str, version: str = "") -> Rulebook:
        """The archived rulebook with SHA-256 ``digest``; said plainly when it is not there."""
        publication = self.publication(digest)
        if publication is None:
            named = f"版本 {version}," if version else ""
            raise ArchiveMissing(f"本工作簿由规则库({named}SHA-256 {digest[:12]}…)生成,规则库归档 "
                                 f"{shown_path(self.root)} 中没有它(应在 {shown_path(self.root / digest)});"
                                 "请找回当时的规则库,用 --rules 指定该工作簿")
        book = self.load(publication.path / BOOK_NAME)
        if book.digest != digest:
            raise RulebookError(f"规则库归档 {shown_path(publication.path)} 的内容已被改动(SHA-256 现为 "
                                f"{book.digest[:12]}…,应为 {digest[:12]}…),不能再作为依据;请从版本库恢复该文件夹")
        return book

    def store(self, book: Rulebook, now: dt.datetime | None = None) -> Publication:
        """Archive ``book`` under its SHA-256 (once: a rulebook published again, even saved
        again by a spreadsheet application, keeps its first version) and name it by that version."""
        existing = self.publication(book.digest)
        if existing is not None:
            book.version = existing.version
            return existing
        now = now or dt.datetime.now().astimezone()
        version = f"{now:%Y.%m.%d}-{book.digest[:8]}"
        content = book.source.content  # the bytes as read and decided with, whatever is on disk now
        record = {"version": version, "published": now.isoformat(timespec="seconds"), "sha256": book.digest,
                  "name": book.name, "from": _relative(Path(book.path), self.root.parent),
                  "file_sha256": hashlib.sha256(content).hexdigest()}
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{book.digest[:12]}.", suffix=".part", dir=self.root))
        try:
            (staging / BOOK_NAME).write_bytes(content)
            (staging / RULESETS).write_text(_one_rule_a_line(rulesets(book)), encoding="utf-8")
            (staging / PUBLISHED).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
            for path in staging.iterdir():
                os.chmod(path, 0o444)  # kept as published: read-only
            os.chmod(staging, 0o755)
            staging.rename(self.root / book.digest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        book.version = version
        return Publication(book.digest, version, record["published"], self.root / book.digest)


def _one_rule_a_line(compiled: dict) -> str:
    """The rulesets as JSON an auditor reads: each ruleset by its service, each rule on a line."""
    services = [f"  {json.dumps(service, ensure_ascii=False)}: {{\n" + ",\n".join(
        f"    {json.dumps(rule_id, ensure_ascii=False)}: {json.dumps(rule, ensure_ascii=False)}"
        for rule_id, rule in rules.items()) + "\n  }" for service, rules in compiled.items()]
    return "{\n" + ",\n".join(services) + "\n}\n"


def _relative(path: Path, home: Path) -> str:
    """Where it was published from, as seen from the repository (never one machine's path)."""
    try:
        return path.resolve().relative_to(home.resolve()).as_posix()
    except ValueError:
        return path.name
