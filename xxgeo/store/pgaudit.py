"""Audit rows into a PostGIS store's ``audit_log``: a large batch (an import's 10^5 ``import-insert`` rows) as one
``COPY`` instead of one ``INSERT`` per row, inside the caller's transaction (:mod:`xxgeo.store.postgis`)."""

from __future__ import annotations

from psycopg import sql

from ..errors import StoreError
from ..schema import is_empty
from .auditbatch import rows_of
from .frames import AUDIT_COLUMNS, BULK_ROWS


def insert_audit(cur, store, rows: list) -> None:
    """Append ``rows`` (dicts, and batches of :mod:`.auditbatch`) to ``store``'s audit log in ``cur``'s
    transaction: each column's text (``str`` of the value, NULL for an empty one), by ``executemany`` or, for
    :data:`BULK_ROWS` rows or more, by ``COPY``."""
    rows = rows_of(rows)
    if not rows:
        return
    if "audit_log" not in store._tables(cur):
        raise StoreError("数据库缺少 audit_log 图层，无法记录修改；请用 python -m xxgeo build 重建。",
                         english="The store has no audit_log layer, so no change can be recorded; rebuild it.")
    table, names = store._id("audit_log"), sql.SQL(", ").join(map(sql.Identifier, AUDIT_COLUMNS))
    values = [[None if is_empty(r.get(c)) else str(r.get(c)) for c in AUDIT_COLUMNS] for r in rows]
    if len(values) < BULK_ROWS:
        cur.executemany(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            table, names, sql.SQL(", ").join(sql.Placeholder() * len(AUDIT_COLUMNS))), values)
        return
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, names)) as cp:
        for row in values:
            cp.write_row(row)

