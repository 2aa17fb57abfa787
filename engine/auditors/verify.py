"""Has anyone edited this decision workbook, and would today's rules decide it the same?

Every 结果 row's 核验码 is recomputed from the cells as they are now; the 审计 sheet's
own digest and the digest over all 核验码 catch edited audit lines and deleted or moved
rows; the digests of 汇总 and 错误 recorded at check time catch an edited figure or line
there, and a sheet deleted, renamed or added is said.  With the batch: its SHA-256 must
be the one 审计 names, and each row is decided again (rule drift).

These digests are plain SHA-256: they catch an edit by anyone who does not recompute
them.  The ledger (ledger.py) is the record a workbook editor cannot reach, so it is
consulted too (confirmation.py): the workbook's run must be there, each row the ledger's
record of the same request, the record digest the 审计 sheet quotes, and the chain
intact up to that run.  What was checked is said, as evidence, line by line, and never
more than the findings allow.
"""

from __future__ import annotations

import re
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from engine import labels
from engine.core.decide import Decision
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.decision_sheets import error_lines
from engine.excel.decision_workbook import DecisionWorkbook, StoredRow, open_decisions
from engine.excel.ooxml import cell_name
from engine.excel.reader import open_batch
from engine.files.protection import Password
from engine.records.confirmation import Discrepancy, RowMatcher, matching, record_problem, recorded_run, where
from engine.records.digests import (
    AUDIT_DIGEST,
    INPUT_DIGEST,
    LEDGER_DIGEST,
    NOT_IN_LEDGER,
    OPERATOR,
    RESULTS_DIGEST,
    ROW_COUNT,
    RULEBOOK_DIGEST,
    RULEBOOK_VERSION,
    RUN_ID,
    SHEET_DIGESTS,
    ResultsDigest,
    SheetDigest,
    audit_digest,
    canonical,
    file_sha256,
    row_digest,
)
from engine.records.ledger import Anchor, Ledger, Run
from engine.runs.batch import decide_batch

DRIFT_COLUMNS = (labels.VERDICT, labels.FEE, labels.MISSING)
SHEETS = (labels.RESULT_SHEET, labels.SUMMARY_SHEET, labels.ERROR_SHEET, labels.AUDIT_SHEET)
# 错误 lines held to say which one changed; beyond this the sheet is only said to differ.
MAX_ERROR_LINES_COMPARED = 100_000


@dataclass(frozen=True)
class Finding:
    row: int | None  # 行号 of the request; None for the workbook or a sheet as a whole
    request_id: str
    check: str  # 核验码 / 审计 / 账本 / 工作表 / 汇总 / 错误 / 批次 / 规则漂移 / 重新判断不符
    message: str
    sheet_row: int | None = None  # the request's row on 结果; None: not there (deleted) or not a row

    def __str__(self) -> str:
        place = "工作簿" if self.row is None else where(self.row, self.request_id, self.sheet_row)
        return f"[{self.check}] {place}:{self.message}"


@dataclass
class Verification:
    path: Path
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # what was checked, for the auditor to cite
    run_id: str = ""
    operator: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings

    def rows_in_question(self) -> set[int]:
        """结果 rows some finding names."""
        return {f.sheet_row for f in self.findings if f.sheet_row is not None}


def verify_workbook(path: str | Path, book: Rulebook, batch: str | Path | None = None,
                    ledger: Ledger | None = None, password: Password | None = None) -> Verification:
    """``ledger`` None checks the workbook alone, and says so; ``password`` opens a
    protected decision workbook and batch.  A damaged ledger stops it (LedgerDamaged)."""
    workbook = open_decisions(path, password)
    try:
        result = Verification(workbook.path)
        audit = workbook.audit
        result.run_id, result.operator = str(audit.get(RUN_ID) or ""), str(audit.get(OPERATOR) or "")
        present = _check_sheet_names(workbook, result)
        recorded = _check_audit(workbook, book, result)
        run = None
        if ledger is not None:
            run, problem = recorded_run(ledger, workbook)
            if run is None:
                result.findings.append(Finding(None, "", "账本", problem))
        sheets = _SheetDigests(workbook, run, present)
        errors = sheets.error_lines() if recorded == book.digest else None
        with matching(ledger, run, workbook, book.schema) if ledger and run else nullcontext() as matcher:
            code_findings = _check_rows(workbook, book, recorded, result, matcher, errors)
            found = matcher.finish() if matcher else []
        _merge_row_findings(result, code_findings, found, ledger is not None and run is not None)
        sheets.check(result, errors)
        _evidence(result, workbook, book, recorded, sheets, code_findings)
        if ledger is None:
            result.evidence.append("账本:未核对(--without-ledger);只核对了工作簿本身,"
                                   "而知道算法的人可以重算工作簿中的核验码")
        elif run is not None:
            _check_run(ledger, run, workbook, result, matcher, found)
        else:
            result.evidence.append(f"账本 {ledger.path}:没有可核对的运行记录(见上)")
        if batch is not None:
            _check_batch(workbook, book, Path(batch), result, password)
    finally:
        workbook.close()
    # The workbook as a whole first, as found; then each request in 行号 order.
    result.findings.sort(key=lambda f: (f.row is not None, f.row or 0, f.sheet_row or 0))
    return result


