"""The rulebook workbook's sheets, read into the Rulebook the engine decides with.

Each sheet is read as a policy officer wrote it (engine.rulebook.layout names the
sheets and headings) and checked as it is read: a cell that cannot mean what its column
asks for, a name another sheet does not know, two rules with one 规则编号, dates out of
order.  Every such mistake is one line naming the cell and the fix; all of them are
collected (``sscard rules lint`` lists them) and the first one stops every other command.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from engine.core.conditions import PARAM_PREFIX, All, Condition, OneOf
from engine.core.parameters import KINDS as PARAMETER_KINDS
from engine.core.parameters import Parameter, Parameters
from engine.core.parameters import shown as value_shown
from engine.core.phrasings import Phrasing, Wordings, compact, listed_values
from engine.core.rulebook import MISSING_PLACEHOLDER, PLACE_PLACEHOLDER, Notice, Rule, Rulebook, Service
from engine.core.schema import (
    Choice,
    Column,
    Date,
    Invalid,
    Kind,
    ResidentId,
    Schema,
    Text,
    WholeNumber,
    YesNo,
    clean_text,
    header_key,
)
from engine.labels import shown_path
from engine.rulebook import layout
from engine.rulebook.conditions import condition
from engine.rulebook.tables import Problems, Record, Table, suggestion, table, to_number
from engine.rulebook.workbook import Cells

RULE_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+")
SERVICE_CODE = re.compile(r"[a-z][a-z0-9_]*")
_PLACEHOLDER = re.compile(r"〔[^〕]*〕")
_RULE_FIELDS = {"id": layout.RULE_ID, "name": layout.RULE_NAME, "services": layout.SERVICE_NAME,
                "verdict": layout.VERDICT, "fee": layout.FEE, "missing": layout.MISSING, "place": layout.PLACE,
                "next": layout.NEXT, "clause": layout.CLAUSE, "reason": layout.REASON, "since": layout.SINCE,
                "until": layout.UNTIL, "interpretation": layout.INTERPRETATION}


@dataclass
class _Verdicts:
    order: tuple[str, ...]
    roles: dict[str, str]  # role -> verdict
    charged: tuple[str, ...]
    notices: dict[str, Notice]


def build(cells: Cells) -> Rulebook:
    """The Rulebook the workbook's cells declare, or RulebookError listing every mistake."""
    problems = Problems()
    settings = _settings(cells, problems)
    services = _services(cells, problems)
    _sheets(cells, problems, services)
    verdicts = _verdicts(cells, problems)
    parameters = _parameters(cells, problems)
    schema = _schema(cells, problems, services, parameters, settings.get(layout.BATCH_SHEET, ""))
    common, own = _rules(cells, problems, schema, services, verdicts, parameters)
    schema.wordings = _wordings(cells, problems, schema, services, common, own)
    problems.raise_any(shown_path(cells.path))
    return Rulebook(
        name=settings.get(layout.NAME, ""),
        schema=schema,
        services=tuple(Service(s.code, s.name, s.clause, tuple(own.get(s.code, ())), s.at) for s in services),
        common=tuple(common),
        verdicts=verdicts.order,
        invalid_verdict=verdicts.roles[layout.INVALID_ROLE],
        unruled_verdict=verdicts.roles[layout.UNRULED_ROLE],
        charged_verdicts=verdicts.charged,
        missing_verdict=verdicts.roles[layout.MISSING_ROLE],
        parameters=parameters,
        missing_next=settings.get(layout.MISSING_NEXT, ""),
        unruled_next=settings.get(layout.UNRULED_NEXT, ""),
        notices=verdicts.notices,
        source_title=settings.get(layout.SOURCE_TITLE, ""),
    )


