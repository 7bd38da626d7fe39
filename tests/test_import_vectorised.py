"""The column-at-a-time import paths (issue 16) give exactly what the row-by-row code gave: the merge's frame
(values and dtypes), counts, touched rows, labels, notes and audit rows compared with the row-by-row merge kept as
the oracle (tests/merge_oracle.py), on real imports; the column-wise garbled-text test against ``mojibake``; the
worker's WKB hand-back against pickled geometries."""

from __future__ import annotations

import merge_oracle
import numpy as np
import pandas as pd
import pytest
import shapely

from xxgeo import bench_import, importers
from xxgeo.io.encoding import _LATIN_HIGH, garbled, mojibake
from xxgeo.io.rawtable import RawTable
from xxgeo.io.worker import _as_wkb, _unpack
from xxgeo.store.auditbatch import rows_of


def _same_result(old, new) -> None:
    assert list(old.frame.columns) == list(new.frame.columns)
    assert [str(d) for d in old.frame.dtypes] == [str(d) for d in new.frame.dtypes]
    pd.testing.assert_frame_equal(old.frame, new.frame, check_exact=True)
    for f in ("touched", "inserted", "updated", "unchanged", "deleted", "notes", "unstated"):
        assert getattr(old, f) == getattr(new, f), f
    assert old.audit == rows_of(new.audit)  # (the new rows' audit a batch of columns: the same rows)
    assert list(old.labels.items()) == list(new.labels.items())


@pytest.fixture
def compared(monkeypatch):
    """Every merge an import runs, run again by the oracle and compared; yields the number compared."""
    seen = []
    real = importers.merge

    def both(layer, current, incoming, provided, **kw):
        new = real(layer, current.copy(), incoming.copy(), list(provided), **kw)
        old = merge_oracle.merge(layer, current.copy(), incoming.copy(), list(provided), **kw)
        _same_result(old, new)
        seen.append((layer, new.inserted, new.updated))
        return new

    monkeypatch.setattr(importers, "merge", both)
    return seen


