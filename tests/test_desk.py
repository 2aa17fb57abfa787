"""The counter desk (`sscard serve`) through Flask's test client: what a clerk, an auditor
or an intruder meets, without a browser.  Checks run in real worker processes."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import shutil
import stat
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from conftest import damage_ledger, fixture_request, forge_decision, read_sheet, write_batch
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cli import cli
from desk import results
from desk.access import EVERYONE, allowed
from desk.app import create_app
from desk.config import DeskConfig
from desk.context import Desk
from desk.jobs import Lanes
from desk.store import Store, display_name
from engine.errors import SscardError
from engine.office.accounts import Accounts
from engine.records.ledger import Ledger
from engine.runs.check import check_batch

PERSONAL = "王小明"
PASSWORD = "柜面-2026-春天"


@pytest.fixture(scope="module")
def lanes(fixture_book):
    lanes = Lanes(fixture_book, large_workers=1)
    yield lanes
    lanes.close()


@pytest.fixture
def make_client(tmp_path, fixture_book, lanes):
    """A browser on a desk of its own data folder; ``accounts`` {name: roles} are made first."""
    def make(accounts: dict[str, tuple[str, ...]] | None = None, **settings):
        config = DeskConfig(tmp_path / "data", tmp_path / "settings.toml", **settings)
        store = Store(config.data)
        registry = Accounts(config.data)
        for name, roles in sorted((accounts or {}).items(), key=lambda item: "管理员" not in item[1]):
            if registry.get(name) is None:
                registry.add(name, roles, PASSWORD)
        desk = Desk(config, fixture_book, Ledger(tmp_path / "ledger.sqlite3"), store, lanes, registry)
        return create_app(desk).test_client()
    return make


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def batch(tmp_path, fixture_book) -> Path:
    rows = [fixture_request(申请编号=f"F{i:03d}", 姓名=PERSONAL if i == 7 else "李四",
                            **({"办理人": "代办"} if i % 10 == 0 else {})) for i in range(1, 121)]
    rows.append(fixture_request(申请编号="BAD", 读者证号="1234"))  # 输入有误: not 8 digits
    return write_batch(tmp_path / "三月批次.xlsx", fixture_book, rows)


def desk_of(client) -> Desk:
    return client.application.extensions["sscard_desk"]


def csrf(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def upload(client, *files: tuple[str, bytes]):
    data = {"csrf_token": csrf(client), "batches": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/check", data=data, content_type="multipart/form-data")


def sign_in(client, name: str, password: str = PASSWORD, **extra):
    return client.post("/signin", data={"csrf_token": csrf(client, "/signin"), "name": name, "password": password},
                       **extra)


def finished(client) -> list[tuple[str, dict]]:
    """Wait for every batch the desk holds to end; (token, progress) each, oldest first."""
    states = sorted((job.state() for job in desk_of(client).store.all_jobs()), key=lambda state: state["created"])
    tokens = [state["token"] for state in states]
    deadline = time.monotonic() + 60
    out = []
    for token in tokens:
        while True:
            progress = client.get(f"/batch/{token}/progress").get_json()
            if progress["status"] in ("done", "failed"):
                out.append((token, progress))
                break
            assert time.monotonic() < deadline, progress
            time.sleep(0.1)
    return out


def test_uploaded_batch_is_decided_and_its_workbook_is_the_one_check_writes(client, batch, tmp_path, fixture_book):
    response = upload(client, ("三月批次.xlsx", batch.read_bytes()))
    assert response.status_code == 303
    [(token, progress)] = finished(client)
    assert progress["status"] == "done"
    page = client.get(f"/batch/{token}").get_data(as_text=True)
    assert "申请 121 行" in page and "输入问题 1 条" in page
    download = client.get(f"/batch/{token}/decisions.xlsx")
    assert "filename*=UTF-8''%E4%B8%89%E6%9C%88%E6%89%B9%E6%AC%A1.decisions.xlsx" in download.headers[
        "Content-Disposition"]
    (tmp_path / "down.xlsx").write_bytes(download.data)
    download.close()
    expected = check_batch(batch, tmp_path / "cli.decisions.xlsx", fixture_book).output
    got, want = read_sheet(tmp_path / "down.xlsx"), read_sheet(expected)
    assert [(r["申请编号"], r["结论"], r["费用(元)"]) for r in got] == \
           [(r["申请编号"], r["结论"], r["费用(元)"]) for r in want]
    runs = desk_of(client).ledger.runs()
    assert [r.input_name for r in runs] == ["三月批次.xlsx"]  # the clerk's name, not the stored copy's


def test_result_table_is_filtered_searched_and_paged_on_the_server(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(client)
    first = client.get(f"/batch/{token}").get_data(as_text=True)
    assert "第 1 / 3 页" in first and "F001" in first and "F051" not in first
    review = client.get(f"/batch/{token}?verdict=人工复核").get_data(as_text=True)
    assert "共 12 行" in review and "F010" in review and "F011" not in review
    found = client.get(f"/batch/{token}?q={PERSONAL}").get_data(as_text=True)
    assert "共 1 行" in found and "F007" in found
    errors = client.get(f"/batch/{token}").get_data(as_text=True)
    assert "错误(1 条)" in errors and "BAD" in errors


def test_hostile_upload_gets_one_line_naming_the_uploaded_file_not_the_server_path(client):
    upload(client, ("../../坏批次.xlsx", b"\x00garbage, not a workbook" * 10))
    [(token, progress)] = finished(client)
    assert progress["status"] == "failed"
    assert progress["message"].startswith("../../坏批次.xlsx: 不是 Excel 工作簿")  # the name as uploaded
    assert str(desk_of(client).store.root) not in progress["message"]
    page = client.get("/").get_data(as_text=True)
    assert progress["message"] in page and "Traceback" not in page


def test_uploads_and_results_are_readable_by_their_owner_only(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    finished(client)
    root = desk_of(client).store.root
    paths = [root, *root.rglob("*")]
    assert any(p.name == "decisions.xlsx" for p in paths)
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_uploaded_file_names_are_shown_as_typed_escaped_and_never_become_paths(client, batch):
    assert display_name("a\x00b\r\n.xlsx") == "ab.xlsx"  # control characters nobody typed
    hostile = ["<script>alert(1)</script>.xlsx", "..\\..\\evil2.xlsx"]
    upload(client, *((name, batch.read_bytes()) for name in hostile))
    assert [p["status"] for _, p in finished(client)] == ["done", "done"]
    page = client.get("/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.xlsx" in page and "<script>alert" not in page
    assert "..\\..\\evil2.xlsx" in page
    assert sorted(run.input_name for run in desk_of(client).ledger.runs()) == sorted(hostile)
    stored = {p.name for p in desk_of(client).store.jobs.rglob("*") if p.is_file()}
    assert stored <= {"input.xlsx", "job.json", "progress.json", "decisions.xlsx", "rows.sqlite3"}
    ledger = client.get("/ledger").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.xlsx" in ledger and "<script>alert" not in ledger
    token = next(t for t, _ in finished(client))
    response = client.get(f"/batch/{token}/decisions.xlsx")
    response.close()
    assert 'filename="_script_alert(1)__script_.decisions.xlsx"' in unquote(response.headers["Content-Disposition"])


def test_a_batch_belongs_to_its_account_and_no_one_else_opens_it(make_client, batch):
    accounts = {"张三": ("经办",), "李四": ("经办",), "管理": ("管理员",)}
    mine, another, colleague = make_client(accounts), make_client(accounts), make_client(accounts)
    sign_in(mine, "张三")
    upload(mine, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(mine)
    sign_in(another, "张三")  # the same person in a new browser: the batch is theirs there too
    assert token in another.get("/").get_data(as_text=True)
    sign_in(colleague, "李四")
    assert token not in colleague.get("/").get_data(as_text=True)
    for probe in (token, "A" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "..%2F..%2Fjobs"):
        response = colleague.get(f"/batch/{probe}")
        assert response.status_code == 404
        assert "链接已超过保存期限" in response.get_data(as_text=True)
    assert another.get(f"/batch/{token}").status_code == 200


def test_a_form_posted_without_its_token_is_refused_in_chinese(client, batch):
    response = client.post("/check", data={"batches": [(io.BytesIO(batch.read_bytes()), "x.xlsx")]},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "防跨站请求" in response.get_data(as_text=True)
    assert not any(desk_of(client).store.jobs.iterdir())


def test_an_upload_over_the_limit_is_refused_in_chinese(make_client):
    client = make_client(max_upload_mb=1)
    fields = {"csrf_token": csrf(client), "batches": FileStorage(io.BytesIO(b"PK" + b"\x00" * (1024 * 1024)), "大批次.xlsx")}
    boundary, body = encode_multipart(fields)
    # The body from memory: the test client would spool a large one to a file it never closes.
    response = client.post("/check", input_stream=io.BytesIO(body), content_length=len(body),
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "超过上限 1 MB" in response.get_data(as_text=True)


def test_a_page_from_another_host_name_is_refused_on_this_machine(client):
    # A web page that rebinds its own name to 127.0.0.1 must not read the desk.
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_an_internal_error_shows_a_chinese_page_and_no_stack_trace(client):
    client.application.add_url_rule("/boom", "boom", allowed(*EVERYONE)(lambda: 1 / 0))
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务内部出错" in page and "ZeroDivisionError" not in page and "Traceback" not in page


def test_pages_forbid_framing_caching_and_outside_scripts(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_every_asset_is_served_by_the_desk_itself(client):
    for path in ("/", "/rules", "/ledger", "/verify", "/query"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page), path


def test_off_this_machine_everyone_signs_in_and_the_account_is_the_recorded_operator(make_client, batch):
    client = make_client({"管理": ("管理员",), "张三": ("经办",)}, host="0.0.0.0")
    response = client.get("/rules")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    wrong = sign_in(client, "张三", "猜一猜猜一猜")
    assert wrong.status_code == 403 and "姓名或密码不对" in wrong.get_data(as_text=True)
    right = client.post("/signin", data={"csrf_token": csrf(client, "/signin"), "name": "张三", "password": PASSWORD,
                                         "next": "/rules"})
    assert right.status_code == 302 and right.headers["Location"] == "/rules"
    assert "操作员:<strong>张三</strong>" in client.get("/rules").get_data(as_text=True)
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(client)
    [run] = desk_of(client).ledger.runs()
    assert run.operator == "张三"


def test_each_role_opens_only_its_own_pages(make_client):
    accounts = {"管理": ("管理员",), "经办员": ("经办",), "审计员": ("审计",), "政策员": ("政策",)}
    pages = {"/": "经办", "/query": "经办 审计", "/verify": "审计", "/ledger": "审计", "/rules": "经办 审计 政策 管理员",
             "/accounts": "管理员", "/settings": "管理员", "/template.xlsx": "经办"}
    for name, (role,) in accounts.items():
        client = make_client(accounts, host="0.0.0.0")
        sign_in(client, name)
        for path, roles in pages.items():
            status = client.get(path).status_code
            if role in roles.split():
                assert status == 200, (role, path)
            elif path == "/":
                assert status == 302, (role, path)  # each role starts on its own first page
            else:
                assert status == 403, (role, path)
        menu = re.findall(r'<nav>(.*?)</nav>', client.get("/rules").get_data(as_text=True), re.S)[0]
        shown = {title for title, _ in [("批次检查", "/"), ("核验", "/verify"), ("账户", "/accounts")] if title in menu}
        assert shown == {title for title, path in [("批次检查", "/"), ("核验", "/verify"), ("账户", "/accounts")]
                         if role in pages[path].split()}
    forbidden = make_client(accounts, host="0.0.0.0")
    sign_in(forbidden, "政策员")
    assert "您的角色不能打开此页面" in forbidden.get("/ledger").get_data(as_text=True)


def test_signing_out_a_password_change_and_disabling_end_sessions_at_once(make_client):
    accounts = {"管理": ("管理员",), "张三": ("经办",)}
    first, second = make_client(accounts, host="0.0.0.0"), make_client(accounts, host="0.0.0.0")
    for browser in (first, second):
        sign_in(browser, "张三")
        assert browser.get("/").status_code == 200
    with first.session_transaction() as kept:
        cookie = dict(kept)
    first.post("/signout", data={"csrf_token": csrf(first)})
    with first.session_transaction() as replayed:  # the old cookie, kept by someone, opens nothing
        replayed.update(cookie)
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200  # signing out ends this session only
    registry = desk_of(second).accounts
    registry.set_password("张三", "新的密码-2026")
    assert second.get("/").status_code == 302
    sign_in(second, "张三", "新的密码-2026")
    assert second.get("/").status_code == 200
    assert registry.disable("张三") == 1
    assert second.get("/").status_code == 302
    assert "账户已停用" in sign_in(second, "张三", "新的密码-2026").get_data(as_text=True)


def test_a_person_changes_their_own_password_and_signs_in_again(make_client):
    client = make_client({"管理": ("管理员",), "张三": ("经办",)}, host="0.0.0.0")
    sign_in(client, "张三")
    form = {"csrf_token": csrf(client, "/password"), "current": PASSWORD, "new": "我的新密码-2026",
            "again": "我的新密码-2026"}
    response = client.post("/password", data=form, follow_redirects=True)
    assert "密码已更改" in response.get_data(as_text=True) and "/signin" in response.request.path
    assert client.get("/").status_code == 302
    assert sign_in(client, "张三", PASSWORD).status_code == 403
    assert sign_in(client, "张三", "我的新密码-2026").status_code == 302


def test_a_manager_makes_and_disables_accounts_on_the_desk(make_client):
    client = make_client({"管理": ("管理员",)}, host="0.0.0.0")
    sign_in(client, "管理")
    form = {"csrf_token": csrf(client, "/accounts"), "name": "王五", "role": ["经办", "审计"],
            "password": "初始密码-12345", "again": "初始密码-12345"}
    page = client.post("/accounts", data=form, follow_redirects=True).get_data(as_text=True)
    assert "已建立账户「王五」(经办、审计)" in page
    clerk = client.application.test_client()
    sign_in(clerk, "王五", "初始密码-12345")
    assert clerk.get("/ledger").status_code == 200
    form = {"csrf_token": csrf(client, "/accounts"), "name": "王五", "action": "disable"}
    page = client.post("/account", data=form, follow_redirects=True).get_data(as_text=True)
    assert "账户已停用;其 1 个登录已退出" in page
    assert clerk.get("/ledger").status_code == 302
    last_admin = {"csrf_token": csrf(client, "/accounts"), "name": "管理", "action": "disable"}
    refused = client.post("/account", data=last_admin)
    assert refused.status_code == 400 and "唯一在用的管理员" in refused.get_data(as_text=True)


def test_on_this_machine_without_accounts_the_local_user_needs_no_sign_in_until_the_first_account(make_client):
    client = make_client()
    page = client.get("/accounts").get_data(as_text=True)
    assert "本机用户" in page and "还没有账户" in page
    form = {"csrf_token": csrf(client, "/accounts"), "name": "张三", "role": ["经办"], "password": PASSWORD,
            "again": PASSWORD}
    refused = client.post("/accounts", data=form)
    assert "第一个账户须有「管理员」角色" in refused.get_data(as_text=True)
    form["role"] = ["经办", "管理员"]
    client.post("/accounts", data=form)
    assert client.get("/").status_code == 302  # from now on everyone signs in


def test_sign_in_locks_out_an_account_and_an_address_after_repeated_wrong_passwords(make_client):
    client = make_client({"管理": ("管理员",), "张三": ("经办",), "李四": ("经办",)}, host="0.0.0.0")
    for _ in range(5):
        sign_in(client, "张三", "错误的密码错误的密码")
    locked = sign_in(client, "张三")
    assert locked.status_code == 403 and "错误次数过多" in locked.get_data(as_text=True)
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    assert "错误次数过多" in sign_in(client, "张三", **elsewhere).get_data(as_text=True)  # the account is locked
    assert "错误次数过多" in sign_in(client, "李四").get_data(as_text=True)  # and so is the address
    assert sign_in(client, "李四", **elsewhere).status_code == 302


def test_the_client_address_comes_from_the_forwarded_header_only_through_a_named_proxy(make_client, tmp_path):
    import ipaddress
    proxy = {"environ_base": {"REMOTE_ADDR": "127.0.0.1"}}
    behind = make_client({"管理": ("管理员",), "张三": ("经办",)}, trusted_proxies=(ipaddress.ip_network("127.0.0.1"),))
    for number in range(5):  # five wrong passwords from one colleague, through the proxy
        sign_in(behind, f"某人{number}", "错误的密码错误的密码",
                headers={"X-Forwarded-For": "10.0.0.7"}, **proxy)
    others = sign_in(behind, "张三", headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.8"}, **proxy)
    assert others.status_code == 302  # another colleague is not locked out; the spoofed left entry is ignored
    assert sign_in(behind, "张三", headers={"X-Forwarded-For": "10.0.0.7"}, **proxy).status_code == 403
    addresses = {entry.address for entry in desk_of(behind).accounts.sign_ins()}
    assert addresses == {"10.0.0.7", "10.0.0.8"}
    direct = make_client({"管理": ("管理员",), "张三": ("经办",)}, host="0.0.0.0")
    sign_in(direct, "张三", headers={"X-Forwarded-For": "10.9.9.9"}, environ_base={"REMOTE_ADDR": "192.0.2.5"})
    assert "10.9.9.9" not in {entry.address for entry in desk_of(direct).accounts.sign_ins()}


def test_sign_in_never_sends_a_person_to_another_site(make_client):
    client = make_client({"管理": ("管理员",)}, host="0.0.0.0")
    response = client.post("/signin", data={"csrf_token": csrf(client, "/signin"), "name": "管理",
                                            "password": PASSWORD, "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_serve_refuses_an_office_network_address_without_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("SSCARD_ACCESS_CODE", "柜面-2026-春")  # an office that still sets the old code
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "data")])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "0.0.0.0" in line and "已由个人账户取代" in line and "sscard users add" in line


def test_old_uploads_and_results_are_deleted_but_the_ledger_keeps_their_decisions(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(client)
    store = desk_of(client).store
    assert store.sweep(7) == 0
    assert store.sweep(7, now=dt.datetime.now().astimezone() + dt.timedelta(days=8)) == 1
    assert not any(store.jobs.iterdir())
    assert client.get(f"/batch/{token}").status_code == 404
    assert len(desk_of(client).ledger.decisions_for("F001")) == 1


def test_a_batch_left_running_by_a_stopped_server_is_marked_interrupted(tmp_path):
    store = Store(tmp_path / "data")
    token, job = store.create("三月批次.xlsx", "张三", io.BytesIO(b"PK"))
    Store(tmp_path / "data").mark_interrupted()  # the next start
    state = store.job(token).state()
    assert state["status"] == "failed" and "重新上传" in state["message"]


def test_query_shows_every_recorded_decision_with_why_and_why_not(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    finished(client)
    page = client.get("/query?id=F010").get_data(as_text=True)
    assert "人工复核" in page
    assert "ISSUE-BY-OTHER 代办办证须复核 命中" in page and "ISSUE-ACCEPT 办证 未命中" in page
    assert "台账中没有" in client.get("/query?id=NOPE").get_data(as_text=True)


def test_verify_page_names_the_edited_row(client, batch, tmp_path, fixture_book):
    import openpyxl
    decisions = check_batch(batch, tmp_path / "决定.xlsx", fixture_book).output
    workbook = openpyxl.load_workbook(decisions)
    sheet = workbook["结果"]
    verdict = [c.value for c in sheet[1]].index("结论") + 1
    sheet.cell(3, verdict).value = "补正材料" if sheet.cell(3, verdict).value == "受理" else "受理"
    workbook.save(decisions)
    data = {"csrf_token": csrf(client, "/verify"), "workbook": (io.BytesIO(decisions.read_bytes()), "决定.xlsx")}
    page = client.post("/verify", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "核对未通过" in page and "决定被改动" in page
    assert re.search(r"<td>核验码</td><td>3</td><td>F002</td>", page)
    assert str(desk_of(client).store.root) not in page and str(tmp_path) not in page  # no server path, only names


def test_ledger_page_shows_runs_counts_and_an_intact_chain(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()), ("四月批次.xlsx", batch.read_bytes()))
    assert [p["status"] for _, p in finished(client)] == ["done", "done"]
    page = client.get("/ledger").get_data(as_text=True)
    assert "哈希链完好:2 次运行" in page
    assert page.count("人工复核 12") == 2 and "四月批次.xlsx" in page


def test_rules_page_lists_every_rule_with_its_name_and_dates_and_the_dated_parameters(client, fixture_book):
    page = client.get("/rules").get_data(as_text=True)
    for rule in fixture_book.unique_rules():
        assert rule.id in page and rule.name in page
        assert (rule.period.words() or "一直有效") in page
    assert "解释性" in page
    for parameter in fixture_book.parameters:
        assert parameter.reference in page


def test_template_download_is_an_empty_batch_with_the_schema_header(client, tmp_path, fixture_book):
    response = client.get("/template.xlsx")
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.data)
    import openpyxl
    workbook = openpyxl.load_workbook(path, read_only=True)
    header = next(workbook["申请"].iter_rows(values_only=True))
    workbook.close()
    assert list(header) == [c.header for c in fixture_book.schema.columns]


def test_the_result_table_is_kept_while_checking_and_pages_without_the_workbook(tmp_path, batch, fixture_book):
    index = tmp_path / "rows.sqlite3"
    with results.Recorder(index, fixture_book.schema) as table:
        check_batch(batch, tmp_path / "d.xlsx", fixture_book, on_row=table.add).output.unlink()
    page = results.page(index, search="f00", number=1)
    assert page.total == 9 and [r.request_id for r in page.rows][:2] == ["F001", "F002"]
    assert results.page(index, search="%").total == 0  # typed text, not a pattern
    lines, total = results.errors(index)
    assert total == 1 and lines[0][:4] == ["122", "BAD", "读者证号", "1234"]


def test_no_result_table_is_left_when_the_check_fails(tmp_path, fixture_book):
    index = tmp_path / "rows.sqlite3"
    with pytest.raises(SscardError), results.Recorder(index, fixture_book.schema) as table:
        check_batch(tmp_path / "无此文件.xlsx", tmp_path / "d.xlsx", fixture_book, on_row=table.add)
    assert list(tmp_path.iterdir()) == []


def test_the_result_table_follows_the_workbook_columns_and_fits_the_page(client, batch, fixture_book):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(client)
    page = client.get(f"/batch/{token}").get_data(as_text=True)
    table = page[page.index('<table class="rows">'):]
    header = re.findall(r"<th>([^<]*)</th>", table[:table.index("</thead>")])
    assert header == ["行号", "申请编号", "姓名", "业务类型", "结论", "费用(元)", "缺少材料", "办理地点", "后续事项", "依据", "规则"]
    assert 'class="scroll"' not in page[page.index("<h2>结果</h2>"):]  # no sideways scrolling box
    first = re.search(r'<tr class="v\d">(.*?)</tr>', table, re.S)[1]
    assert re.findall(r"<td>([^<]*)</td>", first)[:5] == ["2", "F001", "李四", "办证", "受理"]
    assert "服务台" in first and "当场领证" in first  # 办理地点 and 后续事项 are there


def test_query_lists_a_requests_decisions_newest_first_in_local_time_with_whose_they_were(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    finished(client)
    upload(client, ("四月批次.xlsx", batch.read_bytes()))
    finished(client)
    page = client.get("/query?id=F007").get_data(as_text=True)
    assert page.index("四月批次.xlsx") < page.index("三月批次.xlsx")
    runs = desk_of(client).ledger.runs()
    local = dt.datetime.fromisoformat(runs[-1].started).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert f"第 2 次运行 · {local} · 四月批次.xlsx" in page and runs[-1].started not in page
    assert page.count(PERSONAL) == 2


def test_a_clerk_queries_only_their_own_runs_and_an_auditor_every_run(make_client, batch):
    accounts = {"管理": ("管理员",), "张三": ("经办",), "李四": ("经办",), "审计员": ("审计",)}
    zhang, li, auditor = (make_client(accounts, host="0.0.0.0") for _ in range(3))
    sign_in(zhang, "张三")
    sign_in(li, "李四")
    sign_in(auditor, "审计员")
    upload(zhang, ("三月批次.xlsx", batch.read_bytes()))
    finished(zhang)
    assert "人工复核" in zhang.get("/query?id=F010").get_data(as_text=True)
    assert "您开始的检查中没有申请编号「F010」的决定" in li.get("/query?id=F010").get_data(as_text=True)
    assert "ISSUE-BY-OTHER" in auditor.get("/query?id=F010").get_data(as_text=True)


def test_rules_page_shows_fees_and_thresholds_with_their_values_and_units(client):
    page = client.get("/rules").get_data(as_text=True)
    assert "办证工本费(自 2020-01-01 起 10 元,自 2027-01-01 起 15 元)" in page
    assert "param_" not in page and "锁定次数(" not in page  # what it is, never how the rules name it
    assert "<td>10 元</td>" in page and "<td>3 次</td>" in page


def test_no_page_tells_anyone_to_type_a_command(make_client, batch, fixture_book, tmp_path):
    client = make_client()
    missing = write_batch(tmp_path / "缺列.xlsx", fixture_book, [fixture_request()])
    import openpyxl
    workbook = openpyxl.load_workbook(missing)
    workbook["申请"].delete_cols(2)
    workbook.save(missing)
    upload(client, ("三月批次.xlsx", batch.read_bytes()), ("缺列.xlsx", missing.read_bytes()))
    [(token, _), (_, failed)] = finished(client)
    assert "缺少必需的列" in failed["message"]
    for path in ("/", f"/batch/{token}", "/query?id=F001", "/verify", "/rules", "/ledger", "/accounts", "/settings",
                 "/nowhere"):
        page = client.get(path).get_data(as_text=True)
        text = re.sub(r"<[^>]+>", " ", page)
        assert not re.search(r"\bsscard\s+[a-z]|--[a-z]|SSCARD_", text), (path, re.findall(r".{20}(?:sscard|--).{20}", text))


def test_an_encrypted_batch_asks_for_its_password_on_the_page_and_is_checked_with_it(client, batch, tmp_path):
    from engine.files.protection import Password, encrypt_workbook
    locked = tmp_path / "加密批次.xlsx"
    with batch.open("rb") as plain, locked.open("wb") as target:
        encrypt_workbook(plain, target, Password("批次密码1"))
    upload(client, ("加密批次.xlsx", locked.read_bytes()))
    [(_, progress)] = finished(client)
    assert progress["status"] == "failed" and "「打开密码」一栏" in progress["message"] and "--" not in progress["message"]
    for job in list(desk_of(client).store.all_jobs()):
        shutil.rmtree(job.folder)
    data = {"csrf_token": csrf(client), "password": "批次密码1", "batches": [(io.BytesIO(locked.read_bytes()), "加密批次.xlsx")]}
    client.post("/check", data=data, content_type="multipart/form-data")
    [(_, progress)] = finished(client)
    assert progress["status"] == "done", progress


def test_the_manager_sets_the_office_details_on_the_desk_and_the_notices_print_them(make_client, batch, tmp_path):
    from pypdf import PdfReader
    client = make_client({"管理": ("管理员", "经办")}, host="0.0.0.0")
    sign_in(client, "管理")
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(client)
    assert "告知书上的经办机构名称、地址、电话、行政复议机关" in client.get(f"/batch/{token}").get_data(as_text=True)
    (tmp_path / "settings.toml").write_text('# 本机的设置\n[desk]\ntrusted_proxies = []\n', encoding="utf-8")
    page = client.get("/settings")  # only the desk's own section yet: the office's fields, empty
    assert page.status_code == 200 and 'class="problem"' not in page.get_data(as_text=True)
    assert 'name="name" value=""' in page.get_data(as_text=True)
    office = {"name": "某市图书证服务中心", "address": "某市某路 1 号", "phone": "0452-1234567"}
    client.post("/settings", data={"csrf_token": csrf(client, "/settings"), **office})
    warned = client.get(f"/batch/{token}").get_data(as_text=True)  # before anyone prints a refusal without them
    assert "告知书上的行政复议机关、申请行政复议的期限、提起行政诉讼的法院、提起行政诉讼的期限尚未设置" in warned
    assert "经办机构名称" not in warned
    office |= {"review_body": "某市人民政府", "review_within": "六十日", "court": "某区人民法院", "sue_within": "六个月"}
    saved = client.post("/settings", data={"csrf_token": csrf(client, "/settings"), **office}, follow_redirects=True)
    assert "设置已保存" in saved.get_data(as_text=True)
    text = (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert "# 本机的设置" in text and "trusted_proxies" in text and 'sue_within = "六个月"' in text
    assert "留空待手写" not in client.get(f"/batch/{token}").get_data(as_text=True)
    pdf = client.post(f"/batch/{token}/notices", data={"csrf_token": csrf(client, f"/batch/{token}"), "scope": "all"})
    (tmp_path / "n.pdf").write_bytes(pdf.data)
    words = PdfReader(tmp_path / "n.pdf").pages[0].extract_text()
    assert "某市图书证服务中心" in words and "0452-1234567" in words


def test_uploads_at_once_from_several_browsers_of_one_person_each_keep_their_result(make_client, batch):
    import threading
    accounts = {"管理": ("管理员",), "张三": ("经办",)}
    browsers = [make_client(accounts, host="0.0.0.0") for _ in range(3)]
    for browser in browsers:
        sign_in(browser, "张三")
    threads = [threading.Thread(target=upload, args=(browser, (f"批次{i}.xlsx", batch.read_bytes())))
               for i, browser in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p["status"] for _, p in finished(browsers[0])] == ["done"] * 3
    page = browsers[0].get("/").get_data(as_text=True)
    assert all(f"批次{i}.xlsx" in page for i in range(3))
    assert len(desk_of(browsers[0]).ledger.runs()) == 3


def test_the_lane_is_chosen_by_the_rows_in_the_sheet_not_by_the_file_size(tmp_path, fixture_book):
    from desk.jobs import SMALL_BATCH_ROWS, rows_of
    many = write_batch(tmp_path / "多行.xlsx", fixture_book,
                       [fixture_request(申请编号=f"F{i}") for i in range(SMALL_BATCH_ROWS + 500)])
    padded = write_batch(tmp_path / "大文件.xlsx", fixture_book,
                         [fixture_request(申请编号=f"F{i}", 备注=secrets.token_hex(15_000)) for i in range(20)],
                         extra_headers=("备注",))
    assert many.stat().st_size < padded.stat().st_size
    assert rows_of(many, fixture_book) > SMALL_BATCH_ROWS
    assert rows_of(padded, fixture_book) == 20
    assert rows_of(tmp_path / "无此文件.xlsx", fixture_book) == 0


def test_query_finds_a_request_however_its_id_is_typed_and_marks_the_latest_run(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    finished(client)
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    finished(client)
    page = client.get("/query?id=ｆ０１０").get_data(as_text=True)
    assert page.count("<td>F010</td>") == 2  # both runs' decisions, the id as typed
    assert page.count(">最新</span>") == 1 and page.index("第 2 次运行") < page.index(">最新</span>")
    assert re.search(r"第 1 次运行 · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · 三月批次.xlsx", page)  # local time, readable


def test_query_and_ledger_pages_say_so_when_the_ledger_is_damaged(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    finished(client)
    damage_ledger(desk_of(client).ledger.path)
    for page in (client.get("/query?id=F010"), client.get("/ledger")):
        text = page.get_data(as_text=True)
        assert "已损坏(SQLite 完整性检查未通过)" in text and "台账中没有" not in text


def test_notices_are_refused_on_the_desk_when_the_ledger_does_not_confirm_the_workbook(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(client)
    forge_decision(desk_of(client).store.job(token).output, "F010", "受理")  # 人工复核 turned 受理, codes recomputed
    data = {"csrf_token": csrf(client, f"/batch/{token}"), "scope": "all"}

    response = client.post(f"/batch/{token}/notices", data=data)

    assert response.status_code == 303
    page = client.get(f"/batch/{token}").get_data(as_text=True)
    assert "不能证实这份决定工作簿,不打印告知书" in page and "申请编号 F010" in page
