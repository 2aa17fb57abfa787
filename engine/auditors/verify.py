"""Has anyone edited this decision workbook, and would today's rules decide it the same?

Every 结果 row's 核验码 is recomputed from the cells as they are now; the 审计 sheet's
own digest and the digest over all 核验码 catch edited audit lines and deleted or moved
rows.  With the batch: its SHA-256 must be the one 审计 names, and each row is decided
again under the current rules (rule drift).

These digests are plain SHA-256: they catch an edit by anyone who does not recompute
them.  The ledger (ledger.py) is the record a workbook editor cannot reach, so it is
consulted too: the workbook's run must be there, confirmed, each row's 核验码 as the
ledger recorded it, the record digest the 审计 sheet quotes, and the chain intact up to
that run.  What was checked is said, as evidence, line by line.
"""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from engine import labels
from engine.core.decide import Decision
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.excel.decision_workbook import DecisionWorkbook, StoredRow, open_decisions
from engine.excel.reader import open_batch
from engine.files.protection import Password
from engine.records.digests import (
    AUDIT_DIGEST,
    INPUT_DIGEST,
    LEDGER_DIGEST,
    NOT_IN_LEDGER,
    OPERATOR,
    RESULTS_DIGEST,
    ROW_COUNT,
    RULEBOOK_DIGEST,
    RUN_ID,
    ResultsDigest,
    audit_digest,
    canonical,
    file_sha256,
    row_digest,
)
from engine.records.ledger import Anchor, Ledger, LedgerError, Run
from engine.runs.batch import decide_batch

DRIFT_COLUMNS = (labels.VERDICT, labels.FEE, labels.MISSING)


@dataclass(frozen=True)
class Finding:
    row: int | None  # Excel row on 结果; None for the workbook as a whole
    request_id: str
    check: str  # 核验码 / 审计 / 账本 / 批次 / 规则漂移
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行 申请编号 {self.request_id or '(空)'}" if self.row else "工作簿"
        return f"[{self.check}] {where}:{self.message}"


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


def verify_workbook(path: str | Path, book: Rulebook, batch: str | Path | None = None,
                    ledger: Ledger | None = None, password: Password | None = None) -> Verification:
    """``ledger`` None checks the workbook alone, and says so; ``password`` opens a
    protected decision workbook and batch."""
    workbook = open_decisions(path, password)
    try:
        result = Verification(workbook.path)
        audit = workbook.audit
        result.run_id, result.operator = str(audit.get(RUN_ID) or ""), str(audit.get(OPERATOR) or "")
        recorded = _check_audit(workbook, book, result)
        with _LedgerRun.open(ledger, workbook, book, result) as in_ledger:
            if recorded is not None:
                _check_rows(workbook, book, recorded, result, in_ledger)
            elif in_ledger is not None:
                for stored in workbook.rows():
                    in_ledger.see(stored)
            if in_ledger is not None:
                in_ledger.finish()
        result.evidence.insert(0, f"工作簿:{result.rows} 行的核验码按「{labels.AUDIT_SHEET}」表记录的规则库重新计算;"
                                  f"核对{AUDIT_DIGEST}、{RESULTS_DIGEST}、{ROW_COUNT}")
        if ledger is None:
            result.evidence.append("账本:未核对(--without-ledger);只核对了工作簿本身,"
                                   "而知道算法的人可以重算工作簿中的核验码")
        if batch is not None:
            _check_batch(workbook, book, Path(batch), result, password)
    finally:
        workbook.close()
    return result


