"""The PostGIS backend: the store tests that make sense, against a PostgreSQL + PostGIS server.

Needs ``XXGEO_TEST_PG=postgresql://USER:PASS@HOST:PORT/DB``, or PostgreSQL and PostGIS installed, when
tests/conftest.py starts a private throw-away server for the run. Without either every test here is skipped,
and the run says so once, with the install command; in CI (``CI=true``) a skip is a failure. Each test works in
its own fresh schema.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
import shapely
from kit import run_together

from xxgeo.errors import NotFound, PermissionDenied, StoreError
from xxgeo.schema import LAYERS
from xxgeo.store import GpkgStore, coerce, open_store


def test_open_store_dispatches_postgresql_urls(pg_url, monkeypatch):
    from xxgeo.store.postgis import PostgisStore

    assert isinstance(open_store(pg_url), PostgisStore)
    monkeypatch.setenv("XXGEO_STORE", pg_url.replace("postgresql://", "postgres://", 1))
    store = open_store()
    assert isinstance(store, PostgisStore) and store.schema == "xxgeo"
    assert "schema=xxgeo" in store.location


def test_password_never_shown_and_bad_password_is_a_clear_error(pg_url):
    from urllib.parse import urlsplit

    parts = urlsplit(pg_url)
    store = open_store(pg_url)
    if parts.password:
        assert f":{parts.password}@" not in store.location and f":{parts.password}@" not in repr(store)
    bad = pg_url.replace(f":{parts.password}@", ":wrong-password@") if parts.password else pg_url + "_nodb"
    with pytest.raises(StoreError, match="无法连接到数据库服务器"):
        open_store(bad).read("projects")


def test_empty_schema_says_build_first(pg_store_factory):
    store = pg_store_factory(empty=True)
    assert not store.exists()
    with pytest.raises(StoreError, match="python -m xxgeo build"):
        store.read("projects")


def test_round_trip_of_the_whole_default_dataset(pg_store, built_store_path, default_frames):
    gpkg = GpkgStore(built_store_path)
    assert set(pg_store.layer_names()) >= set(gpkg.layer_names()) - {"audit_log"}
    pg_all = pg_store.load(list(LAYERS))  # every layer, those read on demand (constraints) too
    for name, lay in LAYERS.items():
        if name == "audit_log":
            continue
        a, b = gpkg.read(name), pg_all[name]
        assert len(a) == len(b), name
        assert list(b.columns) == list(a.columns), name
        if lay.id_field:
            assert list(a[lay.id_field]) == list(b[lay.id_field]), name
        if "name" in a.columns:
            assert list(a["name"]) == list(b["name"]), name
        plain = [c for c in a.columns if c != "geometry"]
        pd.testing.assert_frame_equal(pd.DataFrame(a[plain]).reset_index(drop=True),
                                      pd.DataFrame(b[plain]).reset_index(drop=True), check_dtype=True, obj=name)
        if lay.spatial and name in default_frames:  # a layer the build does not write (constraints) is empty
            # exactly the built geometries, each feature's own type kept by both backends (neither promotes a
            # mixed Point/MultiPoint layer to Multi*), and the same places as the GeoPackage within 1e-7°
            src = coerce(name, default_frames[name]).geometry.values
            for gs, ga, gb in zip(src, a.geometry.values, b.geometry.values):
                if ga is None or gb is None:
                    assert ga is None and gb is None and gs is None, name
                    continue
                assert gs.geom_type == ga.geom_type == gb.geom_type, name
                assert shapely.equals_exact(gs, gb, tolerance=1e-7), name
                assert ga.is_empty == gb.is_empty, name
                if not ga.is_empty:
                    assert shapely.hausdorff_distance(ga, gb) < 1e-7, name
            assert b.crs.to_epsg() == 4326


def test_geometry_columns_are_epsg_4326(pg_store, pg_url):
    import psycopg

    with psycopg.connect(pg_url) as con:
        rows = con.execute("SELECT f_table_name, srid FROM geometry_columns WHERE f_table_schema = %s",
                           (pg_store.schema,)).fetchall()
    assert rows and {srid for _, srid in rows} == {4326}
    assert {t for t, _ in rows} == {n for n, lay in LAYERS.items() if lay.spatial and not lay.on_demand}  # as built


def test_validate_passes(pg_store):
    rep = pg_store.validate()
    assert rep.ok, "\n".join(map(str, rep.errors))


def test_two_editors_change_different_fields_of_one_project_both_land(pg_store):
    pid = pg_store.read("projects")["project_id"].iloc[1]
    res = run_together([
        lambda: pg_store.update_feature("projects", pid, {"status": "在建"}, user="甲"),
        lambda: pg_store.update_feature("projects", pid, {"investment_wan": 1234.5}, user="乙"),
    ])
    assert sorted(res) == [2, 3], res
    p = pg_store.read("projects").set_index("project_id").loc[pid]
    assert p["status"] == "在建" and p["investment_wan"] == 1234.5 and p["version"] == 3
    log = pg_store.read("audit_log")
    mine = log[log["feature_id"] == pid]
    assert sorted(mine["user"]) == ["乙", "甲"]


def test_two_editors_of_the_same_version_one_is_refused(pg_store):
    pid = pg_store.read("projects")["project_id"].iloc[2]
    res = run_together([
        lambda: pg_store.update_feature("projects", pid, {"status": "在建"}, user="甲", expected_version=1),
        lambda: pg_store.update_feature("projects", pid, {"status": "建成"}, user="乙", expected_version=1),
    ])
    assert sorted(type(r).__name__ for r in res) == ["StaleEdit", "int"], res
    p = pg_store.read("projects").set_index("project_id").loc[pid]
    assert p["version"] == 2
    winner = "甲" if res[0] == 2 else "乙"
    assert pg_store.read("audit_log")["user"].iloc[-1] == winner


def test_many_concurrent_edits_lose_nothing(pg_store):
    ids = list(pg_store.read("projects")["project_id"].iloc[:4])
    fns = [(lambda i=i, k=k: pg_store.update_feature("projects", ids[i % 4], {"village": f"村{k}"}, user=f"u{k}"))
           for k, i in enumerate(range(12))]
    res = run_together(fns)
    assert all(isinstance(r, int) for r in res), res
    p = pg_store.read("projects").set_index("project_id")
    assert [int(p.loc[i, "version"]) for i in ids] == [4, 4, 4, 4]
    assert len(pg_store.read("audit_log")) == 1 + 12


def test_write_layers_is_atomic(pg_store, monkeypatch):
    from xxgeo.store import postgis

    before = pg_store.read("township_indicators")
    n_backups = len(pg_store.list_backups())
    real = postgis._PgLayers.write

    class Boom(Exception):
        pass

    def failing(self, name, df):
        if name == "indicators":
            raise Boom()
        return real(self, name, df)

    monkeypatch.setattr(postgis._PgLayers, "write", failing)
    trimmed = pg_store.read("projects").iloc[:3]
    with pytest.raises(Boom):
        pg_store.write_layers({"projects": trimmed, "indicators": pg_store.read("indicators")}, user="t")
    assert len(pg_store.read("projects")) == 536
    pd.testing.assert_frame_equal(pg_store.read("township_indicators"), before)
    assert len(pg_store.list_backups()) == n_backups  # the backup rolled back with the rest


def test_backup_and_restore_of_a_snapshot(pg_store):
    projects = pg_store.read("projects")
    b = pg_store.backup("test")
    assert b.name.startswith(f"{pg_store.schema}_bk_") and b.name.endswith("_test")
    pg_store.write_layers({"projects": projects.iloc[:3]}, user="t", action="trim")
    assert len(pg_store.read("projects")) == 3
    pg_store.restore(b.name, user="恢复者")
    again = pg_store.read("projects")
    assert list(again["project_id"]) == list(projects["project_id"])
    log = pg_store.read("audit_log")
    assert log["action"].iloc[-1] == "restore" and log["user"].iloc[-1] == "恢复者"
    names = [x.name for x in pg_store.list_backups()]
    assert b.name in names and any(n.endswith("_before_restore") for n in names)
    # the identity goes on after a restore: a new audit row can be added
    pg_store.update_feature("projects", again["project_id"].iloc[0], {"status": "在建"}, user="甲")
    assert pg_store.read("audit_log")["user"].iloc[-1] == "甲"


def test_restore_refuses_unknown_backup(pg_store):
    with pytest.raises(NotFound, match="python -m xxgeo restore"):
        pg_store.restore("no_such_backup")


@pytest.mark.slow
def test_cli_commands_on_postgis(pg_store, tmp_path):
    url = pg_store.url
    env = {**os.environ, "PYTHONPATH": str(os.getcwd())}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "xxgeo", *args, "--store", url], capture_output=True,
                              text=True, env=env, timeout=300)

    r = cli("validate")
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stderr
    pg_store.backup("cli")
    pid = pg_store.read("projects")["project_id"].iloc[0]
    r = cli("set", "--layer", "projects", "--id", pid, "status=在建", "--user", "甲")
    assert r.returncode == 0 and "版本 2" in r.stdout, r.stderr
    r = cli("set", "--layer", "projects", "--id", pid, "status=建成", "--user", "乙", "--expected-version", "1")
    assert r.returncode != 0 and "已被他人修改" in r.stderr and "Traceback" not in r.stderr
    r = cli("export", "--layer", "projects", "--format", "geojson", "--out", str(tmp_path / "p.geojson"))
    assert r.returncode == 0, r.stderr
    assert len(json.loads((tmp_path / "p.geojson").read_text(encoding="utf-8"))["features"]) == 536
    r = cli("map", "--out", str(tmp_path / "m.html"))
    assert r.returncode == 0 and (tmp_path / "m.html").stat().st_size > 10_000, r.stderr
    r = cli("restore")
    assert r.returncode == 0 and "_cli" in r.stdout, r.stderr
    name = pg_store.list_backups()[0].name
    r = cli("restore", name)
    assert r.returncode == 0 and "已恢复备份" in r.stdout, r.stderr
    assert pg_store.read("projects").set_index("project_id").loc[pid, "status"] != "在建"


def test_a_change_made_outside_xxgeo_moves_the_cache_token(pg_store):
    import psycopg

    pid = pg_store.read("projects")["project_id"].iloc[0]

    def outside(sql_text: str, params=()) -> None:  # as psql or QGIS would, without the store API
        with psycopg.connect(pg_store.conninfo) as con:
            con.execute(sql_text.replace("S.", f'"{pg_store.schema}".'), params)

    token = int(pg_store.version())
    pg_store.load()
    assert int(pg_store.version()) == token  # reads do not move it
    outside("UPDATE S.projects SET status = %s WHERE project_id = %s", ("停建", pid))
    assert int(pg_store.version()) > token
    b = pg_store.backup("t")
    pg_store.restore(b.name, user="管理员")  # the restored tables are copies: they are watched again
    token = int(pg_store.version())
    outside("DELETE FROM S.township_indicators")
    assert int(pg_store.version()) > token
    token = int(pg_store.version())
    outside("UPDATE S.parks SET status = NULL")
    assert int(pg_store.version()) > token


def test_copy_from_a_geopackage(pg_store_factory, built_store_path):
    store = pg_store_factory(empty=True)
    store.copy_from(GpkgStore(built_store_path), user="迁移")
    gpkg = GpkgStore(built_store_path)
    for name in ("townships", "projects", "parks", "indicators"):
        assert len(store.read(name)) == len(gpkg.read(name))
    log = store.read("audit_log")
    assert len(log) == len(gpkg.read("audit_log")) + 1 and log["user"].iloc[-1] == "迁移"
    assert store.validate().ok
    store.copy_from(GpkgStore(built_store_path))  # again: what was there is backed up first
    assert len(store.list_backups()) == 1


# ----------------------------------------------------------------------------- roles, on both backends
def _two_townships(store):
    p = store.read("projects")
    p = p[p["township_code"].notna()]
    own = p.iloc[0]
    other = p[p["township_code"] != own["township_code"]].iloc[0]
    return own, other


def test_roles_are_checked():
    from xxgeo.policy import Actor

    with pytest.raises(PermissionDenied, match="未知角色"):
        Actor("x", "boss")
    with pytest.raises(PermissionDenied, match="没有指定所属乡镇"):
        Actor("x", "township")


def test_public_writes_nothing(any_store):
    from xxgeo.policy import Actor, GuardedStore

    store = GuardedStore(any_store, Actor("访客", "public"))
    pid = store.read("projects")["project_id"].iloc[0]
    n_audit = len(any_store.read("audit_log"))  # the public cannot read the audit log itself
    with pytest.raises(PermissionDenied, match="请先登录"):
        store.update_feature("projects", pid, {"status": "在建"})
    with pytest.raises(PermissionDenied, match="无权"):
        store.write_layers({"projects": store.read("projects").iloc[:3]})
    with pytest.raises(PermissionDenied, match="无权"):
        store.restore("anything")
    assert len(any_store.read("projects")) == 536 and len(any_store.read("audit_log")) == n_audit


def test_township_head_edits_only_own_township(any_store):
    from xxgeo.policy import Actor, GuardedStore

    own, other = _two_townships(any_store)
    head = GuardedStore(any_store, Actor("乡镇长", "township", own["township_code"]))
    assert head.update_feature("projects", own["project_id"], {"status": "在建"}) == 2
    assert any_store.read("audit_log")["user"].iloc[-1] == "乡镇长"
    with pytest.raises(PermissionDenied, match="不属于您所在的乡镇"):
        head.update_feature("projects", other["project_id"], {"status": "在建"})
    with pytest.raises(PermissionDenied, match="不能把项目"):
        head.update_feature("projects", own["project_id"], {"township_code": other["township_code"]})
    with pytest.raises(PermissionDenied, match="不能修改图层"):
        head.update_feature("parks", any_store.read("parks")["park_id"].iloc[0], {"status": "在建"})
    with pytest.raises(PermissionDenied, match="无权"):
        head.write_layers({"projects": any_store.read("projects")})
    p = any_store.read("projects").set_index("project_id")
    mine, theirs = p.loc[own["project_id"]], p.loc[other["project_id"]]
    assert mine["version"] == 2 and mine["township_code"] == own["township_code"]
    assert pd.isna(theirs["version"]) or theirs["version"] == 1


def test_editor_edits_everything(any_store):
    from xxgeo.policy import Actor, GuardedStore

    own, other = _two_townships(any_store)
    editor = GuardedStore(any_store, Actor("编辑", "editor"))
    editor.update_feature("projects", other["project_id"], {"township_code": own["township_code"]})
    editor.update_feature("parks", any_store.read("parks")["park_id"].iloc[0], {"status": "在建"})
    editor.write_layers({"township_indicators": any_store.read("township_indicators")}, action="t")
    log = any_store.read("audit_log")
    assert list(log["user"].iloc[-3:]) == ["编辑"] * 3


@pytest.mark.slow
def test_build_and_undo_commands_on_postgis(pg_store_factory):
    store = pg_store_factory(empty=True)
    env = {**os.environ, "PYTHONPATH": str(os.getcwd())}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "xxgeo", *args, "--store", store.url], capture_output=True,
                              text=True, env=env, timeout=300)

    r = cli("build")
    assert r.returncode == 0 and "projects 536" in r.stdout and "schema=" in r.stdout, r.stderr
    assert "xxgeo@" in r.stdout and ":xxgeo@" not in r.stdout  # the URL is shown without the password
    assert len(store.read("projects")) == 536 and len(store.read("townships")) == 11
    assert store.read("audit_log")["action"].tolist() == ["build"] and not store.list_backups()
    r = cli("undo", "--user", "甲")
    assert r.returncode != 0 and "重建数据库" in r.stderr and "restore" in r.stderr and "Traceback" not in r.stderr

    p = store.read("projects")
    pid, status0 = p["project_id"].iloc[1], p["status"].iloc[1]
    r = cli("set", "--layer", "projects", "--id", pid, "status=在建", "--user", "甲")
    assert r.returncode == 0, r.stderr
    r = cli("undo", "--user", "乙", "--dry-run")
    assert r.returncode == 0 and "将撤销：" in r.stdout and pid in r.stdout and "甲" in r.stdout, r.stderr
    assert store.read("projects").set_index("project_id").loc[pid, "status"] == "在建"
    r = cli("undo", "--user", "乙")
    assert r.returncode == 0 and "已撤销" in r.stdout, r.stderr
    back = store.read("projects").set_index("project_id").loc[pid]
    assert back["status"] == status0 and back["version"] == 3
    assert store.read("audit_log")["action"].tolist() == ["build", "update", "undo"]

    # a stale undo: the field was changed outside xxgeo since the edit; refused, nothing changes
    import psycopg

    r = cli("set", "--layer", "projects", "--id", pid, "status=在建", "--user", "甲")
    with psycopg.connect(store.conninfo) as con:
        con.execute(f'UPDATE "{store.schema}".projects SET status = %s WHERE project_id = %s', ("停建", pid))
    token = int(store.version())
    r = cli("undo", "--user", "乙")
    assert r.returncode != 0 and "又被改过" in r.stderr and "Traceback" not in r.stderr
    assert int(store.version()) == token and store.read("audit_log")["action"].iloc[-1] == "update"

    # build again over the data: replaced in one transaction, but what was there is kept as a backup first
    r = cli("build")
    assert r.returncode == 0, r.stderr
    assert store.read("projects").set_index("project_id").loc[pid, "status"] == status0
    assert store.read("audit_log")["action"].tolist() == ["build"]
    backups = store.list_backups()
    assert len(backups) == 1 and backups[0].name.endswith("_build")
    store.restore(backups[0].name, user="管理员")
    assert store.read("projects").set_index("project_id").loc[pid, "status"] == "停建"


def test_build_into_an_unreachable_server_is_one_sentence(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(os.getcwd())}
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = subprocess.run([sys.executable, "-m", "xxgeo", "build", "--store",
                        f"postgresql://u:secret@127.0.0.1:{port}/db"], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode != 0 and "无法连接到数据库服务器" in r.stderr and "Traceback" not in r.stderr
    assert "secret" not in r.stderr
