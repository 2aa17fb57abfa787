"""Papers for the applicant, from a decision workbook: the one call the desk's 打印告知书 makes.

It is `sscard notices DECISIONS.xlsx -o 告知书.pdf [--id …]`: this function is to call the
same engine function as that command, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

from engine.core.rulebook import Rulebook
from engine.errors import SscardError


class NoticesUnavailable(SscardError):
    """This installation cannot print notices yet."""


def write_notices(decisions: Path, output: Path, request_ids: list[str] | None, book: Rulebook) -> Path:
    """Write the notices of ``request_ids`` (all rows when None) of ``decisions`` to the PDF ``output``."""
    raise NoticesUnavailable("本服务尚不能打印告知书(sscard notices 未安装);请联系管理员")