def _sheets(cells: Cells, problems: Problems, services: list[Service]) -> None:
    """Every sheet is one the rulebook knows: the fixed ones, and one rule table per service
    (named as on 业务), so a misspelt or extra sheet never silently holds rules."""
    names = [s.name for s in services]
    fixed = (layout.SETTINGS, layout.SERVICES, layout.VERDICTS, layout.COLUMNS, layout.PARAMETERS, layout.PHRASINGS,
             layout.COMMON_RULES, layout.CASES)
    for sheet in cells.sheets:
        if sheet.name not in fixed and sheet.name not in names:
            hint = suggestion(sheet.name, [*fixed, *names])
            problems.add(f"{cells.name}「{sheet.name}」:不是规则库的工作表;{hint}每类业务的规则表须与「业务」表中的"
                         f"业务类型同名,其他工作表为:{'、'.join(fixed)}")
    for name in (layout.SETTINGS, layout.SERVICES, layout.VERDICTS, layout.COLUMNS, layout.PARAMETERS):
        if cells.sheet(name) is None:
            problems.add(f"{cells.name}:缺少工作表「{name}」;请从现行规则库复制该表")


def _settings(cells: Cells, problems: Problems) -> dict[str, str]:
    sheet = table(cells, layout.SETTINGS, (layout.ITEM, layout.CONTENT), problems,
                  required=(layout.ITEM, layout.CONTENT))
    found: dict[str, str] = {}
    for record in sheet.records() if sheet else ():
        item = record.name(layout.ITEM, problems, required="项目名称")
        if item not in layout.SETTING_ITEMS:
            if item:
                hint = suggestion(item, list(layout.SETTING_ITEMS))
                problems.add(f"{record.cell(layout.ITEM)}:「{item}」不是规则库的设置项;{hint}"
                             f"可用的项目:{'、'.join(layout.SETTING_ITEMS)}")
            continue
        if item in found:
            problems.add(f"{record.cell(layout.ITEM)}:项目「{item}」写了两次;请删除其中一行")
        found[item] = record.text(layout.CONTENT, problems, required="该项的内容" if item in layout.REQUIRED_ITEMS
                                  else "")
        for placeholder in _PLACEHOLDER.findall(found[item]):
            if item != layout.MISSING_NEXT or placeholder not in (MISSING_PLACEHOLDER, PLACE_PLACEHOLDER):
                allowed = f"只能用 {MISSING_PLACEHOLDER} 和 {PLACE_PLACEHOLDER}" if item == layout.MISSING_NEXT \
                    else "不能含占位符"
                problems.add(f"{record.cell(layout.CONTENT)}:「{placeholder}」不是可用的占位符;该项{allowed}")
    if sheet is not None:
        for item in layout.REQUIRED_ITEMS:
            if item not in found:
                problems.add(f"{cells.name}「{layout.SETTINGS}」:缺少项目「{item}」;请加一行填写")
    return found


def _services(cells: Cells, problems: Problems) -> list[Service]:
    sheet = table(cells, layout.SERVICES, layout.SERVICE_HEADINGS, problems,
                  required=(layout.SERVICE_NAME, layout.SERVICE_CODE, layout.CLAUSE))
    services: list[Service] = []
    for record in sheet.records() if sheet else ():
        name = record.name(layout.SERVICE_NAME, problems, required="业务的中文名称")
        code = record.name(layout.SERVICE_CODE, problems, required="业务代码(小写字母、数字和下划线)")
        clause = record.text(layout.CLAUSE, problems, required="该业务依据的条款")
        if code and not SERVICE_CODE.fullmatch(code):
            problems.add(f"{record.cell(layout.SERVICE_CODE)}:代码「{code}」只能由小写字母、数字和下划线组成,"
                         "以字母开头")
        for other in services:
            if name and other.name == name:
                problems.add(f"{record.cell(layout.SERVICE_NAME)}:业务类型「{name}」与第 {other.at.row} 行重复")
            if code and other.code == code:
                problems.add(f"{record.cell(layout.SERVICE_CODE)}:代码「{code}」与第 {other.at.row} 行重复")
        if name and code:
            services.append(Service(code, name, clause, at=record.where({})))
    if sheet is not None and not services:
        problems.add(f"{cells.name}「{layout.SERVICES}」:没有任何业务;请每行填写一类业务")
    return services


