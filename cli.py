"""sscard: check 社会保障卡 counter requests in bulk, from Excel.

A thin layer: each command parses its arguments, makes one engine call and prints
what happened.  Engine errors become a one-line message and exit code 2; Ctrl-C ends
with one line and exit code 130, after every temporary file is gone.
"""

from __future__ import annotations

import getpass
import os
import shlex
import signal
import sys
import warnings
from functools import wraps
from pathlib import Path

import click

import chinese_click as zh
from desk import config as desk_config
from engine import labels
from engine.auditors import explain as explaining
from engine.auditors import verify as verifying
from engine.auditors.recorded import rulebook_for
from engine.core.rulebook import Rulebook
from engine.errors import SscardError, describe_os_error
from engine.excel.template import write_template
from engine.files import protection, scratch
from engine.files.protection import Password
from engine.labels import shown_path
from engine.papers import settings as office_settings
from engine.papers.notices import write_notices
from engine.policy import cases as case_book
from engine.policy import catalogue, document, impact
from engine.policy import lint as rule_lint
from engine.policy.publish import COMMAND_LINE, Approval, publish, start_draft
from engine.records import ledger as ledgers
from engine.records.archive import Archive, archive_beside
from engine.records.digests import current_operator
from engine.rulebook.layout import CASES
from engine.runs.check import check_batch
from engine.runs.many import check_many
from engine.runs.parallel import default_workers
from engine.runs.progress import row_progress

DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "规则库.xlsx"
RULES_ENV = "SSCARD_RULES"  # another live rulebook workbook (its archive and document sit beside its folder)


def live_rules() -> Path:
    return Path(os.environ.get(RULES_ENV) or DEFAULT_RULES)


def archive() -> Archive:
    return archive_beside(live_rules())


INTERNAL_ERROR = 3  # a fault of sscard itself, never of the input
INTERRUPTED = 130  # 128 + SIGINT, as shells report a program ended by Ctrl-C


LIVE = "现行规则库(随 sscard 提供的 rules/规则库.xlsx)"


def rules_option(command):
    @zh.option("--rules", "rules_file", type=zh.PATH, default=None, show_default=LIVE,
               help="使用另一个规则库工作簿(如草案 草案.xlsx)。")
    @wraps(command)
    def wrapper(*args, rules_file: Path | None, **kwargs):
        return command(*args, book=archive().load(rules_file or live_rules()), **kwargs)
    return wrapper


def rulebook_argument(command):
    """The rulebook a `rules` command works on, named after the command: 草案.xlsx."""
    @click.argument("rules_file", required=False, type=zh.PATH, metavar="[规则库]")
    @wraps(command)
    def wrapper(*args, rules_file: Path | None, **kwargs):
        return command(*args, book=archive().load(rules_file or live_rules()), **kwargs)
    return wrapper


def recorded_rules_option(command):
    """explain / verify: by default the rulebook a decision workbook was decided with
    (under password_option: a protected workbook is opened with its password)."""
    @zh.option("--rules", "rules_file", type=zh.PATH, default=None,
               show_default="决定工作簿「审计」表记录的、已归档的规则库;批次工作簿用现行规则库",
               help="改用另一个规则库工作簿(如现行规则库或草案)。")
    @wraps(command)
    def wrapper(workbook: Path, *args, rules_file: Path | None, password: Password | None, **kwargs):
        book = rulebook_for(workbook, rules_file, live_rules(), archive(), password)
        return command(workbook, *args, password=password, book=book, **kwargs)
    return wrapper


def ledger_option(command):
    @zh.option("--ledger", "ledger_path", type=zh.FILE, envvar=ledgers.ENV,
                  default=None, show_default="用户数据目录中的 sscard/ledger.sqlite3",
                  help=f"决定账本(SQLite)的路径;也可用环境变量 {ledgers.ENV} 设置。")
    @wraps(command)
    def wrapper(*args, ledger_path: Path | None, **kwargs):
        return command(*args, ledger=ledgers.Ledger(ledger_path or ledgers.default_path(), notify=_say), **kwargs)
    return wrapper


def force_option(command):
    return zh.option("--force", is_flag=True,
                        help="输出文件已存在且不是 sscard 写出的(或正在 Excel 中打开)时也覆盖;输入文件永不覆盖。")(command)


def data_option(command):
    """--data: the desk's folder (uploads, results, accounts), as `serve` uses it."""
    return zh.option("--data", "data_dir", type=zh.FOLDER, default=None, show_default="用户数据目录中的 sscard/desk",
                     help="柜面服务的数据文件夹(上传、结果、账户;仅本用户可读)。")(command)


def settings_option(command):
    return zh.option("--settings", "settings_path", type=zh.FILE, envvar=office_settings.ENV,
                     help=f"经办机构设置文件(TOML,[office] 一节:名称、地址、电话;[appeal] 一节:行政复议和行政诉讼的机关与期限);"
                          f"也可用环境变量 {office_settings.ENV} 设置。默认:用户配置目录中的 sscard/settings.toml。")(command)


def _data(data_dir: Path | None) -> Path:
    return data_dir or desk_config.default_data_dir()


def _say(message: str) -> None:
    """What the engine wants the person to know while it works (a wait, a repaired run)."""
    click.echo(message, err=True)


