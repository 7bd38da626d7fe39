"""The 三区三线 benchmark (issue 16; docs/PERFORMANCE.md): a generated 10^5-polygon 永久基本农田 layer.

In one run: (1) the layer written as a GeoPackage in EPSG:4546 (what a 国土空间规划 export looks like), then the
**floor** — pyogrio reading it and writing it to a GeoPackage — against ``import --layer constraints --kind``
(worker parse, CRS rules, repair, one transaction with a backup) into a scratch copy of the store; (2) the check
of 1,000 and 10,000 polygon projects against the layer (:func:`xxgeo.constraints.check.check`) against a plain
``geopandas.overlay`` of the same frames (both projected to EPSG:4546, intersected, areas summed per project),
with the largest difference of 亩 per project, and of 1,000 projects against one 生态保护红线 polygon of 200,000
vertices (and that polygon's tiles rendered); (3) the app's map with the layer shown: the page's bytes, the
image tiles' render time and number, the tiles (and bytes) a county view fetches, and the time until headless
Chromium has drawn them. Shared machines are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from .constraints import raster
from .constraints.check import check
from .constraints.importer import commit_constraints, prepare_constraints
from .crs import METRIC_CRS
from .layerspec import load_specs
from .mapping import MapRequest, build_map, map_html
from .store import GpkgStore
from .tiles import ImageTiles
from .vocab import M2_PER_MU

KIND = "永久基本农田"
VIEW = (1280, 800)  # the browser viewport of the county view


def farmland(county_bounds, n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` non-overlapping rectangles (55–90 % of a grid cell) over the county's box, in EPSG:4546."""
    b = gpd.GeoSeries(shapely.box(*county_bounds), crs=4326).to_crs(METRIC_CRS).total_bounds
    side = int(math.ceil(math.sqrt(n)))
    w, h = (b[2] - b[0]) / side, (b[3] - b[1]) / side
    rng = np.random.default_rng(seed)
    ix, iy = np.divmod(np.arange(n), side)
    x0, y0 = b[0] + ix * w, b[1] + iy * h
    k = rng.uniform(0.55, 0.9, n)
    return gpd.GeoDataFrame({"TBMC": [f"图斑{i}" for i in range(n)]},
                            geometry=shapely.box(x0, y0, x0 + w * k, y0 + h * k), crs=METRIC_CRS)


def red_line(county_bounds, vertices: int = 200_000) -> gpd.GeoDataFrame:
    """One 生态保护红线 polygon of ``vertices`` vertices (a wiggly ring around a hole, ~60 % of the county's box,
    as a line along a mountain range is), in WGS84 as the store holds it."""
    b = gpd.GeoSeries(shapely.box(*county_bounds), crs=4326).to_crs(METRIC_CRS).total_bounds
    cx, cy, rad = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 0.3 * min(b[2] - b[0], b[3] - b[1])
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    r = rad * (1 + 0.15 * np.sin(37 * t) + 0.02 * np.sin(1013 * t))
    hole = np.c_[cx + 0.1 * rad * np.cos(t[::100]), cy + 0.1 * rad * np.sin(t[::100])]
    ring = shapely.Polygon(np.c_[cx + r * np.cos(t), cy + r * np.sin(t)], [hole])
    return gpd.GeoDataFrame({"kind": ["生态保护红线"], "rule": ["forbidden"], "name": ["红线"], "overlaps": [False]},
                            geometry=[ring], crs=METRIC_CRS).to_crs(4326)


def projects(county_bounds, n: int, seed: int = 11) -> gpd.GeoDataFrame:
    """``n`` rectangular projects (50–400 m a side) located precisely (``surveyed``), in WGS84."""
    b = gpd.GeoSeries(shapely.box(*county_bounds), crs=4326).to_crs(METRIC_CRS).total_bounds
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(b[0], b[2], n), rng.uniform(b[1], b[3], n)
    w, h = rng.uniform(50, 400, n), rng.uniform(50, 400, n)
    g = gpd.GeoDataFrame({"project_id": [f"C{i:05d}" for i in range(n)], "name": [f"检查项目{i}" for i in range(n)],
                          "township_code": None, "township_codes": None, "loc_precision": "surveyed"},
                         geometry=shapely.box(x, y, x + w, y + h), crs=METRIC_CRS)
    return g.to_crs(4326)


