"""The location-precision scale: how exactly a feature's position is known, from most to least precise.

Every project (and site, road, village) carries one code in ``loc_precision``. The codes, their order, their
Chinese and English labels and the crosswalk to the IATI ``GeographicalPrecision`` codelist are written once
here (IATI codelist: https://iatistandard.org/en/iati-standard/203/codelists/geographicalprecision/, source
``IATI/IATI-Codelists`` ``xml/GeographicalPrecision.xml``; docs/DATA.md explains each mapping).

* **precise** (a site someone has located): ``surveyed`` 实测, ``digitised`` 图上采集, ``structure`` 具体设施,
  ``photo_gps`` 照片定位;
* ``near`` 地名附近: near a named place (the point is that place);
* **area-only** (the point stands for an area): ``village``, ``park``, ``township``, ``county``;
* ``schematic`` 示意: drawn by hand to show a course (a road's line), not a measured position.

This module imports nothing from xxgeo (it sits under :mod:`xxgeo.vocab` and :mod:`xxgeo.schema`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Precision:
    """One step of the scale."""

    code: str
    zh: str  # the label shown in Chinese
    en: str  # the label shown in English
    iati: int  # IATI GeographicalPrecision code
    hint_zh: str = ""  # what the step means, for the choice in the app
    hint_en: str = ""


#: the scale, most precise first. The Chinese labels of the codes that existed before the scale are kept as
#: they were (reports and exports already print them).
SCALE: tuple[Precision, ...] = (
    Precision("surveyed", "实测", "surveyed", 1, "测量员或 GNSS 实地测得的位置", "measured on site (survey, GNSS)"),
    Precision("digitised", "图上采集", "digitised", 1, "从规划图、影像或在线地图上点取",
              "read off a plan, an image or a web map"),
    Precision("structure", "具体设施", "at a named structure", 1, "位于一个已知的具体设施（厂房、学校、桥）",
              "at a known structure (a plant, a school, a bridge)"),
    Precision("photo_gps", "照片定位", "photo GPS", 1, "取自现场照片的 GPS 信息", "from a site photo's GPS tag"),
    Precision("near", "地名附近", "near a named place", 2, "在某个地名附近，点位是那个地名",
              "near a named place; the point is that place"),
    Precision("village", "村级位置", "village point", 2, "只知道所在村，点位是村的位置",
              "only the village is known; the point is the village's"),
    Precision("park", "园区示意位置", "park (schematic)", 2, "只知道所在园区，点位是园区示意位置",
              "only the park is known; the point is the park's schematic site"),
    Precision("township", "乡镇示意点", "township point (schematic)", 3, "只知道所在乡镇，点位是乡镇示意点",
              "only the township is known; the point is schematic"),
    Precision("county", "全县（无具体位置）", "county-wide (no site)", 3, "全县性项目，没有具体位置",
              "county-wide, no site"),
    Precision("schematic", "示意", "schematic", 5, "示意画出的走向或范围，不是测得的位置",
              "a course or extent drawn to show the idea, not measured"),
)
BY_CODE: dict[str, Precision] = {p.code: p for p in SCALE}
#: the codes, most precise first (``schema.LOC_PRECISIONS``)
CODES: tuple[str, ...] = tuple(BY_CODE)
#: positions someone located (what the placing queue no longer lists)
PRECISE = frozenset({"surveyed", "digitised", "structure", "photo_gps"})
#: a point that stands for an area: the placing queue lists these with the unplaced
AREA_ONLY = frozenset({"village", "park", "township", "county"})
#: what a user may choose when placing a project by hand (never preset: the choice starts empty)
PLACING_CHOICES: tuple[str, ...] = ("surveyed", "digitised", "structure", "photo_gps", "near", "village")

#: the IATI GeographicalPrecision codes used, with the codelist's names
IATI_NAMES: dict[int, str] = {1: "Exact location", 2: "Near exact location", 3: "Second order administrative division",
                              5: "Estimated coordinates"}


def rank(code) -> int:
    """Position on the scale (0 = most precise); unknown and empty codes after every known one."""
    return CODES.index(code) if code in BY_CODE else len(CODES)


def iati_code(code) -> int | None:
    """The IATI GeographicalPrecision code of a precision code (None for an empty or unknown one)."""
    p = BY_CODE.get(code) if isinstance(code, str) else None
    return None if p is None else p.iati


def label(code, lang: str = "zh"):
    """The label of a code in ``lang``; unknown codes unchanged."""
    p = BY_CODE.get(code) if isinstance(code, str) else None
    if p is None:
        return code
    return p.en if lang == "en" else p.zh


def hint(code: str, lang: str = "zh") -> str:
    """What a step means, one phrase in ``lang`` ('' for an unknown code)."""
    p = BY_CODE.get(code)
    if p is None:
        return ""
    return p.hint_en if lang == "en" else p.hint_zh


def is_precise(code) -> bool:
    """True for a located site (surveyed, digitised, at a structure, photo GPS)."""
    return code in PRECISE


def needs_placing(code, has_geometry: bool) -> bool:
    """A project the placing queue lists: no location at all, or a point that stands for an area."""
    return (not has_geometry) or code in AREA_ONLY or code not in BY_CODE
