"""The rulebook as a document a person reads: services, columns, every rule in words with
its clause and dates, parameters with their dated values, generated from the very
declarations that decide (the catalogue's words), so it cannot drift from them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

from engine.core.rulebook import ALWAYS, COLUMN_COLUMNS, Rulebook, column_row
from engine.policy.catalogue import entries, phrasing_lines, value_words


def markdown(book: Rulebook) -> str:
    return "\n".join(_lines(book)) + "\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: tuple[str, ...], rows: list[tuple]) -> Iterator[str]:
    yield "| " + " | ".join(headers) + " |"
    yield "|" + "---|" * len(headers)
    for row in rows:
        yield "| " + " | ".join(_cell(value) for value in row) + " |"


def _lines(book: Rulebook) -> Iterator[str]:
    yield f"# {book.name}"
    yield ""
    yield f"版本 {book.version},SHA-256 `{book.digest}`。"
    yield ""
    if book.source_title:
        yield (f"依据文件:{book.source_title}。规则的条款 §4 即{book.source_title}第4条,§7(一) 即其第7条(一);"
               "告知书上按此写法引用。")
        yield ""
    yield ("本文件由 `sscard rules doc` 从规则库的声明生成(`sscard rules publish` 发布时一并更新),"
           "与实际作出决定的规则一字不差;请勿手工修改,改规则后重新生成。")
    yield "标有 **[解释性规则]** 的规则是原文未明确、由规则库作出的解释,政策人员可以修改。"
    yield ""
    yield "## 业务类型"
    yield ""
    yield from _table(("代码", "业务类型", "条款"), [(s.code, s.name, s.clause) for s in book.services])
    yield ""
    yield "## 输入列"
    yield ""
    yield "每行一项申请。带生效日期的列只有申请日期在其生效期内的申请才需要;此前的批次可以没有该列。"
    yield ""
    yield from _table(COLUMN_COLUMNS, [column_row(book, column) for column in book.schema.columns])
    yield ""
    yield "## 结论"
    yield ""
    yield "多条规则命中时,结论取最强者:" + " > ".join(book.verdicts) + "。"
    yield "每条规则只对申请日期在其生效期内的申请生效。"
    yield ""
    yield "## 规则"
    for item in entries(book):
        yield ""
        yield f"### {item.label}"
        yield ""
        flag = " **[解释性规则]**" if item.interpretation else ""
        yield f"- 业务类型:{'、'.join(item.services)};条款:{item.clause}{flag}"
        yield f"- 生效:{item.period or ALWAYS}"
        yield f"- 条件:{item.conditions}"
        yield f"- 结果:{item.outcome}"
        yield f"- 理由:{item.reason}"
    phrasings = phrasing_lines(book)
    if phrasings:
        yield ""
        yield "## 写法"
        yield ""
        yield ("经办人员对所列值的常用写法,读作所列的值;与所列值或写法相近而不同的文字判为输入有误并给出建议,"
               "其余文字按各业务「其他原因」的规则判断。")
        yield ""
        yield from (f"- {words}" for _, words in phrasings)
    yield ""
    yield "## 参数"
    yield ""
    yield "按申请日期取当时有效的值;申请日期早于参数的第一个值时,用到它的申请转人工复核。"
    for parameter in book.parameters or ():
        flag = " **[解释性]**" if parameter.interpretation else ""
        yield ""
        yield f"### {parameter.name}:{parameter.description}{flag}"
        yield ""
        yield f"- 类型:{parameter.describe()}" + (f";单位:{parameter.unit}" if parameter.unit else "")
        yield f"- 依据:{parameter.reference}"
        yield ""
        yield from _table(("自", "值"), [(start.isoformat(), f"{value_words(value)} {parameter.unit}".strip())
                                        for start, value in parameter.values])


def write_document(book: Rulebook, path: str | Path) -> Path:
    """Write the document to ``path`` whole, or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(markdown(book))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
