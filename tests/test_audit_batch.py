"""An import's audit rows held as columns (:mod:`xxgeo.store.auditbatch`) are the same rows as dicts: read row by
row, stamped with the time, turned into columns beside dict rows, and written by both backends exactly as the
dicts they stand for (order, values, types, the time)."""

from __future__ import annotations

import sqlite3

import pytest

from xxgeo.store import gpkgsql
from xxgeo.store.auditbatch import AuditBatch, Same, columns_of, count, rows_of, stamped
from xxgeo.store.frames import AUDIT_COLUMNS, BULK_ROWS

N = BULK_ROWS + 500


def _batch(n: int = N, **extra) -> AuditBatch:
    return AuditBatch(n, {"user": Same("导入者"), "layer": Same("projects"),
                          "feature_id": [f"XM{i:05d}" for i in range(n)], "action": Same("import-insert"),
                          "before": Same(None), "after": [f'{{"name": "项目{i}"}}' for i in range(n)], **extra})


def test_a_batch_is_the_sequence_of_its_row_dicts():
    b = _batch(3)
    assert len(b) == 3 and count([b, {"x": 1}]) == 4
    assert b[1] == {"user": "导入者", "layer": "projects", "feature_id": "XM00001", "action": "import-insert",
                    "before": None, "after": '{"name": "项目1"}'}
    assert b[-1] == b[2] and b[1:] == [b[1], b[2]] and list(b) == [b[0], b[1], b[2]]
    with pytest.raises(IndexError):
        b[3]
    with pytest.raises(ValueError, match="feature_id"):
        AuditBatch(4, {"feature_id": ["a"]})


def test_stamped_keeps_a_rows_own_time_and_gives_the_others_one():
    own = {"at": "早", "user": "u"}
    out = stamped([own, {"user": "v"}, _batch(2), _batch(2, at=["a", "b"])], "现在")
    assert out[0] is own and out[1] == {"at": "现在", "user": "v"}
    assert [r["at"] for r in out[2]] == ["现在", "现在"] and [r["at"] for r in out[3]] == ["a", "b"]


def test_columns_of_lays_dicts_and_batches_end_to_end():
    a, b = _batch(2), _batch(3)
    user, fid = columns_of([a, b], ("user", "feature_id"))
    assert user == ["导入者"] * 5 and fid == ["XM00000", "XM00001", "XM00000", "XM00001", "XM00002"]
    user, missing = columns_of([a, {"user": "别人"}], ("user", "at"))
    assert user == ["导入者", "导入者", "别人"] and missing == [None, None, None]


def _gpkg_rows(path) -> list:
    with sqlite3.connect(path) as con:
        return con.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log ORDER BY fid").fetchall()


def test_a_gpkg_bulk_insert_of_dicts_and_batches_reads_back_as_the_rows_in_order(store_copy):
    before = _gpkg_rows(store_copy.path)
    parts = [{"user": "u", "layer": "projects", "feature_id": "P1", "action": "import-update", "before": "{}",
              "after": "{}"}, _batch(), {"user": "u", "layer": "projects", "feature_id": None, "action": "import",
                                         "before": None, "after": "汇总"}]
    store_copy.append_audit(parts)
    got = _gpkg_rows(store_copy.path)[len(before):]
    want = [tuple(r.get(c) for c in AUDIT_COLUMNS[1:]) for r in rows_of(parts)]
    assert [g[1:] for g in got] == want and len(got) == N + 2
    assert len({g[0] for g in got}) == 1 and got[0][0]  # one time for all


def test_a_small_batch_takes_the_row_by_row_path_alike(store_copy):
    before = _gpkg_rows(store_copy.path)
    with gpkgsql.connect(store_copy.path) as con:
        con.execute("BEGIN IMMEDIATE")
        gpkgsql.insert_audit(con, stamped([_batch(5)], "t"))
        con.execute("COMMIT")
    got = _gpkg_rows(store_copy.path)[len(before):]
    assert got == [tuple(r.get(c) for c in AUDIT_COLUMNS) for r in stamped(rows_of([_batch(5)]), "t")]


def test_a_postgis_bulk_insert_of_a_batch_reads_back_as_its_rows(pg_store):
    before = pg_store.audit_entries()
    pg_store.append_audit([_batch()])
    got = pg_store.audit_entries()[len(before):]
    assert [(e.user, e.layer, e.feature_id, e.action, e.before, e.after) for e in got] == \
        [tuple(r[c] for c in AUDIT_COLUMNS[1:]) for r in _batch()]
    assert len({e.at for e in got}) == 1
