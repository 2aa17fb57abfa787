"""The office's own details printed on the notices: its name, address and telephone on
every page, and, on a refusal, where and within what time the applicant may contest it.

They belong to the office, not to the rulebook, so they live in a settings file of the
office's machine: ``--settings PATH``, else ``SSCARD_SETTINGS``, else ``settings.toml`` in
the user's configuration directory.  It is TOML:

    [office]
    name = "齐齐哈尔市社会保障卡服务中心"
    address = "齐齐哈尔市龙沙区……"
    phone = "0452-……"

    [appeal]
    review_body = "齐齐哈尔市人民政府"          # 行政复议机关
    review_within = "六十日"
    court = "齐齐哈尔市龙沙区人民法院"          # 行政诉讼
    sue_within = "六个月"

Without them the notices leave these lines blank, to be written by hand, and the
command says so: an applicant's paper never carries an invented address or body.  The
counter desk's 管理员 edits the same file on its 设置 page (``save_settings``).
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

from engine.errors import SscardError, describe_os_error
from engine.papers.toml_words import toml_problem

ENV = "SSCARD_SETTINGS"
EXAMPLE = '[office] name = "……中心" address = "……" phone = "……"'
APPEAL_EXAMPLE = '[appeal] review_body = "……人民政府" review_within = "六十日" court = "……人民法院" sue_within = "六个月"'
OFFICE_KEYS = {"name": "经办机构名称", "address": "地址", "phone": "电话"}
APPEAL_KEYS = {"review_body": "行政复议机关", "review_within": "申请行政复议的期限", "court": "提起行政诉讼的法院",
               "sue_within": "提起行政诉讼的期限"}


@dataclass(frozen=True)
class Office:
    name: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Appeal:
    """How an applicant contests a refusal (行政复议, 行政诉讼): the bodies and time limits."""

    review_body: str = ""
    review_within: str = ""
    court: str = ""
    sue_within: str = ""


@dataclass(frozen=True)
class Settings:
    office: Office
    path: Path
    found: bool
    appeal: Appeal = Appeal()

    def missing_message(self) -> str:
        return (f"注意:未找到设置文件 {self.path},告知书上的经办机构名称、地址和电话留空待手写;"
                f"请创建该文件(TOML),写入 {EXAMPLE}")

    def office_message(self) -> str:
        """What every notice leaves to be written by hand, and how to fill it in; "" if nothing."""
        if not self.found:
            return self.missing_message()
        missing = [words for key, words in OFFICE_KEYS.items() if not getattr(self.office, key)]
        if not missing:
            return ""
        return (f"注意:设置文件 {self.path} 未写明{'、'.join(missing)},告知书上的这些内容留空待手写;"
                f"请在设置文件中写入 {EXAMPLE}")

    def appeal_message(self) -> str:
        """What a refusal notice leaves to be written by hand, and how to fill it in; "" if nothing."""
        missing = [words for key, words in APPEAL_KEYS.items() if not getattr(self.appeal, key)]
        if not missing:
            return ""
        return (f"注意:设置文件 {self.path} 未写明{'、'.join(missing)},不予受理告知书上的这些内容留空待手写;"
                f"请在设置文件中写入 {APPEAL_EXAMPLE}")


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
    office = data.get("office", {})
    # A file of the desk's settings alone ([desk]) leaves the office's details to be filled
    # in; the office's keys written above any section are a mistake to name.
    if not isinstance(office, dict) or any(key in data for key in ("name", "address", "phone")):
        raise SscardError(f"设置文件 {path} 缺少 [office] 一节;应写成 {EXAMPLE}")
    appeal = data.get("appeal", {})
    if not isinstance(appeal, dict):
        raise SscardError(f"设置文件 {path} 的 appeal 应为一节 [appeal];应写成 {APPEAL_EXAMPLE}")
    return Settings(Office(**_texts(path, "office", office, tuple(OFFICE_KEYS))), path, found=True,
                    appeal=Appeal(**_texts(path, "appeal", appeal, tuple(APPEAL_KEYS))))


def _texts(path: Path, section: str, table: dict, keys: tuple[str, ...]) -> dict[str, str]:
    fields = {}
    for key in keys:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise SscardError(f"设置文件 {path} 中 [{section}] 的 {key} 应为带引号的文字,如 {key} = \"……\"")
        fields[key] = value.strip()
    return fields


def save_settings(path: str | Path, office: Office, appeal: Appeal) -> Path:
    """Write ``office`` and ``appeal`` into the settings file's [office] and [appeal]
    sections (the counter desk's 设置 page), keeping the rest of the file (other sections,
    comments) as it was; the file is replaced whole, never half-written."""
    path = Path(path)
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    except (OSError, UnicodeDecodeError, TomlParseError):
        raise SscardError(f"设置文件 {path} 无法读取或不是 TOML,未保存;请检查该文件") from None
    for name, values in (("office", office), ("appeal", appeal)):
        section = document.setdefault(name, tomlkit.table())
        for key, value in dataclasses.asdict(values).items():
            if value:
                section[key] = value
            else:
                section.pop(key, None)
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
