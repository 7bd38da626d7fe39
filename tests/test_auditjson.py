"""The column-wise audit JSON (xxgeo/io/auditjson.py) is byte-identical to ``json_text`` of each row's dict (the
row-by-row audit rows it replaced), over columns of every value type that can reach it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import shapely

from xxgeo.io import auditjson, newrows
from xxgeo.io.vectorised import json_text


class Name(str):
    """A str subclass (as a library may hand back)."""


class Count(int):
    pass


VALUES = [
    "", " ", "  x ", "项目甲", "a\"b\\c", "tab\tnew\nline", "\x00\x1f\x7f", "\u2028\u2029", "emoji 😀", "</script>",
    Name("子类"), 0, 1, -7, 2**70, -(2**80), True, False, Count(5), 0.0, -0.0, 1.5, 1e-300, 5e-324, 1e300, 1e16,
    123456789.123456789, float("inf"), float("-inf"), float("nan"), None, pd.NA, pd.NaT,
    np.int64(42), np.int32(-3), np.uint8(200), np.float64(2.25), np.float32(0.1), np.float64("nan"), np.bool_(True),
    np.bool_(False), dt.date(2024, 2, 29), dt.datetime(2024, 1, 2, 3, 4, 5), pd.Timestamp("2025-06-01 12:00"),
    Decimal("1.10"), Decimal("-0"), [1, "a"], {"k": 1},
]


def _old_audit_after(cols: dict, texts: list) -> list:
    """The ``after`` texts of the row-by-row audit rows (newrows.audit_rows before the column-wise JSON)."""
    names, lists = [], []
    for f, col in cols.items():
        empty = newrows.blank(col)
        if empty.all():
            continue
        vals = [newrows._plain(v) for v in col.tolist()]
        for j in np.flatnonzero(empty).tolist():
            vals[j] = None
        names.append(f)
        lists.append((vals, empty))
    out = []
    for j in range(len(texts)):
        after = {f: vals[j] for f, (vals, empty) in zip(names, lists) if not empty[j]}
        if texts[j] is not None:
            after["geometry"] = texts[j]
        out.append(json_text(after))
    return out


def _column(rng: random.Random, n: int, pool: list) -> np.ndarray:
    arr = np.empty(n, dtype=object)
    arr[:] = [rng.choice(pool) for _ in range(n)]
    return arr


def _geoms(texts: list) -> list:
    """The geometries whose WKT (7 decimals) ``texts`` are: what audit_rows takes."""
    return [None if t is None else shapely.from_wkt(t) for t in texts]


@pytest.mark.parametrize("seed", range(6))
def test_mixed_columns_give_json_texts_byte_identical_to_json_text(seed):
    rng = random.Random(seed)
    n = 400
    strs = [v for v in VALUES if isinstance(v, str)]
    cols = {
        "mixed": _column(rng, n, VALUES),
        "name": _column(rng, n, strs),  # one type: the fast path
        "ints": _column(rng, n, [0, 3, -1, 2**64, 10**30]),
        "floats": _column(rng, n, [0.5, -2.0, 1e-7, 1e22, float("inf"), float("-inf")]),
        "floats_nan": _column(rng, n, [0.25, float("nan"), None]),
        "bools": _column(rng, n, [True, False]),
        "numpy": _column(rng, n, [np.int64(1), np.float64(1.5), np.bool_(False), np.float32(3.25)]),
        "empty": _column(rng, n, [None, "", float("nan")]),  # left out of every row
        "last": _column(rng, n, ["尾", None, 7]),
    }
    texts = [rng.choice([None, "POINT (1 2)", "POLYGON ((0 0, 1 0, 1 1, 0 0))"]) for _ in range(n)]
    old = _old_audit_after(cols, texts)
    new = [r["after"] for r in newrows.audit_rows("projects", cols, _geoms(texts), n, user="u", id_field=None,
                                                  keys=("name",))]
    assert new == old
    assert len(set(old)) > n // 2  # the rows differ: a real comparison


def test_every_single_value_alone_and_in_a_row():
    for v in VALUES:
        assert auditjson.value_text(v) == json_text(v), repr(v)
        col = np.empty(3, dtype=object)
        col[:] = [v, "x", v]
        cols = {"v": col, "w": np.array([1, None, 2.5], dtype=object)}
        texts = [None, "POINT (0 0)", "POINT (1 1)"]
        assert [r["after"] for r in newrows.audit_rows("projects", cols, _geoms(texts), 3, user="u", id_field=None,
                                                       keys=())] == _old_audit_after(cols, texts), repr(v)


def test_a_geometry_field_keeps_its_place_and_takes_the_rows_geometry():
    col = np.array(["stated", None, "stated"], dtype=object)
    cols = {"a": np.array([1, 2, 3], dtype=object), "geometry": col, "b": np.array(["x", "y", None], dtype=object)}
    texts = ["POINT (0 0)", "POINT (1 1)", None]
    got = auditjson.row_texts(list(cols), [c.tolist() for c in cols.values()],
                              [newrows.blank(c) for c in cols.values()], texts)
    assert got == _old_audit_after(cols, texts)
    assert got[0] == '{"a": 1, "geometry": "POINT (0 0)", "b": "x"}'
    assert got[1] == '{"a": 2, "b": "y", "geometry": "POINT (1 1)"}'


def test_no_columns_and_no_geometry_give_empty_objects():
    assert auditjson.row_texts([], [], [], [None, None]) == ["{}", "{}"]
    assert auditjson.row_texts([], [], [], ["P"]) == ['{"geometry": "P"}']


@pytest.mark.parametrize("seed", range(4))
def test_columns_of_one_value_give_the_same_texts_as_json_text(seed):
    """An import's constant fields (its source, user, time, ``public``, ``version``) are encoded once: the texts
    stay byte-identical, whether the constants come first, last, in runs or between skipped fields, and a column
    whose equal values have different texts (``0.0``/``-0.0``, ``1``/``True``/``1.0``) is not taken as one."""
    rng = random.Random(seed)
    n = 50
    const = {"src": "用户导入：甲.gpkg（2026-12-03）", "who": "bench", "pub": False, "ver": 1, "zero": 0.0}
    odd = {"signed": [0.0, -0.0] * (n // 2), "mixed": [1, True, 1.0, 1] * (n // 4) + [1] * (n % 4)}
    varying = {"name": [f"项目{i}" for i in range(n)], "holes": [rng.choice([None, "x", ""]) for _ in range(n)]}
    names = [*const, *odd, *varying]
    rng.shuffle(names)
    cols = {}
    for f in names:
        vals = [const[f]] * n if f in const else (odd[f] if f in odd else varying[f])
        col = np.empty(n, dtype=object)
        col[:] = vals
        cols[f] = col
    texts = [rng.choice([None, "POINT (1 2)"]) for _ in range(n)]
    new = [r["after"] for r in newrows.audit_rows("projects", cols, _geoms(texts), n, user="u", id_field=None,
                                                  keys=("name",))]
    assert new == _old_audit_after(cols, texts)
    assert '"signed": -0.0' in new[1] and '"mixed": true' in new[1]


def test_every_row_the_same_gives_one_text_per_row():
    cols = {"a": np.array(["x"] * 4, dtype=object), "b": np.array([2] * 4, dtype=object)}
    assert newrows.audit_rows("projects", cols, [None] * 4, 4, user="u", id_field=None, keys=())[3]["after"] == \
        '{"a": "x", "b": 2}'
    assert auditjson.row_texts(["a"], [["x"] * 2], [np.array([False, False])], ["P", "P"]) == \
        ['{"a": "x", "geometry": "P"}'] * 2
