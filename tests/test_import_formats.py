"""Import: every input format lands in the right layer with readable Chinese (issue 4)."""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from datafactory import import_file, make_store, points_in, shapefile_zip, xlsx_bytes
from shapely.geometry import Point, box

from xxgeo import crs as xcrs
from xxgeo.errors import ImportRefused
from xxgeo.importers import prepare_import


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store.gpkg")


def survey(code="140828103", n=2):
    """A surveyor's point layer: short Chinese field names (a dbf field name holds 10 bytes)."""
    return gpd.GeoDataFrame({"名称": [f"测绘项目{i}号" for i in range(n)], "类别": ["工业"] * n,
                             "乡镇": ["水头"] * n, "公开": ["是"] * n},
                            geometry=points_in(code, n), crs="EPSG:4326")


def added(store, before=5):
    p = store.read("projects")
    return p.iloc[before:].reset_index(drop=True)


@pytest.mark.parametrize("epsg", [4546, 4525, 4497, 4508])
def test_shapefile_in_gauss_kruger_with_prj(store, tmp_path, epsg):
    g = survey()
    z = shapefile_zip(g.to_crs(epsg), tmp_path / "s.zip")
    res = import_file(z, "projects", store, precision="surveyed")
    assert res.inserted == 2
    new = added(store)
    assert list(new["name"]) == ["测绘项目0号", "测绘项目1号"]
    assert set(new["township_code"]) == {"140828103"}
    assert new["loc_precision"].tolist() == ["surveyed", "surveyed"]
    # back in WGS84 within a centimetre or so
    for got, want in zip(new.geometry, g.geometry):
        assert got.distance(want) < 1e-6


def test_shapefile_without_prj_zone_prefix_is_inferred(store, tmp_path):
    z = shapefile_zip(survey().to_crs(4525), tmp_path / "s.zip", prj=False)
    plan = prepare_import(z, "projects", store, precision="surveyed")
    assert plan.ok, plan.problems
    assert any("EPSG:4525" in n and "带号 37" in n for n in plan.notes)
    assert plan.preview().geometry.iloc[0].distance(points_in("140828103")[0]) < 1e-6


def test_shapefile_without_prj_and_without_zone_prefix_is_refused(store, tmp_path):
    z = shapefile_zip(survey().to_crs(4546), tmp_path / "s.zip", prj=False)
    with pytest.raises(ImportRefused, match="--crs EPSG:4546"):
        prepare_import(z, "projects", store, precision="surveyed")
    plan = prepare_import(z, "projects", store, precision="surveyed", crs="EPSG:4546")
    assert plan.ok and plan.result.inserted == 2


def test_declared_cm_crs_but_prefixed_eastings_switches_to_zone(store, tmp_path):
    g = survey().to_crs(4525).set_crs(4546, allow_override=True)  # .prj says CM 111E, eastings carry 37
    plan = prepare_import(shapefile_zip(g, tmp_path / "s.zip"), "projects", store, precision="surveyed")
    assert plan.ok, plan.problems
    assert any("EPSG:4525" in n for n in plan.notes)


@pytest.mark.parametrize("cpg", [None, "GBK", "936", "GB2312"])
def test_gbk_dbf_with_and_without_cpg(store, tmp_path, cpg):
    z = shapefile_zip(survey(), tmp_path / "s.zip", encoding="GBK", cpg=cpg)
    import_file(z, "projects", store, precision="surveyed")
    assert list(added(store)["name"]) == ["测绘项目0号", "测绘项目1号"]


def test_utf8_cpg_on_gbk_dbf_is_refused_and_encoding_option_fixes_it(store, tmp_path):
    z = shapefile_zip(survey(), tmp_path / "s.zip", encoding="GBK", cpg="UTF-8")
    with pytest.raises(ImportRefused, match=r"\.cpg 文件声明编码为 UTF-8"):
        prepare_import(z, "projects", store, precision="surveyed")
    import_file(z, "projects", store, precision="surveyed", encoding="GBK")
    assert added(store)["name"].iloc[0] == "测绘项目0号"


