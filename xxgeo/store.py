"""The one module that reads and writes the store.

The default store is a GeoPackage (``geodata/build/xxgeo.gpkg``; ``XXGEO_STORE`` or ``--store``
overrides it). Every write is a transaction that either lands whole or not at all:

* whole-layer writes (build, import, restore) take the store's writer lock, copy the file, write the
  copy and swap it in with an atomic ``os.replace``; a timestamped backup is kept first;
* feature edits run inside one SQLite ``BEGIN IMMEDIATE`` transaction on the GeoPackage itself, check the
  feature's ``version`` (a stale edit is refused, never silently applied) and append an ``audit_log`` row
  in the same transaction.

Readers never take the lock: an ``os.replace`` leaves a reader's open file intact.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from .accounts import carry_accounts
from .errors import NotFound, StaleEdit, StoreError
from .gpkgsql import (
    LOCK_TIMEOUT_S,
    append_audit_file,
    audit_exists,
    blob_geom,
    connect,
    geom_column,
    gpkg_blob,
    insert_audit,
    now_iso,
)
from .schema import LAYERS, REQUIRED_LAYERS, Report, check_value, is_empty, validate_frame

# A read that meets another writer's commit waits for it instead of failing with "database is locked".
os.environ.setdefault("OGR_SQLITE_PRAGMA", "busy_timeout=30000")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = ROOT / "geodata" / "build" / "xxgeo.gpkg"
READ_TRIES = 8  # a read that lands on another writer's commit is retried for up to ~1.8 s


def default_store_path() -> str:
    """The store path in force: ``XXGEO_STORE`` if set, else ``geodata/build/xxgeo.gpkg``."""
    return os.environ.get("XXGEO_STORE") or str(DEFAULT_STORE)


@dataclass
class Dataset:
    """Every layer of a store, loaded once; what the map, views and reports are functions of."""

    layers: dict

    def __getitem__(self, name: str):
        return self.layers[name]

    def get(self, name: str, default=None):
        return self.layers.get(name, default)


@dataclass(frozen=True)
class AuditEntry:
    """One ``audit_log`` row and its position ``fid`` (entries come oldest first); what undo reads."""

    fid: int
    at: str | None
    user: str | None
    layer: str | None
    feature_id: str | None
    action: str | None
    before: str | None
    after: str | None


@dataclass
class Revert:
    """What an undo writes to one feature: field values, the geometry when ``set_geometry``, one audit row."""

    layer: str
    feature_id: str
    values: dict
    audit: dict
    geometry: object = None
    set_geometry: bool = False


def empty_frame(layer: str):
    """An empty frame with the layer's columns (a GeoDataFrame for spatial layers)."""
    lay = LAYERS[layer]
    cols = {f.name: pd.Series(dtype=_dtype(f.kind)) for f in lay.fields}
    df = pd.DataFrame(cols)
    if lay.spatial:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    return df


def _dtype(kind: str) -> str:
    return {"int": "Int64", "float": "float64", "year": "Int64", "bool": "boolean"}.get(kind, "object")


