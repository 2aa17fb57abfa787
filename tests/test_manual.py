"""The user manual (docs/用户手册/) stays true: every `sscard` command and option a guide or
the README names exists in the CLI; every command block a guide marks as runnable runs,
as written, in a home of its own, and says what the guide shows; links and pictures lead
somewhere; and the desk's 帮助 shows each person the guides of their roles only.

A runnable block is a ```sh fence right after a line `<!-- runnable -->` (or
`<!-- runnable exit=N -->` when the block ends with exit code N).  A ```text fence right
after `<!-- output -->` shows what the block before it prints: each of its lines must
appear in that output, in order, with `…` standing for any text (figures, times, digests:
never the live policy's values)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import click
import pytest
from conftest import ROOT

from cli import cli
from desk import manual
from desk.help import SECTIONS
from engine.office.accounts import ROLES

GUIDES = sorted(manual.MANUAL.glob("*.md"))
DOCUMENTS = [*GUIDES, ROOT / "README.md"]
SAMPLE = ROOT / "sample_data" / "batch.xlsx"
FILLED_BATCH = "三月批次.xlsx"  # in every home: the filled batch the guides' examples check
# What a guide's examples take as done before them, in the home they run in (each guide says so).
DONE_BEFORE = {
    "经办人员": [],
    "审计人员": [["check", FILLED_BATCH]],
    "系统管理员": [["check", FILLED_BATCH], ["users", "add", "王管理", "--role", "管理员"]],
    "政策人员": [],
}
# Guides whose examples run at the root of a checkout (the policy officer's: a draft of the live
# rulebook, published): their home is one, with a copy of the live rulebook and its archive, so
# that publishing replaces that copy, never the repository's.
IN_A_CHECKOUT = {"政策人员"}
RUNNABLE = re.compile(r"^<!-- runnable(?: exit=(\d+))? -->\n```sh\n(.*?)^```\n"
                      r"(?:\n(?:[^\n<`][^\n]*\n)*?\n?<!-- output -->\n```text\n(.*?)^```)?", re.M | re.S)
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`([^`\n]+)`")
ANY = "…"


# --- every command and option named exists ------------------------------------------------------

def shell_commands(text: str) -> list[list[str]]:
    """The arguments after `sscard` of every command line in ``text`` (code blocks and inline
    code) where sscard is the program run: first in a simple command, after any `VAR=value`,
    `sudo -u USER` or `env`; also as a path (/opt/sscard/.venv/bin/sscard)."""
    found = []
    for code in [*FENCE.findall(text), *INLINE.findall(FENCE.sub("", text))]:
        for line in code.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            lexer.commenters = "#"
            try:
                tokens = list(lexer)
            except ValueError:  # an unclosed quote in prose, never a command
                continue
            simple: list[str] = []
            for token in [*tokens, ";"]:
                if token and set(token) <= set("();<>|&"):
                    if simple:
                        found.extend(_after_sscard(simple))
                    simple = []
                else:
                    simple.append(token)
    return found


def _after_sscard(tokens: list[str]) -> list[list[str]]:
    rest = list(tokens)
    while rest and (re.fullmatch(r"[A-Z_]+=.*", rest[0]) or rest[0] in ("env", "exec", "time")):
        rest.pop(0)
    if rest[:1] == ["sudo"]:
        rest.pop(0)
        while rest and rest[0].startswith("-"):
            rest = rest[2:] if rest[0] in ("-u", "-g") else rest[1:]
    if rest and PurePosixPath(rest[0]).name == "sscard":
        return [rest[1:]]
    return []


def standalone_options(text: str) -> list[str]:
    """Inline code that is an option by itself (`--password`, `-o 文件名`): its option."""
    return [code.split()[0].split("=")[0] for code in INLINE.findall(FENCE.sub("", text))
            if re.match(r"--?[a-z]", code)]


@dataclass
class Problem:
    where: str
    what: str


def unknown_names(arguments: list[str], where: str) -> list[Problem]:
    """What in one `sscard …` command line the CLI does not have."""
    command: click.Command = cli
    path = ["sscard"]
    words = list(arguments)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        word = words.pop(0)
        if word == ANY or word.startswith(("$", "…")):
            return []  # `sscard …`: the command is left open
        sub = command.commands.get(word)
        if sub is None:
            return [Problem(where, f"`{' '.join(path)}` has no command `{word}`")]
        command, path = sub, [*path, word]
    options = {o for p in command.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}
    options |= {"--help"} | ({"--version"} if command is cli else set())
    return [Problem(where, f"`{' '.join(path)}` has no option `{word.split('=')[0]}`")
            for word in words if re.match(r"--?[a-z]", word) and word.split("=")[0] not in options]


def every_option(command: click.Command = cli) -> set[str]:
    options = {o for p in command.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}
    for sub in getattr(command, "commands", {}).values():
        options |= every_option(sub)
    return options | {"--help"}


def problems_in(text: str, where: str) -> list[Problem]:
    problems = [p for arguments in shell_commands(text) for p in unknown_names(arguments, where)]
    known = every_option()
    return problems + [Problem(where, f"no sscard command has option `{option}`")
                       for option in standalone_options(text) if option not in known]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_sscard_command_and_option_named_exists(document):
    text = document.read_text(encoding="utf-8")
    assert shell_commands(text), f"{document.name} names no sscard command"
    assert problems_in(text, document.name) == []


def test_a_misspelt_command_or_option_is_found():
    text = ("```sh\nsudo -u sscard /opt/sscard/.venv/bin/sscard users ad 张三\nsscard check a.xlsx --pasword\n"
            "SSCARD_LEDGER=x sscard history --verify --anchor \"$(cat 头.txt)\" | tail -1\n```\n"
            "and inline `sscard rules lst` and `--no-such-option`; `sscard …` and `install -o sscard x` are fine")
    assert [p.what for p in problems_in(text, "t")] == [
        "`sscard users` has no command `ad`", "`sscard check` has no option `--pasword`",
        "`sscard rules` has no command `lst`", "no sscard command has option `--no-such-option`"]


# --- every runnable block runs --------------------------------------------------------------------

@dataclass
class Block:
    script: str
    exit_code: int
    shown: str | None  # the output the guide shows after it


def runnable_blocks(text: str) -> list[Block]:
    return [Block(script, int(code or 0), shown) for code, script, shown in RUNNABLE.findall(text)]


def test_runnable_blocks_and_what_they_print_are_found_as_marked():
    text = ("<!-- runnable -->\n```sh\nsscard a\n```\n\n说明。\n\n<!-- output -->\n```text\n甲 … 乙\n```\n"
            "```sh\nsscard not-marked\n```\n<!-- runnable exit=1 -->\n```sh\nsscard b\nsscard c\n```\n")
    assert runnable_blocks(text) == [Block("sscard a\n", 0, "甲 … 乙\n"), Block("sscard b\nsscard c\n", 1, "")]


def test_shown_output_is_looked_for_line_by_line_in_order_with_any_text_for_the_ellipsis():
    output = "读取 三月批次.xlsx\n申请 286 行,跳过空行 1 行\n已写出 三月批次.decisions.xlsx\n"
    assert shows(output, "申请 … 行,跳过空行 … 行\n已写出 三月批次.decisions.xlsx\n") == ""
    assert shows(output, "已写出 三月批次.decisions.xlsx\n读取 三月批次.xlsx\n") == "读取 三月批次.xlsx"
    assert shows(output, "申请 … 行,跳过空行 … 项\n") == "申请 … 行,跳过空行 … 项"


def home_environment(home: Path) -> dict[str, str]:
    """A person's own environment: their home, nothing of sscard's set, the installed sscard first on PATH."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SSCARD_", "XDG_"))}
    return {**kept, "HOME": str(home), "LANG": "C.UTF-8",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def shows(output: str, shown: str) -> str:
    """The first line of ``shown`` not found in ``output`` (in order; `…` is any text), or ''."""
    lines = output.splitlines()
    at = 0
    for wanted in shown.splitlines():
        pattern = re.compile(".*?".join(map(re.escape, wanted.split(ANY))))
        while at < len(lines) and not pattern.fullmatch(lines[at]):
            at += 1
        if at == len(lines):
            return wanted
        at += 1
    return ""


GUIDES_WITH_BLOCKS = [g for g in GUIDES if runnable_blocks(g.read_text(encoding="utf-8"))]


def test_every_guide_with_runnable_blocks_says_what_is_done_before_them():
    assert {g.stem for g in GUIDES_WITH_BLOCKS} <= set(DONE_BEFORE)
    assert {"经办人员", "审计人员", "系统管理员", "政策人员"} <= {g.stem for g in GUIDES_WITH_BLOCKS}


@pytest.mark.parametrize("guide", GUIDES_WITH_BLOCKS, ids=lambda path: path.stem)
def test_runnable_blocks_run_as_written_in_a_home_of_their_own(guide, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(SAMPLE, home / FILLED_BATCH)
    environment = home_environment(home)
    if guide.stem in IN_A_CHECKOUT:
        shutil.copytree(ROOT / "rules", home / "rules")
        shutil.copytree(ROOT / "archive", home / "archive")
        environment["SSCARD_RULES"] = str(home / "rules" / "规则库.xlsx")
    for arguments in DONE_BEFORE.get(guide.stem, []):
        done = subprocess.run(["sscard", *arguments], cwd=home, capture_output=True, text=True,
                              env={**environment, "SSCARD_NEW_PASSWORD": "练习-2026-春天"})
        assert done.returncode == 0, done.stdout + done.stderr
    for number, block in enumerate(runnable_blocks(guide.read_text(encoding="utf-8")), start=1):
        script = tmp_path / f"block{number}.sh"
        script.write_text("set -euo pipefail\n" + block.script, encoding="utf-8")
        ran = subprocess.run(["bash", str(script)], cwd=home, env=environment, capture_output=True, text=True)
        output = ran.stdout + ran.stderr
        assert ran.returncode == block.exit_code, f"{guide.name} block {number}:\n{block.script}\n{output}"
        assert "Traceback" not in output
        if block.shown:
            assert shows(output, block.shown) == "", f"{guide.name} block {number} prints:\n{output}"


# --- links, pictures, anchors ---------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.stem)
def test_links_lead_to_a_guide_section_or_a_picture_that_exists(guide):
    text = guide.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        path, _, anchor = target.partition("#")
        linked = manual.MANUAL / path if path else guide
        assert linked.is_file(), (guide.name, target)
        if anchor:
            assert anchor in manual.anchors(linked.read_text(encoding="utf-8")), (guide.name, target)


def test_every_picture_in_the_folder_is_shown_by_a_guide():
    shown = {PurePosixPath(t).name for g in GUIDES for t in LINK.findall(g.read_text(encoding="utf-8"))
             if t.startswith(f"{manual.PICTURES}/")}
    pictures = {p.name for p in (manual.MANUAL / manual.PICTURES).glob("*.png")}
    assert shown == pictures


def test_every_guide_is_one_the_desk_knows_and_the_index_links_each():
    assert {g.stem for g in GUIDES} == {g.name for g in manual.GUIDES}
    index = (manual.MANUAL / "README.md").read_text(encoding="utf-8")
    assert {g.name for g in manual.GUIDES if g.name != manual.INDEX} <= {
        PurePosixPath(t).stem for t in LINK.findall(index)}


@pytest.mark.parametrize("endpoint", sorted(SECTIONS))
def test_each_pages_help_section_exists_for_every_role_it_names(endpoint):
    for roles, name, anchor in SECTIONS[endpoint]:
        assert set(roles) <= set(ROLES)
        assert anchor in manual.anchors(manual.guide(name).path.read_text(encoding="utf-8")), (endpoint, name)


def test_headings_get_githubs_anchors_with_chinese_kept():
    text = "# 手册\n\n## 打印告知书\n\n## HTTPS 代理\n\n## 升级 sscard\n\n## 打印告知书\n\n### 目的(一)\n"
    assert manual.anchors(text) == {"手册", "打印告知书", "https-代理", "升级-sscard", "打印告知书-1", "目的一"}
