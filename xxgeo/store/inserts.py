"""A new feature checked once, whatever the backend: what :meth:`xxgeo.store.base.Store.insert_feature` writes.

:func:`new_row` runs inside the insert's transaction (after the backend's writer lock is taken): the caller's
guard, the row itself (a callable may number the id under the lock), the id not yet taken, every field of the
whole row against the schema (required fields, kinds, code lists, patterns, amounts not negative) and the
geometry's type; it returns the schema-typed values, version 1, and the one audit row of the insert (before
empty, after the values), or raises and nothing is written.
"""

from __future__ import annotations

import json

import shapely

from ..english import english
from ..errors import FeatureExists, NotFound, ValidationFailed
from ..schema import LAYERS, is_empty
from ..validation import check_value
from .frames import now_iso, sql_value

#: the audit row's key naming the blob kinds kept with the row (an undo removes them with it)
BLOBS_KEY = "_blobs"


def checked_values(layer: str, row: dict, geometry=None) -> tuple[str, dict]:
    """``(id, values)`` of a new ``layer`` row: unknown fields refused (:class:`NotFound`), every field checked
    (:class:`ValidationFailed` listing each problem), ``version`` 1, the values typed as the schema says."""
    lay = LAYERS.get(layer)
    if lay is None or not lay.id_field:
        raise NotFound(f"图层“{layer}”不能按编号新增要素。", english=f"Layer “{layer}” takes no features by id.")
    bad = [k for k in row if k not in lay.field_names]
    if bad:
        raise NotFound(f"图层“{layer}”没有字段：{'、'.join(bad)}。",
                       english=f"Layer “{layer}” has no field(s): {', '.join(bad)}.")
    row = {**row, "version": 1} if "version" in lay.field_names else dict(row)
    errs = [m for f in lay.fields if (m := check_value(f, row.get(f.name)))]  # (amounts not negative too)
    if geometry is not None:
        if not lay.spatial:
            errs.append(f"图层“{layer}”没有几何字段")
        elif geometry.geom_type not in lay.geometry:
            errs.append(f"几何类型 {geometry.geom_type} 不适用于本图层（允许：{'、'.join(lay.geometry)}）")
        elif not geometry.is_empty and not shapely.is_valid(geometry):
            errs.append(f"几何图形无效：{shapely.is_valid_reason(geometry)}")
    if errs:
        raise ValidationFailed("新增未保存：" + "；".join(errs), errs,
                               english="Not added: " + "; ".join(map(english, errs)))
    values = {f.name: sql_value(f.kind, row.get(f.name)) for f in lay.fields if not is_empty(row.get(f.name))}
    return str(values[lay.id_field]), values


def frame_row(store, layer: str, feature_id: str) -> dict | None:
    """A stored row's fields (geometry included) read from the whole layer; None when it is not there (the reader
    of an insert made by a whole-layer write, where no row can be locked)."""
    lay = LAYERS[layer]
    df = store.read(layer)
    hit = df[df[lay.id_field].astype(str) == str(feature_id)] if len(df) else df
    if not len(hit):
        return None
    return {k: (None if is_empty(v) else v) for k, v in hit.iloc[0].items()}


def new_row(store, current, layer: str, row, *, user: str, guard=None, geometry=None, blobs=(),
            what: str = "") -> tuple[str, dict, dict]:
    """Inside the insert's transaction: ``guard(store, current)``, the row (``row(store)`` when callable), its id
    not taken (``current(layer, id)`` None, else :class:`FeatureExists`), the values checked; returns
    ``(id, values, audit row)``."""
    if guard is not None:
        guard(store, current)
    fid, values = checked_values(layer, row(store) if callable(row) else dict(row), geometry)
    if current(layer, fid) is not None:
        raise FeatureExists(f"图层“{layer}”中已有编号为“{fid}”的要素（可能刚刚由他人新增），未保存。",
                            english=f"Layer “{layer}” already has a feature “{fid}” (someone may just have "
                                    "added it); not saved.")
    after = {k: v for k, v in values.items() if k != "version"}
    if geometry is not None:
        after["geometry"] = shapely.to_wkt(geometry, rounding_precision=7)
    if what:
        after["_what"] = what
    kinds = [str(k) for k, _ in blobs]
    if kinds:
        after[BLOBS_KEY] = kinds
    audit = {"at": now_iso(), "user": user, "layer": layer, "feature_id": fid, "action": "insert",
             "before": json.dumps({}), "after": json.dumps(after, ensure_ascii=False, default=str)}
    return fid, values, audit
