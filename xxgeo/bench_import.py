"""The import benchmark (issue 16 item 4): ``python -m xxgeo bench --import``.

For 10k and 100k synthetic project points (as a CSV with 经度/纬度 columns and as a GeoPackage), 100k small
polygons (GeoPackage), and a 100k-polygon 永久基本农田 Shapefile as the 国土空间规划 hands it over (GBK attributes,
CGCS2000 Gauss-Krüger with the zone prefix, named by its ``.shp``) into ``constraints``, in one run: the *floor* —
pyogrio alone reading the file and writing it to a GeoPackage — and xxgeo's whole import into a scratch copy of
the store (worker parse, CRS rules, column mapping, merge, placement, validation, one transaction with its backup
and audit rows). The ratio xxgeo / floor is the number to watch (target ≤ 5); times on shared machines are noise,
compare the ratios of one run (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .constraints.importer import commit_constraints, prepare_constraints
from .importers import commit_import, prepare_import
from .store import GpkgStore

CASES = (("points_csv", 10_000), ("points_csv", 100_000), ("points_gpkg", 10_000), ("points_gpkg", 100_000),
         ("polygons_gpkg", 100_000), ("farmland_shp", 100_000))
CATS = ("工业", "农业", "文旅", "交通", "能源")


def _inside(county, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = county.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        x, y = rng.uniform(minx, maxx, n * 2), rng.uniform(miny, maxy, n * 2)
        ok = shapely.contains_xy(county, x, y)
        xs, ys = np.concatenate([xs, x[ok]]), np.concatenate([ys, y[ok]])
    return np.round(xs[:n], 6), np.round(ys[:n], 6)


def make_file(kind: str, n: int, county, folder: Path) -> Path:
    """The synthetic file of a case: names, categories, investment, 位置精度 and the geometry."""
    xs, ys = _inside(county, n, seed=n)
    attrs = {"项目名称": [f"导入测试项目{i}" for i in range(n)], "类别": [CATS[i % len(CATS)] for i in range(n)],
             "总投资": (np.arange(n) % 997 + 1).astype(float), "位置精度": "实测"}
    if kind == "points_csv":
        path = folder / f"points{n}.csv"
        pd.DataFrame({**attrs, "经度": xs, "纬度": ys}).to_csv(path, index=False)
        return path
    if kind == "farmland_shp":
        folder = folder / f"farmland{n}"
        folder.mkdir(exist_ok=True)
        boxes = gpd.GeoSeries(shapely.box(xs - 0.0004, ys - 0.0003, xs + 0.0004, ys + 0.0003), crs=4326)
        gdf = gpd.GeoDataFrame({"DLMC": [CATS[i % len(CATS)] + "用地" for i in range(n)],
                                "TBBH": [f"{i:07d}" for i in range(n)]}, geometry=boxes.to_crs(4525))
        pyogrio.write_dataframe(gdf, folder / "永久基本农田.shp", encoding="GBK")
        return folder / "永久基本农田.shp"
    geom = gpd.points_from_xy(xs, ys)
    if kind == "polygons_gpkg":
        geom = shapely.box(xs - 0.0004, ys - 0.0003, xs + 0.0004, ys + 0.0003)
    path = folder / f"{kind}{n}.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame(attrs, geometry=geom, crs=4326), path, layer="data")
    return path


def floor_seconds(path: Path, folder: Path, arrow: bool = False) -> float:
    """pyogrio alone: read the file (a CSV with its coordinate columns) and write it to a GeoPackage — with its
    default calls (the issue's floor), or with ``arrow`` through GDAL's Arrow stream both ways (its fastest; the
    store writes that way too, so this stricter floor is reported beside the first)."""
    out = folder / f"floor-{path.stem}.gpkg"
    t0 = time.perf_counter()
    if path.suffix == ".csv":
        gdf = pyogrio.read_dataframe(path, X_POSSIBLE_NAMES="经度", Y_POSSIBLE_NAMES="纬度", KEEP_GEOM_COLUMNS="NO",
                                     use_arrow=arrow)
        gdf = gdf.set_crs(4326)
    else:
        gdf = pyogrio.read_dataframe(path, use_arrow=arrow)
    pyogrio.write_dataframe(gdf, out, use_arrow=arrow)
    took = time.perf_counter() - t0
    out.unlink(missing_ok=True)
    return took


def import_seconds(path: Path, base: Path, folder: Path) -> tuple[float, dict]:
    """xxgeo's import of ``path`` into a fresh copy of the store ``base``: seconds and what it did."""
    scratch = folder / f"store-{path.stem}.gpkg"
    shutil.copy2(base, scratch)
    store = GpkgStore(scratch)
    t0 = time.perf_counter()
    if path.suffix == ".shp":  # the control-line layer: one kind replaced as a whole
        plan = prepare_constraints(path, "永久基本农田", store)
        t_prepare = time.perf_counter() - t0
        commit_constraints(plan, store, user="bench")
        inserted = len(plan.frame)
    else:
        plan = prepare_import(path, "projects", store, user="bench", precision="surveyed")  # the files state none
        t_prepare = time.perf_counter() - t0
        if not plan.ok:
            raise RuntimeError(f"bench import refused: {plan.problems[:3]}")
        inserted = commit_import(plan, store, user="bench").inserted
    took = time.perf_counter() - t0
    for p in folder.glob(f"store-{path.stem}*"):
        p.unlink(missing_ok=True)
    return took, {"inserted": inserted, "prepare_s": round(t_prepare, 3)}


def run(store_path: str | None = None, cases=CASES, repeats: int = 1) -> dict:
    """Every case: floor seconds, xxgeo seconds, their ratio; a JSON-able dict. With ``repeats`` > 1 the floors
    and the import run that many times, interleaved, and each figure is the minimum (the least disturbed by a
    busy machine)."""
    base = GpkgStore(store_path) if store_path else GpkgStore()
    base.require()
    county = shapely.union_all(base.read("county").geometry.values)
    tmp = Path(tempfile.mkdtemp(prefix="xxgeo-bench-import-"))
    out: dict = {}
    try:
        for kind, n in cases:
            path = make_file(kind, n, county, tmp)
            floors, fasts, imports = [], [], []
            for _ in range(max(1, repeats)):
                floors.append(floor_seconds(path, tmp))
                fasts.append(floor_seconds(path, tmp, arrow=True))
                imports.append(import_seconds(path, base.path, tmp))
            floor, fast = min(floors), min(fasts)
            took, what = min(imports, key=lambda r: r[0])
            out[f"{kind}_{n}"] = {"rows": n, "repeats": max(1, repeats), "floor_s": round(floor, 3),
                                  "floor_arrow_s": round(fast, 3),
                                  "xxgeo_s": round(took, 3), "ratio": round(took / floor, 1) if floor else None,
                                  "ratio_vs_arrow": round(took / fast, 1) if fast else None, **what}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