def password_option(command):
    """--password is a flag, never followed by the password: it is typed at a prompt that
    does not echo, so it cannot reach the shell history or the recorded command line."""
    @zh.option("--password", "ask_password", is_flag=True,
                  help=f"工作簿设了打开密码:运行时提示输入(不回显);脚本中可改用环境变量 {protection.ENV}。")
    @wraps(command)
    def wrapper(*args, ask_password: bool, **kwargs):
        password = Password(_prompt("工作簿的打开密码")) if ask_password else protection.from_environment()
        return command(*args, password=password, **kwargs)
    return wrapper


def _refuse_password_typed(args: list[str]) -> None:
    """``--password 1234`` would take 1234 for a batch, and the command line, with it, is
    kept for good in the 审计 sheet and the hash-chained ledger: refuse before anything
    runs, without repeating it.  (Every argument of these commands but explain's
    REQUEST_ID names a file, so a word after --password that is no file is a password.)"""
    if args[:1] == ["explain"]:
        return
    for arg, following in zip(args, [*args[1:], None]):
        typed_after = arg == "--password" and following is not None and not following.startswith("-") \
            and not Path(following).exists()
        if arg.startswith("--password=") or typed_after:
            raise Refusal(f"--password 后面不要写密码(会留在命令历史和审计记录里);只写 --password,"
                          f"运行时按提示输入(不回显),或用环境变量 {protection.ENV}", exit_code=2)


WORKBOOK_PASSWORD_INSTEAD = f"请去掉 --password,改用环境变量 {protection.ENV} 提供密码"


def _prompt(text: str, instead: str = WORKBOOK_PASSWORD_INSTEAD) -> str:
    """A password typed at the terminal without echo (the prompt on stderr: stdout may be
    a report).  Without a terminal to type it at (a script, a scheduled job), one line
    saying what to do ``instead``, never Python's warning that the password would echo."""
    refusal = Refusal(f"需要在终端中输入密码,但本次运行没有终端(如在脚本或计划任务中);{instead}", exit_code=2)
    if _no_terminal():
        raise refusal
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return click.prompt(text, hide_input=True, prompt_suffix=":", err=True)
        except getpass.GetPassWarning:
            raise refusal from None


def _no_terminal() -> bool:
    """Neither a controlling terminal nor a terminal on stdin (as getpass looks).  A stdin
    that is no file at all is a program answering the prompt (click's test runner)."""
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
        return False
    except OSError:
        pass
    try:
        return not os.isatty(sys.stdin.fileno())
    except (AttributeError, ValueError, OSError):
        return False


def _output_password(password: Password | None) -> Password:
    """The password for what sscard writes: the one that opened the input, else asked twice."""
    if password is not None:
        return password
    instead = f"请用环境变量 {protection.ENV} 提供给决定工作簿设的密码"
    first = _prompt("给决定工作簿设的打开密码", instead)
    if _prompt("再输入一次", instead) != first:
        raise Refusal("两次输入的密码不一致;请重新运行", exit_code=2)
    return Password(first)


class Refusal(click.ClickException):
    """Why sscard stops, as one Chinese line: click's own prefix ('Error:') is English."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"错误:{self.format_message()}", file=file, err=True)


class _Failed(Refusal):
    """An engine error, shown as one line, with the exit code its class carries."""

    def __init__(self, error: SscardError):
        super().__init__(str(error), error.exit_code)


class _Cli(zh.Group):
    """Every command's engine errors become one line and their exit code, in one place."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _refuse_password_typed(args)
        # The command line as typed, for the 审计 sheet and the ledger (sys.argv is the
        # host's when sscard is called from Python, as in tests).
        ctx.meta["command_line"] = shlex.join(["sscard", *args])
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            with scratch.run_folder():  # every temporary file of the command; gone however it ends
                return super().invoke(ctx)
        except SscardError as error:
            raise _Failed(error) from None
        except BrokenPipeError:
            # The reader went away (`sscard explain … | head`): nothing is left to say to it.
            sys.stderr.close()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("已中断:正在写的文件已删除,未完成的运行未记入账本;已完成的决定工作簿保留", err=True)
            ctx.exit(INTERRUPTED)
        except OSError as error:  # a failure no engine step foresaw: still one line, never a traceback
            where = f"{error.filename}:" if error.filename else ""
            raise _Failed(SscardError(f"文件操作失败:{where}{describe_os_error(error)}")) from None
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception:  # a fault of sscard itself: one line, nothing half-written (outputs are atomic)
            raise Refusal("sscard 内部出错:正在写的文件已删除,未完成的运行未记入账本;请记下所用的命令和文件,"
                          "联系维护人员", exit_code=INTERNAL_ERROR) from None


@click.group(cls=_Cli, name="sscard")
@click.version_option(package_name="sscard", message="sscard %(version)s", help=zh.VERSION_OPTION)
def cli() -> None:
    """检查社会保障卡柜面申请:Excel 批次进,决定工作簿出。"""


@cli.command()
@click.argument("batches", nargs=-1, required=True, type=zh.PATH, metavar="批次...")
@zh.option("-o", "--output", help="一个批次:决定工作簿的路径(默认:批次旁的 <批次名>.decisions.xlsx);"
                                     "多个批次或文件夹:输出文件夹。")
