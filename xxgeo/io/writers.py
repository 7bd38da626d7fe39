"""Export formats: GeoPackage, GeoJSON, shapefile zip (.prj + UTF-8 .cpg), Excel and CSV with Chinese
headers and units, and KML for Google Earth / 奥维. Each writer takes a frame already filtered by
:mod:`xxgeo.export` and returns bytes, so the app's download buttons and the CLI share them.
"""

from __future__ import annotations

import html
import io
import tempfile
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..schema import LAYERS, LOC_PRECISION_LABELS
from ..textsafe import cell
from ..vocab import bool_word

#: 10-character shapefile field names for the schema's long ones (others are truncated with a suffix)
SHP_NAMES = {
    "project_id": "PROJ_ID", "township_code": "TOWN_CODE", "township_codes": "TOWN_CODES",
    "investment_wan": "INVEST_WAN", "investment_note": "INVEST_NOT", "start_year": "START_YEAR",
    "end_year": "END_YEAR", "source_ref": "SOURCE_REF", "source_text": "SRC_TEXT", "place_note": "PLACE_NOTE",
    "loc_precision": "LOC_PREC", "boundary_quality": "BND_QUAL", "village_units": "VIL_UNITS",
    "seat_quality": "SEAT_QUAL", "planned_area_km2": "PLAN_KM2", "construction_land_km2": "CONST_KM2",
    "construction_land_mu": "CONST_MU", "location_desc": "LOC_DESC", "leading_industries": "INDUSTRIES",
    "enterprises": "ENTERPRISE", "infrastructure": "INFRASTRUC", "standard_factories": "FACTORIES",
    "distances_stated": "DISTANCES", "short_name": "SHORT_NAME", "road_class": "ROAD_CLASS",
    "from_place": "FROM_PLACE", "via_places": "VIA_PLACES", "indicator_id": "IND_ID",
}


def header(layer: str, col: str) -> str:
    """Chinese header with unit: ``总投资（规划所述，万元）``, ``项目名称``; unknown columns as they are."""
    try:
        f = LAYERS[layer].field(col)
    except KeyError:
        return col
    label = f.label or col
    if not f.unit:
        return label
    return label[:-1] + f"，{f.unit}）" if label.endswith("）") else f"{label}（{f.unit}）"


def human_frame(df: pd.DataFrame, layer: str, township_names: dict, park_names: dict | None = None) -> pd.DataFrame:
    """The table as people read it: Chinese headers with units, 是/否, precision labels, township and park names
    beside their codes, 经度/纬度 for points (a one-part multipoint is its point) and 几何WKT only for lines,
    polygons and multi-part points (rows of either kind round-trip through the importer)."""
    out = pd.DataFrame(index=range(len(df)))
    lay = LAYERS[layer]
    park_names = park_names or {}
    for col in [c for c in df.columns if c != "geometry"]:
        vals = df[col].tolist()
        kind = lay.field(col).kind if col in lay.field_names else "str"
        if kind == "bool":
            vals = [bool_word(v) for v in vals]
        elif col == "loc_precision":
            vals = [LOC_PRECISION_LABELS.get(v, v) for v in vals]
        elif kind in ("int", "year"):
            vals = [None if pd.isna(v) else int(v) for v in vals]
        out[header(layer, col)] = vals
        if col == "township_codes" or (col == "township_code" and "township_codes" not in df.columns):
            names = [None if not isinstance(v, str) else "、".join(township_names.get(c, c) for c in v.split(";"))
                     for v in df[col].tolist()]
            out["乡镇名称"] = names
        if col == "park_id" and layer != "parks":
            out["园区名称"] = [park_names.get(v, v) if isinstance(v, str) else None for v in df[col].tolist()]
    if "geometry" in df.columns:
        geoms = df.geometry.values
        point = [_single_point(g) for g in geoms]
        other = [g is not None and not g.is_empty and p is None for g, p in zip(geoms, point)]
        if any(p is not None for p in point):
            out["经度"] = [None if p is None else p[0] for p in point]
            out["纬度"] = [None if p is None else p[1] for p in point]
        if any(other):
            out["几何WKT"] = [shapely.to_wkt(g, rounding_precision=7) if o else None for g, o in zip(geoms, other)]
    return out


