"""What every backend shares: the schema's frames and values, the loaded dataset, audit entries and reverts.

Nothing here touches a database: these are the values the :class:`~xxgeo.store.base.Store` interface takes and
returns, whatever the backend.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..arrowtext import blanks, text_array
from ..errors import NotFound
from ..schema import LAYERS, is_empty
from ..vocab import to_bool

AUDIT_COLUMNS = ("at", "user", "layer", "feature_id", "action", "before", "after")
#: from this many audit rows a backend takes its bulk path (GeoPackage: the per-row count trigger set aside and
#: many rows per INSERT; PostGIS: COPY)
BULK_ROWS = 1000


def now_iso() -> str:
    """Current local time, ISO 8601 to the second (what audit rows carry)."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class Dataset:
    """Every layer of a store, loaded once; what the map, views and reports are functions of."""

    layers: dict

    def __getitem__(self, name: str):
        return self.layers[name]

    def get(self, name: str, default=None):
        return self.layers.get(name, default)


@dataclass(frozen=True)
class AuditEntry:
    """One ``audit_log`` row and its position ``fid`` (entries come oldest first); what undo reads."""

    fid: int
    at: str | None
    user: str | None
    layer: str | None
    feature_id: str | None
    action: str | None
    before: str | None
    after: str | None


@dataclass
class Revert:
    """What an undo writes to one feature: field values, the geometry when ``set_geometry``, one audit row; or,
    with ``delete`` (the undo of an insert), the row removed (and its blobs with ``drop_blobs``)."""

    layer: str
    feature_id: str
    values: dict
    audit: dict
    geometry: object = None
    set_geometry: bool = False
    delete: bool = False
    drop_blobs: bool = False


def empty_frame(layer: str):
    """An empty frame with the layer's columns (a GeoDataFrame for spatial layers)."""
    lay = LAYERS[layer]
    cols = {f.name: pd.Series(dtype=_dtype(f.kind)) for f in lay.fields}
    df = pd.DataFrame(cols)
    if lay.spatial:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    return df


def _dtype(kind: str) -> str:
    return {"int": "Int64", "float": "float64", "year": "Int64", "bool": "boolean"}.get(kind, "object")


def _text(v):
    """A text cell as stored: None for empty, else ``str(v)`` (the common types tested first)."""
    t = type(v)
    if t is str:
        return v if v.strip() else None
    return None if v is None or is_empty(v) else str(v)


def _texts(col: pd.Series, keep_arrow: bool = False) -> pd.Series:
    """A text column as stored (:func:`_text` on each value); a column of strings and empties in one pass (pandas'
    ``infer_dtype`` tells, in C, whether every present value is a string; ``not v.strip()`` is Python's own blank
    test, three times quicker over a list than through the ``.str`` accessor). ``keep_arrow``: a column held by
    Arrow stays so (:func:`_arrow_texts`)."""
    if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
        return _arrow_texts(col, keep_arrow)
    values = col.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        out = values.copy()
        drop = pd.isna(out)
        present = np.flatnonzero(~drop)
        if len(present):
            drop[present] = [not v.strip() for v in out[present].tolist()]
        out[drop] = None
        return pd.Series(out, index=col.index, dtype=object)
    return pd.Series([_text(v) for v in values], index=col.index, dtype=object)


def _arrow_texts(col: pd.Series, keep_arrow: bool = False) -> pd.Series:
    """:func:`_texts` of a pandas ``str`` column held by Arrow: the blanks found by Arrow's own whitespace trim
    (whose whitespace is Python's ``str.strip``'s, codepoint for codepoint: tests/test_coerce_columns.py),
    so no Python call is made per value. ``keep_arrow``: the result is the same column still held by Arrow (the
    blanks made missing), for a write that hands GDAL Arrow columns anyway — 10^5 rows of 20 text columns turned
    into Python strings and back cost ~0.3 s."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = text_array(col)
    blank = blanks(arr)
    if keep_arrow:
        return pd.Series(type(col.array)(pc.if_else(blank, pa.scalar(None, type=arr.type), arr)), index=col.index)
    out = col.to_numpy(dtype=object, na_value=None)
    out[blank.to_numpy(zero_copy_only=False)] = None
    return pd.Series(out, index=col.index, dtype=object)


def _bools(col: pd.Series) -> pd.Series:
    """A yes/no column as stored (``to_bool`` with NA for empty or unknown); a column of booleans and empties
    converted in one step."""
    values = col.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("boolean", "empty"):
        out = np.where(pd.isna(values), None, values)
        return pd.Series(pd.array([None if v is None else bool(v) for v in out.tolist()], dtype="boolean"),
                         index=col.index)
    return col.map(lambda v: to_bool(v, pd.NA)).astype("boolean")


def coerce(layer: str, df, *, keep_arrow: bool = False):
    """Give a frame the schema's column order and dtypes (extra columns are kept after them). Text is ``str`` or
    None in ``object`` columns; with ``keep_arrow`` (a whole-layer write) a text column pandas holds in Arrow stays
    there, its blanks missing — the same values written."""
    lay = LAYERS[layer]
    df = df.copy()
    for f in lay.fields:
        if f.name not in df.columns:
            df[f.name] = pd.NA
        col = df[f.name]
        if f.kind in ("int", "year"):
            df[f.name] = pd.to_numeric(col, errors="coerce").round().astype("Int64")
        elif f.kind == "float":
            df[f.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif f.kind == "bool":
            df[f.name] = _bools(col)
        else:
            df[f.name] = _texts(col, keep_arrow)
    order = lay.field_names + [c for c in df.columns if c not in lay.field_names and c != "geometry"]
    if lay.spatial:
        geom = df.geometry if isinstance(df, gpd.GeoDataFrame) else gpd.GeoSeries([None] * len(df))
        out = gpd.GeoDataFrame(df[order], geometry=geom.values, crs="EPSG:4326")
        return out
    return pd.DataFrame(df[order])


def sql_value(kind: str, v):
    """A plain Python value of a schema field kind for a database driver (``None`` for empty)."""
    if is_empty(v):
        return None
    if kind in ("int", "year"):
        return int(float(v))
    if kind == "float":
        return float(v)
    if kind == "bool":
        return to_bool(v) is True
    return str(v)


def editable_layer(layer: str, changes: dict):
    """The layer of an edit by id, refusing unknown layers, unknown fields and the id/version fields."""
    lay = LAYERS.get(layer)
    if lay is None or not lay.id_field:
        raise NotFound(f"图层“{layer}”不能按编号修改。", english=f"Layer “{layer}” cannot be edited by id.")
    bad = [k for k in changes if k not in lay.field_names or k in (lay.id_field, "version")]
    if bad:
        raise NotFound(f"图层“{layer}”没有可修改的字段：{'、'.join(bad)}。",
                       english=f"Layer “{layer}” has no editable field(s): {', '.join(bad)}.")
    return lay


_SQL_TYPES = {"int": ("INTEGER", "bigint"), "year": ("INTEGER", "bigint"), "float": ("REAL", "double precision"),
              "bool": ("BOOLEAN", "boolean")}


def added_columns(layer: str, names, have) -> list[tuple[str, str, str]]:
    """Schema fields among ``names`` a stored table lacks (a store written before the field existed, e.g. a
    park's contact fields): ``(name, SQLite type, PostgreSQL type)`` for the backend to add before it writes."""
    lay = LAYERS[layer]
    have = set(have)
    out = []
    for n in names:
        if n not in have and n in lay.field_names:
            sqlite, pg = _SQL_TYPES.get(lay.field(n).kind, ("TEXT", "text"))
            out.append((n, sqlite, pg))
    return out
