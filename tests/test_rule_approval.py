"""A rule change approved by a second person (engine.office.drafts): a draft's report is the
one `rules lint`, `rules test` and `diff --new` give; it is submitted by its drafter only
when clean, approved or returned by another 政策 user, and published as `rules publish`
does, with both people in the ledger.  Every refusal holds whoever asks."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from conftest import fixture_request, live_of, write_batch
from drafts import RAISED_FROM, copy_rulebook, delete_rule, raise_fee

from engine.office.drafts import PENDING, PUBLISHED, RETURNED, DraftRefused, Drafts, remove_unreviewed, review
from engine.policy import impact
from engine.policy.publish import document_beside
from engine.records.archive import archive_beside
from engine.records.ledger import Ledger

POLICY = ("政策",)
NEW_FEE = 18
LATER = dt.datetime.combine(RAISED_FROM, dt.time()) + dt.timedelta(days=31)


@pytest.fixture
def office(tmp_path, fixture_home, home_book):
    """A desk's drafts, the live fixture rulebook (published), its archive and a ledger."""
    live = live_of(fixture_home)
    return Drafts(tmp_path / "data"), live, archive_beside(live), Ledger(tmp_path / "ledger.sqlite3"), home_book


@pytest.fixture
def batch(tmp_path, home_book):
    return write_batch(tmp_path / "三月批次.xlsx", home_book, [
        fixture_request(申请编号="A1"), fixture_request(申请编号="A2", 姓名="王芳", 申请日期=LATER, **{"材料:申请表": "是"})])


def _draft(office, tmp_path, batch, change=lambda path: raise_fee(path, NEW_FEE),
           drafter="张政策"):
    drafts, live, archive, _, book = office
    path = copy_rulebook(tmp_path / "草案.xlsx", live)
    change(path)
    draft = drafts.add("工本费调整.xlsx", drafter, path.read_bytes(), book)
    return drafts.set_report(draft, review(draft.workbook, book, archive, [("三月批次.xlsx", batch)]))


def test_the_report_is_what_lint_test_and_diff_say_naming_each_changed_row(office, tmp_path, batch):
    draft = _draft(office, tmp_path, batch)
    report = draft.report
    assert report["lint"] == [] and report["blocking"] == []
    assert all(case["passed"] for case in report["cases"]["outcomes"]) and report["cases"]["uncovered"] == []
    assert any("参数 工本费" in line and f"{NEW_FEE} 元" in line for line in report["changes"])
    [on_batch] = report["impact"]
    expected = impact.compare(batch, office[4], archive_beside(office[1]).load(draft.workbook))
    assert len(on_batch["changes"]) == len(expected.changes) == 1
    [row] = on_batch["changes"]
    assert (row["row"], row["request_id"], row["who"], row["verdict"]) == (3, "A2", "王芳", ["受理", "受理"])
    assert row["fee"] == [office[4].parameters["工本费"].on(LATER.date()), NEW_FEE] and row["what"] == ["费用"]


def test_a_draft_is_kept_privately_and_survives_a_restart(office, tmp_path, batch):
    draft = _draft(office, tmp_path, batch)
    assert stat.S_IMODE(draft.folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in draft.folder.iterdir()} == {0o600}
    remove_unreviewed(tmp_path / "data")  # what a restart does
    again = Drafts(tmp_path / "data").get(draft.id)
    assert again is not None and again.report == draft.report


def test_a_draft_with_failing_cases_or_lint_findings_is_seen_but_not_submitted(office, tmp_path, batch):
    drafts, live, *_ = office
    broken = _draft(office, tmp_path, batch, change=lambda path: delete_rule(path, "RESET-BANK"))
    assert broken.report["blocking"] and broken.report["lint"]
    with pytest.raises(DraftRefused, match="不能提交审批:规则检查发现 1 个问题"):
        drafts.submit(broken.id, "张政策", POLICY, live)
    assert drafts.get(broken.id).status == "草稿"


