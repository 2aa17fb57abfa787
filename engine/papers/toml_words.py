"""tomllib's English messages about a settings file, said in Chinese with the line and column."""

from __future__ import annotations

import re

_TOML_PROBLEMS = (
    ("Invalid value", "值的写法有误(文字须加引号,日期写成 2027-01-01,数字不加引号)"),
    ("Expected '=' after a key", "缺少等号:应写成 键 = 值"),
    ("Cannot overwrite a value", "同一项写了两次"),
    ("Cannot declare", "同一个表写了两次"),
    ("Unclosed array", "方括号未闭合"),
    ("Unclosed inline table", "花括号未闭合"),
    ("Unterminated string", "引号未闭合"),
    ("Illegal character", "含有不允许的字符(常见于全角标点)"),
    ("Invalid date or datetime", "日期写法有误(应写成 2027-01-01)"),
    ("Invalid statement", "这一行的写法有误"),
    ("Expected newline or end of document", "一行只能写一项"),
)


def toml_problem(message: str) -> str:
    """tomllib's English message, as a Chinese one with the line and column."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    where = f"第 {found[1]} 行第 {found[2]} 列附近" if found else ""
    if "end of document" in message and found is None:
        where = "文件末尾"
    what = next((words for text, words in _TOML_PROBLEMS if text in message), "格式有误")
    return f"{where}{what}"
