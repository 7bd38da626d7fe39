"""``python -m xxgeo export`` and the app's download buttons: a layer, filtered, in one of six formats.

Who may export what, and what "public only" lets out, is decided by the guarded store it is given
(:meth:`xxgeo.policy.GuardedStore.export_frame`, the one definition of the public's share): this module
only filters by township and category and renders the formats.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import NotFound
from .files import write_atomic
from .io import writers
from .io.columns import CATEGORY_ALIASES
from .names import resolve_township
from .policy import GuardedStore
from .precision import iati_code
from .schema import CATEGORIES, LAYERS
from .vocab import categories_en

FORMATS = ("gpkg", "geojson", "shp", "xlsx", "csv", "kml")
SUFFIX = {"gpkg": ".gpkg", "geojson": ".geojson", "shp": ".zip", "xlsx": ".xlsx", "csv": ".csv", "kml": ".kml"}
MIME = {"gpkg": "application/geopackage+sqlite3", "geojson": "application/geo+json", "shp": "application/zip",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv",
        "kml": "application/vnd.google-earth.kml+xml"}
SPATIAL_ONLY = ("shp", "kml")
#: the formats whose rows carry ``iati_precision`` (the IATI GeographicalPrecision code of ``loc_precision``)
IATI_FORMATS = ("csv", "xlsx", "geojson")


@dataclass
class ExportResult:
    """What was written."""

    data: bytes
    rows: int
    fmt: str
    filename: str
    notes: list = field(default_factory=list)


def select(store: GuardedStore, layer: str, *, township: str | None = None, category: str | None = None,
           public_only: bool = False) -> pd.DataFrame:
    """The rows and columns of ``layer`` that ``store``'s actor may export, with these filters."""
    if layer not in LAYERS:
        raise NotFound(f"没有名为“{layer}”的图层。可用图层：{'、'.join(LAYERS)}。",
                       english=f"No layer “{layer}”. Layers: {', '.join(LAYERS)}.")
    df = store.export_frame(layer, public_only=public_only)
    if township:
        code = resolve_township(township, store.read("townships"))
        if layer == "townships":
            df = df[df["code"] == code]
        elif "township_codes" in df.columns:
            codes = df["township_codes"].fillna(df["township_code"]).fillna("")
            df = df[codes.map(lambda s: code in str(s).split(";"))]
        elif "township_code" in df.columns:
            df = df[df["township_code"] == code]
        else:
            raise NotFound(f"图层“{LAYERS[layer].label}”没有乡镇字段，不能按乡镇筛选。",
                           english=f"Layer “{layer}” has no township field, so it cannot be filtered by township.")
    if category:
        if "category" not in df.columns:
            raise NotFound(f"图层“{LAYERS[layer].label}”没有类别字段，不能按类别筛选。",
                           english=f"Layer “{layer}” has no category field, so it cannot be filtered by category.")
        cat = category.strip()
        cat = cat if cat in CATEGORIES else CATEGORY_ALIASES.get(cat.removesuffix("类"), cat)
        if cat not in CATEGORIES:
            raise NotFound(f"没有“{category}”这个类别。类别有：{'、'.join(CATEGORIES)}。",
                           english=f"No category “{category}”. Categories: {categories_en()}.")
        df = df[df["category"] == cat]
    return df.reset_index(drop=True)


