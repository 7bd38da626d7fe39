"""Small basemap packages the tests make themselves: a few coloured PNG tiles around given bounds, written as
MBTiles, PMTiles, a zipped z/x/y folder, or a tiny GeoTIFF (RGB image or DEM) made with rasterio and numpy."""

from __future__ import annotations

import io
import math
import sqlite3
import zipfile
from pathlib import Path

import numpy as np

COLOUR = (200, 40, 160)  # a magenta no real map has: easy to find in a drawn page


def tile_range(bounds, z: int):
    """(x0, y0, x1, y1) of the XYZ tiles covering (west, south, east, north) at zoom ``z``."""
    w, s, e, n = bounds

    def xy(lon, lat):
        k = 2 ** z
        r = math.radians(lat)
        return int((lon + 180) / 360 * k), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * k)

    (x0, y0), (x1, y1) = xy(w, n), xy(e, s)
    return x0, y0, x1, y1


def png(colour=COLOUR, size: int = 256) -> bytes:
    """A solid PNG tile."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, "PNG")
    return buf.getvalue()


def tiles(bounds, zooms=(8, 9, 10), colour=COLOUR):
    """{(z, x, y): PNG bytes} covering ``bounds`` (XYZ scheme)."""
    data = png(colour)
    out = {}
    for z in zooms:
        x0, y0, x1, y1 = tile_range(bounds, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                out[(z, x, y)] = data
    return out


def write_mbtiles(path: Path, tileset: dict, fmt: str = "png") -> Path:
    """An MBTiles file (TMS rows) of ``tileset``."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "test"), ("format", fmt)])
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(z, x, 2 ** z - 1 - y, d) for (z, x, y), d in tileset.items()])
    con.commit()
    con.close()
    return path


def write_pmtiles(path: Path, tileset: dict) -> Path:
    """A PMTiles archive of ``tileset`` (written with the ``pmtiles`` package)."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    zs = [k[0] for k in tileset]
    with write(str(path)) as writer:
        for (z, x, y), d in sorted(tileset.items(), key=lambda kv: zxy_to_tileid(*kv[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), d)
        writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE,
                         "min_zoom": min(zs), "max_zoom": max(zs), "min_lon_e7": -1800000000,
                         "min_lat_e7": -850000000, "max_lon_e7": 1800000000, "max_lat_e7": 850000000,
                         "center_zoom": min(zs), "center_lon_e7": 0, "center_lat_e7": 0}, {"name": "test"})
    return path


def write_zip(path: Path, tileset: dict, top: str = "tiles") -> Path:
    """A zipped z/x/y folder of ``tileset``."""
    with zipfile.ZipFile(path, "w") as zf:
        for (z, x, y), d in tileset.items():
            zf.writestr(f"{top}/{z}/{x}/{y}.png", d)
    return path


def write_geotiff(path: Path, bounds, *, dem: bool = False, size: int = 200) -> Path:
    """A tiny GeoTIFF in WGS84 over ``bounds``: an RGB image in :data:`COLOUR`, or a DEM (a hill, metres)."""
    import rasterio
    from rasterio.transform import from_bounds

    w, s, e, n = bounds
    transform = from_bounds(w, s, e, n, size, size)
    if dem:
        yy, xx = np.mgrid[0:size, 0:size]
        hill = 400 + 2000 * np.exp(-(((xx - size / 2) / (size / 10)) ** 2 + ((yy - size / 2) / (size / 10)) ** 2))
        data, count, dtype = hill[None].astype("float32"), 1, "float32"
    else:
        data = np.stack([np.full((size, size), c, dtype="uint8") for c in COLOUR])
        count, dtype = 3, "uint8"
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=count, dtype=dtype,
                       crs="EPSG:4326", transform=transform) as ds:
        ds.write(data)
    return path
