"""The store's layers, their fields and code lists, and validation that returns readable problems.

A layer is described once here (:data:`LAYERS`); the store, the build, the importers and ``validate`` all
read the same description. Validation never raises on bad data: it returns a list of :class:`Problem`
whose ``text`` is a Chinese sentence naming the layer, the row and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from .county import county as county_profile
from .precision import CODES as PRECISION_CODES
from .vocab import CHECKLIST, LIFECYCLE_STAGES, PARCEL_STATUSES, PRECISION, is_blank, label_text

CATEGORIES = ("工业", "农业", "文旅", "交通", "能源", "生态水利", "新基建数字", "城建", "社会民生", "商贸物流",
              "未分类")  # 未分类: imported without a category (issue 13), a data-quality item
#: the precision scale, most precise first (:mod:`xxgeo.precision`); ``park`` extends DESIGN.md's list: inside a
#: named park whose boundary is schematic.
LOC_PRECISIONS = PRECISION_CODES
LOC_PRECISION_LABELS = {code: zh for code, (zh, _en) in PRECISION.items()}
BOUNDARY_QUALITIES = ("official", "schematic")
SITE_KINDS = ("景区", "遗址", "文物", "红色", "自然保护区", "乡村旅游", "场馆")
ROAD_CLASSES = ("高速", "国道", "省道", "县乡道", "旅游公路", "城市道路")
WORK_TYPES = ("新建", "改扩建", "提质改造")
NATURES = ("预期性", "约束性")
ROLES = ("public", "township", "editor", "admin")
# the 调度 (dispatch) fields and layers (issue 12): see xxgeo/policy_dispatch.py for the monthly cycle
KEY_LEVELS = ("省级重点", "市级重点", "县级重点")
PROGRESS_STATES = ("draft", "submitted", "approved", "returned")
PROBLEM_STATUSES = ("open", "resolved")
#: the national 24-character 项目代码 (投资项目在线审批监管平台): year, 6-digit division code, two 2-digit
#: classes, serial
PROJECT_CODE_RE = r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$"
MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"

POLYGONAL = ("Polygon", "MultiPolygon")
#: how a constraint binds a project (defaults per kind: geodata/constraints.toml)
CONSTRAINT_RULES = ("forbidden", "restricted", "must_be_inside")


@dataclass(frozen=True)
class Field:
    """One attribute of a layer."""

    name: str
    kind: str = "str"  # str | int | float | bool | year | date (ISO YYYY-MM-DD text)
    required: bool = False
    choices: tuple = ()
    label: str = ""  # Chinese label for tables and popups
    unit: str = ""
    pattern: str = ""  # regex a non-empty value must match
    unique: bool = False  # non-empty values must differ between rows (validation reports duplicates)
    #: county | township | village: a code whose pattern the county profile gives (read at validation time)
    code_of: str = ""

    def label_for(self, lang: str = "zh") -> str:
        """The field's label in ``lang`` (English from :data:`xxgeo.vocab.LABEL_EN`); its name when it has none."""
        return label_text(self.label, lang) if self.label else self.name

    def regex(self) -> str:
        """The regex a non-empty value must match ('' for none): ``pattern``, or the profile's for ``code_of``."""
        return county_profile().pattern(self.code_of) if self.code_of else self.pattern


@dataclass(frozen=True)
class Layer:
    """A store layer: its name, geometry types allowed, id field and fields."""

    name: str
    label: str
    geometry: tuple  # allowed geometry types; () = no geometry column
    fields: tuple
    id_field: str | None = None
    geometry_required: bool = False
    #: read only when asked for by name (``store.read``), never part of the default dataset (``store.load()``):
    #: a layer too big to travel with every view (``constraints``: 10^5 polygons and more)
    on_demand: bool = False

    @property
    def spatial(self) -> bool:
        return bool(self.geometry)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


LAYERS: dict[str, Layer] = {}

