"""deploy/: the systemd unit starts the desk with options `sscard serve` takes, and Debian's
nginx, configured by deploy/nginx-sscard.conf, terminates TLS in front of the desk while the
lock-out counts each person's own address, not the proxy's.

nginx runs unprivileged here: its own prefix, pid file, temporary folders, a self-signed
certificate and high ports, with the shipped site file changed only where a test must
(ports, certificate paths, and the address it connects to the desk from).  Skipped, with
one line, where nginx is not installed; CI installs it and sets SSCARD_REQUIRE_NGINX=1.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from browser import PASSWORD, Server, chromium_browser  # noqa: F401 (the browser fixture)
from conftest import ROOT

from cli import cli
from engine.office.accounts import Accounts

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
PROXY_SOURCE = "127.0.0.3"  # nginx connects to the desk from here: another address than any browser's


def test_the_unit_starts_serve_with_options_it_takes_and_the_settings_name_the_proxy():
    unit = (DEPLOY / "sscard.service").read_text(encoding="utf-8")
    command = shlex.split(re.search(r"^ExecStart=(.+)$", unit, re.M)[1])
    assert command[0].endswith("/sscard") and command[1] == "serve"
    context = cli.make_context("sscard", command[1:], resilient_parsing=False)
    serve = context.command.get_command(context, "serve")
    options = serve.make_context("serve", command[2:]).params
    assert options["host"] == "127.0.0.1" and options["port"] == 8000
    settings = Path(options["settings_path"])
    assert settings.parent == Path(re.search(r"^ReadWritePaths=(.+)$", unit, re.M)[1])  # the desk writes it
    assert "UMask=0077" in unit and "KillSignal=SIGTERM" in unit
    site = (DEPLOY / "nginx-sscard.conf").read_text(encoding="utf-8")
    assert f"proxy_pass http://{options['host']}:{options['port']};" in site
    shipped = (DEPLOY / "settings.toml").read_text(encoding="utf-8")
    assert 'trusted_proxies = ["127.0.0.1"]' in shipped


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    import ipaddress
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    crt, pem = folder / "sscard.crt", folder / "sscard.key"
    crt.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _replace_once(text: str, pattern: str, replacement: str) -> str:
    changed, count = re.subn(pattern, replacement, text)
    assert count == 1, f"deploy/nginx-sscard.conf no longer has exactly one {pattern!r}"
    return changed


class Nginx:
    """Debian's nginx with the shipped site, on high ports, with a prefix of its own."""

    def __init__(self, desk_port: int):
        # Its own folder, readable on the way down: nginx started by root runs its workers as nobody.
        self.prefix = Path(tempfile.mkdtemp(prefix="sscard-nginx-"))
        self.prefix.chmod(0o755)
        crt, key = _certificate(self.prefix)
        self.port, http_port = _free_port(), _free_port()
        site = (DEPLOY / "nginx-sscard.conf").read_text(encoding="utf-8")
        site = _replace_once(site, r"listen 443 ssl;", f"listen 127.0.0.1:{self.port} ssl;")
        site = _replace_once(site, r"listen 80;", f"listen 127.0.0.1:{http_port};")
        site = _replace_once(site, r"ssl_certificate \S+;", f"ssl_certificate {crt};")
        site = _replace_once(site, r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};")
        site = _replace_once(site, r"proxy_pass http://127\.0\.0\.1:8000;",
                             f"proxy_pass http://127.0.0.1:{desk_port};\n        proxy_bind {PROXY_SOURCE};")
        (self.prefix / "site.conf").write_text(site, encoding="utf-8")
        temporary = "\n".join(f"    {kind}_temp_path {self.prefix / kind};"
                              for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.prefix / "nginx.conf").write_text(f"""
daemon off;
pid {self.prefix / 'nginx.pid'};
error_log {self.prefix / 'error.log'};
events {{ worker_connections 64; }}
http {{
    access_log {self.prefix / 'access.log'};
{temporary}
    include {self.prefix / 'site.conf'};
}}
""", encoding="utf-8")
        self.process = subprocess.Popen([NGINX, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"),
                                         "-c", str(self.prefix / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not start: {self.process.stderr.read().decode()} "
                                         f"{(self.prefix / 'error.log').read_text()}") from None
                time.sleep(0.1)
        self.url = f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        self.process.stderr.close()
        shutil.rmtree(self.prefix, ignore_errors=True)


def _sign_in_from(address: str, port: int, name: str) -> int:
    """Sign in over HTTPS from another client address (as another colleague's computer would)."""
    context = ssl._create_unverified_context()  # the test's own self-signed certificate
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, source_address=(address, 0))
    connection.request("GET", "/signin")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    from urllib.parse import urlencode
    body = urlencode({"csrf_token": token, "name": name, "password": PASSWORD})
    connection.request("POST", "/signin", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                 "Cookie": cookie, "Referer": f"https://127.0.0.1:{port}/signin"})
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.mark.skipif(NGINX is None and os.environ.get("SSCARD_REQUIRE_NGINX") != "1",
                    reason="nginx 测试已跳过:本机没有 nginx(apt-get install nginx 后即可运行)")
def test_through_nginx_a_clerk_signs_in_over_https_and_the_lock_out_counts_their_own_address(browser, tmp_path):
    if NGINX is None:
        pytest.fail("SSCARD_REQUIRE_NGINX=1 but nginx is not installed (apt-get install nginx)")
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[desk]\ntrusted_proxies = ["{PROXY_SOURCE}"]\n', encoding="utf-8")
    desk = Server(tmp_path / "desk", "--settings", str(settings),
                  accounts={"管理": ("管理员",), "张经办": ("经办",)})
    proxy = Nginx(int(desk.url.rsplit(":", 1)[1]))
    try:
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(proxy.url + "/")
        assert page.url.startswith(proxy.url + "/signin")
        page.fill("input[name=name]", "张经办")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:text('登录')")
        assert page.locator("h1").first.inner_text() == "批次检查", page.locator("main").inner_text()
        assert "张经办" in page.locator(".who").inner_text()
        [cookie] = [c for c in context.cookies() if c["name"] == "sscard_desk"]
        assert cookie["secure"] and cookie["httpOnly"]  # sent over HTTPS only, as the proxy told the desk
        page.click("button:text('退出')")
        for number in range(5):  # wrong passwords from this browser's address
            page.fill("input[name=name]", f"不存在的人{number}")
            page.fill("input[name=password]", "不是这个密码")
            page.click("button:text('登录')")
        page.fill("input[name=name]", "张经办")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:text('登录')")
        assert "错误次数过多" in page.locator(".problem").inner_text()
        # A colleague at another address, through the same proxy, is not locked out.
        assert _sign_in_from("127.0.0.4", proxy.port, "张经办") == 302
        addresses = {entry.address for entry in Accounts(desk.data).sign_ins()}
        assert addresses == {"127.0.0.1", "127.0.0.4"}, addresses  # never the proxy's own
        context.close()
    finally:
        proxy.stop()
        desk.stop()
    assert "Traceback" not in desk.log.read_text()
