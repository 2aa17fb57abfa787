"""Draft rulebooks made the way a policy officer would: copy a rulebook folder, then
append to the copy (a dated value, a column, a rule) without ever rewriting what is
there, so these helpers work whatever the live text says."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from conftest import FIXTURE_RULES

PHOTO = "材料:照片"  # a document the fixture's 办证 asks for in a draft, from PHOTO_FROM
PHOTO_FROM = dt.date(2028, 1, 1)
PHOTO_RULE = "ISSUE-MISSING-PHOTO"


def copy_rulebook(target: Path, source: Path = FIXTURE_RULES) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "cases.xlsx"))
    return target


def append(directory: Path, name: str, text: str) -> None:
    with (directory / name).open("a", encoding="utf-8") as handle:
        handle.write(text)


def append_value(directory: Path, parameter: str, start: dt.date, value) -> None:
    """A new dated value: history stays, the new value holds from ``start``."""
    append(directory, "parameters.toml", f"\n[[{parameter}.values]]\nfrom = {start.isoformat()}\nvalue = {value}\n")


def require_photo(directory: Path) -> None:
    """办证 needs one more document from PHOTO_FROM: a dated column and a dated rule."""
    since = f"date({PHOTO_FROM.year}, {PHOTO_FROM.month}, {PHOTO_FROM.day})"
    append(directory, "schema.py", f'''
COLUMNS += (Column("{PHOTO}", "doc_photo", YesNo(), used_by=frozenset({{"issue"}}), since={since}),)
''')
    append(directory, "issue.py", f'''
RULES += (
    Rule(id="{PHOTO_RULE}", name="办证缺照片", clause="§1", reason="办证须交照片", verdict="补正材料",
         when=row.doc_photo == "否", missing=("照片",), place="服务台", since={since}),
)
''')


def delete_rule(directory: Path, module: str, rule_id: str) -> None:
    append(directory, f"{module}.py", f'\nRULES = tuple(r for r in RULES if r.id != "{rule_id}")\n')
