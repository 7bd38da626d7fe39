"""The 三区三线 compliance check: pure functions of (projects, constraints, sites) -> :class:`CheckResult`.

For every project with a place precise enough to judge (``loc_precision`` surveyed, digitised, structure or
photo_gps), each kind of control line it touches: the overlap in 亩 and as a share of the project (polygons),
the length inside (lines, m), inside or outside (points), and a verdict from the kind's rule:

* ``forbidden``: any overlap is 冲突; ``restricted``: any overlap is 需核实;
* ``must_be_inside``: any part outside (area, length or the point itself) is 冲突, wholly inside is 无冲突.

A project located only to a village, park, township or the county (or schematically, near a place, or without a
position) is 无法判断 with the reason, never 无冲突; so is every project when none of the kinds asked for has
been imported. Then project-against-project overlaps, and projects within the protection distance of scenic
and heritage sites (``geodata/constraints.toml`` ``[protection_m]``).

How: one bulk STRtree query of the constraint polygons (longitude/latitude, envelopes) gives the candidate pairs;
only the candidate polygons are projected to the metric CRS (:data:`xxgeo.crs.METRIC_CRS`, CGCS2000 / 3-degree
Gauss-Krüger). For a polygon project the overlap's area is computed without building it
(:func:`xxgeo.constraints.clip.overlap_area`: half-plane clipping in numpy by whichever side is convex, by the
triangles of the project where neither is); an overlap above :data:`AREA_TOL_M2` means the pair meets, and GEOS's
``intersects`` is asked only about the rest (touching, or envelopes only). Lines and points, and groups where the
import found polygons of one kind overlapping (their pieces are united), are intersected by GEOS as arrays. A plain
``geopandas.overlay`` projects and intersects the whole layer (docs/PERFORMANCE.md compares the two). Areas in 亩
from m² (:data:`M2_PER_MU`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..vocab import M2_PER_MU, is_blank, precision_label
from .clip import overlap_area
from .kinds import CLEAR, CONFLICT, UNKNOWN, VERDICTS, VERIFY
from .pairs import (
    AREA_TOL_M2,
    LENGTH_TOL_M,
    NEAR_COLUMNS,
    PAIR_COLUMNS,
    columns,
    empty,
    metric,
    near_sites,
    project_pairs,
)

__all__ = ["AREA_TOL_M2", "LENGTH_TOL_M", "NEAR_COLUMNS", "PAIR_COLUMNS", "CheckResult", "check", "in_township"]

#: the precisions a place can be judged at (shared decision of issue 13); every other one is 无法判断
PRECISE = ("surveyed", "digitised", "structure", "photo_gps")
MAX_NAMES = 3

HIT_COLUMNS = ["project_id", "project_name", "township_code", "kind", "rule", "features", "constraint_names",
               "shape", "project_mu", "overlap_mu", "share", "length_m", "inside", "outside_mu", "outside_m",
               "verdict"]
PROJECT_COLUMNS = ["project_id", "project_name", "township_code", "loc_precision", "shape", "verdict", "reason",
                   "kinds"]


@dataclass
class CheckResult:
    """The check's tables (columns: the ``*_COLUMNS`` above) and notes on what it could not do."""

    projects: pd.DataFrame
    hits: pd.DataFrame
    pairs: pd.DataFrame
    near: pd.DataFrame
    kinds: list = field(default_factory=list)  # the kinds checked (present in the layer)
    notes: list = field(default_factory=list)  # (zh, en) sentences

    def counts(self) -> dict:
        """{verdict: number of projects}, every verdict present (0 when none)."""
        vc = self.projects["verdict"].value_counts()
        return {v: int(vc.get(v, 0)) for v in VERDICTS}


#: shapely type id + 1 (missing: -1) -> point / line / polygon ('' for none or a collection)
_SHAPES = np.array(["", "point", "line", "line", "polygon", "point", "line", "polygon", ""], dtype=object)


def in_township(projects: pd.DataFrame, code: str) -> np.ndarray:
    """Rows of ``projects`` in township ``code`` (its ``township_code``, or one of its ``township_codes``)."""
    main = projects["township_code"].astype(object).fillna("").astype(str).to_numpy() == code
    many = projects["township_codes"].astype(object).fillna("").astype(str)
    return main | many.map(lambda s: code in s.split(";")).to_numpy(dtype=bool)