#: a park's contact details for investors (the bureau fills them in; the plan gives none)
CONTACT_FIELDS = (
    Field("contact_unit", label="联系单位"),
    Field("contact_person", label="联系人"),
    Field("contact_phone", label="联系电话", pattern=r"^[0-9+()（）\-－ 、,，;；/转]+$"),
    Field("contact_email", label="电子邮箱", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field("contact_address", label="联系地址"),
)


#: where a project's location came from and who set it when (issue 13): click / paste / photo / the plan /
#: an import's file name; the user; the time (UTC ISO 8601, shown in local time)
LOCATION_SOURCE_FIELDS = (
    Field("loc_source", label="位置来源"),
    Field("located_by", label="定位人"),
    Field("located_at", label="定位时间"),
)


def _layer(*args, **kw) -> Layer:
    lay = Layer(*args, **kw)
    LAYERS[lay.name] = lay
    return lay


_layer("county", "县界", POLYGONAL, (
    Field("code", required=True, label="行政区划代码", code_of="county"),
    Field("name", required=True, label="名称"),
    Field("source", required=True, label="来源"),
), id_field="code", geometry_required=True)

_layer("townships", "乡镇", POLYGONAL, (
    Field("code", required=True, label="统计用区划代码", code_of="township"),
    Field("name", required=True, label="名称"),
    Field("kind", required=True, choices=("镇", "乡"), label="类型"),
    Field("boundary_quality", required=True, choices=BOUNDARY_QUALITIES, label="边界性质"),
    Field("seat_lon", "float", label="驻地经度"),
    Field("seat_lat", "float", label="驻地纬度"),
    Field("seat_quality", label="驻地位置说明"),
    Field("village_units", "int", label="村级单位数", unit="个"),
    Field("source", required=True, label="来源"),
), id_field="code", geometry_required=True)

_layer("villages", "村（居）委会", ("Point",), (
    Field("code", required=True, label="统计用区划代码", code_of="village"),
    Field("name", required=True, label="名称"),
    Field("short_name", label="简称"),
    Field("township_code", required=True, label="乡镇代码", code_of="township"),
    Field("loc_precision", required=True, choices=LOC_PRECISIONS, label="位置精度"),
    Field("source", required=True, label="来源"),
), id_field="code")

_layer("parks", "园区", POLYGONAL, (
    Field("park_id", required=True, label="园区编号"),
    Field("name", required=True, label="名称"),
    Field("aliases", label="别称"),
    Field("township_code", required=True, label="所在乡镇", code_of="township"),
    Field("planned_area_km2", "float", label="规划面积（规划所述）", unit="km²"),
    Field("construction_land_km2", "float", label="建设用地（规划所述）", unit="km²"),
    Field("construction_land_mu", "float", label="建设用地（规划所述）", unit="亩"),
    Field("area_km2", "float", label="示意范围面积（计算）", unit="km²"),
    Field("location_desc", label="位置与四至"),
    Field("leading_industries", label="主导产业"),
    Field("enterprises", label="已有企业"),
    Field("infrastructure", label="基础设施"),
    Field("standard_factories", label="标准厂房"),
    Field("targets", label="发展目标"),
    Field("distances_stated", label="规划所述距离"),
    Field("period", label="规划期限"),
    Field("status", label="状态"),
    Field("boundary_quality", required=True, choices=BOUNDARY_QUALITIES, label="边界性质"),
    Field("source_ref", required=True, label="出处"),
    # the park's contact for investors: entered by the bureau (never in the plan), public, printed in the brochure
    *CONTACT_FIELDS,
), id_field="park_id", geometry_required=True)

_layer("scenic_sites", "景区与文物", ("Point", "Polygon", "MultiPolygon"), (
    Field("site_id", required=True, label="编号"),
    Field("name", required=True, label="名称"),
    Field("kind", required=True, choices=SITE_KINDS, label="类型"),
    Field("grade", label="等级"),
    Field("township_code", label="所在乡镇", code_of="township"),
    Field("village", label="所在村"),
    Field("place_note", label="位置说明"),
    Field("status", label="状态"),
    Field("loc_precision", required=True, choices=LOC_PRECISIONS, label="位置精度"),
    Field("source_ref", required=True, label="出处"),
), id_field="site_id")

_layer("roads", "道路项目", ("LineString", "MultiLineString"), (
    Field("road_id", required=True, label="编号"),
    Field("name", required=True, label="名称"),
    Field("road_class", choices=ROAD_CLASSES, label="道路等级"),
    Field("work_type", choices=WORK_TYPES, label="建设性质"),
    Field("from_place", label="起点"),
    Field("to_place", label="终点"),
    Field("via_places", label="途经"),
    Field("length_km", "float", label="长度（规划所述）", unit="km"),
    Field("project_id", label="对应项目编号"),
    Field("loc_precision", required=True, choices=LOC_PRECISIONS, label="位置精度"),
    Field("source_ref", required=True, label="出处"),
), id_field="road_id")

_layer("projects", "项目", ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"), (
    Field("project_id", required=True, label="项目编号"),
    Field("name", required=True, label="项目名称"),
    Field("category", required=True, choices=CATEGORIES, label="类别"),
    Field("township_code", label="乡镇代码", code_of="township"),
    Field("township_codes", label="涉及乡镇代码"),
    Field("village", label="村"),
    Field("park_id", label="园区"),
    Field("status", label="状态"),
    Field("investment_wan", "float", label="总投资（规划所述）", unit="万元"),
    Field("investment_note", label="投资原文"),
    Field("start_year", "year", label="开始年份"),
    Field("end_year", "year", label="完成年份"),
    Field("source_ref", required=True, label="出处"),
    Field("subgroup", label="专栏分组"),
    Field("source_text", label="规划原文"),
    Field("place_note", label="位置说明"),
    Field("loc_precision", required=True, choices=LOC_PRECISIONS, label="位置精度"),
    *LOCATION_SOURCE_FIELDS,
    Field("public", "bool", required=True, label="是否公开"),
    Field("version", "int", label="版本"),
    # 调度 (issue 12): entered by the bureau or the township head; the plan states none of them
    Field("project_code", label="项目代码", pattern=PROJECT_CODE_RE, unique=True),
    Field("stage", choices=LIFECYCLE_STAGES, label="建设阶段"),
    Field("key_level", choices=KEY_LEVELS, label="重点级别"),
    Field("lead_official", label="包联领导"),
    Field("responsible_unit", label="责任单位"),
    Field("planned_start", "date", label="计划开工", pattern=DATE_RE),
    Field("planned_finish", "date", label="计划竣工", pattern=DATE_RE),
), id_field="project_id")

