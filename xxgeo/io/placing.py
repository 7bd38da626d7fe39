"""After an import's merge: new projects known only to a township placed on its point, and parcels whose stated
area differs from their boundary's. Rows are the stored ones (dicts) followed by the new ones (columns,
:mod:`xxgeo.io.newrows`)."""

from __future__ import annotations

import pandas as pd
import shapely

from ..placement import free_slots
from ..schema import is_empty


def _value(rows: list, cols: dict, n_cur: int, i: int, f: str):
    if i < n_cur:
        return rows[i].get(f)
    col = cols.get(f)
    return None if col is None else col[i - n_cur]


def _coords(g) -> list[tuple[float, float]]:
    parts = getattr(g, "geoms", [g])
    return [(p.x, p.y) if p.geom_type == "Point" else (p.centroid.x, p.centroid.y) for p in parts]


def place(rows: list, cols: dict, geoms: list, n_cur: int, townships: pd.DataFrame, notes: list) -> None:
    """New projects known only to a township go on that township's point (spread, ``loc_precision=township``).

    They take the township's first free spiral slots (:func:`xxgeo.placement.free_slots`: inside the township, at
    least half a spacing from every point already there, closer together when many must fit — never outside)."""
    anchors, cells = {}, {}
    for _, t in townships.iterrows():
        lon, lat = t.get("seat_lon"), t.get("seat_lat")
        g = t.geometry if "geometry" in townships.columns else None
        if is_empty(lon) or is_empty(lat):
            p = g.representative_point() if g is not None and not g.is_empty else None
            lon, lat = (p.x, p.y) if p is not None else (None, None)
        if lon is not None:
            anchors[str(t["code"])] = (float(lon), float(lat))
            cells[str(t["code"])] = g if g is not None and not g.is_empty else None
    taken: dict = {}
    for i in range(n_cur):
        g, code = geoms[i], rows[i].get("township_code")
        if g is not None and not g.is_empty and not is_empty(code):
            taken.setdefault(str(code), []).extend(_coords(g))
    waiting: dict = {}
    codes, precisions = cols.get("township_code"), cols.get("loc_precision")
    if codes is None or precisions is None:
        return
    for j in range(len(geoms) - n_cur):
        code = codes[j]
        if geoms[n_cur + j] is None and precisions[j] == "township" and code in anchors:
            waiting.setdefault(code, []).append(n_cur + j)
    placed = 0
    for code, idx in waiting.items():
        for i, pt in zip(idx, free_slots(anchors[code], cells[code], taken.get(code, []), len(idx))):
            geoms[i] = shapely.MultiPoint([pt])
            placed += 1
    if placed:
        notes.append(f"{placed} 个新项目没有坐标，已放在所在乡镇的示意点上（位置精度：乡镇示意点）。")


def compare_areas(rows: list, cols: dict, n_cur: int, idx: list, notes: list) -> None:
    """A note for each parcel whose stated area and computed area differ by more than 5%."""
    for i in idx:
        stated, computed = _value(rows, cols, n_cur, i, "stated_area_mu"), _value(rows, cols, n_cur, i, "area_mu")
        if is_empty(stated) or is_empty(computed) or not float(stated):
            continue
        if abs(float(computed) - float(stated)) / float(stated) > 0.05:
            notes.append(f"地块 {_value(rows, cols, n_cur, i, 'parcel_id')}：文件所述面积 {float(stated):g} 亩，"
                         f"按边界计算为 {float(computed):g} 亩，相差超过 5%，请核对。")
