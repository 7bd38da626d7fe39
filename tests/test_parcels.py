"""Available parcels (issue 15): import, areas, checklist, the public's share, exports (both backends)."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from datafactory import import_file
from parcelfactory import EXPECTED_MU, PARK_ID, SECRET_NAME, surveyor_zip

from xxgeo import parcels as xp
from xxgeo.export import export_layer
from xxgeo.policy import PUBLIC, Actor, GuardedStore, public_frame
from xxgeo.validation import validate_frame


@pytest.fixture
def with_parcels(any_store, tmp_path):
    res = import_file(surveyor_zip(tmp_path / "dk.zip"), "parcels", any_store, user="测绘")
    assert res.inserted == 3
    return any_store


def test_surveyor_shapefile_imports_with_correct_mu(with_parcels):
    p = with_parcels.read("parcels").set_index("parcel_id")
    assert sorted(p.index) == ["PJ-01", "PJ-02", "PJ-03"]
    for pid, mu in EXPECTED_MU.items():
        assert p.loc[pid, "area_mu"] == pytest.approx(mu, abs=0.05)
        assert p.loc[pid, "stated_area_mu"] == pytest.approx(mu + 0.3, abs=0.01)
    r = p.loc["PJ-01"]
    assert r["name"] == "裴介东区一号地块" and r["park_id"] == PARK_ID and r["land_use"] == "工业"
    assert r["supply"] == "出让" and r["price"] == 15 and r["price_unit"] == "万元/亩" and r["far"] == "1.0-2.5"
    assert r["investment_intensity"] == 300 and r["tax_per_mu"] == 15 and r["status"] == "可供"
    assert [bool(r[f]) if not pd.isna(r[f]) else None for f in ("road", "power", "water", "telecom", "drainage",
                                                                 "gas", "heating", "leveled")] == [
        True, True, True, True, False, None, False, True]
    assert bool(p.loc["PJ-01", "public"]) and not bool(p.loc["PJ-03", "public"])
    assert p.loc["PJ-01", "source"].startswith("用户导入")
    assert not validate_frame("parcels", with_parcels.read("parcels"))
    log = with_parcels.read("audit_log")
    assert (log["layer"] == "parcels").sum() >= 3 and "测绘" in set(log["user"])


def test_reimport_is_unchanged_and_editing_a_geometry_recomputes_mu(with_parcels, tmp_path):
    res = import_file(surveyor_zip(tmp_path / "again.zip"), "parcels", with_parcels)
    assert (res.inserted, res.updated, res.unchanged) == (0, 0, 3)


def test_non_public_parcel_is_invisible_to_the_public(with_parcels):
    pub = GuardedStore(with_parcels, PUBLIC)
    p = pub.read("parcels")
    assert sorted(p["parcel_id"]) == ["PJ-01", "PJ-02"] and SECRET_NAME not in set(p["name"])
    assert SECRET_NAME not in set(pub.load()["parcels"]["name"])
    frame = public_frame("parcels", with_parcels.read("parcels"))
    assert "public" not in frame.columns and len(frame) == 2


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "xlsx", "csv", "kml"])
def test_public_only_exports_never_let_the_hidden_parcel_out(with_parcels, fmt):
    res = export_layer(GuardedStore(with_parcels, PUBLIC), "parcels", fmt, public_only=True)
    assert res.rows == 2
    data = res.data
    if fmt == "shp":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data = b"".join(zf.read(n) for n in zf.namelist())
    for enc in ("utf-8", "gbk"):
        assert SECRET_NAME.encode(enc) not in data and "PJ-03".encode(enc) not in data
    full = export_layer(GuardedStore(with_parcels, Actor("li", "editor")), "parcels", fmt)
    assert full.rows == 3
    if fmt == "geojson":
        props = json.loads(data)["features"][0]["properties"]
        assert "public" not in props and props["area_mu"] > 0


def test_numbers_filters_and_checklist(with_parcels):
    p = xp.of_park(with_parcels.read("parcels"), PARK_ID)
    nums = xp.numbers(p)
    assert [nums[i] for i in p["parcel_id"]] == [1, 2, 3]
    assert list(xp.filter_parcels(p, mu_min=50)["parcel_id"]) == ["PJ-02"]
    assert list(xp.filter_parcels(p, uses=("仓储",))["parcel_id"]) == ["PJ-02"]
    marks = [v for _zh, _en, v in xp.checklist(p.iloc[0])]
    assert marks == [True, True, True, True, False, None, False, True]


def test_template_has_the_headers_the_importer_reads(any_store, tmp_path):
    from xxgeo.io.columns import target_of

    raw = pd.read_excel(io.BytesIO(xp.template_xlsx()), sheet_name="地块")
    targets = {target_of("parcels", c)[0] for c in raw.columns}
    assert {"parcel_id", "name", "park_id", "stated_area_mu", "land_use", "supply", "price", "far",
            "investment_intensity", "tax_per_mu", "road", "leveled", "status", "public"} <= targets


def test_excel_with_chinese_headers_updates_and_adds(with_parcels, tmp_path):
    df = pd.DataFrame({"地块编号": ["PJ-01", "PJ-04"], "供地状态": ["洽谈中", "可供"], "通燃气": ["有", "未知"],
                       "面积（平方米）": [None, 6666.67], "是否公开": ["是", "是"],
                       "几何WKT": [None, "POLYGON((111.12 35.09, 111.121 35.09, 111.121 35.091, 111.12 35.091, "
                                        "111.12 35.09))"]})
    path = tmp_path / "地块.xlsx"
    df.to_excel(path, index=False)
    res = import_file(path, "parcels", with_parcels)
    assert (res.inserted, res.updated) == (1, 1)
    p = with_parcels.read("parcels").set_index("parcel_id")
    assert p.loc["PJ-01", "status"] == "洽谈中" and bool(p.loc["PJ-01", "gas"])
    assert p.loc["PJ-01", "area_mu"] == pytest.approx(30.0, abs=0.05)  # kept
    assert p.loc["PJ-04", "stated_area_mu"] == pytest.approx(10.0, abs=0.01)
    assert p.loc["PJ-04", "area_mu"] > 0 and pd.isna(p.loc["PJ-04", "gas"])


def test_a_bad_checklist_value_is_one_sentence_and_changes_nothing(with_parcels, tmp_path):
    from xxgeo.errors import ValidationFailed

    before = with_parcels.read("parcels")
    path = tmp_path / "bad.xlsx"
    pd.DataFrame({"地块编号": ["PJ-01"], "通电": ["大概吧"]}).to_excel(path, index=False)
    with pytest.raises(ValidationFailed, match="通电"):
        import_file(path, "parcels", with_parcels)
    assert with_parcels.read("parcels").drop(columns="geometry").equals(before.drop(columns="geometry"))


@pytest.mark.parametrize("fmt", ["xlsx", "shp", "geojson", "kml"])
def test_exports_import_back_unchanged(with_parcels, tmp_path, fmt):
    res = export_layer(GuardedStore(with_parcels, Actor("li", "editor")), "parcels", fmt)
    path = tmp_path / res.filename
    path.write_bytes(res.data)
    back = import_file(path, "parcels", with_parcels)
    assert (back.inserted, back.updated, back.unchanged) == (0, 0, 3), back.notes


def test_geopackage_in_gauss_kruger_with_chinese_columns(any_store, tmp_path):
    from parcelfactory import surveyor_frame

    path = tmp_path / "地块.gpkg"
    surveyor_frame().to_file(path, driver="GPKG")
    import_file(path, "parcels", any_store)
    p = any_store.read("parcels").set_index("parcel_id")
    assert p.loc["PJ-02", "area_mu"] == pytest.approx(EXPECTED_MU["PJ-02"], abs=0.05)
    assert p.loc["PJ-02", "land_use"] == "仓储"
