"""What lies under a printed map's vector layers, and the ellipsoid it is measured on: a background image (a
basemap package's picture, ``background(bounds_wgs84, width_px, height_px) -> PIL.Image | None``, columns
linear in longitude and rows in latitude) warped into the map's EPSG:4546 grid, and geodesic lengths of grid
segments (GRS80, the CGCS2000 ellipsoid) for a true scale bar. Used by the wall print and the report maps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..crs import METRIC_CRS

Background = Callable[[tuple, int, int], object]
#: the background image's resolution on paper (dots per inch), and its longest side at most
BACKGROUND_DPI, BACKGROUND_MAX_PX = 150, 6000
_GEOD = None


def geodesy():
    """(GRS80 geodesic, EPSG:4546 -> lon/lat transformer), made once."""
    global _GEOD
    if _GEOD is None:
        from pyproj import Geod, Transformer

        _GEOD = (Geod(ellps="GRS80"), Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True))
    return _GEOD


def ground_m(x0: float, y0: float, x1: float, y1: float) -> float:
    """Geodesic length (metres, CGCS2000/GRS80 ellipsoid) between two EPSG:4546 points."""
    geod, tf = geodesy()
    lon, lat = tf.transform([x0, x1], [y0, y1])
    return float(geod.inv(lon[0], lat[0], lon[1], lat[1])[2])


def draw_background(ax, background: Background, dpi: float) -> bool:
    """The background image for the map frame, warped from lon/lat into the grid; False when there is none."""
    from PIL import Image

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fw, fh = ax.figure.get_size_inches()
    pos = ax.get_position()
    f = min(1.0, BACKGROUND_MAX_PX / max(pos.width * fw * dpi, pos.height * fh * dpi))
    w, h = max(int(pos.width * fw * dpi * f), 2), max(int(pos.height * fh * dpi * f), 2)
    n = 16
    gx, gy = np.meshgrid(np.linspace(x0, x1, n + 1), np.linspace(y1, y0, n + 1))
    _g, tf = geodesy()
    lon, lat = tf.transform(gx, gy)
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    img = background(bounds, w, h)
    if img is None:
        return False
    img = img.convert("RGBA")
    sw, sh = img.size
    u = (lon - bounds[0]) / (bounds[2] - bounds[0]) * sw
    v = (bounds[3] - lat) / (bounds[3] - bounds[1]) * sh
    px, py = np.linspace(0, w, n + 1), np.linspace(0, h, n + 1)
    mesh = []
    for j in range(n):
        for i in range(n):
            box = (int(round(px[i])), int(round(py[j])), int(round(px[i + 1])), int(round(py[j + 1])))
            quad = (u[j, i], v[j, i], u[j + 1, i], v[j + 1, i], u[j + 1, i + 1], v[j + 1, i + 1], u[j, i + 1],
                    v[j, i + 1])
            mesh.append((box, tuple(float(q) for q in quad)))
    warped = img.transform((w, h), Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)
    ax.imshow(np.asarray(warped), extent=(x0, x1, y0, y1), origin="upper", zorder=0.5, interpolation="none")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return True
