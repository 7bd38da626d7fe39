"""Projects follow the village points (issue 13 item 6).

When the bureau imports village locations (layer ``villages`` with points), a project known to one village
(``projects.village`` + ``township_code``) whose location is township-or-coarser moves to the village point with
precision ``village``; a project on a village point follows the point when it moves, and goes back to its
township's schematic point (precision ``township``) when the village layer is replaced without that village.
Every move is an ``import-update`` audit row of the project, written in the villages import's transaction.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import shapely

from ..names import short_village
from ..placement import free_slots
from ..schema import is_empty
from .wording import Note

#: precisions a village point improves on
COARSE = ("township", "county", "schematic")


def _key(township, village) -> tuple | None:
    if is_empty(township) or is_empty(village):
        return None
    return str(township), short_village(str(village).strip())


def _points(villages: pd.DataFrame) -> dict:
    """(township code, short village name) -> point, for the villages with a point."""
    out = {}
    if villages is None or not len(villages) or "geometry" not in villages.columns:
        return out
    for t, n, s, g in zip(villages["township_code"], villages["name"],
                          villages.get("short_name", pd.Series([None] * len(villages))), villages.geometry):
        if g is None or g.is_empty:
            continue
        for name in (n, s):
            if (k := _key(t, name)) is not None:
                out.setdefault(k, g)
    return out


def _wkt(g) -> str | None:
    return None if g is None or g.is_empty else shapely.to_wkt(g, rounding_precision=7)


def follow(before: pd.DataFrame, after: pd.DataFrame, projects: pd.DataFrame, townships: pd.DataFrame, *,
           source: str, user: str) -> tuple[pd.DataFrame | None, list, list]:
    """The projects layer after the village layer went from ``before`` to ``after``: (frame or None when no
    project moves, audit rows, notes)."""
    old, new = _points(before), _points(after)
    if projects is None or not len(projects) or (not old and not new):
        return None, [], []
    p = projects.reset_index(drop=True).copy()
    geoms = np.asarray(p.geometry.values, dtype=object)
    audit, moved, back = [], 0, []
    for i, r in enumerate(p.to_dict("records")):
        vil = r.get("village")
        if is_empty(vil) or ";" in str(vil) or "；" in str(vil):
            continue
        k = _key(r.get("township_code"), vil)
        if k is None:
            continue
        prec, g = r.get("loc_precision"), geoms[i]
        on_old = prec == "village" and k in old and g is not None and shapely.equals_exact(
            shapely.normalize(_single(g)), shapely.normalize(_single(old[k])), 1e-7)
        target = None
        if k in new and (prec in COARSE or (on_old and not shapely.equals_exact(new[k], old[k], 1e-7))):
            target, to_prec = shapely.MultiPoint([new[k]]), "village"
        elif on_old and k not in new:
            back.append(i)
            continue
        if target is None:
            continue
        audit.append(_row(r, g, target, prec, to_prec, source, user))
        geoms[i], p.at[i, "loc_precision"] = target, to_prec
        p.at[i, "version"] = int(r.get("version") or 1) + 1
        moved += 1
    for i, pt in _township_points(p, back, townships):
        r = p.iloc[i].to_dict()
        audit.append(_row(r, geoms[i], pt, "village", "township", source, user))
        geoms[i], p.at[i, "loc_precision"] = pt, "township"
        p.at[i, "version"] = int(r.get("version") or 1) + 1
    if not audit:
        return None, [], []
    p = p.set_geometry(list(geoms), crs=projects.crs)
    notes = []
    if moved:
        notes.append(Note(f"{moved} 个只知道所在村的项目已移到村的位置（位置精度：村）。",
                          f"{moved} project(s) known only to their village moved to the village point "
                          "(precision: village)."))
    if back:
        notes.append(Note(f"{len(back)} 个项目所在的村已不在村庄图层中，已回到所在乡镇的示意点（位置精度：乡镇）。",
                          f"{len(back)} project(s) whose village left the village layer went back to their "
                          "township's schematic point (precision: township)."))
    return p, audit, notes


def _single(g):
    return g.geoms[0] if g.geom_type == "MultiPoint" and len(g.geoms) == 1 else g


def _row(r: dict, g_before, g_after, p_before, p_after, source: str, user: str) -> dict:
    before = {"loc_precision": p_before, "geometry": _wkt(g_before)}
    after = {"loc_precision": p_after, "geometry": _wkt(g_after), "loc_source": f"村庄图层：{source}"}
    return {"user": user, "layer": "projects", "feature_id": str(r.get("project_id")), "action": "import-update",
            "before": json.dumps(before, ensure_ascii=False), "after": json.dumps(after, ensure_ascii=False)}


def _township_points(p: pd.DataFrame, idx: list, townships: pd.DataFrame) -> list:
    """(row, schematic point) for the rows going back to their township: free spiral slots inside it."""
    out = []
    by_town: dict = {}
    for i in idx:
        by_town.setdefault(str(p.at[i, "township_code"]), []).append(i)
    for code, rows in by_town.items():
        t = townships[townships["code"].astype(str) == code]
        if not len(t):
            continue
        cell = t.geometry.iloc[0]
        lon, lat = t.iloc[0].get("seat_lon"), t.iloc[0].get("seat_lat")
        if is_empty(lon) or is_empty(lat):
            rp = cell.representative_point()
            lon, lat = rp.x, rp.y
        others = [p.geometry.iloc[j] for j in range(len(p)) if str(p.at[j, "township_code"]) == code
                  and j not in rows and p.geometry.iloc[j] is not None]
        taken = [(q.x, q.y) for g in others for q in getattr(g, "geoms", [g]) if q.geom_type == "Point"]
        for i, pt in zip(rows, free_slots((float(lon), float(lat)), cell, taken, len(rows))):
            out.append((i, shapely.MultiPoint([pt])))
    return out
