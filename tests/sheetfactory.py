"""Monthly sheets as units really send them (issue 12's hold-out check), made from a seed: title rows above the
header, one- or two-row (merged) headers, brackets full- or half-width or no unit at all, spaces and line breaks
inside header cells, a 序号 column, 合计 and section rows, blank rows, a footer, numbers written as text, the
month as an Excel date, 2026年3月, 2026.03 or 3月, 是否入统 in its many spellings, .xls or .xlsx, the data sheet
not first in the workbook, project codes with spaces or full-width digits.

:func:`variant` returns the cells (with merges) and what an import must store from them: ``{project_id:
{field: value}}`` in 万元, and the 1-based row numbers that name no project of the store (listed, never
guessed). :func:`write` writes it as .xlsx (openpyxl) or .xls (xlwt). Nothing here goes into the default store.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")
UNITS = ("（万元）", "(万元)", "万元", "", "（ 万元 ）")
TRUE = ("是", "√", "已入统", "是 ")
FALSE = ("否", "×", "未入统")
BLANKS = ("—", "/", "无", "", None, "-")
TITLES = ("夏县{y}年{m}月重点项目进展情况统计表", "{y}年{m}月份全县重点工程项目推进情况表")
UNITS_LINE = "填报单位：（盖章）            单位：{unit}          填报日期：{y}年{m2}月5日"


@dataclass
class Sheet:
    """A variant: the workbook's sheets (name -> rows), merges of the data sheet, what an import must do."""

    fmt: str
    sheets: dict
    data_sheet: str
    merges: list = field(default_factory=list)  # (first row, first col, last row, last col), 0-based
    expected: dict = field(default_factory=dict)  # project_id -> {field: value}
    unmatched: list = field(default_factory=list)  # 1-based row numbers
    month_arg: str | None = None  # the --month the import needs (None: the sheet says it)
    description: list = field(default_factory=list)


def _spaced(rng: random.Random, text: str) -> str:
    """A header as typed: a space or a line break somewhere inside, sometimes."""
    if rng.random() < 0.35 and len(text) > 2:
        k = rng.randrange(1, len(text) - 1)
        return text[:k] + rng.choice((" ", "\n", "  ", " \n")) + text[k:]
    return text


def _money(rng: random.Random, value: float, yi: bool):
    """``value`` (万元) as a unit writes it: a number, "1,200", "1200.5万元"; in a 亿元 sheet, ÷10000."""
    if yi:
        return round(value / 10000, 8)
    form = rng.randrange(5)
    if form == 0:
        return value
    if form == 1:
        return f"{value:,.0f}" if value == int(value) else f"{value:,}"
    if form == 2:
        return f"{value:g}万元"
    if form == 3:
        return str(value).translate(FULL) if value == int(value) else f"{value:g}"
    return int(value) if value == int(value) else value


