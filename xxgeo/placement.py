"""Deterministic placement of features whose location is only known to a township, village or park.

Several projects known only to be "in 裴介镇" would all sit on the township point and hide each other.
:func:`spiral_point` places the k-th of them on a sunflower (golden-angle) spiral around the anchor, ordered
by id, so the layout is the same on every build and no point hides another. The spread is cosmetic: the
features keep ``loc_precision = township`` (or park/village) and the UI says so.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

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


def free_slots(anchor: tuple[float, float], cell, taken, n: int, *, spacing_m: float = SPACING_M,
               min_spacing_m: float = 5.0) -> list[tuple[float, float]]:
    """``n`` (lon, lat) slots of the sunflower spiral around ``anchor`` that lie inside ``cell`` (a polygon, or
    None) and at least half a spacing from every point in ``taken`` and from each other, in spiral order.

    The whole spiral out to the cell's far edge is computed at once (vectorised), so placing a thousand points
    costs what placing one does. When the cell cannot hold ``n`` at ``spacing_m``, the spacing shrinks (down to
    ``min_spacing_m``): the spread is cosmetic — the points keep their township precision and say so — and a
    point never leaves its cell, so never the county either. What still does not fit takes the anchor."""
    lon0, lat0 = anchor
    kx, ky = 111_320.0 * math.cos(math.radians(lat0)), 111_320.0
    held = np.asarray(list(taken), dtype=float).reshape(-1, 2)
    reach = 50_000.0
    if cell is not None:
        minx, miny, maxx, maxy = cell.bounds
        reach = max(math.hypot(max(abs(minx - lon0), abs(maxx - lon0)) * kx,
                               max(abs(miny - lat0), abs(maxy - lat0)) * ky), spacing_m)
        shapely.prepare(cell)
    spacing, found = spacing_m, []
    while n > 0:
        k = np.arange(1, int(min((reach / spacing) ** 2 + 1, 4_000_000)) + 1)
        r, a = spacing * np.sqrt(k), k * GOLDEN_ANGLE
        lon, lat = lon0 + r * np.cos(a) / kx, lat0 + r * np.sin(a) / ky
        ok = shapely.contains_xy(cell, lon, lat) if cell is not None else np.ones(len(k), dtype=bool)
        lon, lat = lon[ok], lat[ok]
        found = []
        for i in range(len(lon)):  # far fewer held points than slots: check each candidate against them
            if len(held) and np.min(np.hypot((held[:, 0] - lon[i]) * kx, (held[:, 1] - lat[i]) * ky)) < spacing / 2:
                continue
            found.append((float(lon[i]), float(lat[i])))
            if len(found) == n:
                return found
        if spacing / 2 < min_spacing_m:
            break
        spacing /= 2
    return found + [anchor] * (n - len(found))