def test_submitted_then_approved_by_another_it_is_published_as_rules_publish_does_and_recorded(
        office, tmp_path, batch):
    drafts, live, archive, ledger, before = office
    draft = _draft(office, tmp_path, batch)
    assert drafts.submit(draft.id, "张政策", POLICY, live).status == PENDING
    approved, published = drafts.approve(draft.id, "李审核", POLICY, live, archive, ledger)
    assert approved.status == PUBLISHED and approved.state["published_version"] == published.publication.version
    now = archive.load(live)
    assert now.version == published.publication.version and now.parameters["工本费"].on(LATER.date()) == NEW_FEE
    assert (archive.root / now.digest / "规则库.xlsx").read_bytes() == live.read_bytes() == draft.workbook.read_bytes()
    assert f"版本 {now.version}" in document_beside(live).read_text(encoding="utf-8")
    [recorded] = ledger.publications()
    assert (recorded.rulebook_version, recorded.replaced_digest, recorded.drafted_by, recorded.approved_by,
            recorded.via) == (now.version, before.digest, "张政策", "李审核", "柜面")
    assert [e["who"] for e in approved.state["events"]] == ["张政策", "张政策", "李审核"]


def test_nobody_approves_or_returns_their_own_draft(office, tmp_path, batch):
    drafts, live, archive, ledger, _ = office
    draft = _draft(office, tmp_path, batch)
    drafts.submit(draft.id, "张政策", POLICY, live)
    with pytest.raises(DraftRefused, match="不能审批自己起草的草案"):
        drafts.approve(draft.id, "张政策", POLICY, live, archive, ledger)
    with pytest.raises(DraftRefused, match="不能退回自己起草的草案"):
        drafts.send_back(draft.id, "张政策", POLICY, "撤回")
    assert drafts.get(draft.id).status == PENDING and not ledger.path.exists()


def test_only_policy_staff_move_a_draft_and_only_its_drafter_submits_it(office, tmp_path, batch):
    drafts, live, archive, ledger, _ = office
    draft = _draft(office, tmp_path, batch)
    with pytest.raises(DraftRefused, match="只有起草人 张政策 可以提交"):
        drafts.submit(draft.id, "李审核", POLICY, live)
    with pytest.raises(DraftRefused, match="只有政策人员可以提交审批"):
        drafts.submit(draft.id, "张政策", ("经办", "审计"), live)
    drafts.submit(draft.id, "张政策", POLICY, live)
    with pytest.raises(DraftRefused, match="只有政策人员可以审批"):
        drafts.approve(draft.id, "王管理", ("管理员",), live, archive, ledger)
    with pytest.raises(DraftRefused, match="只有政策人员可以退回"):
        drafts.send_back(draft.id, "王管理", ("管理员", "审计"), "不行")
    assert drafts.get(draft.id).status == PENDING


def test_a_returned_draft_carries_the_comment_and_may_be_submitted_again(office, tmp_path, batch):
    drafts, live, archive, ledger, _ = office
    draft = _draft(office, tmp_path, batch)
    drafts.submit(draft.id, "张政策", POLICY, live)
    with pytest.raises(DraftRefused, match="请写明意见"):
        drafts.send_back(draft.id, "李审核", POLICY, "  ")
    returned = drafts.send_back(draft.id, "李审核", POLICY, "新标准应自 2026-07-01 起")
    assert returned.status == RETURNED and returned.state["events"][-1]["comment"] == "新标准应自 2026-07-01 起"
    with pytest.raises(DraftRefused, match="状态是「退回」,不能审批"):
        drafts.approve(draft.id, "李审核", POLICY, live, archive, ledger)
    assert drafts.submit(draft.id, "张政策", POLICY, live).status == PENDING


def test_a_draft_made_before_another_publication_is_refused_and_must_be_made_again(office, tmp_path, batch):
    drafts, live, archive, ledger, _ = office
    first = _draft(office, tmp_path, batch)
    second = _draft(office, tmp_path / "其二", batch, drafter="赵政策")
    for draft in (first, second):
        drafts.submit(draft.id, draft.state["drafter"], POLICY, live)
    drafts.approve(first.id, "李审核", POLICY, live, archive, ledger)
    live_bytes = live.read_bytes()
    with pytest.raises(DraftRefused, match="现行规则库已经改变.*请下载新的现行规则库.*再上传"):
        drafts.approve(second.id, "李审核", POLICY, live, archive, ledger)
    assert live.read_bytes() == live_bytes and len(ledger.publications()) == 1
    assert drafts.get(second.id).stale(live) and not drafts.get(first.id).stale(live)
