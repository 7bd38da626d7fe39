"""What a killed GeoPackage write can leave behind, and how the next writer clears it.

A whole-store write works on a hidden copy beside the store (``.xxgeo-<store>-*.gpkg``) and takes its backup
under a hidden name (``backups/.<backup>.part``); the copy is swapped in and the backup renamed to its real name
only when the write commits. A ``kill -9`` between the two leaves both hidden files: :func:`tidy`, run by whoever
next takes the writer lock, deletes the copy, and of a ``.part`` backup keeps (renames) the one the store's audit
log names (its write did commit) and deletes the rest. Nothing hidden is ever listed as a backup.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..errors import store_read_only

_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def temp_prefix(store: Path) -> str:
    """The prefix of the store's working copies (one store's prefix never matches another's)."""
    return f".xxgeo-{store.stem}-"


class PendingBackup:
    """A backup being taken: the copy sits at :attr:`part` until :meth:`commit` renames it to :attr:`dest`."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.part = dest.with_name(f".{dest.name}.part")

    @classmethod
    def take(cls, store: Path, backup_dir: Path, reason: str) -> PendingBackup:
        """Copy ``store`` to ``backup_dir/.<store>-<timestamp>[-reason].gpkg.part``."""
        backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        tag = "".join(c for c in reason if c.isalnum() or c in "-_")[:30]
        pending = cls(backup_dir / f"{store.stem}-{stamp}{'-' + tag if tag else ''}.gpkg")
        shutil.copy2(store, pending.part)
        return pending

    def commit(self) -> Path:
        """The write committed: the backup gets its real name; returns it."""
        os.replace(self.part, self.dest)
        return self.dest

    def drop(self) -> None:
        """The write failed: nothing changed, so the copy is not a backup of anything."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.part)


def _named_in_audit(store: Path, name: str) -> bool:
    try:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return False
    try:
        return bool(con.execute("SELECT 1 FROM audit_log WHERE \"before\" LIKE ? LIMIT 1",
                                (f"%{name}%",)).fetchone())
    except sqlite3.Error:
        return False
    finally:
        con.close()


def tidy(store: Path, backup_dir: Path) -> list[Path]:
    """Clear a killed write's leftovers (call with the writer lock held); returns what was removed."""
    removed: list[Path] = []
    for tmp in [*store.parent.glob(f"{temp_prefix(store)}*.gpkg"), *store.parent.glob(f"{temp_prefix(store)}*.arrow")]:
        with contextlib.suppress(OSError):  # (working copies, and the tables handed to a helper: .writehelper)
            tmp.unlink()
            removed.append(tmp)
    if backup_dir.is_dir():
        for part in backup_dir.glob(f".{store.stem}-*.gpkg.part"):
            final = part.with_name(part.name[1:-len(".part")])
            with contextlib.suppress(OSError):
                if _named_in_audit(store, final.name):
                    os.replace(part, final)
                else:
                    part.unlink()
                    removed.append(part)
    return removed


@contextlib.contextmanager
def writable(store: Path) -> Iterator[None]:
    """A write to ``store``: refused at once when the file may not be written (``os.access``: a read-only file
    that an atomic replace would otherwise silently overwrite), and a read-only or permission error on the store,
    its folder or its backups turned into the one "数据库…是只读的" sentence."""
    # no write permission, or no write bit at all: a file the bureau marked read-only, which even an
    # administrator's process respects (os.access says yes to root)
    if store.exists() and (not store.stat().st_mode & 0o222 or not os.access(store, os.W_OK)):
        raise store_read_only(str(store))
    try:
        yield
    except OSError as exc:
        where = exc.filename2 or exc.filename
        inside = where is None or Path(str(where)).resolve().is_relative_to(store.parent.resolve())
        if exc.errno in _READ_ONLY and inside:
            raise store_read_only(str(store)) from exc
        raise
