"""Zoom-bounded project data for the app: content-addressed static data tiles plus a low-zoom summary.

Above ``BUDGET`` drawn projects (below it every view may show them all, and the page carries them) the app's
map page does not carry the projects themselves, only a **summary**: for every Web Mercator zoom-14 tile (~2 km)
holding projects, its column and row, the mean position of its projects and their count. The summary is bounded
by the county's area (at most a few hundred cells), not by the size of the library. The browser draws it as
bubbles that say how many projects they hold, and once the cells in view hold at most ``BUDGET`` projects (or the
map is zoomed to ``MAX_ZOOM``) it fetches those cells' **data tiles**: one file per cell, each one
:func:`xxgeo.fastpoints.encode` payload (coordinates, category, names and popup columns), written under
``static/xxgeo/tiles/<content hash>/`` and served by Streamlit's static file serving.

Streamlit serves static files to anyone, so only tiles of **public** content live at that shared path
(:meth:`TileStore.publish`). Tiles with internal content (non-public projects, internal fields: the maps of a
signed-in user) are written outside the served folder (:attr:`TileStore.private`) and handed to one session at a
time under an unguessable path, ``static/xxgeo/tiles/s/<session token>/<content hash>/``
(:meth:`TileStore.grant`): a visitor without that session's token cannot name them, and a token's folder is
removed once its session has been idle longer than the session limit (:meth:`TileStore.prune_sessions`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .fastpoints import encode
from .jsembed import js_json

TILE_ZOOM = 14
#: At most this many points are fetched for one view (unless the map is zoomed to MAX_ZOOM).
BUDGET = 10_000
MAX_ZOOM = 16
KEEP = 32  # tile sets kept on disk (most recently used first); the app's map cache holds at most 24 maps
SESSIONS = "s"  # under the served root: one folder per session token holding the internal tile sets it may read


def new_token() -> str:
    """An unguessable session token for :meth:`TileStore.grant` (192 random bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def tile_xy(lon, lat, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator tile column and row of each point at zoom ``z``."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511287798, 85.0511287798)
    n = 2 ** z
    x = np.floor((lon + 180.0) / 360.0 * n)
    r = np.radians(lat)
    y = np.floor((1.0 - np.log(np.tan(r) + 1.0 / np.cos(r)) / np.pi) / 2.0 * n)
    return np.clip(x, 0, n - 1).astype(np.int64), np.clip(y, 0, n - 1).astype(np.int64)


@dataclass(frozen=True)
class TileSet:
    """The files of one tile set: content hash and (file name, content) pairs: JSON text for the projects' data
    tiles, PNG bytes for image tiles (:class:`ImageTiles`)."""

    digest: str
    files: tuple


@dataclass(frozen=True)
class ImageTiles:
    """A layer drawn from image tiles rendered on the server (``constraints``): the Leaflet URL template
    (``{z}``, ``{x}``, ``{y}``), the zooms rendered (Leaflet scales the last one up beyond it) and the legend's
    ((class, count), …). Hashable: part of a :class:`~xxgeo.mapping.MapRequest`."""

    url: str
    min_zoom: int
    max_zoom: int
    counts: tuple = ()


@dataclass(frozen=True)
class TileStore:
    """Where tile sets are written (``root``) and the URL the browser fetches them from (``url``)."""

    root: Path
    url: str
    #: where internal tile sets are written: a folder that is **not** served (None: ``<root>.private``)
    private: Path | None = None

    @property
    def private_root(self) -> Path:
        """The unserved folder of internal tile sets (default: a folder of this user's in the temporary
        directory, readable by this user only)."""
        if self.private is not None:
            return self.private
        home = Path(tempfile.gettempdir()) / f"xxgeo-private-tiles-{os.getuid()}"
        home.mkdir(mode=0o700, exist_ok=True)
        return home / hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:16]

    def template(self, digest: str) -> str:
        """URL template of a tile set's files; ``{key}`` is ``z-x-y`` of a Web Mercator tile."""
        return f"{self.url}/{digest}/{{key}}.json"

    def session_prefix(self, token: str) -> str:
        """What replaces ``<url>/`` in a template for the session holding ``token``."""
        return f"{self.url}/{SESSIONS}/{token}/"

    def publish(self, tileset: TileSet) -> None:
        """Make sure a tile set of **public** content is on disk at its shared, served path (written once,
        atomically: a directory appears whole or not at all), mark it as recently used, and remove the oldest
        sets beyond ``KEEP``."""
        if _write_once(self.root, tileset):
            self.prune()

    def grant(self, tileset: TileSet, token: str) -> None:
        """Make a tile set of **internal** content readable by the one session holding ``token``: written once
        outside the served folder, then linked (hard links, or copies) under ``s/<token>/<digest>/``."""
        if not token or "/" in token or token.startswith("."):
            raise ValueError("a tile token is a URL-safe random string")
        if _write_once(self.private_root, tileset):
            self.prune()
        src = self.private_root / tileset.digest
        home = self.root / SESSIONS / token
        final = home / tileset.digest
        home.mkdir(parents=True, exist_ok=True)
        os.utime(home)  # the session is active: its folder lives on
        if final.is_dir():
            return
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=home))
        for name, _text in tileset.files:
            try:
                os.link(src / name, tmp / name)
            except OSError:  # another file system
                shutil.copy2(src / name, tmp / name)
        try:
            tmp.rename(final)
        except OSError:  # the same session granted it at the same moment
            shutil.rmtree(tmp, ignore_errors=True)

    def prune(self, keep: int = KEEP) -> None:
        """Delete all but the ``keep`` most recently used tile sets (and left-over temporary directories)."""
        for root in (self.root, self.private_root):
            if not root.is_dir():
                continue
            dirs = sorted((d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")
                           and d.name != SESSIONS), key=lambda d: d.stat().st_mtime, reverse=True)
            for d in dirs[keep:]:
                shutil.rmtree(d, ignore_errors=True)

    def prune_sessions(self, idle_s: float, *, now: float | None = None) -> None:
        """Remove the tile folders of sessions idle for longer than ``idle_s`` seconds (their tokens expire)."""
        home = self.root / SESSIONS
        if not home.is_dir():
            return
        now = time.time() if now is None else now
        for d in home.iterdir():
            try:
                if now - d.stat().st_mtime > idle_s:
                    shutil.rmtree(d, ignore_errors=True)
            except FileNotFoundError:
                continue


