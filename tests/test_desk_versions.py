"""The desk's runs carry the version the rulebook was published under, as the command line's
do: in its own module, because it needs worker lanes of its own (a published rulebook)."""

from __future__ import annotations

from conftest import fixture_request, read_sheet, write_batch
from test_desk import finished, upload

from desk.app import create_app
from desk.config import DeskConfig
from desk.context import Desk
from desk.jobs import Lanes
from desk.store import Store
from engine.office.accounts import Accounts
from engine.records.ledger import Ledger


def test_a_run_on_the_desk_is_recorded_under_the_published_version_never_as_a_draft(tmp_path, home_book):
    batch = write_batch(tmp_path / "三月批次.xlsx", home_book, [fixture_request(申请编号=f"F{i}") for i in range(5)])
    assert not home_book.version.startswith("草案")
    lanes = Lanes(home_book, large_workers=1)
    try:
        config = DeskConfig(tmp_path / "data", tmp_path / "settings.toml")
        desk = Desk(config, home_book, Ledger(tmp_path / "ledger.sqlite3"), Store(config.data), lanes,
                    Accounts(config.data))
        client = create_app(desk).test_client()
        upload(client, ("三月批次.xlsx", batch.read_bytes()))
        [(token, progress)] = finished(client)
        assert progress["status"] == "done"
        [run] = desk.ledger.runs()
        assert run.rulebook_version == home_book.version
        response = client.get(f"/batch/{token}/decisions.xlsx")
        (tmp_path / "d.xlsx").write_bytes(response.data)
        response.close()
        audit = {row["项目"]: row["内容"] for row in read_sheet(tmp_path / "d.xlsx", "审计")}
        assert home_book.version in audit.values() and not any("草案" in str(v) for v in audit.values())
        assert home_book.version in client.get("/ledger").get_data(as_text=True)
    finally:
        lanes.close()
