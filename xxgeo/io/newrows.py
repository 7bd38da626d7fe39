"""The new rows of an import built a column at a time (issue 16): their values, defaults and audit rows.

:func:`xxgeo.io.merge.merge` decides row by row which incoming rows update a stored one; the rest — 10^5 of them in
a large import — are built here as one object array per field, with the same values the row-by-row code gave
(``DataFrame.to_dict("records")`` values, empty cells as ``None``), the same defaults (``defaults``) and the same
audit rows (the row's non-empty fields as JSON, in field order, then its geometry's WKT).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pandas.core.dtypes.cast import maybe_box_native

from ..arrowtext import blanks, text_array
from ..parcels import area_mu
from ..store.auditbatch import AuditBatch, Later, Same
from .auditjson import row_texts
from .vectorised import wkts

#: the category of a project imported without one (issue 13: a file of names and locations imports)
UNCATEGORISED = "未分类"


def blank(values) -> np.ndarray:
    """:func:`xxgeo.vocab.is_blank` of each value (None, NaN, NA, NaT, a blank string), in one pass: a column of
    text and empties through Arrow's whitespace trim (:func:`xxgeo.arrowtext.blanks`)."""
    arr = _objects(values)
    if len(arr) > 64 and pd.api.types.infer_dtype(arr, skipna=True) == "string":
        text = text_array(arr)
        if text is not None:  # (else a NaT, a lone surrogate: the values one by one below)
            return blanks(text).to_numpy(zero_copy_only=False)
    out = pd.isna(arr)
    present = np.flatnonzero(~out)
    if len(present):
        vals = arr[present].tolist()
        kinds = set(map(type, vals))
        if kinds == {str}:  # plain strings (the common column): stripped in one C loop
            out[present] = np.fromiter(map(len, map(str.strip, vals)), dtype=np.intp, count=len(vals)) == 0
        elif any(issubclass(k, str) for k in kinds):
            out[present] = [isinstance(v, str) and not v.strip() for v in vals]
        # (else numbers, booleans and the like: present, none of them blank)
    return out