def _check_sheet_names(workbook: DecisionWorkbook, result: Verification) -> set[str]:
    """A sheet deleted, renamed or added since check is a finding; returns the sheets there are."""
    names = workbook.sheet_names
    missing = [name for name in SHEETS if name not in names]
    extra = [name for name in names if name not in SHEETS]
    if len(missing) == 1 and len(extra) == 1:
        result.findings.append(Finding(None, "", "工作表", f"「{missing[0]}」表不在了,多了「{extra[0]}」表:"
                                                            "工作表被改名(或被删除后另加了一张)"))
    else:
        result.findings += [Finding(None, "", "工作表", f"缺少「{name}」表:被删除或改名") for name in missing]
        result.findings += [Finding(None, "", "工作表", f"多了「{name}」表:sscard 写出的决定工作簿没有这张表")
                            for name in extra]
    return set(names) & set(SHEETS)


def _check_audit(workbook: DecisionWorkbook, book: Rulebook, result: Verification) -> str | None:
    """The recorded rulebook digest, or None when the 审计 sheet cannot vouch for one."""
    items = workbook.audit_items
    if items is None:
        return None  # _check_sheet_names said the sheet is gone
    audit = dict(items)
    stored = audit.get(AUDIT_DIGEST)
    lines = [(k, v) for k, v in items if k != AUDIT_DIGEST]
    if stored != audit_digest(lines):
        result.findings.append(Finding(None, "", "审计", f"「{labels.AUDIT_SHEET}」表的内容与其{AUDIT_DIGEST}不符:"
                                                          "有审计行被改动、增加或删除"))
    recorded = audit.get(RULEBOOK_DIGEST)
    if not recorded:
        result.findings.append(Finding(None, "", "审计", f"「{labels.AUDIT_SHEET}」表没有{RULEBOOK_DIGEST}"))
        return None
    if recorded != book.digest:
        result.notes.append(f"本工作簿由规则库 {audit.get(RULEBOOK_VERSION, '?')}({recorded[:12]}…)生成,"
                            f"重新判断所用的规则库为 {book.version}({book.digest[:12]}…);"
                            "核验码按工作簿记录的规则库核对;用 --batch 查看规则变化的影响")
    return recorded


