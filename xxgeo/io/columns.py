"""Headers as people write them (项目名称, 乡镇, 总投资(亿元), 是否公开 ...) mapped to the schema's fields,
and cell values normalised (township names to codes, 是/否 to booleans, 亿元 to 万元 with the original kept).

Nothing is guessed silently: every conversion is reported in ``notes``, every value that cannot be
understood becomes a per-row problem, and columns that match no field are listed as not imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..county import county
from ..distinct import each_text
from ..errors import XxgeoError
from ..names import resolve_park, resolve_township
from ..schema import CATEGORIES, LAYERS, LOC_PRECISION_LABELS
from . import parcel_columns
from .cellvalues import as_text, boolean, integer, numbers, plain_texts
from .headers import LAT, LON, WKT, X, Y, header_key

#: aliases per field name (any layer having the field); normalised with :func:`header_key`
ALIASES: dict[str, tuple] = {
    "project_id": ("项目编号", "编号", "项目代码", "项目id", "id", "xmbh", "项目编"),
    "name": ("名称", "名字", "项目名称", "项目", "name", "xmmc", "mc", "项目名"),
    "category": ("类别", "项目类别", "分类", "类型", "行业", "产业类别", "项目类型"),
    "township_code": ("乡镇", "乡镇名称", "所在乡镇", "所属乡镇", "乡(镇)", "镇", "乡镇(街道)", "乡镇代码", "township",
                      "township_name"),
    "township_codes": ("涉及乡镇", "涉及乡镇代码"),
    "village": ("村", "所在村", "村庄", "行政村", "村名"),
    "park_id": ("园区", "所在园区", "园区名称", "园区编号"),
    "status": ("状态", "项目状态", "建设状态", "进展", "建设性质", "项目进展"),
    "investment_wan": ("总投资", "投资", "投资额", "计划总投资", "总投资额", "估算总投资", "investment"),
    "investment_note": ("投资原文", "投资说明"),
    "start_year": ("开工年份", "开始年份", "起始年份", "开工时间", "开工年度", "开始年"),
    "end_year": ("完工年份", "竣工年份", "完成年份", "竣工时间", "完工时间", "完成年"),
    "source_ref": ("出处", "来源", "依据", "资料来源", "数据来源", "规划出处"),
    "source": ("来源", "数据来源", "资料来源", "出处"),
    "place_note": ("位置说明", "建设地点", "地点", "位置", "建设地址", "项目地址", "地址"),
    "loc_precision": ("位置精度", "定位精度"),
    "public": ("是否公开", "公开", "可公开", "对外公开", "公开与否"),
    "indicator": ("指标", "指标名称", "指标项"),
    "year": ("年份", "年度", "年"),
    "value": ("数值", "值", "数据", "指标值"),
    "unit": ("单位", "计量单位"),
    "kind": ("类型", "种类"),
    "code": ("代码", "区划代码", "行政区划代码", "行政区代码", "xzqdm", "统计用区划代码"),
    "boundary_quality": ("边界性质", "边界质量"),
    "contact_unit": ("联系单位", "招商单位", "联系部门"),
    "contact_person": ("联系人", "招商联系人"),
    "contact_phone": ("联系电话", "电话", "手机", "联系方式电话"),
    "contact_email": ("电子邮箱", "邮箱", "email", "e-mail"),
    "contact_address": ("联系地址", "通讯地址"),
}
#: layer-specific aliases that differ from the common ones
LAYER_ALIASES: dict[str, dict] = {
    "townships": {"name": ("名称", "乡镇名称", "乡镇", "xzqmc", "行政区名称", "name"),
                  "code": ("代码", "乡镇代码", "区划代码", "行政区划代码", "行政区代码", "xzqdm", "统计用区划代码")},
    "township_indicators": {"township_code": ("乡镇", "乡镇名称", "乡镇代码", "所在乡镇")},
    "parcels": parcel_columns.PARCEL_ALIASES,
}
PERIOD = ("建设年限", "建设期", "建设周期", "起止年限", "建设起止年限", "实施年限", "起止年份")
CATEGORY_ALIASES = {
    "工业项目": "工业", "制造业": "工业", "现代农业": "农业", "农业农村": "农业", "文化旅游": "文旅", "旅游": "文旅",
    "文化": "文旅", "交通运输": "交通", "新能源": "能源", "生态": "生态水利", "水利": "生态水利",
    "生态环保": "生态水利",
    "环保": "生态水利", "新基建": "新基建数字", "数字": "新基建数字", "数字经济": "新基建数字", "城市建设": "城建",
    "城镇建设": "城建", "民生": "社会民生", "社会事业": "社会民生", "商贸": "商贸物流", "物流": "商贸物流",
}
PRECISION_ALIASES = {**{v: k for k, v in LOC_PRECISION_LABELS.items()}, "实测": "surveyed", "测量": "surveyed",
                     "村": "village", "村级": "village", "乡镇": "township", "园区": "park", "全县": "county"}
QUALITY_ALIASES = {"正式": "official", "官方": "official", "法定": "official", "official": "official",
                   "示意": "schematic", "schematic": "schematic"}


def split_unit(s) -> tuple[str, str | None]:
    """``总投资(亿元)`` -> (``总投资``, ``亿元``); the last parenthesised part is the unit."""
    k = header_key(s)
    m = re.match(r"^(.*?)\(([^()]*)\)$", k)
    if m and m.group(1):
        inner = m.group(2)
        base = m.group(1)
        # "总投资（规划所述，万元）" as written by the Excel export
        if "," in inner:
            base, inner = base + "(" + inner.rsplit(",", 1)[0] + ")", inner.rsplit(",", 1)[1]
        return base, inner
    return k, None


def _lookup(layer: str) -> dict:
    lay = LAYERS[layer]
    table: dict = {}
    for f in lay.fields:  # priority: field name, then label, then aliases
        table.setdefault(header_key(f.name), (f.name, 0))
    for f in lay.fields:
        if f.label:
            table.setdefault(header_key(f.label), (f.name, 1))
    from .writers import SHP_NAMES  # shapefile exports use these 10-character names

    for full, short in SHP_NAMES.items():
        if full in lay.field_names:
            table.setdefault(header_key(short), (full, 1))
    over = LAYER_ALIASES.get(layer, {})
    for f in lay.fields:
        for a in over.get(f.name, ALIASES.get(f.name, ())):
            table.setdefault(header_key(a), (f.name, 2))
    if "start_year" in lay.field_names:
        for a in PERIOD:
            table.setdefault(header_key(a), ("_period", 2))
    return table


def target_of(layer: str, header) -> tuple[str | None, str | None, int]:
    """The field a header maps to (or None), the unit it states, and its priority (lower wins)."""
    table = _lookup(layer)
    k = header_key(header)
    if k in table:
        return table[k][0], None, table[k][1]
    base, unit = split_unit(header)
    if base in table:
        return table[base][0], unit, table[base][1]
    if "(" in k and ")" not in k and k.split("(")[0] in table:  # 投资强度(万 : a unit cut short (shapefile)
        return table[k.split("(")[0]][0], None, table[k.split("(")[0]][1]
    if len(k) >= 2 and re.search(r"[\u4e00-\u9fff]", k):  # a name cut short (shapefile: 10 bytes)
        fields = {f for a, (f, _) in table.items() if a.startswith(k)}
        if len(fields) == 1:
            return fields.pop(), None, 3
    return None, None, 9


def header_scorer(layer: str):
    """A function scoring a candidate header row by how many cells name a field or a coordinate (a picklable
    object: the parsing worker of :mod:`.worker` receives it)."""
    return _HeaderScore(layer)


@dataclass(frozen=True)
class _HeaderScore:
    layer: str

    def __call__(self, row) -> int:
        coords = {header_key(c) for c in (*LON, *LAT, *X, *Y, *WKT)}
        n = 0
        for c in row:
            if c is None or not str(c).strip():
                continue
            if target_of(self.layer, c)[0] or header_key(c, strip_unit=True) in coords:
                n += 2
            elif isinstance(c, str) and not re.fullmatch(r"[\d.\-]+", c.strip()):
                n += 0
            else:
                n -= 1
        return n


@dataclass
class Mapped:
    """Schema-named columns with normalised values, and what happened on the way."""

    frame: pd.DataFrame
    provided: list
    problems: dict = field(default_factory=dict)  # row -> [messages]
    notes: list = field(default_factory=list)
    unmapped: list = field(default_factory=list)

    def problem(self, row: int, msg: str) -> None:
        self.problems.setdefault(row, []).append(msg)


def map_columns(raw: pd.DataFrame, layer: str, *, townships: pd.DataFrame, parks: pd.DataFrame | None = None,
                skip: tuple = ()) -> Mapped:
    """Rename and normalise ``raw``'s columns for ``layer``; see the module docstring."""
    chosen: dict = {}
    unmapped = []
    for col in raw.columns:
        if col in skip or col.startswith("_"):
            continue
        target, unit, prio = target_of(layer, col)
        if target is None:
            unmapped.append(str(col))
            continue
        if target in chosen and chosen[target][2] <= prio:
            continue
        chosen[target] = (col, unit, prio)
    out = Mapped(frame=pd.DataFrame(index=raw.index), provided=[])
    out.unmapped = unmapped
    lay = LAYERS[layer]
    for target, (col, unit, _) in chosen.items():
        values = raw[col].tolist()
        if target == "_period":
            _period(values, out)
            continue
        kind = lay.field(target).kind
        if layer == "parcels" and target in parcel_columns.SPECIAL:
            out.frame[target] = parcel_columns.read(target, values, col, unit, out.frame, out.problem, out.notes)
        elif target in ("township_code", "township_codes"):
            _townships(values, target, lay, townships, out)
        elif target == "park_id":
            _parks(values, parks, out)
        elif kind == "float":
            out.frame[target] = numbers(raw[col], col, unit, target, out)
        elif kind in ("int", "year"):
            out.frame[target] = [integer(v, i, col, kind, out) for i, v in enumerate(values)]
        elif kind == "bool":
            out.frame[target] = [boolean(v, i, col, out) for i, v in enumerate(values)]
        else:
            plain = None if target in _CHOICE else plain_texts(values)  # (a name: mostly distinct texts)
            out.frame[target] = plain if plain is not None else each_text(
                values, lambda v, t=target: _choice(t, as_text(v)))
        if target not in out.provided:
            out.provided.append(target)
    if layer == "parcels":
        parcel_columns.finish(out.frame, out.provided)
    if "_folder" in raw.columns and "category" in lay.field_names and "category" not in out.provided:
        cats = [_choice("category", as_text(v)) for v in raw["_folder"].tolist()]
        if all(c in CATEGORIES for c in cats):
            out.frame["category"] = cats
            out.provided.append("category")
            out.notes.append("KML 文件夹名称是项目类别，已作为“类别”导入。")
    if "place_note" in out.provided and "township_code" in lay.field_names and "township_code" not in out.provided:
        _townships_from_text(out, townships)
    if unmapped:
        out.notes.append(f"以下列没有对应字段，未导入："
                         f"{'、'.join(unmapped[:12])}{'等' if len(unmapped) > 12 else ''}。")
    return out


