"""Cells written as plain decimals (``-12``, ``111.2345``), read a column at a time (issue 16 item 3).

A CSV or Excel sheet is read as text, so 10^5 coordinates or amounts are 10^5 strings. :func:`plain_decimals` finds,
in one Arrow call, the cells that are nothing but ASCII digits with an optional sign and fraction — the ones every
per-cell reader of ours (:func:`xxgeo.io.cellvalues.number`, :func:`xxgeo.io.coords._plain_numbers`) reads as
``float(cell)`` and nothing else — and reads them with ``float`` itself. Every other cell (spaces, units, 约, commas,
full-width or other Unicode digits, anything not text) is left to the per-cell reader, with its own messages.
"""

from __future__ import annotations

import numpy as np

from ..arrowtext import text_array

#: a cell that is a plain decimal and nothing else (RE2: ASCII digits only)
PATTERN = r"^-?[0-9]+(?:\.[0-9]+)?$"


def plain_decimals(values) -> tuple[np.ndarray, np.ndarray] | None:
    """``(mask, numbers)``: where ``values`` holds a plain decimal, and ``float`` of each (NaN elsewhere); None when
    the column is not all text and empties (the caller reads it cell by cell)."""
    import pyarrow.compute as pc

    arr = np.asarray(values, dtype=object)
    text = text_array(arr)
    if text is None:  # numbers, dates, a lone surrogate: cell by cell
        return None
    mask = pc.fill_null(pc.match_substring_regex(text, PATTERN), False).to_numpy(zero_copy_only=False)
    out = np.full(len(arr), np.nan)
    if mask.any():
        out[mask] = arr[mask].astype(float)  # (Python's own float of each cell)
    return mask, out
