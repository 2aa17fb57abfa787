"""The desk's web application: pages, sign-in and roles, protection against cross-site
requests, the client address behind a named proxy, and a Chinese error page in place of
every failure (never a stack trace)."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Response, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, SecurityError

from desk import access, auditing, batches, catalogue, drafting, help, office, sign_in
from desk.context import Desk, current_person
from desk.proxies import TrustedProxies
from engine.excel.writer import VERDICT_FILLS
from engine.records.ledger import local_time

log = logging.getLogger("sscard.desk")

ERROR_TEXT = {
    400: "请求无效。",
    403: "您的角色不能打开此页面;如工作需要,请管理员为您的账户加上相应的角色。",
    404: "页面不存在,或链接已超过保存期限。",
    405: "不支持这种请求方式。",
    413: "上传的文件超过上限 {max_mb} MB;请拆分批次,或请管理员调高上限。",
}
# Pages with personal data must not be kept by the browser or leak their link to another site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Sent to the desk itself only (never to another site): over HTTPS the token check also
    # compares the page a form was posted from with the desk's own address.
    "Referrer-Policy": "same-origin",
}


class _Sessions(SecureCookieSessionInterface):
    """The cookie (which holds only the session's token) travels only over HTTPS when the
    request came over HTTPS, as the named proxy says (desk.proxies)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


def create_app(desk: Desk) -> Flask:
    config = desk.config
    app = Flask(__name__)
    app.session_interface = _Sessions()
    app.wsgi_app = TrustedProxies(app.wsgi_app, config.trusted_proxies)
    app.config.update(
        SECRET_KEY=desk.store.secret_key(),
        MAX_CONTENT_LENGTH=config.max_upload_bytes,
        SESSION_COOKIE_NAME="sscard_desk",
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # a page left open all morning still submits
        # On this machine only, refuse a foreign Host: a web page cannot rebind its name to us.
        TRUSTED_HOSTS=["127.0.0.1", "localhost", "::1", "[::1]"] if config.local_only else None,
    )
    app.extensions["sscard_desk"] = desk
    CSRFProtect(app)
    for blueprint in (sign_in.blueprint, batches.blueprint, auditing.blueprint, catalogue.blueprint,
                      office.blueprint, help.blueprint, drafting.blueprint):
        app.register_blueprint(blueprint)
    app.before_request(desk.refresh)  # a rulebook published meanwhile decides from this request on
    app.before_request(access.guard)

    def verdict_class(verdict: str) -> str:
        verdicts = list(desk.book.verdicts)
        return f"v{verdicts.index(verdict)}" if verdict in verdicts else ""

    @app.context_processor
    def shared() -> dict:
        person = current_person()
        return {"person": person, "menu": access.menu(person), "book": desk.book, "verdict_class": verdict_class,
                "help_link": help.link_for(request.endpoint, person) if person else None}

    app.template_filter("local_time")(local_time)  # a recorded time as people read it, as history shows it

    @app.get("/verdicts.css")
    @access.public
    def verdict_colours():
        """The 结论 colours of the decision workbook, so a row looks the same on the page."""
        css = "".join(f".v{i}{{background:{VERDICT_FILLS[i % len(VERDICT_FILLS)]}}}\n"
                      for i in range(len(desk.book.verdicts)))
        return Response(css, mimetype="text/css")

    @app.after_request
    def headers(response):
        response.headers.update(SECURITY_HEADERS)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def cross_site(error):
        return _error_page("表单已过期或不是从本页面提交的(防跨站请求);请刷新页面后重试。", 400)

    @app.errorhandler(SecurityError)
    def foreign_host(error):
        # No page around it: links cannot be built for a host name the desk does not answer to.
        return Response("此地址不是本服务的地址;请用 http://127.0.0.1 打开。", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        text = ERROR_TEXT.get(error.code or 500, "请求无法完成。").format(max_mb=config.max_upload_mb)
        return _error_page(text, error.code or 500)

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        reference = secrets.token_hex(4)
        log.error("内部错误 %s(%s %s)", reference, request.method, request.path, exc_info=error)
        return _error_page(f"服务内部出错(编号 {reference}),详情已记入服务日志;请把编号告诉管理员。", 500)

    return app


def _error_page(text: str, status: int):
    return render_template("error.html", text=text, status=status), status
