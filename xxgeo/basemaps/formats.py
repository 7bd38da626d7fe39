"""Reading raster tile packages: MBTiles, PMTiles, a zipped (or plain) z/x/y folder. GeoTIFF: :mod:`.geotiff`.

Each reader yields ``(z, x, y, bytes)`` in the XYZ scheme the map uses (an MBTiles' TMS rows are flipped). A
file that is none of these, holds vector tiles, or holds no raster tile is refused with one sentence
(:class:`~xxgeo.errors.ImportRefused`); nothing is written here.
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import ImportRefused

#: the largest one tile may be (a raster tile is tens of kB; more is a hostile or broken package)
MAX_TILE_BYTES = 8 * 1024 * 1024
MAX_ZOOM = 24
FORMATS = ("mbtiles", "pmtiles", "zip", "folder", "geotiff")
_ZXY = re.compile(r"(?:^|/)(\d{1,2})/(\d{1,8})/(\d{1,8})\.(png|jpg|jpeg|webp)$", re.IGNORECASE)


def image_ext(data: bytes) -> str | None:
    """The file extension of a raster tile's bytes (png, jpg, webp), ``None`` when it is not one."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def refuse(path: Path, zh: str, en: str) -> ImportRefused:
    """The one sentence for a package that cannot be added."""
    return ImportRefused(f"无法添加底图包 {path.name}：{zh}",
                         english=f"Cannot add the basemap package {path.name}: {en}")


def detect(path: Path) -> str:
    """The package format of ``path`` from its first bytes (not its name): one of :data:`FORMATS`."""
    if path.is_dir():
        return "folder"
    if not path.is_file():
        raise refuse(path, "找不到该文件，请检查路径。", "the file does not exist; check the path.")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"SQLite format 3\x00"):
        return "mbtiles"
    if head.startswith(b"PMTiles"):
        return "pmtiles"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "geotiff"
    raise refuse(path, "它不是 MBTiles、PMTiles、z/x/y 瓦片压缩包或 GeoTIFF。",
                 "it is not an MBTiles, PMTiles, zipped z/x/y tile folder or GeoTIFF file.")


def _check(path: Path, z: int, x: int, y: int, data: bytes) -> None:
    n = 2 ** z if 0 <= z <= MAX_ZOOM else 0
    if not (0 <= x < n and 0 <= y < n):
        raise refuse(path, f"其中的瓦片编号 {z}/{x}/{y} 不存在（超出该级别范围）。",
                     f"it holds a tile numbered {z}/{x}/{y}, which does not exist at that zoom.")
    if len(data) > MAX_TILE_BYTES:
        raise refuse(path, f"瓦片 {z}/{x}/{y} 超过 {MAX_TILE_BYTES // 1048576} MB。",
                     f"tile {z}/{x}/{y} is larger than {MAX_TILE_BYTES // 1048576} MB.")
    if image_ext(data) is None:
        raise refuse(path, f"瓦片 {z}/{x}/{y} 不是 PNG、JPEG 或 WebP 图片（矢量瓦片不能用作底图）。",
                     f"tile {z}/{x}/{y} is not a PNG, JPEG or WebP image (vector tiles cannot be a basemap).")


