"""The check's tables beside the control lines: projects overlapping one another, and projects within the
protection distance of a scenic or heritage site (see :mod:`xxgeo.constraints.check`). Also the small array helpers
the check shares with them: project columns read once, geometries to the metric CRS, empty tables."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import METRIC_CRS
from ..vocab import M2_PER_MU, value_en
from .clip import overlap_area

AREA_TOL_M2 = 0.01  # overlaps smaller than this (a shared edge) are no overlap
LENGTH_TOL_M = 0.01
PAIR_COLUMNS = ["project_a", "name_a", "project_b", "name_b", "overlap_mu", "length_m"]
NEAR_COLUMNS = ["project_id", "project_name", "site_id", "site_name", "site_kind", "distance_m", "limit_m",
                "site_precision"]


def metric(geoms: np.ndarray) -> np.ndarray:
    """Longitude/latitude geometries in :data:`xxgeo.crs.METRIC_CRS` (CGCS2000 / 3-degree Gauss-Krüger)."""
    return gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(METRIC_CRS).values._data if len(geoms) else geoms


def empty(columns: list) -> pd.DataFrame:
    """A table with ``columns`` and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def columns(proj: pd.DataFrame) -> dict:
    """The projects' ``project_id``, ``name`` and ``township_code`` as object arrays, converted once."""
    return {c: proj[c].to_numpy(dtype=object) if len(proj) else np.empty(0, dtype=object)
            for c in ("project_id", "name", "township_code")}


def project_pairs(cols: dict, p_m: np.ndarray, shapes: np.ndarray, checkable: np.ndarray,
                  scope: np.ndarray) -> pd.DataFrame:
    """Project-against-project overlaps (both precisely located, at least one in scope): 亩 where two polygons
    overlap (:func:`xxgeo.constraints.clip.overlap_area`), else the length of a shared line (GEOS)."""
    if len(checkable) < 2:
        return empty(PAIR_COLUMNS)
    g = p_m[checkable]
    a, b = shapely.STRtree(g).query(g)  # envelopes; which pairs really meet is decided below
    keep = a < b
    a, b = checkable[a[keep]], checkable[b[keep]]
    keep = scope[a] | scope[b]
    a, b = a[keep], b[keep]
    area, length = np.zeros(len(a)), np.zeros(len(a))
    poly = (shapes[a] == "polygon") & (shapes[b] == "polygon")
    area[poly] = overlap_area(p_m, a[poly], p_m, b[poly])
    doubt = np.flatnonzero(~poly | (area <= AREA_TOL_M2))  # touching, apart, or not two polygons
    meet = np.ones(len(a), dtype=bool)
    meet[doubt] = shapely.intersects(p_m[a[doubt]], p_m[b[doubt]])
    doubt = doubt[meet[doubt]]
    inter = shapely.intersection(p_m[a[doubt]], p_m[b[doubt]])
    area[doubt], length[doubt] = shapely.area(inter), shapely.length(inter)
    a, b, area, length = a[meet], b[meet], area[meet], length[meet]
    pid, name = cols["project_id"], cols["name"]
    return pd.DataFrame({"project_a": pid[a], "name_a": name[a], "project_b": pid[b], "name_b": name[b],
                         "overlap_mu": np.where(area > AREA_TOL_M2, area / M2_PER_MU, np.nan),
                         # a length only where the shared part is a line (a road across a site), not a perimeter
                         "length_m": np.where((area <= AREA_TOL_M2) & (length > LENGTH_TOL_M), length, np.nan)},
                        columns=PAIR_COLUMNS)


def near_sites(cols: dict, p_m: np.ndarray, idx: np.ndarray, sites, protection: dict) -> tuple[pd.DataFrame, list]:
    """Projects closer to a scenic or heritage site than its kind's protection distance, and notes."""
    if sites is None or not len(sites):
        return empty(NEAR_COLUMNS), []
    if not protection:
        return empty(NEAR_COLUMNS), [("景区与文物的保护距离未设定（geodata/constraints.toml "
                                      "[protection_m]，或 check --protection 类型=米数），未检查。",
                                      "No protection distances are set for scenic and heritage sites "
                                      "(geodata/constraints.toml [protection_m], or check --protection "
                                      "KIND=METRES): not checked.")]
    used = [("保护距离：" + "、".join(f"{k} {v:g} 米" for k, v in protection.items()) + "。",
             "Protection distances: " + ", ".join(f"{value_en(k)} {v:g} m" for k, v in protection.items()) + ".")]
    s = sites[sites.geometry.notna() & sites["kind"].astype(str).isin(list(protection))].reset_index(drop=True)
    if not len(s) or not len(idx):
        return empty(NEAR_COLUMNS), used
    s_m = metric(s.geometry.values._data)
    limit = s["kind"].astype(str).map(protection).to_numpy(dtype=float)
    qi, si = shapely.STRtree(s_m).query(p_m[idx], predicate="dwithin", distance=float(limit.max()))
    pi = idx[qi]
    dist = shapely.distance(p_m[pi], s_m[si])
    keep = dist <= limit[si]
    pi, si, dist = pi[keep], si[keep], dist[keep]
    return pd.DataFrame({"project_id": cols["project_id"][pi], "project_name": cols["name"][pi],
                         "site_id": s["site_id"].to_numpy()[si], "site_name": s["name"].to_numpy()[si],
                         "site_kind": s["kind"].to_numpy()[si], "distance_m": dist, "limit_m": limit[si],
                         "site_precision": s["loc_precision"].to_numpy()[si]}, columns=NEAR_COLUMNS), used
