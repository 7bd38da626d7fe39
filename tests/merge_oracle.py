"""The oracle of tests/test_import_vectorised.py: xxgeo/io/merge.py as it was before its new rows were built a
column at a time (issue 16), row by row; kept unchanged but for absolute imports.

Merging imported rows into a layer: keys, ids for new rows, defaults, geometry fit, audit rows.

Pure functions of (current layer, incoming rows): the importer runs them once for the preview and again
under the writer lock against whatever is stored at that moment.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from xxgeo.io.attach import township_of
from xxgeo.io.vectorised import jsonable as _jsonable
from xxgeo.io.vectorised import stated, wkts
from xxgeo.parcels import area_mu
from xxgeo.placement import free_slots
from xxgeo.schema import LAYERS, is_empty

_JSON = json.JSONEncoder(ensure_ascii=False, default=str).encode  # one encoder for 100,000 audit rows
#: the category of a project imported without one (issue 13: a file of names and locations imports)
UNCATEGORISED = "未分类"

NATURAL_KEYS = {"township_indicators": ("township_code", "indicator", "year"),
                "indicator_actuals": ("indicator_id", "year"), "plan_villages": ("programme", "village")}
#: fields the store computes (never taken from a file): parcels' area from their boundary
COMPUTED = {"parcels": ("area_mu",)}
ID_PREFIX = {"parcels": "DK", "projects": "XM", "scenic_sites": "S", "roads": "R", "parks": "P", "places": "PL",
             "indicators": "IMP"}
GEOM_FAMILY = {"Point": "Point", "MultiPoint": "Point", "LineString": "Line", "MultiLineString": "Line",
               "Polygon": "Polygon", "MultiPolygon": "Polygon"}


def key_fields(layer: str) -> tuple:
    """The fields that identify a row: the id field, or a natural key for tables without one."""
    lay = LAYERS[layer]
    return (lay.id_field,) if lay.id_field else NATURAL_KEYS.get(layer, ())


def row_key(row, keys: tuple):
    vals = []
    for k in keys:
        v = row.get(k)
        if is_empty(v):
            return None
        vals.append(str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v))
    return tuple(vals)


def fit_geometry(layer: str, g) -> tuple[object, str | None, str | None]:
    """(geometry, repair note, problem): invalid geometries repaired, single-part multis unwrapped for
    point layers, collections reduced to the parts the layer allows."""
    allowed = LAYERS[layer].geometry
    if g is None or g.is_empty:
        return None, None, None
    note = None
    if not shapely.is_valid(g):
        reason = shapely.is_valid_reason(g)
        g = shapely.make_valid(g)
        note = f"几何图形无效（{reason}），已自动修复"
    if g.geom_type == "GeometryCollection":
        fams = {GEOM_FAMILY.get(t) for t in allowed}
        parts = [p for p in getattr(g, "geoms", []) if GEOM_FAMILY.get(p.geom_type) in fams and not p.is_empty]
        if parts:
            g = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    if g.geom_type == "MultiPoint" and "MultiPoint" not in allowed and len(g.geoms) == 1:
        g = g.geoms[0]
    if g.geom_type == "MultiLineString" and "MultiLineString" not in allowed and len(g.geoms) == 1:
        g = g.geoms[0]
    if g.geom_type == "MultiPolygon" and "MultiPolygon" not in allowed and len(g.geoms) == 1:
        g = g.geoms[0]
    if g.geom_type not in allowed:
        return None, None, f"几何类型 {g.geom_type} 不适用于本图层（允许：{'、'.join(allowed)}）"
    return g, note, None


@dataclass
class MergeResult:
    """The layer after the merge, what changed, and the audit rows describing it."""

    frame: pd.DataFrame
    touched: list = field(default_factory=list)  # positions in ``frame`` of new or changed rows
    labels: dict = field(default_factory=dict)  # position -> source row label
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    audit: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    unstated: list = field(default_factory=list)  # labels of moved rows whose precision nobody stated
    also: dict = field(default_factory=dict)  # other layers the import changes (projects following village points)


def _same(a, b) -> bool:
    if is_empty(a) and is_empty(b):
        return True
    if is_empty(a) or is_empty(b):
        return False
    if isinstance(a, str) and isinstance(b, str) and len(a.encode()) > 254 and len(b.encode()) >= 250 and (
            a.startswith(b)):
        return True  # a shapefile's 254-byte cut of the stored text: never overwrite the full text with it
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _geom(g):
    return g if hasattr(g, "is_empty") else None


def _unwrap(g):
    if g is not None and g.geom_type.startswith("Multi") and len(g.geoms) == 1:
        return g.geoms[0]
    return g


def same_geometry(a, b, tol: float = 1e-7) -> bool:
    """Equal up to ``tol`` degrees (~1 cm), a single-part Multi* equal to its part."""
    if a is None or b is None or a.is_empty or b.is_empty:
        return (a is None or a.is_empty) and (b is None or b.is_empty)
    a, b = _unwrap(a), _unwrap(b)
    return a.geom_type == b.geom_type and shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tol)


def _wkt(g):
    return None if g is None or g.is_empty else shapely.to_wkt(g, rounding_precision=7)


def _next_ids(layer: str, existing: list, n: int) -> list:
    prefix = ID_PREFIX.get(layer, layer[:2].upper())
    nums = [int(m.group(1)) for s in existing if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", str(s)))]
    start = max(nums, default=0) + 1
    return [f"{prefix}{start + i:04d}" for i in range(n)]


def merge(layer: str, current: pd.DataFrame, incoming: pd.DataFrame, provided: list, *, replace: bool,
          source_name: str, townships: pd.DataFrame, user: str, location: dict | None = None) -> MergeResult:
    """Upsert ``incoming`` into ``current`` by key (``replace``: rows absent from the file are deleted).

    Empty cells never erase stored values; new rows get defaults (provenance, precision, ``public=否``);
    a changed project gets ``version + 1``. ``location`` (``loc_precision``, ``loc_source``, ``located_by``,
    ``located_at``) is written on every row whose geometry the file sets, with its township derived from the point
    when the file gives none; a moved row with no precision stated is listed in ``unstated`` (never assumed 实测).
    """
    lay = LAYERS[layer]
    keys = key_fields(layer)
    cur = current.reset_index(drop=True).copy()
    cols = list(dict.fromkeys([*lay.field_names, *[c for c in cur.columns if c in lay.field_names]]))
    for c in cols:
        if c not in cur.columns:
            cur[c] = None
    rows = cur.to_dict("records")
    by_key = {k: i for i, r in enumerate(rows) if (k := row_key(r, keys)) is not None}
    by_name = {}
    if lay.id_field and "name" in cur.columns:
        for i, n in cur["name"].items():
            if isinstance(n, str):
                by_name.setdefault(n.strip(), []).append(i)
    today = _dt.date.today().isoformat()
    prov = f"用户导入：{source_name}（{today}）"
    res = MergeResult(frame=cur)
    geoms = list(cur.geometry.values) if lay.spatial else None
    seen = set()
    new_idx = []
    location = {k: v for k, v in (location or {}).items() if k in lay.field_names and not is_empty(v)}
    derive = layer == "projects" and "township_code" not in provided
    towns = township_of(list(incoming["geometry"]) if derive and "geometry" in incoming.columns else [], townships)
    taken = {f for f in lay.field_names if (f in provided or f in keys) and f not in COMPUTED.get(layer, ())}
    all_fields = lay.field_names
    for pos, inc in enumerate(incoming.to_dict("records")):
        k = row_key(inc, keys)
        label = inc.get("_row")
        nm = inc.get("name")
        if k is None and lay.id_field and isinstance(nm, str) and len(by_name.get(nm.strip(), [])) == 1:
            k = row_key(rows[by_name[inc["name"].strip()][0]], keys)
            res.notes.append(f"{label}没有编号，按名称匹配到已有的 {k[0]}。")
        if k is not None and k in by_key:
            i = by_key[k]
            seen.add(i)
            before, after = {}, {}
            for f in provided:
                v = inc.get(f)
                if f not in _names(layer) or f in keys or f == "version" or f in COMPUTED.get(layer, ()):
                    continue
                if is_empty(v) and not (f == "township_code" and not is_empty(inc.get("township_codes"))):
                    continue
                if not _same(rows[i].get(f), v):
                    before[f], after[f] = _jsonable(rows[i].get(f)), _jsonable(v)
                    rows[i][f] = v
            orig = inc.get("_investment_orig")
            if (not is_empty(orig) and "investment_note" not in provided
                    and not _same(rows[i].get("investment_note"), orig)):
                before["investment_note"] = _jsonable(rows[i].get("investment_note"))
                rows[i]["investment_note"] = after["investment_note"] = orig
            g = _geom(inc.get("geometry")) if lay.spatial else None
            if g is not None and not g.is_empty and not same_geometry(g, geoms[i]):
                before["geometry"], after["geometry"] = _wkt(geoms[i]), _wkt(g)
                geoms[i] = g
                if layer == "parcels" and not _same(rows[i].get("area_mu"), area_mu([g])[0]):
                    before["area_mu"] = _jsonable(rows[i].get("area_mu"))
                    rows[i]["area_mu"] = after["area_mu"] = area_mu([g])[0]
                if "loc_precision" in lay.field_names and not location.get("loc_precision") and (
                        "loc_precision" not in provided or is_empty(inc.get("loc_precision"))):
                    res.unstated.append(label)
                for f, v in [*location.items(), *([("township_code", towns[pos])] if towns and towns[pos] else [])]:
                    if f in provided and not is_empty(inc.get(f)):
                        continue  # the file's own value (set above) wins over the option
                    if not _same(rows[i].get(f), v):
                        before[f], after[f] = _jsonable(rows[i].get(f)), v
                        rows[i][f] = v
            if (layer == "townships" and (replace or "geometry" in after) and g is not None
                    and "boundary_quality" not in provided and rows[i].get("boundary_quality") != "official"):
                before["boundary_quality"] = rows[i].get("boundary_quality")
                rows[i]["boundary_quality"] = after["boundary_quality"] = "official"
            if after:
                if "version" in lay.field_names:
                    rows[i]["version"] = int(rows[i].get("version") or 1) + 1
                res.updated += 1
                res.touched.append(i)
                res.labels[i] = label
                res.audit.append({"user": user, "layer": layer, "feature_id": "|".join(k), "action": "import-update",
                                  "before": json.dumps(before, ensure_ascii=False, default=str),
                                  "after": _JSON(after)})
            else:
                res.unchanged += 1
            continue
        row = {f: (inc.get(f) if f in taken else None) for f in all_fields}
        if not is_empty(inc.get("_investment_orig")) and is_empty(row.get("investment_note")):
            row["investment_note"] = inc["_investment_orig"]
        g = _geom(inc.get("geometry")) if lay.spatial else None
        if g is not None and not g.is_empty:
            row.update({f: v for f, v in location.items() if is_empty(row.get(f))})
            if towns and towns[pos] and is_empty(row.get("township_code")):
                row["township_code"] = towns[pos]
        _defaults(layer, row, g, prov)
        rows.append(row)
        if lay.spatial:
            geoms.append(g)
        i = len(rows) - 1
        if k is not None:
            by_key[k] = i
        seen.add(i)
        new_idx.append(i)
        res.labels[i] = label
    missing_ids = [i for i in new_idx if lay.id_field and is_empty(rows[i].get(lay.id_field))]
    if missing_ids and layer in ID_PREFIX:
        for i, nid in zip(missing_ids, _next_ids(layer, [r.get(lay.id_field) for r in rows], len(missing_ids))):
            rows[i][lay.id_field] = nid
        res.notes.append(f"{len(missing_ids)} 行没有编号，已分配新编号（{rows[missing_ids[0]][lay.id_field]} 起）。")
    if layer == "projects" and geoms is not None:
        _place(rows, geoms, new_idx, townships, res)
    if layer == "parcels":
        _compare_areas(rows, sorted({*new_idx, *res.touched}), res)
    texts = wkts([geoms[i] for i in new_idx]) if geoms is not None else [None] * len(new_idx)
    for i, wkt in zip(new_idx, texts):
        res.inserted += 1
        res.touched.append(i)
        after = stated(rows[i])
        if wkt is not None:
            after["geometry"] = wkt
        res.audit.append({"user": user, "layer": layer, "feature_id": str(rows[i].get(lay.id_field) or "|".join(
            str(rows[i].get(k)) for k in keys)), "action": "import-insert", "before": None,
            "after": _JSON(after)})
    keep = list(range(len(rows)))
    if replace:
        keep = [i for i in keep if i in seen]
        res.deleted = len(rows) - len(keep)
    frame = pd.DataFrame([rows[i] for i in keep], columns=list(cur.columns.drop("geometry", errors="ignore")))
    if lay.spatial:
        import geopandas as gpd

        frame = gpd.GeoDataFrame(frame, geometry=[geoms[i] for i in keep], crs="EPSG:4326")
    pos = {old: new for new, old in enumerate(keep)}
    res.touched = [pos[i] for i in res.touched if i in pos]
    res.labels = {pos[i]: v for i, v in res.labels.items() if i in pos}
    res.frame = frame
    return res


def _names(layer: str) -> frozenset:
    """The layer's field names as a set (``Layer.field_names`` builds a list on every call)."""
    return _field_set(LAYERS[layer])


