"""The PostGIS store's row inserts and deletes inside a feature transaction (:class:`PgRows`, a mixin of the
backend's ``_PgEdit``): plain statements on the transaction's cursor, so a new row, its blobs and its audit row
commit together; the tables' statement triggers and the edit's own bump move the store's change counter."""

from __future__ import annotations

import shapely
from psycopg import sql

from ..schema import LAYERS
from .blobs import drop_pg, put_pg
from .frames import added_columns, sql_value


class PgRows:
    """Insert and delete of :class:`xxgeo.store.base.EditTx` on ``self.cur`` (``self.store``, ``self.names``)."""

    store = cur = None
    names: list = []

    def has_layer(self, layer: str) -> bool:
        """True when the schema holds the layer's table."""
        return layer in self.names

    def insert_row(self, layer: str, values: dict, geometry=None) -> None:
        """One ``INSERT`` of the schema-typed ``values`` (the geometry as WKB in EPSG:4326)."""
        lay, table = LAYERS[layer], self.store._id(layer)
        have = self.store._columns(self.cur, layer)
        for name, _sqlite, kind in added_columns(layer, values, have):
            self.cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} " + kind).format(table, sql.Identifier(name)))
        cols = [sql.Identifier(k) for k in values]
        marks = [sql.Placeholder()] * len(cols)
        vals = [sql_value(lay.field(k).kind, v) for k, v in values.items()]
        if lay.spatial and "geometry" in have:
            cols.append(sql.Identifier("geometry"))
            marks.append(sql.SQL("ST_GeomFromWKB(%s, 4326)"))
            vals.append(None if geometry is None else shapely.to_wkb(geometry))
        self.cur.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            table, sql.SQL(", ").join(cols), sql.SQL(", ").join(marks)), vals)

    def delete_row(self, layer: str, feature_id: str) -> None:
        """One ``DELETE`` by the layer's id field."""
        self.cur.execute(sql.SQL("DELETE FROM {} WHERE {} = %s").format(
            self.store._id(layer), sql.Identifier(LAYERS[layer].id_field)), (str(feature_id),))

    def put_blobs(self, rows) -> None:
        """The blob rows, in the same transaction."""
        put_pg(self.store, self.cur, rows)

    def drop_blobs(self, feature_id: str) -> None:
        """The blob rows of ``feature_id`` removed."""
        drop_pg(self.store, self.cur, feature_id)
