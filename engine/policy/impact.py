"""What a rule change does to a past batch: each row decided under both rulebooks.

A row counts as changed when its 结论, 费用 or 缺少材料 differ; 依据 and 规则 changing
alone (a reworded reason) is not an impact on the applicant.  Rows are decided as
`sscard check` decides them, duplicated 申请编号 included, so the impact names exactly
the rows whose decision sheet would change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import labels
from engine.core.decide import Decision
from engine.core.rulebook import Rulebook
from engine.core.schema import ABSENT
from engine.excel.reader import open_batch
from engine.excel.writer import Styles, atomic_workbook, write_table
from engine.files import outputs
from engine.files.protection import Password
from engine.labels import shown_path
from engine.policy.changes import rulebook_changes
from engine.runs.batch import DecidedBatch, DecidedRow, decide_batch

CHANGED_COLUMNS = ("行号", "申请编号", "申请人", "业务类型", "变化", "原结论", "新结论", "原费用(元)", "新费用(元)", "原缺少材料",
                   "新缺少材料", "原规则", "新规则", "新依据")


@dataclass(frozen=True)
class Change:
    row: int
    request_id: str
    who: str  # the request's other identifying cells (the holder's name), as the batch has them
    service: str
    what: tuple[str, ...]  # 结论 / 费用 / 缺少材料
    old: Decision
    new: Decision


@dataclass
class Impact:
    batch: Path
    old: Rulebook
    new: Rulebook
    rows: int = 0
    matrix: Counter = field(default_factory=Counter)  # (old 结论, new 结论) -> rows
    fee_before: float = 0
    fee_after: float = 0
    changes: list[Change] = field(default_factory=list)
    rulebook: list[str] = field(default_factory=list)  # what differs between the two rulebooks, in words

    def verdicts(self) -> list[str]:
        """Every 结论 of either rulebook, strongest first."""
        return list(dict.fromkeys((*self.old.verdicts, *self.new.verdicts)))


def diff(batch_path: str | Path, old: Rulebook, new: Rulebook, output: str | Path | None = None, *,
         force: bool = False, password: Password | None = None) -> tuple[Impact, Path | None]:
    """Compare, and write the impact workbook if ``output`` is given; the output is
    checked before anything is decided.  ``password`` opens a protected batch."""
    if output is not None:
        outputs.check_target(output, inputs=[Path(batch_path)], force=force)
    result = compare(batch_path, old, new, password)
    return result, write_impact(result, output, force=force) if output is not None else None


def compare(batch_path: str | Path, old: Rulebook, new: Rulebook, password: Password | None = None) -> Impact:
    batch_path = Path(batch_path)
    impact = Impact(batch_path, old, new, rulebook=rulebook_changes(old, new))
    with decided_as_check(batch_path, old, password) as before_rows, \
            decided_as_check(batch_path, new, password) as after_rows:
        for before, after in zip(before_rows, after_rows):
            impact.rows += 1
            impact.matrix[before.decision.verdict, after.decision.verdict] += 1
            impact.fee_before += before.decision.fee
            impact.fee_after += after.decision.fee
            what = _what_changed(before.decision, after.decision)
            if what:
                name = old.service_name(before.service) if before.service else ""
                impact.changes.append(Change(before.number, before.request_id or "", _who(old, before_rows, before),
                                             name, what, before.decision, after.decision))
    return impact


def decided_as_check(batch_path: Path, book: Rulebook, password: Password | None = None) -> DecidedBatch:
    """The batch as `sscard check` would decide it under ``book``.  A column ``book`` adds
    (a new document) may be absent from a past batch: a row that needs it is 输入有误
    naming it, never silently 否, so the impact shows what the change asks of past rows."""
    batch = open_batch(batch_path, book.schema, optional_may_be_absent=True, password=password)
    try:
        return decide_batch(book, batch.rows(), batch.cells)
    finally:
        batch.close()


def _who(book: Rulebook, batch: DecidedBatch, row: DecidedRow) -> str:
    """Whose request a row is, beyond its 申请编号 and service: the identifying columns 结果
    shows beside them (the holder's name)."""
    schema, cells = book.schema, batch.cells(row.item) if batch.cells else {}
    return " ".join(str(cells[key]).strip() for key in schema.identity
                    if key not in (schema.request_id, schema.dispatch) and cells.get(key) not in (None, "", ABSENT))


def _what_changed(before: Decision, after: Decision) -> tuple[str, ...]:
    what = []
    if before.verdict != after.verdict:
        what.append(labels.VERDICT)
    if before.fee != after.fee:
        what.append("费用")
    if set(before.missing) != set(after.missing):
        what.append(labels.MISSING)
    return tuple(what)


def summary_lines(impact: Impact, *, listed: int = 50) -> list[str]:
    """The one-screen summary `sscard diff` prints."""
    old, new = impact.old, impact.new
    lines = [f"原规则库 {shown_path(old.path)}(版本 {old.version})",
             f"新规则库 {shown_path(new.path)}(版本 {new.version})"]
    if impact.rulebook:
        lines.append("规则库的变化:")
        lines += [f"  {line}" for line in impact.rulebook]
    lines += [f"申请 {impact.rows} 行,决定有变化 {len(impact.changes)} 行",
             f"费用合计:原 {impact.fee_before:g} 元,新 {impact.fee_after:g} 元,"
             f"差额 {impact.fee_after - impact.fee_before:+g} 元"]
    moves = [(pair, n) for pair, n in impact.matrix.items() if pair[0] != pair[1]]
    if moves:
        lines.append("结论变化(原 → 新):")
        order = impact.verdicts()
        for (before, after), count in sorted(moves, key=lambda m: (order.index(m[0][0]), order.index(m[0][1]))):
            lines.append(f"  {before} → {after}: {count}")
    for change in impact.changes[:listed]:
        lines.append(f"  第 {change.row} 行 {change.request_id} {change.who} {change.service}:" + ";".join(_change_words(change)))
    if len(impact.changes) > listed:
        lines.append(f"  …另有 {len(impact.changes) - listed} 行,见影响工作簿")
    return lines


def _change_words(change: Change) -> list[str]:
    old, new = change.old, change.new
    words = []
    if labels.VERDICT in change.what:
        words.append(f"结论 {old.verdict} → {new.verdict}")
    if "费用" in change.what:
        words.append(f"费用 {old.fee:g} → {new.fee:g}")
    if labels.MISSING in change.what:
        words.append(f"缺少材料 {_docs(old)} → {_docs(new)}")
    return words


def _docs(decision: Decision) -> str:
    return labels.LIST_SEPARATOR.join(decision.missing) or "无"


def _rule_labels(book: Rulebook, decision: Decision) -> str:
    """The fired rules as people read them, ID and name."""
    by_id = {rule.id: rule.label for rule in book.unique_rules()}
    return labels.RULE_SEPARATOR.join(by_id.get(rule_id, rule_id) for rule_id in decision.rules)


def write_impact(impact: Impact, output: str | Path, *, force: bool = False) -> Path:
    verdicts = impact.verdicts()
    with atomic_workbook(output, "影响分析", streaming=False, inputs=[impact.batch], force=force) as workbook:
        styles = Styles(workbook, verdicts)
        about: list[tuple[str, Any]] = [
            ("批次", str(impact.batch)), ("申请行数", impact.rows), ("决定有变化的行数", len(impact.changes)),
            ("原费用合计(元)", impact.fee_before), ("新费用合计(元)", impact.fee_after),
            ("费用差额(元)", impact.fee_after - impact.fee_before)]
        for side, book in (("原", impact.old), ("新", impact.new)):
            about += [(f"{side}规则库", str(book.path)), (f"{side}规则库版本", book.version),
                      (f"{side}规则库 SHA-256", book.digest)]
        write_table(workbook.add_worksheet("概要"), ("项目", "内容"), about, styles)
        matrix = [[before, *(impact.matrix[before, after] for after in verdicts),
                   sum(impact.matrix[before, a] for a in verdicts)] for before in verdicts]
        matrix.append(["合计", *(sum(impact.matrix[b, after] for b in verdicts) for after in verdicts), impact.rows])
        write_table(workbook.add_worksheet("结论矩阵"), ["原结论 \\ 新结论", *verdicts, "合计"], matrix, styles)
        rows = [[c.row, c.request_id, c.who, c.service, "、".join(c.what), c.old.verdict, c.new.verdict, c.old.fee,
                 c.new.fee, labels.LIST_SEPARATOR.join(c.old.missing), labels.LIST_SEPARATOR.join(c.new.missing),
                 _rule_labels(impact.old, c.old), _rule_labels(impact.new, c.new),
                 "\n".join(c.new.basis)] for c in impact.changes]
        write_table(workbook.add_worksheet("变化明细"), CHANGED_COLUMNS, rows, styles)
        write_table(workbook.add_worksheet("规则库变化"), ("变化",), [(line,) for line in impact.rulebook], styles)
    return Path(output)