class _LedgerRun:
    """The ledger's record of the workbook's run, compared row by row as 结果 is read."""

    def __init__(self, ledger: Ledger, run: Run, rows: Iterator[tuple[Any, ...]], workbook: DecisionWorkbook,
                 book: Rulebook, result: Verification):
        self.ledger, self.run, self.result = ledger, run, result
        self._rows, self._workbook = rows, workbook
        self._rid_at = workbook.key_at(book.schema).get(book.schema.request_id)
        self.seen = self.differ = 0

    @classmethod
    @contextmanager
    def open(cls, ledger: Ledger | None, workbook: DecisionWorkbook, book: Rulebook, result: Verification):
        """Yields the comparison, or None when there is nothing in the ledger to compare with
        (a finding then says why)."""
        if ledger is None:
            yield None
            return
        where = f"账本 {ledger.path}"
        if workbook.audit.get(LEDGER_DIGEST) == NOT_IN_LEDGER:
            result.findings.append(Finding(None, "", "账本", f"「{labels.AUDIT_SHEET}」表记载本工作簿未记入账本,"
                                                              "账本无法为它作证;只核对工作簿本身请加 --without-ledger"))
            yield None
            return
        if not result.run_id:
            result.findings.append(Finding(None, "", "账本", f"「{labels.AUDIT_SHEET}」表没有{RUN_ID},无法在{where} 中核对"))
            yield None
            return
        try:
            run = ledger.find_run(result.run_id)
            waiting = run is None and any(p.run_id == result.run_id for p in ledger.pending_runs())
        except LedgerError as error:
            result.findings.append(Finding(None, "", "账本", f"无法核对账本:{error}"))
            yield None
            return
        if run is None:
            result.findings.append(Finding(None, "", "账本", (
                f"{where} 中运行 {result.run_id} 尚未确认(仍在进行,或已中断;下一次运行 sscard 会补记或撤销)"
                if waiting else
                f"{where} 中没有运行 {result.run_id}:该工作簿的运行未记入这个账本,或已从账本中删除(账本被截短或改动)")))
            yield None
            return
        with ledger.decision_rows(run.run_id) as rows:
            yield cls(ledger, run, rows, workbook, book, result)

    def see(self, stored: StoredRow) -> None:
        self.seen += 1
        recorded = next(self._rows, None)
        if recorded is None:
            return
        if str(stored.code) != str(recorded[-1]):
            self.differ += 1
            self.result.findings.append(Finding(
                stored.number, _shown(stored, self._rid_at), "账本",
                f"核验码与账本记录不符(账本记录:{labels.VERDICT} {_text(recorded[2])},{labels.FEE} {_text(recorded[3])},"
                f"{labels.MISSING} {_text(recorded[4])}):该行在工作簿中被改动"))

    def finish(self) -> None:
        run, result, where = self.run, self.result, f"账本 {self.ledger.path}"
        extra = sum(1 for _ in self._rows)
        if extra or self.seen != run.rows:
            result.findings.append(Finding(None, "", "账本", f"「{labels.RESULT_SHEET}」表有 {self.seen} 行,"
                                                              f"{where} 中运行 {run.run_id[:12]}… 记录了 {run.rows} 行"))
        quoted = self._workbook.audit.get(LEDGER_DIGEST)
        if quoted != self.ledger.record_digest_of(run):
            result.findings.append(Finding(None, "", "账本", f"「{labels.AUDIT_SHEET}」表引用的{LEDGER_DIGEST}与"
                                                              f"{where} 中运行 {run.run_id[:12]}… 的记录不符"))
        chain = self.ledger.verify(through=run.run_id)
        result.findings += [Finding(None, "", "账本", problem) for problem in chain.problems]
        if not result.operator:
            result.operator = run.operator or ""
        result.evidence.append(
            f"{where}:运行 {run.run_id[:12]}…(第 {run.seq} 条,{run.started},操作员 {run.operator or '未记录'});"
            f"逐行核对 {self.seen} 行核验码({self.seen - self.differ} 行一致),核对{LEDGER_DIGEST},"
            f"哈希链自第 1 条至该运行{'完好' if not chain.problems else '断裂'}")


def _check_audit(workbook: DecisionWorkbook, book: Rulebook, result: Verification) -> str | None:
    """The recorded rulebook digest, or None when the 审计 sheet cannot vouch for one."""
    items = workbook.audit_items
    if items is None:
        result.findings.append(Finding(None, "", "审计", f"缺少「{labels.AUDIT_SHEET}」表,无法核对核验码"))
        return None
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
        result.notes.append(f"本工作簿由规则库 {audit.get('规则库版本', '?')}({recorded[:12]}…)生成,"
                            f"重新判断所用的规则库为 {book.version}({book.digest[:12]}…);"
                            "核验码按工作簿记录的规则库核对;用 --batch 查看规则变化的影响")
    return recorded


