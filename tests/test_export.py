"""Export: six formats, filters, the public-only rule, and a Chinese-name round trip for every format."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from datafactory import import_file, make_store

from xxgeo.errors import ImportRefused, NotFound
from xxgeo.export import FORMATS, export_layer, write
from xxgeo.policy import PUBLIC, GuardedStore, operator


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store.gpkg")


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_every_chinese_name(store, tmp_path, fmt):
    orig = store.read("projects").set_index("project_id").sort_index()
    res = export_layer(GuardedStore(store, operator("t")), "projects", fmt)
    path = write(res, tmp_path)
    fresh = make_store(tmp_path / "fresh.gpkg")
    fresh.write_layers({"projects": orig.iloc[0:0].reset_index()}, audit=False)  # empty the layer
    out = import_file(path, "projects", fresh)
    assert out.inserted == len(orig) == res.rows
    got = fresh.read("projects").set_index("project_id").sort_index()
    assert got["name"].tolist() == orig["name"].tolist()
    for col in ("category", "township_code", "loc_precision", "status"):
        assert got[col].fillna("").tolist() == orig[col].fillna("").tolist(), col
    assert got["investment_wan"].fillna(-1).tolist() == orig["investment_wan"].fillna(-1).tolist()
    assert got["public"].tolist() == orig["public"].tolist()
    for a, b in zip(got.geometry, orig.geometry):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.distance(b) < 1e-6
    # importing the same file again into the original store changes nothing
    again = import_file(path, "projects", store)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(orig))


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_only_never_leaks(store, tmp_path, fmt):
    res = export_layer(GuardedStore(store, operator("t")), "projects", fmt, public_only=True)
    assert res.rows == 4
    blob = res.data if fmt not in ("shp", "xlsx") else _unzipped_text(res.data)
    text = blob.decode("utf-8", errors="ignore") if isinstance(blob, bytes) else blob
    if fmt == "gpkg":
        text = _gpkg_text(tmp_path, res.data)
    assert "内部储备" not in text and "XM0004" not in text
    assert "内部测算" not in text and "规划原文一" not in text
    for field, label in (("version", "版本"), ("investment_note", "投资原文"), ("source_text", "规划原文"),
                         ("public", "是否公开")):
        assert f'"{field}"' not in text and f"<{field}" not in text and f"{field} " not in text, field
        assert label not in text, label
    assert "INVEST_NOT" not in text and "SRC_TEXT" not in text and "investment_note," not in text


def _unzipped_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(zf.read(n).decode("utf-8", errors="ignore") for n in zf.namelist())


def _gpkg_text(tmp_path, data: bytes) -> str:
    import pyogrio

    p = tmp_path / "x.gpkg"
    p.write_bytes(data)
    df = pyogrio.read_dataframe(p)
    return " ".join(df.columns) + " " + df.drop(columns="geometry").astype(str).to_csv()


def test_the_public_may_export_only_public_data(store):
    from xxgeo.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="只能导出公开数据"):
        export_layer(GuardedStore(store, PUBLIC), "projects", "csv")
    assert export_layer(GuardedStore(store, PUBLIC), "projects", "csv", public_only=True).rows == 4


def test_public_only_refuses_internal_layers(store):
    with pytest.raises(ImportRefused, match="内部数据"):
        export_layer(GuardedStore(store, operator("t")), "audit_log", "csv", public_only=True)


def test_shapefile_zip_has_prj_utf8_cpg_and_field_mapping(store):
    res = export_layer(GuardedStore(store, operator("t")), "projects", "shp")
    with zipfile.ZipFile(io.BytesIO(res.data)) as zf:
        names = set(zf.namelist())
        assert {"projects.shp", "projects.shx", "projects.dbf", "projects.prj", "projects.cpg"} <= names
        assert zf.read("projects.cpg") == b"UTF-8"
        assert "GCS_WGS_1984" in zf.read("projects.prj").decode() or "WGS" in zf.read("projects.prj").decode()
        mapping = pd.read_csv(io.BytesIO(zf.read("字段对照表.csv")), encoding="utf-8-sig")
    row = mapping.set_index("字段").loc["investment_wan"]
    assert row["shapefile字段"] == "INVEST_WAN" and row["中文名"] == "总投资（规划所述，万元）"
    assert mapping["shapefile字段"].str.len().max() <= 10 and mapping["shapefile字段"].is_unique
    assert any("字段对照表" in n for n in res.notes)


def test_excel_has_chinese_headers_with_units(store):
    res = export_layer(GuardedStore(store, operator("t")), "projects", "xlsx", township="裴介")
    df = pd.read_excel(io.BytesIO(res.data), sheet_name=None)
    data = df["项目"]
    assert {"项目编号", "项目名称", "总投资（规划所述，"
    "万元）", "是否公开", "位置精度", "经度", "纬度"} <= set(data.columns)
    assert data["项目名称"].tolist() == ["夏县“六新”产业集聚区标准化厂房"]
    assert data["是否公开"].tolist() == ["是"] and data["位置精度"].tolist() == ["乡镇示意点"]
    assert "说明" in df and "乡镇=裴介" in df["说明"].to_string()


def test_csv_is_utf8_with_bom(store):
    res = export_layer(GuardedStore(store, operator("t")), "projects", "csv", category="文化旅游")
    assert res.data.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(res.data), encoding="utf-8-sig")
    assert sorted(df["项目名称"]) == sorted(["泗交镇温泉康养旅游项目（一期）", "内部储备：禹王城遗址片区综合开发"])


def test_kml_escapes_and_styles(store):
    res = export_layer(GuardedStore(store, operator("t")), "projects", "kml")
    text = res.data.decode("utf-8")
    assert "<name>水头镇光伏发电&amp;储能&lt;示范&gt;项目</name>" in text
    assert "&lt;示范&gt;" in text and "<示范>" not in text
    assert "&amp;amp;" in text  # the HTML description escapes & once more, so Google Earth shows a plain &
    assert "<styleUrl>#c" in text and "<Point>" in text


def test_filters(store):
    assert export_layer(GuardedStore(store, operator("t")), "projects", "csv", township="140828103").rows == 1
    assert export_layer(GuardedStore(store, operator("t")), "projects", "csv", township="水头镇").rows == 1
    with pytest.raises(NotFound, match="没有名为“火星镇”的乡镇"):
        export_layer(GuardedStore(store, operator("t")), "projects", "csv", township="火星镇")
    with pytest.raises(NotFound, match="类别"):
        export_layer(GuardedStore(store, operator("t")), "projects", "csv", category="太空")
    with pytest.raises(NotFound, match="没有几何"):
        export_layer(GuardedStore(store, operator("t")), "township_indicators", "kml")
