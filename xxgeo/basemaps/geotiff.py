"""A GeoTIFF cut into Web Mercator tiles with rio-tiler (on rasterio): an image as it is, a DEM shaded.

An image (one grey band or RGB(A); other bit depths stretched between their 2nd and 98th percentiles) keeps its
colours. A single band of elevations (integers wider than 8 bits or floats) is a DEM: each tile is read with a
one-pixel margin and shaded (sun from the north-west, 45° high) into a grey hillshade. Zooms: up to the file's
resolution (rio-tiler's ``maxzoom``), lowered until one zoom's tiles number at most :data:`MAX_TILES_PER_ZOOM`,
and :data:`ZOOM_SPAN` levels below it; the map scales the tiles beyond them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import numpy as np

from .formats import refuse

MAX_TILES_PER_ZOOM = 100_000
ZOOM_SPAN = 6
EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0


def _open(path: Path):
    import rasterio
    from rio_tiler.errors import NoOverviewWarning, RioTilerError
    from rio_tiler.io import Reader

    # a small file needs no overviews and a large one is only slower without: not the user's concern
    warnings.filterwarnings("ignore", category=NoOverviewWarning)
    try:
        reader = Reader(str(path))
    except (rasterio.errors.RasterioError, RioTilerError, ValueError) as exc:
        raise refuse(path, f"无法读取这个 GeoTIFF（{exc}）。", f"this GeoTIFF cannot be read ({exc}).") from None
    if reader.dataset.crs is None:
        reader.close()
        raise refuse(path, "这个 GeoTIFF 没有坐标系，请先为它指定坐标系。",
                     "this GeoTIFF has no coordinate reference system; assign one first.")
    return reader


def is_dem(dataset) -> bool:
    """A single band of elevations: wider than 8 bits, or floats, without a colour table."""
    if dataset.count != 1:
        return False
    try:
        dataset.colormap(1)
        return False
    except ValueError:  # no colour table
        pass
    return dataset.dtypes[0] not in ("uint8", "int8")


def zoom_range(reader, bounds) -> tuple[int, int]:
    """The zooms to cut: up to rio-tiler's ``maxzoom`` (the file's resolution; lowered until the tiles of one
    zoom number at most :data:`MAX_TILES_PER_ZOOM`), down :data:`ZOOM_SPAN` levels (few tiles: the county
    seen whole)."""
    hi = int(reader.maxzoom)
    while hi > 0 and _count(reader.tms, bounds, hi) > MAX_TILES_PER_ZOOM:
        hi -= 1
    return max(0, hi - ZOOM_SPAN), hi


def _count(tms, bounds, z: int) -> int:
    ul = tms.tile(bounds[0], bounds[3], z)
    lr = tms.tile(bounds[2], bounds[1], z)
    return (lr.x - ul.x + 1) * (lr.y - ul.y + 1)


def hillshade(elev: np.ndarray, pixel_m: float, azimuth: float = 315.0, altitude: float = 45.0) -> np.ndarray:
    """Shaded relief (0–255) of an elevation grid whose pixels are ``pixel_m`` metres wide (NaN: no data; a
    pixel next to no data is shaded as flat ground, so the edge of the data is not drawn as a cliff)."""
    elev = elev.astype("float64")
    valid = ~np.isnan(elev)
    inner = valid.copy()
    inner[1:, :] &= valid[:-1, :]
    inner[:-1, :] &= valid[1:, :]
    inner[:, 1:] &= valid[:, :-1]
    inner[:, :-1] &= valid[:, 1:]
    if not valid.all():
        elev = np.where(valid, elev, np.nanmean(elev) if valid.any() else 0.0)
    g0, g1 = np.gradient(elev, pixel_m)  # along rows (southward), along columns (eastward)
    slope = math.pi / 2.0 - np.arctan(np.hypot(g0, g1))
    aspect = np.arctan2(-g0, g1)
    az, alt = math.radians(azimuth), math.radians(altitude)
    shaded = math.sin(alt) * np.sin(slope) + math.cos(alt) * np.cos(slope) * np.cos(az - aspect)
    shaded = np.where(inner, shaded, math.sin(alt))
    return np.clip(shaded * 255.0, 0, 255).astype("uint8")


def _stretch(reader) -> tuple | None:
    """The (low, high) of each band to stretch to 0–255, ``None`` for 8-bit images."""
    if reader.dataset.dtypes[0] == "uint8":
        return None
    prev = reader.preview(max_size=512)
    data = prev.array  # a masked array: no-data left out of the percentiles
    ranges = []
    for band in data:
        vals = band.compressed()
        lo, hi = (np.percentile(vals, [2, 98]) if vals.size else (0, 1))
        ranges.append((float(lo), float(hi) if hi > lo else float(lo) + 1))
    return tuple(ranges)


def _png(rgb: np.ndarray, alpha: np.ndarray) -> bytes:
    from PIL import Image

    bands = [b for b in rgb] + [alpha]
    mode = "LA" if len(bands) == 2 else "RGBA"
    img = Image.merge(mode, [Image.fromarray(np.ascontiguousarray(b)) for b in bands])
    buf = BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _palette(dataset) -> np.ndarray | None:
    """The colour table of a one-band image as a 256 × 3 lookup, ``None`` when it has none."""
    if dataset.count != 1 or dataset.dtypes[0] != "uint8":
        return None
    try:
        cmap = dataset.colormap(1)
    except ValueError:
        return None
    lut = np.zeros((256, 3), dtype="uint8")
    for k, rgba in cmap.items():
        lut[int(k)] = rgba[:3]
    return lut


def shaded(path: Path, render: str = "auto") -> bool:
    """Whether the GeoTIFF is drawn as a hillshade: ``render`` "hillshade" / "image", or "auto" (:func:`is_dem`)."""
    if render != "auto":
        return render == "hillshade"
    import rasterio

    with rasterio.open(path) as ds:
        return is_dem(ds)


def geotiff_tiles(path: Path, render: str = "auto") -> Iterator[tuple[int, int, int, bytes]]:
    """The PNG tiles of a GeoTIFF (image, or a DEM hillshaded: ``render`` as in :func:`shaded`), zoom by zoom;
    tiles with no data are left out."""
    from rio_tiler.errors import TileOutsideBounds

    reader = _open(path)
    with reader:
        bounds = reader.get_geographic_bounds(reader.tms.rasterio_geographic_crs)
        dem = shaded(path, render)
        lut = None if dem else _palette(reader.dataset)
        if dem and reader.dataset.count != 1:
            raise refuse(path, f"它有 {reader.dataset.count} 个波段，高程（晕渲）只能有 1 个。",
                         f"it has {reader.dataset.count} bands; a DEM (hillshade) has 1.")
        if not dem and reader.dataset.count not in (1, 3, 4):
            raise refuse(path, f"它有 {reader.dataset.count} 个波段；影像需要 1、3 或 4 个波段，高程需要 1 个。",
                         f"it has {reader.dataset.count} bands; an image needs 1, 3 or 4 and a DEM 1.")
        ranges = None if dem or lut is not None else _stretch(reader)
        zmin, zmax = zoom_range(reader, bounds)
        for z in range(zmin, zmax + 1):
            for t in reader.tms.tiles(*bounds, [z]):
                try:
                    img = reader.tile(t.x, t.y, t.z, buffer=1 if dem else None,
                                      indexes=(1,) if dem else tuple(range(1, min(reader.dataset.count, 3) + 1)))
                except TileOutsideBounds:
                    continue
                mask = ~np.ma.getmaskarray(img.array).any(axis=0)  # True where the file has data
                if not mask.any():
                    continue
                if dem:
                    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (t.y + 0.5) / 2 ** z))))
                    pixel_m = EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat)) / (256 * 2 ** z)
                    shade = hillshade(np.where(mask, img.data[0], np.nan), pixel_m)[1:-1, 1:-1]
                    alpha = np.where(mask[1:-1, 1:-1], 255, 0).astype("uint8")
                    yield z, t.x, t.y, _png(shade[None], alpha)
                    continue
                if lut is not None:
                    rgb = lut[img.data[0]].transpose(2, 0, 1)
                    yield z, t.x, t.y, _png(rgb, np.where(mask, 255, 0).astype("uint8"))
                    continue
                data = img.data.astype("float64")
                if ranges is not None:
                    data = np.stack([(b - lo) / (hi - lo) * 255.0 for b, (lo, hi) in zip(data, ranges)])
                rgb = np.clip(data, 0, 255).astype("uint8")
                yield z, t.x, t.y, _png(rgb, np.where(mask, 255, 0).astype("uint8"))
