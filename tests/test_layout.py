"""The folder layout is the architecture: only the adapter talks to durable-rules, and the
engine knows nothing of the card rulebook.  One list of services decides the rest."""

from __future__ import annotations

import ast

from click.testing import CliRunner
from conftest import ROOT
from drafts import append, copy_rulebook

from cli import cli

ENGINE = ROOT / "engine"


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_only_the_adapter_imports_durable_rules_and_no_engine_module_imports_the_rulebook():
    durable = sorted(str(p.relative_to(ROOT)) for p in [*ENGINE.rglob("*.py"), ROOT / "cli.py"]
                     if any(name.split(".")[0] == "durable" for name in _imports(p)))
    assert durable == ["engine/core/durable_adapter.py"]
    rules = sorted(str(p.relative_to(ROOT)) for p in ENGINE.rglob("*.py")
                   if any(name.split(".")[0] == "rules" for name in _imports(p)))
    assert rules == []


def test_a_service_is_refused_in_one_line_when_the_dispatch_column_does_not_list_it(tmp_path):
    draft = copy_rulebook(tmp_path / "草案")
    # A ninth service declared after the 业务类型 column took its values from the list.
    append(draft, "services.py", '\nSERVICES += (Service("renew", "续证", "§4"),)\n')
    (draft / "renew.py").write_text('from engine.core.rulebook import Rule\n\nRULES = ()\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "list", "--rules", str(draft)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "列「业务类型」接受的值(issue/reset/unlock)与业务清单(issue/renew/reset/unlock)不一致" in result.output
