"""The store's coerce (store/frames.py) converts whole text and yes/no columns in one pass; each value must come
out as the per-value rules give it (``_text``: None for empty or blank, else ``str``; ``to_bool`` with NA)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xxgeo.store.frames import _bools, _text, _texts, coerce
from xxgeo.vocab import to_bool

BLANKS = ["", " ", "\u3000", "\x1c", "\t\n", "\xa0", "\u2028"]


@pytest.mark.parametrize("values", [
    ["a", *BLANKS, None, np.nan, " b ", "项目"],  # strings and empties: the one-pass path
    ["a", 5, 2.5, None, np.nan, " ", True, "c"],  # mixed: per value
    [None, np.nan, None],
])
def test_text_columns_as_the_per_value_rule(values):
    got = _texts(pd.Series(values, dtype=object)).tolist()
    assert got == [_text(v) for v in values]
    assert all(v is None or (isinstance(v, str) and v.strip()) for v in got)


@pytest.mark.parametrize("values", [
    [True, False, None, np.nan, np.bool_(True), np.bool_(False)],
    [True, "是", "否", "yes", "也许", 1, 0, None, pd.NA],
    [None, None],
])
def test_bool_columns_as_the_per_value_rule(values):
    got = _bools(pd.Series(values, dtype=object))
    assert str(got.dtype) == "boolean"
    want = [to_bool(v, pd.NA) for v in values]
    assert [None if pd.isna(a) else bool(a) for a in got] == [None if w is pd.NA else w for w in want]


def test_coerce_of_a_frame_keeps_values_and_dtypes():
    df = pd.DataFrame({"project_id": ["XM1", " ", None], "public": pd.array([True, None, False], dtype="boolean"),
                       "village": ["\u3000", "西村", np.nan]})
    out = coerce("projects", df)
    assert out["project_id"].tolist() == ["XM1", None, None]
    assert out["village"].tolist() == [None, "西村", None]
    assert out["public"].tolist()[0] is True and pd.isna(out["public"].tolist()[1])
    assert str(out["public"].dtype) == "boolean"


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]"])
def test_arrow_held_text_columns_as_the_per_value_rule(dtype):
    """A ``str`` column held by Arrow (what pandas 3 infers) takes Arrow's whitespace trim: the same values."""
    values = ["a", *BLANKS, None, " b ", "项目", "\u3000x\u3000"]
    col = pd.Series(values, dtype=dtype)
    got = _texts(col).tolist()
    assert got == [_text(v) for v in values]
    assert got[1:1 + len(BLANKS) + 1] == [None] * (len(BLANKS) + 1) and got[-1] == "\u3000x\u3000"
    assert _texts(col.iloc[:0]).tolist() == []


def test_arrow_whitespace_is_pythons_for_every_codepoint():
    """The Arrow path is exact only because Arrow's whitespace is ``str.strip``'s: checked for every codepoint."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    got = _texts(pd.Series(chars, dtype="str")).tolist()
    assert [g is None for g in got] == [not c.strip() for c in chars]
    assert sum(g is None for g in got) > 20  # the Unicode spaces, not just ASCII's


def test_a_write_keeps_arrow_text_and_stores_the_same_values(tmp_path):
    """``coerce(keep_arrow=True)`` (whole-layer writes) leaves Arrow-held text in Arrow, blanks missing: the same
    values as the ``object`` path, and the same GeoPackage read back."""
    import geopandas as gpd
    import pyogrio
    import shapely

    from xxgeo.store.gpkgwrite import write_layer as _write_frame

    values = ["XM1", *BLANKS, None, " b ", "项目&<x>", "\u3000x\u3000"]
    n = len(values)
    df = gpd.GeoDataFrame({"project_id": pd.Series([f"XM{i}" for i in range(n)], dtype="str"),
                           "name": pd.Series(values, dtype="str"), "village": pd.Series(values, dtype=object),
                           "investment_wan": np.arange(n, dtype=float)},
                          geometry=[shapely.Point(111.2, 35.1)] * n, crs=4326)
    plain, kept = coerce("projects", df), coerce("projects", df, keep_arrow=True)
    assert isinstance(kept["name"].dtype, pd.StringDtype) and plain["name"].dtype == object
    for col in plain.columns.drop("geometry"):
        assert [None if pd.isna(v) else v for v in kept[col].tolist()] == \
               [None if pd.isna(v) else v for v in plain[col].tolist()], col
    backs = []
    for i, frame in enumerate((plain, kept)):
        _write_frame(tmp_path / f"w{i}.gpkg", "projects", frame)
        backs.append(pd.DataFrame(pyogrio.read_dataframe(tmp_path / f"w{i}.gpkg").drop(columns="geometry")))
    pd.testing.assert_frame_equal(backs[0], backs[1])
    assert backs[1]["name"].isna().sum() == len(BLANKS) + 1


@pytest.mark.parametrize("extra", [[], [pd.NaT], ["\ud800"], [5, 2.5]])
def test_new_rows_blank_test_is_the_per_value_rule(extra):
    """The import's emptiness test of a new rows' column (io/newrows.blank: Arrow's trim for a column of text)
    gives :func:`xxgeo.vocab.is_blank` of each value, whatever else the column holds."""
    from xxgeo.io.newrows import blank
    from xxgeo.vocab import is_blank

    values = (["a", *BLANKS, None, np.nan, pd.NA, " b ", "项目"] + extra) * 20
    assert blank(np.array(values, dtype=object)).tolist() == [is_blank(v) for v in values]
    for other in ([1.5, np.nan, 0, True, None] * 20, [np.str_(" "), np.str_("a"), 2.0, None] * 20):
        assert blank(np.array(other, dtype=object)).tolist() == [is_blank(v) for v in other]
    chars = np.array([chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF], dtype=object)
    assert blank(chars).tolist() == [not c.strip() for c in chars]
