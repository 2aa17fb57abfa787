"""Nothing lost, nothing half-written (issue 9, items 1, 2, 7, 8): an input is never
written, someone else's file is never replaced without --force, every output of a run
has its own name, a bad output is refused in one line before anything is decided, and
no temporary file outlives the run."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import tempfile

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_RULES, ROOT, fixture_request, read_sheet, write_batch

import engine.excel.decision_sheets
import engine.runs.batch
import engine.runs.check
from cli import cli
from engine.files import outputs, scratch


def sscard(*args):
    return CliRunner().invoke(cli, [*map(str, args), "--rules", str(FIXTURE_RULES)])


def check(*args):
    return sscard("check", *args, "--workers", "1")


def refused(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.fixture
def batch(tmp_path, fixture_book):
    return write_batch(tmp_path / "批次.xlsx", fixture_book, [fixture_request(申请编号="F1"),
                                                               fixture_request(申请编号="F2", 办理人="代办")])


@pytest.fixture
def nothing_decided(monkeypatch):
    """A refusal that must come before deciding fails the test if a row is decided first."""
    def decide(*args, **kwargs):
        raise AssertionError("rows were decided before the output was refused")
    monkeypatch.setattr(engine.runs.check, "streamed_batch", decide)


def someones_file(path):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "某网点手工台账"
    workbook.save(path)
    return path.read_bytes()


# --- 1. the input is never written; someone else's file is never replaced --------

def test_check_refuses_an_output_that_is_the_input_under_another_name(tmp_path, batch, nothing_decided):
    twin = tmp_path / "另一个名字.xlsx"
    os.link(batch, twin)  # one file, two paths: what a second mount or a mapped drive looks like
    before = batch.read_bytes()

    line = refused(check(batch, "-o", twin, "--force"))

    assert f"输出文件不能与输入文件相同({twin} 与 {batch} 是同一个文件)" in line
    assert batch.read_bytes() == before


def test_check_refuses_an_output_that_is_another_batch_of_the_run_even_with_force(tmp_path, batch, fixture_book,
                                                                                  nothing_decided):
    other = write_batch(tmp_path / "批次.decisions.xlsx", fixture_book, [fixture_request(申请编号="G1")])
    before = other.read_bytes()

    line = refused(check(batch, other, "--force"))

    assert line == f"错误:输出文件不能与输入文件相同:{other};输入工作簿从不被改写,请换一个输出文件名"
    assert other.read_bytes() == before


@pytest.mark.parametrize("command", [["template"]])
def test_a_command_refuses_to_replace_a_filled_batch_unless_forced(tmp_path, command):
    filled = tmp_path / "申请批次.xlsx"
    before = someones_file(filled)

    line = refused(sscard(*command, filled))

    assert line == (f"错误:{filled} 已存在,且不是 sscard 写出的文件;为免覆盖他人的文件,请换一个输出文件名,"
                    "或确认可以覆盖后加 --force")
    assert filled.read_bytes() == before
    forced = sscard(*command, filled, "--force")
    assert forced.exit_code == 0, forced.output
    assert outputs.made_by_sscard(filled)


def test_check_refuses_someone_elses_file_as_output_before_deciding(tmp_path, batch, nothing_decided):
    target = tmp_path / "决定.xlsx"
    before = someones_file(target)

    assert "不是 sscard 写出的文件" in refused(check(batch, "-o", target))
    assert target.read_bytes() == before


def test_diff_refuses_someone_elses_file_as_output_before_comparing(tmp_path, batch, monkeypatch):
    target = tmp_path / "影响.xlsx"
    before = someones_file(target)
    monkeypatch.setattr("engine.policy.impact.compare", lambda *a: pytest.fail("compared before refusing"))

    result = CliRunner().invoke(cli, ["diff", str(batch), "--old", str(FIXTURE_RULES), "--new", str(FIXTURE_RULES),
                                      "-o", str(target)])

    assert "不是 sscard 写出的文件" in refused(result)
    assert target.read_bytes() == before


def test_check_replaces_its_own_decision_workbook_when_run_again_even_after_an_excel_edit(tmp_path, batch):
    target = tmp_path / "决定.xlsx"
    assert check(batch, "-o", target).exit_code == 0
    workbook = openpyxl.load_workbook(target)  # opened and saved again, as Excel would
    workbook.save(target)

    again = check(batch, "-o", target)

    assert again.exit_code == 0, again.output
    assert [r["申请编号"] for r in read_sheet(target)] == ["F1", "F2"]


@pytest.mark.parametrize("lock", ["~$决定.xlsx", ".~lock.决定.xlsx#"])
def test_check_refuses_an_output_open_in_excel_or_libreoffice_unless_forced(tmp_path, batch, lock):
    target = tmp_path / "决定.xlsx"
    assert check(batch, "-o", target).exit_code == 0
    (tmp_path / lock).write_bytes(b"owner")
    before = target.read_bytes()

    line = refused(check(batch, "-o", target))

    assert f"似乎正在 Excel、WPS 或 LibreOffice 中打开(旁边有锁文件 {lock})" in line
    assert target.read_bytes() == before
    assert check(batch, "-o", target, "--force").exit_code == 0


# --- 2. every output of a run has its own name -----------------------------------

def test_two_offices_batches_of_the_same_name_get_distinct_outputs_named_by_folder(tmp_path, fixture_book):
    for office, ids in (("网点1", ["A1", "A2"]), ("网点2", ["B1"])):
        (tmp_path / office).mkdir()
        write_batch(tmp_path / office / "申请批次.xlsx", fixture_book, [fixture_request(申请编号=i) for i in ids])
    out = tmp_path / "决定"

    result = check(tmp_path / "网点1" / "申请批次.xlsx", tmp_path / "网点2" / "申请批次.xlsx", "-o", out)

    assert result.exit_code == 0, result.output
    assert [r["申请编号"] for r in read_sheet(out / "网点1-申请批次.decisions.xlsx")] == ["A1", "A2"]
    assert [r["申请编号"] for r in read_sheet(out / "网点2-申请批次.decisions.xlsx")] == ["B1"]
    listed = {r["决定工作簿"]: r["申请行数"] for r in read_sheet(out / "合并汇总.xlsx", "各批次")}
    assert listed == {"网点1-申请批次.decisions.xlsx": 2, "网点2-申请批次.decisions.xlsx": 1}


def test_batches_differing_by_extension_keep_it_in_their_output_names(tmp_path, fixture_book):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "批次.xlsx", fixture_book, [fixture_request(申请编号="X1")])
    write_batch(offices / "批次.xlsm", fixture_book, [fixture_request(申请编号="M1")])

    result = check(offices, "-o", tmp_path / "决定")

    assert result.exit_code == 0, result.output
    assert [r["申请编号"] for r in read_sheet(tmp_path / "决定" / "批次.xlsx.decisions.xlsx")] == ["X1"]
    assert [r["申请编号"] for r in read_sheet(tmp_path / "决定" / "批次.xlsm.decisions.xlsx")] == ["M1"]


def test_check_refuses_before_deciding_when_two_batches_differ_only_by_letter_case(tmp_path, fixture_book,
                                                                                   nothing_decided):
    offices = tmp_path / "各网点"
    offices.mkdir()
    write_batch(offices / "a.xlsx", fixture_book, [fixture_request()])
    write_batch(offices / "A.XLSX", fixture_book, [fixture_request()])

    line = refused(check(offices, "-o", tmp_path / "决定"))

    assert "的决定工作簿会同名" in line and "不分大小写" in line
    assert not (tmp_path / "决定").exists()


def test_a_batch_named_twice_is_checked_once(tmp_path, batch):
    result = check(batch, tmp_path / "." / batch.name, "-o", tmp_path / "决定")

    assert result.exit_code == 0, result.output
    assert "共 1 个批次完成、0 个失败,申请 2 行" in result.output


# --- 7. a bad output is one line, before deciding ---------------------------------

def test_check_refuses_an_existing_folder_as_the_output_of_one_batch_before_deciding(tmp_path, batch,
                                                                                     nothing_decided):
    (tmp_path / "决定").mkdir()
    assert "是已有的文件夹" in refused(check(batch, "-o", tmp_path / "决定"))


def test_check_refuses_an_empty_output_path_in_one_line(batch, nothing_decided):
    assert refused(check(batch, "-o", "")) == "错误:输出路径为空;请在 -o 后给出文件名,如 -o 决定.xlsx"


def test_check_refuses_an_output_path_through_a_file_before_deciding(tmp_path, batch, nothing_decided):
    line = refused(check(batch, "-o", batch / "决定.xlsx"))
    assert f"其中的 {batch} 是文件,不是文件夹" in line


def test_check_of_a_folder_refuses_an_output_that_is_a_file(tmp_path, batch):
    assert "是一个已有的文件,不是文件夹" in refused(check(tmp_path, "-o", batch))


@pytest.fixture
def small_disk(tmp_path):
    """A real, small file system (tmpfs) where mounting is allowed; else the test is skipped."""
    mounted = []

    def make(name, *options):
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(point)],
                              capture_output=True)
        if done.returncode != 0:
            pytest.skip("mounting a tmpfs is not allowed here")
        mounted.append(point)
        return point
    yield make
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_check_refuses_a_read_only_output_folder_in_one_line_before_deciding(batch, small_disk, nothing_decided):
    folder = small_disk("只读", "ro", "size=1m")
    line = refused(check(batch, "-o", folder / "决定.xlsx"))
    assert f"文件夹 {folder} 不可写" in line


def test_check_says_the_output_disk_is_full_in_one_line_and_leaves_nothing(tmp_path, fixture_book, small_disk):
    folder = small_disk("小盘", "size=48k")
    big = write_batch(tmp_path / "大批次.xlsx", fixture_book,
                      [fixture_request(申请编号=f"R{i}", 姓名="李" * 200) for i in range(600)])

    line = refused(check(big, "-o", folder / "决定.xlsx"))

    assert f"写出 {folder / '决定.xlsx'} 失败:输出文件夹 {folder} 所在的磁盘已满" in line
    assert os.listdir(folder) == []


@pytest.mark.parametrize("size", ["8k", "20k", "48k"])  # the disk fills at a different step of the zip each time
def test_a_full_output_disk_is_one_chinese_line_and_nothing_more_on_the_terminal(tmp_path, fixture_book, small_disk,
                                                                                 size):
    folder = small_disk("小盘", f"size={size}")
    big = write_batch(tmp_path / "大批次.xlsx", fixture_book,
                      [fixture_request(申请编号=f"R{i}", 姓名="李" * 200) for i in range(600)])

    # A process of its own: what the half-written zip might still print, it prints as the process ends.
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(big), "-o", str(folder / "决定.xlsx"),
                           "--workers", "1", "--rules", str(FIXTURE_RULES)], capture_output=True, text=True, timeout=120)

    assert done.returncode == 2
    assert done.stderr == (f"错误:写出 {folder / '决定.xlsx'} 失败:输出文件夹 {folder} 所在的磁盘已满;"
                           "未完成的文件已删除,请腾出空间后重试\n")
    assert os.listdir(folder) == []


def test_check_says_the_temporary_folder_is_full_in_one_line(tmp_path, fixture_book, small_disk, monkeypatch):
    big = write_batch(tmp_path / "大批次.xlsx", fixture_book,
                      [fixture_request(申请编号=f"R{i}", 姓名="李" * 200) for i in range(600)])
    folder = small_disk("临时", "size=32k")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))

    line = refused(check(big, "-o", tmp_path / "决定.xlsx"))

    # Whichever fills it first, the spool of decided rows or the workbook being built, it is named.
    assert f"临时文件夹 TMPDIR {folder} 所在的磁盘已满" in line
    assert not (tmp_path / "决定.xlsx").exists() and os.listdir(folder) == []


def test_check_says_the_temporary_folder_is_full_when_the_spool_cannot_grow(tmp_path, batch, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(engine.runs.batch.pickle, "dump", full)

    line = refused(check(batch, "-o", tmp_path / "决定.xlsx"))

    assert line == (f"错误:临时文件夹 TMPDIR {tempfile.gettempdir()} 所在的磁盘已满,无法存放本次运行的临时数据;"
                    "请腾出空间,或把环境变量 TMPDIR 指向空间更大的文件夹后重试")


# --- 8. no leftovers, private while it lasts -------------------------------------

def _ours(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(("sscard-", ".sscard-")))


def test_a_failed_check_leaves_no_part_file_and_no_temporary_sheet(tmp_path, batch, monkeypatch):
    run_folders = tmp_path / "tmp"
    run_folders.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(run_folders))
    real = engine.excel.decision_sheets.write_cell
    seen = []

    def failing(sheet, row, *args, **kwargs):
        seen.append(sorted(p.name for p in run_folders.rglob("*")))
        if row == 2:
            raise RuntimeError("写到一半")
        return real(sheet, row, *args, **kwargs)
    monkeypatch.setattr(engine.excel.decision_sheets, "write_cell", failing)

    result = check(batch, "-o", tmp_path / "决定.xlsx")

    assert result.exit_code == 3 and result.output.startswith("错误:sscard 内部出错")
    assert any(len(names) > 1 for names in seen)  # temporary sheets did exist while writing
    assert list(run_folders.iterdir()) == []
    assert _ours(tmp_path) == [] and not (tmp_path / "决定.xlsx").exists()


def test_temporary_files_are_owner_only_and_the_output_follows_the_umask(tmp_path, batch, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    modes = {}
    real = engine.runs.check.write_overview

    def look(*args, **kwargs):
        for path in tmp_path.rglob("*"):
            if "sscard-" in str(path.relative_to(tmp_path)):
                modes[path] = stat.S_IMODE(path.stat().st_mode)
        return real(*args, **kwargs)
    monkeypatch.setattr(engine.runs.check, "write_overview", look)
    umask = os.umask(0o022)
    os.umask(umask)

    assert check(batch, "-o", tmp_path / "决定.xlsx").exit_code == 0

    folders = {p.name.split("-")[0] for p in modes if p.parent == tmp_path}
    assert folders == {"sscard", ".sscard"}  # the run's folder in TMPDIR, the output's beside it
    assert {modes[p] for p in modes if p.parent == tmp_path} == {0o700}
    assert {m for p, m in modes.items() if p.parent != tmp_path} == {0o600}  # spool, sheets, the unfinished output
    assert stat.S_IMODE((tmp_path / "决定.xlsx").stat().st_mode) == 0o666 & ~umask


def test_leftovers_of_a_killed_run_are_swept_at_the_next_start_and_only_those(tmp_path, batch, monkeypatch):
    run_folders = tmp_path / "tmp"
    run_folders.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(run_folders))
    dead = _dead_pid()
    host = scratch._HOST
    left = [run_folders / f"sscard-{dead}-{host}-abc", tmp_path / f".sscard-{dead}-{host}-def"]
    kept = [run_folders / f"sscard-1-{host}-live",  # pid 1 is alive
            run_folders / f"sscard-{dead}-another-machine-ghi",
            run_folders / "sscard-notes"]
    for folder in left + kept:
        folder.mkdir()
        (folder / "决定.part.xlsx").write_bytes(b"personal data")

    assert check(batch, "-o", tmp_path / "决定.xlsx").exit_code == 0

    assert not any(folder.exists() for folder in left)
    assert all(folder.exists() for folder in kept)


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