def _reason(precision, has_geom: bool) -> tuple[str, str]:
    if not has_geom:
        return "没有位置，无法判断", "no position: cannot judge"
    if is_blank(precision):
        return "位置精度未注明，无法判断", "location precision not stated: cannot judge"
    zh, en = precision_label(precision, "zh"), precision_label(precision, "en")
    return (f"位置只精确到“{zh}”，不足以判断是否占用管控边界",
            f"located only to “{en}”: not precise enough to judge")


def check(projects: gpd.GeoDataFrame, constraints: gpd.GeoDataFrame, *, against=None,
          sites: gpd.GeoDataFrame | None = None, protection_m: dict | None = None,
          township: str | None = None) -> CheckResult:
    """Check ``projects`` against ``constraints`` (the kinds in ``against``, default all stored); see the module
    docstring. ``township`` keeps the projects of one township (9-digit code); ``protection_m`` maps a site
    kind to its protection distance in metres (no distance: no site is checked, and the notes say so)."""
    notes: list = []
    cons = constraints[constraints.geometry.notna()] if len(constraints) else constraints
    stored = [str(k) for k in pd.unique(cons["kind"].astype(str))] if len(cons) else []
    want = list(dict.fromkeys(against)) if against else stored
    for k in want:
        if k not in stored:
            notes.append((f"尚未导入“{k}”的管控边界，未对照该类型检查。",
                          f"No “{k}” polygons are stored: not checked."))
    kinds = [k for k in want if k in stored]
    cons = cons[cons["kind"].astype(str).isin(kinds)] if len(cons) else cons

    proj = projects.reset_index(drop=True)
    if township:
        scope = in_township(proj, township)
    else:
        scope = np.ones(len(proj), dtype=bool)
    geoms = proj.geometry.values._data if len(proj) else np.empty(0, dtype=object)
    has_geom = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(proj) else np.zeros(0, dtype=bool)
    prec = proj["loc_precision"].astype(object).to_numpy() if len(proj) else np.empty(0, dtype=object)
    ok = has_geom & np.isin(prec.astype(str), PRECISE)
    checkable = np.flatnonzero(ok)
    p_m = np.empty(len(proj), dtype=object)
    p_m[checkable] = metric(geoms[checkable])
    shapes = _SHAPES[shapely.get_type_id(geoms) + 1] if len(proj) else np.empty(0, dtype=object)
    cols = columns(proj)
    hits, rows = _hits(cols, geoms, p_m, shapes, checkable[scope[checkable]], cons) if kinds else \
        (empty(HIT_COLUMNS), np.zeros(0, np.int64))

    summary = _summary(cols, hits, rows, scope, ok, has_geom, prec, shapes, bool(kinds))
    pairs = project_pairs(cols, p_m, shapes, checkable, scope)
    near, more = near_sites(cols, p_m, checkable[scope[checkable]], sites, protection_m or {})
    notes += more
    return CheckResult(summary, hits, pairs, near, kinds, notes)


