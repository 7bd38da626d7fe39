"""Merging imported rows into a layer: keys, ids for new rows, defaults, geometry fit, audit rows.

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

from ..parcels import area_mu
from ..schema import LAYERS, is_empty
from . import newrows
from .attach import township_of
from .mergeframe import merged_frame
from .newrows import UNCATEGORISED  # noqa: F401 - named here too
from .placing import compare_areas, place
from .vectorised import json_text
from .vectorised import jsonable as _jsonable

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


def _kstr(v) -> str:
    return str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v)


def row_keys(frame: pd.DataFrame, keys: tuple) -> list:
    """:func:`row_key` of every row of ``frame`` (a column at a time; the values as ``to_dict`` gives them)."""
    n = len(frame)
    if any(k not in frame.columns for k in keys):
        return [None] * n
    every = np.arange(n)
    arrays = [newrows.column(frame, k, every) for k in keys]
    empty = np.zeros(n, dtype=bool)
    for arr in arrays:
        empty |= newrows.blank(arr)
    if empty.all():  # (the new rows of an import: none has its key yet)
        return [None] * n
    cols = [arr.tolist() for arr in arrays]
    if len(keys) == 1:
        return [None if e else (_kstr(v),) for e, v in zip(empty.tolist(), cols[0])]
    return [None if e else tuple(_kstr(v) for v in vals) for e, vals in zip(empty.tolist(), zip(*cols))]


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
    location = {k: v for k, v in (location or {}).items() if k in lay.field_names and not is_empty(v)}
    derive = layer == "projects" and "township_code" not in provided
    towns = township_of(list(incoming["geometry"]) if derive and "geometry" in incoming.columns else [], townships)
    taken = {f for f in lay.field_names if (f in provided or f in keys) and f not in COMPUTED.get(layer, ())}
    incoming = incoming.reset_index(drop=True)
    matched, new_pos = _classify(incoming, keys, rows, by_key, by_name, lay.id_field, res)
    records = dict(zip(matched, incoming.iloc[list(matched)].to_dict("records"))) if matched else {}
    n_cur = len(rows)
    labels = incoming["_row"].tolist() if "_row" in incoming.columns else [None] * len(incoming)
    pos_new = np.asarray(new_pos, dtype=int)  # (the rows matching no stored one, in file order)
    new_idx = list(range(n_cur, n_cur + len(pos_new)))  # the new rows follow the stored ones, in file order
    seen.update(new_idx)
    fresh = iter(new_idx)
    for pos in range(len(incoming)):  # labels in file order; a stored row updated where it matches
        if pos not in matched:
            res.labels[next(fresh)] = labels[pos]
            continue
        i, k = matched[pos]
        inc = records[pos]
        seen.add(i)
        _update(layer, lay, rows, geoms, i, k, inc, inc.get("_row"), provided, keys, location, towns, pos, replace,
                user, res)
    cols, new_geoms = newrows.build(layer, lay.field_names, incoming, pos_new, taken, location, towns, lay.spatial)
    newrows.defaults(layer, _names(layer), cols, new_geoms, prov, len(pos_new))
    if lay.id_field and layer in ID_PREFIX and len(pos_new):
        missing = np.flatnonzero(newrows.blank(cols[lay.id_field]))
        if len(missing):
            ids = cols[lay.id_field].copy()
            given = [v for v in ids[~newrows.blank(ids)].tolist()]  # (an empty id never matches the pattern)
            ids[missing] = _next_ids(layer, [r.get(lay.id_field) for r in rows] + given, len(missing))
            cols[lay.id_field] = ids
            res.notes.append(f"{len(missing)} 行没有编号，已分配新编号（{ids[missing[0]]} 起）。")
    if geoms is not None:
        geoms.extend(new_geoms)
    if layer == "projects" and geoms is not None:
        place(rows, cols, geoms, n_cur, townships, res.notes)
    if layer == "parcels":
        compare_areas(rows, cols, n_cur, sorted({*new_idx, *res.touched}), res.notes)
    res.inserted = len(new_idx)
    res.touched.extend(new_idx)
    batch = newrows.audit_rows(layer, cols, geoms[n_cur:] if geoms is not None else None, len(new_idx), user=user,
                               id_field=lay.id_field, keys=keys)
    if len(batch):
        res.audit.append(batch)  # the new rows' audit as columns (xxgeo.store.auditbatch), after the updates'
    keep = list(range(n_cur + len(new_idx)))
    if replace:
        keep = [i for i in keep if i in seen]
        res.deleted = n_cur + len(new_idx) - len(keep)
    frame = merged_frame(rows, cols, n_cur, keep, list(cur.columns.drop("geometry", errors="ignore")))
    if lay.spatial:
        import geopandas as gpd

        frame = gpd.GeoDataFrame(frame, geometry=[geoms[i] for i in keep], crs="EPSG:4326")
    pos = {old: new for new, old in enumerate(keep)}
    res.touched = [pos[i] for i in res.touched if i in pos]
    res.labels = {pos[i]: v for i, v in res.labels.items() if i in pos}
    res.frame = frame
    return res


def _classify(incoming: pd.DataFrame, keys: tuple, rows: list, by_key: dict, by_name: dict, id_field,
              res: MergeResult) -> tuple[dict, list]:
    """``({incoming position: (stored position, key)}, new positions)``: a row matches a stored one by its key, or,
    without one, by a name only one stored row has (noted)."""
    n = len(incoming)
    every = np.arange(n)
    all_keys = row_keys(incoming, keys)
    names = newrows.column(incoming, "name", every) if "name" in incoming.columns else [None] * n
    labels = incoming["_row"].tolist() if "_row" in incoming.columns else [None] * n
    matched: dict = {}
    fresh: list = []
    new_keys: set = set()
    for pos in range(n):
        k = all_keys[pos]
        nm = names[pos]
        if k is None and id_field and isinstance(nm, str) and len(by_name.get(nm.strip(), [])) == 1:
            k = row_key(rows[by_name[nm.strip()][0]], keys)
            res.notes.append(f"{labels[pos]}没有编号，按名称匹配到已有的 {k[0]}。")
        if k is not None and k in by_key:
            matched[pos] = (by_key[k], k)
            continue
        if k is not None:
            if k in new_keys:  # the importer refuses repeated keys first (importers._key_problems)
                raise ValueError(f"merge: key {k} repeated among the new rows")
            new_keys.add(k)
        fresh.append(pos)
    return matched, fresh


def _update(layer: str, lay, rows: list, geoms, i: int, k: tuple, inc: dict, label, provided: list, keys: tuple,
            location: dict, towns: list, pos: int, replace: bool, user: str, res: MergeResult) -> None:
    """Update stored row ``i`` from the incoming row ``inc``: changed non-empty values, the geometry with its
    location fields, a parcel's area; one ``import-update`` audit row when anything changed."""
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
                          "before": json.dumps(before, ensure_ascii=False, default=str), "after": json_text(after)})
    else:
        res.unchanged += 1


def _names(layer: str) -> frozenset:
    """The layer's field names as a set (``Layer.field_names`` builds a list on every call)."""
    return _field_set(layer)


@functools.cache
def _field_set(layer: str) -> frozenset:
    # keyed by the layer's name: hashing the frozen Layer itself walks all its fields (~13 µs a call)
    return frozenset(LAYERS[layer].field_names)
