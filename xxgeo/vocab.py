"""Words written once: yes/no, category, location-precision and status names in both languages, units,
亩 per km² and money formatting.

The stored values stay Chinese (the plan's own words); this module says how a value is read from what people
type (:func:`to_bool`) and how it is shown in Chinese or English (:func:`category_text`, :func:`fmt_wan`, …).
It imports only :mod:`xxgeo.precision` from xxgeo, so every other module (schema, io, mapping, reports, views)
may use it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .precision import SCALE

#: yes/no words people write in tables and forms (compared in lower case, spaces stripped)
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "是", "公开", "可公开", "对外公开", "√", "✓"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", "否", "不公开", "内部", "不", "×", "✗"})

#: the plan's project categories (``schema.CATEGORIES``) in English
CATEGORY_EN: dict[str, str] = {
    "工业": "Industry", "农业": "Agriculture", "文旅": "Culture & tourism", "交通": "Transport", "能源": "Energy",
    "生态水利": "Ecology & water", "新基建数字": "New infrastructure & digital", "城建": "Urban construction",
    "社会民生": "Social services", "商贸物流": "Trade & logistics",
    "未分类": "Uncategorised",
}

#: location precision code -> (Chinese label, English label), most precise first (:mod:`xxgeo.precision`)
PRECISION: dict[str, tuple[str, str]] = {p.code: (p.zh, p.en) for p in SCALE}

#: project, park and site statuses as the plan writes them, in English
STATUS_EN: dict[str, str] = {
    "在建": "under construction", "待开工": "to start", "新建": "new", "续建": "continued",
    "投产达效": "in production", "现有": "existing", "启动建设": "construction started", "谋划": "planned",
    "启动实施": "started", "规划实施": "implemented as planned", "引进实施": "brought in and implemented",
    "如期完成": "completed on schedule", "前期": "preparatory stage", "稳步推进": "advancing steadily",
    "启动": "started", "分批启动": "started in batches", "编制": "being drafted", "落户": "settled in",
    "落地": "landed (to start soon)",
    "实施": "implemented", "建成投用": "completed and in use", "争取": "being sought", "规划": "planned",
}

#: the other code lists the store keeps in Chinese (schema.SITE_KINDS, ROAD_CLASSES, WORK_TYPES, NATURES,
#: township kinds, site grades, indicator groups) and the English shown for them
CODES_EN: dict[str, str] = {
    "景区": "scenic area", "遗址": "heritage site", "文物": "cultural relic", "红色": "revolutionary heritage",
    "自然保护区": "nature reserve", "乡村旅游": "rural tourism", "场馆": "venue", "国家级": "national",
    "高速": "expressway", "国道": "national road", "省道": "provincial road", "县乡道": "county/township road",
    "旅游公路": "tourist road", "城市道路": "urban road", "改扩建": "upgrade and extension",
    "提质改造": "quality upgrade", "预期性": "expected", "约束性": "binding", "镇": "town", "乡": "township",
    "经济发展": "Economic development", "创新驱动": "Innovation", "民生福祉": "Well-being",
    "生态文明": "Ecological civilisation", "廉洁安全": "Integrity and safety",
    "“六新”突破与产业升级": "“Six new” breakthroughs and industrial upgrading", "绿色生态": "Green ecology",
    "人的全面发展": "All-round human development", "安全保障": "Security",
    "official": "official", "schematic": "schematic (not a legal line)",
}
#: boundary quality codes in Chinese (the English is CODES_EN)
BOUNDARY_ZH: dict[str, str] = {"schematic": "示意（非法定界线）", "official": "法定/正式边界"}

#: units the plan's indicator tables write, in English (户 counts enterprises and 张 beds: their only uses there)
UNIT_EN: dict[str, str] = {
    "万元/亩": "10k CNY per mu", "亿元": "100M CNY", "亿美元": "100M USD", "万元": "10k CNY", "元": "CNY",
    "件": "items", "人": "persons",
    "套": "units", "岁": "years", "张": "beds", "亩": "mu", "立方米": "m³", "亿立方米": "100M m³", "万吨": "10k t",
    "人/亿元": "persons per 100M CNY", "人/ 亿元": "persons per 100M CNY", "户": "enterprises", "年": "years",
    "个": "count", "1/10万": "per 100,000", "‰": "‰", "%": "%", "km²": "km²", "km": "km",
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
OTHER_EN: dict[str, str] = {"示意": "schematic", COUNTY_WIDE: "county-wide / not stated", "未注明": "not stated",
                            # the control-line kinds of the map legend (geodata/constraints.toml says them too)
                            "永久基本农田": "Permanent basic farmland", "生态保护红线": "Ecological red line",
                            "城镇开发边界": "Urban development boundary", "文物保护范围": "Heritage protection area",
                            "水源保护区": "Water source protection", "地质灾害隐患点缓冲区": "Geohazard point buffer",
                            "其他": "Other"}

#: every stored Chinese value the UI shows in English (categories, precision labels, a few fixed words)
VALUES_EN: dict[str, str] = {**CATEGORY_EN, **{zh: en for zh, en in PRECISION.values()}, **OTHER_EN,
                              **STATUS_EN, **CODES_EN, "是": "yes", "否": "no"}

#: the schema's Chinese field labels (``schema.Field.label``) in English: table headers and popups
LABEL_EN: dict[str, str] = {
    "管控类型": "Control line", "管控规则": "Rule", "管控边界": "Control lines",
    "与同类图斑重叠": "Overlaps its kind",
    "联系单位": "Organisation", "联系人": "Contact person", "联系电话": "Telephone", "电子邮箱": "E-mail",
    "联系地址": "Address",
    "地块编号": "Parcel id", "地块名称": "Parcel name", "所在园区": "Park",
    "面积（按边界计算）": "Area (from the boundary)",
    "面积（文件所述）": "Area (as the file states)", "土地用途": "Land use", "供地方式": "Supply",
    "价格": "Price", "价格单位": "Price unit", "容积率": "Floor area ratio", "投资强度": "Investment intensity",
    "亩均税收": "Tax per mu", "通路": "Road", "通电": "Power", "通水": "Water", "通讯": "Telecoms",
    "排水": "Drainage", "通燃气": "Gas", "通热力": "Heating", "场地平整": "Site levelled", "供地状态": "Supply status",
    "照片": "Photo", "全景链接": "Panorama link",
    "原文（含转换时丢失的图片）": "As written (an image lost in conversion)",
    "2015年": "2015", "2020年": "2020", "2020年目标": "2020 target", "2025年目标": "2025 target",
    "上级指标": "Parent indicator", "专栏分组": "Box group", "主导产业": "Leading industries",
    "乡镇代码": "Township code", "位置与四至": "Location and bounds", "位置精度": "Location precision",
    "位置说明": "Location note", "修改前": "Before", "修改后": "After", "出处": "Source", "别称": "Other names",
    "单位": "Unit", "发展目标": "Targets", "名称": "Name", "园区": "Park", "园区编号": "Park id", "图层": "Layer",
    "基础设施": "Infrastructure", "完成年份": "End year", "对应项目编号": "Project id", "属性": "Nature",
    "已有企业": "Enterprises", "年份": "Year", "年均增长（%）": "Average growth (%)",
    "年均或累计增长目标（%）": "Average or total growth target (%)",
    "年均或累计增长（%）": "Average or total growth (%)", "序号": "No.", "建设性质": "Work type",
    "建设用地（规划所述）": "Construction land (plan)", "开始年份": "Start year",
    "总投资（规划所述）": "Investment (plan)", "所在乡镇": "Township", "所在村": "Village", "所在表": "Table",
    "投资原文": "Investment as written", "指标": "Indicator", "指标编号": "Indicator id", "操作": "Action",
    "数值": "Value", "时间": "Time", "是否公开": "Public", "村": "Village", "村代码": "Village code",
    "村级单位数": "Village units", "来源": "Source", "标准厂房": "Standard factory buildings",
    "涉及乡镇代码": "Township codes", "片区": "Area", "版本": "Version", "状态": "Status", "用户": "User",
    "示意范围面积（计算）": "Schematic extent (computed)", "等级": "Grade", "简称": "Short name", "类别": "Category",
    "类型": "Kind", "终点": "To", "统计用区划代码": "Statistical division code", "编号": "ID",
    "英文名": "English name", "行政区划代码": "Division code", "要素编号": "Feature id", "规划事项": "Plan item",
    "规划原文": "Plan text", "规划所述距离": "Distances stated in the plan", "规划期限": "Plan period",
    "规划面积（规划所述）": "Planned area (plan)", "起点": "From", "边界性质": "Boundary", "途经": "Via",
    "道路等级": "Road class", "长度（规划所述）": "Length (plan)", "项目名称": "Name", "项目编号": "Project id",
    "驻地位置说明": "Seat location note",
    "位置来源": "Location source", "定位人": "Located by", "定位时间": "Located at",
    "IATI位置精度代码": "IATI precision code", "驻地纬度": "Seat latitude", "驻地经度": "Seat longitude",
}
#: the 调度 (issue 12) labels and values: project fields, layers ``progress`` and ``problems``
LABEL_EN.update({
    "项目代码": "Project code", "建设阶段": "Stage", "重点级别": "Key level", "包联领导": "Lead official",
    "责任单位": "Responsible unit", "计划开工": "Planned start", "计划竣工": "Planned finish", "进度编号": "Report id",
    "月份": "Month", "年度计划投资": "Annual plan", "本月完成投资": "Done this month", "本年累计完成": "Done this year",
    "开工累计完成": "Done since start", "形象进度": "Physical progress", "资金到位": "Funds in place",
    "是否入统": "In statistics", "备注": "Note", "填报状态": "Report state", "填报人": "Reported by",
    "填报时间": "Reported at", "审核人": "Reviewed by", "审核时间": "Reviewed at", "审核意见": "Review comment",
    "问题编号": "Problem id", "提出月份": "Month raised", "存在问题": "Problem", "需协调事项": "Co-ordination needed",
    "办结时限": "Due", "问题状态": "Problem status", "解决时间": "Resolved at", "解决情况": "Resolution",
    "提出人": "Raised by", "提出时间": "Raised at", "解决人": "Resolved by"})
VALUES_EN.update({"省级重点": "provincial key project", "市级重点": "city key project",
                  "县级重点": "county key project"})

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


def display(v, lang: str = "zh", *, blank: str | None = None) -> str:
    """The one display rule for a value: its text, or for an empty one (None, NaN, ``pd.NA``, "") 未注明 /
    not stated in ``lang`` (``"both"``: “未注明 / not stated”) — or ``blank`` when given (tables: "")."""
    if is_blank(v):
        if blank is not None:
            return blank
        return " / ".join(NOT_STATED) if lang == "both" else not_stated(lang)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def km_text(km) -> str:
    """A distance as shown everywhere: ``7.2 km`` (rounded once, by :func:`xxgeo.analysis.distances_from`)."""
    return " / ".join(NOT_STATED) if is_blank(km) else f"{float(km):.1f} km"


def unit(key: str, lang: str = "zh") -> str:
    """A unit's name (``wan``, ``yi``, ``mu``, ``km2``) in ``lang``."""
    zh, en = UNITS[key]
    return en if _en(lang) else zh