@functools.cache
def _field_set(lay) -> frozenset:
    return frozenset(lay.field_names)


def _defaults(layer: str, row: dict, g, prov: str) -> None:
    names = _names(layer)
    for f in ("source_ref", "source"):
        if f in names and is_empty(row.get(f)):
            row[f] = prov
    if "loc_precision" in names and is_empty(row.get("loc_precision")):
        has_geom = g is not None and not g.is_empty
        row["loc_precision"] = "surveyed" if has_geom else ("township" if not is_empty(row.get("township_code"))
                                                          else "county")
    if layer == "projects" and is_empty(row.get("category")):
        row["category"] = UNCATEGORISED  # shown as 未分类 / Uncategorised; listed as a data-quality item
    if "public" in names and is_empty(row.get("public")):
        row["public"] = False
    if "version" in names:
        row["version"] = 1
    if layer == "parcels" and g is not None and not g.is_empty:
        row["area_mu"] = area_mu([g])[0]
    if "boundary_quality" in names and is_empty(row.get("boundary_quality")):
        row["boundary_quality"] = "official" if g is not None else "schematic"
    if "township_codes" in names and is_empty(row.get("township_codes")) and not is_empty(row.get("township_code")):
        row["township_codes"] = row["township_code"]


def _coords(g) -> list[tuple[float, float]]:
    parts = getattr(g, "geoms", [g])
    return [(p.x, p.y) if p.geom_type == "Point" else (p.centroid.x, p.centroid.y) for p in parts]


