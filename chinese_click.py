"""click, in Chinese: every word click itself prints (usage, help headings, errors), through
click's own extension points: a HelpFormatter and Context, Command and Group classes, an
Option class, parameter types, and the group's ``main`` formatting errors.

A clerk reads ``用法:`` and ``错误:``, never ``Usage:``, ``Error:`` or ``No such command``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from click.exceptions import BadOptionUsage, MissingParameter, NoArgsIsHelpError, NoSuchOption

HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
HELP_OPTION = "显示本帮助并退出。"
VERSION_OPTION = "显示版本并退出。"


class Formatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法:" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))


class Context(click.Context):
    formatter_class = Formatter


class _Chinese:
    """What commands and groups share: the context, the help option's words."""

    context_class = Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class Command(_Chinese, click.Command):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Extra arguments are refused here, in Chinese, rather than by click in English.
        ctx.allow_extra_args = True
        rest = super().parse_args(ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            ctx.fail(f"多余的参数:{' '.join(ctx.args)}")
        return rest


class Group(_Chinese, click.Group):
    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            ctx.fail(f"没有「{name}」这个命令;可用的命令:{'、'.join(self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode: bool = True, **extra: Any):
        """click's main, with its messages in Chinese: errors go to stderr as one 错误 line."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except NoArgsIsHelpError as error:
            click.echo(error.format_message(), err=True)
            sys.exit(error.exit_code)
        except click.UsageError as error:
            _show_usage_error(error)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"错误:{message(error)}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("已中止。", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


Group.group_class = Group


class Option(click.Option):
    """``required`` and ``show_default`` said in the help text, in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.metavar is None and not self.is_flag and self.type is click.STRING:
            self.metavar = "文字"  # click would print TEXT
        notes = []
        if self.required:
            notes.append("必填")
        if isinstance(self.show_default, str):
            notes.append(f"默认:{self.show_default}")
        elif self.show_default is True and self.default is not None and not callable(self.default):
            notes.append(f"默认:{self.default}")
        if notes:
            self.help = f"{self.help or ''}({';'.join(notes)})"

    def get_help_extra(self, ctx: click.Context):
        return {}


def option(*names: str, **attrs: Any):
    return click.option(*names, cls=Option, **attrs)


class PathType(click.Path):
    """A path; a folder where a file is wanted (or the reverse) refused in Chinese."""

    def __init__(self, *, file_okay: bool = True, dir_okay: bool = True):
        super().__init__(file_okay=file_okay, dir_okay=dir_okay, path_type=Path)
        self.name = "文件" if not dir_okay else "文件夹" if not file_okay else "路径"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        path = os.fspath(value)
        if not self.dir_okay and os.path.isdir(path):
            self.fail(f"「{path}」是文件夹,这里须给出文件", param, ctx)
        if not self.file_okay and os.path.isfile(path):
            self.fail(f"「{path}」是文件,这里须给出文件夹", param, ctx)
        return super().convert(value, param, ctx)


class Count(click.ParamType):
    """A whole number from ``minimum`` (to ``maximum``)."""

    name = "整数"

    def __init__(self, minimum: int, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"「{value}」不是整数", param, ctx)
        if number < self.minimum:
            self.fail(f"{number} 小于 {self.minimum}", param, ctx)
        if self.maximum is not None and number > self.maximum:
            self.fail(f"{number} 大于 {self.maximum}", param, ctx)
        return number


class Choice(click.Choice):
    """One of a few words; anything else refused naming them."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if value in self.choices:
            return value
        self.fail(f"「{value}」不是可选的值;可选:{'、'.join(map(str, self.choices))}", param, ctx)


FILE = PathType(dir_okay=False)
FOLDER = PathType(file_okay=False)
PATH = PathType()


def message(error: click.ClickException) -> str:
    """The error in Chinese: click's own errors from what they carry, ours as they are."""
    ctx = getattr(error, "ctx", None)
    if isinstance(error, NoSuchOption):
        text = f"没有选项 {error.option_name}"
        return text + (f";是否指 {'、'.join(sorted(error.possibilities))}?" if error.possibilities else "")
    if isinstance(error, BadOptionUsage):
        name = error.option_name
        return f"选项 {name} 不接受值" if "does not take" in error.message else f"选项 {name} 后须给出一个值"
    if isinstance(error, MissingParameter):
        param = error.param
        if param is None:
            return "缺少参数"
        kind = "选项" if param.param_type_name == "option" else "参数"
        return f"缺少{kind} {_name(param, ctx)}"
    if isinstance(error, click.BadParameter):
        return f"{_name(error.param, ctx)} 的值有误:{error.message}" if error.param else error.message
    return error.format_message()


def _name(param: click.Parameter, ctx: click.Context | None) -> str:
    """An option by its flags, an argument by the name its usage line shows."""
    if param.param_type_name == "option" or ctx is None:
        return " / ".join(param.opts)
    return param.make_metavar(ctx)


def _show_usage_error(error: click.UsageError) -> None:
    ctx = error.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        names = ctx.help_option_names
        if names and ctx.command.get_help_option(ctx) is not None:
            click.echo(f"请运行「{ctx.command_path} {names[0]}」查看帮助。", err=True)
        click.echo("", err=True)
    click.echo(f"错误:{message(error)}", err=True)
