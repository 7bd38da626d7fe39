"""A GeoPackage table is read through GDAL's Arrow stream (io/readers._stored_table), a view feature by feature:
the table an import sees is the same either way — values, empties, dates, yes/no, numbers — and what the importer
maps from it is the same."""

from __future__ import annotations

import datetime as dt
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from xxgeo.io import columns as colmap
from xxgeo.io import readers


def _typed(path):
    n = 6
    gdf = gpd.GeoDataFrame({
        "项目名称": ["甲", "乙", None, " 丙 ", "", "丁"],
        "总投资": [1.5, np.nan, 3.0, 0.0, -2.0, 1e12],
        "开工年份": pd.array([2021, None, 2023, 2024, None, 2026], dtype="Int64"),
        "是否公开": pd.array([True, False, None, True, False, True], dtype="boolean"),
        "填报日期": [dt.date(2026, 1, 2), None, dt.date(2026, 3, 4), dt.date(2026, 5, 6), None, dt.date(2026, 7, 8)],
        "类别": ["工业"] * n,
    }, geometry=shapely.points(np.linspace(111.1, 111.3, n), np.linspace(35.0, 35.2, n)), crs=4326)
    gdf.loc[2, "geometry"] = None
    pyogrio.write_dataframe(gdf, path, layer="projects")


def _plain(frame) -> list:
    return [[None if (not isinstance(v, str) and pd.isna(v)) else v for v in row]
            for row in frame.astype(object).itertuples(index=False)]


def test_a_table_reads_the_same_through_arrow_as_feature_by_feature(tmp_path, monkeypatch):
    p = tmp_path / "typed.gpkg"
    _typed(p)
    assert readers._stored_table(p, "projects")
    fast = readers.read_gpkg(p, "typed.gpkg", None, "projects")
    monkeypatch.setattr(readers, "_stored_table", lambda path, layer: False)
    slow = readers.read_gpkg(p, "typed.gpkg", None, "projects")
    assert list(fast.frame.columns) == list(slow.frame.columns)
    assert _plain(fast.frame) == _plain(slow.frame)
    assert [None if g is None else g.wkb for g in fast.geometry] == [None if g is None else g.wkb
                                                                       for g in slow.geometry]
    towns = gpd.GeoDataFrame({"code": ["1"], "name": ["甲镇"], "kind": ["镇"]}, geometry=[None], crs=4326)
    a = colmap.map_columns(fast.frame, "projects", townships=towns)
    b = colmap.map_columns(slow.frame, "projects", townships=towns)
    assert _plain(a.frame) == _plain(b.frame) and a.problems == b.problems and a.notes == b.notes


def test_a_view_is_not_read_through_arrow(tmp_path):
    p = tmp_path / "v.gpkg"
    _typed(p)
    con = sqlite3.connect(p)
    con.execute("CREATE VIEW v AS SELECT * FROM projects")
    con.commit()
    con.close()
    assert readers._stored_table(p, "projects") and not readers._stored_table(p, "v")
    assert not readers._stored_table(tmp_path / "missing.gpkg", "projects")