def _place(rows: list, geoms: list, new_idx: list, townships: pd.DataFrame, res: MergeResult) -> None:
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
    new = set(new_idx)
    for i, g in enumerate(geoms):
        code = rows[i].get("township_code")
        if i not in new and g is not None and not g.is_empty and not is_empty(code):
            taken.setdefault(str(code), []).extend(_coords(g))
    waiting: dict = {}
    for i in new_idx:
        code = rows[i].get("township_code")
        if geoms[i] is None and rows[i].get("loc_precision") == "township" and code in anchors:
            waiting.setdefault(code, []).append(i)
    placed = 0
    for code, idx in waiting.items():
        for i, pt in zip(idx, free_slots(anchors[code], cells[code], taken.get(code, []), len(idx))):
            geoms[i] = shapely.MultiPoint([pt])
            placed += 1
    if placed:
        res.notes.append(f"{placed} 个新项目没有坐标，已放在所在乡镇的示意点上（位置精度：乡镇示意点）。")


def _compare_areas(rows: list, idx: list, res: MergeResult) -> None:
    """A note for each parcel whose stated area and computed area differ by more than 5%."""
    for i in idx:
        stated, computed = rows[i].get("stated_area_mu"), rows[i].get("area_mu")
        if is_empty(stated) or is_empty(computed) or not float(stated):
            continue
        if abs(float(computed) - float(stated)) / float(stated) > 0.05:
            res.notes.append(f"地块 {rows[i].get('parcel_id')}：文件所述面积 {float(stated):g} 亩，按边界计算为 "
                             f"{float(computed):g} 亩，相差超过 5%，请核对。")
