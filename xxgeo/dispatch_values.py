"""The values of a monthly 调度 report, read once: months, dates, 万元 amounts, 是/否, and what a report may set.

Pure functions over what a user typed, a sheet cell held or the app's table sent; each refuses a value it
cannot read with :class:`~xxgeo.errors.ValidationFailed` (one Chinese sentence and its English twin), and reads
a blank (or a dash) as *not reported* — ``None``, never 0. Used by the guarded store (:mod:`xxgeo.policy_dispatch`),
the sheet import (:mod:`xxgeo.dispatch.sheet`) and the command line.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata

from .errors import ValidationFailed
from .schema import LAYERS
from .textsafe import CONTROL_RE
from .vocab import FALSE_WORDS, LABEL_EN, TRUE_WORDS, WAN_PER_YI, is_blank

#: the fields of ``progress`` a report sets (the rest is the cycle's bookkeeping)
MONEY_FIELDS = ("annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan", "funds_in_place_wan")
TEXT_FIELDS = ("physical_progress", "note")
VALUE_FIELDS = (*MONEY_FIELDS[:4], "physical_progress", "funds_in_place_wan", "in_statistics", "note")
#: what a cell may hold for "not reported"
BLANKS = frozenset({"-", "—", "–", "－", "/", "／", "——", "--", "无"})
TEXT_MAX = 2000
_MONTH_RES = (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(份)?$"), re.compile(r"^(\d{4})(\d{2})$"))
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
#: a month named in a title or file name: 2026年3月, 2026-03, 2026.3
MONTH_IN_TEXT = re.compile(r"(20\d{2})\s*(?:年|-|\.|/)\s*(\d{1,2})\s*(?:月|(?!\d))")
#: a full date in a title (填报日期：2026年4月5日) is when the sheet was filled in, not the month it reports
_FULL_DATE = re.compile(r"20\d{2}\s*(年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2}(?!\d))")
#: 2026年1-3月: a range of months, reported at its last month
_MONTH_RANGE = re.compile(r"(20\d{2})\s*年\s*\d{1,2}\s*[-~～至到]\s*(\d{1,2})\s*月")
_EXTRA_TRUE = frozenset({"已入统", "入统", "已纳统", "纳统"})
_EXTRA_FALSE = frozenset({"未入统", "未纳统", "不入统"})


def _bad(zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(zh, [zh], english=en)


def _text(v) -> str:
    return unicodedata.normalize("NFKC", str(v)).strip()


def blank(v) -> bool:
    """True for an empty value or a dash that means "not reported"."""
    return is_blank(v) or (isinstance(v, str) and v.strip() in BLANKS)


def progress_id(project_id: str, month: str) -> str:
    """The id of a project's report for a month: ``PROJECT_ID/YYYY-MM``."""
    return f"{project_id}/{month}"


def month_of(v, *, what: str = "月份") -> str:
    """``2026-03`` from ``2026-03``, ``2026-3``, ``2026年3月``, ``2026/03``, ``202603`` or a date; refuses the
    rest."""
    if isinstance(v, dt.date):
        return f"{v.year:04d}-{v.month:02d}"
    s = _text(v) if not blank(v) else ""
    for rx in _MONTH_RES:
        m = rx.match(s)
        if m and 1 <= int(m.group(2)) <= 12 and 1990 <= int(m.group(1)) <= 2100:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    raise _bad(f"{what}“{v}”无法识别，应为 YYYY-MM（例如 2026-03 或 2026年3月）。",
               f"The month “{v}” is not understood; write YYYY-MM (for example 2026-03).")


def date_of(v, *, what: str = "日期") -> str | None:
    """An ISO date ``YYYY-MM-DD`` from ``2026-04-30``, ``2026/4/30``, ``2026年4月30日`` or a date; None for blank."""
    if blank(v):
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return v.isoformat()
    m = _DATE_RE.match(_text(v))
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            pass
    raise _bad(f"{what}“{v}”不是有效日期，应为 YYYY-MM-DD（例如 2026-04-30）。",
               f"The date “{v}” is not valid; write YYYY-MM-DD (for example 2026-04-30).")


