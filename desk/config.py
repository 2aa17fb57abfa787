"""How the desk is run: where it listens, where it keeps files, who may come in."""

from __future__ import annotations

import getpass
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from engine.errors import SscardError

ACCESS_CODE_ENV = "SSCARD_ACCESS_CODE"
MIN_ACCESS_CODE = 8
DEFAULT_MAX_UPLOAD_MB = 100  # a full worksheet of requests is about 100 MB
DEFAULT_KEEP_DAYS = 7


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


@dataclass(frozen=True)
class DeskConfig:
    data: Path
    host: str = "127.0.0.1"
    port: int = 8000
    access_code: str | None = None
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    keep_days: int = DEFAULT_KEEP_DAYS
    # On a desk without sign-in, runs are recorded under the account that runs the server.
    os_user: str = field(default_factory=getpass.getuser)

    def __post_init__(self) -> None:
        if not is_loopback(self.host) and not self.access_code:
            raise SscardError(f"在 {self.host} 上提供服务时,办公网络中的任何人都能打开页面:请用 --access-code "
                              f"或环境变量 {ACCESS_CODE_ENV} 设置访问码(至少 {MIN_ACCESS_CODE} 个字符),"
                              "同事登录时输入访问码和自己的姓名")
        if self.access_code is not None and len(self.access_code) < MIN_ACCESS_CODE:
            raise SscardError(f"访问码太短:至少 {MIN_ACCESS_CODE} 个字符")

    @property
    def sign_in_required(self) -> bool:
        """Everyone signs in with their name whenever an access code is set (always off this machine)."""
        return bool(self.access_code)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024