@zh.option("--workers", type=zh.Count(1), default=default_workers, show_default="全部 CPU 核",
              help="同时工作的进程数:2 及以上时,大批次由一个进程读取、其余进程判定(最多 2 个),"
                   "本进程同时写出;1 表示在本进程内依次读取、判定、写出。")
@zh.option("--operator", help="操作员姓名,记入账本和「审计」表(默认:当前登录的系统用户)。")
@zh.option("--encrypt-output", is_flag=True,
              help=f"给写出的工作簿设打开密码:用 --password 或 {protection.ENV} 的密码,都没有时提示输入(两次)。")
@password_option
@force_option
@ledger_option
@rules_option
def check(batches: tuple[Path, ...], output: str | None, workers: int, operator: str | None, force: bool,
          encrypt_output: bool, password: Password | None, book: Rulebook, ledger: ledgers.Ledger) -> None:
    """逐行检查「批次」中的申请,每个批次写出一个决定工作簿(结果、汇总、错误、审计)。

    批次可以是 .xlsx、.xlsm 或旧版 .xls;设了打开密码的加 --password。
    可给多个工作簿或一个文件夹:每个批次一个决定工作簿,另加一个「合并汇总.xlsx」;
    某个文件读不了会被报告,其余照常检查。

    示例:

        sscard check 申请批次.xlsx -o 决定.xlsx

        sscard check 加密批次.xls --password --encrypt-output

        sscard check 各网点/ -o 决定/
    """
    command_line = click.get_current_context().meta["command_line"]
    passwords = {"password": password, "output_password": _output_password(password) if encrypt_output else None}
    if len(batches) == 1 and not batches[0].is_dir():
        with row_progress(batches[0].name) as progress:
            summary = check_batch(batches[0], output, book, command_line=command_line, workers=workers,
                                  progress=progress, ledger=ledger, operator=operator, force=force, **passwords)
        _echo_summary(summary, book)
        return
    result = check_many(list(batches), output, book, command_line=command_line, workers=workers, ledger=ledger,
                        operator=operator, force=force, **passwords, on_done=_echo_done)
    if result.ignored:
        named = "、".join(map(str, result.ignored[:10])) + ("等" if len(result.ignored) > 10 else "")
        click.echo(f"注意:{len(result.ignored)} 个文件不是 Excel 工作簿,未检查:{named}")
    click.echo(f"共 {len(result.summaries)} 个批次完成、{len(result.failures)} 个失败,申请 {result.rows} 行")
    for verdict in book.verdicts:
        if result.verdicts[verdict]:
            click.echo(f"  {verdict}: {result.verdicts[verdict]}")
    click.echo(_fees(result, book))
    if result.combined:
        click.echo(f"已写出 {result.combined}")
    if result.failures:
        raise SystemExit(2)


def _echo_done(path: Path, summary, error: str | None) -> None:
    click.echo(f"{path}: {'失败:' + error if error else f'{summary.rows} 行 -> {summary.output}'}")
    for note in summary.notes if summary else ():
        click.echo(f"  注意:{note}")


def _fees(totals, book: Rulebook) -> str:
    return (f"应收 {totals.total_due:g} 元;补正后应收 {totals.total_pending:g} 元"
            f"(「{book.missing_verdict}」的申请补齐材料后收取)")


def _echo_summary(summary, book: Rulebook) -> None:
    where = "工作表「{}」".format(summary.sheet)
    if not summary.sheet_found_by_name:
        where += f"(未找到「{book.schema.sheet}」,已使用第一个可见的工作表)"
    click.echo(f"读取 {summary.input} {where}")
    for note in summary.notes:
        click.echo(f"注意:{note}")
    click.echo(f"申请 {summary.rows} 行,跳过空行 {summary.skipped} 行")
    for verdict in book.verdicts:
        if summary.verdicts[verdict]:
            click.echo(f"  {verdict}: {summary.verdicts[verdict]}")
    for line in summary.unlisted_lines():
        click.echo(f"  {line}")
    click.echo(_fees(summary, book) + f";输入问题 {summary.problems} 条(见「错误」表)")
    click.echo(f"已写出 {summary.output}")


@cli.command()
@click.argument("output", metavar="输出文件")
@force_option
@rules_option
def template(output: str, force: bool, book: Rulebook) -> None:
    """写出一个空白批次工作簿:正确的表头、下拉选项、文本格式的身份证号列,以及「说明」表。

    示例:

        sscard template 申请批次.xlsx
    """
    path = write_template(output, book, force=force)
    click.echo(f"已写出 {path}")


@cli.group("rules")
def rules_group() -> None:
    """政策人员:复制草案,检查、测试、比较、发布规则库(规则库是一个工作簿,默认为现行规则库)。"""


@rules_group.command("draft")
@click.argument("output", metavar="草案")
@force_option
def rules_draft(output: str, force: bool) -> None:
    """把现行规则库复制为草案工作簿「草案」,在 Excel、WPS 或 LibreOffice 中修改后检查、测试、发布。
    不覆盖已有的文件(可能是正在修改的草案),除非加 --force。

    示例:

        sscard rules draft 草案.xlsx
    """
    path = start_draft(live_rules(), output, force=force)
    click.echo(f"已把现行规则库 {shown_path(live_rules())} 复制为 {shown_path(path)};修改后请运行 "
               f"sscard rules lint {shown_path(path)}")


