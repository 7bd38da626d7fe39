"""Plain SQLite on a GeoPackage file: connections with GDAL's geometry functions registered, the audit-log
rows, and GeoPackage geometry blobs — what lets the store change a feature, its geometry and the audit log in
one SQLite transaction (:mod:`xxgeo.store.gpkg`)."""

from __future__ import annotations

import contextlib
import sqlite3
import struct
from pathlib import Path

import shapely

from ..errors import NotFound, StoreError
from .auditbatch import columns_of, count, rows_of, stamped
from .frames import AUDIT_COLUMNS, BULK_ROWS, now_iso

LOCK_TIMEOUT_S = 30.0


@contextlib.contextmanager
def connect(path: Path):
    """A plain SQLite connection to a GeoPackage (autocommit; callers BEGIN), GDAL's functions registered."""
    con = sqlite3.connect(str(path), timeout=LOCK_TIMEOUT_S, isolation_level=None)
    con.execute("PRAGMA busy_timeout = 30000")
    register_gpkg_functions(con)
    try:
        yield con
    finally:
        con.close()


def geom_column(con, layer: str) -> str:
    row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()
    if row is None:
        raise NotFound(f"图层“{layer}”没有几何字段。", english=f"Layer “{layer}” has no geometry field.")
    return row[0]


def audit_exists(con) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE name='audit_log'").fetchone() is not None


def insert_audit(con, rows: list) -> None:
    """Append audit rows (dicts, and batches of :mod:`.auditbatch`) to ``audit_log``; a large batch
    (:data:`BULK_ROWS` or more) with GDAL's per-row feature-count trigger set aside (:func:`_without_count_trigger`),
    all or nothing either way."""
    n = count(rows)
    if not n:
        return
    if not audit_exists(con):
        raise StoreError("数据库缺少 audit_log 图层，无法记录修改；请用 python -m xxgeo build 重建。",
                         english="The store has no audit_log layer, so changes cannot be recorded; rebuild it with "
                                 "python -m xxgeo build.")
    cols = AUDIT_COLUMNS
    if n < BULK_ROWS:
        names = ", ".join(f'"{c}"' for c in cols)
        con.executemany(f"INSERT INTO audit_log ({names}) VALUES ({', '.join('?' * len(cols))})",
                        [[r.get(c) for c in cols] for r in rows_of(rows)])
        return
    with _without_count_trigger(con, "audit_log", n):
        _insert_many(con, "audit_log", cols, columns_of(rows, cols), n)