def _verdicts(cells: Cells, problems: Problems) -> _Verdicts:
    sheet = table(cells, layout.VERDICTS, layout.VERDICT_HEADINGS, problems,
                  required=(layout.VERDICT, layout.STRENGTH, layout.CHARGED, layout.ROLE))
    ranked: list[tuple[int, str, Record]] = []
    roles: dict[str, str] = {}
    charged, notices = [], {}
    for record in sheet.records() if sheet else ():
        verdict = record.name(layout.VERDICT, problems, required="结论的名称")
        strength = record.number(layout.STRENGTH, problems, whole=True)
        if strength is None and record.raw(layout.STRENGTH) is None:
            problems.add(f"{record.cell(layout.STRENGTH)}:「强弱」为空;请填 1、2、3…(1 最强)")
        if any(verdict == other for _, other, _ in ranked):
            problems.add(f"{record.cell(layout.VERDICT)}:结论「{verdict}」写了两次;请删除其中一行")
        clash = next((r for s, _, r in ranked if strength is not None and s == strength), None)
        if clash is not None:
            problems.add(f"{record.cell(layout.STRENGTH)}:强弱 {strength} 与第 {clash.row} 行相同;"
                         "每个结论的强弱须不同(1 最强)")
        ranked.append((strength if strength is not None else 0, verdict, record))
        if record.yes(layout.CHARGED, problems):
            charged.append(verdict)
        role = record.name(layout.ROLE, problems)
        if role:
            if role not in layout.VERDICT_ROLES:
                problems.add(f"{record.cell(layout.ROLE)}:「{role}」不是结论的作用;可填:{'、'.join(layout.VERDICT_ROLES)}"
                             "(或留空)")
            elif role in roles:
                problems.add(f"{record.cell(layout.ROLE)}:作用「{role}」已由结论「{roles[role]}」承担;每种作用只能有一个结论")
            else:
                roles[role] = verdict
        notice = _notice(record, problems)
        if notice is not None:
            notices[verdict] = notice
    if sheet is not None:
        for role in layout.VERDICT_ROLES:
            if role not in roles:
                problems.add(f"{cells.name}「{layout.VERDICTS}」:没有作用为「{role}」的结论;请在「作用」列为一个结论填写它")
    roles = {role: roles.get(role, "") for role in layout.VERDICT_ROLES}
    order = tuple(verdict for _, verdict, _ in sorted(ranked, key=lambda item: item[0]))
    return _Verdicts(order, roles, tuple(charged), notices)


def _notice(record: Record, problems: Problems) -> Notice | None:
    title = record.text(layout.NOTICE_TITLE, problems)
    if not title:
        return None
    sections = []
    for word in record.words(layout.NOTICE_SECTIONS, problems):
        if word not in layout.SECTION_WORDS:
            problems.add(f"{record.cell(layout.NOTICE_SECTIONS)}:「{word}」不是告知书的内容;可填:"
                         f"{'、'.join(layout.SECTION_WORDS)}(用顿号分隔)")
        else:
            sections.append(layout.SECTION_WORDS[word])
    return Notice(title, record.text(layout.NOTICE_OPENING, problems, required="告知书的第一段话"),
                  record.text(layout.FEE_LABEL, problems) or "费用", tuple(sections),
                  record.text(layout.PLACE_LABEL, problems) or "办理地点")


def _parameters(cells: Cells, problems: Problems) -> Parameters:
    sheet = table(cells, layout.PARAMETERS, layout.PARAMETER_HEADINGS, problems,
                  required=(layout.PARAMETER, layout.SINCE, layout.VALUE, layout.KIND))
    rows: dict[str, list[Record]] = {}
    for record in sheet.records() if sheet else ():
        name = record.name(layout.PARAMETER, problems, required="参数名称")
        if name:
            rows.setdefault(name, []).append(record)
    return Parameters({name: parameter for name, records in rows.items()
                       if (parameter := _parameter(name, records, problems)) is not None})


