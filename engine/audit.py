"""What an auditor needs to trust a decision sheet a year later.

Each row carries a 核验码: a digest of its input cells, its decision cells and the
rulebook digest, so that a decision edited outside sscard no longer matches.  The
审计 sheet records the run: when, with which rulebook and parameters, on which file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import sys
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from .rulebook import Rulebook

DIGEST_LENGTH = 20  # hex characters shown in the 核验码 column


def canonical(value: Any) -> str:
    """One text form per cell value that survives a write and a read back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)).isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def row_digest(inputs: Sequence[Any], decision: Sequence[Any], rulebook_digest: str) -> str:
    payload = json.dumps([[canonical(v) for v in inputs], [canonical(v) for v in decision], rulebook_digest],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "未安装"


@dataclass
class RunRecord:
    """The 审计 sheet's facts about one run of ``check``."""

    input_path: Path
    input_sha256: str
    command_line: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())

    def items(self, book: Rulebook, rows: int, skipped: int, sheet: str,
              parameters_used: dict[str, set]) -> list[tuple[str, str]]:
        items = [
            ("运行编号", self.run_id),
            ("运行时间", self.started.isoformat(timespec="seconds")),
            ("sscard 版本", _version("sscard")),
            ("规则库", book.name),
            ("规则库版本", book.version),
            ("规则库目录", str(book.directory)),
            ("规则库 SHA-256", book.digest),
        ]
        items += [(f"规则文件 {name}", digest) for name, digest in book.files.items()]
        for parameter in book.parameters:
            history = "; ".join(f"自 {start.isoformat()} 起 {value}" for start, value in parameter.values)
            used = "、".join(str(v) for v in sorted(parameters_used.get(parameter.name, ())))
            items.append((f"参数 {parameter.name}", f"{history}(本批使用:{used or '无'};依据:{parameter.reference})"))
        items += [
            ("输入文件", self.input_path.name),
            ("输入文件路径", str(self.input_path.resolve())),
            ("输入文件 SHA-256", self.input_sha256),
            ("输入工作表", sheet),
            ("申请行数", str(rows)),
            ("跳过的空行", str(skipped)),
            ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
            ("openpyxl", _version("openpyxl")),
            ("durable-rules", _version("durable_rules")),
            ("xlsxwriter", _version("xlsxwriter")),
            ("命令行", self.command_line),
            ("核验码算法", f"SHA-256(输入各列、决定各列、规则库 SHA-256)前 {DIGEST_LENGTH} 位"),
        ]
        return items