@rules_group.command("list")
@rulebook_argument
def rules_list(book: Rulebook) -> None:
    """列出每条规则(编号和名称、业务、条款、所在的表和行、生效日期、条件、结果、理由、是否解释性)、
    带生效日期的输入列,以及每个参数的类型和各期取值。

    示例:

        sscard rules list 草案.xlsx
    """
    for line in catalogue.text_lines(book):
        click.echo(line)


@rules_group.command("show")
@click.argument("rule_id", metavar="规则编号")
@rulebook_argument
def rules_show(rule_id: str, book: Rulebook) -> None:
    """显示一条规则:政策人员在规则库中写的样子(所在的表、行和各单元格),以及它编译成的、
    交给规则引擎 durable-rules 执行的规则(每类适用的业务一份)。

    示例:

        sscard rules show REISSUE-FEE

        sscard rules show REISSUE-FEE 草案.xlsx
    """
    lines = catalogue.show(book, rule_id)
    if lines is None:
        raise Refusal(f"规则库 {shown_path(book.path)} 中没有规则「{rule_id}」;sscard rules list 列出全部规则",
                      exit_code=2)
    for line in lines:
        click.echo(line)


@rules_group.command("test")
@rulebook_argument
@zh.option("--cases", type=zh.FILE, metavar="用例工作簿",
           help="改用另一个用例工作簿(第一张表:用例名称、输入列和期望列);默认:规则库中的「用例」表。")
@zh.option("--allow-uncovered", is_flag=True, help="有规则没有用例命中时仍以 0 退出(只测部分规则的用例工作簿)。")
@password_option
def rules_test(cases: Path | None, allow_uncovered: bool, password: Password | None, book: Rulebook) -> None:
    """运行规则库的用例(规则库中的「用例」表,或 --cases 给出的用例工作簿),列出每个失败的用例及差异
    (通过的只计数),再列出规则覆盖。

    退出码:0 全部通过且每条规则都有用例命中;1 有用例失败,或有规则没有用例命中
    (除非 --allow-uncovered);2 文件或规则库无法读取。

    示例:

        sscard rules test 草案.xlsx
    """
    report = case_book.run_cases(book, cases, password)
    where = shown_path(cases) if cases else f"{shown_path(book.path)}「{CASES}」表"
    click.echo(f"用例 {where};规则库 {shown_path(book.path)}(版本 {book.version})")
    for line in case_book.report_lines(report):
        click.echo(line)
    if report.failures:
        names = "、".join(o.case.name for o in report.failures)
        raise Refusal(f"{len(report.failures)} 个用例失败:{names}")
    if report.uncovered and not allow_uncovered:
        raise Refusal(f"{len(report.uncovered)} 条规则没有用例命中;请在「{CASES}」表中补充用例,"
                      "或用 --allow-uncovered 只测部分规则")


@rules_group.command("doc")
@rulebook_argument
@zh.option("-o", "--output", type=zh.FILE, help="写到该文件;不给则打印出来。")
def rules_doc(output: Path | None, book: Rulebook) -> None:
    """由规则库生成中文规则手册(Markdown):业务、输入列、每条规则(名称、条款、条件、生效日期、结果)、
    参数的各期取值与依据,解释性规则逐条标出。发布(rules publish)时会自动更新 docs/规则手册.md。

    示例:

        sscard rules doc 草案.xlsx -o 草案规则手册.md
    """
    if output:
        click.echo(f"已写出 {document.write_document(book, output)}")
    else:
        click.echo(document.markdown(book), nl=False)


@rules_group.command("publish")
@click.argument("draft", type=zh.PATH, metavar="草案")
@ledger_option
def rules_publish(draft: Path, ledger: ledgers.Ledger) -> None:
    """发布草案工作簿:先做 rules lint 和 rules test(草案中的「用例」表,每条规则都须有用例命中),
    有任何问题即拒绝且不改动任何文件;通过后按内容的 SHA-256 归档(版本号由发布日期和摘要生成,无须手填),
    把现行规则库替换为草案,更新 docs/规则手册.md,并记入账本(起草人和审批人都记为运行本命令的系统用户)。
    柜面服务上的发布须由另一位政策人员审批;本命令供系统管理员使用。

    退出码:0 已发布;1 检查未通过,未发布;2 草案无法读取。

    示例:

        sscard rules publish 草案.xlsx
    """
    operator = current_operator()
    result = publish(draft, live_rules(), archive(), ledger, Approval(operator, operator, COMMAND_LINE))
    click.echo(f"已发布:{result.book.name} 版本 {result.publication.version}")
    click.echo(f"  规则库 SHA-256 {result.book.digest}")
    click.echo(f"  已归档到 {shown_path(result.publication.path)}")
    if result.replaced:
        click.echo(f"  现行规则库 {shown_path(result.live)} 已替换为 {shown_path(draft)} 的内容")
    click.echo(f"  规则手册已更新:{shown_path(result.document)}")
    click.echo(f"  已记入账本 {ledger.path}(操作员 {operator})")


