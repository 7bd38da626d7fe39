"""Header names, normalised: how a column header is compared, and the names of coordinate columns.

Shared by :mod:`.columns` (which field a header names) and :mod:`.coords` (which columns hold coordinates).
"""

from __future__ import annotations

import re
import unicodedata

LON = ("经度", "lon", "lng", "long", "longitude", "东经", "x经度", "经度x", "经度坐标")
LAT = ("纬度", "lat", "latitude", "北纬", "y纬度", "纬度y", "纬度坐标")
X = ("x", "x坐标", "横坐标", "东坐标", "easting", "e", "point_x", "坐标x")
Y = ("y", "y坐标", "纵坐标", "北坐标", "northing", "n", "point_y", "坐标y")
WKT = ("wkt", "几何wkt", "几何", "geometry", "geom", "the_geom", "shape", "位置wkt")


def header_key(s, *, strip_unit: bool = False) -> str:
    """Normalised header: NFKC (full-width to half-width), lower case, no spaces or ``*`` marks."""
    k = unicodedata.normalize("NFKC", str(s)).strip().lower()
    k = re.sub(r"[\s*：:]+", "", k)
    if strip_unit:
        k = re.sub(r"\([^()]*\)$", "", k) or k
    return k