_CHOICE = ("category", "loc_precision", "boundary_quality")  # the fields _choice maps to their codes


def _choice(target: str, s: str | None):
    if s is None:
        return None
    if target == "category":
        s2 = s[:-1] if s.endswith("类") and len(s) > 2 else s
        return s2 if s2 in CATEGORIES else CATEGORY_ALIASES.get(s2, s)
    if target == "loc_precision":
        return s if s in LOC_PRECISION_LABELS else PRECISION_ALIASES.get(s, s)
    if target == "boundary_quality":
        return QUALITY_ALIASES.get(s.lower(), s)
    return s


def _period(values, out: Mapped) -> None:
    starts, ends = [], []
    for i, v in enumerate(values):
        s = as_text(v)
        years = re.findall(r"(?<!\d)(19\d\d|20\d\d|21\d\d)(?!\d)", s or "")
        if s and not years:
            out.problem(i, f"建设年限“{s}”无法识别（应如 2021-2025）")
        starts.append(int(years[0]) if years else None)
        ends.append(int(years[-1]) if len(years) > 1 else None)
    for name, vals in (("start_year", starts), ("end_year", ends)):
        if name not in out.provided:
            out.frame[name] = vals
            out.provided.append(name)


_SPLIT = re.compile(r"[、,，;；/ 和及]+")


