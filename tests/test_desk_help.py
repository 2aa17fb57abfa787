"""The desk's 帮助: the user manual for the signed-in person's roles only, rendered from the
repository's Markdown, escaped, with nothing loaded from elsewhere; every page's 帮助 link
opens its own section."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import pytest

from desk import manual
from desk.app import create_app
from desk.config import DeskConfig
from desk.context import Desk
from desk.store import Store
from engine.office.accounts import Accounts
from engine.records.ledger import Ledger

PASSWORD = "柜面-2026-春天"
OFFICE = {"管理": ("管理员",), "张经办": ("经办",), "李审计": ("审计",), "王政策": ("政策",), "赵兼职": ("经办", "审计")}
ATTRIBUTE = re.compile(r'\b(?:href|src|action)="([^"]*)"')


def desk_client(tmp_path, book, accounts: dict[str, tuple[str, ...]]):
    config = DeskConfig(tmp_path / "data", tmp_path / "settings.toml")
    registry = Accounts(config.data)
    for name, roles in sorted(accounts.items(), key=lambda item: "管理员" not in item[1]):
        if registry.get(name) is None:
            registry.add(name, roles, PASSWORD)
    # Help pages run nothing in a worker: the desk needs no worker lanes for them.
    desk = Desk(config, book, Ledger(tmp_path / "ledger.sqlite3"), Store(config.data), None, registry)
    return create_app(desk).test_client()


@pytest.fixture
def office(tmp_path, fixture_book):
    return lambda: desk_client(tmp_path, fixture_book, OFFICE)


def signed_in(client, name: str):
    page = client.get("/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    client.post("/signin", data={"csrf_token": token, "name": name, "password": PASSWORD})
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("name, roles", sorted(OFFICE.items()))
def test_each_person_reads_the_index_and_the_guides_of_their_roles_only(office, name, roles):
    client = signed_in(office(), name)
    theirs = {g.name for g in manual.GUIDES if set(g.roles) & set(roles)}
    for guide in manual.GUIDES:
        response = client.get("/help/" if guide.name == manual.INDEX else f"/help/{guide.name}")
        if guide.name in theirs:
            assert response.status_code == 200, guide.name
            assert re.search(f'<h1 id="[^"]+">{guide.title()}</h1>', text(response)), guide.name
        else:
            assert response.status_code == 403, guide.name
            assert "您的角色不能打开此页面" in text(response)
    index = text(client.get("/help/"))
    listed = re.search(r'<nav class="pages manuals".*?</nav>', index, re.S)[0]
    assert {unquote(u).removeprefix("/help/") or manual.INDEX for u in ATTRIBUTE.findall(listed)} == theirs


def test_a_guide_of_another_role_is_named_on_the_index_but_not_linked(office):
    page = text(signed_in(office(), "张经办").get("/help/"))
    assert "审计人员手册" in page and "/help/%E5%AE%A1" not in page and 'href="/help/审计人员' not in page
    assert 'href="/help/%E7%BB%8F%E5%8A%9E%E4%BA%BA%E5%91%98"' in page or 'href="/help/经办人员"' in page


def test_the_one_local_user_without_accounts_reads_every_guide(tmp_path, fixture_book):
    client = desk_client(tmp_path, fixture_book, {})
    for guide in manual.GUIDES:
        assert client.get("/help/" if guide.name == manual.INDEX else f"/help/{guide.name}").status_code == 200


def test_help_needs_signing_in_and_an_unknown_guide_is_not_found(office):
    client = office()
    response = client.get("/help/经办人员")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert signed_in(client, "张经办").get("/help/不存在").status_code == 404
    assert client.get("/help/图片/../经办人员.md").status_code == 404


@pytest.mark.parametrize("name, start, guide, anchor", [
    ("张经办", "/", "经办人员", "在柜面检查批次"), ("张经办", "/query", "经办人员", "查询一个申请"),
    ("李审计", "/query", "审计人员", "查询和说明一项决定"), ("李审计", "/ledger", "审计人员", "台账和账本头"),
    ("李审计", "/verify", "审计人员", "核验决定工作簿"), ("王政策", "/rules", "政策人员", "阅读规则目录"),
    ("张经办", "/rules", "README", "查看规则"), ("管理", "/accounts", "系统管理员", "账户和角色"),
    ("管理", "/settings", "系统管理员", "经办机构设置"), ("管理", "/password", "README", "登录和修改密码"),
    ("赵兼职", "/query", "审计人员", "查询和说明一项决定"),
])
def test_each_pages_help_link_opens_its_own_section(office, name, start, guide, anchor):
    client = signed_in(office(), name)
    page = text(client.get(start))
    link = unescape(re.search(r'<a href="([^"]*)" class="help">帮助</a>', page)[1])
    path, _, fragment = link.partition("#")
    assert (unquote(path), fragment) == ("/help/" if guide == "README" else f"/help/{guide}", anchor)
    assert f'id="{anchor}"' in text(client.get(path))


def test_every_picture_a_guide_shows_is_served_from_the_desk_and_nothing_comes_from_elsewhere(office):
    shown = 0
    for guide in manual.GUIDES:
        client = signed_in(office(), next(n for n, roles in OFFICE.items() if set(roles) & set(guide.roles)))
        page = text(client.get("/help/" if guide.name == manual.INDEX else f"/help/{guide.name}"))
        for address in ATTRIBUTE.findall(page):
            assert address.startswith(("/", "#")) and not address.startswith("//"), (guide.name, address)
        for source in re.findall(r'<img src="([^"]+)"', page):
            with client.get(unescape(source)) as picture:
                assert picture.status_code == 200 and picture.mimetype == "image/png", source
                assert picture.data.startswith(b"\x89PNG")
            shown += 1
    assert shown >= 5


def test_markdown_is_escaped_and_only_the_manuals_own_links_and_pictures_are_kept():
    text_in = ("# 标题\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
               "[别的网站](https://example.com/) [脚本](javascript:alert(1)) [代码库文件](../policy/RULEBOOK.md)\n\n"
               "[自己的一节](#标题) [经办](经办人员.md#打印告知书) [审计](审计人员.md)\n\n"
               "![外面的图](https://example.com/a.png) ![手册的图](图片/台账.png)\n\n<!-- runnable -->\n"
               "<!-- walkthrough a -->\n**练习**\n<!-- /walkthrough -->\n")
    page = manual.render(text_in, lambda name: name == "经办人员", lambda name: f"/help/{name}",
                         lambda file: f"/help/图片/{file}")
    assert "<script" not in page.html and "<img src=x" not in page.html and "&lt;script&gt;" in page.html
    assert "example.com" not in page.html and "runnable" not in page.html and "walkthrough" not in page.html
    assert [unquote(a) for a in ATTRIBUTE.findall(page.html)] == ["#标题", "/help/经办人员#打印告知书", "/help/图片/台账.png"]
    assert "别的网站" in page.html and "代码库文件" in page.html and ">审计<" not in page.html and "审计" in page.html
    assert "外面的图" in page.html


def test_the_help_page_lists_the_chapters_of_the_guide(office):
    page = text(signed_in(office(), "张经办").get("/help/经办人员"))
    contents = re.search(r'<nav class="toc".*?</nav>', page, re.S)[0]
    chapters = [unescape(t) for t in re.findall(r'<a href="#[^"]+">([^<]+)</a>', contents)]
    source = (manual.MANUAL / "经办人员.md").read_text(encoding="utf-8")
    assert chapters == re.findall(r"^## (.+)$", source, re.M)
