"""A large batch of audit rows (an import's ``import-insert`` rows) goes in cheaply and exactly: on a GeoPackage
with GDAL's per-row feature-count trigger set aside and the count set once (the file stays one GDAL reads with
the right count, the trigger back with its SQL), on PostGIS by COPY; all or nothing on both."""

from __future__ import annotations

import sqlite3

import pyogrio
import pytest

from xxgeo.errors import StoreError
from xxgeo.store import gpkgsql, pgaudit

N = 2500  # over both backends' bulk threshold


def _rows(n: int, bad_at: int | None = None) -> list[dict]:
    rows = [{"user": "测试", "layer": "projects", "feature_id": f"XM{i:05d}", "action": "import-insert",
             "before": None if i % 3 else "", "after": f'{{"name": "项目{i}\\t\\\\", "x": {i}}}\n第二行'}
            for i in range(n)]
    if bad_at is not None:
        rows[bad_at]["after"] = "NUL \x00 here"
    return rows


def _trigger_sql(path) -> str | None:
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT sql FROM sqlite_master WHERE type='trigger' "
                          "AND name='trigger_insert_feature_count_audit_log'").fetchone()
    return row and row[0]


def _state(path) -> tuple:
    with sqlite3.connect(path) as con:
        rows = con.execute('SELECT "at", "user", "layer", "feature_id", "action", "before", "after" FROM audit_log '
                           "ORDER BY fid").fetchall()
        count = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name='audit_log'").fetchone()
    return rows, count, _trigger_sql(path)


def test_the_built_store_has_gdals_count_trigger_as_the_bulk_path_knows_it(store_copy):
    assert _trigger_sql(store_copy.path) == gpkgsql.count_trigger_sql("audit_log")  # else the bulk path is off


def test_a_large_gpkg_audit_insert_keeps_the_file_a_geopackage_with_the_right_count(store_copy):
    path = store_copy.path
    before = len(pyogrio.read_dataframe(path, layer="audit_log"))
    trigger = _trigger_sql(path)
    store_copy.append_audit(_rows(N))
    log = pyogrio.read_dataframe(path, layer="audit_log")
    assert len(log) == before + N
    assert pyogrio.read_info(path, layer="audit_log")["features"] == before + N
    assert _trigger_sql(path) == trigger  # back, with its exact SQL
    new = log.iloc[before:]
    assert new["feature_id"].tolist() == [f"XM{i:05d}" for i in range(N)]  # in order
    assert new["after"].iloc[7] == _rows(N)[7]["after"]
    store_copy.append_audit(_rows(2))  # a small insert after: the trigger counts again
    assert pyogrio.read_info(path, layer="audit_log")["features"] == before + N + 2
    assert len(store_copy.audit_entries()) == before + N + 2