def _parameter(name: str, records: list[Record], problems: Problems) -> Parameter | None:
    first = records[0]
    for record in records[1:]:
        for heading in layout.PARAMETER_DESCRIPTION:
            if record.raw(heading) is not None and record.raw(heading) != first.raw(heading):
                problems.add(f"{record.cell(heading)}:与参数「{name}」第一行({first.cell(heading)})的「{heading}」不一致;"
                             "请留空(以第一行为准)或改为一致")
    kind_word = first.name(layout.KIND, problems, required=f"参数「{name}」的类型:{'、'.join(PARAMETER_KINDS)}")
    kind = PARAMETER_KINDS.get(kind_word)
    if kind is None:
        if kind_word:
            problems.add(f"{first.cell(layout.KIND)}:「{kind_word}」不是参数的类型;可填:{'、'.join(PARAMETER_KINDS)}")
        return None
    bounds = []
    for heading, default in ((layout.LOW, kind.default_min), (layout.HIGH, None)):
        bound = _parameter_value(first, heading, kind) if first.raw(heading) is not None else default
        problem = None if bound is None else kind.problem(bound, None, None)
        if problem:
            problems.add(f"{first.cell(heading)}:{heading}「{value_shown(first.raw(heading)).strip('「」')}」{problem}")
            bound = default
        bounds.append(bound)
    low, high = bounds
    values: list[tuple[Any, Any]] = []
    for record in records:
        start = record.date(layout.SINCE, problems)
        if start is None:
            if record.raw(layout.SINCE) is None:
                problems.add(f"{record.cell(layout.SINCE)}:参数「{name}」的这个值没有生效日期;请填日期,如 2027-01-01")
            continue
        raw = record.raw(layout.VALUE)
        if raw is None:
            problems.add(f"{record.cell(layout.VALUE)}:参数「{name}」自 {start.isoformat()} 起的值为空;请填写")
            continue
        value = _parameter_value(record, layout.VALUE, kind)
        problem = kind.problem(value, low, high)
        if problem:
            if not problem.startswith("不是"):  # out of range: say the range
                problem += f"(参数「{name}」为{kind.describe(low, high)});请改正该值"
            problems.add(f"{record.cell(layout.VALUE)}:「{value_shown(raw).strip('「」')}」{problem}")
            continue
        if values and start <= values[-1][0]:
            relation = "与上一个值的生效日期相同" if start == values[-1][0] else \
                f"早于上一个值的生效日期 {values[-1][0].isoformat()}"
            problems.add(f"{record.cell(layout.SINCE)}:参数「{name}」的生效日期 {start.isoformat()} {relation};"
                         "同一参数的各行须按生效日期从早到晚排列且不重复,新的值加在该参数最后一行之后")
            continue
        values.append((start, value))
    return Parameter(name, first.text(layout.NOTE, problems), first.text(layout.UNIT, problems),
                     first.text(layout.REFERENCE, problems), first.yes(layout.INTERPRETATION, problems),
                     tuple(values), kind.name, low, high, at=first.where({"kind": layout.KIND}))


def _parameter_value(record: Record, heading: str, kind) -> Any:
    """A value cell as the parameter's kind holds it; what it was otherwise, for the message."""
    raw = record.raw(heading)
    if kind.name == "date":
        try:
            return Date().parse(raw)
        except Invalid:
            return raw
    number = to_number(raw)
    if number is None:
        return raw
    return int(number) if float(number).is_integer() else number


