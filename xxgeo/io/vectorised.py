"""The column-at-a-time parts of an import's merge (issue 16 item 3): which geometries need no repair, the
JSON of a new row for its audit row, and the WKT of many geometries in one call."""

from __future__ import annotations

import json

import numpy as np
import shapely

from ..schema import LAYERS, is_empty

#: the audit rows' JSON text (one encoder for 100,000 rows; non-ASCII kept, anything else as ``str``)
json_text = json.JSONEncoder(ensure_ascii=False, default=str).encode


def jsonable(v):
    """A value as JSON takes it: numpy scalars as Python numbers, empty as None."""
    if is_empty(v):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                       "MultiPolygon", "GeometryCollection", ""], dtype=object)


def type_names(geoms) -> np.ndarray:
    """The ``geom_type`` of each geometry ("" for None), in one call."""
    return TYPE_NAMES[shapely.get_type_id(np.asarray(geoms, dtype=object))]  # -1 (None) picks the last: ""


def fit_all(layer: str, geoms) -> tuple[np.ndarray, np.ndarray]:
    """(geometries, mask of those that need no :func:`fit_geometry`): missing, or valid and of an allowed type that
    is not a single-part Multi* the layer does not allow; one call per check for the whole column."""
    arr = np.asarray(list(geoms), dtype=object)
    out = arr.copy()
    if not len(arr):
        return out, np.zeros(0, dtype=bool)
    allowed = LAYERS[layer].geometry
    missing = shapely.is_missing(arr)
    kinds = type_names(arr)
    multi = np.isin(kinds, [t for t in ("MultiPoint", "MultiLineString", "MultiPolygon") if t not in allowed])
    quick = missing | (np.isin(kinds, list(allowed)) & ~multi & shapely.is_valid(arr) & ~shapely.is_empty(arr))
    out[missing | shapely.is_empty(arr)] = None
    return out, quick


def stated(row: dict) -> dict:
    """``{field: value}`` of a row's non-empty values, JSON-ready (the cheap types tested first: one per new row)."""
    out = {}
    for k, v in row.items():
        t = type(v)
        if v is None or (t is str and not v.strip()) or (t is float and v != v):
            continue
        out[k] = v if t in (str, int, float, bool) else jsonable(v)
        if out[k] is None:
            del out[k]
    return out


def wkts(geoms: list) -> list:
    """WKT (7 decimals) of each geometry in one call; None for a missing or empty one."""
    arr = np.asarray(geoms, dtype=object)
    if not len(arr):
        return []
    arr[shapely.is_missing(arr) | shapely.is_empty(arr)] = None
    return list(shapely.to_wkt(arr, rounding_precision=7))
