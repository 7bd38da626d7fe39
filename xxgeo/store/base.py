"""The store interface, and the transactional logic every backend shares, written once.

A :class:`Store` reads layers, writes whole layers (build, import, restore) and single features (edits,
undo), keeps backups and an audit log, and holds the accounts. What a write *means* — the guard, the
version check, validation, the before/after of the audit row, the backup taken first — is decided here;
a backend supplies only small hooks:

* :meth:`Store._layers_tx` — a transaction for whole-layer writes: the writer lock, the backup, then
  ``write(name, frame)`` and ``audit(rows)``; committed on leaving, nothing changed on any exception;
* :meth:`Store._edit_tx` — a transaction for feature writes (:class:`EditTx`): read a row (locked),
  update it, insert a new one (with its blobs) or delete one (the undo of an insert), append audit rows,
  read the audit log;
* :meth:`Store._swap_tx` — replace the whole store by a backup, under the lock, with audit rows;
* reading (``layer_names``, ``read``, ``load``), backups (``backup``, ``list_backups``), ``version`` and
  the accounts table (``account_table``).
"""

from __future__ import annotations

import contextlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import partial

import pandas as pd
import shapely

from ..english import english
from ..errors import NotFound, StaleEdit, StoreError, ValidationFailed
from ..schema import LAYERS, REQUIRED_LAYERS, dataset_layers, is_empty
from ..validation import Problem, Report, check_value, validate_frame
from .auditbatch import stamped
from .blobs import BLOBS, put
from .frames import AUDIT_COLUMNS, AuditEntry, Dataset, Revert, coerce, editable_layer, empty_frame, now_iso
from .inserts import frame_row, new_row


class EditTx(ABC):
    """One feature-write transaction of a backend (see :meth:`Store._edit_tx`)."""

    @abstractmethod
    def current_row(self, layer: str, feature_id: str) -> dict | None:
        """The feature's stored fields with ``geometry`` decoded (shapely), its row locked; None if missing."""

    @abstractmethod
    def update_row(self, layer: str, feature_id: str, values: dict, *, geometry=None,
                   set_geometry: bool = False) -> None:
        """Write ``values`` (schema-typed), the geometry when ``set_geometry``, and bump ``version``."""

    @abstractmethod
    def has_layer(self, layer: str) -> bool:
        """True when the store holds a table for ``layer`` (a row can be inserted into it)."""

    @abstractmethod
    def insert_row(self, layer: str, values: dict, geometry=None) -> None:
        """Add one row: ``values`` (schema-typed, ``version`` included) and the geometry (spatial layers)."""

    @abstractmethod
    def delete_row(self, layer: str, feature_id: str) -> None:
        """Remove one row (the undo of an insert)."""

    @abstractmethod
    def put_blobs(self, rows) -> None:
        """Add ``(photo_id, kind, bytes)`` rows to the blob table (:mod:`xxgeo.store.blobs`)."""

    @abstractmethod
    def drop_blobs(self, feature_id: str) -> None:
        """Remove the blob rows kept for ``feature_id`` (the undo of a photo's insert)."""

    @abstractmethod
    def audit(self, rows: list[dict]) -> None:
        """Append audit rows (every row already carries ``at``)."""

    @abstractmethod
    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first."""


class LayersTx(ABC):
    """One whole-layer write transaction of a backend (see :meth:`Store._layers_tx`)."""

    #: the backup taken at the start (None when the store was empty or no backup was asked for)
    saved: object = None

    @abstractmethod
    def write(self, name: str, frame) -> None:
        """Replace (or create) one layer by ``frame`` (already coerced to the schema)."""

    def put_blobs(self, rows) -> None:
        """Append ``(photo_id, kind, bytes)`` rows to the store's blob table (:mod:`xxgeo.store.blobs`)."""
        put(self, rows)

    @abstractmethod
    def audit(self, rows: list[dict]) -> None:
        """Append audit rows (every row already carries ``at``)."""


def _wkt(geom) -> str | None:
    return None if geom is None else shapely.to_wkt(geom, rounding_precision=7)


def _json(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, default=str)


