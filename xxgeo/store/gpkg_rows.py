"""The GeoPackage's row inserts and deletes inside a feature transaction (:class:`SqliteRows`, a mixin of the
backend's ``_SqliteEdit``): one plain SQLite statement on the open ``BEGIN IMMEDIATE`` connection, so a new
row, its blobs and its audit row commit together (GDAL's R-tree and feature-count triggers keep the layer's
index in step; their geometry functions are registered by :mod:`.gpkgsql`)."""

from __future__ import annotations

from ..schema import LAYERS
from .blobs import drop_sqlite, put_sqlite_con
from .frames import added_columns, sql_value
from .gpkgsql import geom_column, gpkg_blob


class SqliteRows:
    """Insert and delete of :class:`xxgeo.store.base.EditTx` on a SQLite connection ``self.con``."""

    con = None

    def _columns(self, layer: str) -> list[str]:
        return [r[1] for r in self.con.execute(f'PRAGMA table_info("{layer}")')]

    def has_layer(self, layer: str) -> bool:
        """True when the GeoPackage holds the layer's table."""
        return bool(self._columns(layer))

    def insert_row(self, layer: str, values: dict, geometry=None) -> None:
        """One ``INSERT`` of the schema-typed ``values`` (and the geometry as a GeoPackage blob)."""
        lay = LAYERS[layer]
        for name, kind, _pg in added_columns(layer, values, self._columns(layer)):
            self.con.execute(f'ALTER TABLE "{layer}" ADD COLUMN "{name}" {kind}')
        names = [f'"{k}"' for k in values]
        vals = [sql_value(lay.field(k).kind, v) for k, v in values.items()]
        if lay.spatial:
            names.append(f'"{geom_column(self.con, layer)}"')
            vals.append(gpkg_blob(geometry))
        self.con.execute(f'INSERT INTO "{layer}" ({", ".join(names)}) VALUES ({", ".join("?" * len(vals))})', vals)

    def delete_row(self, layer: str, feature_id: str) -> None:
        """One ``DELETE`` by the layer's id field."""
        self.con.execute(f'DELETE FROM "{layer}" WHERE "{LAYERS[layer].id_field}" = ?', (str(feature_id),))

    def put_blobs(self, rows) -> None:
        """The blob rows, on the same connection (one transaction with the row)."""
        put_sqlite_con(self.con, rows)

    def drop_blobs(self, feature_id: str) -> None:
        """The blob rows of ``feature_id`` removed."""
        drop_sqlite(self.con, feature_id)