def _single_point(g) -> tuple[float, float] | None:
    """(lon, lat) of a point or a one-part multipoint; None for anything else."""
    if g is None or g.is_empty:
        return None
    if g.geom_type == "Point":
        p = g
    elif g.geom_type == "MultiPoint" and len(g.geoms) == 1:
        p = g.geoms[0]
    else:
        return None
    return round(p.x, 7), round(p.y, 7)


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell made safe for a spreadsheet (:func:`xxgeo.textsafe.cell`: a leading
    ``= + - @`` gets an apostrophe so it is never run as a formula; control characters dropped)."""
    out = table.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(cell).astype(object)
    return out


def to_csv(df: pd.DataFrame, layer: str, township_names: dict, park_names: dict | None = None) -> bytes:
    """CSV in UTF-8 with BOM (Excel opens it with Chinese intact); the columns of :func:`to_xlsx`'s data sheet,
    text cells spreadsheet-safe."""
    return spreadsheet_safe(human_frame(df, layer, township_names, park_names)).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, layer: str, township_names: dict, about: list,
            park_names: dict | None = None) -> tuple[bytes, list]:
    """Excel: a data sheet with Chinese headers and units, frozen header, and a 说明 sheet."""
    from openpyxl.utils import get_column_letter

    table = spreadsheet_safe(human_frame(df, layer, township_names, park_names))
    notes = []
    if "几何WKT" in table.columns:
        long = table["几何WKT"].map(lambda s: isinstance(s, str) and len(s) > 32000)
        if long.any():
            table.loc[long, "几何WKT"] = None
            notes.append(f"{int(long.sum())} 个几何图形太长，超出 Excel 单元格上限，未写入 Excel；"
                         "请导出为 gpkg 或 shp。")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        sheet = LAYERS[layer].label[:31]
        table.to_excel(xw, sheet_name=sheet, index=False)
        ws = xw.sheets[sheet]
        ws.freeze_panes = "A2"
        for i, col in enumerate(table.columns, start=1):
            sample = [len(str(v)) for v in table[col].head(200) if v is not None]
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, len(str(col)) * 2, *(sample or [0])) + 2)
        spreadsheet_safe(pd.DataFrame({"项目": [a for a, _ in about], "内容": [b for _, b in about]})).to_excel(
            xw, sheet_name="说明", index=False)
        xw.sheets["说明"].column_dimensions["A"].width = 16
        xw.sheets["说明"].column_dimensions["B"].width = 90
    return buf.getvalue(), notes


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if c != "geometry" and str(out[c].dtype) == "boolean":
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def to_gpkg(df, layer: str) -> bytes:
    """A GeoPackage with one layer named like the store layer (schema field names kept)."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"{layer}.gpkg"
        _write(_plain(df), p, layer=layer, driver="GPKG")
        return p.read_bytes()