#: 项目调度: one row per project and month (DESIGN.md section 3); ``progress_id`` = ``PROJECT_ID/YYYY-MM``
_layer("progress", "月度进度", (), (
    Field("progress_id", required=True, label="进度编号"),
    Field("project_id", required=True, label="项目编号"),
    Field("month", required=True, label="月份", pattern=MONTH_RE),
    Field("annual_plan_wan", "float", label="年度计划投资", unit="万元"),
    Field("month_done_wan", "float", label="本月完成投资", unit="万元"),
    Field("year_done_wan", "float", label="本年累计完成", unit="万元"),
    Field("total_done_wan", "float", label="开工累计完成", unit="万元"),
    Field("physical_progress", label="形象进度"),
    Field("funds_in_place_wan", "float", label="资金到位", unit="万元"),
    Field("in_statistics", "bool", label="是否入统"),
    Field("note", label="备注"),
    Field("state", required=True, choices=PROGRESS_STATES, label="填报状态"),
    Field("reported_by", label="填报人"),
    Field("reported_at", label="填报时间"),
    Field("reviewed_by", label="审核人"),
    Field("reviewed_at", label="审核时间"),
    Field("review_comment", label="审核意见"),
    Field("version", "int", label="版本"),
), id_field="progress_id")

#: 问题清单: what needs co-ordination, open until the bureau resolves it
_layer("problems", "问题清单", (), (
    Field("problem_id", required=True, label="问题编号"),
    Field("project_id", required=True, label="项目编号"),
    Field("raised_month", required=True, label="提出月份", pattern=MONTH_RE),
    Field("text", required=True, label="存在问题"),
    Field("needs", label="需协调事项"),
    Field("owner_unit", label="责任单位"),
    Field("due", "date", label="办结时限", pattern=DATE_RE),
    Field("status", required=True, choices=PROBLEM_STATUSES, label="问题状态"),
    Field("resolved_at", label="解决时间"),
    Field("resolution", label="解决情况"),
    Field("raised_by", label="提出人"),
    Field("raised_at", label="提出时间"),
    Field("resolved_by", label="解决人"),
    Field("version", "int", label="版本"),
), id_field="problem_id")

#: 进度照片 (issue 12 item 7): one row per uploaded photo; the image and its thumbnail are kept in the store itself
#: (:mod:`xxgeo.store.blobs`), the point at the photo's GPS position (none when it states none)
_layer("photos", "进度照片", ("Point",), (
    Field("photo_id", required=True, label="照片编号"),
    Field("project_id", required=True, label="项目编号"),
    Field("month", required=True, label="月份", pattern=MONTH_RE),
    Field("file_name", label="文件名"),
    Field("mime", label="文件类型"),
    Field("size_bytes", "int", label="大小", unit="字节"),
    Field("sha256", label="SHA-256"),
    Field("width", "int", label="宽度", unit="像素"),
    Field("height", "int", label="高度", unit="像素"),
    Field("taken_at", label="拍摄时间"),
    Field("gps_lon", "float", label="拍摄经度"),
    Field("gps_lat", "float", label="拍摄纬度"),
    Field("distance_m", "float", label="距项目位置", unit="米"),
    Field("uploaded_by", label="上传人"),
    Field("uploaded_at", label="上传时间"),
    Field("version", "int", label="版本"),
), id_field="photo_id")

