"""The parsing worker hands a GeoPackage table back as GDAL read it (xxgeo/io/arrowread.py): what the caller
finishes from it is what ``pyogrio.read_dataframe(use_arrow=True)`` gives, and a file the worker cannot prove
sound is refused there, in one sentence."""

from __future__ import annotations

import pickle
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from xxgeo.constraints.reading import geometries, read_as_wkb
from xxgeo.errors import ImportRefused
from xxgeo.io import readers
from xxgeo.io.arrowread import PendingTable
from xxgeo.io.worker import _as_wkb, _unpack, read_isolated


def _typed(tmp_path, name="typed.gpkg", **extra):
    """A GeoPackage of every plain field type, with blanks, a missing geometry, a 3-D point and a polygon."""
    n = 6
    frame = {"名称": ["水头工业园区", None, "", "瑶峰 轻工业园", "A&B<c>", "庙前"],
             "整数": np.array([1, -2, 3, 0, 5, 7], dtype=np.int32),
             "大整数": np.array([2**40, 1, 2, 3, 4, 5], dtype=np.int64),
             "小数": [1.5, np.nan, -0.0, 3.25, 1e9, 0.1],
             "是否": [True, False, True, True, False, True], **extra}
    geoms = [shapely.Point(111.2, 35.1), None, shapely.from_wkt("POINT Z (111.3 35.2 400)"),
             shapely.box(111.2, 35.1, 111.21, 35.11), shapely.MultiPoint([(111.2, 35.1)]),
             shapely.LineString([(111.2, 35.1), (111.3, 35.2)])][:n]
    path = tmp_path / name
    pyogrio.write_dataframe(gpd.GeoDataFrame(frame, geometry=geoms, crs=4326), path, layer="data",
                            geometry_type="Unknown")
    return path


def _as_read_dataframe(path, name):
    """What the reader gave before the hand-off: read_dataframe's frame, through the same checks."""
    gdf = pyogrio.read_dataframe(path, use_arrow=True)
    return readers._from_gdf(gdf, "gpkg", name, [])


def _same(a, b):
    pd.testing.assert_frame_equal(a.frame, b.frame, check_dtype=True)
    assert a.row_labels == b.row_labels and a.fmt == b.fmt and a.notes == b.notes
    assert (a.crs is None) == (b.crs is None) and (a.crs is None or a.crs.equals(b.crs))
    assert len(a.geometry) == len(b.geometry)
    for x, y in zip(a.geometry, b.geometry):
        assert (x is None and y is None) or (shapely.equals_exact(x, y, 0) and shapely.has_z(x) == shapely.has_z(y))


def test_a_finished_table_is_what_read_dataframe_gives(tmp_path):
    path = _typed(tmp_path)
    got = readers.read_source(path, pending=True)
    assert isinstance(got, PendingTable)
    _same(got.finish(), _as_read_dataframe(path, path.name))
    _same(readers.read_source(path), _as_read_dataframe(path, path.name))  # finished at once without pending


def test_a_table_without_geometry_is_finished_the_same(tmp_path):
    path = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"项目名称": ["甲", "乙"], "总投资": [1.0, 2.0]}), path, layer="t")
    got = readers.read_source(path, pending=True).finish()
    assert got.geometry is None and got.crs is None
    pd.testing.assert_frame_equal(got.frame, _as_read_dataframe(path, path.name).frame)


def test_dates_and_times_are_read_by_read_dataframe(tmp_path):
    when = pd.to_datetime(["2026-01-02 03:04:05", None, "2026-05-06 00:00:00", "2026-07-08 12:00:00",
                           "2026-09-10 08:30:00", "2026-11-12 23:59:59"])
    path = _typed(tmp_path, "dates.gpkg", 时间=when)
    got = readers.read_source(path, pending=True)
    assert not isinstance(got, PendingTable)  # parsed from text by read_dataframe, as before
    _same(got, _as_read_dataframe(path, path.name))


def test_the_worker_hands_the_table_over_and_the_caller_finishes_it(tmp_path):
    path = _typed(tmp_path)
    pending = readers.read_source(path, pending=True)
    kind, packed = _as_wkb(pending)
    assert kind == "ok-pending"
    _same(_unpack(pickle.dumps((kind, packed)), path.name, None), _as_read_dataframe(path, path.name))
    _same(read_isolated(path, name=path.name), _as_read_dataframe(path, path.name))  # a real worker process