def test_utf8_dbf_with_long_chinese_field_names(store, tmp_path):
    g = survey().rename(columns={"名称": "项目名称", "类别": "项目类别"})  # cut at 10 bytes inside a character
    res = import_file(shapefile_zip(g, tmp_path / "s.zip"), "projects", store, precision="surveyed")
    assert res.inserted == 2
    assert added(store)["name"].iloc[1] == "测绘项目1号"


def test_shapefile_named_by_its_shp_with_the_parts_beside_it(store, tmp_path):
    """``import 测绘.shp`` (the command line, a folder from a GIS tool): the parts are found by the stem, whatever
    the case of their extensions; the reader works on copies (the truncated field names are repaired there, the
    user's .dbf is never written); a .shp with no .dbf beside it is refused with one sentence."""
    folder = tmp_path / "测绘成果"
    folder.mkdir()
    g = survey().rename(columns={"名称": "项目名称", "类别": "项目类别"})  # cut at 10 bytes inside a character
    g.to_file(folder / "points.shp", encoding="UTF-8")
    (folder / "points.prj").rename(folder / "points.PRJ")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    res = import_file(folder / "points.shp", "projects", store, precision="surveyed")
    assert res.inserted == 2 and list(added(store)["name"]) == ["测绘项目0号", "测绘项目1号"]
    assert not any("坐标系" in n for n in res.notes)  # the .PRJ was found: the CRS is declared
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    (folder / "points.dbf").unlink()
    with pytest.raises(ImportRefused, match=r"只是 Shapefile 的 \.shp 部分，旁边没有同名的 \.dbf"):
        prepare_import(folder / "points.shp", "projects", store, precision="surveyed")


def test_excel_with_title_row_chinese_headers_and_yi_yuan(store, tmp_path):
    p1, p2 = points_in("140828102")[0], points_in("140828105")[0]
    df = pd.DataFrame({"序号": [1, 2], "项目名称": ["新建冷链物流园", "泗交镇温泉康养旅游项目（一期）"],
                       "乡镇": ["裴介", "泗交镇"], "类别": ["物流", "文旅"], "经度": [p1.x, p2.x], "纬度": [p1.y, p2.y],
                       "总投资(亿元)": [1.5, None], "是否公开": ["是", "否"], "建设年限": ["2024-2026年", None]})
    path = tmp_path / "表.xlsx"
    path.write_bytes(xlsx_bytes(df, title="夏县2024年重点项目表"))
    res = import_file(path, "projects", store, precision="surveyed")
    assert (res.inserted, res.updated) == (1, 1)  # the second row matched an existing project by name
    p = store.read("projects").set_index("name")
    new = p.loc["新建冷链物流园"]
    assert new["category"] == "商贸物流" and new["township_code"] == "140828102"
    assert new["investment_wan"] == 15000.0 and new["investment_note"] == "1.5亿元"
    assert (new["start_year"], new["end_year"]) == (2024, 2026)
    assert bool(new["public"]) is True and new["project_id"] == "XM0006"
    old = p.loc["泗交镇温泉康养旅游项目（一期）"]
    assert bool(old["public"]) is False and old["version"] == 2 and old["source_ref"] == "专栏5-1"


def test_csv_gbk_with_swapped_lon_lat(store, tmp_path):
    p = points_in("140828101", 3)
    text = "项目名称,类别,乡镇,经度,纬度\n" + "".join(
        f"康养项目{i},社会民生,庙前,{q.y:.6f},{q.x:.6f}\n" for i, q in enumerate(p))
    path = tmp_path / "swapped.csv"
    path.write_bytes(text.encode("gbk"))
    plan = prepare_import(path, "projects", store, precision="surveyed")
    assert plan.ok, plan.problems
    assert any("3 个要素的经纬度写反了" in n for n in plan.notes)
    assert any("GBK" in n for n in plan.notes)
    got = plan.preview()
    assert got["name"].tolist() == ["康养项目0", "康养项目1", "康养项目2"]
    assert got.geometry.iloc[0].distance(p[0]) < 1e-6


