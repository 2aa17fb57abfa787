from datetime import date

from engine.core.conditions import row
from engine.core.schema import Choice, Column, Date, Invalid, Text, TextCode, WholeNumber, YesNo

from .services import CODES, SERVICES


def member_number(text: str) -> str:
    """8 digits; the last is the sum of the others modulo 10."""
    if len(text) != 8 or not text.isdigit():
        raise Invalid(f"「{text}」应为 8 位数字")
    if sum(map(int, text[:7])) % 10 != int(text[7]):
        raise Invalid(f"「{text}」校验位错误")
    return text


COLUMNS = (
    Column("申请编号", "request_id", Text(), required=True),
    Column("业务类型", "service", Choice(*CODES, aliases={s.name: s.code for s in SERVICES}), required=True),
    Column("申请日期", "apply_date", Date(), required=True),
    Column("姓名", "holder_name", Text(), required=True),
    Column("读者证号", "member_id", TextCode(member_number, "8 位文字"), required=True),
    Column("办理人", "applicant", Choice("本人", "代办"), required=True),
    Column("账户", "account", Choice("馆内账户", "银行账户"), used_by=frozenset({"reset"}),
           required_when=row.service == "reset"),
    Column("错误次数", "wrong_count", WholeNumber(0), used_by=frozenset({"unlock"}),
           required_when=row.service == "unlock"),
    Column("材料:身份证件", "doc_id", YesNo(), used_by=frozenset({"issue", "unlock"})),
    Column("材料:申请表", "doc_form", YesNo(), used_by=frozenset({"issue"}), since=date(2027, 1, 1)),
)