def _schema(cells: Cells, problems: Problems, services: list[Service], parameters: Parameters,
            batch_sheet: str) -> Schema:
    sheet = table(cells, layout.COLUMNS, layout.COLUMN_HEADINGS, problems,
                  required=(layout.HEADER, layout.KIND, layout.CLAUSE))
    codes = {s.name: s.code for s in services}
    read: list[tuple[Column, Record]] = []
    roles: dict[str, Column] = {}
    orders: dict[str, dict[int, Column]] = {layout.IDENTITY_ORDER: {}, layout.PAPERS_ORDER: {}}
    for record in sheet.records() if sheet else ():
        role = record.name(layout.ROLE, problems)
        if role and role not in layout.COLUMN_ROLES:
            problems.add(f"{record.cell(layout.ROLE)}:「{role}」不是输入列的作用;可填:{'、'.join(layout.COLUMN_ROLES)}"
                         "(或留空)")
        column = _column(record, problems, services, codes, dispatch=role == layout.DISPATCH_ROLE)
        if column is None:
            continue
        if any(header_key(c.header) == header_key(column.header) for c, _ in read):
            problems.add(f"{record.cell(layout.HEADER)}:列名「{column.header}」写了两次;请删除其中一行")
            continue
        if header_key(column.header).startswith(PARAM_PREFIX):
            problems.add(f"{record.cell(layout.HEADER)}:列名不能以 {PARAM_PREFIX} 开头;请换一个列名")
        if role in layout.COLUMN_ROLES:
            if role in roles:
                problems.add(f"{record.cell(layout.ROLE)}:作用「{role}」已由列「{roles[role].header}」承担;每种作用只能有一列")
            else:
                roles[role] = column
                if record.name(layout.REQUIRED, problems) != layout.YES or column.period.dated \
                        or column.used_by is not None:
                    problems.add(f"{record.cell(layout.REQUIRED)}:列「{column.header}」决定怎样读取每一行,须适用全部业务、"
                                 "必填(填 是)且不填生效日期、失效日期")
        for heading, taken in orders.items():
            order = record.number(heading, problems, whole=True)
            if order is None:
                continue
            if order < 1 or order in taken:
                problems.add(f"{record.cell(heading)}:次序 {order} " + ("须 ≥ 1" if order < 1 else
                                                                       f"与列「{taken[order].header}」相同") + ";请改正")
            else:
                taken[order] = column
        read.append((column, record))
    if sheet is not None:
        for role in layout.COLUMN_ROLES:
            if role not in roles:
                problems.add(f"{cells.name}「{layout.COLUMNS}」:没有作用为「{role}」的列;请在「作用」列为一列填写它")
    dispatch, effective = roles.get(layout.DISPATCH_ROLE), roles.get(layout.EFFECTIVE_DATE_ROLE)
    if effective is not None and not isinstance(effective.kind, Date):
        problems.add(f"{effective.at.cell('kind')}:列「{effective.header}」决定适用哪一天的规则和参数,类型须为「日期」")
    # A 必填 cell may name other columns: it is read once every column is known.
    by_header = {clean_text(c.header): c for c, _ in read}
    columns = tuple(_requirement(column, record, problems, by_header, parameters, dispatch, services)
                    for column, record in read)

    def key(column: Column | None) -> str:  # after a mistake, any column keeps the schema whole
        return column.key if column is not None else (columns[0].key if columns else "")

    return Schema(
        columns=columns,
        dispatch=key(dispatch),
        request_id=key(roles.get(layout.REQUEST_ID_ROLE)),
        effective_date=key(effective),
        sheet=batch_sheet,
        identity=tuple(c.key for _, c in sorted(orders[layout.IDENTITY_ORDER].items())),
        papers=tuple(c.key for _, c in sorted(orders[layout.PAPERS_ORDER].items())),
    )


def _column(record: Record, problems: Problems, services: list[Service], codes: dict[str, str], *,
            dispatch: bool) -> Column | None:
    header = record.text(layout.HEADER, problems, required="批次表头中的列名")
    kind_word = record.name(layout.KIND, problems, required=f"列的类型:{'、'.join(layout.KINDS)}")
    clause = record.text(layout.CLAUSE, problems, required="该列有误时引用的条款")
    if not header or not kind_word:
        return None
    if dispatch:  # its values are the services of 业务, by name or by code
        if kind_word != layout.CHOICE or record.raw(layout.VALUES) is not None:
            problems.add(f"{record.cell(layout.KIND)}:作用为业务类型的列须为「选项」类型且可选值留空"
                         "(它的取值就是「业务」表中的业务类型和代码)")
        kind: Kind = Choice(*(s.code for s in services),
                                   aliases={**codes, **{s.code: s.code for s in services}})
    else:
        kind = _kind(record, kind_word, problems)
    used = record.text(layout.USED_BY, problems)
    used_by = None if used in ("", layout.ALL_SERVICES) else _service_codes(record, layout.USED_BY, problems, codes)
    since, until = _period(record, problems)
    return Column(header, kind, required=record.name(layout.REQUIRED, problems) == layout.YES, used_by=used_by,
                  clause=clause, help=record.text(layout.HELP, problems), since=since, until=until,
                  at=record.where({"header": layout.HEADER, "kind": layout.KIND, "required": layout.REQUIRED,
                                   "since": layout.SINCE, "until": layout.UNTIL}))