def test_csv_survey_xy_northing_first(store, tmp_path):
    g = gpd.GeoSeries(points_in("140828104"), crs=4326).to_crs(4525)
    text = f"名称,类别,X,Y\n水库项目,生态水利,{g.iloc[0].y:.3f},{g.iloc[0].x:.3f}\n"
    path = tmp_path / "xy.csv"
    path.write_text(text, encoding="utf-8")
    plan = prepare_import(path, "projects", store, precision="surveyed")
    assert plan.ok, plan.problems
    assert any("X 为北坐标" in n for n in plan.notes) and any("EPSG:4525" in n for n in plan.notes)
    assert plan.preview().geometry.iloc[0].distance(points_in("140828104")[0]) < 1e-6


def test_gcj02_and_bd09_coordinates(store, tmp_path):
    w = points_in("140828100")[0]
    g = xcrs.wgs84_to_gcj02(w.x, w.y)
    b = xcrs.wgs84_to_bd09(w.x, w.y)
    for crs, (x, y) in (("gcj02", g), ("bd09", b)):
        path = tmp_path / f"{crs}.csv"
        path.write_text(f"名称,类别,lng,lat\n高德点,城建,{x:.8f},{y:.8f}\n", encoding="utf-8")
        plan = prepare_import(path, "projects", store, precision="surveyed", crs=crs)
        got = plan.preview().geometry.iloc[0]
        assert got.distance(w) < 1e-7, crs  # ~1 cm
        # without --crs the offset (~500 m) stays
        plan_raw = prepare_import(path, "projects", store, precision="surveyed")
        assert plan_raw.preview().geometry.iloc[0].distance(w) > 1e-3


def kml_text(names, pts, folder="工业"):
    marks = "".join(f"<Placemark><name>{n}</name><description>说明&amp;备注</description><Point><coordinates>"
                    f"{p.x},{p.y},0</coordinates></Point></Placemark>" for n, p in zip(names, pts))
    return (f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"<Folder><name>{folder}</name>{marks}</Folder></Document></kml>")


def test_kml_folder_names_are_categories(store, tmp_path):
    path = tmp_path / "奥维.kml"
    path.write_text(kml_text(["禹王乡村振兴示范点", "新材料产业园"], points_in("140828106", 2)), encoding="utf-8")
    res = import_file(path, "projects", store, precision="surveyed")
    new = added(store)
    assert res.inserted == 2 and new["name"].tolist() == ["禹王乡村振兴示范点", "新材料产业园"]
    assert set(new["category"]) == {"工业"}


def test_kmz(store, tmp_path):
    path = tmp_path / "ge.kmz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("doc.kml", kml_text(["谷歌地球地标"], points_in("140828203"), folder="文化旅游"))
        zf.writestr("files/icon.png", b"\x89PNG....")
    import_file(path, "projects", store, precision="surveyed")
    new = added(store)
    assert new["name"].tolist() == ["谷歌地球地标"] and new["category"].tolist() == ["文旅"]


def test_geojson_with_polygon_and_invalid_geometry_repaired(store, tmp_path):
    c = points_in("140828202")[0]
    bow = {"type": "Polygon", "coordinates": [[[c.x, c.y], [c.x + .01, c.y + .01], [c.x + .01, c.y], [c.x, c.y + .01],
                                               [c.x, c.y]]]}
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"项目名称": "胡张乡高标准农田", "类别": "农业", "是否公开": "否"},
         "geometry": bow}]}
    path = tmp_path / "a.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    plan = prepare_import(path, "projects", store, precision="surveyed")
    assert plan.ok, plan.problems
    assert any("几何图形无效" in n and "已自动修复" in n for n in plan.notes)
    assert plan.preview().geometry.iloc[0].is_valid
    import_file(path, "projects", store, precision="surveyed")
    assert added(store)["name"].tolist() == ["胡张乡高标准农田"]


