"""Text columns as Arrow arrays, the one way the import and the store take them there (issue 16 item 3).

:func:`text_array` gives a column of text and empties as an Arrow string array — a pandas ``str`` column's own Arrow
data (no copy), or an object array of ``str`` and None/NaN/NA converted in one call — and None for anything Arrow
cannot hold as text (numbers among the text, NaT, a lone surrogate), which callers then read value by value.
:func:`blanks` is Python's ``str.strip`` blank test on such an array (tests/test_coerce_columns.py checks every
codepoint).
"""

from __future__ import annotations

import pandas as pd


def text_array(values):
    """``values`` (a pandas column or an object array) as an Arrow string array, or None when it is not all text
    and empties."""
    import pyarrow as pa

    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return values.array.__arrow_array__()  # (the Arrow data itself, no copy)
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, UnicodeEncodeError):
        return None


def blanks(arr):
    """Where an Arrow text array is missing or blank, as an Arrow boolean array: Arrow's whitespace trim, whose
    whitespace is Python's ``str.strip``'s codepoint for codepoint."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0), True)