def _kind(record: Record, word: str, problems: Problems) -> Kind:
    values = record.words(layout.VALUES, problems)
    at = record.cell(layout.VALUES)
    if word == layout.TEXT:
        return Text(*values)
    if word == layout.CHOICE:
        if not values:
            problems.add(f"{at}:选项列须列出全部可选值,用顿号分隔")
        return Choice(*dict.fromkeys(clean_text(v) for v in values))
    if word == layout.WHOLE_NUMBER:
        text = record.text(layout.VALUES, problems)
        found = re.fullmatch(r"(?:≥|>=)?\s*([+-]?\d+)", clean_text(text)) if text else None
        if text and not found:
            problems.add(f"{at}:整数列的可选值写成 ≥ 最小值,如 ≥ 0(空白即 ≥ 0)")
        return WholeNumber(int(found[1]) if found else 0)
    kinds = {layout.YES_NO: YesNo, layout.DATE: Date, layout.RESIDENT_ID: ResidentId}
    if word in kinds:
        if values:
            problems.add(f"{at}:「{word}」类型的取值是固定的,可选值请留空")
        return kinds[word]()
    problems.add(f"{record.cell(layout.KIND)}:「{word}」不是列的类型;{suggestion(word, list(layout.KINDS))}"
                 f"可填:{'、'.join(layout.KINDS)}")
    return Text()  # read on as text, so the rules testing it are not refused for this one mistake


def _requirement(column: Column, record: Record, problems: Problems, by_header: dict[str, Column],
                 parameters: Parameters, dispatch: Column | None, services: list[Service]) -> Column:
    """The column with when it is required: 必填 是 (for a column some services use: for
    their requests), 否, or a condition such as ``账户类型 = 社保账户`` (且 joins several)."""
    text = record.name(layout.REQUIRED, problems)
    if text in ("", layout.NO):
        return column
    if text == layout.YES:
        if column.used_by is None or dispatch is None:
            return column
        return replace(column, required=False, required_when=OneOf(dispatch.key, tuple(
            s.code for s in services if s.code in column.used_by)))
    parts: list[Condition] = []
    for part in (clean_text(p) for p in text.split(layout.AND)):
        named = next((c for header, c in sorted(by_header.items(), key=lambda item: -len(item[0]))
                      if part.startswith(header)), None)
        if named is None:
            problems.add(f"{record.cell(layout.REQUIRED)}:「{part}」不是以输入列的列名开头的条件;必填请填 是、否,或"
                         "「列名 = 值」这样的条件(多个条件用「且」连接)")
            return column
        try:
            parts.append(condition(named, part[len(clean_text(named.header)):].strip(), parameters))
        except Invalid as error:
            problems.add(f"{record.cell(layout.REQUIRED)}:条件「{part}」中{error}")
            return column
    return replace(column, required_when=parts[0] if len(parts) == 1 else All(tuple(parts)))


def _service_codes(record: Record, heading: str, problems: Problems, codes: dict[str, str]) -> frozenset[str]:
    found = set()
    for name in record.words(heading, problems):
        name = clean_text(name)
        if name in codes:
            found.add(codes[name])
        elif name in codes.values():
            found.add(name)
        else:
            problems.add(f"{record.cell(heading)}:「{name}」不是「业务」表中的业务类型;{suggestion(name, list(codes))}"
                         f"可填:{layout.ALL_SERVICES},或用顿号分隔的 {'、'.join(codes)}")
    return frozenset(found)


def _period(record: Record, problems: Problems):
    since, until = record.date(layout.SINCE, problems), record.date(layout.UNTIL, problems)
    if since is not None and until is not None and until < since:
        problems.add(f"{record.cell(layout.UNTIL)}:失效日期 {until.isoformat()} 早于生效日期 {since.isoformat()};"
                     "失效日期是适用的最后一天,须不早于生效日期")
    return since, until


def _rules(cells: Cells, problems: Problems, schema: Schema, services: list[Service], verdicts: _Verdicts,
           parameters: Parameters) -> tuple[list[Rule], dict[str, list[Rule]]]:
    codes = {s.name: s.code for s in services}
    inputs = tuple(c.header for c in schema.columns if c.key != schema.dispatch)
    seen: dict[str, str] = {}
    documents = [c.header for c in schema.columns]
    common: list[Rule] = []
    own: dict[str, list[Rule]] = {}
    sheets = [(layout.COMMON_RULES, None)] + [(s.name, s.code) for s in services]
    for name, code in sheets:
        headings = layout.RULE_HEADINGS + (layout.COMMON_HEADINGS if code is None else ())
        sheet = table(cells, name, headings, problems, others=inputs, what_others="条件列(表头为「输入列」中的列名)",
                      required=(layout.RULE_ID, layout.RULE_NAME, layout.VERDICT, layout.CLAUSE, layout.REASON,
                                *(layout.COMMON_HEADINGS if code is None else ())))
        if sheet is None:
            if code is not None:
                problems.add(f"{cells.name}:业务「{name}」没有规则表;请添加名为「{name}」的工作表(可复制另一业务的表后修改)")
            continue
        for record in sheet.records():
            rule = _rule(record, sheet, problems, schema, verdicts, parameters, codes, documents, seen)
            if rule is not None:
                (common if code is None else own.setdefault(code, [])).append(rule)
    return common, own