def _summary(cols, hits, rows, scope, ok, has_geom, prec, shapes, any_kind: bool) -> pd.DataFrame:
    """One row per project in scope: its worst verdict (无冲突 when it touches nothing), or 无法判断 and why.
    ``rows``: the project (row of ``cols``) of each hit, ascending."""
    idx = np.flatnonzero(scope)
    rank = {v: i for i, v in enumerate(VERDICTS)}
    worst = np.full(len(scope), rank[CLEAR])
    touched = np.full(len(scope), "", dtype=object)
    if len(hits):
        np.minimum.at(worst, rows, hits["verdict"].map(rank).to_numpy(dtype=np.int64))
        first = np.r_[True, rows[1:] != rows[:-1]]
        kinds = hits["kind"].to_numpy(dtype=object)
        touched[rows[first]] = kinds[first] if first.all() else \
            pd.Series(kinds).groupby(rows, sort=True).agg("、".join).to_numpy(dtype=object)
    verdict = np.asarray(VERDICTS, dtype=object)[worst[idx]]
    reason = np.full(len(idx), "", dtype=object)
    reason_en = np.full(len(idx), "", dtype=object)
    if not any_kind:
        verdict[:] = UNKNOWN
        reason[:] = "未导入所选类型的管控边界，无法判断"
        reason_en[:] = "no control lines of the kinds asked for: cannot judge"
    for j in np.flatnonzero(~ok[idx]):  # the imprecisely located: a sentence each (few distinct ones)
        verdict[j] = UNKNOWN
        reason[j], reason_en[j] = _reason(prec[idx[j]], bool(has_geom[idx[j]]))
    out = pd.DataFrame({"project_id": cols["project_id"][idx], "project_name": cols["name"][idx],
                        "township_code": cols["township_code"][idx],
                        "loc_precision": prec[idx], "shape": shapes[idx], "verdict": verdict, "reason": reason,
                        "kinds": touched[idx], "reason_en": reason_en})
    order = np.argsort(pd.Series(verdict).map(rank).to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _pieces(p_m, pi, c_m, ci):
    """``intersection(p_m[pi], c_m[ci])`` without computing it where one holds the other (the project wholly
    inside a polygon, or a polygon wholly inside the project: the common case)."""
    a, b = p_m[pi], c_m[ci]
    shapely.prepare(b)
    out = np.empty(len(pi), dtype=object)
    inside = shapely.contains(b, a)
    out[inside] = a[inside]
    rest = ~inside
    holds = np.zeros(len(pi), dtype=bool)
    holds[rest] = shapely.contains(a[rest], b[rest])
    out[holds] = b[holds]
    rest &= ~holds
    out[rest] = shapely.intersection(a[rest], b[rest])
    return out


def _hits(cols, geoms, p_m, shapes, idx: np.ndarray, cons: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per (project, kind) touched; for must-be-inside kinds also the projects wholly outside. With
    each row's project (its row in ``cols``, ascending)."""
    if not len(idx):
        return empty(HIT_COLUMNS), np.zeros(0, np.int64)
    c_geoms = cons.geometry.values._data
    kcode_all, kinds = pd.factorize(cons["kind"].astype(str))
    kinds = np.asarray(kinds, dtype=object)
    first_of = pd.Series(np.arange(len(cons))).groupby(kcode_all).first().to_numpy()
    rule_of = {kinds[k]: str(cons["rule"].iloc[int(i)]) for k, i in enumerate(first_of)}
    qi, ci = shapely.STRtree(c_geoms).query(geoms[idx])  # envelopes; which pairs really meet: below
    pi = idx[qi]
    cand, ci_pos = np.unique(ci, return_inverse=True)
    c_m = metric(c_geoms[cand])
    poly = shapes[pi] == "polygon"
    w_area = np.zeros(len(pi))
    w_area[poly] = overlap_area(p_m, pi[poly], c_m, ci_pos[poly])
    meet = w_area > AREA_TOL_M2  # an overlapping area meets; the rest are asked (touching, or envelopes only)
    doubt = np.flatnonzero(~meet)
    meet[doubt] = shapely.intersects(geoms[pi[doubt]], c_geoms[ci[doubt]])
    pi, ci, ci_pos, w_area, poly = pi[meet], ci[meet], ci_pos[meet], w_area[meet], poly[meet]
    nk = len(kinds)
    key = pi.astype(np.int64) * nk + kcode_all[ci]
    # polygons of one kind overlapping one another (found at import, ``overlaps``): a group holding one has its
    # pieces united, else an overlap would count twice
    flag = cons["overlaps"] if "overlaps" in cons.columns else pd.Series(True, index=cons.index)
    overlapping = flag.fillna(True).astype(bool).to_numpy()[cand]
    # must-be-inside kinds: every project in scope gets a row, touching or not
    inside_kinds = [k for k, kind in enumerate(kinds) if rule_of[kind] == "must_be_inside"]
    extra = np.concatenate([idx.astype(np.int64) * nk + k for k in inside_kinds]) if inside_kinds else \
        np.zeros(0, np.int64)
    ukeys, grp = np.unique(np.concatenate([key, extra]), return_inverse=True)
    grp, gx = grp[: len(key)], len(ukeys)
    united = np.zeros(gx, dtype=bool)
    united[grp[overlapping[ci_pos]]] = True
    # a polygon project in a group without overlapping polygons needs only its 亩 (above); the others the pieces
    geo = np.flatnonzero(~poly | united[grp])
    w_len, w_pts = np.zeros(len(pi)), np.zeros(len(pi))
    pieces = _pieces(p_m, pi[geo], c_m, ci_pos[geo])
    w_area[geo], w_len[geo] = shapely.area(pieces), shapely.length(pieces)
    w_pts[geo] = shapely.get_num_geometries(pieces) * ~shapely.is_empty(pieces)
    area_i = np.bincount(grp, weights=w_area, minlength=gx)
    len_i = np.bincount(grp, weights=w_len, minlength=gx)
    pts_i = np.bincount(grp, weights=w_pts, minlength=gx)
    nfeat = np.bincount(grp, minlength=gx)
    g_geo = grp[geo]
    by_grp = np.argsort(g_geo, kind="stable")
    redo = np.flatnonzero(united)
    lo, hi = np.searchsorted(g_geo[by_grp], redo), np.searchsorted(g_geo[by_grp], redo, side="right")
    geo_p, geo_c = pi[geo], ci_pos[geo]
    for g, a, b in zip(redo.tolist(), lo.tolist(), hi.tolist()):  # rare: polygons of one kind overlapping
        members = by_grp[a:b]
        if shapes[geo_p[members[0]]] == "line":  # a line's pieces are nearly collinear, not equal: never merged
            u = shapely.intersection(p_m[geo_p[members[0]]], shapely.union_all(c_m[geo_c[members]]))
        else:
            u = shapely.union_all(pieces[members])
        area_i[g], len_i[g] = shapely.area(u), shapely.length(u)
        pts_i[g] = shapely.get_num_geometries(u) if not shapely.is_empty(u) else 0
    g_proj = (ukeys // nk).astype(np.int64)
    g_kind = kinds[ukeys % nk]
    g_rule = np.array([rule_of[k] for k in g_kind], dtype=object)
    g_shape = shapes[g_proj]
    pm = p_m[g_proj]
    area_p, len_p, pts_p = shapely.area(pm), shapely.length(pm), shapely.get_num_geometries(pm)
    poly, line, point = g_shape == "polygon", g_shape == "line", g_shape == "point"
    touches = np.where(poly, area_i > AREA_TOL_M2, np.where(line, len_i > LENGTH_TOL_M, pts_i > 0))
    outside = np.where(poly, np.maximum(area_p - area_i, 0.0) > AREA_TOL_M2,
                       np.where(line, np.maximum(len_p - len_i, 0.0) > LENGTH_TOL_M, pts_i < pts_p))
    verdict = np.where(g_rule == "must_be_inside", np.where(outside, CONFLICT, CLEAR),
                       np.where(~touches, CLEAR, np.where(g_rule == "forbidden", CONFLICT, VERIFY))).astype(object)
    must = g_rule == "must_be_inside"
    order = np.argsort(grp, kind="stable")
    firsts = np.r_[0, np.cumsum(nfeat)]
    names = _group_names(cons, ci[order], grp[order], firsts, nfeat, gx)

    def nan_unless(mask, values):
        return np.where(mask, values, np.nan)

    return pd.DataFrame({
        "project_id": cols["project_id"][g_proj], "project_name": cols["name"][g_proj],
        "township_code": cols["township_code"][g_proj],
        "kind": g_kind.astype(object), "rule": g_rule, "features": nfeat, "constraint_names": names,
        "shape": g_shape, "project_mu": nan_unless(poly, area_p / M2_PER_MU),
        "overlap_mu": nan_unless(poly, area_i / M2_PER_MU),
        "share": nan_unless(poly & (area_p > 0), area_i / np.where(area_p > 0, area_p, 1.0)),
        "length_m": nan_unless(line, len_i), "inside": np.where(point, pts_i >= pts_p, None).astype(object),
        "outside_mu": nan_unless(poly & must, np.maximum(area_p - area_i, 0.0) / M2_PER_MU),
        "outside_m": nan_unless(line & must, np.maximum(len_p - len_i, 0.0)), "verdict": verdict,
    }, columns=HIT_COLUMNS), g_proj


def _group_names(cons, ci_sorted, grp_sorted, firsts, nfeat, gx) -> np.ndarray:
    """Per group: the names of its first :data:`MAX_NAMES` polygons (“图斑1、图斑2、图斑3 等 9 处”)."""
    pos = np.arange(len(ci_sorted)) - firsts[grp_sorted]
    keep = pos < MAX_NAMES
    out = [""] * gx
    for g, v in zip(grp_sorted[keep].tolist(), cons["name"].iloc[ci_sorted[keep]].tolist()):
        if isinstance(v, str) and v:
            out[g] = f"{out[g]}、{v}" if out[g] else v
    out = np.array(out, dtype=object)
    more = (nfeat > MAX_NAMES) & (out != "")
    out[more] = [f"{n} 等 {int(k)} 处" for n, k in zip(out[more], nfeat[more])]
    return out
