"""The PostgreSQL + PostGIS store: the backend hooks of :class:`~xxgeo.store.base.Store`, on a server.

Selected by a URL ``postgresql://USER:PASS@HOST:PORT/DB[?schema=NAME]`` (default schema ``xxgeo``). Each
layer is one table of that schema with the layer's fields, an ``fid`` identity key (keeps row order) and,
for spatial layers, a ``geometry`` column ``geometry(Geometry, 4326)`` with a GiST index.

Every write is one database transaction, so it lands whole or not at all and readers see the old data
until it commits: whole-layer writes take an exclusive transaction-level advisory lock and copy the
current tables into a backup schema ``<schema>_bk_<timestamp>[_reason]`` first; feature edits take the
same lock *shared* (edits run side by side, never inside a read-modify-write) and ``SELECT … FOR UPDATE``
the row. A statement trigger on every table bumps a change counter, the store's :meth:`version`, so a
change made outside xxgeo (psql, QGIS) reaches the app too.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
import zlib

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from ..accounts import DDL, FAILURES_DDL
from ..errors import NotFound, StoreError, pg_read_only
from ..schema import LAYERS, dataset_layers
from .auditbatch import stamped
from .base import EditTx, LayersTx, Store, no_data
from .frames import AUDIT_COLUMNS, AuditEntry, Dataset, added_columns, coerce, empty_frame, now_iso, sql_value
from .pgaudit import insert_audit as _insert_audit
from .pgutil import Snapshot, ensure_postgis, first_line, geoms_of, kind_of, server_errors, split_url
from .postgis_rows import PgRows

LOCK_TIMEOUT = "30s"
_PGTYPE = {"int": "bigint", "year": "bigint", "float": "double precision", "bool": "boolean"}
#: display URL (no password) -> full URL, so ``open_store(store.location)`` reopens a store in-process.
_KNOWN: dict[str, str] = {}


class PostgisStore(Store):
    """A store in one schema of a PostgreSQL + PostGIS database."""

    kind = "postgis"

    def __init__(self, url: str) -> None:
        url = _KNOWN.get(url, url)
        self.url = url
        self.conninfo, self.schema, self.display, self.dbname = split_url(url)
        _KNOWN[self.display] = url
        self._lock_key = zlib.crc32(f"xxgeo:{self.dbname}:{self.schema}".encode())

    def __repr__(self) -> str:
        return f"PostgisStore({self.display!r})"

    @property
    def location(self) -> str:
        return self.display

    @property
    def name(self) -> str:
        return f"{self.dbname}.{self.schema}"

    # ----------------------------------------------------------------- connections
    def _connect(self):
        try:
            return psycopg.connect(self.conninfo, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"无法连接到数据库服务器 {self.display}：请检查服务器已启动，地址、用户名和密码正确"
                             f"（{first_line(exc)}）。",
                             english=f"Cannot reach the database server {self.display}: check it runs and the "
                                     f"address, user and password ({first_line(exc)}).") from exc

    @contextlib.contextmanager
    def _tx(self, lock: str | None = None, *, read_only: bool = False):
        """One transaction (commit on success, rollback on any exception); ``lock``: exclusive | shared."""
        con = self._connect()
        with server_errors(self.display, self.dbname), con, con.cursor() as cur:
            if read_only:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            if lock is not None:  # a write: refused before anything is written on a read-only server
                cur.execute("SHOW transaction_read_only")
                if cur.fetchone()[0] == "on":
                    raise pg_read_only(self.display)
            if lock == "exclusive":
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            elif lock == "shared":
                cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", (self._lock_key,))
            yield cur

    def _id(self, table: str):
        return sql.Identifier(self.schema, table)

    def _tables(self, cur, schema: str | None = None) -> list[str]:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                    "AND table_type = 'BASE TABLE' ORDER BY table_name", (schema or self.schema,))
        return [r[0] for r in cur.fetchall()]

    def _columns(self, cur, table: str, schema: str | None = None) -> list[str]:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                    "AND column_name <> 'fid' ORDER BY ordinal_position", (schema or self.schema, table))
        return [r[0] for r in cur.fetchall()]

    def _require_tables(self, cur) -> list[str]:
        names = self._tables(cur)
        if not names:
            raise no_data(self.display, server=True)
        return names

    def _bump(self, cur) -> None:
        seq = self._id("xxgeo_changes")
        cur.execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(seq))
        cur.execute(sql.SQL("SELECT nextval({})").format(sql.Literal(f'"{self.schema}"."xxgeo_changes"')))

    def _watch_tables(self, cur) -> None:
        """Give every table of the schema that lacks one a statement trigger bumping the change counter."""
        self._bump(cur)
        fn = self._id("xxgeo_bump")
        cur.execute(sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}").format(
            fn, sql.Literal(f"""BEGIN PERFORM nextval('"{self.schema}"."xxgeo_changes"'); RETURN NULL; END""")))
        cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind = 'r' AND NOT EXISTS "
                    "(SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'xxgeo_bump')", (self.schema,))
        for (table,) in cur.fetchall():
            cur.execute(sql.SQL("CREATE TRIGGER xxgeo_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {} "
                                "FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(self._id(table), fn))

    def version(self) -> str:
        """The change counter: grows with every committed write, from xxgeo or from any other client."""
        with self._tx(read_only=True) as cur:
            cur.execute("SELECT to_regclass(%s)", (f'"{self.schema}"."xxgeo_changes"',))
            if cur.fetchone()[0] is None:
                return "0"
            cur.execute(sql.SQL("SELECT last_value FROM {}").format(self._id("xxgeo_changes")))
            return str(cur.fetchone()[0])

    # ----------------------------------------------------------------- reading
    def exists(self) -> bool:
        with self._tx(read_only=True) as cur:
            return bool(self._tables(cur))

    def layer_names(self) -> list[str]:
        with self._tx(read_only=True) as cur:
            return self._require_tables(cur)

    def _read(self, cur, layer: str, names: list[str]):
        if layer not in LAYERS:
            raise NotFound(f"没有名为“{layer}”的图层。可用图层：{'、'.join(LAYERS)}",
                           english=f"No layer “{layer}”. Layers: {', '.join(LAYERS)}")
        if layer not in names:
            return empty_frame(layer)
        cols = self._columns(cur, layer)
        sel = [sql.SQL("ST_AsBinary({0}) AS {0}").format(sql.Identifier(c)) if c == "geometry" else sql.Identifier(c)
               for c in cols]
        cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY fid").format(sql.SQL(", ").join(sel), self._id(layer)))
        df = pd.DataFrame(cur.fetchall(), columns=cols)
        if "geometry" in cols:
            geoms = shapely.from_wkb([None if b is None else bytes(b) for b in df["geometry"]])
            df = gpd.GeoDataFrame(df.drop(columns=["geometry"]), geometry=gpd.GeoSeries(geoms, crs=4326).values,
                                  crs="EPSG:4326")
        return coerce(layer, df)

    def read(self, layer: str):
        with self._tx(read_only=True) as cur:
            return self._read(cur, layer, self._require_tables(cur))

    def load(self, layers=None):
        """Every layer (or the named ones), from one consistent snapshot."""
        with self._tx(read_only=True) as cur:
            names = self._require_tables(cur)
            return Dataset({n: self._read(cur, n, names) for n in (layers or dataset_layers())})

    # ----------------------------------------------------------------- backups
    def _backup_prefix(self) -> str:
        return f"{self.schema}_bk_"

    def _copy_tables(self, cur, src: str, dst: str, tables: list[str], *, live: bool) -> None:
        for t in tables:
            s, d = sql.Identifier(src, t), sql.Identifier(dst, t)
            cur.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(d, s))
            cur.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(d, s))
            if live:  # the identity goes on after the highest copied fid
                cur.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'fid'), "
                                    "coalesce((SELECT max(fid) FROM {}), 0) + 1, false)").format(
                    sql.Literal(f'"{dst}"."{t}"'), d))

    def _snapshot(self, cur, reason: str) -> Snapshot | None:
        tables = self._tables(cur)
        if not tables:
            return None
        stamp = _dt.datetime.now().strftime("%Y%m%dt%H%M%S%f")
        tag = re.sub(r"[^a-z0-9_]", "", reason.lower().replace("-", "_"))[:20]
        name = (self._backup_prefix() + stamp + (f"_{tag}" if tag else ""))[:63]
        cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        self._copy_tables(cur, self.schema, name, tables, live=False)
        return Snapshot(name, 0, self)

    def backup(self, reason: str = "") -> Snapshot | None:
        with self._tx("shared") as cur:
            return self._snapshot(cur, reason)

    def list_backups(self) -> list[Snapshot]:
        with self._tx(read_only=True) as cur:
            cur.execute("SELECT n.nspname, coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_namespace n "
                        "LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind = 'r' "
                        "WHERE starts_with(n.nspname, %s) GROUP BY n.nspname ORDER BY n.nspname DESC",
                        (self._backup_prefix(),))
            return [Snapshot(n, int(size), self) for n, size in cur.fetchall()]

    def _swap_tx(self, source, *, check, rows: list[dict], action: str, history: bool = False) -> Snapshot | None:
        src = str(getattr(source, "name", source))
        with self._tx("exclusive") as cur:
            self._require_tables(cur)
            if "projects" not in self._tables(cur, src):
                raise StoreError(f"备份 {src} 不是 xxgeo 数据库，未恢复。",
                                 english=f"Backup {src} is not an xxgeo store; nothing restored.")
            if check is not None:
                check(self)
            saved = self._snapshot(cur, action)
            for t in self._tables(cur):
                cur.execute(sql.SQL("DROP TABLE {}").format(self._id(t)))
            self._copy_tables(cur, src, self.schema, self._tables(cur, src), live=True)
            if history:
                cur.execute(sql.SQL("DELETE FROM {}").format(self._id("audit_log")))
            _insert_audit(cur, self, rows)
            self._watch_tables(cur)
        return saved

    # ----------------------------------------------------------------- writing
    @contextlib.contextmanager
    def _layers_tx(self, *, fresh: bool, backup: bool, action: str):
        with self._tx("exclusive") as cur:
            ensure_postgis(cur, self.dbname)
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            saved = self._snapshot(cur, action) if backup else None
            if fresh:
                for t in self._tables(cur):
                    cur.execute(sql.SQL("DROP TABLE {}").format(self._id(t)))
            yield _PgLayers(self, cur, saved)
            self._watch_tables(cur)

    def append_audit(self, rows: list[dict]) -> None:
        with self._tx("shared") as cur:
            _insert_audit(cur, self, stamped(rows, now_iso()))  # one clock reading
            self._bump(cur)

    @contextlib.contextmanager
    def _edit_tx(self, *, exclusive: bool = False):
        with self._tx("exclusive" if exclusive else "shared") as cur:
            yield _PgEdit(self, cur, self._require_tables(cur))
            self._bump(cur)

    def audit_entries(self) -> list[AuditEntry]:
        with self._tx(read_only=True) as cur:
            return _PgEdit(self, cur, self._require_tables(cur)).audit_entries()

    def account_table(self) -> _PgAccounts:
        return _PgAccounts(self)


class _PgLayers(LayersTx):
    """Whole-layer writes in the exclusive transaction: each layer dropped, recreated and copied in."""

    def __init__(self, store: PostgisStore, cur, saved) -> None:
        self.store, self.cur, self.saved = store, cur, saved

    def write(self, name: str, df) -> None:
        cur, lay = self.cur, LAYERS.get(name)
        kinds = {f.name: f.kind for f in lay.fields} if lay else {}
        cols = [c for c in df.columns if c != "geometry" and c != "fid"]
        types = [_PGTYPE.get(kinds.get(c) or kind_of(df[c]), "text") for c in cols]
        spatial = bool(lay and lay.spatial) or isinstance(df, gpd.GeoDataFrame)
        defs = [sql.SQL("fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")]
        defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in zip(cols, types)]
        if spatial:
            defs.append(sql.SQL("geometry geometry(Geometry, 4326)"))
        table = self.store._id(name)
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(defs)))
        columns = [[sql_value(kinds.get(c) or kind_of(df[c]), v) for v in df[c].tolist()] for c in cols]
        names = list(cols)
        if spatial:
            cur.execute(sql.SQL("CREATE INDEX ON {} USING gist (geometry)").format(table))
            geoms = shapely.set_srid(geoms_of(df), 4326)
            columns.append([None if g is None else shapely.to_wkb(g, hex=True, include_srid=True) for g in geoms])
            names.append("geometry")
        if not names or not len(df):
            return
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(", ").join(map(sql.Identifier, names)))
        with cur.copy(copy) as cp:
            for row in zip(*columns):
                cp.write_row(row)

    def audit(self, rows: list[dict]) -> None:
        _insert_audit(self.cur, self.store, rows)


class _PgEdit(PgRows, EditTx):
    """Feature writes in one transaction; rows are read ``FOR UPDATE`` (inserts and deletes: :mod:`.postgis_rows`)."""

    def __init__(self, store: PostgisStore, cur, names: list[str]) -> None:
        self.store, self.cur, self.names = store, cur, names

    def current_row(self, layer: str, feature_id: str) -> dict | None:
        if layer not in self.names:
            return None
        cols = self.store._columns(self.cur, layer)
        sel = [sql.SQL("ST_AsBinary({0})").format(sql.Identifier(c)) if c == "geometry" else sql.Identifier(c)
               for c in cols]
        self.cur.execute(sql.SQL("SELECT {} FROM {} WHERE {} = %s ORDER BY fid LIMIT 1 FOR UPDATE").format(
            sql.SQL(", ").join(sel), self.store._id(layer), sql.Identifier(LAYERS[layer].id_field)),
            (str(feature_id),))
        row = self.cur.fetchone()
        if row is None:
            return None
        current = dict(zip(cols, row))
        if "geometry" in current:
            g = current["geometry"]
            current["geometry"] = None if g is None else shapely.from_wkb(bytes(g))
        return current

    def update_row(self, layer: str, feature_id: str, values: dict, *, geometry=None,
                   set_geometry: bool = False) -> None:
        lay = LAYERS[layer]
        for name, _sqlite, kind in added_columns(layer, values, self.store._columns(self.cur, layer)):
            self.cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} " + kind).format(self.store._id(layer),
                                                                                   sql.Identifier(name)))
        sets = [sql.SQL("{} = %s").format(sql.Identifier(k)) for k in values]
        vals = [sql_value(lay.field(k).kind, v) for k, v in values.items()]
        if set_geometry:
            sets.append(sql.SQL("geometry = ST_GeomFromWKB(%s, 4326)"))
            vals.append(None if geometry is None else shapely.to_wkb(geometry))
        if "version" in self.store._columns(self.cur, layer):
            sets.append(sql.SQL("version = coalesce(version, 1) + 1"))
        if sets:
            self.cur.execute(sql.SQL("UPDATE {} SET {} WHERE {} = %s").format(
                self.store._id(layer), sql.SQL(", ").join(sets), sql.Identifier(lay.id_field)),
                (*vals, str(feature_id)))

    def audit(self, rows: list[dict]) -> None:
        _insert_audit(self.cur, self.store, rows)

    def audit_entries(self) -> list[AuditEntry]:
        if "audit_log" not in self.names:
            return []
        self.cur.execute(sql.SQL("SELECT fid, {} FROM {} ORDER BY fid").format(
            sql.SQL(", ").join(map(sql.Identifier, AUDIT_COLUMNS)), self.store._id("audit_log")))
        return [AuditEntry(*r) for r in self.cur.fetchall()]


class _PgAccounts:
    """The accounts table in the sibling schema ``<schema>_accounts`` (data backups never copy it)."""

    mark = "%s"
    row_lock = " FOR UPDATE"

    def __init__(self, store: PostgisStore) -> None:
        self.store = store
        self.schema = f"{store.schema}_accounts"
        self.table = f'"{self.schema}"."accounts"'
        self.failures = f'"{self.schema}"."signin_failures"'

    @contextlib.contextmanager
    def tx(self, *, write: bool):
        """One transaction; yields ``(run(sql, params) -> rows, audit(rows))``."""
        with self.store._tx("shared" if write else None) as cur:
            if write:
                cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                cur.execute(DDL.format(t=self.table))
                cur.execute(FAILURES_DDL.format(t=self.failures))

            def run(q, params=()):
                cur.execute(q, params)
                return cur.fetchall() if cur.description else []

            yield run, (lambda rows: _insert_audit(cur, self.store, rows))

    def has_table(self, run) -> bool:
        return bool(run("SELECT to_regclass(%s)", (self.table,))[0][0])
