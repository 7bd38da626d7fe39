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

How: an STRtree of the constraint polygons in longitude/latitude answers which pairs intersect; only the
candidate polygons are projected to the metric CRS (:data:`xxgeo.crs.METRIC_CRS`, CGCS2000 / 3-degree
Gauss-Krüger) and clipped against their project, as arrays. A plain ``geopandas.overlay`` projects and
intersects the whole layer (docs/PERFORMANCE.md compares the two). Areas in 亩 from m² (:data:`M2_PER_MU`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import METRIC_CRS
from ..vocab import M2_PER_MU, is_blank, precision_label
from .kinds import CLEAR, CONFLICT, UNKNOWN, VERDICTS, VERIFY

#: the precisions a place can be judged at (shared decision of issue 13); every other one is 无法判断
PRECISE = ("surveyed", "digitised", "structure", "photo_gps")
AREA_TOL_M2 = 0.01  # overlaps smaller than this (a shared edge) are no overlap
LENGTH_TOL_M = 0.01
MAX_NAMES = 3

HIT_COLUMNS = ["project_id", "project_name", "township_code", "kind", "rule", "features", "constraint_names",
               "shape", "project_mu", "overlap_mu", "share", "length_m", "inside", "outside_mu", "outside_m",
               "verdict"]
PROJECT_COLUMNS = ["project_id", "project_name", "township_code", "loc_precision", "shape", "verdict", "reason",
                   "kinds"]
PAIR_COLUMNS = ["project_a", "name_a", "project_b", "name_b", "overlap_mu", "length_m"]
NEAR_COLUMNS = ["project_id", "project_name", "site_id", "site_name", "site_kind", "distance_m", "limit_m",
                "site_precision"]


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


def _shape(g) -> str:
    t = "" if g is None else g.geom_type
    return "polygon" if "Polygon" in t else "line" if "Line" in t else "point" if "Point" in t else ""


def in_township(projects: pd.DataFrame, code: str) -> np.ndarray:
    """Rows of ``projects`` in township ``code`` (its ``township_code``, or one of its ``township_codes``)."""
    main = projects["township_code"].astype(object).fillna("").astype(str).to_numpy() == code
    many = projects["township_codes"].astype(object).fillna("").astype(str)
    return main | many.map(lambda s: code in s.split(";")).to_numpy(dtype=bool)


def _metric(geoms: np.ndarray) -> np.ndarray:
    return gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(METRIC_CRS).values._data if len(geoms) else geoms


def _reason(precision, has_geom: bool) -> tuple[str, str]:
    if not has_geom:
        return "没有位置，无法判断", "no position: cannot judge"
    if is_blank(precision):
        return "位置精度未注明，无法判断", "location precision not stated: cannot judge"
    zh, en = precision_label(precision, "zh"), precision_label(precision, "en")
    return (f"位置只精确到“{zh}”，不足以判断是否占用管控边界",
            f"located only to “{en}”: not precise enough to judge")


def _names(values) -> str:
    seen = [str(v) for v in dict.fromkeys(values) if not is_blank(v)]
    return "、".join(seen[:MAX_NAMES]) + (f" 等 {len(seen)} 处" if len(seen) > MAX_NAMES else "")


def _grouped_union(pieces: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """One geometry per group: the piece itself when alone, else the union of the group's pieces."""
    out = np.empty(n_groups, dtype=object)
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)])
    single = counts == 1
    out[single] = pieces[order[starts[:-1][single]]]
    for g in np.flatnonzero(counts > 1):
        out[g] = shapely.union_all(pieces[order[starts[g]:starts[g + 1]]])
    return out