class Store(ABC):
    """A store of every layer; :func:`xxgeo.store.open_store` returns one of its backends."""

    #: ``gpkg`` or ``postgis``
    kind: str = ""

    # ------------------------------------------------------------------ identity
    @property
    @abstractmethod
    def location(self) -> str:
        """What reopens this store with ``open_store`` (a file path, or the URL without its password)."""

    @property
    @abstractmethod
    def name(self) -> str:
        """A short name for messages and file notes (the file name, or ``database.schema``)."""

    @abstractmethod
    def version(self) -> str:
        """A token that changes with every committed write (the app's cache key); cheap to ask."""

    # ------------------------------------------------------------------ reading
    @abstractmethod
    def exists(self) -> bool:
        """True when the store holds data."""

    @abstractmethod
    def layer_names(self) -> list[str]:
        """Names of the layers present (raises :class:`StoreError` when the store holds none)."""

    @abstractmethod
    def read(self, layer: str):
        """One layer as a (Geo)DataFrame with the schema's dtypes (empty frame when absent)."""

    def load(self, layers=None) -> Dataset:
        """Every layer but those read on demand (or the named ones) as a :class:`Dataset`."""
        return Dataset({n: self.read(n) for n in (layers or dataset_layers())})

    def __getitem__(self, layer: str):
        return self.read(layer)

    def require(self) -> None:
        """Raise :class:`StoreError` (saying how to build one) unless the store holds data."""
        self.layer_names()

    def validate(self) -> Report:
        """Validate every layer against the schema; missing required layers are problems too."""
        report = Report()
        present = set(self.layer_names())
        report.problems += [Problem(n, "数据库中缺少此图层") for n in REQUIRED_LAYERS if n not in present]
        county = None
        if "county" in present:
            c = self.read("county")
            county = shapely.union_all(c.geometry.values) if len(c) else None
        for name in LAYERS:
            if name in present:
                report.extend(validate_frame(name, self.read(name), county=county))
        return report

    # ------------------------------------------------------------------ backups
    @abstractmethod
    def backup(self, reason: str = ""):
        """Copy the whole store now; returns the backup handle (``.name``, ``.exists()``) or None if empty."""

    @abstractmethod
    def list_backups(self) -> list:
        """Backups of this store, newest first."""

    def find_backup(self, backup) -> object:
        """The backup named ``backup`` (its name, or a handle); :class:`NotFound` with what to run otherwise."""
        name = str(getattr(backup, "name", backup))
        for b in self.list_backups():
            if name in (b.name, getattr(b, "stem", None), str(b), b.name.lower()):
                return b
        raise NotFound(f"没有找到备份“{backup}”。运行 python -m xxgeo restore 查看可用备份。",
                       english=f"No backup “{backup}”. Run python -m xxgeo restore to list the backups.")

    def restore(self, backup, *, user: str = "system"):
        """Replace the store by a backup (the current store is backed up first, accounts stay); returns it.

        The audit log is history, not data: a restore keeps the current log (read under the writer lock)
        and appends its own row, so restores one after another (or at the same moment, serialised by the lock)
        are each audited."""
        src = self.find_backup(backup)
        rows = [{"at": now_iso(), "user": user, "layer": "*", "feature_id": None, "action": "restore",
                 "before": None, "after": src.name}]

        def keep_history(store) -> None:  # under the lock, before the swap
            log = store.read("audit_log")
            cols = [c for c in log.columns if c in AUDIT_COLUMNS]
            rows[:0] = [{k: (None if is_empty(v) else v) for k, v in r.items()}
                        for r in log[cols].to_dict("records")]

        self._swap_tx(src, check=keep_history, rows=rows, action="before-restore", history=True)
        return src

    def swap_in(self, source, *, check: Callable | None = None, audit_rows=(), action: str = "swap"):
        """Under the writer lock: ``check(store)`` (may raise), back up, replace the store by the backup
        ``source`` with ``audit_rows`` appended, in one transaction. Returns the backup just taken."""
        rows = stamped(audit_rows, now_iso())
        return self._swap_tx(source, check=check, rows=rows, action=action)

    @abstractmethod
    def _swap_tx(self, source, *, check: Callable | None, rows: list[dict], action: str, history: bool = False):
        """Backend: the swap of :meth:`swap_in` (check, backup, replace, audit) in one transaction; with
        ``history`` the ``rows`` (filled by ``check``) replace the swapped-in audit log instead of extending it."""

    # ------------------------------------------------------------------ whole-layer writes
    @abstractmethod
    def _layers_tx(self, *, fresh: bool, backup: bool, action: str) -> contextlib.AbstractContextManager[LayersTx]:
        """Backend: lock, back up (when ``backup`` and the store holds data), start from empty when ``fresh``."""

    def write_layers(self, frames, *, user: str = "system", action: str = "write", fresh: bool = False,
                     backup: bool = True, audit: bool = True):
        """Write whole layers in one transaction (lock, backup, write, audit); returns the backup.

        ``frames`` is a dict of layer -> frame, or a callable ``build(store, backup) -> (frames, audit_rows)`` run
        *inside* the lock, so a read-modify-write (an import, an undo) cannot overwrite an edit that landed in
        between. ``fresh=True`` starts from an empty store (the build; what was there is backed up first, and the
        accounts are kept). Nothing changes when any step fails.
        """
        with self._layers_tx(fresh=fresh, backup=backup, action=action) as tx:
            if callable(frames):
                frames, rows = frames(self, tx.saved)
                blobs = frames.pop(BLOBS, None)  # bytes kept in the store (photos): with the rows, one transaction
                if blobs:
                    tx.put_blobs(blobs)
            else:
                rows = [{"user": user, "layer": name, "feature_id": None, "action": action, "before": None,
                         "after": f"{len(df)} 行"} for name, df in frames.items() if name != "audit_log"]
            for name, df in frames.items():
                tx.write(name, coerce(name, df, keep_arrow=True) if name in LAYERS else df)
            if audit and not fresh and rows:
                at = now_iso()  # one clock reading for the transaction's rows (100,000 of them in a big import)
                tx.audit(stamped(rows, at))
            return tx.saved

    def copy_from(self, source: Store, *, user: str = "system"):
        """Copy every layer of another store (audit log included) into this one in one transaction, what was
        here backed up first: moves a GeoPackage deployment, with its edits and audit log, to a server."""
        frames = {n: source.read(n) for n in source.layer_names() if n in LAYERS}
        row = {"at": now_iso(), "user": user, "layer": "*", "feature_id": None, "action": "copy", "before": None,
               "after": f"{source.location}：{len(frames.get('projects', ()))} projects"}
        log = frames.get("audit_log", empty_frame("audit_log"))
        frames["audit_log"] = pd.concat([log, pd.DataFrame([row])], ignore_index=True)
        return self.write_layers(frames, action="copy", fresh=not self.exists(), audit=False)

    @abstractmethod
    def append_audit(self, rows: list[dict]) -> None:
        """Append rows to ``audit_log`` in one transaction (``at`` is added)."""

    # ------------------------------------------------------------------ feature writes
    @abstractmethod
    def _edit_tx(self, *, exclusive: bool = False) -> contextlib.AbstractContextManager[EditTx]:
        """Backend: a feature-write transaction; ``exclusive`` keeps every other writer out (undo)."""

    def update_feature(self, layer: str, feature_id: str, changes: dict, *, user: str,
                       expected_version: int | None = None, geometry=None, guard: Callable | None = None) -> int:
        """Change attributes (and optionally the geometry) of one feature; returns the new version.

        The edit, the version bump and the ``audit_log`` row are one transaction. When ``expected_version`` is
        given and the stored version differs, :class:`StaleEdit` is raised and nothing changes. Unknown fields
        and values that fail the schema are refused before writing. ``guard(current_fields)`` (a role check)
        runs on the row read — and locked — inside the transaction, so it cannot race another edit.
        """
        lay = editable_layer(layer, changes)
        with self._edit_tx() as tx:
            current = tx.current_row(layer, feature_id)
            if current is None:
                raise NotFound(f"图层“{layer}”中没有编号为“{feature_id}”的要素。",
                               english=f"Layer “{layer}” has no feature “{feature_id}”.")
            if guard is not None:
                guard({k: v for k, v in current.items() if k != "geometry"})
            version = int(current.get("version") or 1) if "version" in current else 1
            if expected_version is not None and int(expected_version) != version:
                raise StaleEdit(f"“{feature_id}”已被他人修改（当前版本 {version}，您编辑的是版本 {expected_version}）。"
                                "请刷新后重新修改，您的修改未保存。",
                                english=f"“{feature_id}” was changed by someone else (now version {version}, you "
                                        f"edited version {expected_version}); reload and edit again. Not saved.")
            probe = {**{k: v for k, v in current.items() if k in lay.field_names}, **changes}
            errs = [m for f in lay.fields if f.name in changes and (m := check_value(f, probe[f.name]))]
            if errs:
                raise ValidationFailed("修改未保存：" + "；".join(errs), errs,
                                       english="Edit not saved: " + "; ".join(map(english, errs)))
            before = {k: current.get(k) for k in changes}
            after = dict(changes)
            if geometry is not None:
                if "geometry" not in current:
                    raise NotFound(f"图层“{layer}”没有几何字段。", english=f"Layer “{layer}” has no geometry.")
                before["geometry"], after["geometry"] = _wkt(current.get("geometry")), _wkt(geometry)
            tx.update_row(layer, feature_id, changes, geometry=geometry, set_geometry=geometry is not None)
            tx.audit([{"at": now_iso(), "user": user, "layer": layer, "feature_id": feature_id, "action": "update",
                       "before": _json(before), "after": _json(after)}])
            return version + 1

    def insert_feature(self, layer: str, row: dict | Callable, *, user: str, guard: Callable | None = None,
                       geometry=None, blobs=(), what: str = "") -> str:
        """Add one feature (a new row) in one feature transaction, no backup; returns its id.

        With every other writer kept out: ``guard(store, current)`` (a role check; may raise; ``current(layer, id)``
        reads a stored row, e.g. the project reported on, locked, or None), then the row (``row(store)`` when
        callable, so an id numbered ``…/N`` is numbered under the lock); refused with
        :class:`~xxgeo.errors.FeatureExists` when its id is taken, with :class:`ValidationFailed` when the whole
        row fails the schema; ``version`` 1; written with its geometry, its blobs (``(kind, bytes)`` pairs kept
        under the new id, e.g. a photo and its thumbnail) and one ``insert`` audit row (before empty, after the
        values), all or nothing. Undone by :func:`xxgeo.edits.undo_last` (the row, and its blobs, removed).
        The first row of a layer the store has no table for is written by a whole-layer write (with a backup).
        """
        with self._edit_tx(exclusive=True) as tx:
            if tx.has_layer(layer):
                fid, values, audit = new_row(self, tx.current_row, layer, row, user=user, guard=guard,
                                             geometry=geometry, blobs=blobs, what=what)
                tx.insert_row(layer, values, geometry)
                if blobs:
                    tx.put_blobs([(fid, k, d) for k, d in blobs])
                tx.audit([audit])
                return fid
        made: list[str] = []

        def build(store, saved):  # the layer's first row: its table is made once, by a whole-layer write
            fid, values, audit = new_row(store, partial(frame_row, store), layer, row, user=user, guard=guard,
                                         geometry=geometry, blobs=blobs, what=what)
            made.append(fid)
            frame = pd.DataFrame([values])
            if LAYERS[layer].spatial:
                import geopandas as gpd

                frame = gpd.GeoDataFrame(frame, geometry=[geometry], crs=4326)
            frames = {layer: frame, **({BLOBS: [(fid, k, d) for k, d in blobs]} if blobs else {})}
            return frames, [{k: v for k, v in audit.items() if k != "at"}]

        self.write_layers(build, user=user, action="insert")
        return made[0]

    @abstractmethod
    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first (empty when the store has none); a read, no lock taken."""

    def undo_feature(self, decide: Callable) -> Revert:
        """One write transaction for an undo, with every other writer kept out.

        ``decide(entries, current)`` gets the audit log (oldest first) and ``current(layer, feature_id)`` (the
        feature's stored fields with ``geometry`` decoded, or None when it is missing) and returns a
        :class:`Revert`, or raises and nothing changes. The revert's values (and geometry) are written, the
        version bumped and the revert's audit row appended in the same transaction; a revert with ``delete``
        (the undo of an insert) removes the row instead, and its blobs with ``drop_blobs``. Returns the revert.
        """
        with self._edit_tx(exclusive=True) as tx:
            rev = decide(tx.audit_entries(), tx.current_row)
            if rev.delete:
                tx.delete_row(rev.layer, rev.feature_id)
                if rev.drop_blobs:
                    tx.drop_blobs(rev.feature_id)
            else:
                tx.update_row(rev.layer, rev.feature_id, rev.values, geometry=rev.geometry,
                              set_geometry=rev.set_geometry)
            tx.audit([{"at": now_iso(), **rev.audit}])
        return rev

    # ------------------------------------------------------------------ accounts
    @abstractmethod
    def account_table(self):
        """Backend: the accounts table (``tx(write=...)`` yielding a cursor; see :mod:`xxgeo.accounts`)."""

    def accounts(self):
        """The store's book of accounts (:class:`xxgeo.accounts.Accounts`)."""
        from ..accounts import Accounts

        return Accounts(self)


def no_data(location: str, *, server: bool) -> StoreError:
    """The sentence for a store that holds no data yet (what to run)."""
    if server:
        return StoreError(f"数据库 {location} 中还没有 xxgeo 数据。请先运行 python -m xxgeo build --store 数据库地址 "
                          "建库，或检查 schema 名称。",
                          english=f"{location} holds no xxgeo data yet: run python -m xxgeo build --store URL, "
                                  "or check the schema name.")
    return StoreError(f"找不到数据库文件 {location}。请先运行 python -m xxgeo build 生成默认数据库，"
                      "或用 --store 指定已有的数据库。",
                      english=f"No store file {location}: run python -m xxgeo build, or name one with --store.")

