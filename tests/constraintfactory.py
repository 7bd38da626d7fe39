"""Control-line layers and precisely located projects for the check's tests, built in EPSG:4546 (metres)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPoint, Point, box

METRIC = "EPSG:4546"
#: a point in the county (Gauss-Krüger CM 111E, metres): the origin of the shapes below
X0, Y0 = 520_000.0, 3_880_000.0


def metric_gdf(rows: list, columns: list) -> gpd.GeoDataFrame:
    """A frame in EPSG:4546 from rows whose last item is a geometry in metres relative to (X0, Y0)."""
    geoms = [shapely.affinity.translate(r[-1], X0, Y0) for r in rows]
    df = pd.DataFrame([r[:-1] for r in rows], columns=columns)
    return gpd.GeoDataFrame(df, geometry=geoms, crs=METRIC)


def farmland() -> gpd.GeoDataFrame:
    """Two farmland polygons: 0..1000 x 0..1000 and 2000..3000 x 0..1000 (metres)."""
    return metric_gdf([("图斑甲", box(0, 0, 1000, 1000)), ("图斑乙", box(2000, 0, 3000, 1000))], ["TBMC"])


def urban() -> gpd.GeoDataFrame:
    """The urban development boundary: 5000..8000 x 0..3000."""
    return metric_gdf([("城区", box(5000, 0, 8000, 3000))], ["名称"])


#: project id -> (geometry in metres, loc_precision)
PROJECT_SHAPES = {
    "T1": (box(500, 500, 1500, 900), "surveyed"),          # polygon half on 图斑甲: 500x400 inside of 1000x400
    "T2": (box(1200, 2000, 1800, 2600), "surveyed"),       # polygon clear of farmland, outside the urban boundary
    "T3": (LineString([(-500, 100), (2500, 100)]), "surveyed"),  # road: 1000 m in 甲, 500 m in 乙
    "T4": (MultiPoint([Point(2500, 500)]), "surveyed"),     # point inside 图斑乙
    "T5": (box(6000, 1000, 7000, 2000), "surveyed"),       # polygon wholly inside the urban boundary
    "T6": (box(7500, 2500, 8500, 3500), "surveyed"),       # polygon half outside the urban boundary
    "T7": (MultiPoint([Point(500, 500)]), "township"),     # on farmland, but located only to a township
    "T8": (box(1000, 500, 1300, 800), "surveyed"),         # overlaps T1 (project against project)
}


def projects(base: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``base`` (the stored projects) with the test projects added, in WGS84, township 140828102."""
    rows = [(pid, f"测试项目{pid}", "工业", "140828102", "140828102", True, "专栏1", prec, g)
            for pid, (g, prec) in PROJECT_SHAPES.items()]
    extra = metric_gdf(rows, ["project_id", "name", "category", "township_code", "township_codes", "public",
                              "source_ref", "loc_precision"]).to_crs("EPSG:4326")
    return gpd.GeoDataFrame(pd.concat([base, extra], ignore_index=True), geometry="geometry", crs="EPSG:4326")


def expected_mu(pid: str, layer: gpd.GeoDataFrame) -> float:
    """The independent computation: shapely area, in EPSG:4546, of the project clipped by the layer."""
    g = shapely.affinity.translate(PROJECT_SHAPES[pid][0], X0, Y0)
    return shapely.intersection(g, shapely.union_all(layer.geometry.values)).area / (10000 / 15)
