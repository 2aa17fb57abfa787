"""What click itself prints is Chinese too: help headings, usage lines, errors (issue 11)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from cli import cli

ENGLISH = re.compile(r"Usage|Options|Commands|Error|Show this|Try '|No such|Missing|Invalid value|Got unexpected"
                     r"|\[default|\[required\]|Example|PATH|FILE|TEXT|INTEGER|DIRECTORY")


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("path", [(), *commands(cli)], ids=lambda p: " ".join(p) or "sscard")
def test_help_is_chinese_when_any_command_is_asked_for_help(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("用法:sscard")
    assert "选项:" in result.output and "显示本帮助并退出。" in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


@pytest.mark.parametrize(("args", "error"), [
    (("nosuch",), "错误:没有「nosuch」这个命令;可用的命令:backup、check、"),
    (("check",), "错误:缺少参数 批次..."),
    (("check", "--bogus", "a.xlsx"), "错误:没有选项 --bogus"),
    (("check", "--workers", "x", "a.xlsx"), "错误:--workers 的值有误:「x」不是整数"),
    (("template", "a.xlsx", "b.xlsx"), "错误:多余的参数:b.xlsx"),
    (("diff", "a.xlsx"), "错误:缺少选项 --new"),
    (("check", "-o"), "错误:选项 -o 后须给出一个值"),
])
def test_usage_errors_are_chinese_with_exit_code_2_when_the_command_line_is_wrong(args, error):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(error), result.output
    assert not ENGLISH.search(result.output), result.output


def test_usage_error_shows_the_usage_and_where_to_get_help_when_an_argument_is_missing():
    lines = invoke("check").output.splitlines()
    assert lines[:2] == ["用法:sscard check [选项] 批次...", "请运行「sscard check --help」查看帮助。"]


def test_a_folder_given_for_a_file_is_refused_in_chinese(tmp_path):
    result = invoke("explain", str(tmp_path), "A1")
    assert result.exit_code == 2
    assert f"错误:工作簿 的值有误:「{tmp_path}」是文件夹,这里须给出文件" in result.output


def test_engine_error_is_one_chinese_line_when_the_file_is_missing(tmp_path):
    result = invoke("explain", str(tmp_path / "无.xlsx"), "A1")
    assert result.exit_code == 2
    assert result.output.startswith("错误:") and len(result.output.strip().splitlines()) == 1