def test_township_indicators_long_and_wide(store, tmp_path):
    long = tmp_path / "long.csv"
    long.write_text("乡镇,指标,年份,数值,单位\n庙前,常住人口,2023,3.2,万人\n140828102,常住人口,2023,2.9,万人\n",
                    encoding="utf-8-sig")
    res = import_file(long, "township_indicators", store)
    assert res.inserted == 2
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(xlsx_bytes(pd.DataFrame({"乡镇名称": ["庙前镇", "水头镇"], "年份": [2023, 2023],
                                              "常住人口(万人)": [3.3, 4.1], "粮食产量(万吨)": [None, 2.5]})))
    res = import_file(wide, "township_indicators", store)
    assert (res.inserted, res.updated) == (2, 1)  # 庙前 2023 常住人口 updated 3.2 -> 3.3
    ti = store.read("township_indicators").set_index(["township_code", "indicator"])
    assert ti.loc[("140828101", "常住人口"), "value"] == 3.3
    assert ti.loc[("140828103", "粮食产量"), "unit"] == "万吨"
    assert len(ti) == 4


def test_official_township_boundaries_replace(store, tmp_path):
    t = store.read("townships")
    # the bureau's file: 12-digit codes (XZQDM) and names (XZQMC), in CGCS2000 3-degree CM 111E
    off = gpd.GeoDataFrame({"XZQDM": [c + "000" for c in t["code"]], "XZQMC": t["name"]},
                           geometry=[g.buffer(-0.0005) for g in t.geometry], crs=4326).to_crs(4546)
    z = shapefile_zip(off, tmp_path / "xzq.zip")
    res = import_file(z, "townships", store, replace=True)
    assert (res.inserted, res.deleted) == (0, 0) and res.updated == 11
    t2 = store.read("townships")
    assert set(t2["boundary_quality"]) == {"official"}
    assert t2["seat_lon"].notna().all() and t2["name"].tolist() == t["name"].tolist()
    # one township missing from a --replace file is refused
    z2 = shapefile_zip(off.iloc[:10], tmp_path / "xzq10.zip")
    plan = prepare_import(z2, "townships", store, replace=True)
    assert any("官方边界缺少乡镇：祁家河乡" in p for p in plan.problems)


def test_xian80_and_beijing54_projection_only_no_datum_shift(store, tmp_path):
    g = survey(n=1)
    for epsg, label in ((2382, "西安80"), (2434, "北京54")):
        # coordinates written as if the point's lon/lat were on that datum (no shift)
        proj = g.set_crs(4610 if epsg == 2382 else 4214, allow_override=True).to_crs(epsg)
        plan = prepare_import(shapefile_zip(proj, tmp_path / f"{epsg}.zip"), "projects", store, precision="surveyed")
        assert any(label in n and "没有做基准转换" in n for n in plan.notes)
        assert plan.preview().geometry.iloc[0].distance(g.geometry.iloc[0]) < 1e-7


def test_gpkg_with_several_layers_needs_source_layer(store, tmp_path):
    path = tmp_path / "many.gpkg"
    survey().to_file(path, layer="甲")
    survey(n=1).to_file(path, layer="乙")
    with pytest.raises(ImportRefused, match="--source-layer"):
        prepare_import(path, "projects", store, precision="surveyed")
    plan = prepare_import(path, "projects", store, precision="surveyed", source_layer="乙")
    assert plan.result.inserted == 1


def test_polygon_into_point_layer_is_a_problem(store, tmp_path):
    path = tmp_path / "v.geojson"
    gpd.GeoDataFrame({"名称": ["某村"], "代码": ["140828100001"], "乡镇": ["瑶峰"]},
                     geometry=[box(111.1, 35.0, 111.11, 35.01)], crs=4326).to_file(path)
    plan = prepare_import(path, "villages", store, precision="surveyed")
    assert any("几何类型 Polygon 不适用于本图层" in p for p in plan.problems)


def test_dms_coordinates(store, tmp_path):
    path = tmp_path / "dms.csv"
    path.write_text("名称,类别,经度,纬度\n度分秒点,交通,111°20'24\"E,35°07'12\"N\n", encoding="utf-8")
    got = prepare_import(path, "projects", store, precision="surveyed").preview().geometry.iloc[0]
    assert got.distance(Point(111.34, 35.12)) < 1e-9