def check(projects: gpd.GeoDataFrame, constraints: gpd.GeoDataFrame, *, against=None,
          sites: gpd.GeoDataFrame | None = None, protection_m: dict | None = None,
          township: str | None = None) -> CheckResult:
    """Check ``projects`` against ``constraints`` (the kinds in ``against``, default all stored); see the module
    docstring. ``township`` keeps the projects of one township (9-digit code); ``protection_m`` maps a site
    kind to its protection distance in metres (no distance: no site is checked, and the notes say so)."""
    notes: list = []
    cons = constraints[constraints.geometry.notna()] if len(constraints) else constraints
    stored = list(dict.fromkeys(cons["kind"].astype(str))) if len(cons) else []
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
    p_m[checkable] = _metric(geoms[checkable])
    shapes = np.array([_shape(g) for g in geoms], dtype=object)
    hits = _hits(proj, geoms, p_m, shapes, checkable[scope[checkable]], cons) if kinds else _empty(HIT_COLUMNS)

    rows = []
    worst = {}
    for pid, v in zip(hits["project_id"], hits["verdict"]):
        worst[pid] = v if pid not in worst else min(worst[pid], v, key=VERDICTS.index)
    touched = hits.groupby("project_id")["kind"].agg(lambda s: "、".join(dict.fromkeys(s))).to_dict() if len(hits) \
        else {}
    for i in np.flatnonzero(scope):
        pid = proj.at[i, "project_id"]
        if not ok[i]:
            verdict, (zh, en) = UNKNOWN, _reason(prec[i], bool(has_geom[i]))
        elif not kinds:
            verdict, zh, en = (UNKNOWN, "未导入所选类型的管控边界，无法判断",
                               "no control lines of the kinds asked for: cannot judge")
        else:
            verdict = worst.get(pid, CLEAR)
            zh = en = ""
        rows.append({"project_id": pid, "project_name": proj.at[i, "name"],
                     "township_code": proj.at[i, "township_code"], "loc_precision": prec[i], "shape": shapes[i],
                     "verdict": verdict, "reason": zh, "reason_en": en, "kinds": touched.get(pid, "")})
    summary = pd.DataFrame(rows, columns=PROJECT_COLUMNS + ["reason_en"])
    if len(summary):
        summary = summary.sort_values("verdict", key=lambda s: s.map(VERDICTS.index), kind="stable")
    pairs = _pairs(proj, p_m, checkable, scope)
    near, more = _near(proj, p_m, checkable[scope[checkable]], sites, protection_m or {})
    notes += more
    return CheckResult(summary.reset_index(drop=True), hits, pairs, near, kinds, notes)


