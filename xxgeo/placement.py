"""Deterministic placement of features whose location is only known to a township, village or park.

Several projects known only to be "in 裴介镇" would all sit on the township point and hide each other.
:func:`spiral_point` places the k-th of them on a sunflower (golden-angle) spiral around the anchor, ordered
by id, so the layout is the same on every build and no point hides another. The spread is cosmetic: the
features keep ``loc_precision = township`` (or park/village) and the UI says so.
"""

from __future__ import annotations

import math

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
#: Spacing between neighbouring spread points, in metres.
SPACING_M = 260.0


def spiral_point(anchor: tuple[float, float], k: int, *, spacing_m: float = SPACING_M) -> tuple[float, float]:
    """The k-th (lon, lat) of a sunflower spiral around ``anchor``: radius spacing*sqrt(k), golden angle."""
    lon0, lat0 = anchor
    r = spacing_m * math.sqrt(k)
    a = k * GOLDEN_ANGLE
    m_per_deg_lat = 111_320.0
    m_per_deg_lon = 111_320.0 * math.cos(math.radians(lat0))
    return lon0 + r * math.cos(a) / m_per_deg_lon, lat0 + r * math.sin(a) / m_per_deg_lat