@rules_group.command("lint")
@click.argument("rules_file", required=False, type=zh.PATH, metavar="[规则库]")
def rules_lint(rules_file: Path | None) -> None:
    """检查规则库:每个单元格的写法和取值;逐一尝试每类业务在每个生效时段的每种合法输入组合,
    规则引擎与逐条核对的结果须一致(否则报「分歧」),且都有规则命中(空缺给出示例行);永不命中的规则;
    被更强结论总是覆盖的规则;同一结论下办理地点或费用参数互相矛盾的规则。每个问题都指出所在的表和单元格。

    退出码:0 未发现问题;1 发现问题。

    示例:

        sscard rules lint 草案.xlsx
    """
    rules_file = rules_file or live_rules()
    book, findings = rule_lint.lint_file(rules_file, archive().load)
    for line in rule_lint.report_lines(book, findings):
        click.echo(line)
    if findings:
        raise Refusal(f"规则库 {shown_path(rules_file)} 有 {len(findings)} 个问题")


@cli.command()
@click.argument("batch", type=zh.FILE, metavar="批次")
@zh.option("--old", "old_file", type=zh.PATH, default=None, show_default=LIVE, help="原规则库工作簿。")
@zh.option("--new", "new_file", type=zh.PATH, required=True, help="修改后的规则库工作簿(草案)。")
@zh.option("-o", "--output", help="影响工作簿(概要、结论矩阵、变化明细)的路径;不给则只打印概要。")
@force_option
@password_option
def diff(batch: Path, old_file: Path | None, new_file: Path, output: str | None, force: bool,
         password: Password | None) -> None:
    """用新旧两个规则库分别决定「批次」,列出规则库的变化,以及结论、费用或缺少材料有变化的行。

    示例:

        sscard diff 上月批次.xlsx --new 草案.xlsx -o 影响.xlsx
    """
    old, new = archive().load(old_file or live_rules()), archive().load(new_file)
    result, path = impact.diff(batch, old, new, output, force=force, password=password)
    for line in impact.summary_lines(result):
        click.echo(line)
    if path:
        click.echo(f"已写出 {path}")


@cli.command()
@click.argument("workbook", type=zh.FILE, metavar="工作簿")
@click.argument("request_id", metavar="申请编号")
@password_option
@recorded_rules_option
def explain(workbook: Path, request_id: str, password: Password | None, book: Rulebook) -> None:
    """说明「申请编号」的申请为何得到此结论:本业务的每条规则是否命中,未命中的是哪个条件、该行的实际值,
    尚未生效或已失效的规则注明其日期。

    「工作簿」可以是决定工作簿(显示记录的结论,并按其「审计」表记录的、已归档的规则库重新判断是否一致),
    也可以是批次工作簿(按现行规则库判断)。--rules 可改用另一个规则库。

    示例:

        sscard explain 决定.xlsx A0001
    """
    result = explaining.explain(workbook, request_id, book, password)
    for line in result.lines():
        click.echo(line)


@cli.command()
@click.argument("workbook", type=zh.FILE, metavar="决定工作簿")
@zh.option("--batch", type=zh.FILE,
              help="生成该工作簿的批次:核对其 SHA-256,并重新判断每一行,列出结论不同的行。")
@zh.option("--without-ledger", is_flag=True, help="不查账本,只核对工作簿本身(并如此说明)。")
@password_option
@ledger_option
@recorded_rules_option
def verify(workbook: Path, batch: Path | None, without_ledger: bool, password: Password | None, book: Rulebook,
           ledger: ledgers.Ledger) -> None:
    """核对决定工作簿:每行的核验码、「审计」表,以及账本中该工作簿的运行(每行核验码、记录摘要、
    至该运行的哈希链);给出 --batch 时再查批次是否相符,并按工作簿记录的(已归档的)规则库重新判断
    每一行;用 --rules 指定另一个规则库时,列出按它结论会变的行(规则漂移)。最后列出核对所依据的证据。

    退出码:0 一切相符;1 有被改动或会变的行、账本中没有该运行或与之不符(逐条列出);2 文件无法读取。

    示例:

        sscard verify 决定.xlsx --batch 申请批次.xlsx
    """
    result = verifying.verify_workbook(workbook, book, batch, None if without_ledger else ledger, password)
    for note in result.notes:
        click.echo(f"注意:{note}")
    for finding in result.findings:
        click.echo(str(finding))
    click.echo(f"运行 {result.run_id or '(未记录)'},操作员 {result.operator or '(未记录)'};核对依据:")
    for line in result.evidence:
        click.echo(f"  {line}")
    if not result.ok:
        raise Refusal(f"{workbook} 核对未通过:{len(result.findings)} 个问题")
    click.echo(f"{workbook} 核对通过:{result.rows} 行的核验码与审计记录均相符"
               + ("" if without_ledger else "、与账本一致")
               + (f"、批次无规则漂移(按规则库 {book.version} 重新判断结果相同)" if batch else ""))


@cli.command()
@click.argument("decisions", type=zh.FILE, metavar="决定工作簿")
@zh.option("-o", "--output", metavar="文件", help="告知书 PDF 的路径(默认:决定工作簿旁的 <名称>.告知书.pdf)。")
@zh.option("--id", "ids", multiple=True, metavar="申请编号", help="只打印这些申请编号(可重复给出;大小写、全角半角或连字符不同也算同一编号)。默认:每个可出具告知书的申请。")
@settings_option
@zh.option("--encrypt-output", is_flag=True,
           help=f"给告知书 PDF 设打开密码:用 --password 或 {protection.ENV} 的密码,都没有时提示输入(两次)。")
