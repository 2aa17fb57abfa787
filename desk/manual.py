"""The user manual (docs/用户手册/) as the desk shows it: which guide is whose, and each
guide's Markdown as HTML, rendered by markdown-it-py from the very files the repository
carries, so the desk and the repository never say two things.

Raw HTML in a guide is shown as text, never run; headings get GitHub's anchors (Chinese
kept), so `经办人员.md#打印告知书` means the same section on GitHub and on the desk.  Links
and pictures are the manual's own or nothing: a link to a guide is the desk's page for it
(plain text when the person's roles do not open that guide), a picture comes from the
manual's picture folder through the desk, and every other address (another site, a file
outside the manual) is left as its text.  A page never loads anything from elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from engine.office.accounts import ADMIN, AUDITOR, CLERK, POLICY, ROLES

MANUAL = Path(__file__).resolve().parent.parent / "docs" / "用户手册"
PICTURES = "图片"
INDEX = "README"
# A line of its own that marks a block for the tests (tests/test_manual.py, tests/test_walkthroughs.py), not for readers.
MARKER = re.compile(r"^<!-- /?(?:runnable|output|walkthrough)\b[^>]*-->\n", re.M)


@dataclass(frozen=True)
class Guide:
    name: str  # the file's name without .md, and the desk's address for it
    roles: tuple[str, ...]  # who may read it on the desk

    @property
    def path(self) -> Path:
        return MANUAL / f"{self.name}.md"

    def title(self) -> str:
        first = self.path.read_text(encoding="utf-8").lstrip().splitlines()[0]
        return first.lstrip("#").strip()


GUIDES = (Guide(INDEX, ROLES), Guide("经办人员", (CLERK,)), Guide("审计人员", (AUDITOR,)),
          Guide("政策人员", (POLICY,)), Guide("系统管理员", (ADMIN,)))


def guide(name: str) -> Guide | None:
    return next((g for g in GUIDES if g.name == name), None)


def readable(roles: tuple[str, ...]) -> list[Guide]:
    """The guides a person with ``roles`` may read: the index and those of their roles."""
    return [g for g in GUIDES if any(role in g.roles for role in roles)]


@dataclass(frozen=True)
class Rendered:
    html: str
    sections: list[tuple[str, str]]  # (anchor, title) of each chapter (##), in order
    anchors: set[str]  # every heading's anchor


def render(text: str, may_read: Callable[[str], bool], guide_url: Callable[[str], str],
           picture_url: Callable[[str], str]) -> Rendered:
    """``text`` (a guide's Markdown) as HTML; ``may_read(name)`` says whether a linked guide is
    the reader's, ``guide_url(name)`` and ``picture_url(file)`` give the desk's addresses."""
    env = {"may_read": may_read, "guide_url": guide_url, "picture_url": picture_url}
    tokens = _markdown().parse(MARKER.sub("", text), env)
    headings = [(tokens[i].attrGet("id"), tokens[i + 1].content, tokens[i].tag)
                for i, t in enumerate(tokens) if t.type == "heading_open"]
    return Rendered(_markdown().renderer.render(tokens, _markdown().options, env),
                    [(anchor, title) for anchor, title, tag in headings if tag == "h2"],
                    {anchor for anchor, _, _ in headings})


def anchors(text: str) -> set[str]:
    """Every heading's anchor in ``text``, as GitHub and the desk make them."""
    return render(text, lambda _: False, str, str).anchors


_PARSER: MarkdownIt | None = None


def _markdown() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        parser = MarkdownIt("commonmark", {"html": False}).enable("table")
        anchors_plugin(parser, min_level=1, max_level=6)  # every level, as GitHub
        parser.core.ruler.push("manual_addresses", _own_addresses)
        _PARSER = parser
    return _PARSER


def _own_addresses(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _rewritten(token.children, state.env)


def _rewritten(children: list[Token], env: dict) -> list[Token]:
    kept: list[Token] = []
    links: list[bool] = []  # for each open link: kept (False: shown as its text only)
    for token in children:
        if token.type == "link_open":
            href = _link(token.attrGet("href") or "", env)
            links.append(href is not None)
            if href is None:
                continue
            token.attrSet("href", href)
        elif token.type == "link_close":
            if not links.pop():
                continue
        elif token.type == "image":
            src = _picture(token.attrGet("src") or "", env)
            if src is None:
                kept.append(Token("text", "", 0, content=token.content))
                continue
            token.attrSet("src", src)
        kept.append(token)
    return kept


def _link(href: str, env: dict) -> str | None:
    """The desk's address for a link of the manual, or None to show only its text."""
    if href.startswith("#"):
        return href
    target, _, fragment = unquote(href).partition("#")
    path = PurePosixPath(target)
    if path.suffix != ".md" or len(path.parts) != 1 or guide(path.stem) is None or not env["may_read"](path.stem):
        return None
    return env["guide_url"](path.stem) + (f"#{fragment}" if fragment else "")


def _picture(src: str, env: dict) -> str | None:
    path = PurePosixPath(unquote(src))
    if len(path.parts) != 2 or path.parts[0] != PICTURES or path.suffix != ".png":
        return None
    return env["picture_url"](path.name)
