"""The rulebook is a workbook, read once (issue 9, items 4 and 9; issue 17, item 5): saving it
mid-run changes neither a decision nor the 审计 record, and its identity is its content, so
saving it again in a spreadsheet application without a change keeps its published version."""

from __future__ import annotations

import datetime as dt
import shutil

from click.testing import CliRunner
from conftest import FIXTURE_RULES, libreoffice_or_skip, live_of, read_sheet, saved_by_libreoffice, write_helpers_batch
from drafts import copy_rulebook, editing, row_of, set_cell

from cli import cli
from engine.rulebook.source import load_rulebook
from engine.runs import parallel


def test_saving_the_rulebook_mid_run_changes_no_decision_and_not_the_audit_record(tmp_path, fixture_book,
                                                                                 monkeypatch):
    draft = copy_rulebook(tmp_path / "草案.xlsx")
    batch = write_helpers_batch(tmp_path / "批次.xlsx", fixture_book, "P")
    real_start = parallel.Pipeline.start

    def start_after_someone_edits(self, *args):
        # Read by this process, not yet by the reading and deciding processes it starts now.
        with editing(draft) as workbook:
            set_cell(workbook["参数"], row_of(workbook["参数"], "参数", "工本费"), "值", 99)
        return real_start(self, *args)
    monkeypatch.setattr(parallel.Pipeline, "start", start_after_someone_edits)

    result = CliRunner().invoke(cli, ["check", str(batch), "-o", str(tmp_path / "决定.xlsx"), "--workers", "2",
                                      "--rules", str(draft)])

    assert result.exit_code == 0, result.output
    assert load_rulebook(draft).parameters["工本费"].values[0][1] == 99  # the edit did happen
    fees = {r["费用(元)"] for r in read_sheet(tmp_path / "决定.xlsx")}
    assert fees == {fixture_book.parameters["工本费"].on(dt.date(2026, 3, 1))}  # the fee as read, never 99
    audit = {r["项目"]: r["内容"] for r in read_sheet(tmp_path / "决定.xlsx", "审计")}
    assert audit["规则库 SHA-256"] == fixture_book.digest
    assert "99" not in audit["参数 工本费"]


def test_a_rulebook_saved_again_by_libreoffice_keeps_its_digest_and_published_version(tmp_path, fixture_home,
                                                                                      home_book):
    libreoffice_or_skip()
    again = shutil.copy(live_of(fixture_home), tmp_path / "规则库.xlsx")
    saved_by_libreoffice(again, tmp_path)
    assert again.read_bytes() != live_of(fixture_home).read_bytes()  # other bytes,
    assert load_rulebook(again).digest == home_book.digest  # the same content
    published = CliRunner().invoke(cli, ["rules", "publish", str(again)])
    assert published.exit_code == 0, published.output
    assert published.output.splitlines()[0] == f"已发布:借书证测试规则 版本 {home_book.version}"


def test_the_digest_is_over_the_cells_so_a_changed_value_is_another_rulebook(tmp_path):
    draft = copy_rulebook(tmp_path / "草案.xlsx")
    with editing(draft) as workbook:  # a format or a width is no content ...
        workbook["参数"].column_dimensions["A"].width = 40
    assert load_rulebook(draft).digest == load_rulebook(FIXTURE_RULES).digest
    with editing(draft) as workbook:  # ... a value is
        set_cell(workbook["参数"], row_of(workbook["参数"], "参数", "工本费"), "值", 10.5)
    assert load_rulebook(draft).digest != load_rulebook(FIXTURE_RULES).digest
