"""The oracle of tests/test_import_vectorised.py: xxgeo/io/merge.py as it was before its new rows were built a
column at a time (issue 16), row by row; kept unchanged but for absolute imports; the helpers the
vectorising did not change are imported from the package, so only the rewritten parts are compared.

Merging imported rows into a layer: keys, ids for new rows, defaults, geometry fit, audit rows.

Pure functions of (current layer, incoming rows): the importer runs them once for the preview and again
under the writer lock against whatever is stored at that moment.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json

import pandas as pd
import shapely

from xxgeo.io.attach import township_of

# the helpers the vectorising left as they were are the package's own (only the rewritten parts are kept here)
from xxgeo.io.merge import (
    COMPUTED,
    ID_PREFIX,
    UNCATEGORISED,
    MergeResult,
    _geom,
    _next_ids,
    _same,
    _wkt,
    key_fields,
    row_key,
    same_geometry,
)
from xxgeo.io.placing import _coords
from xxgeo.io.vectorised import json_text, stated, wkts
from xxgeo.io.vectorised import jsonable as _jsonable
from xxgeo.parcels import area_mu
from xxgeo.placement import free_slots
from xxgeo.schema import LAYERS, is_empty


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
                                  "after": json_text(after)})
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
            "after": json_text(after)})
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