def render(df: pd.DataFrame, layer: str, fmt: str, *, township_names: dict, about: list | None = None,
           title: str | None = None, park_names: dict | None = None) -> tuple[bytes, list]:
    """Bytes of ``df`` in ``fmt`` and notes about what the format changed (truncation, split files).

    xlsx and csv carry the same columns (:func:`xxgeo.io.writers.human_frame`): names beside codes
    (``township_names``, ``park_names``), 经度/纬度 for points, 几何WKT only for other geometries."""
    if fmt not in FORMATS:
        raise NotFound(f"不支持的导出格式“{fmt}”。可选：{'、'.join(FORMATS)}。",
                       english=f"Export format “{fmt}” is not supported. Choose one of: {', '.join(FORMATS)}.")
    if fmt in SPATIAL_ONLY and not LAYERS[layer].spatial:
        raise NotFound(f"图层“{LAYERS[layer].label}”没有几何，不能导出为 {fmt}；请用 xlsx、csv、gpkg 或 geojson。",
                       english=f"Layer “{layer}” has no geometry, so it cannot be exported as {fmt}; use xlsx, csv, "
                               "gpkg or geojson.")
    notes: list = []
    if fmt in IATI_FORMATS and "loc_precision" in df.columns:
        df = with_iati_precision(df)
    if fmt == "gpkg":
        return writers.to_gpkg(df, layer), notes
    if fmt == "geojson":
        return writers.to_geojson(df, layer), notes
    if fmt == "shp":
        return writers.to_shp_zip(df, layer)
    if fmt == "xlsx":
        return writers.to_xlsx(df, layer, township_names, about or [], park_names)
    if fmt == "csv":
        return writers.to_csv(df, layer, township_names, park_names), notes
    from .layerspec import load_specs

    spec = load_specs().get(layer)
    colors = {k: v.get("fill_color") for k, v in (spec.classes if spec else {}).items() if v.get("fill_color")}
    return writers.to_kml(df, layer, township_names, title or LAYERS[layer].label, colors), notes


def with_iati_precision(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the column ``iati_precision`` right after ``loc_precision``: the IATI GeographicalPrecision
    code of each row's precision (:func:`xxgeo.precision.iati_code`; empty when the precision is)."""
    out = df.copy()
    codes = pd.array([iati_code(v) for v in out["loc_precision"].tolist()], dtype="Int64")
    out.insert(list(out.columns).index("loc_precision") + 1, "iati_precision", codes)
    return out


def export_layer(store: GuardedStore, layer: str, fmt: str, *, township: str | None = None,
                 category: str | None = None, public_only: bool = False) -> ExportResult:
    """Select and render; the filename says layer, filters and date."""
    df = select(store, layer, township=township, category=category, public_only=public_only)
    t = store.read("townships")
    names = dict(zip(t["code"].astype(str), t["name"].astype(str)))
    filt = "；".join(x for x in (f"乡镇={township}" if township else "", f"类别={category}" if category else "",
                                "仅公开" if public_only else "") if x) or "无"
    about = [("图层", f"{LAYERS[layer].label}（{layer}）"),
             ("导出时间", _dt.datetime.now().isoformat(timespec="seconds")),
             ("筛选", filt), ("行数", str(len(df))), ("坐标系", "WGS84 经纬度（EPSG:4326）"),
             ("数据库", store.name), ("说明", "未注明的数值留空；总投资单位为万元，均为规划所述数值。")]
    parks = store.read("parks")
    data, notes = render(df, layer, fmt, township_names=names, about=about,
                         park_names=dict(zip(parks["park_id"].astype(str), parks["name"].astype(str))))
    parts = [layer] + ([township] if township else []) + ([category] if category else []) + (
        ["public"] if public_only else [])
    return ExportResult(data, len(df), fmt, "-".join(parts) + SUFFIX[fmt], notes)


def write(result: ExportResult, out: str | Path) -> Path:
    """Write an export to ``out`` (a directory gets the default filename), whole or not at all.

    A shapefile is several files, so it is always written as a zip: ``项目.shp`` becomes ``项目.zip`` and a
    note (in ``result.notes``) says so."""
    p = Path(out)
    if p.is_dir():
        p = p / result.filename
    if result.fmt == "shp" and p.suffix.lower() != ".zip":
        zp = p.with_suffix(".zip") if p.suffix.lower() == ".shp" else p.with_name(p.name + ".zip")
        result.notes.append(f"Shapefile 由 .shp、.shx、.dbf、.prj、.cpg 几个文件组成，已打包写为 {zp.name}"
                            f"（而不是 {p.name}），解压后即可在 GIS 软件中打开。")
        p = zp
    return write_atomic(p, result.data)
