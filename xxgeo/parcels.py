"""Available parcels (可供地块): computed area, map numbers, the checklist, distances and the import template.

Pure functions of the ``parcels`` layer (and the dataset's reference places); the investor view, the park
brochure, the one-parcel sheet and the importer all use them, so a parcel's number, its 亩 and its
七通一平 read the same everywhere.
"""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd

from .analysis import distances_from
from .crs import METRIC_CRS
from .schema import LAYERS
from .vocab import CHECKLIST, M2_PER_MU, is_blank

#: the import template's columns: the Chinese headers the importer reads (xxgeo/io/columns.py), in order
TEMPLATE_HEADERS = ("地块编号", "地块名称", "所在园区", "所在乡镇", "面积（亩）", "土地用途", "供地方式",
                    "价格", "价格单位", "容积率", "投资强度（万元/亩）", "亩均税收（万元/亩）",
                    *(zh for _f, zh, _en in CHECKLIST), "供地状态", "联系人", "照片", "全景链接", "是否公开",
                    "来源", "几何WKT")
#: what the CLI command to import parcels looks like (shown when none are imported)
IMPORT_COMMAND = "python -m xxgeo import parcels.zip --layer parcels"


def area_mu(geoms) -> list:
    """Areas in 亩 of WGS84 polygons (a GeoSeries or a list), computed in CGCS2000 Gauss-Krüger (EPSG:4546);
    None for a missing geometry. 1 亩 = 666.67 m²."""
    s = gpd.GeoSeries(list(geoms), crs="EPSG:4326")
    out = []
    for g, a in zip(s.values, s.to_crs(METRIC_CRS).area.values):
        out.append(None if g is None or g.is_empty else round(float(a) / M2_PER_MU, 2))
    return out


def with_area(df):
    """``df`` with ``area_mu`` computed from each geometry (rows without one keep what they had)."""
    if "geometry" not in getattr(df, "columns", ()) or not len(df):
        return df
    df = df.copy()
    computed = area_mu(df.geometry.values)
    old = df["area_mu"].tolist() if "area_mu" in df.columns else [None] * len(df)
    df["area_mu"] = [c if c is not None else o for c, o in zip(computed, old)]
    return df


def numbers(parcels: pd.DataFrame) -> dict:
    """{parcel_id: number}: parcels numbered 1, 2, … within their park (by parcel id), the numbers on the map,
    the cards, the brochure and the one-parcel sheet."""
    if parcels is None or not len(parcels):
        return {}
    out = {}
    key = parcels["park_id"].fillna("").astype(str) if "park_id" in parcels.columns else pd.Series("", parcels.index)
    for _park, grp in parcels.assign(_k=key).groupby("_k", sort=False):
        for i, pid in enumerate(sorted(grp["parcel_id"].astype(str)), start=1):
            out[pid] = i
    return out


def of_park(parcels: pd.DataFrame, park_id: str | None) -> pd.DataFrame:
    """The parcels of one park (all parcels for ``None``), in number order."""
    if parcels is None or not len(parcels):
        return parcels
    sel = parcels if park_id is None else parcels[(parcels["park_id"] == park_id).fillna(False).to_numpy()]
    nums = numbers(parcels)
    order = sel["parcel_id"].astype(str).map(nums).fillna(0)
    return sel.assign(_no=order.to_numpy()).sort_values(["park_id", "_no"]).drop(columns="_no")


def shown_area(row) -> float | None:
    """The area to show: computed from the boundary, else the file's stated area."""
    for k in ("area_mu", "stated_area_mu"):
        v = row.get(k)
        if not is_blank(v):
            return float(v)
    return None


def filter_parcels(parcels: pd.DataFrame, *, mu_min: float | None = None, mu_max: float | None = None,
                   uses: tuple = ()) -> pd.DataFrame:
    """Parcels whose shown area lies in [mu_min, mu_max] and whose land use is one of ``uses`` (empty: any)."""
    if parcels is None or not len(parcels):
        return parcels
    area = parcels.apply(shown_area, axis=1) if len(parcels) else pd.Series(dtype=float)
    m = pd.Series(True, index=parcels.index)
    if mu_min is not None:
        m &= area.ge(mu_min).fillna(False)
    if mu_max is not None:
        m &= area.le(mu_max).fillna(False)
    if uses:
        m &= parcels["land_use"].isin(uses).fillna(False)
    return parcels[m.to_numpy()]


def land_uses(parcels: pd.DataFrame) -> list:
    """The land uses present, in first-seen order."""
    if parcels is None or not len(parcels):
        return []
    return list(dict.fromkeys(v for v in parcels["land_use"].tolist() if not is_blank(v)))


def checklist(row) -> list[tuple[str, str, object]]:
    """``[(中文, English, True/False/None), …]``: the 七通一平 items of one parcel (None: unknown)."""
    out = []
    for name, zh, en in CHECKLIST:
        v = row.get(name)
        out.append((zh, en, None if is_blank(v) else bool(v)))
    return out


def checklist_in(row, lang: str = "zh") -> list[tuple[str, object]]:
    """``[(name in lang, True/False/None), …]``: the 七通一平 items of one parcel named in ``lang``."""
    return [(en if lang == "en" else zh, v) for zh, en, v in checklist(row)]


def place_names(dist: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """The reference places of a distances table named in ``lang`` (the Chinese name where no English one)."""
    return dist["name_en"].fillna(dist["place"]) if lang == "en" else dist["place"]


def parcel_distances(row, places: pd.DataFrame) -> pd.DataFrame:
    """Straight-line distances from a parcel (its representative point) to every reference place, with sources."""
    g = row.get("geometry") if hasattr(row, "get") else None
    if g is None or g.is_empty or places is None or not len(places):
        return pd.DataFrame(columns=["place", "name_en", "kind", "km", "source"])
    p = g.representative_point()
    return distances_from(p.x, p.y, places)


def template_xlsx() -> bytes:
    """An empty import template (.xlsx) with the Chinese headers the importer reads and a sheet explaining them."""
    buf = io.BytesIO()
    notes = pd.DataFrame({
        "说明 Notes": [
            "每行一个地块；“地块编号”必填。One parcel per row; 地块编号 (parcel id) is required.",
            "边界：“几何WKT”列填 WGS84 多边形（POLYGON((经度 纬度, …))），或直接导入带边界的 shapefile / GeoPackage / "
            "KML；已有地块只更新属性时可留空。Boundary: a WGS84 POLYGON in 几何WKT, or import a shapefile / "
            "GeoPackage / KML; leave it blank to update the attributes of parcels already stored.",
            "七通一平各项填“是/否”（或 √/×），不知道就留空。Each of 七通一平: 是/否 (yes/no), blank if unknown.",
            "是否公开：填“是”的地块才对公众（招商页面、手册、公开导出）显示。Only parcels marked 是 are public.",
            "面积（亩）为文件所述面积；系统另按边界（CGCS2000 3°带 EPSG:4546）计算面积。The stated area; the system "
            "also computes the area from the boundary.",
            f"导入 Import: {IMPORT_COMMAND}",
        ]})
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        pd.DataFrame(columns=list(TEMPLATE_HEADERS)).to_excel(xw, index=False, sheet_name="地块")
        notes.to_excel(xw, index=False, sheet_name="说明")
    return buf.getvalue()


def fields_zh() -> dict:
    """{field: Chinese label} of the parcels layer."""
    return {f.name: f.label for f in LAYERS["parcels"].fields}