def _overlay(p_m: gpd.GeoDataFrame, c_m: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.overlay(p_m, c_m, how="intersection", keep_geom_type=True)


def _sum_mu(o: gpd.GeoDataFrame) -> dict:
    return (o.geometry.area / M2_PER_MU).groupby(o["project_id"]).sum().to_dict()


def _overlay_mu(p: gpd.GeoDataFrame, c: gpd.GeoDataFrame) -> dict:
    """The plain computation: both layers to the metric CRS, ``geopandas.overlay``, 亩 summed per project."""
    return _sum_mu(_overlay(p[["project_id", "geometry"]].to_crs(METRIC_CRS),
                            c[["kind", "geometry"]].to_crs(METRIC_CRS)))


def _timed(fn):
    """(wall seconds, CPU seconds of this process, result) of ``fn()``."""
    w, c = time.perf_counter(), time.process_time()
    res = fn()
    return time.perf_counter() - w, time.process_time() - c, res


def compare(cons: gpd.GeoDataFrame, p: gpd.GeoDataFrame, repeats: int = 3) -> dict:
    """The check of ``p`` against ``cons`` (both longitude/latitude, as read from the store) and the plain
    computations, ``repeats`` times each, interleaved; medians of wall-clock and CPU seconds. ``overlay`` projects
    both layers to the metric CRS itself, as the check does (same inputs, same CRS work); ``overlay_premetric`` is
    given both already projected (its projection untimed: a stricter baseline that does no CRS work at all)."""
    p_m, c_m = p[["project_id", "geometry"]].to_crs(METRIC_CRS), cons[["kind", "geometry"]].to_crs(METRIC_CRS)
    runs: dict = {"check": [], "overlay": [], "overlay_premetric": []}
    for _ in range(max(1, repeats)):
        *t, res = _timed(lambda: check(p, cons))
        runs["check"].append(t)
        *t, plain = _timed(lambda: _overlay_mu(p, cons))
        runs["overlay"].append(t)
        *t, pre = _timed(lambda: _sum_mu(_overlay(p_m, c_m)))
        runs["overlay_premetric"].append(t)
    wall = {k: float(np.median([r[0] for r in v])) for k, v in runs.items()}
    cpu = {k: float(np.median([r[1] for r in v])) for k, v in runs.items()}
    ours = res.hits.groupby("project_id")["overlap_mu"].sum().to_dict()
    ids = [k for k in set(ours) | set(plain) if max(ours.get(k, 0.0), plain.get(k, 0.0)) > 0.01]
    diff = max((abs(ours.get(k, 0.0) - plain.get(k, 0.0)) / max(plain.get(k, 0.0), 1e-9) for k in ids),
               default=0.0)
    return {"repeats": max(1, repeats), "check_s": round(wall["check"], 3), "overlay_s": round(wall["overlay"], 3),
            "overlay_premetric_s": round(wall["overlay_premetric"], 3),
            "ratio_vs_overlay": round(wall["check"] / wall["overlay"], 3),
            "ratio_vs_overlay_premetric": round(wall["check"] / wall["overlay_premetric"], 3),
            "cpu_ratio_vs_overlay": round(cpu["check"] / cpu["overlay"], 3),
            "cpu_ratio_vs_overlay_premetric": round(cpu["check"] / cpu["overlay_premetric"], 3),
            "projects_overlapping": len(ids), "total_mu": round(sum(ours.values()), 1),
            "overlay_total_mu": round(sum(plain.values()), 1),
            "premetric_total_mu": round(sum(pre.values()), 1), "max_rel_diff_mu": float(f"{diff:.2e}")}


def _view_tiles(bounds, zoom: int) -> list:
    """The tiles a ``VIEW``-sized map centred on ``bounds`` shows at ``zoom``."""
    (cx,), (cy,) = raster._world(np.array([(bounds[0] + bounds[2]) / 2]), np.array([(bounds[1] + bounds[3]) / 2]))
    s = 2 ** zoom
    x0, x1 = (cx * s - VIEW[0] / 2) // 256, (cx * s + VIEW[0] / 2) // 256
    y0, y1 = (cy * s - VIEW[1] / 2) // 256, (cy * s + VIEW[1] / 2) // 256
    return [f"{zoom}-{x}-{y}.png" for x in range(int(x0), int(x1) + 1) for y in range(int(y0), int(y1) + 1)]


def run(polygons: int = 100_000, sizes=(1000, 10_000), store_path: str | None = None,
        browser: bool = True, repeats: int = 3) -> dict:
    """Run the benchmark; returns a JSON-able dict."""
    base = GpkgStore(store_path) if store_path else GpkgStore()
    bounds = tuple(base.read("county").total_bounds)
    tmp = Path(tempfile.mkdtemp(prefix="xxgeo-bench-check-"))
    out: dict = {"polygons": polygons}
    try:
        src = tmp / "jbnt.gpkg"
        pyogrio.write_dataframe(farmland(bounds, polygons), src, driver="GPKG")
        t0 = time.perf_counter()
        pyogrio.write_dataframe(pyogrio.read_dataframe(src), tmp / "floor.gpkg", driver="GPKG")
        floor = time.perf_counter() - t0
        scratch = GpkgStore(tmp / "store.gpkg")
        shutil.copy2(base.path, scratch.path)
        t0 = time.perf_counter()
        plan = prepare_constraints(src, KIND, scratch)
        t_prepare = time.perf_counter() - t0
        commit_constraints(plan, scratch, user="bench")
        t_import = time.perf_counter() - t0
        out["import"] = {"floor_s": round(floor, 3), "import_s": round(t_import, 3),
                         "prepare_s": round(t_prepare, 3), "ratio_vs_floor": round(t_import / floor, 2)}
        cons = scratch.read("constraints")
        out["check"] = {str(n): compare(cons, projects(bounds, n), repeats) for n in sizes}
        red = red_line(bounds)  # one polygon of 200,000 vertices against 1,000 projects, and its tiles
        out["red_line"] = {"vertices": int(shapely.get_num_coordinates(red.geometry.values[0])),
                           **compare(red, projects(bounds, 1000), repeats)}
        t0 = time.perf_counter()
        out["red_line"]["tiles"] = len(raster.render(red, {"生态保护红线": "#2e7d32"}).files)
        out["red_line"]["render_s"] = round(time.perf_counter() - t0, 2)
        out["map"] = _map(scratch, cons, bounds, tmp, browser)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _map(store, cons, bounds, tmp: Path, browser: bool) -> dict:
    spec = load_specs()["constraints"]
    colors = {k: v.get("fill_color", "#7f8c8d") for k, v in spec.classes.items()}
    t0 = time.perf_counter()
    ts = raster.render(cons, colors)
    t_render = time.perf_counter() - t0
    d = tmp / "tiles"
    d.mkdir()
    for name, data in ts.files:
        (d / name).write_bytes(data)
    tiles = ImageTiles(d.as_uri() + "/{z}-{x}-{y}.png", raster.MIN_ZOOM, raster.MAX_ZOOM, ((KIND, len(cons)),))
    ds = store.load()
    page = map_html(build_map(ds, MapRequest(assets="inline", fit="county", constraint_tiles=tiles)))
    seen = {n for n, _ in ts.files}
    sizes = dict((n, len(b)) for n, b in ts.files)
    view = [t for t in _view_tiles(bounds, 10) if t in seen]
    geojson = len(cons.to_json().encode("utf-8"))
    res = {"render_s": round(t_render, 2), "tiles_rendered": len(ts.files),
           "tile_bytes_total": sum(sizes.values()), "page_bytes": len(page.encode("utf-8")),
           "county_view_tiles": len(view), "county_view_tile_bytes": sum(sizes[t] for t in view),
           "layer_as_geojson_bytes": geojson}
    if browser and Path("/usr/bin/chromium").exists():
        from playwright.sync_api import sync_playwright

        path = tmp / "map.html"
        path.write_text(page, encoding="utf-8")
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                   args=["--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"])
            try:
                pg = b.new_page(viewport={"width": VIEW[0], "height": VIEW[1]})
                pg.goto(path.as_uri(), wait_until="load")
                pg.wait_for_function("() => { const t = Array.from(document.querySelectorAll('img.leaflet-tile'));"
                                     " return t.length > 0 && t.every(i => i.complete); }", timeout=90_000)
                res["drawn_ms"] = round(float(pg.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                                                          "requestAnimationFrame(() => r(performance.now()))))")), 1)
                res["browser_tiles_loaded"] = pg.evaluate("() => Array.from(document.querySelectorAll("
                                                          "'img.leaflet-tile')).filter(i => i.naturalWidth > 0).length")
            finally:
                b.close()
    return res