def _rule(record: Record, sheet: Table, problems: Problems, schema: Schema, verdicts: _Verdicts,
          parameters: Parameters, codes: dict[str, str], documents: list[str], seen: dict[str, str]) -> Rule | None:
    rule_id = record.name(layout.RULE_ID, problems, required="规则编号,形如 业务-含义(大写字母、数字、连字符)")
    if rule_id and not RULE_ID.fullmatch(rule_id):
        problems.add(f"{record.cell(layout.RULE_ID)}:规则编号「{rule_id}」须形如 业务-含义,只用大写字母、数字和连字符"
                     "(至少一个连字符)")
    if rule_id in seen:
        problems.add(f"{record.cell(layout.RULE_ID)}:规则编号「{rule_id}」已用于 {seen[rule_id]};每条规则须有自己的编号")
    seen.setdefault(rule_id, record.cell(layout.RULE_ID))
    name = record.text(layout.RULE_NAME, problems, required="简短的中文名称")
    clause = record.text(layout.CLAUSE, problems, required="依据的条款")
    reason = record.text(layout.REASON, problems, required="写在「依据」列的中文理由")
    parts: list[Condition] = []
    cells = dict(_RULE_FIELDS)
    for column in schema.columns:
        value = record.raw(column.header) if column.key != schema.dispatch else None
        if value is None:
            continue
        cells[column.header] = column.header
        try:
            parts.append(condition(column, value, parameters))
        except Invalid as error:
            problems.add(f"{record.cell(column.header)}:「{column.header}」{error}")
    verdict = record.name(layout.VERDICT, problems, required=f"结论:{'、'.join(verdicts.order)}")
    if verdict and verdict not in verdicts.order:
        problems.add(f"{record.cell(layout.VERDICT)}:「{verdict}」不是「结论」表中的结论;"
                     f"{suggestion(verdict, list(verdicts.order))}可填:{'、'.join(verdicts.order)}")
    fee = record.name(layout.FEE, problems) or None
    if fee is not None and fee not in parameters.names():
        problems.add(f"{record.cell(layout.FEE)}:费用「{fee}」不是「参数」表中的参数;{suggestion(fee, parameters.names())}"
                     "请填「参数」表中金额参数的名称")
    elif fee is not None and parameters[fee].kind != "amount":
        problems.add(f"{record.cell(layout.FEE)}:费用「{fee}」须是金额参数,它是{parameters[fee].describe()}")
    missing = tuple(record.words(layout.MISSING, problems))
    for document in missing:
        if not any(header.endswith(document) for header in documents):
            problems.add(f"{record.cell(layout.MISSING)}:缺少材料「{document}」不是输入列中的材料;"
                         "请与「输入列」中「材料:…」冒号后的写法一致")
    services: tuple[str, ...] = ()
    if sheet.at.get(layout.SERVICE_NAME) is not None:
        services = tuple(code for code in codes.values()
                         if code in _service_codes(record, layout.SERVICE_NAME, problems, codes))
        if not services and record.raw(layout.SERVICE_NAME) is None:
            problems.add(f"{record.cell(layout.SERVICE_NAME)}:共用规则须写明适用的业务;请填业务类型,用顿号分隔")
    since, until = _period(record, problems)
    return Rule(id=rule_id, name=name, clause=clause, reason=reason, verdict=verdict,
                when=None if not parts else parts[0] if len(parts) == 1 else All(tuple(parts)),
                fee=fee if fee in parameters.names() else None, missing=missing,
                place=record.text(layout.PLACE, problems), next=record.text(layout.NEXT, problems),
                interpretation=record.yes(layout.INTERPRETATION, problems), services=services,
                since=since, until=until, at=record.where(cells))


