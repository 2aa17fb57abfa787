"""How the desk is run: where it listens, where it keeps files, which proxies it believes."""

from __future__ import annotations

import getpass
import ipaddress
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from engine.errors import SscardError
from engine.office.accounts import ADMIN

OLD_ACCESS_CODE_ENV = "SSCARD_ACCESS_CODE"  # replaced by named accounts; still recognised to say so
DEFAULT_MAX_UPLOAD_MB = 100  # a full worksheet of requests is about 100 MB
DEFAULT_KEEP_DAYS = 7
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("sscard")) / "desk"


def is_loopback(host: str) -> bool:
    """Only this machine can reach the address (a name other than localhost may resolve anywhere)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def trusted_proxies(settings: Path) -> tuple[Network, ...]:
    """The proxies named in the settings file's ``[desk] trusted_proxies`` (addresses or
    networks): only a request from one of them has its client address taken from the
    X-Forwarded-For header it adds."""
    try:
        desk = tomllib.loads(settings.read_text(encoding="utf-8")).get("desk", {}) if settings.is_file() else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise SscardError(f"设置文件 {settings} 无法读取或不是 TOML;请检查该文件") from None
    named = desk.get("trusted_proxies", []) if isinstance(desk, dict) else None
    if not isinstance(named, list):
        raise SscardError(f"设置文件 {settings} 中 [desk] 的 trusted_proxies 应为地址列表,如 "
                          'trusted_proxies = ["127.0.0.1"]')
    networks = []
    for item in named:
        try:
            networks.append(ipaddress.ip_network(str(item), strict=False))
        except ValueError:
            raise SscardError(f"设置文件 {settings} 中 [desk] trusted_proxies 的「{item}」不是 IP 地址或网段;"
                              "请写代理服务器的地址,如 127.0.0.1") from None
    return tuple(networks)


@dataclass(frozen=True)
class DeskConfig:
    data: Path
    settings: Path  # the office's settings file: the notices' details, the proxies believed
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    keep_days: int = DEFAULT_KEEP_DAYS
    trusted_proxies: tuple[Network, ...] = ()
    # On a desk without accounts, runs are recorded under the account that runs the server.
    os_user: str = field(default_factory=getpass.getuser)

    @property
    def local_only(self) -> bool:
        """Only this machine's own user can reach the desk: it listens on loopback and no
        proxy brings anyone else in."""
        return is_loopback(self.host) and not self.trusted_proxies

    def refuse_without_accounts(self, have_accounts: bool, access_code_set: bool) -> None:
        """Off this machine (another address, or behind a proxy) everyone signs in with an account."""
        if have_accounts or self.local_only:
            return
        where = f"在 {self.host} 上" if not is_loopback(self.host) else "经代理服务器"
        moved = f"访问码({OLD_ACCESS_CODE_ENV})已由个人账户取代;" if access_code_set else ""
        raise SscardError(f"{moved}{where}提供服务时每人须用自己的账户登录,但还没有账户:请先运行 "
                          f"sscard users add 姓名 --role {ADMIN} --data {self.data} 建立管理员账户,"
                          "再由管理员为每人建立账户")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024