def money_of(v, *, what: str = "金额", factor: float = 1.0) -> float | None:
    """An amount in 万元 (``factor`` 10000 for a column in 亿元); ``1,200``, ``1200万元``, ``0.12亿元`` are read,
    a blank or dash is None (not reported), text or a negative amount is refused."""
    if blank(v):
        return None
    if isinstance(v, bool):
        raise _bad(f"{what}“{v}”不是数字。", f"{what_en(what)} “{v}” is not a number.")
    if isinstance(v, numbers.Real):
        num = float(v) * factor
    else:
        s = _text(v).replace(",", "").replace(" ", "")
        f = factor
        if s.endswith(("亿元", "亿")):
            s, f = s.rstrip("元").rstrip("亿"), WAN_PER_YI
        elif s.endswith(("万元", "万")):
            s, f = s.rstrip("元").rstrip("万"), 1.0
        try:
            num = float(s) * f
        except ValueError:
            raise _bad(f"{what}“{v}”不是数字（金额以万元计，例如 1200 或 1200万元）。",
                       f"{what_en(what)} “{v}” is not a number (amounts in 10k CNY, e.g. 1200).") from None
    if math.isnan(num) or math.isinf(num):
        return None
    if num < 0:
        raise _bad(f"{what}“{v}”是负数；金额不能为负。", f"{what_en(what)} “{v}” is negative; amounts cannot be.")
    return round(num, 4)


def flag_of(v, *, what: str = "是否入统") -> bool | None:
    """是/否 (also 已入统/未入统, √/×, yes/no); None for blank; anything else refused."""
    if blank(v):
        return None
    if isinstance(v, bool):
        return v
    s = _text(v).lower()
    if s in TRUE_WORDS or s in _EXTRA_TRUE:
        return True
    if s in FALSE_WORDS or s in _EXTRA_FALSE:
        return False
    raise _bad(f"{what}“{v}”应为“是”或“否”。", f"{what_en(what)} “{v}” should be yes or no.")


def text_of(v, *, what: str = "文字") -> str | None:
    """Free text (形象进度, 备注, a problem): stripped, None for blank; control characters and over-long text
    refused."""
    if is_blank(v) or not str(v).strip():
        return None
    s = str(v).strip()
    if CONTROL_RE.search(s):
        raise _bad(f"{what}含有控制字符（不可见的特殊字符），请删去后重试。",
                   f"{what_en(what)} contains control characters (invisible special characters); remove them.")
    if len(s) > TEXT_MAX:
        raise _bad(f"{what}太长：{len(s)} 个字符，最多 {TEXT_MAX} 个。",
                   f"{what_en(what)} is too long: {len(s)} characters, at most {TEXT_MAX}.")
    return s


def what_en(label: str) -> str:
    """The English of a field label used in a sentence ("The annual plan")."""
    return LABEL_EN.get(label, label)


def field_label(name: str) -> str:
    """The Chinese label of a ``progress`` field."""
    return LAYERS["progress"].field(name).label


def clean_values(values: dict, *, factors: dict | None = None) -> dict:
    """The report values of ``values`` (``progress`` field names) read and checked: amounts in 万元, 是/否,
    text; refuses an unknown field. A blank stays None (not reported)."""
    out: dict = {}
    unknown = [k for k in values if k not in VALUE_FIELDS]
    if unknown:
        raise _bad(f"月度进度没有字段：{'、'.join(map(str, unknown))}。可填的字段：{'、'.join(VALUE_FIELDS)}。",
                   f"A monthly report has no field(s) {', '.join(map(str, unknown))}; fields: "
                   f"{', '.join(VALUE_FIELDS)}.")
    for k, v in values.items():
        label = field_label(k)
        if k in MONEY_FIELDS:
            out[k] = money_of(v, what=label, factor=(factors or {}).get(k, 1.0))
        elif k == "in_statistics":
            out[k] = flag_of(v, what=label)
        else:
            out[k] = text_of(v, what=label)
    return out


def month_in_text(text: str) -> str | None:
    """The one month a title or file name names (``2026年3月重点项目进度``), or None (none, or several); a full
    date (``填报日期：2026年4月5日``) is not a month named."""
    text = _FULL_DATE.sub(" ", unicodedata.normalize("NFKC", text))
    text = _MONTH_RANGE.sub(r"\1年\2月", text)
    found = {f"{int(y):04d}-{int(m):02d}" for y, m in MONTH_IN_TEXT.findall(text) if 1 <= int(m) <= 12}
    return found.pop() if len(found) == 1 else None


def key_text(v) -> str | None:
    """A 项目代码 or 项目编号 as a sheet row and a project are compared: full-width digits and letters made
    half-width (NFKC), spaces removed, upper case; None for blank."""
    if blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return re.sub(r"\s+", "", _text(v)).upper() or None


def name_text(v) -> str | None:
    """A project name as a sheet row and a project are compared (exactly, after NFKC: full-width brackets
    half-width; spaces removed); None for blank."""
    if blank(v):
        return None
    return re.sub(r"\s+", "", _text(v)) or None
