"""Progress photos (issue 12 item 7): only real JPEG/PNG/HEIC images, EXIF time and GPS read, thumbnails
without EXIF, size and pixel limits refused with one sentence, distance to the project in metres."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pyproj import Geod
from shapely import Point, box

from xxgeo.errors import ImportRefused
from xxgeo.photos import FAR_M, distance_m, is_far, read_photo


def _photo(fmt: str = "JPEG", size=(640, 480), *, gps=None, when=None, offset=None, orientation=None) -> bytes:
    img = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    if gps is not None:
        (lat, lat_ref), (lon, lon_ref) = gps
        g = exif.get_ifd(0x8825)
        g.update({1: lat_ref, 2: lat, 3: lon_ref, 4: lon})
    if when is not None:
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = when
        if offset:
            sub[0x9011] = offset
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, fmt, exif=exif) if fmt == "JPEG" else img.save(out, fmt)
    return out.getvalue()


def test_a_phone_photo_gives_its_time_and_place():
    data = _photo(gps=(((35, 8, 24.0), "N"), ((111, 13, 12.0), "E")), when="2026:11:28 09:41:07", offset="+08:00")
    info = read_photo(data, "现场.jpg")
    assert info.mime == "image/jpeg" and (info.width, info.height) == (640, 480)
    assert info.taken_at == "2026-11-28T09:41:07+08:00"
    assert info.lat == pytest.approx(35.14) and info.lon == pytest.approx(111.22)
    thumb = Image.open(io.BytesIO(info.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert not thumb.getexif().get_ifd(0x8825), "no GPS leaks through the thumbnail"


def test_south_and_west_and_missing_exif():
    info = read_photo(_photo(gps=(((10, 30, 0.0), "S"), ((20, 0, 0.0), "W"))), "a.jpg")
    assert (info.lon, info.lat) == (-20.0, -10.5)
    bare = read_photo(_photo("PNG"), "b.png")
    assert bare.mime == "image/png" and bare.taken_at is None and not bare.has_gps


def test_the_thumbnail_is_upright():
    info = read_photo(_photo(size=(600, 300), orientation=6), "r.jpg")  # 6 = rotate 90° clockwise to view
    assert Image.open(io.BytesIO(info.thumbnail)).size == (160, 320)


@pytest.mark.parametrize("data, words", [
    (b"", "是空文件"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "无法作为图片读取"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "无法作为图片读取"),
])
def test_what_is_not_a_photo_is_refused_with_one_sentence(data, words):
    with pytest.raises(ImportRefused) as err:
        read_photo(data, "x.jpg")
    assert words in err.value.message and err.value.english and "\n" not in err.value.message


def test_other_image_formats_and_size_limits():
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(ImportRefused, match="不是 JPEG、PNG 或 HEIC"):
        read_photo(gif.getvalue(), "x.gif")
    with pytest.raises(ImportRefused) as err:
        read_photo(_photo(), "big.jpg", max_bytes=1000)
    assert "XXGEO_PHOTO_MAX_MB" in err.value.message and "MB limit" in err.value.english


def test_heic_is_read_when_the_plug_in_is_there():
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 10, 10))).save(out, quality=80)
    assert read_photo(out.getvalue(), "iphone.heic").mime == "image/heic"


def test_distance_to_the_project():
    site = Point(111.22, 35.14)
    assert distance_m(site, 111.22, 35.14) == 0.0
    expected = Geod(ellps="WGS84").inv(111.22, 35.14, 111.24, 35.14)[2]
    assert distance_m(site, 111.24, 35.14) == pytest.approx(expected)
    assert distance_m(box(111.2, 35.1, 111.3, 35.2), 111.25, 35.15) == 0.0
    assert distance_m(None, 111.2, 35.1) is None
    near = read_photo(_photo(gps=(((35, 8, 24.0), "N"), ((111, 13, 12.0), "E"))), "n.jpg")
    assert not is_far(site, near)
    assert is_far(Point(111.22 + 2 * FAR_M / 91_000, 35.14), near)  # ~2 km east
    assert not is_far(None, near)
