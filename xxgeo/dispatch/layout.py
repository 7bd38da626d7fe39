"""Where a monthly sheet's header is and what its columns are: one header row, or two (a group header such as
``年度计划投资`` merged over ``总投资`` / ``本年计划``), below any title rows (``2026年3月重点项目进展情况统计表``,
``填报单位：…  单位：万元``); and the row cells the sheet import treats specially: totals (合计/总计), section rows
(``一、工业项目``), footers (``填报人：…``) and months written without their year (``3月``).

Pure functions over the cells a worker read (:mod:`.sheet`); nothing is guessed: a column whose header is not
understood is left out and named, a month without a year takes the year of the month asked for or named in the
title, else the row is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ..dispatch_values import blank, date_of, month_of
from ..errors import ValidationFailed
from ..vocab import WAN_PER_YI
from .headers import KEYS, header_field, header_key

#: rows looked at for the header
SCAN = 15
#: a sheet's own sums, not projects (compared without spaces)
TOTALS = ("合计", "总计", "小计", "全县合计", "全县总计", "总合计", "累计合计", "total", "subtotal", "sum")
#: a section row: 一、工业项目, （二）续建项目, 其中：
SECTION = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|其中[:：]?)")
#: footers: who filled in the sheet, notes
FOOTER = re.compile(r"^(填报人|填表人|审核人|负责人|单位负责人|联系人|联系电话|填报日期|制表"
                    r"|注[:：]|说明[:：]|备注[:：])")
#: the sheet's unit line: 单位：亿元
UNIT_YI = re.compile(r"单位[:：]?\s*亿元?")
_MONTH_ONLY = re.compile(r"^(\d{1,2})\s*月(份)?$")
#: a date written out, with or without a time: 2026-03-01, 2026/3/1 0:00:00, 2026年3月1日
_DAY = re.compile(r"^(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)(\d{1,2}:\d{2}(:\d{2})?)?$")
#: a cell of a units row under the header: （万元）, 亿元, 单位：万元
_UNIT_CELL = re.compile(r"^(单位[:：]?)?[(（]?(万元|亿元|元|%|个|亩)[)）]?$")


@dataclass
class Header:
    """The header of a sheet: the rows it takes, each field's column and factor to 万元, the columns not used."""

    start: int = 0
    depth: int = 1
    cols: dict = field(default_factory=dict)  # field -> (column index, factor)
    labels: dict = field(default_factory=dict)  # field -> the header as written (both rows joined by " / ")
    ignored: list = field(default_factory=list)

    @property
    def score(self) -> tuple[bool, int]:
        """(names a key column, number of fields recognised): the better header is the larger."""
        return any(k in self.cols for k in KEYS), len(self.cols)

    @property
    def data_start(self) -> int:
        """Index of the first row below the header."""
        return self.start + self.depth


def _norm(v) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v)))


def _filled(row: list) -> int:
    return sum(1 for c in row if not blank(c))


def _grouping(row: list) -> bool:
    """True for a row that may hold group headers: two cells or more, or one not in the first column (a title
    stands in the first column alone)."""
    cells = [j for j, c in enumerate(row) if not blank(c)]
    return len(cells) >= 2 or (len(cells) == 1 and cells[0] > 0)


def _group_field(parent: str, child: str) -> str | None:
    """The field of a column under a group header whose own header is a short word (本月 under 完成投资)."""
    p, c = header_key(parent)[0], header_key(child)[0]
    if "完成" in p or "投资完成" in p:
        if c in ("本月", "当月", "本月完成") or _MONTH_ONLY.match(c):
            return "month_done_wan"
        if "开工" in c or "开累" in c:
            return "total_done_wan"
        if c.startswith("累计") or c in ("本年", "本年累计", "年度累计", "本年完成") or re.match(
                r"^1[-~～至到]\d{1,2}月(份)?(累计)?$", c):
            return "total_done_wan" if ("开工" in p or "开累" in p) else "year_done_wan"
    plan_words = ("本年", "本年计划", "年度", "年度计划", "本年度")
    if "计划" in p and (c in plan_words or re.match(r"^\d{4}年(度)?(计划)?$", c)):
        return "annual_plan_wan"
    if "资金" in p and c in ("到位", "本年到位", "到位资金", "已到位"):
        return "funds_in_place_wan"
    return None


def _column(parent, child) -> tuple[str | None, float]:
    """(field, factor) of one column of a two-row header; the group header alone never names a column that has
    its own header below it (年度计划投资 over 总投资 is not the annual plan)."""
    if blank(child):
        return header_field(parent)
    if blank(parent):
        return header_field(child)
    factor = max(header_field(parent)[1], header_field(child)[1])
    for text in (child, f"{child}{parent}", f"{parent}{child}"):
        f, fac = header_field(text)
        if f:
            return f, max(fac, factor)
    return _group_field(str(parent), str(child)), factor


