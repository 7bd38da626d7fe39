"""Words written once: yes/no, category, location-precision and status names in both languages, units,
亩 per km² and money formatting.

The stored values stay Chinese (the plan's own words); this module says how a value is read from what people
type (:func:`to_bool`) and how it is shown in Chinese or English (:func:`category_text`, :func:`fmt_wan`, …).
It imports nothing from xxgeo, so every other module (schema, io, mapping, reports, views) may use it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: yes/no words people write in tables and forms (compared in lower case, spaces stripped)
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "是", "公开", "可公开", "对外公开", "√", "✓"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", "否", "不公开", "内部", "不", "×", "✗"})

#: the plan's project categories (``schema.CATEGORIES``) in English
CATEGORY_EN: dict[str, str] = {
    "工业": "Industry", "农业": "Agriculture", "文旅": "Culture & tourism", "交通": "Transport", "能源": "Energy",
    "生态水利": "Ecology & water", "新基建数字": "New infrastructure & digital", "城建": "Urban construction",
    "社会民生": "Social services", "商贸物流": "Trade & logistics",
}

#: location precision code -> (Chinese label, English label); the Chinese labels are ``schema.LOC_PRECISION_LABELS``
PRECISION: dict[str, tuple[str, str]] = {
    "surveyed": ("实测", "surveyed"), "village": ("村级位置", "village point"),
    "park": ("园区示意位置", "park (schematic)"), "township": ("乡镇示意点", "township point (schematic)"),
    "county": ("全县（无具体位置）", "county-wide (no site)"), "schematic": ("示意", "schematic"),
}

#: project statuses as the plan writes them, in English
STATUS_EN: dict[str, str] = {
    "在建": "under construction", "待开工": "to start", "新建": "new", "续建": "continued",
    "投产达效": "in production", "现有": "existing", "启动建设": "construction started", "谋划": "planned",
}

#: 七通一平 (the "seven connections and a levelled site") of a parcel: (field, Chinese, English), in the usual order;
#: each is stored as yes / no / empty (unknown)
CHECKLIST: tuple = (
    ("road", "通路", "road"), ("power", "通电", "power"), ("water", "通水", "water supply"),
    ("telecom", "通讯", "telecom"), ("drainage", "排水", "drainage"), ("gas", "通燃气", "gas"),
    ("heating", "通热力", "heating"), ("leveled", "场地平整", "levelled site"),
)
#: a parcel's supply status and its English
PARCEL_STATUSES = ("可供", "洽谈中", "已供")
PARCEL_STATUS_EN = {"可供": "available", "洽谈中": "under negotiation", "已供": "taken"}
#: how land is supplied, and common land uses, in English (other values are shown as written)
SUPPLY_EN = {"出让": "sale of use rights", "租赁": "lease", "标准厂房": "standard factory building"}
LAND_USE_EN = {"工业": "industrial", "仓储": "warehousing", "商业": "commercial", "物流": "logistics",
               "商服": "commercial services", "住宅": "residential", "综合": "mixed use"}
#: 1 亩 = 10000/15 m²
M2_PER_MU = 1_000_000 / 1500

#: words shown for values that are not codes
NOT_STATED = ("未注明", "not stated")
COUNTY_WIDE = "全县/未注明"
OTHER_EN: dict[str, str] = {"示意": "schematic", COUNTY_WIDE: "county-wide / not stated", "未注明": "not stated"}

#: every stored Chinese value the UI shows in English (categories, precision labels, a few fixed words)
VALUES_EN: dict[str, str] = {**CATEGORY_EN, **{zh: en for zh, en in PRECISION.values()}, **OTHER_EN}

#: units: key -> (Chinese, English)
UNITS: dict[str, tuple[str, str]] = {
    "wan": ("万元", "×10k CNY"), "yi": ("亿元", "×100M CNY"), "mu": ("亩", "mu"), "km2": ("km²", "km²"),
}

#: 1 km² = 1,000,000 m² and 1 亩 = 666.67 m², so 1 km² = 1500 亩
MU_PER_KM2 = 1500
#: 1 亿元 = 10,000 万元
WAN_PER_YI = 10000


def _en(lang: str) -> bool:
    return lang == "en"


def is_blank(v) -> bool:
    """True for None, NaN (float, numpy, ``pd.NA``, ``NaT``) and blank strings: the one emptiness test."""
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # an array-like value is not empty
        return False


def to_bool(v, default=None):
    """Read a yes/no value: ``True``/``False`` for a bool or a yes/no word (是/否, 公开/内部, yes/no, 1/0, √/×),
    ``default`` for empty or unknown words (the store passes ``pd.NA``; an importer reports unknown words)."""
    if is_blank(v):
        return default
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    s = str(v).strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    return default


def bool_word(v, lang: str = "zh") -> str | None:
    """是 / 否 (yes / no) for a boolean; None for empty."""
    if is_blank(v):
        return None
    if _en(lang):
        return "yes" if bool(v) else "no"
    return "是" if bool(v) else "否"


def not_stated(lang: str = "zh") -> str:
    """未注明 / not stated."""
    return NOT_STATED[1] if _en(lang) else NOT_STATED[0]


def unit(key: str, lang: str = "zh") -> str:
    """A unit's name (``wan``, ``yi``, ``mu``, ``km2``) in ``lang``."""
    zh, en = UNITS[key]
    return en if _en(lang) else zh


