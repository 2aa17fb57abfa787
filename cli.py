"""sscard: check 社会保障卡 counter requests in bulk, from Excel.

A thin layer: each command parses its arguments, makes one engine call and prints
what happened.  Engine errors become a one-line message and exit code 2.
"""

from __future__ import annotations

import shlex
from functools import wraps
from pathlib import Path

import click

from desk import config as desk_config
from engine.auditors import explain as explaining
from engine.auditors import verify as verifying
from engine.core.loader import load_rulebook
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.template import write_template
from engine.policy import cases as case_book
from engine.policy import catalogue, impact
from engine.policy import lint as rule_lint
from engine.records import ledger as ledgers
from engine.runs.check import check_batch
from engine.runs.many import check_many
from engine.runs.parallel import default_workers
from engine.runs.progress import row_progress

DEFAULT_RULES = Path(__file__).resolve().parent / "rules"


def rules_option(command):
    @click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_RULES,
                  show_default="随 sscard 安装的规则库", help="使用另一个规则库目录(如草案)。")
    @wraps(command)
    def wrapper(*args, rules_dir: Path, **kwargs):
        return command(*args, book=load_rulebook(rules_dir), **kwargs)
    return wrapper


def ledger_option(command):
    @click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path), envvar=ledgers.ENV,
                  default=None, show_default="用户数据目录中的 sscard/ledger.sqlite3",
                  help=f"决定账本(SQLite)的路径;也可用环境变量 {ledgers.ENV} 设置。")
    @wraps(command)
    def wrapper(*args, ledger_path: Path | None, **kwargs):
        return command(*args, ledger=ledgers.Ledger(ledger_path or ledgers.default_path()), **kwargs)
    return wrapper


class _Failed(click.ClickException):
    """An engine error, shown as one line, with the exit code its class carries."""

    def __init__(self, error: SscardError):
        super().__init__(str(error))
        self.exit_code = error.exit_code


