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
from .frames import AUDIT_COLUMNS, now_iso

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


def insert_audit(con, rows: list[dict]) -> None:
    if not rows:
        return
    if not audit_exists(con):
        raise StoreError("数据库缺少 audit_log 图层，无法记录修改；请用 python -m xxgeo build 重建。",
                         english="The store has no audit_log layer, so changes cannot be recorded; rebuild it with "
                                 "python -m xxgeo build.")
    cols = AUDIT_COLUMNS
    names = ", ".join(f'"{c}"' for c in cols)
    con.executemany(f"INSERT INTO audit_log ({names}) VALUES ({', '.join('?' * len(cols))})",
                    [[r.get(c) for c in cols] for r in rows])


def append_audit_file(path: Path, rows: list[dict]) -> None:
    with connect(Path(path)) as con:
        con.execute("BEGIN IMMEDIATE")
        at = now_iso()
        insert_audit(con, [{"at": at, **r} for r in rows])
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