def category_text(category, lang: str = "zh"):
    """A category as shown in ``lang`` (unknown values unchanged)."""
    return CATEGORY_EN.get(category, category) if _en(lang) and isinstance(category, str) else category


def categories_en() -> str:
    """The categories for an English sentence: the Chinese name a user types, then its English gloss."""
    return ", ".join(f"{zh} ({en})" for zh, en in CATEGORY_EN.items())


def category_both(category) -> str:
    """“工业 Industry” for bilingual documents (the Chinese alone when there is no English)."""
    return f"{category} {CATEGORY_EN.get(category, '')}".strip()


def precision_label(code, lang: str = "zh"):
    """The label of a location-precision code (``township`` -> 乡镇示意点); unknown codes unchanged."""
    pair = PRECISION.get(code)
    return code if pair is None else pair[1 if _en(lang) else 0]


def status_text(status, lang: str = "zh"):
    """A status (or several joined by ``;``) as shown in ``lang``; unknown words unchanged. A plan quote in
    brackets after a known word (``启动建设（原文“…”）``) stays as the plan wrote it."""
    if not _en(lang) or not isinstance(status, str):
        return status
    return "; ".join(_status_en(s.strip()) for s in status.split(";"))


def _status_en(s: str) -> str:
    head, sep, rest = s.partition("（")
    if sep and head in STATUS_EN:
        quote = rest[:-1] if rest.endswith("）") else rest
        quote = quote[2:] if quote.startswith("原文") else quote
        return f"{STATUS_EN[head]} (plan text: {quote})"
    return STATUS_EN.get(s, s)