def test_projects_update_match_place_and_insert_like_the_row_by_row_merge(store_copy, tmp_path, compared):
    stored = store_copy.read("projects")
    first = stored.iloc[0]
    town = store_copy.read("townships").iloc[2]
    pt = town.geometry.representative_point()
    named = stored[stored["name"].str.len() > 2].iloc[5]
    rows = [
        f"{first['project_id']},{first['name']},文旅,1.5亿元,,{pt.x},{pt.y},村",  # an update with units
        f",{named['name']},,,,{pt.x + 0.001},{pt.y},",  # matched by its name, precision unstated
        f"XM9001,新项目甲,工业,300,{town['name']},{pt.x},{pt.y + 0.001},实测",
        ",新项目乙,,2.5亿元,,,,",  # no id, no place: county precision, 未分类
        f",新项目丙,农业,,{town['name']},,,",  # a township only: placed on its point
        f",新项目丁,能源,12,,{pt.x - 0.001},{pt.y},乡镇",
    ]
    path = tmp_path / "混合.csv"
    path.write_text("项目编号,项目名称,类别,总投资,乡镇,经度,纬度,位置精度\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    # a located row with no stated precision is refused unless the import states one (xxgeo/io/stated.py)
    plan = importers.prepare_import(path, "projects", store_copy, user="测试", accept_matches=True,
                                    precision="surveyed")
    assert compared and compared[-1][1:] == (4, 2), (plan.problems, compared)
    said = " ".join(plan.notes)
    assert "按名称匹配" in said and "示意点" in said and "分配新编号" in said  # every path of the merge ran
    if plan.ok:
        importers.commit_import(plan, store_copy, user="测试")


@pytest.mark.parametrize("kind", ["points_csv", "points_gpkg", "polygons_gpkg"])
def test_a_generated_import_merges_like_the_row_by_row_merge(store_copy, tmp_path, compared, kind):
    county = shapely.union_all(store_copy.read("county").geometry.values)
    path = bench_import.make_file(kind, 1500, county, tmp_path)
    plan = importers.prepare_import(path, "projects", store_copy, user="bench")
    assert plan.ok, plan.problems[:3]
    assert compared == [("projects", 1500, 0)]


def _garbled_examples() -> list:
    words = ["项目名称", "夏县", "道路工程", "位置精度", "园区", "新建", "中文", "乡镇"]
    out = [w.encode("utf-8").decode("gb18030", "replace") for w in words]  # UTF-8 read as GBK
    out += [w.encode("gbk").decode("latin-1") for w in words] + [w.encode("utf-8").decode("cp1252", "replace")
                                                                for w in words]
    return out


def test_garbled_column_is_mojibake_value_by_value():
    values = ["项目名称", "裴介镇", "锟斤拷", "锟斤拷项目", "abc", "", None, 3.5, "多行\n文本", "\ufffd坏",
              "x\udc80y项目", *_garbled_examples(), *[f"导入测试项目{i}" for i in range(50)]]
    rng = np.random.default_rng(7)
    mixed = [values[i] for i in rng.integers(0, len(values), 400)]
    assert garbled(mixed) == [mojibake(v) for v in mixed]
    batch_path = [v for v in _garbled_examples() if "\ufffd" not in v and not _LATIN_HIGH.search(v)]
    assert batch_path and all(garbled(batch_path))  # garbled text found by the one-decode path itself


def test_worker_hands_geometries_back_as_wkb_unchanged():
    geoms = np.array([shapely.Point(1, 2), None, shapely.Point(), shapely.from_wkt("POINT Z (1 2 3)"),
                      shapely.from_wkt("POINT M (1 2 3)"), shapely.box(0, 0, 1, 1),
                      shapely.from_wkt("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))")], dtype=object)
    table = RawTable(frame=pd.DataFrame({"a": range(len(geoms))}), geometry=geoms.copy(), crs=None, fmt="gpkg",
                     name="x")
    kind, packed = _as_wkb(table)
    assert kind == "ok-wkb" and isinstance(packed.geometry[0], bytes)
    import pickle

    back = _unpack(pickle.dumps((kind, packed)), "x", None).geometry
    for a, b in zip(geoms, back):
        assert (a is None and b is None) or (a.wkt == b.wkt and shapely.has_z(a) == shapely.has_z(b))
    ring = RawTable(frame=pd.DataFrame({"a": [1]}), crs=None, fmt="gpkg", name="x",
                    geometry=np.array([shapely.LinearRing([(0, 0), (1, 0), (1, 1)])], dtype=object))
    assert _as_wkb(ring)[0] == "ok"  # a LinearRing is pickled as it is (WKB would make it a LineString)


@pytest.mark.parametrize("extra", [[], [pd.NA], [np.str_("x")], [pd.NaT], ["\ud800"], [1.5], [None] * 3])
def test_text_columns_of_the_merged_frame_are_what_pandas_infers(extra):
    """mergeframe._inferred's Arrow shortcut for text columns gives pandas' own inference (dtype and values)."""
    from pandas.core.internals.construction import convert_object_array

    from xxgeo.io.mergeframe import _inferred

    arr = np.array(([f"项目{i}" for i in range(70)] + [None, np.nan, "", " "] + extra) * 2, dtype=object)
    try:
        want = convert_object_array([arr], dtype=None)[0]
    except UnicodeEncodeError:  # (pandas' own inference cannot hold a lone surrogate either: the same error)
        with pytest.raises(UnicodeEncodeError):
            _inferred([arr])
        return
    got = _inferred([arr])[0]
    assert str(got.dtype) == str(want.dtype)
    pd.testing.assert_series_equal(pd.Series(got), pd.Series(want), check_exact=True)


def test_a_located_new_row_is_never_given_a_precision():
    """位置精度 defaults only for rows without a location (township or county); a located row without one is a bug
    upstream (io/stated refuses such imports), never 实测 by default."""
    import numpy as np
    import shapely

    from xxgeo.io import newrows

    names = frozenset({"loc_precision", "township_code"})

    def cols():
        return {"loc_precision": np.array([None, None], dtype=object),
                "township_code": np.array(["140828101", None], dtype=object)}

    got = cols()
    newrows.defaults("places", names, got, np.array([None, None], dtype=object), "p", 2)
    assert got["loc_precision"].tolist() == ["township", "county"]
    with pytest.raises(ValueError, match="no location precision"):
        newrows.defaults("places", names, cols(), np.array([shapely.Point(111.2, 35.1), None], dtype=object), "p", 2)
