"""Schema validation, the store's transactions, backups, versions and audit log."""

import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from xxgeo import validation
from xxgeo.errors import NotFound, StaleEdit, StoreError, ValidationFailed
from xxgeo.store import GpkgStore, open_store


def test_validate_frame_reports_readable_problems():
    df = gpd.GeoDataFrame({"project_id": ["A", "A", "B"], "name": ["甲", None, "丙"],
                           "category": ["工业", "工业", "火星"], "source_ref": ["专栏6-2"] * 3,
                           "loc_precision": ["township"] * 3, "public": [True, True, True],
                           "investment_wan": [1.0, "很多", None]},
                          geometry=[Point(111.2, 35.1), Point(0, 0), None], crs=4326)
    county = Point(111.2, 35.1).buffer(0.3)
    probs = validation.validate_frame("projects", df, county=county)
    text = "\n".join(str(p) for p in probs)
    assert "编号重复：A" in text
    assert "必填字段“项目名称”（name）为空" in text
    assert "“火星”不在允许范围" in text
    assert "应为数字" in text
    assert "不在夏县范围内" in text
    assert len([p for p in probs if p.severity == "error"]) == 5


def test_validate_passes_on_default_store(built_store_path):
    rep = GpkgStore(built_store_path).validate()
    assert rep.ok, "\n".join(map(str, rep.errors))


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="python -m xxgeo build"):
        GpkgStore(tmp_path / "nope.gpkg").read("projects")


def test_not_a_geopackage_is_refused(tmp_path):
    p = tmp_path / "bad.gpkg"
    p.write_bytes(b"this is not sqlite")
    with pytest.raises(StoreError, match="不是有效的 GeoPackage"):
        GpkgStore(p).layer_names()


def test_env_var_selects_store(monkeypatch, tmp_path):
    monkeypatch.setenv("XXGEO_STORE", str(tmp_path / "x.gpkg"))
    assert str(open_store().path) == str(tmp_path / "x.gpkg")


def test_update_feature_versions_audit_and_stale_refusal(any_store):
    pid = any_store.read("projects")["project_id"].iloc[0]
    v = any_store.update_feature("projects", pid, {"status": "在建"}, user="甲", expected_version=1)
    assert v == 2
    p = any_store.read("projects").set_index("project_id").loc[pid]
    assert p["status"] == "在建" and p["version"] == 2
    n_audit = len(any_store.read("audit_log"))
    with pytest.raises(StaleEdit, match="已被他人修改"):
        any_store.update_feature("projects", pid, {"status": "建成"}, user="乙", expected_version=1)
    assert any_store.read("projects").set_index("project_id").loc[pid, "status"] == "在建"
    log = any_store.read("audit_log")
    assert len(log) == n_audit
    last = log.iloc[-1]
    assert last["user"] == "甲" and last["feature_id"] == pid and "在建" in last["after"]


def test_stale_edit_leaves_the_file_untouched(store_copy):
    pid = store_copy.read("projects")["project_id"].iloc[0]
    store_copy.update_feature("projects", pid, {"status": "在建"}, user="甲", expected_version=1)
    before = store_copy.path.read_bytes()
    with pytest.raises(StaleEdit):
        store_copy.update_feature("projects", pid, {"status": "建成"}, user="乙", expected_version=1)
    assert store_copy.path.read_bytes() == before


def test_update_feature_rejects_bad_values_and_unknown_ids(any_store):
    pid = any_store.read("projects")["project_id"].iloc[0]
    n_audit = len(any_store.read("audit_log"))
    with pytest.raises(ValidationFailed, match="不在允许范围"):
        any_store.update_feature("projects", pid, {"category": "火星"}, user="甲")
    with pytest.raises(NotFound):
        any_store.update_feature("projects", "NOPE", {"status": "在建"}, user="甲")
    with pytest.raises(NotFound):
        any_store.update_feature("projects", pid, {"no_such_field": 1}, user="甲")
    assert len(any_store.read("audit_log")) == n_audit


