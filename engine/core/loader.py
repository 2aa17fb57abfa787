"""Load a rulebook from a directory, once, as the bytes it held at that moment.

A rulebook directory is a Python package whose ``__init__`` defines ``RULEBOOK``, plus
its parameter file.  Its files are read into memory first (``read_source``) and the
package is imported from those bytes, never from the folder again.  So the rulebook
that decides, the one that is hashed for the 审计 sheet and the ledger, and the one
handed to worker processes are the same, even if someone edits the folder mid-run.

The package is imported under a name of its own, so a draft and the live rulebook sit
side by side in one process.  Loading runs the Python in the directory: a folder that
another user could have written is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.abc
import importlib.util
import itertools
import os
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from engine.core.origin import shown_path
from engine.core.parameters import parse_parameters
from engine.core.python_errors import exception_words, syntax_words
from engine.core.rulebook import Rule, Rulebook, Service
from engine.core.schema import Column, Schema
from engine.core.validation import validate
from engine.errors import RulebookError

_loaded = itertools.count()
SOURCE_SUFFIXES = (".py", ".toml")
# The classes a rule folder builds with, so a wrong argument is answered with the right ones.
_DECLARATIONS = {cls.__name__: cls for cls in (Rule, Service, Rulebook, Column, Schema)}
UNPUBLISHED = "草案"


@dataclass(frozen=True)
class RulebookSource:
    """The rulebook's files, as read once: relative POSIX path -> content."""

    origin: Path  # the directory they were read from, for messages
    files: dict[str, bytes] = field(repr=False)


