"""A run killed at any moment leaves the workbook and the ledger agreeing, and no
temporary file behind; Ctrl-C ends quietly (issue 9, items 5, 7, 8).

Each test runs sscard in a process of its own and kills it for real (SIGKILL) at one
step of a run, by wrapping that step: deciding, writing the workbook, the run entered
as pending, the workbook renamed into place, the run confirmed.  The next command finds
either both the workbook and its run, or neither.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, ROOT, fixture_request, write_batch, write_helpers_batch

from cli import cli

# step -> (module, attribute, when to kill: "before" or "after" the real call, what survives)
STEPS = {
    "deciding": ("engine.core.decide", "Decider.decide", "before", False),
    "writing the workbook": ("engine.excel.decision_sheets", "write_cell", "before", False),
    "run pending, workbook not yet in place": ("engine.records.ledger", "Recording.pending", "after", False),
    "workbook in place, run not yet confirmed": ("engine.files.outputs", "Output.commit", "after", True),
    "run confirmed": ("engine.records.ledger", "Ledger._confirm", "after", True),
}

RUNNER = textwrap.dedent('''
    import importlib, os, signal, sys


    def run():
        # As at a terminal: a shell starts a background job (a CI script, nohup) with Ctrl-C
        # ignored, and Python then keeps ignoring it, which is right for sscard but not here.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        module_name, attribute, when, action = sys.argv[1:5]
        module = importlib.import_module(module_name)
        owner, name = (module, attribute) if "." not in attribute else (
            getattr(module, attribute.split(".")[0]), attribute.split(".")[1])
        real = getattr(owner, name)

        def act():
            if action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            elif action == "terminate":
                os.kill(os.getpid(), signal.SIGTERM)
            else:
                os.killpg(os.getpgrp(), signal.SIGINT)  # Ctrl-C reaches the whole process group

        def wrapped(*args, **kwargs):
            if when == "before":
                act()
            result = real(*args, **kwargs)
            if when == "after":
                act()
            return result

        setattr(owner, name, wrapped)
        sys.argv = ["sscard", *sys.argv[5:]]
        import cli
        cli.main()


    if __name__ == "__main__":  # spawned workers import this file again
        run()
''')


@pytest.fixture
def place(tmp_path, fixture_book, monkeypatch):
    """A batch, an output folder, a private TMPDIR and a ledger, shared by the killed run
    and the commands after it."""
    (tmp_path / "tmp").mkdir()
    (tmp_path / "决定").mkdir()
    monkeypatch.setenv("SSCARD_LEDGER", str(tmp_path / "ledger.sqlite3"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # this process caches TMPDIR
    write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号=f"K{i}") for i in range(30)])
    (tmp_path / "runner.py").write_text(RUNNER, encoding="utf-8")
    return tmp_path


def run_until(place, module, attribute, when, action, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(place / "runner.py"), module, attribute, when, action, *args],
                          capture_output=True, text=True, env=env, cwd=place, start_new_session=True, timeout=120)


def invoke(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def leftovers(place) -> list[str]:
    return sorted(p.name for folder in (place / "tmp", place / "决定") for p in folder.iterdir()
                  if p.name.startswith(("sscard-", ".sscard-")))


@pytest.mark.parametrize("step", list(STEPS))
def test_a_run_killed_at_any_step_leaves_both_workbook_and_run_or_neither(place, step):
    module, attribute, when, survives = STEPS[step]
    output = place / "决定" / "决定.xlsx"

    killed = run_until(place, module, attribute, when, "kill", "check", str(place / "批次.xlsx"), "-o", str(output),
                       "--workers", "1", "--rules", str(FIXTURE_RULES))
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    history = invoke("history")  # the next command: resolves what the killed run left pending
    assert history.exit_code == 0, history.output
    recorded = "批次.xlsx  30 行" in history.stdout
    assert output.exists() is survives and recorded is survives, history.output
    if step == "run pending, workbook not yet in place":
        assert "没有写出决定工作簿,已从账本撤销" in history.stderr
    if step == "workbook in place, run not yet confirmed":
        assert f"的决定工作簿 {output} 已在,已补记入账本" in history.stderr
        verified = invoke("verify", output, "--rules", FIXTURE_RULES)
        assert verified.exit_code == 0, verified.output
    chain = invoke("history", "--verify")
    assert chain.exit_code == 0 and f"完好:{int(survives)} 次运行" in chain.stdout, chain.output

    again = invoke("check", place / "批次.xlsx", "-o", output, "--workers", "1", "--rules", FIXTURE_RULES)
    assert again.exit_code == 0, again.output
    assert leftovers(place) == []  # swept: the killed run's folder here and in TMPDIR


def test_ctrl_c_ends_quietly_with_exit_130_and_leaves_nothing_when_workers_are_deciding(place, fixture_book):
    big = write_helpers_batch(place / "大批次.xlsx", fixture_book, "C")

    interrupted = run_until(place, "engine.runs.parallel", "_collect", "after", "interrupt",
                            "check", str(big), "-o", str(place / "决定" / "决定.xlsx"), "--workers", "2",
                            "--rules", str(FIXTURE_RULES))

    assert interrupted.returncode == 130, interrupted.stderr
    assert interrupted.stdout == ""
    assert interrupted.stderr == "已中断:正在写的文件已删除,未完成的运行未记入账本;已完成的决定工作簿保留\n"
    assert leftovers(place) == [] and list((place / "决定").iterdir()) == []
    assert "还没有运行记录" in invoke("history").stdout


def test_sigterm_ends_like_ctrl_c_when_writing(place):
    terminated = run_until(place, "engine.excel.decision_sheets", "write_cell", "before", "terminate",
                           "check", str(place / "批次.xlsx"), "-o", str(place / "决定" / "决定.xlsx"), "--workers", "1",
                           "--rules", str(FIXTURE_RULES))

    assert terminated.returncode == 130, terminated.stderr
    assert terminated.stderr.splitlines() == ["已中断:正在写的文件已删除,未完成的运行未记入账本;已完成的决定工作簿保留"]
    assert leftovers(place) == [] and list((place / "决定").iterdir()) == []


# --- no leftovers, no English (issue 16, item 7) ------------------------------------

def test_a_run_killed_while_zipping_leaves_only_owner_only_files_and_the_next_command_sweeps_them(place):
    output = place / "决定" / "决定.xlsx"

    killed = run_until(place, "zipfile", "ZipFile.write", "after", "kill", "check", str(place / "批次.xlsx"),
                       "-o", str(output), "--workers", "1", "--rules", str(FIXTURE_RULES))

    assert killed.returncode == -signal.SIGKILL and killed.stderr == ""
    left = [p for name in leftovers(place) for p in (place / "tmp" / name, place / "决定" / name) if p.exists()]
    assert {p.parent for p in left} == {place / "tmp", place / "决定"}
    files = [f for folder in left for f in folder.rglob("*") if f.is_file()]
    assert any(f.name == "决定.part.xlsx" and f.stat().st_size > 0 for f in files)  # the zip, half-written
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}  # xlsxwriter's sheets and the zip alike
    assert {stat.S_IMODE(folder.stat().st_mode) for folder in left} == {0o700}

    assert invoke("rules", "list", FIXTURE_RULES).exit_code == 0  # any next command, writing elsewhere

    assert leftovers(place) == [] and not output.exists()


def test_a_run_killed_while_workers_decide_prints_nothing_after_it_on_the_terminal(place, fixture_book):
    big = write_batch(place / "大批次.xlsx", fixture_book, [fixture_request(申请编号=f"C{i}") for i in range(4500)])

    killed = run_until(place, "engine.runs.parallel", "_collect", "after", "kill",
                       "check", str(big), "-o", str(place / "决定" / "决定.xlsx"), "--workers", "2",
                       "--rules", str(FIXTURE_RULES))

    # Neither the workers (their results have nowhere to go) nor multiprocessing's
    # resource tracker (the pool's semaphores were never released) say a word.
    assert killed.returncode == -signal.SIGKILL
    assert killed.stderr == "" and killed.stdout == ""