def test_a_failure_in_the_middle_of_a_large_gpkg_audit_insert_leaves_the_store_unchanged(store_copy):
    path = store_copy.path
    state = _state(path)
    rows = _rows(N)
    rows[N // 2]["after"] = object()  # SQLite cannot bind it: the insert fails half-way
    with pytest.raises(sqlite3.Error):
        store_copy.append_audit(rows)
    assert _state(path) == state
    assert state[2] is not None


def test_a_failure_inside_an_open_transaction_undoes_only_the_bulk_insert(store_copy):
    with gpkgsql.connect(store_copy.path) as con:
        con.execute("BEGIN IMMEDIATE")
        gpkgsql.insert_audit(con, [{"at": "t", **r, "feature_id": "kept"} for r in _rows(1)])
        rows = [{"at": "t", **r} for r in _rows(N)]
        rows[-1]["user"] = object()
        with pytest.raises(sqlite3.Error):
            gpkgsql.insert_audit(con, rows)
        assert con.in_transaction  # the caller's transaction is still open, and its to decide
        con.execute("COMMIT")
    rows, count, trigger = _state(store_copy.path)
    assert rows[-1][3] == "kept" and count == (len(rows),)  # the earlier row stays, none of the failed batch
    assert trigger == gpkgsql.count_trigger_sql("audit_log")


def test_an_unknown_count_trigger_is_left_in_place(store_copy):
    with gpkgsql.connect(store_copy.path) as con:
        con.execute('DROP TRIGGER "trigger_insert_feature_count_audit_log"')
        odd = gpkgsql.count_trigger_sql("audit_log").replace("+ 1", "+ 2")
        con.execute(odd)
        n0 = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name='audit_log'").fetchone()[0]
        con.execute("BEGIN IMMEDIATE")
        gpkgsql.insert_audit(con, [{"at": "t", **r} for r in _rows(N)])
        con.execute("COMMIT")
        n1 = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name='audit_log'").fetchone()[0]
    assert n1 == n0 + 2 * N  # the odd trigger ran for every row
    assert _trigger_sql(store_copy.path) == odd


def test_a_large_postgis_audit_insert_by_copy_keeps_every_text(pg_store):
    before = pg_store.audit_entries()
    rows = _rows(N)
    pg_store.append_audit(rows)
    after = pg_store.audit_entries()
    assert len(after) == len(before) + N >= pgaudit.BULK_ROWS
    got = after[len(before):]
    assert [e.feature_id for e in got] == [r["feature_id"] for r in rows]
    assert [e.after for e in got] == [r["after"] for r in rows]  # tabs, backslashes, newlines, 中文 intact
    assert [e.before for e in got] == [None] * N  # empty (None or "") is NULL, as the row-by-row insert stored it
    assert {e.user for e in got} == {"测试"} and len({e.at for e in got}) == 1


def test_a_failure_in_the_middle_of_a_postgis_copy_leaves_the_log_unchanged(pg_store):
    before = pg_store.audit_entries()
    with pytest.raises(StoreError):  # PostgreSQL refuses a NUL character in text
        pg_store.append_audit(_rows(N, bad_at=N // 2))
    assert pg_store.audit_entries() == before


def test_copy_and_row_by_row_refuse_a_bad_row_alike(pg_store, monkeypatch):
    with pytest.raises(StoreError) as by_copy:
        pg_store.append_audit(_rows(N, bad_at=N // 2))
    monkeypatch.setattr(pgaudit, "BULK_ROWS", 10 * N)
    with pytest.raises(StoreError) as by_rows:
        pg_store.append_audit(_rows(N, bad_at=N // 2))
    assert (str(by_copy.value), by_copy.value.english) == (str(by_rows.value), by_rows.value.english)


def test_a_large_gpkg_audit_insert_binds_constant_columns_once_and_keeps_every_value(store_copy):
    """Columns holding one value in every row are bound once per statement: every row still reads back as
    written, in order — a column of equal values of different types (``1.0`` and ``1``, which SQLite's text
    affinity stores as '1.0' and '1') keeps each row's own, and a column of NaN varies."""
    path = store_copy.path
    n0 = len(_state(path)[0])
    rows = [{**r, "at": "2026-12-03T10:00:00+08:00"} for r in _rows(N)]
    for i, r in enumerate(rows):
        r["before"] = 1 if i == N - 1 else 1.0
        r["layer"] = float("nan") if i % 2 else "projects"
    with gpkgsql.connect(path) as con:
        con.execute("BEGIN IMMEDIATE")
        gpkgsql.insert_audit(con, rows)
        con.execute("COMMIT")
    got = _state(path)[0][n0:]
    assert len(got) == N
    assert [g[3] for g in got] == [f"XM{i:05d}" for i in range(N)]
    assert {g[0] for g in got} == {"2026-12-03T10:00:00+08:00"} and {g[1] for g in got} == {"测试"}
    assert [g[5] for g in got] == ["1.0"] * (N - 1) + ["1"]
    assert [g[2] for g in got] == [None if i % 2 else "projects" for i in range(N)]
    assert [g[6] for g in got] == [r["after"] for r in rows]
