"""The office's own details printed on every notice: its name, address and telephone.

They belong to the office, not to the rulebook, so they live in a settings file of the
office's machine: ``--settings PATH``, else ``SSCARD_SETTINGS``, else ``settings.toml`` in
the user's configuration directory.  It is TOML:

    [office]
    name = "齐齐哈尔市社会保障卡服务中心"
    address = "齐齐哈尔市龙沙区……"
    phone = "0452-……"

Without the file the notices leave these lines blank, to be written by hand, and the
command says so: an applicant's paper never carries an invented address.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from engine.papers.toml_words import toml_problem
from engine.errors import SscardError

ENV = "SSCARD_SETTINGS"
EXAMPLE = '[office] name = "……中心" address = "……" phone = "……"'


@dataclass(frozen=True)
class Office:
    name: str = ""
    address: str = ""
    phone: str = ""


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
    fields = {}
    for key in ("name", "address", "phone"):
        value = office.get(key, "")
        if not isinstance(value, str):
            raise SscardError(f"设置文件 {path} 中 [office] 的 {key} 应为带引号的文字,如 {key} = \"……\"")
        fields[key] = value.strip()
    return Settings(Office(**fields), path, found=True)
