"""Issue 17 item 5: exports people can read — a shapefile export is a .zip (and says so), full-layer Excel/CSV
carry 经度/纬度 for points and WKT only for other geometries, names beside internal ids, the app's Excel and
CSV downloads have one column list, the Excel's notes describe the filter in words; all of it imports back."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
import shapely
from datafactory import import_file

from xxgeo import cli
from xxgeo.export import export_layer, write
from xxgeo.mapping import MapFilter, describe_filter, filter_projects
from xxgeo.names import township_names
from xxgeo.policy import GuardedStore, operator
from xxgeo.store import GpkgStore


def _table(res) -> pd.DataFrame:
    if res.fmt == "csv":
        return pd.read_csv(io.BytesIO(res.data), encoding="utf-8-sig", dtype=str)
    return pd.read_excel(io.BytesIO(res.data), sheet_name=0, dtype=str)


def test_shp_name_is_written_as_zip_and_said_so(built_store_path, tmp_path, capsys):
    out = tmp_path / "项目.shp"
    assert cli.main(["export", "--layer", "projects", "--format", "shp", "--out", str(out), "--store",
                     str(built_store_path)]) == 0
    printed = capsys.readouterr().out
    assert not out.exists() and (tmp_path / "项目.zip").exists()
    assert zipfile.is_zipfile(tmp_path / "项目.zip")
    assert "项目.zip" in printed and printed.count("打包写为") == 1
    assert f"到 {tmp_path / '项目.zip'}" in printed
    assert cli.main(["export", "--layer", "projects", "--format", "shp", "--out", str(tmp_path / "p.shp"), "--store",
                     str(built_store_path), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "written as the zip p.zip (not p.shp)" in printed and "Exported " in printed
    import re

    assert not re.search(r"[\u4e00-\u9fff]", printed), printed  # all in English


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_points_as_lon_lat_and_wkt_only_for_other_geometries(built_store_path, fmt):
    store = GuardedStore(GpkgStore(built_store_path), operator("t"))
    p = store.read("projects").set_index("project_id")
    df = _table(export_layer(store, "projects", fmt)).set_index("项目编号")
    assert {"经度", "纬度", "几何WKT"} <= set(df.columns)
    parts = shapely.get_num_geometries  # a Point is one part, as a one-part MultiPoint is
    assert all(parts(p.loc[i, "geometry"]) > 1 for i in df.index[df["几何WKT"].notna()])  # multi-part only
    one = [i for i, g in p.geometry.items() if g is not None and parts(g) == 1]
    several = [i for i, g in p.geometry.items() if g is not None and parts(g) > 1]
    assert one and several
    g = shapely.get_geometry(p.loc[one[0], "geometry"], 0)
    assert float(df.loc[one[0], "经度"]) == pytest.approx(g.x) and float(df.loc[one[0], "纬度"]) == pytest.approx(g.y)
    assert pd.isna(df.loc[one[0], "几何WKT"])
    assert df.loc[several[0], "几何WKT"].startswith("MULTIPOINT") and pd.isna(df.loc[several[0], "经度"])
    # a layer of lines has no 经度/纬度, a layer of single points no WKT
    roads = _table(export_layer(store, "roads", fmt))
    assert "经度" not in roads.columns and (roads["几何WKT"].dropna().str.contains("LINESTRING")).all()
    places = _table(export_layer(store, "places", fmt))
    assert {"经度", "纬度"} <= set(places.columns) and "几何WKT" not in places.columns
    # names beside internal ids
    assert "园区名称" in df.columns and "裴介“六新”产业集聚区" in set(df["园区名称"].dropna())
    assert "乡镇名称" in df.columns and "裴介镇" in "".join(df["乡镇名称"].dropna())


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_full_layer_with_points_and_multipoints_imports_back(store_copy, tmp_path, fmt):
    orig = store_copy.read("projects").set_index("project_id").sort_index()
    path = write(export_layer(GuardedStore(store_copy, operator("t")), "projects", fmt), tmp_path)
    store_copy.write_layers({"projects": orig.iloc[0:0].reset_index()}, audit=False)
    out = import_file(path, "projects", store_copy)
    assert out.inserted == len(orig)
    got = store_copy.read("projects").set_index("project_id").sort_index()
    for a, b in zip(got.geometry, orig.geometry):
        assert (a is None) == (b is None)
        if a is not None:
            assert np.allclose(shapely.get_coordinates(a), shapely.get_coordinates(b), atol=1e-6)
    assert got["park_id"].fillna("").tolist() == orig["park_id"].fillna("").tolist()


def test_filter_described_in_words():
    towns = {"140828102": "裴介镇", "140828103": "水头镇"}
    flt = MapFilter(townships=("140828102",), categories=("工业",))
    assert describe_filter(flt, towns) == "乡镇：裴介镇；类别：工业"
    assert describe_filter(MapFilter(park="peijie", invest_min=1000), towns, {"peijie": "裴介园"}) == \
        "园区：裴介园；总投资不少于 1,000 万元"
    assert describe_filter(MapFilter(), towns) == "无（全部项目）"
    assert describe_filter(flt, towns, lang="en") == "townships: 裴介镇; categories: 工业"


def test_the_apps_excel_and_csv_have_one_column_list(dataset):
    from xxgeo.views.context import ViewContext
    from xxgeo.views.planning import _download

    flt = MapFilter(townships=("140828102",), categories=("工业",))
    sel = filter_projects(dataset["projects"], flt)
    ctx = ViewContext(store=None, dataset=dataset)
    xlsx = pd.read_excel(io.BytesIO(_download(sel, ctx, flt, "xlsx")), sheet_name=None, dtype=str)
    csv = pd.read_csv(io.BytesIO(_download(sel, ctx, flt, "csv")), encoding="utf-8-sig", dtype=str)
    data = xlsx["项目"]
    assert list(data.columns) == list(csv.columns) and len(data) == len(csv) == len(sel)
    notes = xlsx["说明"].to_string()
    assert "乡镇：裴介镇；类别：工业" in notes and "MapFilter" not in notes
    assert "裴介“六新”产业集聚区" in set(data["园区名称"].dropna())
    assert township_names(dataset["townships"])["140828102"] in "".join(data["乡镇名称"].dropna())