def variant(seed: int, projects: list[dict], month: str = "2026-03") -> Sheet:
    """A monthly sheet made from ``seed`` for ``projects`` (dicts: project_id, project_code, name; the codes
    set in the store), reporting ``month``."""
    rng = random.Random(seed)
    y, m = int(month[:4]), int(month[5:])
    fmt = rng.choice(("xlsx", "xls", "xlsx", "xls", "csv"))
    two_rows = rng.random() < 0.5
    unit = rng.choice(UNITS)
    with_no = rng.random() < 0.7
    month_form = rng.choice(("none", "date", "cn", "dot", "short", "iso"))
    titles = rng.randrange(3) if month_form != "none" else rng.randrange(1, 3)
    yi = rng.random() < 0.15  # a sheet whose unit line says 单位：亿元, its headers without a unit
    if yi:
        unit, titles = "", 2
    month_arg = month if month_form == "short" or (month_form == "none" and rng.random() < 0.3) else None
    desc = [f"fmt={fmt}", f"two_rows={two_rows}", f"unit={unit!r}", f"yi={yi}", f"no={with_no}",
            f"month={month_form}", f"titles={titles}", f"month_arg={month_arg}"]

    rows: list[list] = []
    if titles >= 1:
        named = month_form != "none" or month_arg is None
        t = rng.choice(TITLES).format(y=y, m=m) if named else "重点项目进展情况统计表"
        rows.append([t])
    if titles >= 2:
        rows.append([UNITS_LINE.format(unit="亿元" if yi else "万元", y=y, m2=m + 1 if m < 12 else 12)])

    u = unit
    cols = (["序号"] if with_no else []) + ["项目名称", "项目代码"]
    if month_form != "none":
        cols.append("月份")
    merges: list = []
    if two_rows:
        top = [_spaced(rng, c) for c in cols]
        below = [None] * len(cols)
        groups = [("年度计划投资" + u, ["总投资", "本年计划"]),
                  ("完成投资" + u, ["本月", "本年累计", "开工累计"])]
        fields_of = {"本年计划": "annual_plan_wan", "本月": "month_done_wan", "本年累计": "year_done_wan",
                     "开工累计": "total_done_wan", "总投资": None}
        layout: list = [None] * len(cols)
        for head, kids in groups:
            start = len(top)
            for k in kids:
                top.append(head if k == kids[0] else None)
                below.append(_spaced(rng, k))
                layout.append(fields_of[k])
            merges.append((len(rows), start, len(rows), start + len(kids) - 1))
        for tail, f in (("形象进度", "physical_progress"), ("是否入统", "in_statistics")):
            top.append(_spaced(rng, tail))
            below.append(None)
            layout.append(f)
        if rng.random() < 0.4:  # only the groups in the first row, every other header in the second
            desc.append("keys_below")
            for j in range(len(top)):
                if below[j] is None:
                    top[j], below[j] = None, top[j]
        first = len(rows)
        for j, c in enumerate(top):
            if below[j] is None and c is not None:
                merges.append((first, j, first + 1, j))
        rows += [top, below]
    else:
        heads = [("年度计划投资" + u, "annual_plan_wan"), ("本月完成投资" + u, "month_done_wan"),
                 ("本年累计完成" + u, "year_done_wan"), ("自开工累计完成投资" + u, "total_done_wan"),
                 ("形象进度", "physical_progress"), ("是否入统", "in_statistics")]
        rng.shuffle(heads)
        layout = [None] * len(cols) + [f for _, f in heads]
        rows.append([_spaced(rng, c) for c in cols] + [_spaced(rng, h) for h, _ in heads])
        if unit == "" and not yi and rng.random() < 0.9:  # the units in a row of their own under the header
            rows.append([None] * len(cols) + [("（万元）" if f.endswith("_wan") else None) for _, f in heads])
            desc.append("units_row")
    ncol = len(layout)
    name_at, code_at = cols.index("项目名称"), cols.index("项目代码")
    month_at = cols.index("月份") if "月份" in cols else None

    expected: dict = {}
    unmatched: list = []
    n = 0

    def add(r: list) -> None:
        rows.append(r + [None] * (ncol - len(r)))

    if rng.random() < 0.5:
        add([None, "一、续建项目"] if with_no else ["一、续建项目"])
    for p in projects:
        if rng.random() < 0.25:
            add([])  # a blank row
        n += 1
        r: list = [None] * ncol
        if with_no:
            r[0] = n
        key = rng.choice(("code", "name", "both"))
        r[name_at] = p["name"] if key != "code" else rng.choice((None, p["name"]))
        code = p["project_code"]
        if key != "name":
            c = rng.choice(("plain", "spaces", "full"))
            r[code_at] = code if c == "plain" else (f" {code[:4]} {code[4:]} " if c == "spaces" else
                                                     code.translate(FULL))
        if month_at is not None:
            r[month_at] = {"date": dt.date(y, m, 1), "cn": f"{y}年{m}月", "dot": f"{y}.{m:02d}",
                           "short": f"{m}月", "iso": f"{y}-{m:02d}"}[month_form]
        want: dict = {}
        for j, f in enumerate(layout):
            if f is None:
                if two_rows and j >= len(cols):
                    r[j] = rng.choice((50000, 12000.5, None))  # 总投资: not a report field, not read
                continue
            if f == "physical_progress":
                r[j] = rng.choice(("主体施工", "完成立项", None, "基础完工 60%"))
                if r[j] is not None:
                    want[f] = r[j]
            elif f == "in_statistics":
                flag = rng.choice((True, False, None))
                r[j] = None if flag is None else rng.choice(TRUE if flag else FALSE)
                if flag is not None:
                    want[f] = flag
            elif rng.random() < 0.2:
                r[j] = rng.choice(BLANKS)  # not reported
            else:
                value = rng.choice((1200, 300, 20, 1200.5, 8000, 0, 45.25))
                r[j] = _money(rng, value, yi)
                want[f] = value
        rows.append(r)
        if want:
            expected[p["project_id"]] = want
    if rng.random() < 0.6:  # a project the store does not have: listed, never guessed
        r = [None] * ncol
        if with_no:
            r[0] = n + 1
        r[name_at] = "不存在的某某项目"
        r[layout.index("year_done_wan")] = 10
        if month_at is not None:
            r[month_at] = rows[-1][month_at]
        rows.append(r)
        unmatched.append(len(rows))
    if rng.random() < 0.8:
        tot = [None] * ncol
        tot[0 if with_no else name_at] = rng.choice(("合计", "总计", "合  计", "全县合计"))
        tot[layout.index("year_done_wan")] = 99999
        rows.append(tot)
    if rng.random() < 0.5:
        add(["填报人：王某   审核人：李某   联系电话：0359-0000000"])
    sheets = {}
    data_name = rng.choice(("3月", "进度表", "Sheet1", "重点项目"))
    if rng.random() < 0.5:
        sheets[rng.choice(("填表说明", "封面", "汇总"))] = [["填表说明：金额单位为万元，空白表示未填报。"],
                                                        ["各乡镇按月填报"]]
    sheets[data_name] = rows
    if rng.random() < 0.3:
        sheets["附表"] = [["乡镇", "项目个数"], ["某镇", 3]]
    return Sheet(fmt, sheets, data_name, merges, expected, unmatched, month_arg, desc)