def _check_rows(workbook: DecisionWorkbook, book: Rulebook, recorded: str | None, result: Verification,
                matcher: RowMatcher | None, errors: _ErrorLines | None) -> list[Finding]:
    """Each 结果 row: its 核验码 against its cells (returned: one finding per edited row),
    the ledger's record of it (``matcher``), its lines on 错误 (``errors``)."""
    found: list[Finding] = []
    if recorded is None:  # nothing to recompute the codes with; the ledger can still compare
        for stored in workbook.rows():
            result.rows += 1
            if matcher is not None:
                matcher.see(stored)
        return found
    audit = workbook.audit
    rid_at = workbook.key_at(book.schema).get(book.schema.request_id)
    same_rules = book.digest == recorded
    sheet_digest = ResultsDigest()
    rows = ((stored.number, stored) for stored in workbook.rows())
    with decide_batch(book, rows, workbook.cells(book.schema), blank=lambda _: False) as decided:
        for row in decided:
            stored: StoredRow = row.item
            result.rows += 1
            if matcher is not None:
                matcher.see(stored)
            sheet_digest.add("" if stored.code is None else str(stored.code))
            intact = str(stored.code) == row_digest(stored.inputs, stored.cells, recorded)
            if errors is not None:
                errors.expect(stored.number, row.request_id, row.decision, intact)
            if not intact:
                message = _what_changed(workbook, stored, row.decision, decided.is_duplicate(row.request_id)) \
                    if same_rules else ("核验码不符:输入列或决定列已被改动"
                                        "(当前规则库与工作簿记录的不同,无法指出是哪一列)")
                found.append(Finding(stored.number, _shown(stored, rid_at), "核验码", message, stored.sheet_row))
    expected_rows = audit.get(ROW_COUNT)
    if expected_rows is not None and str(expected_rows) != str(result.rows):
        difference = int(expected_rows) - result.rows if str(expected_rows).isdigit() else 0
        what = (f"有 {difference} 行被删除" if difference > 0 else f"有 {-difference} 行被插入" if difference < 0
                else "有行被删除或插入")
        result.findings.append(Finding(None, "", "审计", f"「{labels.RESULT_SHEET}」表有 {result.rows} 行,"
                                                          f"审计记录为 {expected_rows} 行:{what}"))
    elif not found and audit.get(RESULTS_DIGEST) and audit[RESULTS_DIGEST] != sheet_digest.hexdigest():
        result.findings.append(Finding(None, "", "核验码", f"各行核验码与{RESULTS_DIGEST}不符:行的顺序被调换,"
                                                            "或有行被替换"))
    return found


def _merge_row_findings(result: Verification, code_findings: list[Finding], found: list[Discrepancy],
                        compared: bool) -> None:
    """One finding per request: where the ledger names a row (edited, inserted, deleted), its
    words stand for the row, and the bare count of rows deleted or inserted is not repeated."""
    named = {d.sheet_row for d in found if d.sheet_row is not None}
    result.findings += [f for f in code_findings if f.sheet_row not in named]
    result.findings += [Finding(d.row, d.request_id, "账本", d.message, d.sheet_row) for d in found]
    if compared and any(d.sheet_row is None or d.inserted for d in found):
        result.findings = [f for f in result.findings
                           if not (f.check == "审计" and f.message.startswith(f"「{labels.RESULT_SHEET}」表有 "))]


def _what_changed(workbook: DecisionWorkbook, stored: StoredRow, decision: Decision, duplicate: bool) -> str:
    expected = decision.cells()
    # A duplicated id's 依据 names the batch rows of its copies, which 结果 no longer shows.
    changed = [f"{column} {workbook.decision_cell(stored, column)} 现为「{_text(now)}」,按规则应为「{_text(then)}」"
               for column, now, then in zip(labels.DECISION_COLUMNS, stored.cells, expected)
               if canonical(now) != canonical(then) and not (duplicate and column == labels.BASIS)]
    if changed:
        return "核验码不符:决定被改动:" + ";".join(changed)
    return "核验码不符:输入列或核验码本身被改动(决定列与按规则重新判断的结果一致)"


class _SheetDigests:
    """汇总 and 错误 as check recorded them: their digests (in the ledger, else on 审计)."""

    def __init__(self, workbook: DecisionWorkbook, run: Run | None, present: set[str]):
        self.workbook, self.run = workbook, run
        recorded = run.sheet_records() if run is not None else {}
        self.recorded = {name: recorded.get(name, {}).get("digest") if run is not None
                         else workbook.audit.get(line) or None for name, line in SHEET_DIGESTS.items()}
        self.source = "账本记录" if run is not None else f"「{labels.AUDIT_SHEET}」表记录"
        self.cells = {name: recorded.get(name, {}).get("cells") for name in SHEET_DIGESTS}
        self.actual = {name: SheetDigest().add_rows(workbook.sheet_rows(name)).hexdigest()
                       for name in SHEET_DIGESTS if name in present and self.recorded[name]}

    @property
    def unrecorded(self) -> list[str]:
        return [name for name, digest in self.recorded.items() if not digest]

    def changed(self, name: str) -> bool:
        return name in self.actual and self.actual[name] != self.recorded[name]

    def error_lines(self) -> _ErrorLines | None:
        """错误's lines by 行号, to be compared row by row, when the sheet changed."""
        if not self.changed(labels.ERROR_SHEET):
            return None
        return _ErrorLines.read(self.workbook)

    def check(self, result: Verification, errors: _ErrorLines | None) -> None:
        if self.changed(labels.SUMMARY_SHEET):
            cells = self.cells[labels.SUMMARY_SHEET]
            named = _changed_cells(self.workbook, cells) if cells else []
            result.findings += [Finding(None, "", labels.SUMMARY_SHEET, line) for line in named] or [
                Finding(None, "", labels.SUMMARY_SHEET, f"「{labels.SUMMARY_SHEET}」表与{self.source}的核验码不符:"
                                                        "有数字或文字被改动(对照账本核对可指出是哪个单元格)")]
        if self.changed(labels.ERROR_SHEET):
            named = errors.finish() if errors is not None else []
            result.findings += [Finding(None, "", labels.ERROR_SHEET, line) for line in named] or [
                Finding(None, "", labels.ERROR_SHEET, f"「{labels.ERROR_SHEET}」表与{self.source}的核验码不符:"
                                                      "有问题行或文字被改动、增加或删除")]