def coerce(layer: str, df):
    """Give a frame the schema's column order and dtypes (extra columns are kept after them)."""
    lay = LAYERS[layer]
    df = df.copy()
    for f in lay.fields:
        if f.name not in df.columns:
            df[f.name] = pd.NA
        col = df[f.name]
        if f.kind in ("int", "year"):
            df[f.name] = pd.to_numeric(col, errors="coerce").round().astype("Int64")
        elif f.kind == "float":
            df[f.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif f.kind == "bool":
            df[f.name] = col.map(_to_bool).astype("boolean")
        else:
            df[f.name] = col.map(lambda v: None if is_empty(v) else str(v)).astype(object)
    order = lay.field_names + [c for c in df.columns if c not in lay.field_names and c != "geometry"]
    if lay.spatial:
        geom = df.geometry if isinstance(df, gpd.GeoDataFrame) else gpd.GeoSeries([None] * len(df))
        out = gpd.GeoDataFrame(df[order], geometry=geom.values, crs="EPSG:4326")
        return out
    return pd.DataFrame(df[order])


def _to_bool(v):
    if is_empty(v):
        return pd.NA
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("true", "1", "yes", "y", "是", "公开", "t"):
        return True
    if s in ("false", "0", "no", "n", "否", "不公开", "内部", "f"):
        return False
    return pd.NA


class GpkgStore:
    """A GeoPackage store (the embedded default)."""

    kind = "gpkg"

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path or default_store_path())

    # ----------------------------------------------------------------- reading
    def exists(self) -> bool:
        return self.path.is_file()

    def _require(self) -> None:
        if not self.exists():
            raise StoreError(f"找不到数据库文件 {self.path}。请先运行 python -m xxgeo build 生成默认数据库，"
                             "或用 --store 指定已有的数据库。")

    def layer_names(self) -> list[str]:
        """Names of the layers (tables) present in the store."""
        self._require()
        names = _gdal_retry(lambda: pyogrio.list_layers(self.path),
                            f"无法打开数据库 {self.path}：它不是有效的 GeoPackage 文件，或正被长时间写入")
        return [str(n) for n, _ in names]

    def read(self, layer: str):
        """Read one layer as a (Geo)DataFrame with the schema's dtypes."""
        if layer not in LAYERS:
            raise NotFound(f"没有名为“{layer}”的图层。可用图层：{'、'.join(LAYERS)}")
        self._require()
        if layer not in self.layer_names():
            return empty_frame(layer)
        df = _gdal_retry(lambda: pyogrio.read_dataframe(self.path, layer=layer, use_arrow=True),
                         f"读取图层“{layer}”失败：数据库文件可能已损坏，或正被长时间写入")
        spatial = LAYERS[layer].spatial and isinstance(df, gpd.GeoDataFrame) and df.crs is not None
        if spatial and df.crs.to_epsg() != 4326:
            df = df.to_crs(4326)
        return coerce(layer, df)

    def load(self, layers=None) -> Dataset:
        """Read every layer (or the named ones) into a :class:`Dataset`."""
        names = layers or [n for n in LAYERS]
        return Dataset({n: self.read(n) for n in names})

    # ----------------------------------------------------------------- locking
    @contextlib.contextmanager
    def lock(self, timeout: float = LOCK_TIMEOUT_S):
        """The writer lock (an ``flock`` on ``<store>.lock``), retried until ``timeout``."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError("数据库正被其他用户写入，请稍后再试。") from None
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
        if not self.exists():
            return None
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        tag = "".join(c for c in reason if c.isalnum() or c in "-_")[:30]
        dest = self.backup_dir / f"{self.path.stem}-{stamp}{'-' + tag if tag else ''}.gpkg"
        shutil.copy2(self.path, dest)
        return dest

    def list_backups(self) -> list[Path]:
        """Backups of this store, newest first."""
        if not self.backup_dir.is_dir():
            return []
        return sorted(self.backup_dir.glob(f"{self.path.stem}-*.gpkg"), reverse=True)

    def restore(self, backup: str, *, user: str = "system") -> Path:
        """Replace the store by a backup (the current store is backed up first)."""
        cands = [b for b in self.list_backups() if b.name == backup or str(b) == backup or b.stem == backup]
        if not cands and Path(backup).is_file():
            cands = [Path(backup)]
        if not cands:
            raise NotFound(f"没有找到备份“{backup}”。运行 python -m xxgeo restore 查看可用备份。")
        src = cands[0]
        try:
            names = [str(n) for n, _ in pyogrio.list_layers(src)]
        except Exception as exc:
            raise StoreError(f"备份文件 {src.name} 不是有效的 GeoPackage，未恢复。") from exc
        if "projects" not in names:
            raise StoreError(f"备份文件 {src.name} 不是 xxgeo 数据库，未恢复。")
        self.swap_in(src, audit_rows=[{"user": user, "layer": "*", "feature_id": None, "action": "restore",
                                       "before": None, "after": src.name}], action="before-restore")
        return src

    def swap_in(self, source: Path, *, check=None, audit_rows=(), action: str = "swap") -> Path | None:
        """Under the lock: ``check(store)`` (may raise), back up, replace the store by a copy of ``source``
        with ``audit_rows`` appended, atomically. Returns the backup's path."""
        self._require()
        with self.lock():
            if check is not None:
                check(self)
            saved = self.backup(action)
            tmp = self._tmp_copy(Path(source))
            try:
                carry_accounts(self.path, tmp)  # accounts are never rolled back with the data
                if audit_rows:
                    append_audit_file(tmp, list(audit_rows))
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
        return saved

    # ----------------------------------------------------------------- writing
    def _tmp_copy(self, src: Path | None) -> Path:
        fd, tmp = tempfile.mkstemp(prefix=".xxgeo-", suffix=".gpkg", dir=self.path.parent)
        os.close(fd)
        if src is not None and src.exists():
            shutil.copy2(src, tmp)
        else:
            os.unlink(tmp)
        return Path(tmp)

    def write_layers(self, frames, *, user: str = "system", action: str = "write",
                     fresh: bool = False, backup: bool = True, audit: bool = True) -> Path | None:
        """Write whole layers in one transaction (lock, backup, copy, write, atomic swap).

        ``frames`` is a dict of layer -> frame, or a callable ``build(store, backup) -> (frames, audit_rows)``
        run *inside* the lock, so a read-modify-write (an import, an undo) cannot overwrite an edit that
        landed in between. ``fresh=True`` starts from an empty file (the build). Nothing changes when any
        step fails (and the fresh backup is then removed). Returns the backup's path.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock():
            saved = self.backup(action) if backup and not fresh else None
            tmp = None
            try:
                if callable(frames):
                    frames, rows = frames(self, saved)
                else:
                    rows = [{"user": user, "layer": name, "feature_id": None, "action": action, "before": None,
                             "after": f"{len(df)} 行"} for name, df in frames.items() if name != "audit_log"]
                tmp = self._tmp_copy(None if fresh else self.path)
                for name, df in frames.items():
                    _write_frame(tmp, name, coerce(name, df))
                if audit and not fresh and rows:
                    append_audit_file(tmp, rows)
                if fresh:
                    carry_accounts(self.path, tmp)  # a rebuild keeps the accounts
                os.replace(tmp, self.path)
            except BaseException:
                for p in (tmp, saved):
                    if p is not None:
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(p)
                raise
        return saved

    def append_audit(self, rows: list[dict]) -> None:
        """Append rows to ``audit_log`` (one transaction)."""
        with self.lock():
            append_audit_file(self.path, [{"at": now_iso(), **r} for r in rows])

    def update_feature(self, layer: str, feature_id: str, changes: dict, *, user: str,
                       expected_version: int | None = None, geometry=None, guard=None) -> int:
        """Change attributes (and optionally the geometry) of one feature; returns the new version.

        The edit, the version bump and the ``audit_log`` row are one SQLite transaction. When
        ``expected_version`` is given and the stored version differs, :class:`StaleEdit` is raised and
        nothing changes. Unknown fields or values that fail the schema are refused before writing.
        ``guard(current_row)`` (a role check) runs on the row read inside the transaction and may raise.
        """
        lay = editable_layer(layer, changes)
        self._require()
        with self.lock(), connect(self.path) as con:
            con.execute("BEGIN IMMEDIATE")
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{layer}")')]
            row = con.execute(f'SELECT * FROM "{layer}" WHERE "{lay.id_field}" = ?', (feature_id,)).fetchone()
            if row is None:
                con.execute("ROLLBACK")
                raise NotFound(f"图层“{layer}”中没有编号为“{feature_id}”的要素。")
            current = dict(zip(cols, row))
            if guard is not None:
                try:
                    guard(current)
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            version = int(current.get("version") or 1) if "version" in cols else 1
            if expected_version is not None and int(expected_version) != version:
                con.execute("ROLLBACK")
                raise StaleEdit(f"“{feature_id}”已被他人修改（当前版本 {version}，您编辑的是版本 {expected_version}）。"
                                "请刷新后重新修改，您的修改未保存。")
            probe = {**{k: v for k, v in current.items() if k in lay.field_names}, **changes}
            errs = [m for f in lay.fields if f.name in changes and (m := check_value(f, probe[f.name]))]
            if errs:
                con.execute("ROLLBACK")
                from .errors import ValidationFailed

                raise ValidationFailed("修改未保存：" + "；".join(errs), errs)
            sets, vals = [], []
            for k, v in changes.items():
                sets.append(f'"{k}" = ?')
                vals.append(sql_value(lay.field(k).kind, v))
            if "version" in cols:
                sets.append('"version" = ?')
                vals.append(version + 1)
            before = {k: current.get(k) for k in changes}
            if geometry is not None:
                gcol = geom_column(con, layer)
                old = blob_geom(current.get(gcol))
                before["geometry"] = None if old is None else shapely.to_wkt(old, rounding_precision=7)
                sets.append(f'"{gcol}" = ?')
                vals.append(gpkg_blob(geometry))
            con.execute(f'UPDATE "{layer}" SET {", ".join(sets)} WHERE "{lay.id_field}" = ?', (*vals, feature_id))
            after = dict(changes)
            if geometry is not None:
                after["geometry"] = shapely.to_wkt(geometry, rounding_precision=7)
            insert_audit(con, [{"at": now_iso(), "user": user, "layer": layer, "feature_id": feature_id,
                                 "action": "update", "before": json.dumps(before, ensure_ascii=False, default=str),
                                 "after": json.dumps(after, ensure_ascii=False, default=str)}])
            con.execute("COMMIT")
            return version + 1

    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first (empty when the store has none)."""
        self._require()
        with connect(self.path) as con:
            return _audit_entries(con)

    def undo_feature(self, decide) -> Revert:
        """One write transaction for an undo (writer lock, ``BEGIN IMMEDIATE``).

        ``decide(entries, current)`` gets the audit log (oldest first) and ``current(layer, feature_id)`` (the
        feature's stored fields with ``geometry`` as a shapely geometry, or ``None`` when it is missing) and
        returns a :class:`Revert`, or raises and nothing changes. The store writes the revert's values (and
        geometry), bumps ``version`` and appends the revert's audit row, then commits. Returns the revert.
        """
        self._require()
        with self.lock(), connect(self.path) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                rev = decide(_audit_entries(con), lambda layer, fid: _current_row(con, layer, fid))
                lay = LAYERS[rev.layer]
                cols = [r[1] for r in con.execute(f'PRAGMA table_info("{rev.layer}")')]
                sets = [f'"{k}" = ?' for k in rev.values]
                vals = [sql_value(lay.field(k).kind, v) for k, v in rev.values.items()]
                if rev.set_geometry:
                    sets.append(f'"{geom_column(con, rev.layer)}" = ?')
                    vals.append(gpkg_blob(rev.geometry))
                if "version" in cols:
                    sets.append('"version" = coalesce("version", 1) + 1')
                if sets:
                    con.execute(f'UPDATE "{rev.layer}" SET {", ".join(sets)} WHERE "{lay.id_field}" = ?',
                                (*vals, rev.feature_id))
                insert_audit(con, [{"at": now_iso(), **rev.audit}])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return rev

    def validate(self) -> Report:
        """Validate every layer against the schema; missing required layers are problems too."""
        from .schema import Problem

        report = Report()
        present = set(self.layer_names())
        for name in REQUIRED_LAYERS:
            if name not in present:
                report.problems.append(Problem(name, "数据库中缺少此图层"))
        county = None
        if "county" in present:
            c = self.read("county")
            county = shapely.union_all(c.geometry.values) if len(c) else None
        for name in LAYERS:
            if name in present:
                report.extend(validate_frame(name, self.read(name), county=county))
        return report


