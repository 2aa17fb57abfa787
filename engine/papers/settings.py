"""The office's own details printed on every notice: its name, address and telephone.

They belong to the office, not to the rulebook, so they live in a settings file of the
office's machine: ``--settings PATH``, else ``SSCARD_SETTINGS``, else ``settings.toml`` in
the user's configuration directory.  It is TOML:

    [office]
    name = "齐齐哈尔市社会保障卡服务中心"
    address = "齐齐哈尔市龙沙区……"
    phone = "0452-……"
    review_body = "齐齐哈尔市人民政府"      # 行政复议 is applied for there ...
    review_days = 60                       # ... within this many days (行政复议法: 六十日)
    court = "齐齐哈尔市龙沙区人民法院"      # 行政诉讼 is brought there ...
    litigation_months = 6                  # ... within this many months (行政诉讼法: 六个月)

Without the file the notices leave these lines blank, to be written by hand, and the
command says so: an applicant's paper never carries an invented address.  The counter
desk's 管理员 edits the same file (``save_office``); other sections and comments in it
are kept as they were.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import tomlkit
from tomlkit.exceptions import ParseError as TomlParseError

from engine.core.parameters import toml_problem
from engine.errors import SscardError, describe_os_error

ENV = "SSCARD_SETTINGS"
EXAMPLE = '[office] name = "……中心" address = "……" phone = "……"'


@dataclass(frozen=True)
class Office:
    name: str = ""
    address: str = ""
    phone: str = ""
    review_body: str = ""  # where a refusal is contested by 行政复议 ...
    review_days: int | None = None  # ... and within how many days
    court: str = ""  # where by 行政诉讼 ...
    litigation_months: int | None = None  # ... and within how many months

    @property
    def complete(self) -> bool:
        return all(getattr(self, f.name) not in ("", None) for f in dataclasses.fields(self))


TEXT_FIELDS = ("name", "address", "phone", "review_body", "court")
PERIOD_FIELDS = ("review_days", "litigation_months")


@dataclass(frozen=True)
class Settings:
    office: Office
    path: Path
    found: bool

    def missing_message(self) -> str:
        return (f"注意:未找到设置文件 {self.path},告知书上的经办机构名称、地址和电话留空待手写;"
                f"请创建该文件(TOML),写入 {EXAMPLE}")


def default_path() -> Path:
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_config_dir("sscard")) / "settings.toml"


def load_settings(path: str | Path | None = None) -> Settings:
    path = Path(path) if path else default_path()
    if not path.is_file():
        return Settings(Office(), path, found=False)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise SscardError(f"无法读取设置文件 {path};请检查文件权限,并以 UTF-8 编码保存") from None
    except tomllib.TOMLDecodeError as error:
        raise SscardError(f"设置文件 {path} {toml_problem(str(error))};应为 TOML,如 {EXAMPLE}") from None
    office = data.get("office")
    if not isinstance(office, dict):
        raise SscardError(f"设置文件 {path} 缺少 [office] 一节;应写成 {EXAMPLE}")
    fields: dict = {}
    for key in TEXT_FIELDS:
        value = office.get(key, "")
        if not isinstance(value, str):
            raise SscardError(f"设置文件 {path} 中 [office] 的 {key} 应为带引号的文字,如 {key} = \"……\"")
        fields[key] = value.strip()
    for key in PERIOD_FIELDS:
        value = office.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise SscardError(f"设置文件 {path} 中 [office] 的 {key} 应为正整数(不加引号),如 {key} = 60")
        fields[key] = value
    return Settings(Office(**fields), path, found=True)


def save_office(path: str | Path, office: Office) -> Path:
    """Write ``office`` into the settings file's [office] section, keeping the rest of the
    file (other sections, comments) as it was; the file is replaced whole, never half-written."""
    path = Path(path)
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    except (OSError, UnicodeDecodeError, TomlParseError):
        raise SscardError(f"设置文件 {path} 无法读取或不是 TOML,未保存;请检查该文件") from None
    section = document.setdefault("office", tomlkit.table())
    for key, value in dataclasses.asdict(office).items():
        if value in ("", None):
            section.pop(key, None)
        else:
            section[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".settings.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(tomlkit.dumps(document))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise SscardError(f"无法保存设置文件 {path}({describe_os_error(error)});请检查该文件夹的权限") from None
    return path