def write(sheet: Sheet, folder: Path, stem: str = "月报") -> Path:
    """The workbook of ``sheet`` in ``folder`` (.xlsx or .xls; a .csv holds the data sheet only, in GBK or UTF-8
    with a BOM, dates written out as a spreadsheet exports them)."""
    path = folder / f"{stem}.{sheet.fmt}"
    if sheet.fmt == "csv":
        import csv
        import io

        def text(v):
            if isinstance(v, dt.date):
                return f"{v.year}/{v.month}/{v.day} 0:00:00" if len(sheet.description) % 3 else v.isoformat()
            return "" if v is None else v

        buf = io.StringIO()
        csv.writer(buf).writerows([[text(v) for v in r] for r in sheet.sheets[sheet.data_sheet]])
        path.write_bytes(buf.getvalue().encode("gbk" if len(sheet.description) % 2 else "utf-8-sig"))
        return path
    if sheet.fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        wb.remove(wb.active)
        for name, rows in sheet.sheets.items():
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
            if name == sheet.data_sheet:
                for r1, c1, r2, c2 in sheet.merges:
                    if (r1, c1) != (r2, c2):
                        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
                for row in ws.iter_rows():
                    for c in row:
                        if isinstance(c.value, dt.date):
                            c.number_format = "yyyy-mm"
        wb.save(path)
        return path
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date = xlwt.easyxf(num_format_str="YYYY-MM")
    for name, rows in sheet.sheets.items():
        ws = wb.add_sheet(name)
        merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges} if name == sheet.data_sheet else {}
        covered = {(i, j) for (r1, c1), (r2, c2) in merged.items() for i in range(r1, r2 + 1)
                   for j in range(c1, c2 + 1)} - set(merged)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                if (i, j) in covered:
                    continue
                if (i, j) in merged and merged[(i, j)] != (i, j):
                    ws.write_merge(i, merged[(i, j)][0], j, merged[(i, j)][1], v)
                elif isinstance(v, dt.date):
                    ws.write(i, j, dt.datetime(v.year, v.month, v.day), date)
                elif v is not None:
                    ws.write(i, j, v)
    wb.save(str(path))
    return path