def _changed_cells(workbook: DecisionWorkbook, recorded: list[list[str]]) -> list[str]:
    """Each 汇总 cell that differs from the ledger's record, named as Excel names it."""
    then = dict(map(tuple, recorded))
    now = {}
    for row, values in enumerate(workbook.sheet_rows(labels.SUMMARY_SHEET)):
        for col, value in enumerate(values):
            if text := canonical(value):
                now[cell_name(row, col)] = text
    lines = []
    for name in sorted(then.keys() | now.keys(), key=_cell_order):
        if then.get(name, "") != now.get(name, ""):
            column, row = _CELL.fullmatch(name).groups()
            header, label = then.get(f"{column}1", ""), then.get(f"A{row}", "")
            about = "·".join(p for p in (label, header) if p and row != "1" and column != "A")
            lines.append(f"「{labels.SUMMARY_SHEET}」表 {name}{f'({about})' if about else ''} 现为「{now.get(name, '')}」,"
                         f"账本记录为「{then.get(name, '')}」")
    return lines


_CELL = re.compile(r"([A-Z]+)(\d+)")


def _cell_order(name: str) -> tuple[int, int, str]:
    column, row = _CELL.fullmatch(name).groups()
    return int(row), len(column), column


class _ErrorLines:
    """The 错误 sheet's lines by 行号, set against the problems each 结果 row is decided with
    again (under the rulebook that made the workbook, its problems are those check wrote)."""

    def __init__(self, header: tuple[str, ...], lines: dict[str, list[tuple[int, tuple[str, ...]]]]):
        self._header = header
        self._lines = lines  # 行号 as text -> [(row on 错误, its cells as text)]
        self._found: list[str] = []

    @classmethod
    def read(cls, workbook: DecisionWorkbook) -> _ErrorLines | None:
        width = len(labels.ERROR_COLUMNS)
        rows = workbook.sheet_rows(labels.ERROR_SHEET)
        header = _padded(next(rows, ()), width)
        lines: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
        for number, values in enumerate(rows, start=2):
            line = _padded(values, width)
            if any(line):
                if number > MAX_ERROR_LINES_COMPARED:
                    return None
                lines[line[0]].append((number, line))
        return cls(header, lines)

    def expect(self, number: int, request_id: str | None, decision: Decision, intact: bool) -> None:
        """``intact``: the 结果 row is as check wrote it, so its problems are known."""
        written = self._lines.pop(canonical(number), [])
        if not intact:
            return
        wanted = [tuple(canonical(v) for v in line) for line in error_lines(number, request_id, decision)]
        unmatched = []
        for line in wanted:
            at = next((i for i, (_, there) in enumerate(written) if there == line), None)
            if at is None:
                unmatched.append(line)
            else:
                written.pop(at)
        for line, (sheet_row, there) in zip(unmatched, written):
            self._found.append(f"「{labels.ERROR_SHEET}」表第 {sheet_row} 行(行号 {number}):" + ";".join(
                f"{cell_name(sheet_row - 1, col)} 现为「{there[col]}」,应为「{line[col]}」"
                for col in range(len(line)) if there[col] != line[col]))
        for line in unmatched[len(written):]:
            self._found.append(f"「{labels.ERROR_SHEET}」表少了一行:行号 {number}(申请编号 {line[1] or '(空)'})"
                               f"的{line[2]}问题「{line[4]}」被删除")
        for sheet_row, there in written[len(unmatched):]:
            self._found.append(f"「{labels.ERROR_SHEET}」表第 {sheet_row} 行(行号 {number}):按「{labels.RESULT_SHEET}」表"
                               f"该行重新判断没有这个问题(「{there[4]}」),该行是多出来的")

    def finish(self) -> list[str]:
        found = [f"「{labels.ERROR_SHEET}」表 {cell_name(0, col)} 现为「{now}」,应为「{then}」"
                 for col, (now, then) in enumerate(zip(self._header, labels.ERROR_COLUMNS)) if now != then]
        found += self._found
        found += [f"「{labels.ERROR_SHEET}」表第 {sheet_row} 行(行号 {line[0] or '(空)'}):「{labels.RESULT_SHEET}」表中"
                  "没有这个行号的申请" for lines in self._lines.values() for sheet_row, line in lines]
        return found


