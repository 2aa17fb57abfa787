"""The folder layout is the architecture: only the adapter talks to durable-rules, the
engine knows nothing of the card rulebook, and each folder builds only on those below it."""

from __future__ import annotations

import ast

from conftest import ROOT

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


# Each engine folder imports only the folders below it (README, 'How the code is laid out').
LEVELS = {"core": 0, "files": 1, "excel": 2, "rulebook": 3, "records": 4, "runs": 5, "auditors": 6, "policy": 6,
          "papers": 6, "office": 7}


def test_each_engine_folder_imports_only_the_folders_below_it():
    upward = []
    for path in ENGINE.rglob("*.py"):
        folder = path.relative_to(ENGINE).parts[0]
        if folder not in LEVELS:
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "engine" and len(parts) > 2 and parts[1] in LEVELS and parts[1] != folder \
                    and LEVELS[parts[1]] >= LEVELS[folder]:
                upward.append(f"{path.relative_to(ROOT)} imports {name}")
    assert upward == []
    assert {p.name for p in ENGINE.iterdir() if p.is_dir() and not p.name.startswith("_")} == set(LEVELS)