@zh.option("--without-ledger", is_flag=True,
           help="不查账本也打印(并在屏幕上说明);默认只依据账本证实了的决定工作簿打印。")
@password_option
@force_option
@ledger_option
@rules_option
def notices(decisions: Path, output: str | None, ids: tuple[str, ...], settings_path: Path | None,
            encrypt_output: bool, without_ledger: bool, password: Password | None, force: bool, book: Rulebook,
            ledger: ledgers.Ledger) -> None:
    """为「决定工作簿」中的申请打印交给申请人的告知书(PDF,每个申请一页)。

    受理:受理回执;补正材料:一次性告知书(列明全部须补正的材料和补正地点);不予受理:
    不予受理告知书(理由及依据);转银行办理:转办告知单;人工复核:收件回执。输入有误的行
    不出具告知书(请改正后重新检查)。每页有申请编号、姓名、隐去中间位的公民身份号码、
    申请日期、费用、经办机构名称和地址,以及经办人签字栏;不予受理告知书写明依据的文件和条款,
    以及申请行政复议、提起行政诉讼的机关和期限(取自设置文件的 [appeal] 一节)。

    只依据账本证实了的决定工作簿打印:工作簿的运行须在账本中,且每行与账本记录一致
    (与 sscard verify 的账本核对相同);--without-ledger 不查账本也打印。

    示例:

        sscard notices 申请批次.decisions.xlsx -o 告知书.pdf

        sscard notices 申请批次.decisions.xlsx --id SQ20260302-0001 --id SQ20260302-0007
    """
    settings = office_settings.load_settings(settings_path)
    if settings.office_message():
        _say(settings.office_message())
    if without_ledger:
        _say("注意:未查账本(--without-ledger):告知书只依据工作簿本身的核验码,未经账本证实")
    target = output or decisions.with_name(f"{decisions.stem.removesuffix('.decisions')}.告知书.pdf")
    result = write_notices(decisions, target, book, settings, ids, password,
                           _output_password(password) if encrypt_output else None, force=force,
                           ledger=None if without_ledger else ledger)
    for note in result.notes:
        _say(note)
    for line in result.skipped:
        click.echo(line)
    kinds = "、".join(f"{title} {count} 份" for title, count in result.pages.items())
    click.echo(f"已写出 {result.output}:共 {sum(result.pages.values())} 页({kinds})")


@cli.command()
@click.argument("request_id", required=False, metavar="申请编号")
@zh.option("--verify", "check_chain", is_flag=True, help="核对账本的哈希链:有运行被删除或改动时以 1 退出。")
@zh.option("--anchor", "anchors", multiple=True, metavar="决定工作簿|序号:哈希",
              help="与 --verify 同用:账本之外保存的证据(决定工作簿,或 history --head 打印的「序号:哈希」);"
                   "账本比锚点证明的短或不符时以 1 退出。可给多次。")
@zh.option("--head", "print_head", is_flag=True, help="只打印账本最新一条运行的「序号:哈希」,请另行保存,日后作锚点。")
@ledger_option
def history(request_id: str | None, check_chain: bool, anchors: tuple[str, ...], print_head: bool,
            ledger: ledgers.Ledger) -> None:
    """列出账本中的每次 check 运行(含操作员,时间为本机时间)和每次规则库发布(版本、起草人、审批人);
    给出「申请编号」时列出该申请历次的决定
    (不分大小写、全角半角和连字符写法),最新一次运行的标「最新」。

    示例:

        sscard history

        sscard history A0001

        sscard history --head > 账本头.txt

        sscard history --verify --anchor 决定.xlsx --anchor "$(cat 账本头.txt)"
    """
    if print_head:
        click.echo(ledger.head())
    elif check_chain:
        report = ledger.verify(verifying.history_anchors(anchors), thorough=True)
        for problem in report.problems:
            click.echo(problem)
        if not report.intact:
            raise Refusal(f"账本 {ledger.path} 核对未通过:{report.problems[0]}")
        anchored = f";{report.anchors} 个锚点均相符" if report.anchors else ";未给锚点,无法发现末尾被删除的运行"
        click.echo(f"账本 {ledger.path} 完好:{report.runs} 次运行,最新 {report.head}{anchored}")
    elif request_id:
        past = ledger.decisions_for(request_id)
        if not past:
            click.echo(f"账本中没有申请编号「{request_id}」的决定")
            return
        click.echo(f"账本中申请编号「{request_id}」的决定 {len(past)} 条,按运行先后(时间为本机时间;"
                   "大小写、全角半角或连字符不同的写法算同一编号):")
        latest = past[-1].run.seq
        for d in past:
            mark = "" if d.intact else "[哈希不符,记录已被改动] "
            click.echo(f"{mark}{d.run.seq:>4}  {d.run.when}  运行 {d.run.run_id[:12]}  {d.run.input_name} 第 {d.row} 行"
                       f"  申请编号 {d.request_id}  {d.verdict}  费用 {d.fee:g}  缺少材料 {d.missing or '无'}"
                       f"  规则 {labels.one_line(d.rules)}  规则库 {d.run.rulebook_version}"
                       f"  操作员 {d.run.operator or '(未记录)'}" + ("  〔最新〕" if d.run.seq == latest else ""))
    else:
        runs, pending = ledger.runs(), ledger.pending_runs()
        if not runs and not pending:
            click.echo(f"账本 {ledger.path} 中还没有运行记录")
        for run in runs:
            click.echo(f"{run.seq:>4}  {run.when}  运行 {run.run_id[:12]}  {run.input_name}  {run.rows} 行"
                       f"  规则库 {run.rulebook_version}  操作员 {run.operator or '(未记录)'}  {run.command_line}")
        for run in pending:
            click.echo(f"   …  进行中(尚未确认)  运行 {run.run_id[:12]}  {run.input_name}  进程 {run.pid}@{run.host}")
        for published in ledger.publications():
            click.echo(f"发布  {published.when}  规则库 {published.rulebook_version}  起草 {published.drafted_by}"
                       f"  审批 {published.approved_by}  经{published.via}")


