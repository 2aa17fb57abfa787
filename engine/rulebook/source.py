"""Read a rulebook workbook once, as the bytes it held at that moment.

The bytes are read into memory first and everything else comes from them: the rulebook
that decides, the digest that names it on the 审计 sheet and in the ledger, the copy the
archive keeps, and what worker processes decide with are the same, even if someone saves
the workbook again mid-run.  A workbook is data, never a program: reading it runs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.core.rulebook import Rulebook
from engine.core.schema import shown
from engine.core.written import Where
from engine.errors import RulebookError
from engine.rulebook import layout
from engine.rulebook.read import build
from engine.rulebook.workbook import read_cells

UNPUBLISHED = "草案"


@dataclass(frozen=True)
class RulebookSource:
    path: Path  # where it was read from, for messages
    content: bytes = field(repr=False)


def read_source(path: str | Path) -> RulebookSource:
    path = Path(path)
    if path.is_dir():
        inside = path / layout.BOOK_NAME
        hint = f"请指向其中的 {inside}" if inside.is_file() else "请指向规则库工作簿(.xlsx),如 rules/规则库.xlsx"
        raise RulebookError(f"{path} 是文件夹;规则库是一个工作簿,{hint}")
    try:
        return RulebookSource(path, path.read_bytes())
    except FileNotFoundError:
        raise RulebookError(f"规则库 {path} 不存在;请用 --rules 指向规则库工作簿(.xlsx),"
                            "或用 sscard rules draft 草案.xlsx 复制现行规则库") from None
    except OSError as error:
        raise RulebookError(f"无法读取规则库 {path}:{error.strerror};请检查文件权限") from None


def load_rulebook(path: str | Path) -> Rulebook:
    return load_source(read_source(path))


def load_source(source: RulebookSource) -> Rulebook:
    cells = read_cells(source.path, source.content)
    book = build(cells)
    book.path, book.digest, book.source = source.path, cells.digest, source
    # Never by hand: a published rulebook gets its version from the archive (engine.records.archive).
    book.version = f"{UNPUBLISHED}-{book.digest[:8]}"
    return book


def written_row(book: Rulebook, at: Where) -> list[tuple[str, str]]:
    """(heading, cell text) of every non-blank cell of the row ``at`` of ``book``, as written."""
    sheet = read_cells(book.source.path, book.source.content).sheet(at.sheet)
    if sheet is None or not sheet.rows:
        return []
    headings = sheet.rows[0]
    cells = sheet.rows[at.row - 1] if at.row <= len(sheet.rows) else []
    return [(str(heading), shown(value)) for heading, value in zip(headings, cells)
            if heading is not None and value is not None]