def category_text(category, lang: str = "zh"):
    """A category as shown in ``lang`` (unknown values unchanged)."""
    return CATEGORY_EN.get(category, category) if _en(lang) and isinstance(category, str) else category


def category_both(category) -> str:
    """“工业 Industry” for bilingual documents (the Chinese alone when there is no English)."""
    return f"{category} {CATEGORY_EN.get(category, '')}".strip()


def precision_label(code, lang: str = "zh"):
    """The label of a location-precision code (``township`` -> 乡镇示意点); unknown codes unchanged."""
    pair = PRECISION.get(code)
    return code if pair is None else pair[1 if _en(lang) else 0]


def status_text(status, lang: str = "zh"):
    """A status (or several joined by ``;``) as shown in ``lang``; unknown words unchanged."""
    if not _en(lang) or not isinstance(status, str):
        return status
    return "; ".join(STATUS_EN.get(s.strip(), s.strip()) for s in status.split(";"))


def status_both(status) -> str:
    """“在建 under construction；新建 new” for bilingual documents."""
    return "；".join(f"{s} {STATUS_EN.get(s, '')}".strip() for s in str(status).split(";"))


def value_en(value):
    """A stored Chinese value (category, precision label, fixed word) in English; unknown values unchanged."""
    return VALUES_EN.get(value, value) if isinstance(value, str) else value


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def fmt_wan(v, lang: str = "zh", *, with_unit: bool = True) -> str:
    """An amount in 万元 with thousands separators and, from 1 亿元 up, the 亿元 equivalent beside it.

    ``fmt_wan(25000)`` -> ``25,000 万元（2.50 亿元）``; in English ``25,000 ×10k CNY (2.50 ×100M CNY)``;
    ``with_unit=False`` leaves out “万元” (for a table whose header names it); 未注明 when empty."""
    if is_blank(v):
        return not_stated(lang)
    v = float(v)
    s = _num(v) + (f" {unit('wan', lang)}" if with_unit else "")
    if abs(v) >= WAN_PER_YI:
        yi = f"{v / WAN_PER_YI:,.2f} {unit('yi', lang)}"
        s += f" ({yi})" if _en(lang) else f"（{yi}）"
    return s


def check_mark(v) -> str:
    """✓ for yes, ✗ for no, ? for unknown (empty): one 七通一平 item in a checklist."""
    if is_blank(v):
        return "?"
    return "✓" if bool(v) else "✗"


def mu_text(mu, lang: str = "zh") -> str:
    """``45.2 亩（30,133 m²）`` (English ``45.2 mu (30,133 m²)``); 未注明 when empty."""
    if is_blank(mu):
        return not_stated(lang)
    m2 = f"{float(mu) * M2_PER_MU:,.0f} m²"
    return f"{float(mu):,.1f} mu ({m2})" if _en(lang) else f"{float(mu):,.1f} 亩（{m2}）"


def parcel_value_en(value):
    """A parcel's status, supply or land use in English (other values unchanged)."""
    if not isinstance(value, str):
        return value
    return PARCEL_STATUS_EN.get(value) or SUPPLY_EN.get(value) or LAND_USE_EN.get(value) or value


def parcel_value_text(value, lang: str = "zh"):
    """A parcel's status, supply or land use as shown in ``lang`` (未注明 / not stated when empty)."""
    if is_blank(value):
        return not_stated(lang)
    return str(parcel_value_en(value) if _en(lang) else value)


def km2_to_mu(km2: float) -> float:
    """Square kilometres in 亩."""
    return float(km2) * MU_PER_KM2


def area_text(km2, lang: str = "zh") -> str:
    """``10.95 km²（16,425 亩）`` (English: ``10.95 km² (16,425 mu)``); 未注明 when empty."""
    if is_blank(km2):
        return not_stated(lang)
    mu = f"{km2_to_mu(km2):,.0f} {unit('mu', lang)}"
    return f"{float(km2):g} km² ({mu})" if _en(lang) else f"{float(km2):g} km²（{mu}）"
