"""The counter desk (`sscard serve`) through Flask's test client: what a clerk, an auditor
or an intruder meets, without a browser.  Checks run in real worker processes."""

from __future__ import annotations

import datetime as dt
import io
import re
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import damage_ledger, fixture_request, forge_decision, read_sheet, write_batch
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cli import cli
from desk import results
from desk.app import create_app
from desk.config import DeskConfig
from desk.context import Desk
from desk.jobs import Lanes
from desk.store import Store, display_name
from engine.errors import SscardError
from engine.records.ledger import Ledger
from engine.runs.check import check_batch

PERSONAL = "王小明"


@pytest.fixture(scope="module")
def lanes(fixture_book):
    lanes = Lanes(fixture_book, large_workers=1)
    yield lanes
    lanes.close()


@pytest.fixture
def make_client(tmp_path, fixture_book, lanes):
    def make(**settings):
        config = DeskConfig(tmp_path / "data", **settings)
        desk = Desk(config, fixture_book, Ledger(tmp_path / "ledger.sqlite3"), Store(config.data), lanes)
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


def finished(client) -> list[tuple[str, dict]]:
    """Wait for every batch on the person's check page to end; (token, progress) each."""
    with client.session_transaction() as session:
        tokens = list(session["jobs"])
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
    assert progress["message"].startswith("坏批次.xlsx: 不是 Excel 工作簿")
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


def test_uploaded_file_names_are_shown_but_never_become_paths(client):
    assert display_name("..\\..\\Windows\\evil.xlsx") == "evil.xlsx"
    assert display_name("/etc/passwd") == "passwd"
    assert display_name("a\x00b\r\n.xlsx") == "ab.xlsx"
    upload(client, ("../../evil.xlsx", b"PK"))
    finished(client)
    stored = {p.name for p in desk_of(client).store.jobs.rglob("*") if p.is_file()}
    assert stored <= {"input.xlsx", "job.json", "progress.json"}


def test_a_result_is_reachable_only_through_its_own_link(client, batch):
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    [(token, _)] = finished(client)
    stranger = client.application.test_client()  # another browser: no session, no link
    assert token not in stranger.get("/").get_data(as_text=True)
    for probe in ("A" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "..%2F..%2Fjobs"):
        response = stranger.get(f"/batch/{probe}")
        assert response.status_code == 404
        assert "链接已超过保存期限" in response.get_data(as_text=True)
    assert stranger.get(f"/batch/{token}").status_code == 200


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
    client.application.add_url_rule("/boom", "boom", lambda: 1 / 0)
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务内部出错" in page and "ZeroDivisionError" not in page and "Traceback" not in page


def test_pages_forbid_framing_caching_and_outside_scripts(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_every_asset_is_served_by_the_desk_itself(client):
    for path in ("/", "/rules", "/ledger", "/verify", "/query"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page), path


def test_sign_in_is_required_when_an_access_code_is_set_and_the_name_is_recorded(make_client, batch):
    client = make_client(host="0.0.0.0", access_code="柜面-2026-春")
    response = client.get("/rules")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    token = csrf(client, "/signin")
    wrong = client.post("/signin", data={"csrf_token": token, "name": "张三", "code": "猜一猜猜一猜"})
    assert wrong.status_code == 403 and "访问码不对" in wrong.get_data(as_text=True)
    right = client.post("/signin", data={"csrf_token": token, "name": "张三", "code": "柜面-2026-春", "next": "/rules"})
    assert right.status_code == 302 and right.headers["Location"] == "/rules"
    assert "操作员:<strong>张三</strong>" in client.get("/rules").get_data(as_text=True)
    upload(client, ("三月批次.xlsx", batch.read_bytes()))
    finished(client)
    [run] = desk_of(client).ledger.runs()
    assert run.operator == "张三"


def test_sign_in_stops_answering_after_repeated_wrong_codes(make_client):
    client = make_client(host="0.0.0.0", access_code="柜面-2026-春")
    token = csrf(client, "/signin")
    for _ in range(5):
        client.post("/signin", data={"csrf_token": token, "name": "张三", "code": "错误的访问码"})
    locked = client.post("/signin", data={"csrf_token": token, "name": "张三", "code": "柜面-2026-春"})
    assert locked.status_code == 403 and "错误次数过多" in locked.get_data(as_text=True)


def test_sign_in_never_sends_a_person_to_another_site(make_client):
    client = make_client(host="0.0.0.0", access_code="柜面-2026-春")
    token = csrf(client, "/signin")
    response = client.post("/signin", data={"csrf_token": token, "name": "张三", "code": "柜面-2026-春",
                                            "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_serve_refuses_an_office_network_address_without_an_access_code(monkeypatch):
    monkeypatch.delenv("SSCARD_ACCESS_CODE", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "0.0.0.0" in line and "--access-code" in line and "SSCARD_ACCESS_CODE" in line


def test_serve_refuses_a_short_access_code(monkeypatch):
    monkeypatch.setenv("SSCARD_ACCESS_CODE", "1234")
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "访问码太短" in result.output


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
    header = next(openpyxl.load_workbook(path, read_only=True)["申请"].iter_rows(values_only=True))
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
