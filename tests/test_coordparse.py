"""Coordinates in every form people type or paste them (xxgeo.coordparse): each read to the same WGS84 point,
and every input that is not one point in the county refused with one sentence saying what was understood."""

from __future__ import annotations

import pytest

from xxgeo import crs
from xxgeo.coordparse import parse_point, parse_points
from xxgeo.errors import CoordinatesNotUnderstood

LON, LAT = 111.22, 35.14  # inside the county
TOL = 1e-6  # degrees, ~0.1 m


def _close(p, lon=LON, lat=LAT, tol=TOL):
    assert abs(p.lon - lon) < tol and abs(p.lat - lat) < tol, (p.lon, p.lat, p.said_zh)


@pytest.mark.parametrize("text", [
    "111.22, 35.14", "35.14, 111.22", "111.22 35.14", "35.14N 111.22E", "111.22E,35.14N", "N35.14 E111.22",
    "经度111.22 纬度35.14", "lat 35.14 lon 111.22", "lng=111.22; lat=35.14", "３５．１４，１１１．２２",
    "35.14，111.22",
])
def test_decimal_degrees_in_either_order(text):
    p = parse_point(text)
    _close(p)
    assert p.form == "decimal" and p.source_crs == "wgs84"


@pytest.mark.parametrize("text", [
    "35°8'24\"N 111°13'12\"E", "111°13'12\"E, 35°8'24\"N", "北纬35度8分24秒 东经111度13分12秒",
    "111度13分12秒，35度8分24秒", "35°8′24″N，111°13′12″E", "35°08.4'N 111°13.2'E", "35°8’24”N 111°13’12”E",
    "N 35° 8' 24\" E 111° 13' 12\"",
])
def test_degrees_minutes_seconds_with_half_and_full_width_signs(text):
    p = parse_point(text)
    _close(p)
    assert p.form == "dms"


def test_gcj02_read_off_amap_and_bd09_read_off_baidu():
    g_lon, g_lat = crs.wgs84_to_gcj02(LON, LAT)
    p = parse_point(f"{g_lon:.7f}, {g_lat:.7f}", "gcj02")
    _close(p, tol=2e-6)
    assert "GCJ-02" in p.said_zh and "WGS84" in p.said_en
    b_lon, b_lat = crs.wgs84_to_bd09(LON, LAT)
    _close(parse_point(f"{b_lat:.7f},{b_lon:.7f}", "bd09"), tol=2e-6)  # Baidu's copy shows lat first
    assert abs(g_lon - LON) > 1e-3  # the offsets are real: read as WGS84 it would be ~500 m off
    assert abs(parse_point(f"{g_lon:.7f}, {g_lat:.7f}").lon - LON) > 1e-3


def test_gauss_kruger_with_and_without_the_zone_number():
    e, n = crs.wgs84_to_gk(LON, LAT, "EPSG:4546")  # the county's 3-degree zone, CM 111°E
    assert crs.gk3_zone(LON) == 37 and crs.gk_crs(37, prefixed=False) == "EPSG:4546"
    for text in (f"X={n:.2f} Y={e:.2f}", f"{n:.2f}, {e:.2f}", f"{e:.2f} {n:.2f}", f"{n:.2f}, {37_000_000 + e:.2f}",
                 f"Y={37_000_000 + e:.3f}, X={n:.3f}"):
        p = parse_point(text, "gcj02")  # metres are never GCJ-02: the size decides
        _close(p, tol=1e-7)
        assert p.form == "gk"
    assert parse_point(f"{n:.2f}, {37_000_000 + e:.2f}").source_crs == "EPSG:4525"
    zone19 = crs.gk_crs(19, prefixed=True)  # the 6-degree zone 19 has the same central meridian, 111°E
    e6, n6 = crs.wgs84_to_gk(LON, LAT, zone19)
    assert zone19 == "EPSG:4497" and e6 == pytest.approx(19_000_000 + e)  # only the zone number tells them apart
    p = parse_point(f"{n6:.2f} {e6:.2f}")
    _close(p, tol=1e-7)
    assert p.source_crs == zone19 and "6 度带第 19 带" in p.said_zh


@pytest.mark.parametrize("text, said", [
    ("35.14", "读到 1 个：35.14"),
    ("111.22, 35.14, 12", "读到 3 个：111.22、35.14、12"),
    ("111 13 12 35 8 24", "读到 6 个"),
    ("120.1, 30.2", "都不在"),
    ("abc", "无法识别的字符"),
    ("35°70'N 111°13'E", "不是有效的度分秒"),
    ("35.14N 35.2N", "都标为纬度"),
    ("111.22, 3890580", "一个像经纬度、一个像平面坐标"),
    ("3890580.2, 1234", "不像 CGCS2000"),
    ("3890580.2, 99520043.2", "带号 99"),
    ("", "没有输入坐标"),
    ("35.14 N", "读到 1 个"),
    ("111.22 35.14 E", "经度 35.14、纬度 111.22 超出"),
])
def test_what_is_not_one_point_in_the_county_is_refused_saying_what_was_read(text, said):
    with pytest.raises(CoordinatesNotUnderstood) as e:
        parse_point(text)
    assert said in e.value.message, e.value.message
    assert e.value.english and "\n" not in e.value.message


def test_a_gauss_kruger_point_in_another_zone_is_outside_the_county():
    with pytest.raises(CoordinatesNotUnderstood) as e:
        parse_point("3890580.2, 39520043.2")  # zone 39: CM 117°E
    assert "不在" in e.value.message and "EPSG:4527" in e.value.message


def test_several_lines_are_several_points_and_a_bad_line_is_named():
    pts = parse_points("111.22, 35.14\n111.23, 35.15\n111.24 35.15")
    assert [round(p.lon, 2) for p in pts] == [111.22, 111.23, 111.24]
    with pytest.raises(CoordinatesNotUnderstood) as e:
        parse_points("111.22, 35.14\n111.23")
    assert e.value.message.startswith("第 2 行") and e.value.english.startswith("Line 2")