def label_text(label: str, lang: str = "zh") -> str:
    """A schema field label (``Field.label``) in ``lang``: the one source of table headers and popup labels."""
    return LABEL_EN.get(label, label) if _en(lang) and isinstance(label, str) else label


def unit_text(u, lang: str = "zh"):
    """A unit as written in the plan (亿元, 万吨 …) in ``lang``; unknown units unchanged."""
    return UNIT_EN.get(str(u).strip(), u) if _en(lang) and isinstance(u, str) else u


def boundary_text(code, lang: str = "zh"):
    """A boundary quality code (``schematic`` / ``official``) as shown in ``lang``."""
    return CODES_EN.get(code, code) if _en(lang) else BOUNDARY_ZH.get(code, code)


def status_both(status) -> str:
    """“在建 under construction；新建 new” for bilingual documents."""
    return "；".join(f"{s} {STATUS_EN.get(s, '')}".strip() for s in str(status).split(";"))


def value_en(value):
    """A stored Chinese value (category, status, kind, road class, precision label, 是/否 …) in English;
    unknown values (names, plan text) unchanged."""
    if not isinstance(value, str):
        return value
    if value in VALUES_EN:
        return VALUES_EN[value]
    return status_text(value, "en") if ";" in value or "（" in value else value


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


#: the time zone every time on screen is shown in (the store keeps UTC)
LOCAL_TZ = "Asia/Shanghai"
#: a project's lifecycle stages, in order (offered with the statuses in use when a status is edited)
LIFECYCLE_STAGES = ("储备", "签约", "前期", "新开工", "续建", "竣工", "投产")
_LIFECYCLE_EN = {"储备": "in reserve", "签约": "signed", "前期": "preparation", "新开工": "newly started",
                 "续建": "continued", "竣工": "completed", "投产": "in operation"}
for _zh, _word in _LIFECYCLE_EN.items():  # the stages read in English like the plan's own statuses
    STATUS_EN.setdefault(_zh, _word)


def local_time(value) -> str:
    """A stored UTC time (ISO 8601) as local time, ``2026-12-01 07:01`` (Asia/Shanghai); empty as ''; a value
    that is not a time is returned as it is."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if is_blank(value):
        return ""
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(ZoneInfo(LOCAL_TZ)).strftime("%Y-%m-%d %H:%M")

LABEL_EN.update({  # 进度照片 (issue 12 item 7)
    "进度照片": "Progress photos", "照片编号": "Photo id", "文件名": "File name", "文件类型": "File type",
    "大小": "Size", "SHA-256": "SHA-256", "宽度": "Width", "高度": "Height", "拍摄时间": "Taken at",
    "拍摄经度": "Longitude taken", "拍摄纬度": "Latitude taken", "距项目位置": "Distance from the project",
    "上传人": "Uploaded by", "上传时间": "Uploaded at"})
UNIT_EN.update({"字节": "bytes", "像素": "pixels", "米": "m"})
