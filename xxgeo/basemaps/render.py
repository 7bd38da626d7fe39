"""A basemap as one picture for a printed map or a PDF report: :func:`basemap_image` (pure; reads the package's
tiles from disk, nothing online).

The picture covers exactly the WGS84 bounds asked for, in Web Mercator rows (``projection="mercator"``, as on
screen) or in equal steps of latitude (``projection="lonlat"``, for axes in degrees). A GCJ-02 package is read
at the GCJ-02 position of the bounds, so the vector layers (WGS84) fall on it as on screen (shifted there).
"""

from __future__ import annotations

import math
from io import BytesIO

import numpy as np

from ..crs import wgs84_to_gcj02
from .providers import NONE
from .registry import Registry, registry_dir

#: the largest mosaic read from tiles (pixels on a side) before it is scaled to the size asked for
MAX_MOSAIC_PX = 6000
TILE_PX = 256


def _merc_px(lon, lat, z: int):
    """Web Mercator pixel coordinates at zoom ``z`` (float)."""
    n = TILE_PX * 2 ** z
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511287798, 85.0511287798)
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * n
    r = np.radians(lat)
    y = (1.0 - np.log(np.tan(r) + 1.0 / np.cos(r)) / math.pi) / 2.0 * n
    return x, y


def _zoom_for(bounds, width_px: int, zmin: int, zmax: int) -> int:
    """The lowest zoom at least as sharp as ``width_px`` across the bounds, within the package's zooms and the
    mosaic limit."""
    w, s, e, n = bounds
    for z in range(zmin, zmax + 1):
        x0, y0 = _merc_px(w, n, z)
        x1, y1 = _merc_px(e, s, z)
        if max(x1 - x0, y1 - y0) > MAX_MOSAIC_PX:
            return max(zmin, z - 1)
        if x1 - x0 >= width_px:
            return z
    return zmax


def basemap_image(name: str | None, bounds_wgs84, width_px: int, height_px: int, *, store: str | None = None,
                  projection: str = "mercator"):
    """The basemap package ``name`` of ``store`` (default: the settings' store) as a ``PIL.Image`` (RGBA) of
    ``width_px`` × ``height_px`` covering ``bounds_wgs84`` = (west, south, east, north); transparent where the
    package has no tile. ``None`` when there is nothing to draw offline: no basemap ("none"/``None``), an online
    or intranet provider, an unknown name, or bounds so large that even the package's lowest zoom would need a
    mosaic of more than twice :data:`MAX_MOSAIC_PX` on a side."""
    from PIL import Image

    if not name or name == NONE:
        return None
    reg = Registry(registry_dir(store))
    pkg = reg.get(name)
    if pkg is None:
        return None
    w, s, e, n = (float(v) for v in bounds_wgs84)
    if pkg.datum == "gcj02":
        (w, e), (s, n) = wgs84_to_gcj02(np.array([w, e]), np.array([s, n]))
    z = _zoom_for((w, s, e, n), width_px, pkg.min_zoom, pkg.max_zoom)
    x0, y0 = _merc_px(w, n, z)
    x1, y1 = _merc_px(e, s, z)
    tx0, ty0, tx1, ty1 = int(x0 // TILE_PX), int(y0 // TILE_PX), int(x1 // TILE_PX), int(y1 // TILE_PX)
    if max(tx1 - tx0, ty1 - ty0) * TILE_PX > 2 * MAX_MOSAIC_PX:
        return None  # the package's coarsest tiles are far too fine for so large an area: nothing sensible to draw
    mosaic = Image.new("RGBA", ((tx1 - tx0 + 1) * TILE_PX, (ty1 - ty0 + 1) * TILE_PX), (0, 0, 0, 0))
    folder = reg.tiles_dir(pkg) / str(z)
    for tx in range(tx0, tx1 + 1):
        for ty in range(ty0, ty1 + 1):
            f = folder / str(tx) / f"{ty}.{pkg.ext}"
            if f.is_file():
                with Image.open(BytesIO(f.read_bytes())) as tile:
                    mosaic.paste(tile.convert("RGBA").resize((TILE_PX, TILE_PX)), ((tx - tx0) * TILE_PX,
                                                                                   (ty - ty0) * TILE_PX))
    left, top = x0 - tx0 * TILE_PX, y0 - ty0 * TILE_PX
    right, bottom = x1 - tx0 * TILE_PX, y1 - ty0 * TILE_PX
    if projection == "mercator":
        return mosaic.resize((width_px, height_px), Image.Resampling.BILINEAR, box=(left, top, right, bottom))
    if projection != "lonlat":
        raise ValueError(f"unknown projection {projection!r} (mercator or lonlat)")
    cols = mosaic.resize((width_px, mosaic.height), Image.Resampling.BILINEAR, box=(left, 0, right, mosaic.height))
    lats = n - (np.arange(height_px) + 0.5) * (n - s) / height_px
    _, rows = _merc_px(np.full(height_px, w), lats, z)
    idx = np.clip((rows - ty0 * TILE_PX).astype(int), 0, mosaic.height - 1)
    return Image.fromarray(np.asarray(cols)[idx], "RGBA")
