"""The GeoPackage store (the embedded default): the backend hooks of :class:`~xxgeo.store.base.Store`.

* whole-layer writes (build, import, restore) take the store's writer lock (an ``flock`` on ``<store>.lock``),
  copy the file, write the copy and swap it in with an atomic ``os.replace``; a timestamped backup is kept
  first, and the accounts table is carried across (accounts are never rolled back with the data);
* feature edits run inside one SQLite ``BEGIN IMMEDIATE`` transaction on the GeoPackage itself (GDAL's R-tree
  trigger functions registered in Python, :mod:`.gpkgsql`).

Readers never take the lock: an ``os.replace`` leaves a reader's open file intact.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pyogrio

from ..accounts import DDL, FAILURES_DDL, FAILURES_TABLE, TABLE, carry_accounts
from ..config import settings
from ..errors import NotFound, StoreError
from ..schema import LAYERS
from .base import EditTx, Store, no_data
from .frames import AuditEntry, added_columns, coerce, empty_frame, sql_value
from .gpkg_rows import SqliteRows
from .gpkgsql import (
    LOCK_TIMEOUT_S,
    append_audit_file,
    audit_exists,
    blob_geom,
    connect,
    geom_column,
    gpkg_blob,
    insert_audit,
)
from .gpkgtidy import PendingBackup, temp_prefix, tidy, writable
from .gpkgwrite import FileLayers

READ_TRIES = 8  # a read that lands on another writer's commit is retried for up to ~1.8 s
# A GDAL read that meets another writer's commit waits for it instead of failing with "database is locked".
pyogrio.set_gdal_config_options({"OGR_SQLITE_PRAGMA": "busy_timeout=30000"})


class GpkgStore(Store):
    """A GeoPackage file."""

    kind = "gpkg"

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path or settings().store)

    def __repr__(self) -> str:
        return f"GpkgStore({str(self.path)!r})"

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def name(self) -> str:
        return self.path.name

    def version(self) -> str:
        """The file's modification time and size (every write replaces or rewrites the file)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return "absent"
        return f"{st.st_mtime_ns}:{st.st_size}"

    # ----------------------------------------------------------------- reading
    def exists(self) -> bool:
        return self.path.is_file()

    def require(self) -> None:
        if not self.exists():
            raise no_data(str(self.path), server=False)
        if not getattr(self, "_tidied", False):
            self._tidied = True
            with contextlib.suppress(OSError, StoreError), self.lock(timeout=0):
                pass  # taking the lock tidies what a killed writer left

    def layer_names(self) -> list[str]:
        self.require()
        names = _gdal_retry(lambda: pyogrio.list_layers(self.path),
                            f"无法打开数据库 {self.path}：它不是有效的 GeoPackage 文件，或正被长时间写入",
                            f"The store {self.path} cannot be opened: it is not a valid GeoPackage, or another "
                            "program has been writing to it for a long time")
        return [str(n) for n, _ in names]

    def read(self, layer: str):
        if layer not in LAYERS:
            raise NotFound(f"没有名为“{layer}”的图层。可用图层：{'、'.join(LAYERS)}",
                           english=f"No layer “{layer}”. Layers: {', '.join(LAYERS)}")
        if layer not in self.layer_names():
            return empty_frame(layer)
        df = _gdal_retry(lambda: pyogrio.read_dataframe(self.path, layer=layer, use_arrow=True),
                         f"读取图层“{layer}”失败：数据库文件可能已损坏，或正被长时间写入",
                         f"Reading layer “{layer}” failed: the store file may be damaged, or another program has "
                         "been writing to it for a long time")
        spatial = LAYERS[layer].spatial and isinstance(df, gpd.GeoDataFrame) and df.crs is not None
        if spatial and df.crs.to_epsg() != 4326:
            df = df.to_crs(4326)
        return coerce(layer, df)

    # ----------------------------------------------------------------- locking
    @contextlib.contextmanager
    def lock(self, timeout: float = LOCK_TIMEOUT_S):
        """The writer lock (an ``flock`` on ``<store>.lock``), retried until ``timeout``; a store that may not be
        written is refused in one sentence (:func:`.gpkgtidy.writable`)."""
        with writable(self.path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._flock(timeout):
                yield

    @contextlib.contextmanager
    def _flock(self, timeout: float):
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    tidy(self.path, self.backup_dir)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError("数据库正被其他用户写入，请稍后再试。",
                                         english="Someone else is writing to the store; try again shortly.") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ----------------------------------------------------------------- backups
    @property
    def backup_dir(self) -> Path:
        return self.path.parent / "backups"

    def backup(self, reason: str = "") -> Path | None:
        """Copy the store to ``backups/<name>-<timestamp>[-reason].gpkg``; returns the copy's path."""
        pending = self._pending_backup(reason)
        return pending.commit() if pending is not None else None

    def _pending_backup(self, reason: str) -> PendingBackup | None:
        """A backup under a hidden name, named for real only once the write commits (:mod:`.gpkgtidy`)."""
        return PendingBackup.take(self.path, self.backup_dir, reason) if self.exists() else None

    def list_backups(self) -> list[Path]:
        if not self.backup_dir.is_dir():
            return []
        return sorted(self.backup_dir.glob(f"{self.path.stem}-*.gpkg"), reverse=True)

    def find_backup(self, backup) -> Path:
        """A listed backup, or any GeoPackage file named by path."""
        try:
            return super().find_backup(backup)
        except NotFound:
            if Path(str(backup)).is_file():
                return Path(str(backup))
            raise

    def _swap_tx(self, source, *, check, rows: list[dict], action: str, history: bool = False) -> Path | None:
        src = Path(source)
        try:
            names = [str(n) for n, _ in pyogrio.list_layers(src)]
        except pyogrio.errors.DataSourceError as exc:
            raise StoreError(f"备份文件 {src.name} 不是有效的 GeoPackage，未恢复。",
                             english=f"Backup {src.name} is not a valid GeoPackage; nothing restored.") from exc
        if "projects" not in names:
            raise StoreError(f"备份文件 {src.name} 不是 xxgeo 数据库，未恢复。",
                             english=f"Backup {src.name} is not an xxgeo store; nothing restored.")
        self.require()
        with self.lock():
            if check is not None:
                check(self)
            pending = self._pending_backup(action)
            try:
                with self._replacing(src) as tmp:
                    if history:  # the rows (the current log, read by check) replace the backup's log
                        with connect(tmp) as con:
                            con.execute("DELETE FROM audit_log")
                    if rows:
                        append_audit_file(tmp, rows)
            except BaseException:
                if pending is not None:
                    pending.drop()
                raise
            return pending.commit() if pending is not None else None

    @contextlib.contextmanager
    def _replacing(self, source: Path | None):
        """A temporary copy of ``source`` (or a new file) beside the store, swapped in atomically on success
        with the current accounts carried over; removed on any failure."""
        fd, name = tempfile.mkstemp(prefix=temp_prefix(self.path), suffix=".gpkg", dir=self.path.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            if source is not None and source.exists():
                shutil.copy2(source, tmp)
            else:
                tmp.unlink()
            yield tmp
            carry_accounts(self.path, tmp)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise

    # ----------------------------------------------------------------- writing
    @contextlib.contextmanager
    def _layers_tx(self, *, fresh: bool, backup: bool, action: str):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock():
            pending = self._pending_backup(action) if backup else None
            tx = FileLayers(pending.dest if pending is not None else None)
            try:
                with self._replacing(None if fresh else self.path) as tmp:
                    tx.path = tmp
                    try:
                        yield tx
                        tx.settle()
                    except BaseException:
                        tx.stop()
                        raise
            except BaseException:
                if pending is not None:  # nothing changed: the fresh backup is not needed
                    pending.drop()
                raise
            if pending is not None:
                pending.commit()

    def append_audit(self, rows: list[dict]) -> None:
        with self.lock():
            append_audit_file(self.path, rows)

    @contextlib.contextmanager
    def _edit_tx(self, *, exclusive: bool = False):
        self.require()
        with self.lock(), connect(self.path) as con:  # BEGIN IMMEDIATE: one writer at a time either way
            con.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteEdit(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def audit_entries(self) -> list[AuditEntry]:
        self.require()
        with connect(self.path) as con:
            return _SqliteEdit(con).audit_entries()

    def account_table(self) -> _SqliteAccounts:
        return _SqliteAccounts(self)


class _SqliteEdit(SqliteRows, EditTx):
    """Feature writes inside one SQLite transaction on the GeoPackage (inserts and deletes: :mod:`.gpkg_rows`)."""

    def __init__(self, con) -> None:
        self.con = con

    def current_row(self, layer: str, feature_id: str) -> dict | None:
        lay = LAYERS[layer]
        cols = self._columns(layer)
        if not cols:
            return None
        row = self.con.execute(f'SELECT * FROM "{layer}" WHERE "{lay.id_field}" = ?', (feature_id,)).fetchone()
        if row is None:
            return None
        current = dict(zip(cols, row))
        if lay.spatial:
            current["geometry"] = blob_geom(current.pop(geom_column(self.con, layer), None))
        return current

    def update_row(self, layer: str, feature_id: str, values: dict, *, geometry=None,
                   set_geometry: bool = False) -> None:
        lay = LAYERS[layer]
        for name, kind, _pg in added_columns(layer, values, self._columns(layer)):
            self.con.execute(f'ALTER TABLE "{layer}" ADD COLUMN "{name}" {kind}')
        sets = [f'"{k}" = ?' for k in values]
        vals = [sql_value(lay.field(k).kind, v) for k, v in values.items()]
        if set_geometry:
            sets.append(f'"{geom_column(self.con, layer)}" = ?')
            vals.append(gpkg_blob(geometry))
        if "version" in self._columns(layer):
            sets.append('"version" = coalesce("version", 1) + 1')
        if sets:
            self.con.execute(f'UPDATE "{layer}" SET {", ".join(sets)} WHERE "{lay.id_field}" = ?',
                             (*vals, feature_id))

    def audit(self, rows: list[dict]) -> None:
        insert_audit(self.con, rows)

    def audit_entries(self) -> list[AuditEntry]:
        if not audit_exists(self.con):
            return []
        return [AuditEntry(*r) for r in self.con.execute(
            'SELECT fid, "at", "user", "layer", "feature_id", "action", "before", "after" FROM audit_log ORDER BY fid')]


class _SqliteAccounts:
    """The accounts table: a plain SQLite table inside the GeoPackage (not registered as a layer)."""

    table = TABLE
    failures = FAILURES_TABLE
    mark = "?"
    row_lock = ""

    def __init__(self, store: GpkgStore) -> None:
        self.store = store

    @contextlib.contextmanager
    def tx(self, *, write: bool):
        """One transaction; yields ``(run(sql, params) -> rows, audit(rows))``."""
        self.store.require()
        with writable(self.store.path) if write else contextlib.nullcontext(), connect(self.store.path) as con:
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                if write:
                    con.execute(DDL.format(t=self.table))
                    con.execute(FAILURES_DDL.format(t=self.failures))
                yield (lambda q, params=(): con.execute(q, params).fetchall()), (lambda rows: insert_audit(con, rows))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def has_table(self, run) -> bool:
        return bool(run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (self.table,)))


# --------------------------------------------------------------------- helpers
def _gdal_retry(fn, message: str, english: str):
    """``fn()`` (a GDAL read), retried for up to ~1.8 s: GDAL opens a GeoPackage without a busy timeout, so a
    read that lands on another writer's commit fails instead of waiting. Raises :class:`StoreError` saying
    ``message`` (or its twin ``english``)."""
    for attempt in range(READ_TRIES):
        try:
            return fn()
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
            if attempt == READ_TRIES - 1:
                raise StoreError(f"{message}（{type(exc).__name__}）。",
                                 english=f"{english} ({type(exc).__name__}).") from exc
            time.sleep(0.05 * (attempt + 1))
    return None  # pragma: no cover - the loop returns or raises