@cli.group("ledger")
def ledger_group() -> None:
    """决定账本:备份。"""


@ledger_group.command("backup")
@click.argument("destination", metavar="备份文件")
@force_option
@ledger_option
def ledger_backup(destination: str, force: bool, ledger: ledgers.Ledger) -> None:
    """把决定账本完整复制到「备份文件」:别人正在检查批次时也可以做(SQLite 在线备份),
    复制后先做 SQLite 完整性检查并核对哈希链,通过才放到位。恢复方法见用户手册 docs/用户手册/系统管理员.md「恢复」。

    退出码:0 备份完好;1 备份已写出,但账本的哈希链有断裂(逐条列出);2 账本损坏或无法写出备份。

    示例:

        sscard ledger backup /备份/账本-2026-12-04.sqlite3
    """
    report = ledger.backup(destination, force=force)
    for problem in report.chain.problems:
        click.echo(problem)
    click.echo(f"已把账本 {ledger.path} 备份到 {report.path}:{report.chain.runs} 次运行,最新 {report.chain.head};"
               "SQLite 完整性检查通过" + (",哈希链完好" if report.chain.intact else ""))
    if not report.chain.intact:
        raise Refusal(f"账本 {ledger.path} 的哈希链有断裂(备份如实保留了现状):{report.chain.problems[0]}")


@cli.command()
@zh.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址;默认只有本机能打开。其他地址(如 0.0.0.0)须先用 sscard users add 建立账户,每人以自己的账户登录。")
@zh.option("--port", type=zh.Count(0, 65535), default=8000, show_default=True, help="端口。")
@data_option
@settings_option
@zh.option("--max-upload-mb", type=zh.Count(1), default=desk_config.DEFAULT_MAX_UPLOAD_MB,
              show_default=True, help="单次上传的大小上限(MB)。")
@zh.option("--keep-days", type=zh.Count(1), default=desk_config.DEFAULT_KEEP_DAYS, show_default=True,
              help="上传的批次和结果保存的天数,过期删除(台账中的决定记录不删)。")
@ledger_option
@rules_option
def serve(host: str, port: int, data_dir: Path | None, settings_path: Path | None, max_upload_mb: int,
          keep_days: int, book: Rulebook, ledger: ledgers.Ledger) -> None:
    """柜面服务:在浏览器中检查批次、查询、核验、查看规则和台账,管理账户和设置。

    只在本机(127.0.0.1)提供、且没有账户时,本机用户无须登录;一旦建立了账户,或在其他地址上、
    经代理服务器提供服务,每人须用自己的账户登录(sscard users add)。

    示例:

        sscard serve

        sscard serve --host 0.0.0.0 --port 8000 --settings /etc/sscard/settings.toml
    """
    from desk.serve import serve as serve_desk  # the web stack loads only for this command
    from engine.office.accounts import Accounts

    settings = settings_path or office_settings.default_path()
    config = desk_config.DeskConfig(_data(data_dir), settings, host, port, max_upload_mb, keep_days,
                                    desk_config.trusted_proxies(settings))
    accounts = Accounts(config.data)
    old_code = bool(os.environ.get(desk_config.OLD_ACCESS_CODE_ENV))
    config.refuse_without_accounts(accounts.exist(), old_code)
    if old_code:
        click.echo(f"注意:{desk_config.OLD_ACCESS_CODE_ENV} 已不再使用(每人用自己的账户登录),可从服务配置中删去", err=True)
    serve_desk(config, book, ledger, archive(), accounts, on_ready=lambda url: click.echo(
        f"sscard 柜面服务已启动:{url}(数据目录 {config.data};按 Ctrl-C 停止)"))


@cli.group("users")
def users_group() -> None:
    """管理员:柜面服务的账户(每人一个,角色为 经办、审计、政策、管理员 中的一个或几个)。

    与 serve 使用同一个 --data 文件夹;柜面服务运行时也可以修改,立即生效。
    """


def _roles_option(command):
    from engine.office.accounts import ROLES
    return zh.option("--role", "roles", multiple=True, required=True, type=zh.Choice(ROLES), metavar="角色",
                     help=f"角色,可重复给出:{'、'.join(ROLES)}。")(command)


def _accounts(data_dir: Path | None):
    from engine.office.accounts import Accounts
    return Accounts(_data(data_dir))


