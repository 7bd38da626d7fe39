"""Coordinates in table columns: lon/lat, 经度/纬度, X/Y (also 度分秒), or a WKT column -> geometries."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from .decimals import plain_decimals
from .headers import LAT, LON, WKT, X, Y, header_key

_DMS = re.compile(r"^\s*([EWNS东西南北]?)\s*(-?\d+(?:\.\d+)?)\s*[°度:：]\s*(?:(\d+(?:\.\d+)?)\s*['′分:：]?\s*)?"
                  r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|秒)?\s*)?([EWNS东西南北]?)\s*$", re.I)


def find_columns(columns) -> tuple[str, str | None, str | None]:
    """``(kind, a, b)``: kind ``wkt`` (a = column), ``lonlat``/``xy`` (a, b = x and y columns) or ``none``."""
    keys = {header_key(c, strip_unit=True): c for c in columns}
    for k in WKT:
        if k in keys:
            return "wkt", keys[k], None
    for kind, xs, ys in (("lonlat", LON, LAT), ("xy", X, Y)):
        a = next((keys[k] for k in xs if k in keys), None)
        b = next((keys[k] for k in ys if k in keys), None)
        if a and b:
            return kind, a, b
    return "none", None, None


def lonlat_columns(columns) -> tuple[str | None, str | None]:
    """The 经度/纬度 (lon/lat) columns of a table, or (None, None): a table may carry them beside a WKT column
    (xxgeo's own exports: points as 经度/纬度, lines and polygons as 几何WKT)."""
    keys = {header_key(c, strip_unit=True): c for c in columns}
    a = next((keys[k] for k in LON if k in keys), None)
    b = next((keys[k] for k in LAT if k in keys), None)
    return (a, b) if a and b else (None, None)


def parse_coord(v) -> float | None:
    """A number, or degrees-minutes-seconds (111°20'30\"E, 111度20分30秒); None when empty; ValueError if bad."""
    if v is None:
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return None if np.isnan(f) else f
    s = str(v).strip().replace("，", ".").replace(",", "")
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    m = _DMS.match(s)
    if not m:
        raise ValueError(s)
    d, mi, se = float(m.group(2)), float(m.group(3) or 0), float(m.group(4) or 0)
    if mi >= 60 or se >= 60:
        raise ValueError(s)
    val = abs(d) + mi / 60 + se / 3600
    hemi = (m.group(1) or m.group(5) or "").upper()
    return -val if d < 0 or hemi in ("W", "S", "西", "南") else val


_PLAIN = re.compile(r"^\s*[-+]?\d+(?:\.\d*)?\s*$")


def _plain_numbers(values: np.ndarray) -> np.ndarray:
    """Cells that are numbers or plainly written decimals as floats (the rest NaN, left to :func:`parse_coord`); a
    column of text whose cells are all plain ASCII decimals or empty read at once (:mod:`.decimals`)."""
    quick = plain_decimals(values) if len(values) > 64 else None
    if quick is not None:
        mask, out = quick
        rest = np.flatnonzero(~mask)
        if len(rest):  # spaces, a sign, a trailing point, other digits: the cell-by-cell rule
            out[rest] = _each_number(np.asarray(values, dtype=object)[rest])
        return out
    return _each_number(values)


def _each_number(values) -> np.ndarray:
    """:func:`_plain_numbers`, cell by cell."""
    s = pd.Series(values, dtype=object)
    is_num = s.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
    text = s.where(~is_num, "").astype(str)
    plain = text.str.match(_PLAIN.pattern).to_numpy(dtype=bool) & ~is_num.to_numpy(dtype=bool)
    out = np.full(len(values), np.nan)
    num = is_num.to_numpy(dtype=bool)
    out[num] = s[num].astype(float).to_numpy()
    out[plain] = text[plain].astype(float).to_numpy()
    return out


def build_geometry(frame, kind: str, a: str, b: str | None) -> tuple[np.ndarray, dict]:
    """Geometries from coordinate columns; returns (geometries, {row: problem text})."""
    n = len(frame)
    geoms = np.empty(n, dtype=object)
    errors: dict = {}
    if kind == "wkt":
        lon, lat = lonlat_columns(frame.columns)
        points = build_geometry(frame, "lonlat", lon, lat) if lon else None
        for i, v in enumerate(frame[a].tolist()):
            if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip():
                if points is not None:  # a point row of a table that has both
                    geoms[i] = points[0][i]
                    if i in points[1]:
                        errors[i] = points[1][i]
                continue
            try:
                geoms[i] = shapely.from_wkt(str(v).strip())
            except Exception:  # shapely.errors.GEOSException
                errors[i] = f"“{a}”列不是有效的 WKT 几何：{str(v)[:30]}"
        return geoms, errors
    xs, ys = frame[a].to_numpy(dtype=object), frame[b].to_numpy(dtype=object)
    fx, fy = _plain_numbers(xs), _plain_numbers(ys)
    both = ~np.isnan(fx) & ~np.isnan(fy)
    geoms[both] = shapely.points(fx[both], fy[both])
    for i in np.flatnonzero(~both):  # empty cells, 度分秒, and what is not a coordinate: one at a time
        x, y = xs[i], ys[i]
        try:
            fx, fy = parse_coord(x), parse_coord(y)
        except ValueError as exc:
            errors[i] = f"坐标“{exc}”无法识别（应为数字或度分秒）"
            continue
        if fx is None and fy is None:
            continue
        if fx is None or fy is None:
            errors[i] = f"坐标不完整（{a}={x}，{b}={y}）"
            continue
        geoms[i] = Point(fx, fy)
    return geoms, errors