def open_store(location: str | os.PathLike | None = None) -> GpkgStore:
    """Open the store at ``location`` (path or URL), ``XXGEO_STORE`` or the default path.

    A ``postgresql://`` (or ``postgres://``) URL opens a
    :class:`xxgeo.backends.postgis.PostgisStore`, which has the same public methods.
    """
    loc = str(location or default_store_path())
    if loc.startswith(("postgresql://", "postgres://")):
        from .backends.postgis import PostgisStore

        return PostgisStore(loc)
    return GpkgStore(loc)


# --------------------------------------------------------------------- helpers
def _write_frame(path: Path, name: str, df) -> None:
    lay = LAYERS.get(name)
    if lay is not None and lay.spatial:
        gtypes = set(df.geometry.dropna().geom_type) if len(df) else set()
        if len(gtypes) == 1:
            gtype = gtypes.pop()
        elif gtypes and gtypes <= {"Polygon", "MultiPolygon"}:
            gtype = "MultiPolygon"
        elif gtypes and gtypes <= {"LineString", "MultiLineString"}:
            gtype = "MultiLineString"
        elif gtypes and gtypes <= {"Point", "MultiPoint"}:
            gtype = "MultiPoint"
        elif gtypes:
            gtype = "Unknown"
        else:
            gtype = lay.geometry[0]
        if gtype.startswith("Multi") and gtypes != {gtype}:
            df = df.copy()
            df.geometry = _promote(df.geometry)
        pyogrio.write_dataframe(df, path, layer=name, driver="GPKG", geometry_type=gtype, promote_to_multi=False)
    else:
        frame = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore")
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")


