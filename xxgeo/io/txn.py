"""Read-modify-write of store layers under the store's writer lock.

:meth:`xxgeo.store.GpkgStore.write_layers` takes frames computed *before* it takes the lock, so an edit
landing in between would be overwritten. Imports and undo therefore compute their frames *inside* the
lock with :func:`rewrite`: lock, backup, copy, read the current layer, build, write, append the audit rows,
atomic swap. It uses the store's own helpers so the file layout stays identical to ``write_layers``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .. import store as _store
from ..store import GpkgStore, coerce, now_iso


def rewrite(store: GpkgStore, build: Callable[[GpkgStore, Path | None], tuple[dict, list]], *,
            action: str) -> Path | None:
    """Under the writer lock: back up, ``frames, audit_rows = build(store, backup)``, write, swap atomically.

    ``build`` reads the current state through ``store`` (nobody else can write meanwhile) and may raise to
    abandon the write; the store is then untouched (and the fresh backup removed). Returns the backup's path.
    """
    store._require()
    with store.lock():
        backup = store.backup(action)
        tmp = None
        try:
            frames, audit_rows = build(store, backup)
            tmp = store._tmp_copy(store.path)
            for name, df in frames.items():
                _store._write_frame(tmp, name, coerce(name, df))
            if audit_rows:
                _store._append_audit_sqlite(tmp, [{"at": now_iso(), **r} for r in audit_rows])
            os.replace(tmp, store.path)
        except BaseException:
            for p in (tmp, backup):
                if p is not None:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(p)
            raise
    return backup


def swap_in(store: GpkgStore, source: Path, check: Callable[[GpkgStore], None], audit_rows: list,
            *, action: str) -> Path | None:
    """Under the lock: ``check(store)`` (may raise), back up, replace the store by ``source`` + audit rows."""
    store._require()
    with store.lock():
        check(store)
        backup = store.backup(action)
        tmp = store._tmp_copy(None)
        try:
            shutil.copy2(source, tmp)
            if audit_rows:
                _store._append_audit_sqlite(tmp, [{"at": now_iso(), **r} for r in audit_rows])
            os.replace(tmp, store.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    return backup
