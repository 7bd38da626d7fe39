"""Deterministic placement of features whose location is only known to a township, village or park.

Several projects known only to be "in 裴介镇" would all sit on the township point and hide each other.
:func:`spread` places the k-th of them on a sunflower (golden-angle) spiral around the anchor, ordered by
id, so the layout is the same on every build and no point hides another. The spread is cosmetic: the
features keep ``loc_precision = township`` (or park/village) and the UI says so.
"""

from __future__ import annotations

import math

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
#: Spacing between neighbouring spread points, in metres.
SPACING_M = 260.0


def spread(anchor: tuple[float, float], n: int, *, spacing_m: float = SPACING_M, start: int = 0):
    """``n`` (lon, lat) points around ``anchor``: the i-th at radius spacing*sqrt(i+start), golden angle."""
    lon0, lat0 = anchor
    m_per_deg_lat = 111_320.0
    m_per_deg_lon = 111_320.0 * math.cos(math.radians(lat0))
    out = []
    for i in range(n):
        k = i + start
        r = spacing_m * math.sqrt(k)
        a = k * GOLDEN_ANGLE
        out.append((lon0 + r * math.cos(a) / m_per_deg_lon, lat0 + r * math.sin(a) / m_per_deg_lat))
    return out
