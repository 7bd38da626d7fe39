"""Coordinate systems used in Chinese county GIS work.

* WGS84 (EPSG:4326): what the store holds.
* CGCS2000 (EPSG:4490) and its Gauss-Krüger projections: practically identical to WGS84 at map scale
  (differences of a few centimetres), used by surveyors' shapefiles.
* GCJ-02 (the "Mars" offset datum of Amap/高德, Tencent, Google China): a published non-linear
  obfuscation of WGS84; :func:`wgs84_to_gcj02` is the public forward formula and
  :func:`gcj02_to_wgs84` its iterative inverse (error far below 1 cm inside China).
* BD-09 (Baidu): a further rotation/offset of GCJ-02.

All functions accept scalars or numpy arrays (lon, lat in degrees) and return the same shape.
"""

from __future__ import annotations

import math

import numpy as np

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

#: Metric CRS for areas and lengths (CGCS2000 / 3-degree Gauss-Krüger CM 111E), DESIGN.md section 3.
METRIC_CRS = "EPSG:4546"


def _transform_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def out_of_china(lon, lat):
    """True where a coordinate lies outside the rough box in which GCJ-02 is applied."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon, lat):
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _ret(x, like):
    return float(x) if np.ndim(like) == 0 else x


def wgs84_to_gcj02(lon, lat):
    """WGS84 -> GCJ-02 (the public forward formula). Points outside China are returned unchanged."""
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon_a, lat_a)
    outside = out_of_china(lon_a, lat_a)
    glon = np.where(outside, lon_a, lon_a + dlon)
    glat = np.where(outside, lat_a, lat_a + dlat)
    return _ret(glon, lon), _ret(glat, lat)


def gcj02_to_wgs84(lon, lat, *, tol_deg: float = 1e-11, max_iter: int = 30):
    """GCJ-02 -> WGS84 by fixed-point iteration of the forward formula.

    Starting from ``w = g`` the update ``w <- w - (f(w) - g)`` converges because the offset varies slowly
    (its derivative is ~1e-5); ``tol_deg = 1e-11`` degrees is about 1 micrometre, so the result reproduces
    the input through :func:`wgs84_to_gcj02` to far better than 1 cm.
    """
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon = np.asarray(f_lon) - g_lon
        e_lat = np.asarray(f_lat) - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if np.nanmax(np.abs(np.concatenate([np.ravel(e_lon), np.ravel(e_lat)]) if np.size(e_lon) else [0.0])) < tol_deg:
            break
    return _ret(w_lon, lon), _ret(w_lat, lat)


def gcj02_to_bd09(lon, lat):
    """GCJ-02 -> BD-09 (Baidu)."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _ret(z * np.cos(theta) + 0.0065, lon), _ret(z * np.sin(theta) + 0.006, lat)


def bd09_to_gcj02(lon, lat):
    """BD-09 -> GCJ-02 (Baidu's published inverse; error ~1e-6 degree, refined by one iteration)."""
    b_lon = np.asarray(lon, dtype=float)
    b_lat = np.asarray(lat, dtype=float)
    x = b_lon - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lon, g_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(5):  # refine so that gcj02_to_bd09 round-trips exactly
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        g_lon = g_lon - (np.asarray(f_lon) - b_lon)
        g_lat = g_lat - (np.asarray(f_lat) - b_lat)
    return _ret(g_lon, lon), _ret(g_lat, lat)


def bd09_to_wgs84(lon, lat):
    """BD-09 -> WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    """WGS84 -> BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def transform_geometry(geom, func):
    """Apply a (lon, lat) -> (lon, lat) array function to every vertex of a shapely geometry."""
    import shapely

    if geom is None or geom.is_empty:
        return geom

    def _f(coords):
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, _f)


def transform_gdf(gdf, func):
    """Return a copy of a GeoDataFrame with ``func`` applied to every vertex (CRS label unchanged)."""
    import shapely

    out = gdf.copy()

    def _f(coords):
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    out.geometry = shapely.transform(out.geometry.values, _f)
    return out


def haversine_km(lon1, lat1, lon2, lat2) -> float:
    """Great-circle (straight-line) distance in km on a sphere of radius 6371.0088 km."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# ----------------------------------------------------------------------------- CGCS2000 Gauss-Krüger zones
#: CGCS2000 3-degree Gauss-Krüger zones 25-45 (CM 75°E-135°E) are EPSG:4513-4533 with the zone number in front
#: of the easting, EPSG:4534-4554 without it; 6-degree zones 13-23 are EPSG:4491-4501 (with) and 4502-4512.
GK3_ZONES = range(25, 46)
GK6_ZONES = range(13, 24)


def gk3_zone(lon: float) -> int:
    """The 3-degree Gauss-Krüger zone whose central meridian is nearest ``lon`` (111.2°E -> 37, CM 111°E)."""
    return int(round(float(lon) / 3.0))


def gk_crs(zone: int, *, prefixed: bool) -> str:
    """The EPSG code of a CGCS2000 Gauss-Krüger zone (3-degree zones 25-45, 6-degree zones 13-23), with the
    zone number written in front of the easting (``prefixed``) or not."""
    if zone in GK3_ZONES:
        return f"EPSG:{(4513 if prefixed else 4534) + zone - 25}"
    if zone in GK6_ZONES:
        return f"EPSG:{(4491 if prefixed else 4502) + zone - 13}"
    raise ValueError(f"no CGCS2000 Gauss-Krüger zone {zone}")


def gk_to_wgs84(easting: float, northing: float, crs: str) -> tuple[float, float]:
    """A Gauss-Krüger easting/northing in ``crs`` -> (lon, lat) in degrees (CGCS2000 = WGS84 at map scale)."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(crs, "EPSG:4490", always_xy=True).transform(easting, northing)
    return float(lon), float(lat)


def wgs84_to_gk(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """(lon, lat) in degrees -> (easting, northing) in the Gauss-Krüger ``crs``."""
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:4490", crs, always_xy=True).transform(lon, lat)
    return float(e), float(n)