def _insert_many(con, table: str, cols: tuple, columns: list, n: int) -> None:
    """``n`` rows given as ``columns`` (one list of values per column of ``cols``) inserted by statements of many
    rows each: a column holding one value of one type in every row (an import's time, user, layer, action) bound
    once per statement, the others as the rows of a ``VALUES`` list — as many rows per statement as SQLite's
    variable limit allows, up to 4,000 (100,000 rows of 8 columns one ``executemany`` step each took ~0.6 s, as
    multi-row statements binding every column ~0.5 s)."""
    same = [c for c, col in enumerate(columns) if _one_value(col)][: len(cols) - 1]  # (one column at least varies)
    rest = [c for c in range(len(cols)) if c not in same]
    fixed, vary, width = [columns[c][0] for c in same], [columns[c] for c in rest], len(rest)
    per = max(1, min(4000, (con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - len(same)) // width))
    names = ", ".join(f'"{cols[c]}"' for c in same + rest)
    picked = ", ".join(["?"] * len(same) + [f"column{k + 1}" for k in range(width)])
    head = f'INSERT INTO "{table}" ({names}) SELECT {picked} FROM (VALUES '
    one = "(" + ", ".join("?" * width) + ")"
    for start in range(0, n, per):
        stop = min(n, start + per)
        params = fixed + [None] * ((stop - start) * width)
        for k, col in enumerate(vary):  # the rows' values interleaved by slice assignment (no loop per value)
            params[len(fixed) + k::width] = col[start:stop]
        con.execute(head + ", ".join([one] * (stop - start)) + ")", params)


def _one_value(col: list) -> bool:
    """Whether every value of a column is its first one, of the same type (``1``, ``1.0`` and ``True`` are equal
    but bind differently; NaN is never equal, so a column of them varies)."""
    first = col[0]
    return col.count(first) == len(col) and set(map(type, col)) == {type(first)}


def count_trigger_sql(table: str) -> str:
    """The SQL of the trigger GDAL puts on a GeoPackage table to count its inserted rows in
    ``gpkg_ogr_contents`` (as GDAL writes it, and so as ``sqlite_master`` keeps it)."""
    return (f'CREATE TRIGGER "trigger_insert_feature_count_{table}" AFTER INSERT ON "{table}" BEGIN UPDATE '
            f"gpkg_ogr_contents SET feature_count = feature_count + 1 WHERE lower(table_name) = lower('{table}'); END")


@contextlib.contextmanager
def _without_count_trigger(con, table: str, n: int):
    """Inside a savepoint: GDAL's insert-count trigger on ``table`` dropped, the body run (which inserts ``n``
    rows), the count raised by ``n`` once — what the trigger's ``n`` runs give, NULL staying NULL — and the
    trigger created again from its stored SQL. Any failure rolls the savepoint back (trigger, rows and count as
    they were). A table whose trigger is not GDAL's known one keeps it: the body runs with it."""
    name = f"trigger_insert_feature_count_{table}"
    row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = ?",
                      (name, table)).fetchone()
    known = row is not None and row[0] == count_trigger_sql(table)
    con.execute("SAVEPOINT bulk_insert")
    try:
        if known:
            con.execute(f'DROP TRIGGER "{name}"')
        yield
        if known:
            con.execute("UPDATE gpkg_ogr_contents SET feature_count = feature_count + ? "
                        "WHERE lower(table_name) = lower(?)", (n, table))
            con.execute(row[0])
    except BaseException:
        con.execute("ROLLBACK TO bulk_insert")
        con.execute("RELEASE bulk_insert")
        raise
    con.execute("RELEASE bulk_insert")


def append_audit_file(path: Path, rows: list[dict]) -> None:
    with connect(Path(path)) as con:
        con.execute("BEGIN IMMEDIATE")
        insert_audit(con, stamped(rows, now_iso()))  # (a whole-layer write's rows carry their time: kept)
        con.execute("COMMIT")


# GeoPackage geometry blobs, and the ST_* functions GDAL's R-tree triggers call, so that plain SQLite
# can update a geometry inside the same transaction as its attributes.
def gpkg_blob(geom, srs_id: int = 4326) -> bytes:
    """Encode a shapely geometry as a GeoPackage binary (little-endian, XY envelope)."""
    if geom is None:
        return None
    if geom.is_empty:
        return b"GP" + bytes([0, 0b00010001]) + struct.pack("<i", srs_id) + shapely.to_wkb(geom, byte_order=1)
    minx, miny, maxx, maxy = geom.bounds
    header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", srs_id) + struct.pack("<4d", minx, maxx, miny, maxy)
    return header + shapely.to_wkb(geom, byte_order=1)


def blob_geom(blob):
    if blob is None:
        return None
    flags = blob[3]
    env = (flags >> 1) & 0b111
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get(env, 0)
    return shapely.from_wkb(bytes(blob[8 + size:]))


def register_gpkg_functions(con) -> None:
    def bounds(i):
        def f(blob):
            g = blob_geom(blob)
            return None if g is None or g.is_empty else g.bounds[i]
        return f

    con.create_function("ST_MinX", 1, bounds(0), deterministic=True)
    con.create_function("ST_MinY", 1, bounds(1), deterministic=True)
    con.create_function("ST_MaxX", 1, bounds(2), deterministic=True)
    con.create_function("ST_MaxY", 1, bounds(3), deterministic=True)
    con.create_function("ST_IsEmpty", 1, lambda b: 1 if b is None or blob_geom(b).is_empty else 0,
                        deterministic=True)
