"""PostgreSQL + PostGIS store: the public methods of :class:`xxgeo.store.GpkgStore`, on a database server.

Selected by a URL ``postgresql://USER:PASS@HOST:PORT/DB[?schema=NAME]`` (default schema ``xxgeo``). Each
layer is one table of that schema with the layer's fields, an ``fid`` identity key (keeps row order) and,
for spatial layers, a ``geometry`` column ``geometry(Geometry, 4326)`` with a GiST index.

Every write is one database transaction, so it lands whole or not at all and readers see the old data
until it commits:

* whole-layer writes (build, import, restore) take an exclusive transaction-level advisory lock, copy the
  current tables into a backup schema ``<schema>_bk_<timestamp>[_reason]``, then drop and recreate the
  tables they write and append ``audit_log`` rows;
* feature edits take the same advisory lock *shared* (edits run side by side, never inside a
  read-modify-write), ``SELECT … FOR UPDATE`` the row, check its ``version``, update it and insert the
  ``audit_log`` row before ``COMMIT``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import re
import zlib

import geopandas as gpd
import pandas as pd
import shapely

from ..errors import NotFound, StaleEdit, StoreError, ValidationFailed
from ..schema import LAYERS, Report, check_value, is_empty
from ..store import AuditEntry, Dataset, GpkgStore, Revert, coerce, editable_layer, empty_frame, now_iso, sql_value
from .pgutil import PgLocation, Snapshot, first_line, geoms_of, kind_of, split_url

try:
    import psycopg
    from psycopg import sql
except ImportError:  # pragma: no cover - psycopg is in requirements.txt
    psycopg = None


LOCK_TIMEOUT = "30s"
_PGTYPE = {"int": "bigint", "year": "bigint", "float": "double precision", "bool": "boolean"}
_AUDIT_COLS = ["at", "user", "layer", "feature_id", "action", "before", "after"]
#: display URL (no password) -> full URL, so ``open_store(str(store.path))`` reopens a store in-process.
_KNOWN: dict[str, str] = {}


class PostgisStore:
    """A store in a PostgreSQL + PostGIS database (one schema); same public methods as ``GpkgStore``."""

    kind = "postgis"

    def __init__(self, url: str) -> None:
        url = _KNOWN.get(url, url)
        self.url = url
        self.conninfo, self.schema, self.display, self.dbname = split_url(url)
        _KNOWN[self.display] = url
        self.path = PgLocation(self)
        self._lock_key = zlib.crc32(f"xxgeo:{self.dbname}:{self.schema}".encode())

    def __repr__(self) -> str:
        return f"PostgisStore({self.display!r})"

    def __getitem__(self, layer: str):
        """``store[layer]`` is ``store.read(layer)`` (the Dataset interface, for export)."""
        return self.read(layer)

    # ----------------------------------------------------------------- connections
    def _connect(self):
        if psycopg is None:
            raise StoreError("未安装 PostgreSQL 驱动 psycopg：请运行 pip install -r requirements.txt。")
        try:
            return psycopg.connect(self.conninfo, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"无法连接到数据库服务器 {self.display}：请检查服务器已启动，地址、用户名和密码正确"
                             f"（{first_line(exc)}）。") from exc

    @contextlib.contextmanager
    def _tx(self, lock: str | None = None, *, read_only: bool = False):
        """One transaction (commit on success, rollback on any exception); ``lock``: exclusive | shared."""
        con = self._connect()
        try:
            with con, con.cursor() as cur:
                if read_only:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                if lock == "exclusive":
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
                elif lock == "shared":
                    cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", (self._lock_key,))
                yield cur
        except psycopg.errors.LockNotAvailable as exc:
            raise StoreError("数据库正被其他用户写入，请稍后再试。") from exc
        except psycopg.Error as exc:
            raise StoreError(f"数据库服务器报错，操作未完成，数据未改动：{first_line(exc)}。") from exc

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
            raise StoreError(f"数据库 {self.display} 中还没有 xxgeo 数据。请先运行 "
                             f"python -m xxgeo build --store 数据库地址 建库，或检查 schema 名称。")
        return names

    def _bump(self, cur) -> None:
        seq = self._id("xxgeo_changes")
        cur.execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(seq))
        cur.execute(sql.SQL("SELECT nextval({})").format(sql.Literal(f'"{self.schema}"."xxgeo_changes"')))

    def _watch_tables(self, cur) -> None:
        """Give every table of the schema that lacks one a statement trigger bumping the change counter, so
        a change made outside xxgeo (psql, QGIS) also reaches the app's cache token. Run by whole-layer
        writes (which create tables); a table that already has the trigger is left alone (no lock taken)."""
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

    def change_count(self) -> int:
        """A number that grows with every committed write (the app's cache token)."""
        with self._tx(read_only=True) as cur:
            cur.execute("SELECT to_regclass(%s)", (f'"{self.schema}"."xxgeo_changes"',))
            if cur.fetchone()[0] is None:
                return 0
            cur.execute(sql.SQL("SELECT last_value FROM {}").format(self._id("xxgeo_changes")))
            return int(cur.fetchone()[0])

    # ----------------------------------------------------------------- reading
    def exists(self) -> bool:
        """True when the schema holds at least one table."""
        with self._tx(read_only=True) as cur:
            return bool(self._tables(cur))

    def _require(self) -> None:
        """Raise :class:`StoreError` unless the store holds data (as ``GpkgStore._require``)."""
        with self._tx(read_only=True) as cur:
            self._require_tables(cur)

    def layer_names(self) -> list[str]:
        """Names of the layers (tables) present in the store."""
        with self._tx(read_only=True) as cur:
            return self._require_tables(cur)

    def _read(self, cur, layer: str, names: list[str]):
        if layer not in LAYERS:
            raise NotFound(f"没有名为“{layer}”的图层。可用图层：{'、'.join(LAYERS)}")
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
        """Read one layer as a (Geo)DataFrame with the schema's dtypes."""
        if layer not in LAYERS:
            raise NotFound(f"没有名为“{layer}”的图层。可用图层：{'、'.join(LAYERS)}")
        with self._tx(read_only=True) as cur:
            return self._read(cur, layer, self._require_tables(cur))

    def load(self, layers=None) -> Dataset:
        """Read every layer (or the named ones) into a :class:`Dataset`, from one consistent snapshot."""
        with self._tx(read_only=True) as cur:
            names = self._require_tables(cur)
            return Dataset({n: self._read(cur, n, names) for n in (layers or list(LAYERS))})

    def validate(self) -> Report:
        """Validate every layer against the schema; missing required layers are problems too."""
        return GpkgStore.validate(self)  # the same checks, through this store's layer_names/read

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
        """Copy every table into a new backup schema; returns the backup (``None`` for an empty store)."""
        with self._tx("shared") as cur:
            return self._snapshot(cur, reason)

    def list_backups(self) -> list[Snapshot]:
        """Backups of this store, newest first."""
        with self._tx(read_only=True) as cur:
            cur.execute("SELECT n.nspname, coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_namespace n "
                        "LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind = 'r' "
                        "WHERE starts_with(n.nspname, %s) GROUP BY n.nspname ORDER BY n.nspname DESC",
                        (self._backup_prefix(),))
            return [Snapshot(n, int(size), self) for n, size in cur.fetchall()]

    def restore(self, backup: str, *, user: str = "system") -> Snapshot:
        """Replace the store by a backup (the current store is backed up first)."""
        name = str(getattr(backup, "name", backup))
        cands = [b for b in self.list_backups() if b.name in (name, name.lower())]
        if not cands:
            raise NotFound(f"没有找到备份“{backup}”。运行 python -m xxgeo restore 查看可用备份。")
        src = cands[0]
        self.swap_in(src, audit_rows=[{"user": user, "layer": "*", "feature_id": None, "action": "restore",
                                       "before": None, "after": src.name}], action="before-restore")
        return src

    def swap_in(self, source, *, check=None, audit_rows=(), action: str = "swap") -> Snapshot | None:
        """Under the exclusive lock: ``check(store)`` (may raise), back up, replace every table by the
        backup's ``source`` tables with ``audit_rows`` appended, in one transaction. Returns the backup."""
        src = str(getattr(source, "name", source))
        with self._tx("exclusive") as cur:
            self._require_tables(cur)
            if "projects" not in self._tables(cur, src):
                raise StoreError(f"备份 {src} 不是 xxgeo 数据库，未恢复。")
            if check is not None:
                check(self)
            saved = self._snapshot(cur, action)
            for t in self._tables(cur):
                cur.execute(sql.SQL("DROP TABLE {}").format(self._id(t)))
            self._copy_tables(cur, src, self.schema, self._tables(cur, src), live=True)
            if audit_rows:
                self._insert_audit(cur, [{"at": now_iso(), **r} for r in audit_rows])
            self._watch_tables(cur)
        return saved

    # ----------------------------------------------------------------- writing
    def write_layers(self, frames, *, user: str = "system", action: str = "write",
                     fresh: bool = False, backup: bool = True, audit: bool = True) -> Snapshot | None:
        """Write whole layers in one transaction (exclusive lock, backup schema, drop/create, audit).

        ``frames`` is a dict of layer -> frame, or a callable ``build(store, backup) -> (frames, audit_rows)``
        run *inside* the lock, so a read-modify-write cannot overwrite an edit that landed in between.
        ``fresh=True`` starts from an empty schema (the build); what was there is still backed up first (on a
        shared server a rebuild must not lose the edits). Nothing changes when any step fails (the backup schema
        is rolled back with the rest). Returns the backup (``None`` when the schema was empty).
        """
        with self._tx("exclusive") as cur:
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            saved = self._snapshot(cur, action) if backup else None
            if callable(frames):
                frames, rows = frames(self, saved)
            else:
                rows = [{"user": user, "layer": name, "feature_id": None, "action": action, "before": None,
                         "after": f"{len(df)} 行"} for name, df in frames.items() if name != "audit_log"]
            if fresh:
                for t in self._tables(cur):
                    cur.execute(sql.SQL("DROP TABLE {}").format(self._id(t)))
            for name, df in frames.items():
                self._write_table(cur, name, coerce(name, df) if name in LAYERS else df)
            if audit and not fresh and rows:
                self._insert_audit(cur, [{"at": now_iso(), **r} for r in rows])
            self._watch_tables(cur)
        return saved

    def copy_from(self, source, *, user: str = "system") -> Snapshot | None:
        """Copy every layer of another store (a GeoPackage path or any store), audit log included, into
        this one in one transaction (what was here is backed up first): moves a GeoPackage deployment, with
        its edits and audit log, to a server."""
        from ..store import open_store

        src = open_store(source) if isinstance(source, str) else source
        names = [n for n in src.layer_names() if n in LAYERS]
        frames = {n: src.read(n) for n in names}
        row = {"at": now_iso(), "user": user, "layer": "*", "feature_id": None, "action": "copy", "before": None,
               "after": f"{src.path}：{len(frames.get('projects', ()))} projects"}
        frames["audit_log"] = pd.concat([frames.get("audit_log", empty_frame("audit_log")), pd.DataFrame([row])],
                                        ignore_index=True)
        return self.write_layers(frames, action="copy", fresh=not self.exists(), audit=False)

    def _write_table(self, cur, name: str, df) -> None:
        lay = LAYERS.get(name)
        kinds = {f.name: f.kind for f in lay.fields} if lay else {}
        cols = [c for c in df.columns if c != "geometry" and c != "fid"]
        types = [_PGTYPE.get(kinds.get(c) or kind_of(df[c]), "text") for c in cols]
        spatial = bool(lay and lay.spatial) or isinstance(df, gpd.GeoDataFrame)
        defs = [sql.SQL("fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")]
        defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in zip(cols, types)]
        if spatial:
            defs.append(sql.SQL("geometry geometry(Geometry, 4326)"))
        table = self._id(name)
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

    def _insert_audit(self, cur, rows: list[dict]) -> None:
        if not rows:
            return
        if "audit_log" not in self._tables(cur):
            raise StoreError("数据库缺少 audit_log 图层，无法记录修改；请用 python -m xxgeo build 重建。")
        stmt = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            self._id("audit_log"), sql.SQL(", ").join(map(sql.Identifier, _AUDIT_COLS)),
            sql.SQL(", ").join(sql.Placeholder() * len(_AUDIT_COLS)))
        cur.executemany(stmt, [[None if is_empty(r.get(c)) else str(r.get(c)) for c in _AUDIT_COLS] for r in rows])

    def append_audit(self, rows: list[dict]) -> None:
        """Append rows to ``audit_log`` (one transaction)."""
        with self._tx("shared") as cur:
            self._insert_audit(cur, [{"at": now_iso(), **r} for r in rows])
            self._bump(cur)

    def update_feature(self, layer: str, feature_id: str, changes: dict, *, user: str,
                       expected_version: int | None = None, geometry=None, guard=None) -> int:
        """Change attributes (and optionally the geometry) of one feature; returns the new version.

        The row is locked (``SELECT … FOR UPDATE``); the edit, the version bump and the ``audit_log`` row
        are one transaction. When ``expected_version`` is given and the stored version differs,
        :class:`StaleEdit` is raised and nothing changes. Unknown fields or bad values are refused.
        ``guard(current_fields)``, when given, runs on the locked row and may raise (roles:
        :mod:`xxgeo.policy`), so a permission check cannot race another editor's change.
        """
        lay = editable_layer(layer, changes)
        with self._tx("shared") as cur:
            current = self._current_row(cur, self._require_tables(cur), layer, feature_id)
            if current is None:
                raise NotFound(f"图层“{layer}”中没有编号为“{feature_id}”的要素。")
            cols = list(current)
            if guard is not None:
                guard({k: v for k, v in current.items() if k != "geometry"})
            version = int(current.get("version") or 1) if "version" in cols else 1
            if expected_version is not None and int(expected_version) != version:
                raise StaleEdit(f"“{feature_id}”已被他人修改（当前版本 {version}，您编辑的是版本 {expected_version}）。"
                                "请刷新后重新修改，您的修改未保存。")
            probe = {**{k: v for k, v in current.items() if k in lay.field_names}, **changes}
            errs = [m for f in lay.fields if f.name in changes and (m := check_value(f, probe[f.name]))]
            if errs:
                raise ValidationFailed("修改未保存：" + "；".join(errs), errs)
            sets, vals = [], []
            for k, v in changes.items():
                sets.append(sql.SQL("{} = %s").format(sql.Identifier(k)))
                vals.append(sql_value(lay.field(k).kind, v))
            if "version" in cols:
                sets.append(sql.SQL("version = %s"))
                vals.append(version + 1)
            before = {k: current.get(k) for k in changes}
            after = dict(changes)
            if geometry is not None:
                if "geometry" not in cols:
                    raise NotFound(f"图层“{layer}”没有几何字段。")
                old = current.get("geometry")
                before["geometry"] = None if old is None else shapely.to_wkt(old, rounding_precision=7)
                after["geometry"] = shapely.to_wkt(geometry, rounding_precision=7)
                sets.append(sql.SQL("geometry = ST_GeomFromWKB(%s, 4326)"))
                vals.append(shapely.to_wkb(geometry))
            if sets:
                cur.execute(sql.SQL("UPDATE {} SET {} WHERE {} = %s").format(
                    self._id(layer), sql.SQL(", ").join(sets), sql.Identifier(lay.id_field)), (*vals, str(feature_id)))
            self._insert_audit(cur, [{"at": now_iso(), "user": user, "layer": layer, "feature_id": feature_id,
                                      "action": "update",
                                      "before": json.dumps(before, ensure_ascii=False, default=str),
                                      "after": json.dumps(after, ensure_ascii=False, default=str)}])
            self._bump(cur)
            return version + 1

    # ----------------------------------------------------------------- undo
    def _audit_entries(self, cur, names: list[str]) -> list[AuditEntry]:
        if "audit_log" not in names:
            return []
        cur.execute(sql.SQL("SELECT fid, {} FROM {} ORDER BY fid").format(
            sql.SQL(", ").join(map(sql.Identifier, _AUDIT_COLS)), self._id("audit_log")))
        return [AuditEntry(*r) for r in cur.fetchall()]

    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first (empty when the store has none)."""
        with self._tx(read_only=True) as cur:
            return self._audit_entries(cur, self._require_tables(cur))

    def _current_row(self, cur, names: list[str], layer: str, feature_id: str) -> dict | None:
        lay = LAYERS[layer]
        if layer not in names:
            return None
        cols = self._columns(cur, layer)
        sel = [sql.SQL("ST_AsBinary({0})").format(sql.Identifier(c)) if c == "geometry" else sql.Identifier(c)
               for c in cols]
        cur.execute(sql.SQL("SELECT {} FROM {} WHERE {} = %s ORDER BY fid LIMIT 1 FOR UPDATE").format(
            sql.SQL(", ").join(sel), self._id(layer), sql.Identifier(lay.id_field)), (str(feature_id),))
        row = cur.fetchone()
        if row is None:
            return None
        current = dict(zip(cols, row))
        if "geometry" in current:
            g = current["geometry"]
            current["geometry"] = None if g is None else shapely.from_wkb(bytes(g))
        return current

    def undo_feature(self, decide) -> Revert:
        """One write transaction for an undo, under the exclusive advisory lock (no edit lands meanwhile).

        ``decide(entries, current)`` gets the audit log (oldest first) and ``current(layer, feature_id)`` (the
        feature's stored fields with ``geometry`` as a shapely geometry, its row locked; ``None`` when it is
        missing) and returns a :class:`~xxgeo.store.Revert`, or raises and nothing changes. The store writes
        the revert's values (and geometry), bumps ``version``, appends the audit row and commits.
        """
        with self._tx("exclusive") as cur:
            names = self._require_tables(cur)
            rev = decide(self._audit_entries(cur, names),
                         lambda layer, fid: self._current_row(cur, names, layer, fid))
            lay = LAYERS[rev.layer]
            sets = [sql.SQL("{} = %s").format(sql.Identifier(k)) for k in rev.values]
            vals = [sql_value(lay.field(k).kind, v) for k, v in rev.values.items()]
            if rev.set_geometry:
                sets.append(sql.SQL("geometry = ST_GeomFromWKB(%s, 4326)"))
                vals.append(None if rev.geometry is None else shapely.to_wkb(rev.geometry))
            if "version" in self._columns(cur, rev.layer):
                sets.append(sql.SQL("version = coalesce(version, 1) + 1"))
            if sets:
                cur.execute(sql.SQL("UPDATE {} SET {} WHERE {} = %s").format(
                    self._id(rev.layer), sql.SQL(", ").join(sets), sql.Identifier(lay.id_field)),
                    (*vals, str(rev.feature_id)))
            self._insert_audit(cur, [{"at": now_iso(), **rev.audit}])
            self._bump(cur)
        return rev
