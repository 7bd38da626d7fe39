"""Import refusals: hostile or broken files and invalid rows are refused with one Chinese sentence, and the
store file is byte-identical afterwards (issue 4)."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import geopandas as gpd
import pytest
from datafactory import import_file, make_store, points_in, shapefile_zip

from xxgeo.errors import ImportRefused, ValidationFailed, XxgeoError


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store.gpkg")


def refused(store, path, exc=ImportRefused, **kw) -> str:
    """Import ``path``; assert it is refused with ``exc`` and the store is byte-identical; return the message."""
    before = store.path.read_bytes()
    with pytest.raises(exc) as info:
        import_file(path, kw.pop("layer", "projects"), store, precision="surveyed", **kw)
    assert store.path.read_bytes() == before
    msg = info.value.message
    assert msg.endswith("。") and "\n" not in msg and "Traceback" not in msg
    return msg


def good_zip_bytes(tmp_path) -> bytes:
    g = gpd.GeoDataFrame({"名称": ["甲"], "类别": ["工业"]}, geometry=points_in("140828100"), crs=4326)
    return shapefile_zip(g, tmp_path / "good.zip").read_bytes()


def test_zip_bomb_by_ratio(store, tmp_path):
    p = tmp_path / "bomb.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.dbf", b"\0" * (40 * 1024 * 1024))
        zf.writestr("data.shp", b"\0" * 100)
    assert "压缩炸弹" in refused(store, p)


def test_zip_bomb_by_total_declared_size(store, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_MAX_UNPACKED_MB", "1")  # the limit is a setting, handed to the parsing worker
    p = tmp_path / "big.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.shp", os.urandom(700_000))
        zf.writestr("a.dbf", os.urandom(700_000))
    assert "超过上限" in refused(store, p)


def test_member_larger_than_declared(store, tmp_path):
    """A member whose header understates its size: caught while extracting, never written in full."""
    data = good_zip_bytes(tmp_path)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = next(i for i in zf.infolist() if i.filename.endswith(".dbf"))
    real = info.file_size
    buf = bytearray(data)
    # patch the uncompressed size in the local header and the central directory to 10 bytes
    lh = info.header_offset
    struct.pack_into("<I", buf, lh + 22, 10)
    cd = buf.find(b"PK\x01\x02")
    while cd != -1:
        name_len = struct.unpack_from("<H", buf, cd + 28)[0]
        if bytes(buf[cd + 46:cd + 46 + name_len]).decode() == info.filename:
            struct.pack_into("<I", buf, cd + 24, 10)
        cd = buf.find(b"PK\x01\x02", cd + 4)
    p = tmp_path / "liar.zip"
    p.write_bytes(bytes(buf))
    assert real > 10
    msg = refused(store, p)
    assert "data.dbf" in msg and ("比声明的大" in msg or "无法解压" in msg or "不完整" in msg)


@pytest.mark.parametrize("name", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp", "..\\evil.shp"])
def test_path_traversal(store, tmp_path, name):
    p = tmp_path / "trav.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr(name, b"x")
        zf.writestr("ok.dbf", b"x")
    assert "不安全的路径" in refused(store, p)
    assert not (tmp_path.parent / "evil.shp").exists()


def test_random_bytes(store, tmp_path):
    p = tmp_path / "random.bin"
    p.write_bytes(bytes(range(256)) * 40 + os.urandom(4000))
    assert "无法识别文件" in refused(store, p)


def test_random_bytes_named_gpkg(store, tmp_path):
    p = tmp_path / "x.gpkg"
    p.write_bytes(os.urandom(5000))
    assert "扩展名是 .gpkg" in refused(store, p)


def test_truncated_zip(store, tmp_path):
    data = good_zip_bytes(tmp_path)
    p = tmp_path / "cut.zip"
    p.write_bytes(data[: len(data) // 2])
    assert "不完整或已损坏" in refused(store, p)


def test_text_file_renamed_zip(store, tmp_path):
    p = tmp_path / "notes.zip"
    p.write_text("这不是压缩包，只是一段文字。\n第二行\n", encoding="utf-8")
    msg = refused(store, p)
    assert "扩展名是 .zip" in msg and "纯文本" in msg


def test_empty_file(store, tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    assert "是空的" in refused(store, p)


def test_old_xls(store, tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "另存为” .xlsx" in refused(store, p)


def test_lone_shp(store, tmp_path):
    z = zipfile.ZipFile(io.BytesIO(good_zip_bytes(tmp_path)))
    p = tmp_path / "data.shp"
    p.write_bytes(z.read("data.shp"))
    assert "打成 zip 压缩包" in refused(store, p)


def test_shapefile_zip_without_dbf(store, tmp_path):
    z = zipfile.ZipFile(io.BytesIO(good_zip_bytes(tmp_path)))
    p = tmp_path / "nodbf.zip"
    with zipfile.ZipFile(p, "w") as out:
        for n in z.namelist():
            if not n.endswith(".dbf"):
                out.writestr(n, z.read(n))
    assert "缺少属性表（.dbf）" in refused(store, p)


def test_truncated_geojson(store, tmp_path):
    p = tmp_path / "cut.geojson"
    p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"名称": "甲"',
                 encoding="utf-8")
    assert "GeoJSON" in refused(store, p)


def test_kml_with_entities(store, tmp_path):
    p = tmp_path / "lol.kml"
    p.write_text('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml><Document>&a;</Document></kml>',
                 encoding="utf-8")
    assert "DOCTYPE" in refused(store, p)


def test_mojibake_is_never_stored(store, tmp_path):
    p = tmp_path / "garbled.csv"
    p.write_text("项目名称,类别\n" + "夏县新项目".encode("gbk").decode("latin-1") + ",工业\n", encoding="utf-8")
    assert "乱码" in refused(store, p)


def test_far_away_data_means_wrong_crs(store, tmp_path):
    p = tmp_path / "beijing.csv"
    p.write_text("项目名称,类别,经度,纬度\n北京某项目,工业,116.40,39.90\n", encoding="utf-8")
    assert "不在夏县附近" in refused(store, p)


def test_rows_with_problems_are_all_reported(store, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("项目编号,项目名称,类别,乡镇,总投资(万元),是否公开\n"
                 "XM0100,甲项目,工业,不存在镇,100,是\n"
                 "XM0101,,农业,庙前,abc,是\n"
                 "XM0101,丙项目,太空,庙前,5,也许\n", encoding="utf-8")
    msg = refused(store, p, ValidationFailed)
    assert msg.startswith("导入被拒绝，数据库未改动：")
    with pytest.raises(ValidationFailed) as info:
        import_file(p, "projects", store, precision="surveyed")
    probs = "\n".join(info.value.problems)
    for want in ("乡镇“不存在镇”不存在", "应为数字", "应为“是”或“否”", "编号“XM0101”与第3行重复"):
        assert want in probs, probs


def test_point_outside_the_county(store, tmp_path):
    p = tmp_path / "near.csv"
    p.write_text("项目名称,类别,经度,纬度\n县外项目,工业,111.90,35.10\n", encoding="utf-8")
    assert "不在夏县范围内" in refused(store, p, ValidationFailed)


def test_audit_log_cannot_be_imported(store, tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("at,user\n1,2\n", encoding="utf-8")
    assert "audit_log" in refused(store, p, layer="audit_log")


def test_every_refusal_is_an_xxgeo_error(store, tmp_path):
    """What the CLI and the views catch (XxgeoError) is what a refused import raises, with its one sentence."""
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(XxgeoError) as info:
        import_file(p, "projects", store, precision="surveyed")
    assert type(info.value) is ImportRefused and str(info.value) == info.value.message and info.value.exit_code == 2
    assert issubclass(ValidationFailed, XxgeoError)


def test_repeated_headers_that_meet_a_name_the_file_has_import(store, tmp_path):
    """``项目名称,项目名称,项目名称_2``: the second is renamed _2_2 rather than onto the third (which once gave two
    columns of one name and a traceback); the first 项目名称 is the name, the others are listed as not imported."""
    pt = points_in("140828200")[0]
    p = tmp_path / "dup.csv"
    p.write_text(f"项目名称,项目名称,项目名称_2,类别,经度,纬度\n重名表头项目,甲,乙,工业,{pt.x},{pt.y}\n",
                 encoding="utf-8")
    res = import_file(p, "projects", store, precision="surveyed")
    assert res.inserted == 1
    assert "重名表头项目" in set(store.read("projects")["name"])