def _parents(top: list, below: list) -> list:
    """The group header above each column: a merged cell is read in its first column only, so a blank cell
    takes the group header on its left when both have their own headers below."""
    out, last = [], None
    for j in range(max(len(top), len(below))):
        t = top[j] if j < len(top) else None
        b = below[j] if j < len(below) else None
        if not blank(t):
            last = t if not blank(b) else None
            out.append(t)
        else:
            out.append(last if not blank(b) else None)
            if blank(b):
                last = None
    return out


def _build(cells: list, labels: list) -> Header:
    h = Header()
    for j, (f, fac) in enumerate(cells):
        if f and f not in h.cols:
            h.cols[f] = (j, fac)
            h.labels[f] = labels[j]
        elif labels[j]:
            h.ignored.append(labels[j])
    return h


def _single(row: list) -> Header:
    return _build([header_field(c) for c in row], [str(c).strip() if not blank(c) else "" for c in row])


def _pair(top: list, below: list) -> Header:
    parents = _parents(top, below)
    n = max(len(top), len(below))
    kids = [below[j] if j < len(below) else None for j in range(n)]
    labels = [" / ".join(str(x).strip() for x in (p, c) if not blank(x)) for p, c in zip(parents, kids)]
    return _build([_column(p, c) for p, c in zip(parents, kids)], labels)


def find_header(rows: list) -> Header:
    """The best header among the first rows: one row, or a group row over a row of sub-headers (taken only when
    it recognises more fields than either row alone)."""
    best = Header()
    for i, row in enumerate(rows[:SCAN]):
        one = _single(row)
        one.start = i
        if one.score > best.score:
            best = one
        if i + 1 < len(rows) and _grouping(row) and _filled(rows[i + 1]) >= 1:
            two = _pair(row, rows[i + 1])
            two.start, two.depth = i, 2
            alone = max(_single(rows[i + 1]).score, one.score)
            if two.score > max(best.score, alone) or (units_row(rows[i + 1]) and two.score >= max(best.score, alone)):
                best = two
    return best


def units_row(row: list) -> bool:
    """True for a row under the header that gives only units (（万元） under the money columns)."""
    cells = [_norm(c) for c in row if not blank(c)]
    return bool(cells) and all(_UNIT_CELL.match(c) for c in cells)


def title_factor(title: str, label: str) -> float:
    """×10000 for a money column without a unit of its own when the title rows say 单位：亿元."""
    if UNIT_YI.search(_norm(title)) and "万" not in _norm(label) and "亿" not in _norm(label):
        return WAN_PER_YI
    return 1.0


def is_totals(row: list) -> bool:
    """True for a 合计/总计 row (any of its cells says so)."""
    for c in row:
        if isinstance(c, str):
            s = _norm(c).lower().rstrip(":：")
            if s in TOTALS or s.startswith(("合计", "总计", "全县合计")):
                return True
    return False


def is_aside(name: str | None) -> bool:
    """True for a section row (一、工业项目) or a footer (填报人：…) in the name column."""
    if not name:
        return False
    s = _norm(name)
    return bool(SECTION.match(s) or FOOTER.match(s))


def sheet_month(v, default: str | None) -> str:
    """The month of a row's 月份 cell: YYYY-MM, 2026年3月, 2026.03, a date; ``3月`` (or 3) takes the year of
    ``default``. A month a spreadsheet stored as the number 2026.1 is ambiguous (January or October): refused."""
    if isinstance(v, (dt.date, dt.datetime)):
        return month_of(v)
    if isinstance(v, str) and _DAY.match(_norm(v)):  # a date written out (a csv of Excel dates): its month
        return date_of(_DAY.match(_norm(v)).group(1), what="月份")[:7]
    if isinstance(v, float) and not v.is_integer():
        text = repr(v)
        if re.fullmatch(r"\d{4}\.1", text):
            raise ValidationFailed(f"月份“{text}”可能是 1 月也可能是 10 月（表格把 2026.10 存成了 2026.1），"
                                   "请写成 2026-10 或 2026年10月。", [text],
                                   english=f"The month “{text}” may be January or October (a spreadsheet stores "
                                           "2026.10 as 2026.1); write 2026-10 or 2026-01.")
        v = text
    s = _norm(v)
    if _MONTH_ONLY.match(s) or (re.fullmatch(r"\d{1,2}", s) and not isinstance(v, bool)):
        n = int(re.match(r"\d+", s).group())
        if 1 <= n <= 12 and default:
            return f"{default[:4]}-{n:02d}"
        if 1 <= n <= 12:
            raise ValidationFailed(f"月份“{v}”没有年份：请写成 YYYY-MM（例如 2026-03），"
                                   "或指定月份（--month YYYY-MM）。",
                                   [str(v)], english=f"The month “{v}” has no year; write YYYY-MM (for example "
                                                     "2026-03) or give --month YYYY-MM.")
    return month_of(v)