def read_source(directory: str | Path) -> RulebookSource:
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise RulebookError(f"规则目录 {directory} 不存在或不是文件夹;请用 --rules 指向含 __init__.py 的规则目录")
    if not (directory / "__init__.py").is_file():
        raise RulebookError(f"{directory} 不是规则目录:缺少 __init__.py;请指向复制自 rules/ 的整个文件夹")
    files: dict[str, bytes] = {}
    _refuse_foreign(directory)
    for path in sorted(directory.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or "__pycache__" in path.parts or not path.is_file():
            continue
        _refuse_foreign(path)
        try:
            files[path.relative_to(directory).as_posix()] = path.read_bytes()
        except OSError as error:
            raise RulebookError(f"无法读取规则文件 {path}:{error.strerror};请检查文件权限") from None
    return RulebookSource(directory, files)


def _refuse_foreign(path: Path) -> None:
    """A rule folder is a program sscard runs: only its owner (or root) may have written it."""
    if os.name != "posix":
        return
    info = path.stat()
    if info.st_uid not in (os.getuid(), 0):
        raise RulebookError(f"规则目录中的 {path} 属于另一用户(uid {info.st_uid});规则目录中的 Python 会被执行,"
                            "请复制一份归自己所有的规则目录再使用")
    if info.st_mode & stat.S_IWOTH:
        raise RulebookError(f"规则目录中的 {path} 任何人都可写入;规则目录中的 Python 会被执行,"
                            f"请先执行 chmod o-w '{path}'")


def load_rulebook(directory: str | Path) -> Rulebook:
    return load_source(read_source(directory))


def load_source(source: RulebookSource) -> Rulebook:
    name = f"_sscard_rulebook_{next(_loaded)}"
    finder = _SourceFinder(name, source)
    sys.meta_path.insert(0, finder)
    module = _import(name, source.origin)
    book = getattr(module, "RULEBOOK", None)
    if not isinstance(book, Rulebook):
        raise RulebookError(f"{shown_path(source.origin / '__init__.py')} 没有定义 RULEBOOK = Rulebook(...);"
                            "请对照随 sscard 提供的 rules/__init__.py")
    if not isinstance(book.services, (tuple, list)) or not all(isinstance(s, Service) for s in book.services):
        raise RulebookError(f"{shown_path(source.origin / '__init__.py')} 的 services 须是 Service(...) 的清单;"
                            "请对照随 sscard 提供的 rules/services.py")
    book.services = tuple(_with_rules(name, service, source) for service in book.services)
    parameters_file = book.parameters_file
    if parameters_file not in source.files:
        raise RulebookError(f"参数文件 {shown_path(source.origin / parameters_file)} 不存在;"
                            f"请从 rules/ 复制 {parameters_file}")
    book.directory = source.origin
    try:
        text = source.files[parameters_file].decode("utf-8")
    except UnicodeDecodeError:
        raise RulebookError(f"参数文件 {shown_path(source.origin / parameters_file)} 不是 UTF-8 编码;"
                            "请用文本编辑器另存为 UTF-8") from None
    book.parameters = parse_parameters(text, source.origin / parameters_file)
    deciding = sorted(finder.served | {parameters_file})
    book.source = RulebookSource(source.origin, {path: source.files[path] for path in deciding})
    book.files = {path: hashlib.sha256(source.files[path]).hexdigest() for path in deciding}
    book.digest = hashlib.sha256("".join(f"{k}\0{v}\n" for k, v in book.files.items()).encode()).hexdigest()
    # Never by hand: a published rulebook gets its version from the archive (engine.records.archive).
    book.version = f"{UNPUBLISHED}-{book.digest[:8]}"
    validate(book)
    return book


def _import(module: str, origin: Path):
    """Import a module of the rule folder; any failure is one line naming the file and line."""
    with explained(origin):
        return importlib.import_module(module)


def run_file(path: Path) -> dict[str, Any]:
    """Run one more Python file of a rule folder (its case table) and return the names it
    defines; it is trusted, and its failures said, exactly as the rules are."""
    path = Path(path).resolve()
    _refuse_foreign(path)
    namespace: dict[str, Any] = {"__name__": f"_sscard_file_{next(_loaded)}", "__file__": str(path)}
    with explained(path.parent):
        exec(compile(path.read_bytes(), str(path), "exec", dont_inherit=True), namespace)
    return namespace


@contextmanager
def explained(origin: Path) -> Iterator[None]:
    """Python run from the rule folder ``origin``: a failure becomes one Chinese line naming
    the file and line to fix."""
    try:
        yield
    except RulebookError:
        raise
    except SyntaxError as error:
        raise RulebookError(f"规则文件 {shown_path(error.filename or origin)} 第 {error.lineno} 行有语法错误:"
                            f"{syntax_words(error)};请修正该行后重试") from None
    except Exception as error:
        raise RulebookError(f"{_innermost_rule_line(error, origin)}出错:{exception_words(error, _DECLARATIONS)};"
                            "请修正该处后重试") from None


def _with_rules(package: str, service: Service, source: RulebookSource) -> Service:
    """The service with the ``RULES`` of the module named by its code."""
    path = source.origin / f"{service.code}.py"
    if f"{service.code}.py" not in source.files:
        raise RulebookError(f"业务「{service.name}」({service.code})已在业务清单中声明,但规则目录中没有 {shown_path(path)};"
                            "请添加该业务的规则模块,或从业务清单中删除它")
    rules = getattr(_import(f"{package}.{service.code}", source.origin), "RULES", None)
    if not isinstance(rules, (tuple, list)) or not all(isinstance(rule, Rule) for rule in rules):
        raise RulebookError(f"规则文件 {shown_path(path)} 须定义 RULES = (Rule(...), ...),其中每一项都是 Rule;"
                            "请对照随 sscard 提供的规则模块")
    return dataclasses.replace(service, rules=tuple(rules))


def _innermost_rule_line(error: BaseException, origin: Path) -> str:
    """The deepest frame inside the rule folder: the line a policy officer must fix."""
    found = f"规则目录 {shown_path(origin)} 加载时"
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.startswith(str(origin)):
            found = f"规则文件 {shown_path(filename)} 第 {trace.tb_lineno} 行"
        trace = trace.tb_next
    return found


class _SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the rulebook package and its submodules from the bytes read at load."""

    def __init__(self, package: str, source: RulebookSource):
        self.package = package
        self.source = source
        self.served: set[str] = set()  # the files that were imported: what decides a row

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.package and not fullname.startswith(self.package + "."):
            return None
        inner = fullname[len(self.package) + 1:].replace(".", "/")
        for relative, is_package in ((f"{inner}/__init__.py" if inner else "__init__.py", True), (f"{inner}.py", False)):
            if relative in self.source.files:
                spec = importlib.util.spec_from_loader(fullname, self, origin=str(self.source.origin / relative),
                                                       is_package=is_package)
                spec.has_location = True
                if is_package:
                    spec.submodule_search_locations = []  # never look on disk: only the bytes read at load
                return spec
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        origin = Path(module.__spec__.origin)
        relative = origin.relative_to(self.source.origin).as_posix()
        self.served.add(relative)
        code = compile(self.source.files[relative], str(origin), "exec", dont_inherit=True)
        exec(code, module.__dict__)
