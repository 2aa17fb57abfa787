"""Draft rulebooks made the way a policy officer would: copy rules/, edit the copy."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from conftest import RULES

POWER_OF_ATTORNEY = "材料:授权委托书"
NEW_RULE = "REISSUE-AGENT-MISSING-POWER-OF-ATTORNEY"


def copy_rulebook(target: Path) -> Path:
    shutil.copytree(RULES, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def raise_card_fee(directory: Path, start: dt.date, value: int) -> None:
    """Append a dated value: history stays, the new fee holds from ``start``."""
    path = directory / "parameters.toml"
    text = path.read_text(encoding="utf-8")
    old = "    { from = 2015-01-01, value = 20 },\n]"
    assert text.count(old) == 1
    path.write_text(text.replace(old, f"    {{ from = 2015-01-01, value = 20 }},\n"
                                      f"    {{ from = {start.isoformat()}, value = {value} }},\n]"), encoding="utf-8")


def require_power_of_attorney(directory: Path) -> None:
    """补卡 by 代办 needs one more document: a new input column and a new rule."""
    schema = directory / "schema.py"
    text = schema.read_text(encoding="utf-8")
    anchor = ")\n\nSCHEMA = Schema("
    assert text.count(anchor) == 1
    column = (f'    Column("{POWER_OF_ATTORNEY}", "doc_power_of_attorney", YES_NO, '
              'help="代办补卡时持卡人签署的授权委托书;空白按 否"),\n')
    schema.write_text(text.replace(anchor, column + anchor), encoding="utf-8")
    with (directory / "reissue.py").open("a", encoding="utf-8") as module:
        module.write(f'''
RULES = RULES + (
    Rule(
        id="{NEW_RULE}",
        name="代办缺授权委托书",
        clause="§6",
        reason="代办补卡须出具持卡人签署的授权委托书",
        when=AGENT & (row.doc_power_of_attorney == "否"),
        verdict="补正材料",
        missing=("授权委托书",),
        place=WINDOW,
        interpretation=True,
    ),
)
''')


def delete_rule(directory: Path, module: str, rule_id: str) -> None:
    with (directory / f"{module}.py").open("a", encoding="utf-8") as handle:
        handle.write(f'\nRULES = tuple(r for r in RULES if r.id != "{rule_id}")\n')