_layer("indicators", "规划指标", (), (
    Field("indicator_id", required=True, label="编号"),
    Field("table", required=True, label="所在表"),
    Field("group", required=True, label="类别"),
    Field("seq", label="序号"),
    Field("name", required=True, label="指标"),
    Field("parent", label="上级指标"),
    Field("unit", label="单位"),
    Field("value_2015", label="2015年"),
    Field("target_2020", label="2020年目标"),
    Field("growth_target_13th", label="年均或累计增长目标（%）"),
    Field("value_2020", label="2020年"),
    Field("growth_actual_13th", label="年均或累计增长（%）"),
    Field("target_2025", label="2025年目标"),
    Field("growth_14th", label="年均增长（%）"),
    Field("nature", choices=NATURES, label="属性"),
    Field("source_ref", required=True, label="出处"),
    Field("lost_text", label="原文（含转换时丢失的图片）"),  # a cell emptied because part of it was an image
), id_field="indicator_id")

_layer("indicator_actuals", "指标年度实际值", (), (
    Field("indicator_id", required=True, label="指标编号"),
    Field("year", "year", required=True, label="年份"),
    Field("value", "float", required=True, label="数值"),
    Field("source", required=True, label="来源"),
))

_layer("township_indicators", "乡镇指标", (), (
    Field("township_code", required=True, label="乡镇代码", code_of="township"),
    Field("indicator", required=True, label="指标"),
    Field("year", "year", required=True, label="年份"),
    Field("value", "float", required=True, label="数值"),
    Field("unit", label="单位"),
    Field("source", required=True, label="来源"),
))

_layer("plan_villages", "规划点名村庄", (), (
    Field("programme", required=True, label="规划事项"),
    Field("group", label="片区"),
    Field("village", required=True, label="村"),
    Field("township_code", label="乡镇代码", code_of="township"),
    Field("village_code", label="村代码"),
    Field("source_ref", required=True, label="出处"),
))

_layer("places", "参照地点", ("Point",), (
    Field("place_id", required=True, label="编号"),
    Field("name", required=True, label="名称"),
    Field("name_en", label="英文名"),
    Field("kind", required=True, label="类型"),
    Field("source", required=True, label="来源"),
), id_field="place_id", geometry_required=True)

_layer("parcels", "可供地块", POLYGONAL, (
    Field("parcel_id", required=True, label="地块编号"),
    Field("name", label="地块名称"),
    Field("park_id", label="所在园区"),
    Field("township_code", label="所在乡镇", code_of="township"),
    Field("area_mu", "float", label="面积（按边界计算）", unit="亩"),
    Field("stated_area_mu", "float", label="面积（文件所述）", unit="亩"),
    Field("land_use", label="土地用途"),
    Field("supply", label="供地方式"),
    Field("price", "float", label="价格"),
    Field("price_unit", label="价格单位"),
    Field("far", label="容积率"),
    Field("investment_intensity", "float", label="投资强度", unit="万元/亩"),
    Field("tax_per_mu", "float", label="亩均税收", unit="万元/亩"),
    *(Field(name, "bool", label=zh) for name, zh, _en in CHECKLIST),
    Field("status", choices=PARCEL_STATUSES, label="供地状态"),
    Field("contact", label="联系人"),
    Field("photo", label="照片"),
    Field("panorama_url", label="全景链接"),
    Field("public", "bool", required=True, label="是否公开"),
    Field("source", required=True, label="来源"),
), id_field="parcel_id", geometry_required=True)

#: 三区三线 and other control lines (issue 16): imported one kind at a time (``import --kind``), internal
_layer("constraints", "管控边界", POLYGONAL, (
    Field("kind", required=True, label="管控类型"),
    Field("rule", required=True, choices=CONSTRAINT_RULES, label="管控规则"),
    Field("name", label="名称"),
    Field("source", required=True, label="来源"),
    #: computed at import (never read from a file): the polygon overlaps another of its kind
    Field("overlaps", "bool", label="与同类图斑重叠"),
), geometry_required=True, on_demand=True)

_layer("audit_log", "修改记录", (), (
    Field("at", required=True, label="时间"),
    Field("user", required=True, label="用户"),
    Field("layer", required=True, label="图层"),
    Field("feature_id", label="要素编号"),
    Field("action", required=True, label="操作"),
    Field("before", label="修改前"),
    Field("after", label="修改后"),
))

#: The layers DESIGN.md section 3 requires in every store.
REQUIRED_LAYERS = ("county", "townships", "villages", "parks", "scenic_sites", "roads", "projects",
                   "indicators", "township_indicators", "audit_log")


def dataset_layers() -> list[str]:
    """The layers of the default dataset (``store.load()``): every layer but those read on demand."""
    return [n for n, lay in LAYERS.items() if not lay.on_demand]


is_empty = is_blank  # the schema's name for the one emptiness test (xxgeo.vocab.is_blank)
