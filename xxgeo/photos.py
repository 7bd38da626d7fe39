"""Progress photos: what a photo file is, when and where it says it was taken, its thumbnail (pure).

A photo is accepted only when Pillow decodes it as JPEG, PNG or HEIC (HEIC through pillow-heif, the maintained
plug-in) — the file's name and the browser's claim count for nothing — and it stays under the size and pixel
limits. Its EXIF time (``DateTimeOriginal``, with ``OffsetTimeOriginal`` when the camera wrote one) and GPS
position (degrees, minutes, seconds and N/S/E/W refs; WGS84, as EXIF defines it) are read with Pillow's own EXIF
reader. The thumbnail is re-encoded from the pixels (JPEG, rotated upright, no EXIF, so no GPS leaks through it):
the app shows thumbnails and re-encoded images, never the uploaded bytes from a path a user chose.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pyproj import Geod

from .config import settings
from .errors import ImportRefused

try:  # HEIC/HEIF (iPhone photos); without the plug-in such files are refused with a sentence
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - the plug-in is in requirements.txt
    HEIC = False

#: decoded format -> MIME type of what may be uploaded
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/heic"}
#: the most pixels a photo may have (a 100-megapixel camera; beyond it a "decompression bomb")
MAX_PIXELS = 100_000_000
THUMB_PX = 320
#: a map popup's thumbnail (a few kB inline)
POPUP_PX = 120
#: a photo taken farther than this from the project's location is flagged (metres)
FAR_M = 1000.0
_GPS_IFD, _EXIF_IFD = 0x8825, 0x8769
_DATETIME_ORIGINAL, _OFFSET_ORIGINAL, _DATETIME = 0x9003, 0x9011, 0x0132
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class PhotoInfo:
    """What a photo file is and says about itself."""

    mime: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    #: the EXIF time as the camera wrote it, ISO ``YYYY-MM-DDTHH:MM:SS`` (+ ``±HH:MM`` when given); None if absent
    taken_at: str | None
    lon: float | None
    lat: float | None
    thumbnail: bytes  # JPEG, at most THUMB_PX on its long side, no EXIF

    @property
    def has_gps(self) -> bool:
        return self.lon is not None and self.lat is not None


def _refuse(name: str, zh: str, en: str) -> ImportRefused:
    return ImportRefused(f"照片“{name}”{zh}", english=f"The photo “{name}” {en}")


def read_photo(data: bytes, name: str, *, max_bytes: int | None = None) -> PhotoInfo:
    """Check and read one uploaded photo; :class:`ImportRefused` with one sentence for anything unusable."""
    limit = settings().photo_max_bytes if max_bytes is None else max_bytes
    if not data:
        raise _refuse(name, "是空文件。", "is empty.")
    if len(data) > limit:
        mb = limit / 1024 / 1024
        raise _refuse(name, f"超过 {mb:g} MB 的上限（XXGEO_PHOTO_MAX_MB）：请压缩后再上传。",
                      f"is larger than the {mb:g} MB limit (XXGEO_PHOTO_MAX_MB); make it smaller and try again.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in FORMATS:
                raise _refuse(name, f"不是 JPEG、PNG 或 HEIC 图片（读到的是 {fmt}）。",
                              f"is not a JPEG, PNG or HEIC image (it reads as {fmt}).")
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse(name, "的像素太多，无法处理。", "has too many pixels to handle.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            exif = img.getexif()
            thumb = _thumbnail(img)
            width, height = img.size
    except ImportRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _refuse(name, "无法作为图片读取（文件已损坏或不是图片）。",
                      "cannot be read as an image (the file is damaged or not an image).") from exc
    lon, lat = gps_position(exif)
    return PhotoInfo(FORMATS[fmt], width, height, len(data), hashlib.sha256(data).hexdigest(), taken_time(exif),
                     lon, lat, thumb)


def _thumbnail(img: Image.Image) -> bytes:
    upright = ImageOps.exif_transpose(img).convert("RGB")
    upright.thumbnail((THUMB_PX, THUMB_PX))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=82)
    return out.getvalue()


def popup_thumbnail(thumb: bytes, px: int = POPUP_PX) -> str:
    """A kept thumbnail re-encoded small (at most ``px`` on its long side) as an inline ``data:image/jpeg``
    URI for a map popup: pixels only, no EXIF, never a path."""
    import base64

    with Image.open(io.BytesIO(thumb)) as img:
        small = img.convert("RGB")
        small.thumbnail((px, px))
        out = io.BytesIO()
        small.save(out, "JPEG", quality=75)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def taken_time(exif: Image.Exif) -> str | None:
    """The EXIF capture time as ISO text, or None when the photo states none (or states nonsense)."""
    sub = exif.get_ifd(_EXIF_IFD)
    raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(raw, str) or len(raw.strip()) < 19:
        return None
    raw = raw.strip()
    date, _, clock = raw[:19].partition(" ")
    parts = date.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[0] == "0000":
        return None
    iso = f"{parts[0]}-{parts[1]}-{parts[2]}T{clock}"
    offset = sub.get(_OFFSET_ORIGINAL)
    return iso + offset.strip() if isinstance(offset, str) and len(offset.strip()) == 6 else iso


def _degrees(dms, ref) -> float | None:
    try:
        d, m, s = (float(v) for v in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).strip().upper() in ("S", "W") else value


def gps_position(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(lon, lat) in WGS84 from the EXIF GPS block, or (None, None) when absent or out of range."""
    gps = exif.get_ifd(_GPS_IFD)
    lat = _degrees(gps.get(2), gps.get(1)) if 2 in gps else None
    lon = _degrees(gps.get(4), gps.get(3)) if 4 in gps else None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lon, 7), round(lat, 7)


def distance_m(geometry, lon: float, lat: float) -> float | None:
    """Geodesic distance in metres from (lon, lat) to the nearest point of ``geometry`` (0 inside a polygon);
    None for a project with no location."""
    if geometry is None or geometry.is_empty:
        return None
    from shapely import Point
    from shapely.ops import nearest_points

    here = Point(lon, lat)
    if geometry.covers(here):
        return 0.0
    near = nearest_points(geometry, here)[0]
    return float(_GEOD.inv(lon, lat, near.x, near.y)[2])


def is_far(geometry, info: PhotoInfo) -> bool:
    """True when the photo says where it was taken and that is more than :data:`FAR_M` from the project."""
    if not info.has_gps:
        return False
    d = distance_m(geometry, info.lon, info.lat)
    return d is not None and d > FAR_M