class _Cli(click.Group):
    """Every command's engine errors become one line and their exit code, in one place."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # The command line as typed, for the 审计 sheet and the ledger (sys.argv is the
        # host's when sscard is called from Python, as in tests).
        ctx.meta["command_line"] = shlex.join(["sscard", *args])
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SscardError as error:
            raise _Failed(error) from None


@click.group(cls=_Cli)
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
@ledger_option
@rules_option
def check(batches: tuple[Path, ...], output: Path | None, workers: int, book: Rulebook,
          ledger: ledgers.Ledger) -> None:
    """逐行检查 BATCHES 中的申请,每个批次写出一个决定工作簿(结果、汇总、错误、审计)。

    可给多个工作簿或一个文件夹:每个批次一个决定工作簿,另加一个「合并汇总.xlsx」;
    某个文件读不了会被报告,其余照常检查。

    Example:

        sscard check 申请批次.xlsx -o 决定.xlsx

        sscard check 各网点/ -o 决定/
    """
    command_line = click.get_current_context().meta["command_line"]
    if len(batches) == 1 and not batches[0].is_dir():
        with row_progress(batches[0].name) as progress:
            summary = check_batch(batches[0], output, book, command_line=command_line, workers=workers,
                                  progress=progress, ledger=ledger)
        _echo_summary(summary, book)
        return
    result = check_many(list(batches), output, book, command_line=command_line, workers=workers, ledger=ledger,
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
        where += f"(未找到「{book.schema.sheet}」,已使用第一个可见的工作表)"
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
    path = write_template(output, book)
    click.echo(f"已写出 {path}")


@cli.group("rules")
def rules_group() -> None:
    """政策人员:查看、测试、检查规则库(可用 --rules 指向草案目录)。"""


@rules_group.command("list")
@rules_option
def rules_list(book: Rulebook) -> None:
    """列出每条规则(编号、业务、条款、条件、结果、理由、是否解释性)和每个参数的各期取值。

    Example:

        sscard rules list --rules 草案/rules
    """
    for line in catalogue.text_lines(book):
        click.echo(line)


@rules_group.command("export")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@rules_option
def rules_export(output: Path, book: Rulebook) -> None:
    """把规则目录写成工作簿 OUTPUT(规则、参数、说明三张表)。

    Example:

        sscard rules export 规则目录.xlsx
    """
    path = catalogue.write_catalogue(book, output)
    click.echo(f"规则 {len(book.unique_rules())} 条;已写出 {path}")


@rules_group.command("test")
@click.argument("cases", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--allow-uncovered", is_flag=True, help="有规则没有用例命中时仍以 0 退出(只测部分规则的用例工作簿)。")
@rules_option
def rules_test(cases: Path | None, allow_uncovered: bool, book: Rulebook) -> None:
    """运行用例工作簿 CASES(默认:规则目录中的 cases.xlsx),逐个报告通过/失败及差异,再列出规则覆盖。

    退出码:0 全部通过且每条规则都有用例命中;1 有用例失败,或有规则没有用例命中
    (除非 --allow-uncovered);2 文件或规则库无法读取。

    Example:

        sscard rules test --rules 草案/rules 草案/rules/cases.xlsx
    """
    path = cases or book.directory / "cases.xlsx"
    report = case_book.run_cases(path, book)
    click.echo(f"用例 {path};规则库 {book.directory}(版本 {book.version})")
    for line in case_book.report_lines(report):
        click.echo(line)
    if report.failures:
        names = "、".join(o.case.name for o in report.failures)
        raise click.ClickException(f"{len(report.failures)} 个用例失败:{names}")
    if report.uncovered and not allow_uncovered:
        raise click.ClickException(f"{len(report.uncovered)} 条规则没有用例命中;请补充用例,"
                                   "或用 --allow-uncovered 只测部分规则")


@rules_group.command("lint")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_RULES,
              show_default="随 sscard 安装的规则库", help="检查另一个规则库目录(如草案)。")
def rules_lint(rules_dir: Path) -> None:
    """静态检查规则库:编号、条款、理由齐全且编号不重复;每类业务的每种合法输入组合都有规则命中
    (空缺给出示例行);永不命中的规则;被更强结论总是覆盖的规则;同一结论下办理地点或费用参数互相矛盾的规则。

    退出码:0 未发现问题;1 发现问题。

    Example:

        sscard rules lint --rules 草案/rules
    """
    book, findings = rule_lint.lint_directory(rules_dir)
    for line in rule_lint.report_lines(book, findings):
        click.echo(line)
    if findings:
        raise click.ClickException(f"规则库 {rules_dir} 有 {len(findings)} 个问题")


@cli.command()
@click.argument("batch", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--old", "old_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_RULES,
              show_default="随 sscard 安装的规则库", help="现行规则库目录。")
@click.option("--new", "new_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="修改后的规则库目录(草案)。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="影响工作簿(概要、结论矩阵、变化明细)的路径;不给则只打印概要。")
def diff(batch: Path, old_dir: Path, new_dir: Path, output: Path | None) -> None:
    """用新旧两个规则库分别决定 BATCH,列出结论、费用或缺少材料有变化的行。

    Example:

        sscard diff 上月批次.xlsx --old rules --new 草案/rules -o 影响.xlsx
    """
    old, new = load_rulebook(old_dir), load_rulebook(new_dir)
    result = impact.compare(batch, old, new)
    path = impact.write_impact(result, output) if output else None
    for line in impact.summary_lines(result):
        click.echo(line)
    if path:
        click.echo(f"已写出 {path}")


@cli.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("request_id")
@rules_option
def explain(workbook: Path, request_id: str, book: Rulebook) -> None:
    """说明申请 REQUEST_ID 为何得到此结论:本业务的每条规则是否命中,未命中的是哪个条件、该行的实际值。

    WORKBOOK 可以是决定工作簿(显示记录的结论,并按当前规则重新判断是否一致),
    也可以是批次工作簿(按当前规则判断)。

    Example:

        sscard explain 决定.xlsx A0001
    """
    result = explaining.explain(workbook, request_id, book)
    for line in result.lines():
        click.echo(line)


@cli.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--batch", type=click.Path(dir_okay=False, path_type=Path),
              help="生成该工作簿的批次:核对其 SHA-256,并按当前规则重新判断,列出结论会变的行(规则漂移)。")
@rules_option
def verify(workbook: Path, batch: Path | None, book: Rulebook) -> None:
    """核对决定工作簿:每行的核验码、「审计」表;给出 --batch 时再查批次是否相符及规则漂移。

    退出码:0 一切相符;1 有被改动或会变的行(逐行列出);2 文件无法读取。

    Example:

        sscard verify 决定.xlsx --batch 申请批次.xlsx
    """
    result = verifying.verify_workbook(workbook, book, batch)
    for note in result.notes:
        click.echo(f"注意:{note}")
    for finding in result.findings:
        click.echo(str(finding))
    if not result.ok:
        raise click.ClickException(f"{workbook} 核对未通过:{len(result.findings)} 个问题")
    click.echo(f"{workbook} 核对通过:{result.rows} 行的核验码与审计记录均相符" + ("、批次无规则漂移" if batch else ""))


@cli.command()
@click.argument("request_id", required=False)
@click.option("--verify", "check_chain", is_flag=True, help="核对账本的哈希链:有运行被删除或改动时以非零退出。")
@ledger_option
def history(request_id: str | None, check_chain: bool, ledger: ledgers.Ledger) -> None:
    """列出账本中的每次 check 运行;给出 REQUEST_ID 时列出该申请历次的决定。

    Example:

        sscard history

        sscard history A0001

        sscard history --verify
    """
    if check_chain:
        report = ledger.verify()
    elif request_id:
        past = ledger.decisions_for(request_id)
    else:
        runs = ledger.runs()
    if check_chain:
        for problem in report.problems:
            click.echo(problem)
        if not report.intact:
            raise click.ClickException(f"账本 {ledger.path} 的哈希链断裂:{report.problems[0]}")
        click.echo(f"账本 {ledger.path} 完好:{report.runs} 次运行,最新哈希 {report.head}")
    elif request_id:
        if not past:
            click.echo(f"账本中没有申请编号「{request_id}」的决定")
        for d in past:
            click.echo(f"{d.run.started}  运行 {d.run.run_id[:12]}  {d.run.input_name} 第 {d.row} 行  {d.verdict}"
                       f"  费用 {d.fee:g}  缺少材料 {d.missing or '无'}  规则 {d.rules}  规则库 {d.run.rulebook_version}")
    else:
        if not runs:
            click.echo(f"账本 {ledger.path} 中还没有运行记录")
        for run in runs:
            click.echo(f"{run.seq:>4}  {run.started}  运行 {run.run_id[:12]}  {run.input_name}  {run.rows} 行"
                       f"  规则库 {run.rulebook_version}  {run.command_line}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址;默认只有本机能打开。其他地址(如 0.0.0.0)须设访问码,每人以姓名登录。")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口。")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              show_default="用户数据目录中的 sscard/desk", help="保存上传和结果的文件夹(仅本用户可读)。")
@click.option("--access-code", envvar=desk_config.ACCESS_CODE_ENV, default=None,
              help=f"访问码(至少 {desk_config.MIN_ACCESS_CODE} 个字符);建议用环境变量 {desk_config.ACCESS_CODE_ENV} 设置,"
                   "命令行参数会被本机其他用户看到。")
@click.option("--max-upload-mb", type=click.IntRange(min=1), default=desk_config.DEFAULT_MAX_UPLOAD_MB,
              show_default=True, help="单次上传的大小上限(MB)。")
@click.option("--keep-days", type=click.IntRange(min=1), default=desk_config.DEFAULT_KEEP_DAYS, show_default=True,
              help="上传的批次和结果保存的天数,过期删除(台账中的决定记录不删)。")
@ledger_option
@rules_option
def serve(host: str, port: int, data_dir: Path | None, access_code: str | None, max_upload_mb: int, keep_days: int,
          book: Rulebook, ledger: ledgers.Ledger) -> None:
    """柜面服务:在浏览器中检查批次、查询、核验、查看规则和台账。

    Example:

        sscard serve

        SSCARD_ACCESS_CODE=... sscard serve --host 0.0.0.0 --port 8000
    """
    from desk.serve import serve as serve_desk  # the web stack loads only for this command

    config = desk_config.DeskConfig(data_dir or desk_config.default_data_dir(), host, port, access_code,
                                    max_upload_mb, keep_days)
    serve_desk(config, book, ledger, on_ready=lambda url: click.echo(
        f"sscard 柜面服务已启动:{url}(数据目录 {config.data};按 Ctrl-C 停止)"))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