def _empty(columns: list) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _hits(proj, geoms, p_m, shapes, idx: np.ndarray, cons: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per (project, kind) touched; for must-be-inside kinds also the projects wholly outside."""
    if not len(idx):
        return _empty(HIT_COLUMNS)
    c_geoms = cons.geometry.values._data
    c_kind = cons["kind"].astype(str).to_numpy()
    c_rule = cons["rule"].astype(str).to_numpy()
    c_name = cons["name"].astype(object).to_numpy()
    tree = shapely.STRtree(c_geoms)
    qi, ci = tree.query(geoms[idx], predicate="intersects")
    pi = idx[qi]
    cand, ci_pos = np.unique(ci, return_inverse=True)
    c_m = _metric(c_geoms[cand])
    pieces = shapely.intersection(p_m[pi], c_m[ci_pos])
    kinds = list(dict.fromkeys(c_kind))
    kcode = np.array([kinds.index(k) for k in c_kind[ci]], dtype=np.int64) if len(ci) else np.zeros(0, np.int64)
    key = pi.astype(np.int64) * len(kinds) + kcode
    ukeys, grp = np.unique(key, return_inverse=True)
    inter = _grouped_union(pieces, grp, len(ukeys)) if len(ukeys) else np.empty(0, dtype=object)
    nfeat = np.bincount(grp, minlength=len(ukeys))
    names = pd.Series(c_name[ci]).groupby(grp).agg(_names).to_dict() if len(ci) else {}
    rule_of = {k: c_rule[c_kind == k][0] for k in kinds}
    g_proj = ukeys // len(kinds)
    g_kind = [kinds[int(c)] for c in ukeys % len(kinds)]
    area_p = shapely.area(p_m[g_proj].astype(object)) if len(ukeys) else np.zeros(0)
    area_i = shapely.area(inter) if len(ukeys) else np.zeros(0)
    len_i = shapely.length(inter) if len(ukeys) else np.zeros(0)
    out = []
    for j in range(len(ukeys)):
        i = int(g_proj[j])
        out.append(_row(proj, i, shapes[i], g_kind[j], rule_of[g_kind[j]], int(nfeat[j]), names.get(j, ""),
                        float(area_p[j]), float(area_i[j]), float(len_i[j]), p_m[i], inter[j]))
    seen = set(zip(g_proj.tolist(), g_kind))
    for k in kinds:  # a project touching none of a must-be-inside kind's polygons is wholly outside
        if rule_of[k] != "must_be_inside":
            continue
        for i in idx:
            if (int(i), k) not in seen:
                out.append(_row(proj, int(i), shapes[i], k, "must_be_inside", 0, "",
                                float(shapely.area(p_m[i])), 0.0, 0.0, p_m[i], None))
    return pd.DataFrame(out, columns=HIT_COLUMNS)


def _row(proj, i, shape, kind, rule, nfeat, names, area_p, area_i, len_i, geom_m, inter) -> dict:
    r = {"project_id": proj.at[i, "project_id"], "project_name": proj.at[i, "name"],
         "township_code": proj.at[i, "township_code"], "kind": kind, "rule": rule, "features": nfeat,
         "constraint_names": names, "shape": shape, "project_mu": None, "overlap_mu": None, "share": None,
         "length_m": None, "inside": None, "outside_mu": None, "outside_m": None}
    if shape == "polygon":
        r.update(project_mu=area_p / M2_PER_MU, overlap_mu=area_i / M2_PER_MU,
                 share=area_i / area_p if area_p > 0 else None)
        touches = area_i > AREA_TOL_M2
        outside = max(area_p - area_i, 0.0)
        if rule == "must_be_inside":
            r["outside_mu"] = outside / M2_PER_MU
            bad = outside > AREA_TOL_M2
    elif shape == "line":
        total = float(shapely.length(geom_m))
        r["length_m"] = len_i
        touches = len_i > LENGTH_TOL_M
        if rule == "must_be_inside":
            r["outside_m"] = max(total - len_i, 0.0)
            bad = r["outside_m"] > LENGTH_TOL_M
    else:
        inside = inter is not None and not shapely.is_empty(inter)
        if inside and shapely.get_num_geometries(geom_m) > 1:  # a multipoint: inside only when every point is
            inside = shapely.get_num_geometries(inter) >= shapely.get_num_geometries(geom_m)
        r["inside"] = bool(inside)
        touches = bool(inter is not None and not shapely.is_empty(inter))
        bad = not inside
    if rule == "must_be_inside":
        r["verdict"] = CONFLICT if bad else CLEAR
    elif not touches:
        r["verdict"] = CLEAR
    else:
        r["verdict"] = CONFLICT if rule == "forbidden" else VERIFY
    return r


def _pairs(proj, p_m, checkable: np.ndarray, scope: np.ndarray) -> pd.DataFrame:
    """Project-against-project overlaps (both precisely located, at least one in scope)."""
    if len(checkable) < 2:
        return _empty(PAIR_COLUMNS)
    g = p_m[checkable]
    a, b = shapely.STRtree(g).query(g, predicate="intersects")
    keep = a < b
    a, b = checkable[a[keep]], checkable[b[keep]]
    keep = scope[a] | scope[b]
    a, b = a[keep], b[keep]
    inter = shapely.intersection(p_m[a], p_m[b])
    area, length = shapely.area(inter), shapely.length(inter)
    return pd.DataFrame({"project_a": proj["project_id"].to_numpy()[a], "name_a": proj["name"].to_numpy()[a],
                         "project_b": proj["project_id"].to_numpy()[b], "name_b": proj["name"].to_numpy()[b],
                         "overlap_mu": np.where(area > AREA_TOL_M2, area / M2_PER_MU, np.nan),
                         # a length only where the shared part is a line (a road across a site), not a perimeter
                         "length_m": np.where((area <= AREA_TOL_M2) & (length > LENGTH_TOL_M), length, np.nan)},
                        columns=PAIR_COLUMNS)


def _near(proj, p_m, idx: np.ndarray, sites, protection: dict) -> tuple[pd.DataFrame, list]:
    """Projects closer to a scenic or heritage site than its kind's protection distance."""
    if sites is None or not len(sites):
        return _empty(NEAR_COLUMNS), []
    if not protection:
        return _empty(NEAR_COLUMNS), [("景区与文物的保护距离未设定（geodata/constraints.toml "
                                       "[protection_m]），未检查。",
                                       "No protection distances are set for scenic and heritage sites "
                                       "(geodata/constraints.toml [protection_m]): not checked.")]
    s = sites[sites.geometry.notna() & sites["kind"].astype(str).isin(list(protection))].reset_index(drop=True)
    if not len(s) or not len(idx):
        return _empty(NEAR_COLUMNS), []
    s_m = _metric(s.geometry.values._data)
    limit = s["kind"].astype(str).map(protection).to_numpy(dtype=float)
    qi, si = shapely.STRtree(s_m).query(p_m[idx], predicate="dwithin", distance=float(limit.max()))
    pi = idx[qi]
    dist = shapely.distance(p_m[pi], s_m[si])
    keep = dist <= limit[si]
    pi, si, dist = pi[keep], si[keep], dist[keep]
    return pd.DataFrame({"project_id": proj["project_id"].to_numpy()[pi], "project_name": proj["name"].to_numpy()[pi],
                         "site_id": s["site_id"].to_numpy()[si], "site_name": s["name"].to_numpy()[si],
                         "site_kind": s["kind"].to_numpy()[si], "distance_m": dist, "limit_m": limit[si],
                         "site_precision": s["loc_precision"].to_numpy()[si]}, columns=NEAR_COLUMNS), []