def _padded(values: Sequence[Any], width: int) -> tuple[str, ...]:
    return tuple(canonical(v) for v in (*values[:width], *([None] * (width - len(values)))))


def _evidence(result: Verification, workbook: DecisionWorkbook, book: Rulebook, recorded: str | None,
              sheets: _SheetDigests, code_findings: list[Finding]) -> None:
    """What the workbook alone was checked against, and by which rulebook: never more than was."""
    if recorded is None:
        result.evidence.append(f"工作簿:「{labels.AUDIT_SHEET}」表缺失或没有{RULEBOOK_DIGEST},核验码无法核对")
        return
    checked = [AUDIT_DIGEST, RESULTS_DIGEST, ROW_COUNT, *(SHEET_DIGESTS[n] for n in SHEET_DIGESTS
                                                          if n not in sheets.unrecorded)]
    line = (f"工作簿:{result.rows} 行的核验码按「{labels.AUDIT_SHEET}」表记录的规则库 SHA-256({recorded[:12]}…)"
            f"重新计算({result.rows - len(code_findings)} 行相符);核对{'、'.join(checked)}")
    if sheets.unrecorded:
        line += (f";{'、'.join(f'「{n}」' for n in sheets.unrecorded)}表生成时未记录核验码"
                 f"(旧版 sscard 或未记入账本),未核对")
    result.evidence.append(line)
    version = workbook.audit.get(RULEBOOK_VERSION) or "?"
    judged = ("即生成时的规则库(「审计」表记录,取自归档)" if book.digest == recorded
              else f"不是生成时的规则库 {version}({recorded[:12]}…)")
    result.evidence.append(f"重新判断所用的规则库:{book.version}({book.digest[:12]}…),{judged}")


def _check_run(ledger: Ledger, run: Run, workbook: DecisionWorkbook, result: Verification,
               matcher: RowMatcher, found: list[Discrepancy]) -> None:
    """The run itself, and the evidence line the ledger gives: counts taken from the findings."""
    digest_problem = record_problem(ledger, run, workbook)
    chain = ledger.verify(through=run.run_id)
    result.findings += [Finding(None, "", "账本", problem) for problem in (digest_problem, *chain.problems) if problem]
    if not result.operator:
        result.operator = run.operator or ""
    agree = matcher.seen - len(result.rows_in_question())
    deleted = sum(1 for d in found if d.sheet_row is None)
    digest_ok, chain_ok = not digest_problem, chain.intact
    result.evidence.append(
        f"账本 {ledger.path}:运行 {run.run_id[:12]}…(第 {run.seq} 条,{run.when},操作员 {run.operator or '未记录'});"
        f"按申请编号逐行核对「{labels.RESULT_SHEET}」表 {matcher.seen} 行({agree} 行一致"
        + (f",{matcher.seen - agree} 行有问题" if agree != matcher.seen else "")
        + (f";账本记录的另有 {deleted} 行不在表中" if deleted else "")
        + f"),{LEDGER_DIGEST}{'一致' if digest_ok else '不符'},哈希链自第 1 条至该运行{'完好' if chain_ok else '断裂'}")