def _write_once(root: Path, tileset: TileSet) -> bool:
    """Write ``tileset`` under ``root/<digest>`` unless it is there (then mark it used); True when written."""
    final = root / tileset.digest
    if final.is_dir():
        os.utime(final)
        return False
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    for name, text in tileset.files:
        if isinstance(text, bytes):
            (tmp / name).write_bytes(text)
        else:
            (tmp / name).write_text(text, encoding="utf-8")
    try:
        tmp.rename(final)
    except OSError:  # another process published the same content first
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    return True


def tiled_payload(lon, lat, categories, category_names: list[str], colors: list[str], columns: dict, popup: list,
                  store: TileStore) -> tuple[dict, TileSet]:
    """The page payload of a tiled projects layer (the summary and the tiles' URL template) and its tile files.

    Arguments as :func:`xxgeo.fastpoints.encode`. Nothing is dropped: the summary's counts add up to the
    number of points, and every point is in exactly one tile (the one of its summary cell)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    cats = np.asarray(categories)
    cols = {k: np.asarray(v, dtype=object) for k, v in columns.items()}
    x, y = tile_xy(lon, lat, TILE_ZOOM)
    keys, inverse, counts = np.unique((x << 32) | y, return_inverse=True, return_counts=True)
    mx = np.bincount(inverse, weights=lon, minlength=len(keys)) / np.maximum(counts, 1)
    my = np.bincount(inverse, weights=lat, minlength=len(keys)) / np.maximum(counts, 1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    files, summary = [], []
    for k, key in enumerate(keys):
        tx, ty = int(key >> 32), int(key & 0xFFFFFFFF)
        sel = order[bounds[k]:bounds[k + 1]]
        p = encode(lon[sel], lat[sel], cats[sel], category_names, colors, {c: v[sel] for c, v in cols.items()},
                   popup)
        for shared in ("categories", "colors", "popup"):  # in the page payload, once
            del p[shared]
        files.append((f"{TILE_ZOOM}-{tx}-{ty}.json", js_json(p)))
        summary.append([tx, ty, round(float(mx[k]), 5), round(float(my[k]), 5), int(counts[k])])
    h = hashlib.sha256()
    for name, text in files:
        h.update(name.encode())
        h.update(text.encode("utf-8"))
    tileset = TileSet(digest=h.hexdigest()[:20], files=tuple(files))
    payload = {"n": int(len(lon)), "categories": list(category_names), "colors": list(colors), "popup": popup,
               "summary": summary,
               "tiles": {"url": store.template(tileset.digest), "z": TILE_ZOOM, "budget": BUDGET,
                         "max_zoom": MAX_ZOOM}}
    return payload, tileset