def to_geojson(df, layer: str) -> bytes:
    """RFC 7946 GeoJSON in WGS84, UTF-8; rows without geometry have ``"geometry": null``."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"{layer}.geojson"
        _write(_plain(df), p, driver="GeoJSON", layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"})
        return p.read_bytes()


def _write(df, path, **kw) -> None:
    import geopandas as gpd

    if not isinstance(df, gpd.GeoDataFrame):
        df = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df), index=df.index), crs="EPSG:4326")
    gtypes = set(df.geometry.dropna().geom_type)
    gtype = gtypes.pop() if len(gtypes) == 1 else ("Unknown" if gtypes else "Point")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(df, path, geometry_type=gtype, promote_to_multi=False, **kw)


def shp_names(columns) -> dict:
    """Unique ≤10-character names for the given columns (mapping full -> short)."""
    out, used = {}, set()
    for c in columns:
        if c == "geometry":
            continue
        base = SHP_NAMES.get(c, c if len(c.encode("utf-8")) <= 10 else c[:10])
        while len(base.encode("utf-8")) > 10:
            base = base[:-1]
        name, k = base, 1
        while name.upper() in used:
            suffix = f"_{k}"
            name = base[: 10 - len(suffix)] + suffix
            k += 1
        used.add(name.upper())
        out[c] = name
    return out


def to_shp_zip(df, layer: str) -> tuple[bytes, list]:
    """A zip of .shp/.shx/.dbf/.prj and a UTF-8 .cpg, one shapefile per geometry family, and 字段对照表.csv."""
    import geopandas as gpd

    names = shp_names(df.columns)
    notes = []
    renamed = _plain(df).rename(columns=names)
    fams = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
            "Polygon": "polygon", "MultiPolygon": "polygon"}
    fam = df.geometry.map(lambda g: None if g is None or g.is_empty else fams.get(g.geom_type, "other"))
    groups = sorted(set(fam.dropna()))
    if not groups:
        groups = ["point"]
    main = fam.value_counts().idxmax() if fam.notna().any() else groups[0]
    fam = fam.fillna(main)
    too_long = 0
    for c in renamed.columns:
        if c != "geometry" and not pd.api.types.is_numeric_dtype(renamed[c]):
            too_long += int(renamed[c].map(lambda v: isinstance(v, str) and len(v.encode("utf-8")) > 254).sum())
    if too_long:
        notes.append(f"{too_long} 个文字值超过 Shapefile 的 254 字节上限，已被截断；完整内容请导出为 gpkg 或 xlsx。")
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for g in groups:
            part = renamed[(fam == g).to_numpy()]
            stem = layer if len(groups) == 1 else f"{layer}_{g}"
            p = Path(tmp) / f"{stem}.shp"
            geoms = part.geometry.values
            if g != "other":
                multi = {"point": shapely.MultiPoint, "line": shapely.MultiLineString,
                         "polygon": shapely.MultiPolygon}[g]
                geoms = [gg if gg is None or gg.is_empty or gg.geom_type.startswith("Multi") else multi([gg])
                         for gg in geoms]
            part = gpd.GeoDataFrame(part.drop(columns="geometry"), geometry=list(geoms), crs="EPSG:4326")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pyogrio.write_dataframe(part, p, driver="ESRI Shapefile", encoding="UTF-8")
            (Path(tmp) / f"{stem}.cpg").write_text("UTF-8", encoding="ascii")
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                zf.write(Path(tmp) / f"{stem}{ext}", f"{stem}{ext}")
        mapping = pd.DataFrame({"shapefile字段": list(names.values()), "字段": list(names),
                                "中文名": [header(layer, c) for c in names]})
        zf.writestr("字段对照表.csv", mapping.to_csv(index=False).encode("utf-8-sig"))
    if len(groups) > 1:
        notes.append(f"Shapefile 每个文件只能有一种几何类型，已分成 {len(groups)} 个文件：" + "、".join(
            f"{layer}_{g}.shp" for g in groups) + "。")
    if any(len(c) > 10 for c in names):
        notes.append("Shapefile 字段名最长 10 个字符，长字段名已缩写，对照见压缩包内“字段对照表.csv”；"
                     "本系统导入时会自动还原。")
    return buf.getvalue(), notes


def _kml_color(hex_rgb: str, alpha: str = "ff") -> str:
    h = hex_rgb.lstrip("#")
    return alpha + h[4:6] + h[2:4] + h[0:2]


def _kml_geom(parent, g) -> None:
    if g is None or g.is_empty:
        return
    t = g.geom_type
    if t.startswith("Multi") or t == "GeometryCollection":
        mg = ET.SubElement(parent, "MultiGeometry")
        for part in g.geoms:
            _kml_geom(mg, part)
        return

    def coords(seq):
        return " ".join(f"{x:.7f},{y:.7f}" for x, y, *_ in seq)

    if t == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = coords(g.coords)
    elif t == "LineString":
        ET.SubElement(ET.SubElement(parent, "LineString"), "coordinates").text = coords(g.coords)
    elif t == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        outer = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(outer, "coordinates").text = coords(g.exterior.coords)
        for ring in g.interiors:
            inner = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(inner, "coordinates").text = coords(ring.coords)


def to_kml(df, layer: str, township_names: dict, title: str, colors: dict | None = None) -> bytes:
    """KML 2.2 for Google Earth and 奥维: a placemark per row (name, an escaped HTML table as description,
    every field in ExtendedData so the file imports back), coloured by category where known."""
    ns = "http://www.opengis.net/kml/2.2"
    ET.register_namespace("", ns)
    kml = ET.Element("kml", xmlns=ns)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = title
    colors = colors or {}
    style_ids = {key: f"c{k}" for k, key in enumerate(colors)}
    for key, col in colors.items():
        st = ET.SubElement(doc, "Style", id=style_ids[key])
        ET.SubElement(ET.SubElement(st, "IconStyle"), "color").text = _kml_color(col)
        ET.SubElement(ET.SubElement(st, "LineStyle"), "color").text = _kml_color(col)
        ET.SubElement(ET.SubElement(st, "PolyStyle"), "color").text = _kml_color(col, "66")
    cols = [c for c in df.columns if c != "geometry"]
    human = human_frame(df.drop(columns="geometry", errors="ignore"), layer, township_names)
    geoms = df.geometry.values if "geometry" in df.columns else [None] * len(df)
    for i in range(len(df)):
        row = df.iloc[i]
        pm = ET.SubElement(doc, "Placemark")
        ET.SubElement(pm, "name").text = str(row.get("name") if "name" in cols and not _na(row.get("name")) else i + 1)
        cells = "".join(f"<tr><th>{html.escape(str(h))}</th><td>{html.escape(str(v))}</td></tr>"
                        for h, v in human.iloc[i].items() if not _na(v))
        ET.SubElement(pm, "description").text = f"<table>{cells}</table>"
        key = row.get("category") if "category" in cols else None
        if key in colors:
            ET.SubElement(pm, "styleUrl").text = "#" + style_ids[key]
        ext = ET.SubElement(pm, "ExtendedData")
        for c in cols:
            v = row[c]
            if _na(v):
                continue
            d = ET.SubElement(ext, "Data", name=c)
            ET.SubElement(d, "displayName").text = header(layer, c)
            ET.SubElement(d, "value").text = str(bool(v)).lower() if isinstance(v, (bool, np.bool_)) else _txt(v)
        _kml_geom(pm, geoms[i])
    ET.indent(kml)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(kml, encoding="utf-8")


def _txt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _na(v) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