def test_township_only_imports_never_land_on_an_existing_point(store_copy, tmp_path):
    """New projects known only by township go on free slots of the township spiral: inside the township,
    at least half a spacing (130 m) from every project already there — the default store's included."""
    import numpy as np

    from xxgeo.importers import commit_import, prepare_import

    before = store_copy.read("projects")
    csv = tmp_path / "new.csv"
    rows = ["项目名称,类别,乡镇"] + [f"裴介新增项目{i},工业,裴介镇" for i in range(40)]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    plan = prepare_import(csv, "projects", store_copy, precision="surveyed", user="t")
    assert plan.ok, plan.problems
    commit_import(plan, store_copy, user="t")
    after = store_copy.read("projects")
    new = after[~after["project_id"].isin(before["project_id"])]
    assert len(new) == 40 and set(new["loc_precision"]) == {"township"}
    town = store_copy.read("townships").set_index("code").loc["140828102", "geometry"]
    pts = np.array([(g.geoms[0].x, g.geoms[0].y) for g in new.geometry])
    assert all(town.contains(g) for g in new.geometry)
    others = np.array([(p.x, p.y) for g in after.geometry if g is not None and not g.is_empty
                       for p in getattr(g, "geoms", [g]) if p.geom_type == "Point"])
    kx = 111_320.0 * np.cos(np.radians(35.1))
    for x, y in pts:
        d = np.hypot((others[:, 0] - x) * kx, (others[:, 1] - y) * 111_320.0)
        assert np.sort(d)[1] >= 129, (x, y, np.sort(d)[:3])  # [0] is the point itself


def test_a_thousand_township_only_projects_all_land_inside_their_townships(store_copy, tmp_path):
    """Issue 18: 1,000 projects without coordinates were placed partly outside the county (a township's spiral
    ran out of room) and refused. Now each township's points stay inside it, closer together when many must fit,
    with township precision; the whole import passes validation."""
    from xxgeo.importers import commit_import, prepare_import

    towns = store_copy.read("townships")
    names = list(towns["name"])
    rows = ["项目名称,类别,乡镇"] + [f"批量项目{i},工业,{names[i % 3]}" for i in range(1000)]
    csv = tmp_path / "many.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    plan = prepare_import(csv, "projects", store_copy, precision="surveyed", user="t")
    assert plan.ok, plan.problems[:3]
    commit_import(plan, store_copy, user="t")
    after = store_copy.read("projects")
    new = after[after["name"].str.startswith("批量项目")]
    assert len(new) == 1000 and set(new["loc_precision"]) == {"township"}
    cells = towns.set_index("code").geometry
    assert all(cells[c].contains(g) for c, g in zip(new["township_code"], new.geometry))
    assert new.geometry.map(lambda g: (round(g.geoms[0].x, 7), round(g.geoms[0].y, 7))).is_unique
    assert store_copy.validate().ok


def test_negative_amounts_are_refused_on_every_route(store, tmp_path):
    """An amount (万元) may not be negative whatever the route: an import (column-wise or row by row: 10 and 100 rows),
    an edit and a new row all refuse it in one sentence, each language, and write nothing."""
    from xxgeo.errors import ValidationFailed
    from xxgeo.io.wording import note_text

    before = store.version()
    for n in (10, 100):
        p = points_in("140828101", n)
        text = "项目名称,类别,乡镇,经度,纬度,总投资（万元）\n" + "".join(
            f"负数项目{i},工业,庙前,{q.x:.6f},{q.y:.6f},{-5 if i == 3 else 12.5}\n" for i, q in enumerate(p))
        path = tmp_path / f"neg{n}.csv"
        path.write_text(text, encoding="utf-8")
        plan = prepare_import(path, "projects", store, precision="surveyed")
        bad = [m for m in plan.problems if "不能为负数" in m]
        assert len(bad) == 1 and bad[0].startswith("第5行（") and bad[0].endswith(
            "）：字段“总投资（规划所述）”（investment_wan）不能为负数：-5.0"), plan.problems
        assert "The field investment_wan must not be negative: -5.0" in note_text(bad[0], "en")
    pid = str(store.read("projects")["project_id"].iloc[0])
    with pytest.raises(ValidationFailed, match="不能为负数"):
        store.update_feature("projects", pid, {"investment_wan": -1}, user="t")
    assert store.version() == before
