"""The README's walk-through is the real change: its shell block, taken from README.md as
written, is run step by step in a repository of its own built from the rulebook published
last (so a policy change made to rules/ since, not yet published, does not get in the way).
If the README and the working steps diverge, this fails."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT

from engine.core.decide import Decider
from engine.core.normalise import normalise
from engine.records.archive import PUBLISHED, Archive, archive_beside


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- walkthrough -->\n```sh\n(.*?)```\n<!-- /walkthrough -->", readme, re.S)
    assert block, "README.md has no walk-through block"
    return block[1]


def test_readme_walkthrough_publishes_the_new_fee_and_form_when_typed_as_written(tmp_path):
    home = tmp_path / "repo"
    last = Archive(ROOT / "archive").publications()[-1]
    shutil.copytree(last.path, home / "rules", ignore=shutil.ignore_patterns(PUBLISHED))
    shutil.copytree(ROOT / "archive", home / "archive")
    (home / "sample_data").mkdir()
    shutil.copy(ROOT / "sample_data" / "batch.xlsx", home / "sample_data")
    for path in home.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    script = home / "walkthrough.sh"
    script.write_text("set -euo pipefail\n" + walkthrough(), encoding="utf-8")
    environment = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
                   "SSCARD_RULES": str(home / "rules"), "SSCARD_LEDGER": str(tmp_path / "ledger.sqlite3")}

    ran = subprocess.run(["bash", str(script)], cwd=home, env=environment, capture_output=True, text=True)

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "未发现问题。" in ran.stdout and "每条规则都至少被一个用例命中。" in ran.stdout
    assert "决定有变化 0 行" in ran.stdout  # the sample batch is dated before 2027
    book = archive_beside(home / "rules").load(home / "rules")
    assert f"已发布:{book.name} 版本 {book.version}" in ran.stdout and not book.version.startswith("草案")
    assert (home / "archive" / book.digest / PUBLISHED).is_file()
    assert book.digest in (home / "docs" / "规则手册.md").read_text(encoding="utf-8")

    def decide(day, **documents):
        cells = {"request_id": "W1", "service": "补卡", "apply_date": day, "holder_name": "张三",
                 "holder_id": "11010519491231002X", "applicant": "本人", "card_status": "挂失",
                 "doc_id_original": "是", **documents}
        return Decider(book).decide(normalise(book.schema, cells))

    before, after = decide(dt.date(2026, 12, 31)), decide(dt.date(2027, 1, 1))
    assert (after.verdict, after.fee, after.missing) == ("补正材料", 25, ("补卡申请表",))
    assert (before.verdict, before.missing) == ("受理", ()) and before.fee != 25
    assert decide(dt.date(2027, 1, 1), doc_reissue_form="是").verdict == "受理"
