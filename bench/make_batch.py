"""Generate a large realistic batch for benchmarks and scale tests.

    python bench/make_batch.py ROWS OUT.xlsx [--seed N]

Rows cycle through every service with varied fields, valid 公民身份号码 (text cells)
and a sprinkling of bad rows, so the checker does its real work on every row.
Written with xlsxwriter in constant-memory mode: a million rows need little memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import xlsxwriter

HEADER = ["申请编号", "业务类型", "申请日期", "持卡人姓名", "公民身份号码", "办理人", "卡状态", "账户类型",
          "连续密码错误次数", "原因", "损坏责任", "已申请补卡", "有工作单位", "户籍已注销", "人社业务已办结",
          "银行业务已办清", "已领取新卡", "材料:身份证件原件", "材料:社保卡", "材料:受托人身份证原件",
          "材料:受托人身份证复印件", "材料:单位证明", "材料:社区证明", "材料:变更证明", "材料:户籍注销证明"]
SERVICES = ["信息变更", "密码重置", "密码解锁", "挂失", "解除挂失", "补卡", "换卡", "注销"]
REASONS = {"信息变更": ["数据采集错误", "信息变更"], "挂失": ["丢失", "被盗"],
           "换卡": ["卡面污损", "卡面残缺", "无法读写", "卡片过期"], "注销": ["死亡", "失踪", "换领新卡"]}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(rng: random.Random) -> str:
    area = rng.choice(["110105", "230202", "230203", "310104", "440305"])
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 65))
    body = f"{area}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
    return body + check


def row(i: int, rng: random.Random) -> list:
    service = SERVICES[i % len(SERVICES)]
    yes_no = lambda p=0.85: "是" if rng.random() < p else "否"  # noqa: E731
    values = {
        "申请编号": f"B{i:07d}",
        "业务类型": service,
        "申请日期": dt.datetime(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 300)),
        "持卡人姓名": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        "公民身份号码": resident_id(rng),
        "办理人": "代办" if rng.random() < 0.2 else "本人",
        "卡状态": rng.choices(["正常", "挂失", "注销"], [6, 3, 1])[0],
    }
    if service in ("密码重置", "密码解锁"):
        values["账户类型"] = rng.choice(["社保账户", "银行账户"])
        values["连续密码错误次数"] = rng.randrange(0, 6)
    if service in REASONS:
        values["原因"] = rng.choice(REASONS[service])
    if service == "换卡":
        values["损坏责任"] = rng.choice(["卡片质量问题", "数据采集错误", "使用不当", "其他"])
    for key in ("已申请补卡", "有工作单位", "户籍已注销", "人社业务已办结", "银行业务已办清", "已领取新卡"):
        values[key] = yes_no(0.7)
    for key in HEADER[17:]:
        values[key] = yes_no()
    if i % 97 == 0:
        values["公民身份号码"] = values["公民身份号码"][:-1] + ("0" if values["公民身份号码"][-1] != "0" else "1")
    return [values.get(h) for h in HEADER]


def write_batch(rows: int, path: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("申请")
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for i in range(1, rows + 1):
        values = row(i, rng)
        sheet.write_row(i, 0, values[:2])
        sheet.write_datetime(i, 2, values[2], date)
        sheet.write_row(i, 3, values[3:])
    workbook.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_batch(args.rows, args.out, args.seed)
    print(f"wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