def _promote(geoms):
    from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon

    def one(g):
        if g is None:
            return g
        return {"Polygon": MultiPolygon, "LineString": MultiLineString, "Point": MultiPoint}.get(
            g.geom_type, lambda x: x)([g]) if g.geom_type in ("Polygon", "LineString", "Point") else g

    return geoms.map(one)


def sql_value(kind: str, v):
    """A plain Python value of a schema field kind for a database driver (``None`` for empty)."""
    if is_empty(v):
        return None
    if kind in ("int", "year"):
        return int(float(v))
    if kind == "float":
        return float(v)
    if kind == "bool":
        return _to_bool(v) is True
    return str(v)


def editable_layer(layer: str, changes: dict):
    """The layer of an edit by id, refusing unknown layers, unknown fields and the id/version fields."""
    lay = LAYERS.get(layer)
    if lay is None or not lay.id_field:
        raise NotFound(f"图层“{layer}”不能按编号修改。")
    bad = [k for k in changes if k not in lay.field_names or k in (lay.id_field, "version")]
    if bad:
        raise NotFound(f"图层“{layer}”没有可修改的字段：{'、'.join(bad)}。")
    return lay


def _gdal_retry(fn, message: str):
    """``fn()`` (a GDAL read), retried for up to ~1.8 s: GDAL opens a GeoPackage without a busy timeout, so a
    read that lands on another writer's commit fails instead of waiting. Raises :class:`StoreError`."""
    for attempt in range(READ_TRIES):
        try:
            return fn()
        except Exception as exc:  # pyogrio raises DataSourceError subclasses
            if attempt == READ_TRIES - 1:
                raise StoreError(f"{message}（{type(exc).__name__}）。") from exc
            time.sleep(0.05 * (attempt + 1))
    return None  # pragma: no cover - the loop returns or raises


def _audit_entries(con) -> list[AuditEntry]:
    if not audit_exists(con):
        return []
    return [AuditEntry(*r) for r in con.execute(
        'SELECT fid, "at", "user", "layer", "feature_id", "action", "before", "after" FROM audit_log ORDER BY fid')]


def _current_row(con, layer: str, feature_id: str) -> dict | None:
    """A feature's stored fields, its geometry decoded as ``geometry`` (None when the feature is missing)."""
    lay = LAYERS[layer]
    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{layer}")')]
    if not cols:
        return None
    row = con.execute(f'SELECT * FROM "{layer}" WHERE "{lay.id_field}" = ?', (feature_id,)).fetchone()
    if row is None:
        return None
    current = dict(zip(cols, row))
    if lay.spatial:
        gcol = geom_column(con, layer)
        current["geometry"] = blob_geom(current.pop(gcol, None))
    return current
