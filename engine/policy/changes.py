"""What differs between two rulebooks, in words: rules, input columns and parameter values
added, removed or changed, each with the dates it takes effect.  `sscard diff` shows it
beside the rows a change decides differently."""

from __future__ import annotations

from engine.core.rulebook import ALWAYS, Rulebook
from engine.policy.catalogue import Entry, entries, phrasing_lines, value_words

_RULE_FIELDS = (("name", "名称"), ("services", "业务类型"), ("clause", "条款"), ("period", "生效"),
                ("conditions", "条件"), ("verdict", "结论"), ("fee", "费用"), ("missing", "缺少材料"),
                ("place", "办理地点"), ("next", "后续事项"), ("reason", "理由"), ("interpretation", "解释性"))


def rulebook_changes(old: Rulebook, new: Rulebook) -> list[str]:
    return _rules(old, new) + _columns(old, new) + _parameters(old, new) + _phrasings(old, new)


def _rules(old: Rulebook, new: Rulebook) -> list[str]:
    before, after = {e.id: e for e in entries(old)}, {e.id: e for e in entries(new)}
    lines = [f"新增规则 {e.label}[{'、'.join(e.services)}]:{e.period or ALWAYS}" for i, e in after.items()
             if i not in before]
    lines += [f"删除规则 {e.label}[{'、'.join(e.services)}]" for i, e in before.items() if i not in after]
    for rule_id, entry in after.items():
        what = [f"{words} {_field(before[rule_id], name)} → {_field(entry, name)}" for name, words in _RULE_FIELDS
                if rule_id in before and getattr(before[rule_id], name) != getattr(entry, name)]
        if what:  # where a rule is written (its row) is no change of the rule
            lines.append(f"修改规则 {entry.label}:" + ";".join(what))
    return lines


def _field(entry: Entry, name: str) -> str:
    value = getattr(entry, name)
    if name == "period":
        return value or ALWAYS
    if name == "services":
        return "、".join(value)
    if name == "interpretation":
        return "是" if value else "否"
    return value or "(无)"


def _columns(old: Rulebook, new: Rulebook) -> list[str]:
    before, after = old.schema.by_header, new.schema.by_header
    lines = [f"新增输入列 {c.header}:{c.period.words() or ALWAYS}" for h, c in after.items() if h not in before]
    lines += [f"删除输入列 {c.header}" for h, c in before.items() if h not in after]
    lines += [f"输入列 {c.header} 的生效 {before[h].period.words() or ALWAYS} → {c.period.words() or ALWAYS}"
              for h, c in after.items() if h in before and before[h].period != c.period]
    return lines


def _parameters(old: Rulebook, new: Rulebook) -> list[str]:
    before = {p.name: p for p in old.parameters or ()}
    lines = []
    for parameter in new.parameters or ():
        unit = f" {parameter.unit}" if parameter.unit else ""
        values = [f"自 {start.isoformat()} 起 {value_words(value)}{unit}" for start, value in parameter.values]
        previous = before.get(parameter.name)
        if previous is None:
            lines.append(f"新增参数 {parameter.name}:" + ";".join(values))
            continue
        kept = [f"自 {start.isoformat()} 起 {value_words(value)}{unit}" for start, value in previous.values]
        if values[:len(kept)] != kept:
            lines.append(f"参数 {parameter.name} 的已有取值被改动:" + ";".join(kept) + " → " + ";".join(values))
        elif len(values) > len(kept):
            lines.append(f"参数 {parameter.name} 新增取值:" + ";".join(values[len(kept):]))
    lines += [f"删除参数 {name}" for name in before if name not in (new.parameters.names() if new.parameters else ())]
    return lines


def _phrasings(old: Rulebook, new: Rulebook) -> list[str]:
    before, after = (dict(phrasing_lines(book)) for book in (old, new))
    lines = [f"新增写法 {words}" for key, words in after.items() if key not in before]
    lines += [f"删除写法 {words}" for key, words in before.items() if key not in after]
    return lines

