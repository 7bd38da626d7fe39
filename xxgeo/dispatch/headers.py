"""The headers of a monthly sheet: which ``progress`` field (or key) a column header names, and the template's.

A header is compared after NFKC (full-width brackets and letters become half-width), lower case, without spaces,
``*`` or colons, and without its unit — ``（万元）``, ``(万元)``, ``万元`` or an English ``(10k CNY)``; a column in
亿元 is read ×10000 into 万元. Chinese first, English headers too (the English template's).
"""

from __future__ import annotations

import re
import unicodedata

from ..vocab import WAN_PER_YI

#: field -> (the template's Chinese header, the English header)
TEMPLATE: dict[str, tuple[str, str]] = {
    "project_id": ("项目编号", "Project id"),
    "project_code": ("项目代码", "Project code"),
    "name": ("项目名称", "Project name"),
    "month": ("月份", "Month"),
    "annual_plan_wan": ("年度计划投资（万元）", "Annual plan (10k CNY)"),
    "month_done_wan": ("本月完成投资（万元）", "Done this month (10k CNY)"),
    "year_done_wan": ("本年累计完成（万元）", "Done this year (10k CNY)"),
    "total_done_wan": ("开工累计完成（万元）", "Done since start (10k CNY)"),
    "physical_progress": ("形象进度", "Physical progress"),
    "funds_in_place_wan": ("资金到位（万元）", "Funds in place (10k CNY)"),
    "in_statistics": ("是否入统", "In statistics"),
    "problem": ("存在问题", "Problems"),
    "needs": ("需协调事项", "Co-ordination needed"),
    "note": ("备注", "Note"),
}
#: the keys a row is matched by, in order
KEYS = ("project_code", "project_id", "name")
VALUE_FIELDS_OF_SHEET = ("annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan",
                         "physical_progress", "funds_in_place_wan", "in_statistics", "note")

_ALIASES: dict[str, tuple[str, ...]] = {
    "project_id": ("项目编号", "编号", "项目id", "projectid", "project_id", "id"),
    "project_code": ("项目代码", "项目统一代码", "统一项目代码", "项目赋码", "projectcode", "project_code", "code"),
    "name": ("项目名称", "名称", "项目", "projectname", "project", "name"),
    "month": ("月份", "填报月份", "所属月份", "报表月份", "month"),
    "annual_plan_wan": ("年度计划投资", "年度计划", "年计划投资", "本年计划投资", "年度计划完成投资", "年度投资计划",
                        "annualplan", "annualplaninvestment", "annual_plan_wan", "plan"),
    "month_done_wan": ("本月完成投资", "本月完成", "当月完成投资", "当月完成", "本月完成额", "donethismonth",
                       "monthdone", "month_done_wan"),
    "year_done_wan": ("本年累计完成", "本年累计完成投资", "本年累计", "年度累计完成", "本年完成投资",
                      "累计完成年度投资",
                      "donethisyear", "yeartodate", "year_done_wan", "ytd"),
    "total_done_wan": ("开工累计完成", "开工累计完成投资", "自开工累计完成", "自开工累计完成投资",
                       "开工以来累计完成投资",
                       "开工以来累计完成", "开累完成", "开累完成投资", "累计完成投资", "donesincestart", "totaldone",
                       "total_done_wan"),
    "physical_progress": ("形象进度", "工程形象进度", "项目形象进度", "形象进度情况", "项目进展情况", "进展情况",
                          "physicalprogress", "physical_progress", "progress"),
    "funds_in_place_wan": ("资金到位", "到位资金", "资金到位情况", "本年资金到位", "资金到位额", "fundsinplace",
                           "funds_in_place_wan", "funds"),
    "in_statistics": ("是否入统", "入统", "是否纳统", "是否纳入统计", "入统情况", "instatistics", "in_statistics"),
    "problem": ("存在问题", "存在的问题", "问题", "存在困难和问题", "存在问题及困难", "困难问题",
                "problems", "problem"),
    "needs": ("需协调事项", "需协调解决事项", "需协调解决的问题", "需要协调事项", "需协调解决的事项", "协调事项",
              "co-ordinationneeded", "coordinationneeded", "needs"),
    "note": ("备注", "说明", "note", "notes", "remarks"),
}
_LOOKUP = {a: f for f, names in _ALIASES.items() for a in names}
#: 1-3月累计完成投资, 1至3月完成: the year to date named by its months
_YTD = re.compile(r"^1[-~～至到]\d{1,2}月(份)?(累计)?完成(投资)?(额)?$")
#: 3月完成投资: this month named by its number
_THIS_MONTH = re.compile(r"^\d{1,2}月(份)?完成(投资)?(额)?$")
_PLAN_YEAR = re.compile(r"^\d{4}年(度)?计划(完成)?投资$")
_UNIT = re.compile(r"\((万元|亿元|万|亿|10kcny|×10kcny|x10kcny|wanyuan|万元人民币|%)\)$|(万元|亿元)$")


def header_key(cell) -> tuple[str, float]:
    """(normalised header, factor to 万元) of a header cell."""
    k = unicodedata.normalize("NFKC", str(cell)).strip().lower()
    k = re.sub(r"[\s*:：\n]+", "", k)
    factor = WAN_PER_YI if "亿元" in k or "(亿)" in k else 1.0
    k = _UNIT.sub("", k)
    return k, factor


def header_field(cell) -> tuple[str | None, float]:
    """(the field a header names, or None; factor to 万元)."""
    if cell is None or not str(cell).strip():
        return None, 1.0
    k, factor = header_key(cell)
    f = _LOOKUP.get(k)
    if f is None and _YTD.match(k):
        f = "year_done_wan"
    elif f is None and _THIS_MONTH.match(k):
        f = "month_done_wan"
    elif f is None and _PLAN_YEAR.match(k):
        f = "annual_plan_wan"
    return f, factor


def template_headers(lang: str = "zh") -> list[tuple[str, str]]:
    """(field, header) of the template's columns in ``lang``."""
    return [(f, en if lang == "en" else zh) for f, (zh, en) in TEMPLATE.items()]
