"""A big layer written by GDAL in a helper process (:mod:`xxgeo.store.writehelper`) while the import makes its
audit texts (:class:`~xxgeo.store.auditbatch.Later`): the file is the one the caller's own write makes, a failure
in the helper is the transaction's (the store unchanged, nothing left behind), and a transaction that fails
while the helper writes stops it."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from xxgeo.errors import StoreError
from xxgeo.io import newrows
from xxgeo.store import GpkgStore, writehelper
from xxgeo.store.auditbatch import AuditBatch, Later, Same, force, stamped


def _projects(store: GpkgStore, n: int) -> gpd.GeoDataFrame:
    """The stored projects and ``n`` copies of the first one (new ids; points, polygons and a MultiPoint mix)."""
    cur = store.read("projects")
    extra = pd.concat([cur.iloc[[0]]] * n, ignore_index=True)
    extra["project_id"] = [f"BG{i:05d}" for i in range(n)]
    extra["name"] = [f"后台写入{i}" for i in range(n)]
    extra["investment_wan"] = [float(i) if i % 3 else None for i in range(n)]
    extra["geometry"] = [shapely.box(111 + i * 1e-5, 35, 111.001 + i * 1e-5, 35.001) if i % 2 else
                         shapely.Point(111.1 + i * 1e-5, 35.1) for i in range(n)]
    return gpd.GeoDataFrame(pd.concat([cur, extra], ignore_index=True), geometry="geometry", crs="EPSG:4326")


def _started(monkeypatch) -> list:
    """Every helper write started from now on (each frame of 2 rows or more goes to a helper)."""
    jobs: list = []
    real = writehelper.start
    monkeypatch.setattr(writehelper, "BACKGROUND_ROWS", 2)

    def start(*a, **k):
        job = real(*a, **k)
        jobs.append(job)
        return job

    monkeypatch.setattr(writehelper, "start", start)
    return jobs


def _declared(path, layer: str) -> str:
    return pyogrio.read_info(path, layer=layer)["geometry_type"]


def test_a_helper_writes_the_layer_the_caller_would(store_copy, tmp_path, monkeypatch):
    frame = _projects(store_copy, 300)
    inline = GpkgStore(tmp_path / "inline.gpkg")
    inline.path.write_bytes(store_copy.path.read_bytes())
    inline.write_layers({"projects": frame}, user="t")  # 401 rows: below BACKGROUND_ROWS, written in the caller
    jobs = _started(monkeypatch)
    store_copy.write_layers({"projects": frame}, user="t")
    assert [j.layer for j in jobs if j is not None] == ["projects"]  # the helper did write it
    a, b = inline.read("projects"), store_copy.read("projects")
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))  # (None as None)
    assert a.geometry.isna().any() and a.geometry.notna().sum() > 300
    assert set(b.geometry.dropna().geom_type) == {"Point", "Polygon", "MultiPoint"}
    assert _declared(store_copy.path, "projects") == _declared(inline.path, "projects") == "Unknown"
    assert not list(tmp_path.rglob("*.arrow"))  # the table handed over is removed


def test_a_failing_helper_fails_the_write_and_changes_nothing(store_copy, monkeypatch):
    before = (store_copy.read("projects").to_json(), len(store_copy.audit_entries()), store_copy.version(),
              store_copy.list_backups())
    jobs = _started(monkeypatch)
    real = writehelper.start
    monkeypatch.setattr(writehelper, "start", lambda *a, **k: real(*a, **{**k, "geometry_type": "NotAType"}))
    with pytest.raises(StoreError, match="写入图层“projects”失败，数据库未改动") as err:
        store_copy.write_layers({"projects": _projects(store_copy, 50)}, user="t")
    assert "Writing layer “projects” failed" in err.value.english
    assert (store_copy.read("projects").to_json(), len(store_copy.audit_entries()), store_copy.version(),
            store_copy.list_backups()) == before  # (the backup taken for the write is dropped with it)
    assert jobs and not jobs[0]._proc.is_alive()
    assert not [p for p in store_copy.path.parent.iterdir() if p.suffix == ".arrow" or p.name.startswith(".")]


def test_a_transaction_failing_meanwhile_stops_the_helper(store_copy, monkeypatch):
    jobs = _started(monkeypatch)
    before = store_copy.version()
    frame = _projects(store_copy, 50)

    def build(st, backup):
        return {"projects": frame, "township_indicators": "not a frame"}, []  # the second write fails

    with pytest.raises(Exception):  # noqa: B017 - whatever the bad frame raises
        store_copy.write_layers(build, user="t")
    assert jobs and jobs[0] is not None and not jobs[0]._proc.is_alive()
    assert not jobs[0]._table_path.exists() and store_copy.version() == before


def test_a_later_column_is_made_once_when_first_read():
    calls = []

    def make():
        calls.append(1)
        return ["a", "b"]

    b = AuditBatch(2, {"user": Same("u"), "after": Later(make)})
    assert not calls
    out = stamped([b], "现在")  # the time added without making the texts
    assert not calls
    force(out)
    assert calls == [1] and b[1] == {"user": "u", "after": "b"} and calls == [1]
    assert out[0].column("after") == ["a", "b"] and out[0][0]["at"] == "现在"
    with pytest.raises(ValueError, match="after"):
        AuditBatch(3, {"after": Later(lambda: ["x"])}).column("after")


def test_audit_texts_are_the_values_when_merged_not_when_written():
    cols = {"name": pd.array(["甲", "乙"], dtype=object).to_numpy(), "investment_wan": pd.array([1.5, None]).to_numpy()}
    batch = newrows.audit_rows("projects", cols, [shapely.Point(1, 2), None], 2, user="u", id_field=None,
                               keys=("name",))
    cols["name"][0] = "改过"  # a later change to the merged columns
    assert [json.loads(r["after"]) for r in batch] == [{"name": "甲", "investment_wan": 1.5, "geometry": "POINT (1 2)"},
                                                       {"name": "乙"}]
    assert batch.column("feature_id") == ["甲", "乙"]


def test_a_killed_writes_table_file_is_cleared_with_its_copy(store_copy):
    from xxgeo.store.gpkgtidy import temp_prefix, tidy

    left = [store_copy.path.parent / f"{temp_prefix(store_copy.path)}abc{ext}" for ext in (".gpkg", ".arrow")]
    for p in left:
        p.write_bytes(b"x")
    other = store_copy.path.parent / "mine.arrow"  # not a working file of this store: kept
    other.write_bytes(b"y")
    assert sorted(tidy(store_copy.path, store_copy.backup_dir)) == sorted(left)
    assert not any(p.exists() for p in left) and other.exists()