def mbtiles_tiles(path: Path) -> Iterator[tuple[int, int, int, bytes]]:
    """The tiles of an MBTiles file (SQLite; rows in the TMS scheme, flipped here)."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise refuse(path, "无法以只读方式打开这个 SQLite 文件。",
                     "the SQLite file cannot be opened read-only.") from None
    try:
        try:
            meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
        except sqlite3.Error:
            meta = {}
        xyz = str(meta.get("scheme", "tms")).lower() == "xyz"  # a few tools write XYZ rows and say so
        if str(meta.get("format", "")).lower() in ("pbf", "mvt"):
            raise refuse(path, "它是矢量瓦片（pbf），底图需要栅格瓦片（PNG、JPEG、WebP）。",
                         "it holds vector tiles (pbf); a basemap needs raster tiles (PNG, JPEG, WebP).")
        try:
            rows = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            for z, x, row, data in rows:
                y = int(row) if xyz else (2 ** int(z)) - 1 - int(row)
                data = bytes(data or b"")
                if data:  # some tools store empty rows for "no tile here"
                    _check(path, int(z), int(x), y, data)
                    yield int(z), int(x), y, data
        except sqlite3.Error:
            raise refuse(path, "它是 SQLite 文件，但没有 MBTiles 的 tiles 表。",
                         "it is an SQLite file but has no MBTiles tiles table.") from None
    finally:
        con.close()


def pmtiles_tiles(path: Path) -> Iterator[tuple[int, int, int, bytes]]:
    """The tiles of a PMTiles archive (read with the ``pmtiles`` package)."""
    from pmtiles.reader import MmapSource, all_tiles
    from pmtiles.reader import Reader as PMReader
    from pmtiles.tile import Compression, TileType

    with open(path, "rb") as fh:
        try:
            get = MmapSource(fh)
            header = PMReader(get).header()
        except (ValueError, KeyError, IndexError, OSError):
            raise refuse(path, "它的 PMTiles 文件头已损坏。", "its PMTiles header is damaged.") from None
        if header.get("tile_type") not in (TileType.PNG, TileType.JPEG, TileType.WEBP):
            raise refuse(path, "它不是栅格瓦片（PNG、JPEG、WebP）的 PMTiles，矢量瓦片不能用作底图。",
                         "it is not a PMTiles of raster tiles (PNG, JPEG, WebP); vector tiles cannot be a basemap.")
        if header.get("tile_compression") not in (Compression.NONE, Compression.UNKNOWN):
            raise refuse(path, "它的瓦片经过压缩，栅格底图瓦片应不压缩。",
                         "its tiles are compressed; raster tiles are not.")
        try:
            for (z, x, y), data in all_tiles(get):
                if data:
                    _check(path, z, x, y, data)
                    yield z, x, y, data
        except (ValueError, KeyError, IndexError, OSError):
            raise refuse(path, "它的 PMTiles 目录已损坏。", "its PMTiles directory is damaged.") from None


def _skipped(name: str) -> bool:
    """Files an archiver adds beside the tiles (macOS resource forks, hidden files)."""
    parts = name.split("/")
    return any(p == "__MACOSX" or p.startswith(".") for p in parts)


def is_tms_folder(names) -> bool:
    """Whether a z/x/y folder numbers its rows bottom-up (TMS): gdal2tiles writes ``tilemapresource.xml`` beside
    such tiles (unless run with ``--xyz``, when it writes none)."""
    return any(n.replace("\\", "/").rsplit("/", 1)[-1].lower() == "tilemapresource.xml" for n in names)


def zip_tiles(path: Path, *, tms: bool | None = None) -> Iterator[tuple[int, int, int, bytes]]:
    """The tiles of a zipped z/x/y folder (``z/x/y.png|jpg|webp`` under any one top folder). Entries are read by
    their numbers only (never extracted by name), each at most :data:`MAX_TILE_BYTES` however it is declared.
    ``tms``: rows bottom-up; ``None``: as :func:`is_tms_folder` tells."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise refuse(path, "这个 zip 文件已损坏。", "the zip file is damaged.") from None
    with zf:
        if tms is None:
            tms = is_tms_folder(zf.namelist())
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            m = _ZXY.search(name)
            if info.is_dir() or not m or _skipped(name):
                continue
            if info.flag_bits & 0x1:
                raise refuse(path, "它是加密的 zip，请解密后再添加。", "it is an encrypted zip; decrypt it first.")
            z, x, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            y = (2 ** z) - 1 - y if tms else y
            with zf.open(info) as fh:
                data = fh.read(MAX_TILE_BYTES + 1)
            if data:
                _check(path, z, x, y, data)
                yield z, x, y, data


def folder_tiles(path: Path, *, tms: bool | None = None) -> Iterator[tuple[int, int, int, bytes]]:
    """The tiles of a plain z/x/y folder (read the same way as a zipped one)."""
    files = sorted(path.rglob("*"))
    if tms is None:
        tms = is_tms_folder(f.name for f in files)
    for f in files:
        rel = f.relative_to(path).as_posix()
        m = _ZXY.search(rel)
        if not m or _skipped(rel) or not f.is_file() or f.is_symlink():
            continue
        z, x, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = (2 ** z) - 1 - y if tms else y
        with open(f, "rb") as fh:
            data = fh.read(MAX_TILE_BYTES + 1)
        if data:
            _check(path, z, x, y, data)
            yield z, x, y, data
