"""A package's tiles for an exported HTML map: only those covering the county, up to a sensible zoom, written
in a folder beside the file (relative URLs, drawn from ``file://``) or, when small, carried inside the page.
"""

from __future__ import annotations

import base64
import secrets
import shutil
from pathlib import Path

import numpy as np

from ..crs import wgs84_to_gcj02
from .providers import Basemap
from .registry import Package, Registry, package_basemap
from .render import TILE_PX, _merc_px

#: the highest zoom exported (≈ 2.4 m per pixel: streets and buildings); the map scales tiles beyond it
EXPORT_MAX_ZOOM = 16
#: at most this many tiles beside one exported file (zooms are added from the lowest while they fit)
EXPORT_MAX_TILES = 20_000
#: tiles carried inside the page when they add up to at most this many bytes
EMBED_MAX_BYTES = 2 * 1024 * 1024
PAD_DEG = 0.02  # a margin around the county


def _covering(pkg: Package, bounds_wgs84) -> list[tuple[int, int, int]]:
    """(z, x, y) of the tiles covering the bounds, zoom by zoom, as long as they fit the limit."""
    w, s, e, n = (float(v) for v in bounds_wgs84)
    w, s, e, n = w - PAD_DEG, s - PAD_DEG, e + PAD_DEG, n + PAD_DEG
    if pkg.datum == "gcj02":
        (w, e), (s, n) = wgs84_to_gcj02(np.array([w, e]), np.array([s, n]))
    pw, ps, pe, pn = pkg.bounds
    w, s, e, n = max(w, pw), max(s, ps), min(e, pe), min(n, pn)
    out: list = []
    if w >= e or s >= n:
        return out
    for z in range(pkg.min_zoom, min(pkg.max_zoom, EXPORT_MAX_ZOOM) + 1):
        x0, y0 = (int(v // TILE_PX) for v in _merc_px(w, n, z))
        x1, y1 = (int(v // TILE_PX) for v in _merc_px(e, s, z))
        level = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        if out and len(out) + len(level) > EXPORT_MAX_TILES:
            break
        out += level
    return out


def export_basemap(registry: Registry, pkg: Package, bounds_wgs84, out_html: Path) -> tuple[Basemap, Path | None]:
    """The :class:`Basemap` an exported page at ``out_html`` draws the package with, and the folder of tiles
    written beside it (``<name>_basemap/``; ``None`` when the tiles are embedded or none covers the bounds)."""
    src = registry.tiles_dir(pkg)
    found = [(z, x, y, src / str(z) / str(x) / f"{y}.{pkg.ext}") for z, x, y in _covering(pkg, bounds_wgs84)]
    found = [t for t in found if t[3].is_file()]
    max_native = max((t[0] for t in found), default=pkg.max_zoom)
    min_native = min((t[0] for t in found), default=pkg.min_zoom)
    total = sum(t[3].stat().st_size for t in found)
    mime = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[pkg.ext]
    narrowed = Package(**{**pkg.__dict__, "min_zoom": min_native, "max_zoom": max_native})
    if total <= EMBED_MAX_BYTES:
        tiles = tuple((f"{z}/{x}/{y}", f"data:{mime};base64,{base64.b64encode(f.read_bytes()).decode()}")
                      for z, x, y, f in found)
        return package_basemap(narrowed, "", embedded=tiles), None
    folder = out_html.with_name(f"{out_html.stem}_basemap")
    tmp = out_html.with_name(f".{folder.name}.{secrets.token_hex(4)}.part")
    try:
        for z, x, _y, f in found:
            d = tmp / str(z) / str(x)
            d.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, d / f.name)
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return package_basemap(narrowed, f"{folder.name}/{{z}}/{{x}}/{{y}}.{pkg.ext}"), folder