def _townships(values, target, lay, townships, out: Mapped) -> None:
    multi_ok = "township_codes" in lay.field_names
    single, multi = [], []
    for i, v in enumerate(values):
        s = as_text(v)
        if s is None or s in ("全县", "县域", "全县范围", "全县各乡镇", "县城"):
            single.append(None)
            multi.append(None)
            continue
        codes = []
        for part in [p for p in _SPLIT.split(s) if p]:
            c = resolve_township(part, townships, required=False)
            if c is None:
                known = "、".join(townships["name"].astype(str))
                out.problem(i, f"乡镇“{part}”不存在（{county().name}的乡镇：{known}）")
            elif c not in codes:
                codes.append(c)
        if len(codes) > 1 and not multi_ok:
            out.problem(i, f"一行只能对应一个乡镇，实际为“{s}”")
        single.append(codes[0] if len(codes) == 1 else None)
        multi.append(";".join(codes) if codes else None)
    out.frame["township_code"] = single
    if "township_code" not in out.provided:
        out.provided.append("township_code")
    if multi_ok:
        out.frame["township_codes"] = multi
        if "township_codes" not in out.provided:
            out.provided.append("township_codes")


def _townships_from_text(out: Mapped, townships) -> None:
    from ..names import township_short

    shorts = {township_short(n): c for c, n in zip(townships["code"].astype(str), townships["name"].astype(str))}
    found = []
    for s in out.frame["place_note"].tolist():
        hits = sorted({c for sh, c in shorts.items() if s and sh in s})
        found.append(hits[0] if len(hits) == 1 else None)
    if any(found):
        out.frame["township_code"] = found
        out.frame["township_codes"] = found
        out.provided += ["township_code", "township_codes"]
        out.notes.append("没有“乡镇”列，已从“建设地点”中识别乡镇（只认唯一提到的乡镇）。")


def _parks(values, parks, out: Mapped) -> None:
    ids = []
    for i, v in enumerate(values):
        s = as_text(v)
        if s is None or parks is None or parks.empty:
            ids.append(s)
            continue
        try:
            ids.append(resolve_park(s, parks))
        except XxgeoError as exc:
            out.problem(i, exc.message)
            ids.append(None)
    out.frame["park_id"] = ids
    out.provided.append("park_id")