def _check_batch(workbook: DecisionWorkbook, book: Rulebook, batch_path: Path, result: Verification,
                 password: Password | None) -> None:
    recorded = workbook.audit.get(INPUT_DIGEST)
    actual = file_sha256(batch_path) if batch_path.is_file() else ""
    if recorded != actual:
        result.findings.append(Finding(None, "", "批次", f"{batch_path.name} 的 SHA-256 {actual[:12] or '?'}… "
                                                          f"与审计记录的输入文件 {str(recorded or '?')[:12]}… 不符:"
                                                          "不是生成本工作簿的那个批次"))
    same_rules = book.digest == workbook.audit.get(RULEBOOK_DIGEST)
    rid_at = workbook.key_at(book.schema).get(book.schema.request_id)
    batch = open_batch(batch_path, book.schema, password=password)
    try:
        decided = decide_batch(book, batch.rows(), batch.cells)
    finally:
        batch.close()
    compared = unmatched = differ = 0
    with decided:
        for row, now_row in _by_row_number(workbook.rows(), iter(decided)):
            if row is None or now_row is None:
                unmatched += 1
                continue
            compared += 1
            now = now_row.decision.cells()
            drift = [f"{column} {_text(row.cell(column))} → {_text(now[labels.DECISION_COLUMNS.index(column)])}"
                     for column in DRIFT_COLUMNS
                     if canonical(row.cell(column)) != canonical(now[labels.DECISION_COLUMNS.index(column)])]
            if drift:
                differ += 1
                # Under the rulebook that made the workbook a difference is no drift: the
                # workbook does not follow from its batch and its rules.
                check = "重新判断不符" if same_rules else "规则漂移"
                result.findings.append(Finding(row.number, _shown(row, rid_at), check,
                                               f"按规则库 {book.version}:" + ";".join(drift)
                                               + f"(规则 {_text(row.cell(labels.RULES))} → {_text(now[-1])})",
                                               row.sheet_row))
    if unmatched:
        result.findings.append(Finding(None, "", "批次", f"批次与「{labels.RESULT_SHEET}」表的行不能一一对应"
                                                          f"(按行号对上 {compared} 行,另有 {unmatched} 行对不上)"))
    judged = "生成时的规则库" if same_rules else "不是生成时的规则库"
    result.evidence.append(f"批次 {batch_path}:SHA-256 与「{labels.AUDIT_SHEET}」表记录的输入文件"
                           f"{'一致' if recorded == actual else '不符'};按规则库 {book.version}({judged})"
                           f"重新判断每一行:按行号对上 {compared} 行,"
                           + (f"{differ} 行结论、费用或缺少材料不同" if differ else "结论、费用和缺少材料均相同"))


def _by_row_number(stored: Iterator[StoredRow], decided: Iterator[Any]) -> Iterator[tuple[Any, Any]]:
    """结果 rows beside the batch's rows decided again, paired by 行号 (both in row order):
    a row deleted from either side leaves only itself unpaired."""
    row, now = next(stored, None), next(decided, None)
    while row is not None or now is not None:
        if now is None or (row is not None and row.number < now.number):
            yield row, None
            row = next(stored, None)
        elif row is None or now.number < row.number:
            yield None, now
            now = next(decided, None)
        else:
            yield row, now
            row, now = next(stored, None), next(decided, None)


def _shown(row: StoredRow, rid_at: int | None) -> str:
    return canonical(row.inputs[rid_at]) if rid_at is not None else ""


def _text(value: Any) -> str:
    return labels.one_line(canonical(value)) or "(空)"


def history_anchors(texts: Sequence[str]) -> list[Anchor]:
    """What ``history --verify --anchor`` was given: decision workbooks (each proves its run
    is in the ledger) or heads printed earlier by ``history --head`` ("N:HASH")."""
    anchors = []
    for text in texts:
        head = _HEAD.fullmatch(text.strip())
        if head:
            anchors.append(Anchor(text, seq=int(head[1]) if head[1] else None, hash=head[2]))
            continue
        if not Path(text).is_file():
            raise SscardError(f"锚点「{text}」既不是文件,也不是 sscard history --head 打印的「序号:哈希」")
        workbook = open_decisions(text)
        try:
            audit = workbook.audit
        finally:
            workbook.close()
        run_id, digest = audit.get(RUN_ID), audit.get(LEDGER_DIGEST)
        if not run_id or not digest or digest == NOT_IN_LEDGER:
            raise SscardError(f"{text}:「{labels.AUDIT_SHEET}」表没有账本记录(未记入账本),不能作为锚点")
        anchors.append(Anchor(text, run_id=str(run_id), digest=str(digest)))
    return anchors


_HEAD = re.compile(r"(?:(\d+):)?([0-9a-f]{64})")