def test_a_layer_of_several_geometry_types_is_declared_geometry(store_copy):
    """The GeoPackage declares a layer's one geometry type, or GEOMETRY for a mix (never promoted to Multi*)."""
    import sqlite3

    from shapely.geometry import MultiPoint

    p = store_copy.read("projects").iloc[:3].copy()

    def declared():
        with sqlite3.connect(store_copy.path) as con:
            return dict(con.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))["projects"]

    p["geometry"] = [Point(111.2, 35.1), Point(111.21, 35.11), None]
    store_copy.write_layers({"projects": p}, user="t")
    assert declared() == "POINT"
    p["geometry"] = [Point(111.2, 35.1), MultiPoint([(111.21, 35.11)]), None]
    store_copy.write_layers({"projects": p}, user="t")
    assert declared() == "GEOMETRY"
    assert store_copy.read("projects").geometry.geom_type.tolist()[:2] == ["Point", "MultiPoint"]


def test_write_layers_is_atomic_and_backed_up(store_copy, monkeypatch):
    before = store_copy.path.read_bytes()
    n_backups = len(store_copy.list_backups())
    good = store_copy.read("township_indicators")

    class Boom(Exception):
        pass

    import xxgeo.store.gpkgwrite as st

    real = st.write_layer

    def failing(path, name, df):
        if name == "indicators":
            raise Boom()
        return real(path, name, df)

    monkeypatch.setattr(st, "write_layer", failing)
    with pytest.raises(Boom):
        store_copy.write_layers({"township_indicators": good, "indicators": store_copy.read("indicators")}, user="t")
    assert store_copy.path.read_bytes() == before
    assert len(store_copy.list_backups()) == n_backups  # nothing changed, so no backup is kept


def test_backup_and_restore(store_copy):
    projects = store_copy.read("projects")
    b = store_copy.backup("test")
    store_copy.write_layers({"projects": projects.iloc[:3]}, user="t", action="trim")
    assert len(store_copy.read("projects")) == 3
    store_copy.restore(b.name, user="t")
    assert len(store_copy.read("projects")) == len(projects)


def test_restore_refuses_non_store(store_copy, tmp_path):
    bad = tmp_path / "bad.gpkg"
    shutil.copy2(store_copy.path, bad)
    bad.write_bytes(b"garbage")
    before = store_copy.path.read_bytes()
    with pytest.raises(StoreError, match="不是有效的 GeoPackage，未恢复"):
        store_copy.restore(str(bad))
    assert store_copy.path.read_bytes() == before


def test_coerce_gives_schema_dtypes():
    from xxgeo.store import coerce

    df = pd.DataFrame({"indicator_id": ["I"], "table": ["专栏2-1"], "group": ["g"], "name": ["n"],
                       "source_ref": ["专栏2-1"], "seq": [""]})
    out = coerce("indicators", df)
    assert list(out.columns[:5]) == ["indicator_id", "table", "group", "seq", "name"]
    assert out["seq"].iloc[0] is None


def test_read_modify_write_runs_inside_the_lock(any_store):
    seen = {}

    def build(store, backup):
        seen["backup"] = backup
        p = store.read("projects")
        p.loc[p.index[0], "status"] = "建成"
        return {"projects": p}, [{"user": "t", "layer": "projects", "feature_id": None, "action": "rmw",
                                  "before": None, "after": None}]

    saved = any_store.write_layers(build, action="rmw")
    assert saved == seen["backup"] and saved.exists()
    assert any_store.read("projects")["status"].iloc[0] == "建成"
    assert any_store.read("audit_log")["action"].iloc[-1] == "rmw"


def test_move_records_old_geometry_for_undo(any_store):
    import json

    from shapely import from_wkt

    p = any_store.read("projects")
    row = p[p.geometry.notna()].iloc[0]
    any_store.update_feature("projects", row["project_id"], {}, user="甲", geometry=Point(111.3, 35.15))
    assert any_store.read("projects").set_index("project_id").loc[row["project_id"], "geometry"].equals(
        Point(111.3, 35.15))
    before = json.loads(any_store.read("audit_log")["before"].iloc[-1])
    assert from_wkt(before["geometry"]).distance(row.geometry) < 1e-6