def _wordings(cells: Cells, problems: Problems, schema: Schema, services: list[Service], common: list[Rule],
              own: dict[str, list[Rule]]) -> Wordings:
    """How each open-text column is read per service: the values the service's rules list
    for it, and the sheet 写法's phrasings of them (RULEBOOK.md, 原因, revised 2026-12-04)."""
    listed: dict[str, dict[str, tuple[str, ...]]] = {}
    for column in schema.columns:
        if not isinstance(column.kind, Text) or column.key == schema.request_id:
            continue
        for service in services:
            rules = [r for r in common if service.code in r.services] + own.get(service.code, [])
            values = listed_values(column.key, [r.when for r in rules if r.when is not None])
            if values:
                listed.setdefault(column.key, {})[service.code] = values
    sheet = table(cells, layout.PHRASINGS, layout.PHRASING_HEADINGS, problems,
                  required=(layout.HEADER, layout.WRITTEN, layout.READS_AS))
    codes = {s.name: s.code for s in services}
    phrasings: list[Phrasing] = []
    for record in sheet.records() if sheet else ():
        phrasing = _phrasing(record, problems, schema, codes, listed)
        if phrasing is None:
            continue
        clash = next((p for p in phrasings if p.column == phrasing.column and compact(p.written) ==
                      compact(phrasing.written) and _overlap(p, phrasing)), None)
        if clash is not None:
            problems.add(f"{record.cell(layout.WRITTEN)}:写法「{phrasing.written}」与 {clash.at.cell('written')} 重复"
                         "(适用业务和生效期有重叠);请删除其中一行,或分开它们的适用业务或日期")
            continue
        phrasings.append(phrasing)
    return Wordings(listed, tuple(phrasings))


def _phrasing(record: Record, problems: Problems, schema: Schema, codes: dict[str, str],
              listed: dict[str, dict[str, tuple[str, ...]]]) -> Phrasing | None:
    header = record.text(layout.HEADER, problems, required="写法所属的输入列,如 原因")
    written = record.name(layout.WRITTEN, problems, required="经办人员的写法")
    reads_as = record.name(layout.READS_AS, problems, required="这种写法读作的值")
    column = next((c for c in schema.columns if header_key(c.header) == header_key(header)), None) if header else None
    if header and column is None:
        problems.add(f"{record.cell(layout.HEADER)}:「{header}」不是「输入列」中的列名;"
                     f"{suggestion(header, [c.header for c in schema.columns])}")
        return None
    if column is not None and column.key not in listed:
        problems.add(f"{record.cell(layout.HEADER)}:写法只用于规则按值判断的文本列(如原因),「{column.header}」不是")
        return None
    if column is None or not written or not reads_as:
        return None
    used = record.text(layout.USED_BY, problems)
    services = None if used in ("", layout.ALL_SERVICES) else _service_codes(record, layout.USED_BY, problems, codes)
    by_service = listed[column.key]
    applies = [code for code in by_service if services is None or code in services]
    if not any(reads_as in by_service[code] for code in applies):
        problems.add(f"{record.cell(layout.READS_AS)}:「{reads_as}」不是适用业务的规则所列的{column.header};可填:"
                     f"{'、'.join(dict.fromkeys(v for code in applies for v in by_service[code]))}")
        return None
    if any(compact(written) in map(compact, by_service[code]) for code in applies):
        problems.add(f"{record.cell(layout.WRITTEN)}:「{written}」本身就是规则所列的{column.header},不能再读作别的值;"
                     "请删除这一行")
        return None
    since, until = _period(record, problems)
    return Phrasing(column.key, written, reads_as, services, record.text(layout.NOTE, problems), since=since,
                    until=until, at=record.where({"written": layout.WRITTEN, "reads_as": layout.READS_AS}))


def _overlap(a: Phrasing, b: Phrasing) -> bool:
    services = a.services is None or b.services is None or bool(a.services & b.services)
    starts = [p.since or dt.date.min for p in (a, b)]
    ends = [p.until or dt.date.max for p in (a, b)]
    return services and max(starts) <= min(ends)