def _new_password(name: str) -> str:
    """From SSCARD_NEW_PASSWORD in scripts, else typed twice without echo."""
    from engine.office.accounts import PASSWORD_ENV
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    instead = f"请改用环境变量 {PASSWORD_ENV} 提供新密码"
    first = _prompt(f"「{name}」的新密码", instead)
    if _prompt("再输入一次", instead) != first:
        raise Refusal("两次输入的密码不一致;请重新运行", exit_code=2)
    return first


@users_group.command("add")
@click.argument("name", metavar="姓名")
@_roles_option
@data_option
def users_add(name: str, roles: tuple[str, ...], data_dir: Path | None) -> None:
    """为「姓名」建立账户:运行时提示输入两次密码(不回显);脚本中可用环境变量 SSCARD_NEW_PASSWORD。

    示例:

        sscard users add 张三 --role 经办

        sscard users add 李四 --role 审计 --role 管理员
    """
    accounts = _accounts(data_dir)
    from engine.office.accounts import clean_name
    account = accounts.add(name, roles, _new_password(clean_name(name)))
    click.echo(f"已建立账户「{account.name}」,角色 {'、'.join(account.roles)}(账户文件 {accounts.path})")


@users_group.command("list")
@data_option
def users_list(data_dir: Path | None) -> None:
    """列出每个账户:姓名、角色、是否在用、建立时间、最近登录。"""
    accounts = _accounts(data_dir)
    every = accounts.all()
    if not every:
        click.echo(f"还没有账户(账户文件 {accounts.path});用 sscard users add 姓名 --role 管理员 建立第一个")
    for account in every:
        click.echo(f"{account.name}  {'、'.join(account.roles)}  {'在用' if account.enabled else '已停用'}"
                   f"  建立于 {ledgers.local_time(account.created)}"
                   f"  最近登录 {ledgers.local_time(account.last_sign_in) if account.last_sign_in else '(从未)'}")


@users_group.command("disable")
@click.argument("name", metavar="姓名")
@data_option
def users_disable(name: str, data_dir: Path | None) -> None:
    """停用「姓名」的账户:不能再登录,已登录的立即退出;台账中的记录不变。可用 users enable 恢复。"""
    ended = _accounts(data_dir).disable(name)
    click.echo(f"已停用账户「{name}」" + (f";{ended} 个登录已退出" if ended else ""))


@users_group.command("enable")
@click.argument("name", metavar="姓名")
@data_option
def users_enable(name: str, data_dir: Path | None) -> None:
    """重新启用「姓名」的账户。"""
    _accounts(data_dir).enable(name)
    click.echo(f"已启用账户「{name}」")


@users_group.command("password")
@click.argument("name", metavar="姓名")
@data_option
def users_password(name: str, data_dir: Path | None) -> None:
    """为「姓名」设新密码(提示输入两次,或用 SSCARD_NEW_PASSWORD);其所有登录立即退出。"""
    accounts = _accounts(data_dir)
    if accounts.get(name) is None:
        raise Refusal(f"没有账户「{name}」;用 sscard users list 查看", exit_code=2)
    ended = accounts.set_password(name, _new_password(name))
    click.echo(f"已为「{name}」设新密码" + (f";{ended} 个登录已退出" if ended else ""))


@users_group.command("roles")
@click.argument("name", metavar="姓名")
@_roles_option
@data_option
def users_roles(name: str, roles: tuple[str, ...], data_dir: Path | None) -> None:
    """把「姓名」的角色改为给出的这些(下一次请求即生效)。

    示例:

        sscard users roles 张三 --role 经办 --role 审计
    """
    account = _accounts(data_dir).set_roles(name, roles)
    click.echo(f"「{account.name}」的角色已改为 {'、'.join(account.roles)}")


@cli.command()
@click.argument("destination", metavar="备份文件夹")
@data_option
@settings_option
@ledger_option
def backup(destination: str, data_dir: Path | None, settings_path: Path | None, ledger: ledgers.Ledger) -> None:
    """把柜面服务保存的一切备份到新的「备份文件夹」:保存中的批次(上传、决定工作簿、结果)、设置文件、
    规则库归档、账户(不含登录会话)和账本。柜面服务运行时也可以备份:数据库用 SQLite 的在线备份,
    得到某一时刻的一致副本;备份完成后逐一核对(SQLite 完整性检查、账本哈希链、每个文件的 SHA-256),
    清单写在 备份清单.json。恢复方法见用户手册 docs/用户手册/系统管理员.md「恢复」。

    退出码:0 已备份且核对无误;1 已备份,但账本的哈希链断裂(副本照原样保存,作为证据);2 无法备份。

    示例:

        sscard backup /mnt/备份/sscard-2026-12-04 --data /var/lib/sscard/desk --settings /var/lib/sscard/settings.toml
    """
    from engine.office.backup import back_up

    report = back_up(destination, data=_data(data_dir), ledger=ledger,
                     settings=settings_path or office_settings.default_path(), archive=archive().root)
    for line in report.copied:
        click.echo(f"  {line}")
    click.echo(f"已备份到 {report.destination}:{report.files} 个文件,均已核对(清单 备份清单.json)")
    if report.chain is not None and not report.chain.intact:
        raise Refusal(f"账本的哈希链断裂:{report.chain.problems[0]};副本已照原样保存,请联系维护人员")


def main() -> None:
    # SIGTERM (a service stopping, a session closing) ends sscard like Ctrl-C: cleaned up, one line.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    cli()


if __name__ == "__main__":
    main()
