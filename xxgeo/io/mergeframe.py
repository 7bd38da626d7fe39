"""The merged layer as one frame (:func:`xxgeo.io.merge.merge`'s last step): the stored rows (as dicts) and the new
rows (as columns), each column's type inferred as ``pd.DataFrame(records)`` infers it — the row-by-row merge's frame
(tests/test_import_vectorised.py compares the two)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..arrowtext import text_array


def merged_frame(rows: list, cols: dict, n_cur: int, keep: list, columns: list) -> pd.DataFrame:
    """The layer's rows ``keep`` (stored rows as dicts, then the new rows' columns) as one frame, each column's
    type inferred from all its values as ``pd.DataFrame(records)`` does (a missing value of a column the new
    rows do not have is NaN, as a missing dict key was)."""
    old = [i for i in keep if i < n_cur]
    new = np.asarray([i - n_cur for i in keep if i >= n_cur], dtype=int)
    if not len(new):
        return pd.DataFrame([rows[i] for i in old], columns=columns)
    data = {}
    for c in columns:
        head = [rows[i].get(c, np.nan) for i in old]
        tail = cols[c][new] if c in cols else np.full(len(new), np.nan, dtype=object)
        arr = np.empty(len(head) + len(tail), dtype=object)
        arr[: len(head)] = head
        arr[len(head):] = tail
        data[c] = arr
    return pd.DataFrame(dict(zip(columns, _inferred([data[c] for c in columns]))), columns=columns)


def _inferred(arrays: list) -> list:
    """Each object array's type inferred as ``pd.DataFrame(records)`` infers it: pandas' own step for records
    (``convert_object_array``, internal), or the public path — the rows as tuples — where that step is missing or
    has changed (tests/test_import_vectorised.py compares the dtypes with the row-by-row merge's)."""
    try:
        from pandas.core.internals.construction import convert_object_array
    except ImportError:  # pragma: no cover - another pandas
        frame = pd.DataFrame(list(zip(*arrays)))
        return [frame[c].array for c in frame.columns]
    out = [_text_array(a) for a in arrays]
    rest = [i for i, a in enumerate(out) if a is None]
    for i, a in zip(rest, convert_object_array([arrays[i] for i in rest], dtype=None) if rest else ()):
        out[i] = a
    return out


def _text_array(arr: np.ndarray):
    """The ``str`` column pandas infers for an object array of text and empties, made from Arrow in one step
    (pandas' own path checks and copies each string first: ~0.1 s for an import's 20 text columns of 10^5 rows);
    None for any other array, or where pandas does not infer ``str`` columns held by Arrow."""
    dtype = _inferred_text_dtype()
    if dtype is None or len(arr) < 64 or pd.api.types.infer_dtype(arr, skipna=True) != "string":
        return None
    text = text_array(arr)  # (None for NaT among the empties, a lone surrogate)
    return None if text is None else dtype.construct_array_type()(text, dtype=dtype)


@functools.cache
def _inferred_text_dtype():
    """The dtype pandas infers for text, when it is the ``str`` held by Arrow (pandas 3), else None."""
    from pandas.core.internals.construction import convert_object_array

    dtype = convert_object_array([np.array(["a", None, np.nan], dtype=object)], dtype=None)[0].dtype
    ok = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    return dtype if ok else None