def test_garbled_text_is_refused_when_finished(tmp_path):
    path = tmp_path / "garbled.gpkg"
    bad = "水头工业园区".encode().decode("gbk", errors="replace")
    pyogrio.write_dataframe(gpd.GeoDataFrame({"名称": ["甲", bad]}, geometry=[shapely.Point(1, 2)] * 2, crs=4326),
                            path)
    with pytest.raises(ImportRefused, match="乱码"):
        read_isolated(path, name=path.name)


def test_a_broken_geometry_is_refused_in_the_worker(tmp_path):
    path = _typed(tmp_path)
    with sqlite3.connect(path) as con:  # a GeoPackage header, then WKB that claims 10^9 points it does not hold
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{trigger}"')  # the spatial index's triggers call SpatiaLite functions
        header = bytes(con.execute("SELECT substr(geom, 1, 8) FROM data WHERE fid = 1").fetchone()[0])
        con.execute("UPDATE data SET geom = ? WHERE fid = 1", (header + bytes.fromhex("0102000000") +
                                                                (10**9).to_bytes(4, "little"),))
    with pytest.raises(ImportRefused, match="已损坏") as err:
        read_isolated(path, name=path.name)
    assert "\n" not in str(err.value)


def test_the_constraints_reader_keeps_the_wkb_as_read(tmp_path):
    path = _typed(tmp_path)
    raw = read_as_wkb(path, name=path.name)
    assert all(g is None or isinstance(g, bytes) for g in raw.geometry)
    _same(type(raw)(**{**raw.__dict__, "geometry": geometries(raw)}), _as_read_dataframe(path, path.name))


def test_columns_of_ascii_text_skip_the_garbled_check_and_the_rest_do_not():
    from xxgeo.io.encoding import _all_ascii, check_no_mojibake

    n = 200
    ascii_cols = {"经度": pd.Series([f"111.{i}" for i in range(n)], dtype=object),
                  "代码": pd.Series(["A1", None] * (n // 2), dtype="str")}
    assert all(_all_ascii(c) for c in ascii_cols.values())
    check_no_mojibake(pd.DataFrame(ascii_cols))
    bad = "水头工业园区".encode().decode("latin-1")  # UTF-8 read as Latin-1: beyond ASCII, so still checked
    garbled = pd.DataFrame({**ascii_cols, "名称": pd.Series(["甲"] * (n - 1) + [bad], dtype=object)})
    assert not _all_ascii(garbled["名称"])
    with pytest.raises(ImportRefused, match="乱码"):
        check_no_mojibake(garbled)


def test_a_shapefile_is_handed_off_as_read_dataframe_read_it(tmp_path):
    """A Shapefile (GBK text, integers, decimals, blanks, a hole, a multipolygon, a feature without geometry) comes
    through the Arrow hand-off as ``read_dataframe`` (feature by feature, the reader before) gave it."""
    geoms = [shapely.box(0, 0, 1, 1).difference(shapely.box(0.2, 0.2, 0.4, 0.4)),
             shapely.MultiPolygon([shapely.box(2, 0, 3, 1), shapely.box(4, 0, 5, 1)]), None,
             shapely.box(6, 0, 7, 1)]
    frame = {"地类名称": ["水田", "", "旱地", "水浇地 "], "图斑编号": np.array([1, 2, 3, 40000], dtype=np.int64),
             "面积": [1.5, np.nan, 0.0, 1e7]}
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms).translate(37_520_000, 3_890_000), crs=4525)
    gdf.to_file(tmp_path / "jbnt.shp", encoding="GBK")
    got = readers.read_source(tmp_path / "jbnt.shp", pending=True)
    assert isinstance(got, PendingTable)
    before = readers._from_gdf(pyogrio.read_dataframe(tmp_path / "jbnt.shp", encoding="GB18030"), "shapefile",
                               "jbnt.shp", [])
    after = got.finish()
    assert after.notes == ["属性表按 .cpg 声明的 GBK 解码。"]
    after.notes = []
    _same(after, before)
    assert after.frame["地类名称"].tolist()[::2] == ["水田", "旱地"] and after.geometry[2] is None
    raw = read_isolated(tmp_path / "jbnt.shp")  # through a real worker
    assert raw.notes == ["属性表按 .cpg 声明的 GBK 解码。"]
    raw.notes = []
    _same(raw, after)
    assert raw.crs.to_epsg() == 4525