def _objects(values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr


def column(incoming: pd.DataFrame, name: str, pos: np.ndarray) -> np.ndarray:
    """The values of ``incoming[name]`` at positions ``pos`` as ``to_dict("records")`` gives them (numpy
    scalars as Python ones), as an object array."""
    s = incoming[name]
    vals = s.iloc[pos] if len(pos) != len(s) else s
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.na_value is np.nan:
        return _objects(vals.to_numpy(dtype=object))  # str and NaN, as iterating gives them
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "biuf":
        return _objects(vals.to_numpy().tolist())  # Python numbers, as iterating gives them
    out = _objects(list(vals))  # iterating a Series boxes its numpy scalars, as to_dict does
    if s.dtype == object:
        if pd.api.types.infer_dtype(out, skipna=True) in ("string", "empty"):  # strings are native already
            na = np.flatnonzero(pd.isna(out))
            odd = na[np.fromiter((v is not None for v in out[na].tolist()), bool, len(na))]  # a numpy NaN, pd.NA
            out[odd] = [maybe_box_native(v) for v in out[odd].tolist()] if len(odd) else out[odd]
        else:
            out = _objects([maybe_box_native(v) for v in out])
    return out


def build(layer: str, fields: list, incoming: pd.DataFrame, pos: np.ndarray, taken: set, location: dict,
          towns: list, spatial: bool) -> tuple[dict, np.ndarray | None]:
    """``({field: values}, geometries)`` of the new rows (incoming positions ``pos``), before defaults: the file's
    value of each field it provides, the original investment text, the location options and the derived township
    for rows with a geometry."""
    n = len(pos)
    cols: dict = {}
    for f in fields:
        cols[f] = column(incoming, f, pos) if f in taken and f in incoming.columns else _nones(n)
    if "_investment_orig" in incoming.columns:
        orig = column(incoming, "_investment_orig", pos)
        note = cols.get("investment_note", _nones(n))
        use = ~blank(orig) & blank(note)
        if use.any():
            note = note.copy()
            note[use] = orig[use]
            cols["investment_note"] = note  # appended last when the layer has no such field (as the dict was)
    geoms = None
    if spatial:
        raw = _nones(n)
        if "geometry" in incoming.columns:  # as they are: anything but a geometry becomes None below
            g = _objects(incoming["geometry"].to_numpy(dtype=object))
            raw = g[pos] if len(pos) != len(g) else g
        geoms = np.where(shapely.is_geometry(raw), raw, None)
        has = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        for f, v in location.items():
            _fill(cols, f, has & blank(cols.get(f, _nones(n))), v, n)
        if towns:
            t = _objects([towns[p] for p in pos])
            _fill(cols, "township_code", has & np.array([bool(x) for x in t], dtype=bool)
                  & blank(cols.get("township_code", _nones(n))), t, n)
    return cols, geoms


def _nones(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _fill(cols: dict, f: str, where: np.ndarray, value, n: int) -> None:
    """``cols[f][where] = value`` (an array is taken at ``where``), the column created when missing."""
    if not where.any():
        return
    col = cols.get(f)
    col = _nones(n) if col is None else col.copy()
    col[where] = value[where] if isinstance(value, np.ndarray) else value
    cols[f] = col


def defaults(layer: str, names: frozenset, cols: dict, geoms: np.ndarray | None, prov: str, n: int) -> None:
    """The defaults of new rows, in place: provenance, 位置精度 of a row without a location (township or county;
    a located row states its own: :mod:`.stated`), 未分类, ``public=否``, ``version=1``, a parcel's area, a
    township's boundary quality, ``township_codes``."""
    gnone = np.ones(n, dtype=bool) if geoms is None else shapely.is_missing(geoms)
    has = ~gnone & (~shapely.is_empty(geoms) if geoms is not None else False)
    for f in ("source_ref", "source"):
        if f in names:
            _fill(cols, f, blank(cols[f]), prov, n)
    if "loc_precision" in names:
        empty = blank(cols["loc_precision"])
        if (empty & has).any():  # the importer refuses these first (io/stated): a location is never assumed 实测
            raise ValueError("merge: a new row with a location but no location precision")
        town = ~blank(cols.get("township_code", _nones(n)))
        _fill(cols, "loc_precision", empty, np.where(town, "township", "county").astype(object), n)
    if layer == "projects":
        _fill(cols, "category", blank(cols["category"]), UNCATEGORISED, n)
    if "public" in names:
        _fill(cols, "public", blank(cols["public"]), False, n)
    if "version" in names:
        cols["version"] = np.full(n, 1, dtype=object)
    if layer == "parcels" and has.any():
        areas = _objects(area_mu(list(geoms[has])))
        col = cols["area_mu"].copy()
        col[has] = areas
        cols["area_mu"] = col
    if "boundary_quality" in names:
        guess = np.where(gnone, "schematic", "official").astype(object)
        _fill(cols, "boundary_quality", blank(cols["boundary_quality"]), guess, n)
    if "township_codes" in names and "township_code" in cols:
        _fill(cols, "township_codes", blank(cols["township_codes"]) & ~blank(cols["township_code"]),
              cols["township_code"], n)


def audit_rows(layer: str, cols: dict, geometries: list | None, n: int, *, user: str, id_field: str | None,
               keys: tuple) -> AuditBatch:
    """One ``import-insert`` audit row per new row (``n`` of them), as columns
    (:class:`~xxgeo.store.auditbatch.AuditBatch`): its non-empty fields (JSON, field order) and the WKT of its
    geometry (``geometries``, None for a layer without). The values are taken now (copies of the columns); the JSON
    text, built a column at a time (:mod:`xxgeo.io.auditjson`), is made when the store inserts the rows (a
    :class:`~xxgeo.store.auditbatch.Later` column), while GDAL writes the layer (:mod:`xxgeo.store.writehelper`)."""
    taken = {f: col.copy() for f, col in cols.items()}  # (the values as they are now, whatever changes them later)
    geoms = list(geometries) if geometries is not None else None

    def after() -> list:
        names, lists, skips = [], [], []
        for f, col in taken.items():
            empty = blank(col)
            if empty.all():
                continue  # a column nobody filled adds nothing to any row
            names.append(f)
            vals = col.tolist()
            if not set(map(type, vals)) <= _PLAIN:
                vals = [_plain(v) for v in vals]  # (``_plain`` gives None only for None, which is empty)
            lists.append(vals)
            skips.append(empty)
        return row_texts(names, lists, skips, wkts(geoms) if geoms is not None else [None] * n)

    ids = cols[id_field].tolist() if id_field else [None] * n
    if all(ids):  # every row has its id (the usual import: ids given or assigned)
        fids = list(map(str, ids))
    else:
        kcols = [cols[k].tolist() if k in cols else [None] * n for k in keys]
        fids = [str(ids[j] or "|".join(str(c[j]) for c in kcols)) for j in range(n)]
    return AuditBatch(n, {"user": Same(user), "layer": Same(layer), "feature_id": fids,
                          "action": Same("import-insert"), "before": Same(None), "after": Later(after)})


_PLAIN = {str, int, float, bool, type(None)}


def _plain(v):
    """A value as JSON takes it (numpy scalars as Python ones): :func:`xxgeo.io.vectorised.jsonable`."""
    t = type(v)
    if t in (str, int, float, bool):
        return v
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
