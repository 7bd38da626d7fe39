"""Compact encoding of many points for the browser, and the folium layer that draws them.

Coordinates are quantised to ``step`` degrees (1e-5° ≈ 1 m), ordered along a Morton curve so neighbours are
close, delta- and zigzag-coded as varints (not gzip'd: gzip gains only ~14 % on them, and without it the browser
decodes them synchronously, in the same task that builds the map, so the first frame already shows every point);
the category is a 4-bit code (two points a byte) when there are at most 16 categories. String attributes are
columns (joined by NUL; a column with one value for every point is sent once), each gzip'd, inflated by the
browser itself (DecompressionStream) only on the first hover or click. Every point is drawn on one canvas
(static/xxgeo/xxgeo-fastpoints.js).
"""

from __future__ import annotations

import base64
import gzip

import folium
import numpy as np
from jinja2 import Template

from .jsembed import js_json

STEP = 1e-5


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64gz(data: bytes) -> str:
    return base64.b64encode(gzip.compress(data, compresslevel=6, mtime=0)).decode("ascii")


def _varints(values: np.ndarray) -> bytes:
    """LEB128 varints of zigzag-coded int64 values, vectorised over byte positions (not values)."""
    rest = ((values << 1) ^ (values >> 63)).astype(np.uint64)
    groups = []  # the k-th 7-bit group of every value, with its continuation bit
    while True:
        low = (rest & np.uint64(0x7F)).astype(np.uint8)
        rest = rest >> np.uint64(7)
        more = rest > 0
        groups.append((low | (more.astype(np.uint8) << 7), more))
        if not more.any():
            break
    nbytes = 1 + sum(m.astype(np.int64) for _, m in groups[:-1]) if len(groups) > 1 else np.ones(len(values), np.int64)
    starts = np.concatenate([[0], np.cumsum(nbytes)[:-1]]).astype(np.int64)
    buf = np.zeros(int(nbytes.sum()), dtype=np.uint8)
    for k, (byte, _) in enumerate(groups):
        sel = nbytes > k
        buf[starts[sel] + k] = byte[sel]
    return buf.tobytes()


def _morton(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    def spread(v):
        v = v.astype(np.uint64) & np.uint64(0xFFFFFFFF)
        for s, m in ((16, 0x0000FFFF0000FFFF), (8, 0x00FF00FF00FF00FF), (4, 0x0F0F0F0F0F0F0F0F),
                     (2, 0x3333333333333333), (1, 0x5555555555555555)):
            v = (v | (v << np.uint64(s))) & np.uint64(m)
        return v

    return spread(x) | (spread(y) << np.uint64(1))


def encode(lon, lat, categories, category_names: list[str], colors: list[str], columns: dict,
           popup: list, step: float = STEP) -> dict:
    """The payload for ``xxgeo.fastPoints``. ``categories``: index into ``category_names`` per point;
    ``columns``: name -> list of display strings ('' when empty); ``popup``: [[column, label, unit], ...]."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    origin = (float(np.floor(lon.min() / step) * step), float(np.floor(lat.min() / step) * step)) if len(lon) \
        else (0.0, 0.0)
    qx = np.rint((lon - origin[0]) / step).astype(np.int64)
    qy = np.rint((lat - origin[1]) / step).astype(np.int64)
    order = np.argsort(_morton(qx, qy), kind="stable")
    qx, qy = qx[order], qy[order]
    d = np.empty(2 * len(qx), dtype=np.int64)
    d[0::2] = np.diff(qx, prepend=0)
    d[1::2] = np.diff(qy, prepend=0)
    cats = np.asarray(categories, dtype=np.uint8)[order]
    catbits = 4 if len(category_names) <= 16 else 8
    if catbits == 4:  # two points a byte, the first in the low nibble
        padded = np.append(cats, np.uint8(0)) if len(cats) % 2 else cats
        packed = (padded[0::2] | (padded[1::2] << 4)).astype(np.uint8)
    else:
        packed = cats
    cols = {}
    for name, values in columns.items():
        vals = np.asarray(values, dtype=object)[order]
        if len(vals) and (vals == vals[0]).all():  # one value for every point (often empty): sent once
            cols[name] = {"all": str(vals[0])}
            continue
        joined = "\u0000".join(vals)
        if joined.count("\u0000") != max(len(vals) - 1, 0):  # a value held NUL itself: drop it
            joined = "\u0000".join(v.replace("\u0000", "") for v in vals)
        cols[name] = _b64gz(joined.encode("utf-8"))
    return {"n": int(len(qx)), "origin": origin, "step": step, "xy": _b64(_varints(d)),
            "cat": _b64(packed.tobytes()), "catbits": catbits, "categories": list(category_names),
            "colors": list(colors), "cols": cols, "popup": popup}


def decode(payload: dict) -> dict:
    """Inverse of :func:`encode` (for tests): lon, lat, category index and columns, in payload order."""
    raw = base64.b64decode(payload["xy"])
    vals, cur, shift = [], 0, 0
    for b in raw:
        cur |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            vals.append((cur >> 1) ^ -(cur & 1))
            cur, shift = 0, 0
    d = np.asarray(vals, dtype=np.int64)
    x, y = np.cumsum(d[0::2]), np.cumsum(d[1::2])
    cats = np.frombuffer(base64.b64decode(payload["cat"]), dtype=np.uint8)
    if payload.get("catbits") == 4:
        cats = np.stack([cats & 0x0F, cats >> 4], axis=1).reshape(-1)[:payload["n"]]
    cols = {k: [v["all"]] * payload["n"] if isinstance(v, dict)
            else gzip.decompress(base64.b64decode(v)).decode("utf-8").split("\u0000")
            for k, v in payload["cols"].items()}
    return {"lon": payload["origin"][0] + x * payload["step"], "lat": payload["origin"][1] + y * payload["step"],
            "cat": cats, "cols": cols}


class FastPointsLayer(folium.map.Layer):
    """A folium layer drawing an :func:`encode` payload with ``xxgeo.fastPoints``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = xxgeo.fastPoints({{ this.payload_js }});
        {% endmacro %}
    """)

    def __init__(self, payload: dict, *, name: str, show: bool = True, lang: str = "zh") -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "XxFastPoints"
        # the map's language rides in the payload: popups say 未注明 / not stated in it
        self.payload_js = js_json({**payload, "lang": "en" if lang == "en" else "zh"})
