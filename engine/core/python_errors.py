"""A Python error in a rule folder, said in Chinese to the policy officer who wrote it.

Python's own messages are English program text ("invalid syntax", "ZeroDivisionError:
division by zero"); a policy officer needs the file, the line, what is wrong there in
words, and what to do.  The names the officer wrote themselves (a misspelt column, a
module name) are quoted back as written.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from typing import Any

from engine.core.conditions import AND_OR_NOT

# (words Python uses, what they mean), most specific first
_SYNTAX = (
    ("was never closed", "括号未闭合"),
    ("unterminated triple-quoted string", "三引号字符串未闭合"),
    ("unterminated string", "引号未闭合"),
    ("does not match opening parenthesis", "括号不配对"),
    ("unmatched", "多了一个右括号"),
    ("Perhaps you forgot a comma", "可能漏了逗号"),
    ("Maybe you meant '==' or ':='", "把比较写成了赋值:比较相等请用 =="),
    ("Maybe you meant '=='", "把比较写成了赋值:比较相等请用 =="),
    ("cannot assign to", "等号左边不能赋值(比较相等请用 ==)"),
    ("keyword argument repeated", "同一参数写了两次"),
    ("positional argument follows keyword argument", "不带名字的参数须写在带名字的参数(如 clause=)之前"),
    ("unexpected indent", "行首多了缩进"),
    ("expected an indented block", "缺少缩进"),
    ("unindent does not match", "缩进与上文不一致"),
    ("invalid character", "含有无效字符(常见于全角标点:,()“”)"),
    ("invalid non-printable character", "含有不可见的字符"),
    ("invalid decimal literal", "数字写法有误(数字后紧跟了文字?)"),
    ("leading zeros in decimal integer", "数字不能以 0 开头(日期请写成 date(2027, 1, 1))"),
    ("expected ':'", "缺少冒号"),
    ("unexpected EOF", "文件意外结束(括号或引号未闭合)"),
    ("invalid syntax", "写法有误"),
)

_KINDS = {
    "NameError": "名称未定义",
    "ZeroDivisionError": "除以零",
    "TypeError": "类型不符",
    "ValueError": "取值有误",
    "KeyError": "找不到该键",
    "IndexError": "下标超出范围",
    "AttributeError": "没有这个属性",
    "RecursionError": "递归过深(多半是模块互相导入)",
    "ImportError": "导入失败",
    "ModuleNotFoundError": "找不到模块",
    "OverflowError": "数值过大",
    "UnicodeDecodeError": "文件不是 UTF-8 编码",
    "AssertionError": "断言不成立",
}


def syntax_words(error: SyntaxError) -> str:
    message = str(error.msg or "")
    what = next((words for text, words in _SYNTAX if text in message), "写法有误")
    column = f"第 {error.offset} 列附近" if error.offset else ""
    line = (error.text or "").strip()
    shown = f":{line}" if line else ""
    return f"{column}{what}{shown}"


def exception_words(error: BaseException, names: dict[str, Any]) -> str:
    """What went wrong, in Chinese; ``names`` maps class names a rule folder uses
    (Rule, Column, ...) to the classes, so a wrong or missing argument names the choices."""
    message = str(error)
    kind = type(error).__name__
    if isinstance(error, NameError):
        found = re.search(r"name '([^']+)' is not defined", message)
        if found:
            return f"名称 {found[1]} 未定义(拼写有误,或文件开头缺少 import)"
    if isinstance(error, ModuleNotFoundError):
        missing = (error.name or "").rsplit(".", 1)[-1]
        return f"找不到模块 {missing}(规则目录中没有 {missing}.py,或模块名拼写有误)"
    if isinstance(error, ImportError):
        found = re.search(r"cannot import name '([^']+)' from '([^']+)'", message)
        if found:
            module = found[2].split(".")[-1] if found[2].startswith("_sscard_rulebook_") else found[2]
            return f"模块 {module} 中没有 {found[1]}(拼写有误,或该模块未定义它)"
    if isinstance(error, AttributeError):
        found = re.search(r"has no attribute '([^']+)'", message)
        if found:
            return f"没有属性 {found[1]}(拼写有误?)"
    if isinstance(error, TypeError):
        return _type_error(message, names)
    return _KINDS.get(kind, "运行出错")


def _type_error(message: str, names: dict[str, Any]) -> str:
    if message == AND_OR_NOT:
        return "条件不能用 and、or、not 连接或放在 if 中;请用 & 表示且、| 表示或,每个比较加括号"
    owner = re.match(r"(\w+)\.__init__\(\)", message) or re.match(r"(\w+)\(\)", message)
    cls = names.get(owner[1]) if owner else None
    choices = f"(可用:{'、'.join(f.name for f in fields(cls) if f.init)})" if cls and is_dataclass(cls) else ""
    what = owner[1] if owner else "调用"
    found = re.search(r"unexpected keyword argument '([^']+)'", message)
    if found:
        return f"{what} 没有参数 {found[1]}{choices}"
    found = re.search(r"missing \d+ required (?:positional |keyword-only )?arguments?: (.+)", message)
    if found:
        missing = "、".join(re.findall(r"'([^']+)'", found[1]))
        return f"{what} 缺少必填的参数 {missing}"
    if "positional argument" in message:
        return f"{what} 的参数个数不对,请用 名称=值 的写法{choices}"
    if "unsupported operand type" in message or "not supported between" in message:
        return "条件只能由 row.列 的比较组成,并用 & 与 | 连接(每个比较加括号)"
    if "can only concatenate tuple" in message or "can only concatenate" in message:
        return "只能把元组与元组相加:单个规则或列写成 (Rule(...),),注意末尾的逗号"
    if "object is not callable" in message:
        return "把不是函数的东西当函数调用了(少了逗号?)"
    return "类型不符"
