"""Factories for the data tests (issue 4): a small store and input files generated on the fly.

The store is synthetic and independent of geodata/sources: the county is a box around Xia County's
extent, the eleven real townships (NBS codes and names) are a 4x3 grid inside it, and a handful of projects
carry Chinese names, public and non-public rows, points and no geometry.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import MultiPoint, Point, box

from xxgeo.importers import ImportResult, commit_import, prepare_import, refusal
from xxgeo.store import GpkgStore, empty_frame

X0, Y0, X1, Y1 = 111.04, 34.93, 111.68, 35.32
TOWNSHIPS = [("140828100", "瑶峰镇", "镇"), ("140828101", "庙前镇", "镇"), ("140828102", "裴介镇", "镇"),
             ("140828103", "水头镇", "镇"), ("140828104", "埝掌镇", "镇"), ("140828105", "泗交镇", "镇"),
             ("140828106", "禹王镇", "镇"), ("140828200", "尉郭乡", "乡"), ("140828202", "胡张乡", "乡"),
             ("140828203", "南大里乡", "乡"), ("140828204", "祁家河乡", "乡")]


def township_cells() -> list:
    """Eleven cells of a 4x3 grid over the county box (the last cell of the grid stays empty)."""
    dx, dy = (X1 - X0) / 4, (Y1 - Y0) / 3
    cells = [box(X0 + c * dx, Y0 + r * dy, X0 + (c + 1) * dx, Y0 + (r + 1) * dy) for r in range(3) for c in range(4)]
    return cells[:11]


def projects_frame() -> gpd.GeoDataFrame:
    cells = township_cells()
    rows = [
        ("XM0001", "夏县“六新”产业集聚区标准化厂房", "工业", "140828102", True, 12000.0,
         MultiPoint([cells[2].centroid])),
        ("XM0002", "泗交镇温泉康养旅游项目（一期）", "文旅", "140828105", True, None, MultiPoint([cells[5].centroid])),
        ("XM0003", "全县农村饮水安全巩固提升工程", "生态水利", None, True, 3500.5, None),
        ("XM0004", "内部储备：禹王城遗址片区综合开发", "文旅", "140828106", False, 80000.0,
         MultiPoint([cells[6].centroid])),
        ("XM0005", "水头镇光伏发电&储能<示范>项目", "能源", "140828103", True, None, MultiPoint([cells[3].centroid])),
    ]
    df = pd.DataFrame(rows, columns=["project_id", "name", "category", "township_code", "public", "investment_wan",
                                     "geometry"])
    df["township_codes"] = df["township_code"]
    df["status"] = ["在建", "待开工", None, "储备", "新建"]
    df["investment_note"] = [None, None, None, "内部测算，未公开", None]
    df["source_text"] = ["规划原文一", None, None, "内部材料", None]
    df["start_year"] = [2021, None, 2022, None, 2023]
    df["end_year"] = [2025, None, 2025, None, None]
    df["source_ref"] = ["专栏6-2", "专栏5-1", "专栏10-1", "内部", "专栏7-1"]
    df["loc_precision"] = ["township", "township", "county", "township", "township"]
    df["version"] = 1
    return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")


def make_store(path: Path) -> GpkgStore:
    """A small, complete store at ``path`` (every required layer present)."""
    cells = township_cells()
    county = gpd.GeoDataFrame({"code": ["140828"], "name": ["夏县"], "source": ["测试用县界（矩形）"]},
                              geometry=[box(X0, Y0, X1, Y1)], crs="EPSG:4326")
    towns = gpd.GeoDataFrame({
        "code": [c for c, _, _ in TOWNSHIPS], "name": [n for _, n, _ in TOWNSHIPS],
        "kind": [k for _, _, k in TOWNSHIPS],
        "boundary_quality": "schematic", "seat_lon": [c.centroid.x for c in cells],
        "seat_lat": [c.centroid.y for c in cells], "village_units": 10, "source": "测试用示意边界"},
        geometry=cells, crs="EPSG:4326")
    parks = gpd.GeoDataFrame({"park_id": ["peijie"], "name": ["裴介“六新”产业集聚区"], "aliases": ["六新集聚区"],
                              "township_code": ["140828102"], "boundary_quality": ["schematic"],
                              "source_ref": ["专栏6-2"]},
                             geometry=[cells[2].centroid.buffer(0.01)], crs="EPSG:4326")
    audit = pd.DataFrame([{"at": "2026-01-01T00:00:00+08:00", "user": "build", "layer": "*", "feature_id": None,
                           "action": "build", "before": None, "after": "test store"}])
    frames = {"county": county, "townships": towns, "parks": parks, "projects": projects_frame(), "audit_log": audit}
    for name in ("villages", "scenic_sites", "roads", "indicators", "township_indicators"):
        frames[name] = empty_frame(name)
    store = GpkgStore(path)
    store.write_layers(frames, fresh=True, audit=False)
    return store


# ----------------------------------------------------------------------------- input files
def zip_dir(files: dict, dest: Path, *, gbk_names: bool = False) -> Path:
    """Zip ``{archive name: bytes}`` into ``dest``."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return dest


def shapefile_zip(gdf: gpd.GeoDataFrame, dest: Path, *, encoding: str = "UTF-8", cpg: str | None = "UTF-8",
                  prj: bool = True, stem: str = "data") -> Path:
    """A zipped shapefile; ``cpg=None`` leaves out the .cpg, ``prj=False`` the .prj."""
    tmp = dest.parent / f"_{dest.stem}_shp"
    tmp.mkdir(exist_ok=True)
    pyogrio.write_dataframe(gdf, tmp / f"{stem}.shp", encoding=encoding)
    files = {}
    for ext in (".shp", ".shx", ".dbf", ".prj"):
        if ext == ".prj" and not prj:
            continue
        p = tmp / f"{stem}{ext}"
        if p.exists():
            files[f"{stem}{ext}"] = p.read_bytes()
    if cpg is not None:
        files[f"{stem}.cpg"] = cpg.encode("ascii")
    return zip_dir(files, dest)


def xlsx_bytes(df: pd.DataFrame, *, title: str | None = None) -> bytes:
    """An .xlsx with an optional title row above the header (as bureau tables often have)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, startrow=1 if title else 0, sheet_name="项目表")
        if title:
            xw.sheets["项目表"]["A1"] = title
    return buf.getvalue()


def points_in(code: str, n: int = 1) -> list:
    """``n`` points inside the township cell of ``code``."""
    cell = township_cells()[[c for c, _, _ in TOWNSHIPS].index(code)]
    c = cell.centroid
    return [Point(c.x + 0.001 * i, c.y + 0.001 * i) for i in range(n)]


def import_file(path, layer: str, store: GpkgStore, *, user: str | None = None, **kw) -> ImportResult:
    """Prepare and commit an import in one go (as the CLI does); raises on any refusal with the store untouched."""
    plan = prepare_import(path, layer, store, user=user, **kw)
    if not plan.ok:
        raise refusal(plan)
    return commit_import(plan, store, user=user)