def _check_rows(workbook: DecisionWorkbook, book: Rulebook, recorded: str, result: Verification,
                in_ledger: _LedgerRun | None) -> None:
    audit = workbook.audit
    key_at = workbook.key_at(book.schema)
    rid_at = key_at.get(book.schema.request_id)
    same_rules = book.digest == recorded
    edited = False
    sheet_digest = ResultsDigest()
    rows = ((stored.number, stored) for stored in workbook.rows())
    with decide_batch(book, rows, workbook.cells(book.schema), blank=lambda _: False) as decided:
        for row in decided:
            stored: StoredRow = row.item
            result.rows += 1
            if in_ledger is not None:
                in_ledger.see(stored)
            sheet_digest.add("" if stored.code is None else str(stored.code))
            if str(stored.code) != row_digest(stored.inputs, stored.cells, recorded):
                edited = True
                message = _what_changed(stored, row.decision, row.request_id in decided.duplicates) \
                    if same_rules else ("核验码不符:输入列或决定列已被改动"
                                        "(当前规则库与工作簿记录的不同,无法指出是哪一列)")
                result.findings.append(Finding(stored.number, _shown(stored, rid_at), "核验码", message))
    expected_rows = audit.get(ROW_COUNT)
    if expected_rows is not None and str(expected_rows) != str(result.rows):
        result.findings.append(Finding(None, "", "审计", f"「{labels.RESULT_SHEET}」表有 {result.rows} 行,"
                                                          f"审计记录为 {expected_rows} 行:有行被删除或插入"))
    elif not edited and audit.get(RESULTS_DIGEST) and audit[RESULTS_DIGEST] != sheet_digest.hexdigest():
        result.findings.append(Finding(None, "", "核验码", f"各行核验码与{RESULTS_DIGEST}不符:行的顺序被调换,"
                                                            "或有行被替换"))


def _what_changed(stored: StoredRow, decision: Decision, duplicate: bool) -> str:
    expected = decision.cells()
    # A duplicated id's 依据 names the batch rows of its copies, which 结果 no longer shows.
    changed = [f"{column} 现为「{_text(now)}」,按规则应为「{_text(then)}」"
               for column, now, then in zip(labels.DECISION_COLUMNS, stored.cells, expected)
               if canonical(now) != canonical(then) and not (duplicate and column == labels.BASIS)]
    if changed:
        return "核验码不符:决定被改动:" + ";".join(changed)
    return "核验码不符:输入列或核验码本身被改动(决定列与按规则重新判断的结果一致)"


def _check_batch(workbook: DecisionWorkbook, book: Rulebook, batch_path: Path, result: Verification,
                 password: Password | None) -> None:
    recorded = workbook.audit.get(INPUT_DIGEST)
    actual = file_sha256(batch_path) if batch_path.is_file() else ""
    if recorded != actual:
        result.findings.append(Finding(None, "", "批次", f"{batch_path.name} 的 SHA-256 {actual[:12] or '?'}… "
                                                          f"与审计记录的输入文件 {str(recorded or '?')[:12]}… 不符:"
                                                          "不是生成本工作簿的那个批次"))
    result.evidence.append(f"批次 {batch_path}:SHA-256 与「{labels.AUDIT_SHEET}」表记录的输入文件比对;"
                           "按当前规则重新判断每一行(规则漂移)")
    rid_at = workbook.key_at(book.schema).get(book.schema.request_id)
    batch = open_batch(batch_path, book.schema, password=password)
    try:
        decided = decide_batch(book, batch.rows(), batch.cells)
    finally:
        batch.close()
    count = remaining = 0
    with decided:
        for row, now_row in itertools.zip_longest(workbook.rows(), decided):
            if row is None or now_row is None:
                remaining += 1
                continue
            count += 1
            now = now_row.decision.cells()
            drift = [f"{column} {_text(row.cell(column))} → {_text(now[labels.DECISION_COLUMNS.index(column)])}"
                     for column in DRIFT_COLUMNS
                     if canonical(row.cell(column)) != canonical(now[labels.DECISION_COLUMNS.index(column)])]
            if drift:
                # Under the rulebook that made the workbook a difference is no drift: the
                # workbook does not follow from its batch and its rules.
                check = "规则漂移" if book.digest != workbook.audit.get(RULEBOOK_DIGEST) else "重新判断不符"
                result.findings.append(Finding(row.number, _shown(row, rid_at), check,
                                               f"按规则库 {book.version}:" + ";".join(drift)
                                               + f"(规则 {_text(row.cell(labels.RULES))} → {_text(now[-1])})"))
    if remaining:
        result.findings.append(Finding(None, "", "批次", f"批次与「{labels.RESULT_SHEET}」表的行数不同"
                                                          f"(前 {count} 行已比较,另有 {remaining} 行无法对应)"))


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
