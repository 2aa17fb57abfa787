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
from engine.many import check_many
from engine.parallel import default_workers
from engine.progress import row_progress
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
@click.argument("batches", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="一个批次:决定工作簿的路径(默认 BATCH.decisions.xlsx,在输入旁边);"
                   "多个批次或文件夹:输出文件夹。")
@click.option("--workers", type=click.IntRange(min=1), default=default_workers, show_default="全部 CPU 核",
              help="判定用的进程数。")
@rules_option
def check(batches: tuple[Path, ...], output: Path | None, workers: int, book: Rulebook) -> None:
    """逐行检查 BATCHES 中的申请,每个批次写出一个决定工作簿(结果、汇总、错误、审计)。

    可给多个工作簿或一个文件夹:每个批次一个决定工作簿,另加一个「合并汇总.xlsx」;
    某个文件读不了会被报告,其余照常检查。

    Example:

        sscard check 申请批次.xlsx -o 决定.xlsx

        sscard check 各网点/ -o 决定/
    """
    command_line = shlex.join(["sscard", *sys.argv[1:]])
    if len(batches) == 1 and not batches[0].is_dir():
        try:
            with row_progress(batches[0].name) as progress:
                summary = check_batch(batches[0], output, book, command_line=command_line, workers=workers,
                                      progress=progress)
        except SscardError as error:
            raise _fail(error) from None
        _echo_summary(summary, book)
        return
    result = check_many(list(batches), output, book, command_line=command_line, workers=workers,
                        on_done=lambda path, summary, error: click.echo(
                            f"{path}: {'失败:' + error if error else f'{summary.rows} 行 -> {summary.output}'}"))
    click.echo(f"共 {len(result.summaries)} 个批次完成、{len(result.failures)} 个失败,申请 {result.rows} 行")
    for verdict in book.verdicts:
        if result.verdicts[verdict]:
            click.echo(f"  {verdict}: {result.verdicts[verdict]}")
    if result.combined:
        click.echo(f"已写出 {result.combined}")
    if result.failures:
        raise SystemExit(2)


def _echo_summary(summary, book: Rulebook) -> None:
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
