"""sscard: check 社会保障卡 counter requests in bulk, from Excel.

A thin layer: each command parses its arguments, makes one engine call and prints
what happened.  Engine errors become a one-line message and exit code 2.
"""

from __future__ import annotations

import shlex
import sys
from functools import wraps
from pathlib import Path

import click

from engine.check import check_batch
from engine.errors import SscardError
from engine.rulebook import Rulebook, load_rulebook
from engine.template import write_template

DEFAULT_RULES = Path(__file__).resolve().parent / "rules"


def rules_option(command):
    @click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_RULES,
                  show_default="随 sscard 安装的规则库", help="使用另一个规则库目录(如草案)。")
    @wraps(command)
    def wrapper(*args, rules_dir: Path, **kwargs):
        return command(*args, book=_load(rules_dir), **kwargs)
    return wrapper


def _load(rules_dir: Path) -> Rulebook:
    try:
        return load_rulebook(rules_dir)
    except SscardError as error:
        raise _fail(error) from None


class _Failed(click.ClickException):
    exit_code = 2


def _fail(error: SscardError) -> _Failed:
    failure = _Failed(str(error))
    failure.exit_code = error.exit_code
    return failure


@click.group()
@click.version_option(package_name="sscard", message="sscard %(version)s")
def cli() -> None:
    """检查社会保障卡柜面申请:Excel 批次进,决定工作簿出。"""


@cli.command()
@click.argument("batch", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="决定工作簿的路径;默认在输入旁边:BATCH.decisions.xlsx")
@rules_option
def check(batch: Path, output: Path | None, book: Rulebook) -> None:
    """逐行检查 BATCH 中的申请,写出决定工作簿(结果、汇总、错误、审计)。

    Example:

        sscard check 申请批次.xlsx -o 决定.xlsx
    """
    try:
        summary = check_batch(batch, output, book, command_line=shlex.join(["sscard", *sys.argv[1:]]))
    except SscardError as error:
        raise _fail(error) from None
    where = "工作表「{}」".format(summary.sheet)
    if not summary.sheet_found_by_name:
        where += f"(未找到「{book.schema.sheet}」,已使用第一个工作表)"
    click.echo(f"读取 {summary.input} {where}")
    click.echo(f"申请 {summary.rows} 行,跳过空行 {summary.skipped} 行")
    for verdict in book.verdicts:
        if summary.verdicts[verdict]:
            click.echo(f"  {verdict}: {summary.verdicts[verdict]}")
    click.echo(f"费用合计 {summary.total_fees:g} 元;输入问题 {summary.problems} 条(见「错误」表)")
    click.echo(f"已写出 {summary.output}")


@cli.command()
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@rules_option
def template(output: Path, book: Rulebook) -> None:
    """写出一个空白批次工作簿:正确的表头、下拉选项、文本格式的身份证号列,以及「说明」表。

    Example:

        sscard template 申请批次.xlsx
    """
    try:
        path = write_template(output, book)
    except SscardError as error:
        raise _fail(error) from None
    click.echo(f"已写出 {path}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
