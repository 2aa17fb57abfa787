"""规则草案 on the desk through Flask's test client: a 政策 user downloads the live rulebook,
uploads a draft and reads its report, a second one approves it, and the desk decides the
next batch with it.  Every move is refused on the server, not only left off the page."""

from __future__ import annotations

import io
import re

import pytest
from conftest import fixture_request, live_of, write_batch
from drafts import RAISED_FROM, copy_rulebook, delete_rule, raise_fee
from test_desk import PASSWORD, csrf, finished, sign_in, upload

from desk.app import create_app
from desk.config import DeskConfig
from desk.context import Desk
from desk.jobs import Lanes
from desk.store import Store
from engine.office.accounts import Accounts
from engine.records.archive import archive_beside
from engine.records.ledger import Ledger
from engine.rulebook.layout import BOOK_NAME

PEOPLE = {"钱管理": ("管理员",), "张政策": ("政策",), "李审核": ("政策",), "王经办": ("经办",), "赵审计": ("审计",)}
LATER = {"申请日期": f"{RAISED_FROM.year}-{RAISED_FROM.month + 1:02d}-01", "材料:申请表": "是"}


@pytest.fixture
def desk(tmp_path, fixture_home, home_book):
    lanes = Lanes(home_book, archive_beside(live_of(fixture_home)), large_workers=1)
    config = DeskConfig(tmp_path / "data", tmp_path / "settings.toml")
    accounts = Accounts(config.data)
    for name, roles in PEOPLE.items():
        accounts.add(name, roles, PASSWORD)
    yield Desk(config, home_book, Ledger(tmp_path / "ledger.sqlite3"), Store(config.data), lanes, accounts,
               archive_beside(live_of(fixture_home)))
    lanes.close()


def person(desk, name):
    client = create_app(desk).test_client()
    assert sign_in(client, name).status_code in (302, 303)
    return client


@pytest.fixture
def batch(tmp_path, home_book):
    return write_batch(tmp_path / "三月批次.xlsx", home_book, [
        fixture_request(申请编号="A1"), fixture_request(申请编号="A2", 姓名="王芳", **LATER)])


def _upload_draft(client, path, batch=None):
    data = {"csrf_token": csrf(client, "/drafts"), "draft": (io.BytesIO(path.read_bytes()), "工本费调整.xlsx")}
    if batch is not None:
        data["batch"] = (io.BytesIO(batch.read_bytes()), "另一批次.xlsx")
    response = client.post("/drafts", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _move(client, page, action, **form):
    return client.post(page, data={"csrf_token": csrf(client, page), "action": action, **form})


def test_policy_staff_download_the_live_rulebook_as_archived_and_no_one_else_does(desk, fixture_home, home_book):
    policy = person(desk, "张政策")
    assert "下载现行规则库工作簿" in policy.get("/rules").get_data(as_text=True)
    response = policy.get("/rules/规则库.xlsx")
    archived = archive_beside(live_of(fixture_home)).root / home_book.digest / BOOK_NAME
    assert response.status_code == 200 and response.data == archived.read_bytes()
    assert home_book.version in response.headers["Content-Disposition"] or "filename*" in \
        response.headers["Content-Disposition"]
    clerk = person(desk, "王经办")
    assert "下载现行规则库工作簿" not in clerk.get("/rules").get_data(as_text=True)
    assert clerk.get("/rules/规则库.xlsx").status_code == 403
    assert clerk.get("/drafts").status_code == 403


def test_a_draft_is_approved_by_a_second_person_and_decides_the_next_batch(desk, tmp_path, batch, fixture_home):
    clerk = person(desk, "王经办")
    upload(clerk, ("三月批次.xlsx", batch.read_bytes()))
    [(_, progress)] = finished(clerk)
    assert progress["status"] == "done"
    draft = raise_fee(copy_rulebook(tmp_path / "草案.xlsx", live_of(fixture_home)), 18)

    drafter = person(desk, "张政策")
    page = _upload_draft(drafter, draft)
    text = drafter.get(page).get_data(as_text=True)
    assert "状态 <strong id=\"status\">草稿</strong>" in text and "未发现问题" in text and "失败 0" in text
    assert "参数 工本费 新增取值" in text
    assert re.search(r"<td>3</td><td>A2</td><td>王芳</td><td>办证</td>\s*<td>受理\(不变\)</td>\s*<td>15 → 18</td>", text)
    assert "三月批次.xlsx(" in text and "王经办)" in text  # the kept batch, named with its time and owner
    assert _move(drafter, page, "approve").status_code == 303  # not yet submitted: refused
    assert "状态是「草稿」,不能审批" in drafter.get(page).get_data(as_text=True)
    _move(drafter, page, "submit")
    text = drafter.get(page).get_data(as_text=True)
    assert "待审核" in text and "审批通过并发布" not in text  # no button for one's own draft
    _move(drafter, page, "approve")  # and the server refuses it all the same
    assert "不能审批自己起草的草案" in drafter.get(page).get_data(as_text=True)
    assert _move(clerk, page, "approve").status_code == 403
    assert not desk.ledger.publications()

    reviewer = person(desk, "李审核")
    assert "审批通过并发布" in reviewer.get(page).get_data(as_text=True)
    _move(reviewer, page, "approve")
    text = reviewer.get(page).get_data(as_text=True)
    [published] = desk.ledger.publications()
    assert f"已审批并发布:规则库版本 {published.rulebook_version}" in text
    assert (published.drafted_by, published.approved_by, published.via) == ("张政策", "李审核", "柜面")
    assert f"<td>{published.rulebook_version}</td><td>张政策</td><td>李审核</td>" in \
        person(desk, "赵审计").get("/ledger").get_data(as_text=True)

    upload(clerk, ("四月批次.xlsx", batch.read_bytes()))
    finished(clerk)
    first, second = desk.ledger.runs()
    assert second.rulebook_version == published.rulebook_version != first.rulebook_version
    assert published.rulebook_version in clerk.get("/").get_data(as_text=True)  # the footer names it


def test_a_returned_draft_shows_the_reviewers_comment_to_its_drafter(desk, tmp_path, fixture_home):
    draft = raise_fee(copy_rulebook(tmp_path / "草案.xlsx", live_of(fixture_home)), 18)
    drafter = person(desk, "张政策")
    page = _upload_draft(drafter, draft)
    _move(drafter, page, "submit")
    _move(person(desk, "李审核"), page, "return", comment="请写明依据的文件")
    text = drafter.get(page).get_data(as_text=True)
    assert "退回" in text and "请写明依据的文件" in text and "提交审批</button>" in text


def test_a_broken_draft_is_shown_but_cannot_be_submitted(desk, tmp_path, fixture_home, batch):
    draft = copy_rulebook(tmp_path / "草案.xlsx", live_of(fixture_home))
    delete_rule(draft, "RESET-BANK")
    drafter = person(desk, "张政策")
    page = _upload_draft(drafter, draft, batch)
    text = drafter.get(page).get_data(as_text=True)
    assert "不能提交审批:规则检查发现 1 个问题" in text and "[空缺] 草案「重设密码」" in text
    assert "提交审批</button>" not in text and "另一批次.xlsx(本次上传)" in text
    assert "draft.xlsx" not in text and str(tmp_path) not in text  # the desk's own paths never show
    _move(drafter, page, "submit")
    assert "此草案不能提交审批" in drafter.get(page).get_data(as_text=True)
