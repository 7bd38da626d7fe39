"""GCJ-02 / BD-09 conversions: round trips and the known offset at the county seat."""

import numpy as np
import pytest
from pyproj import Geod

from xxgeo import crs

SEAT = (111.22083, 35.13833)  # 瑶峰镇, the county seat (WGS84)
GEOD = Geod(ellps="WGS84")


def metres(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_offset_at_county_seat_is_about_550m_east_70m_south():
    g = crs.wgs84_to_gcj02(*SEAT)
    east = GEOD.inv(SEAT[0], SEAT[1], g[0], SEAT[1])[2] * np.sign(g[0] - SEAT[0])
    north = GEOD.inv(SEAT[0], SEAT[1], SEAT[0], g[1])[2] * np.sign(g[1] - SEAT[1])
    assert 500 < east < 600
    assert -100 < north < -40


def test_gcj02_inverse_round_trip_is_far_below_a_centimetre():
    rng = np.random.default_rng(1)
    lon = rng.uniform(111.0, 111.7, 2000)
    lat = rng.uniform(34.9, 35.35, 2000)
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    wlon, wlat = crs.gcj02_to_wgs84(glon, glat)
    worst = max(metres((a, b), (c, d)) for a, b, c, d in zip(lon, lat, wlon, wlat))
    assert worst < 0.001  # 1 mm


def test_inverse_is_not_the_naive_subtraction():
    g = crs.wgs84_to_gcj02(*SEAT)
    naive = (2 * g[0] - crs.wgs84_to_gcj02(*g)[0], 2 * g[1] - crs.wgs84_to_gcj02(*g)[1])
    exact = crs.gcj02_to_wgs84(*g)
    assert metres(exact, SEAT) < 1e-3
    assert metres(naive, SEAT) > metres(exact, SEAT)


def test_bd09_round_trip():
    b = crs.wgs84_to_bd09(*SEAT)
    assert metres(b, SEAT) > 500  # BD-09 is further offset
    back = crs.bd09_to_wgs84(*b)
    assert metres(back, SEAT) < 0.01


def test_outside_china_unchanged():
    assert crs.wgs84_to_gcj02(2.35, 48.85) == pytest.approx((2.35, 48.85))


def test_haversine_known_distance():
    # one degree of latitude is ~111.2 km
    assert crs.haversine_km(111.0, 35.0, 111.0, 36.0) == pytest.approx(111.19, abs=0.05)


def test_z_and_m_are_dropped_and_flat_geometries_kept():
    """to_wgs84 flattens only the geometries with Z or M (issue 16: a 2-D file is not rebuilt geometry by geometry)."""
    import shapely

    from xxgeo.io.crs_rules import to_wgs84

    geoms = np.array([shapely.Point(111.2, 35.1), shapely.Point(111.21, 35.11, 400.0),
                      shapely.from_wkt("POINT M (111.22 35.12 7)"), None, shapely.Point(),
                      shapely.Polygon([(111.2, 35.1, 1), (111.3, 35.1, 2), (111.3, 35.2, 3)])], dtype=object)
    out, _ = to_wgs84(geoms, "EPSG:4326", None)
    assert out[3] is None and out[4] is None
    kept = [g for g in out if g is not None]
    assert not any(shapely.has_z(kept)) and not any(shapely.has_m(kept))
    flat = shapely.force_2d(np.array([geoms[0], geoms[1], geoms[2], geoms[5]], dtype=object))
    assert all(shapely.equals_exact(a, b, 1e-9) for a, b in zip(kept, flat))
