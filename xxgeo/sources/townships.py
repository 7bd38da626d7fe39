"""A schematic partition of the county into its townships.

No official township boundaries are public. Each township gets the part of the county nearer to its seat
point than to any other seat (a Voronoi partition clipped to the county outline). The cells tile the
county exactly: the last cell is the county minus the union of the others, so the union is the county and
no two cells overlap. ``boundary_quality = schematic``: the map draws them dashed and labelled 示意, and an
import of official boundaries replaces them.
"""

from __future__ import annotations

import shapely
import shapely.ops
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon


def _as_multi(g):
    if g.geom_type == "Polygon":
        return MultiPolygon([g])
    if g.geom_type == "MultiPolygon":
        return g
    polys = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    out = []
    for p in polys:
        out.extend(p.geoms if p.geom_type == "MultiPolygon" else [p])
    return MultiPolygon(out)


def _drop_slivers(g, min_area: float):
    g = _as_multi(g)
    parts = [p for p in g.geoms if p.area >= min_area]
    return MultiPolygon(parts) if parts else g


def voronoi_partition(county: Polygon | MultiPolygon, seats: list[tuple[float, float]]) -> list[MultiPolygon]:
    """Cells (one per seat, same order) that tile ``county`` exactly.

    Computed in the input coordinates (degrees here; at this latitude the distortion of "nearest seat" is
    irrelevant for a schematic partition). Every seat must lie inside the county.
    """
    pts = [Point(xy) for xy in seats]
    for i, p in enumerate(pts):
        if not county.contains(p):
            raise ValueError(f"seat {i} {seats[i]} is outside the county")
    regions = shapely.voronoi_polygons(MultiPoint(pts), extend_to=county.envelope.buffer(1.0))
    cells = []
    for p in pts:
        cell = next(r for r in regions.geoms if r.contains(p))
        cells.append(shapely.intersection(cell, county))
    # Exact tiling: clip each cell against the cells before it, give the remainder to the last cell.
    out = []
    taken = None
    for i, cell in enumerate(cells):
        if i == len(cells) - 1:
            cell = county if taken is None else shapely.difference(county, taken)
        elif taken is not None:
            cell = shapely.difference(cell, taken)
        cell = shapely.make_valid(cell)
        out.append(_drop_slivers(cell, 1e-10))  # < ~1 m²: numerical crumbs of the differences
        taken = cell if taken is None else shapely.union(taken, cell)
    return out


def seat_inside(county, lon: float, lat: float, inset_deg: float = 0.01) -> tuple[float, float, bool]:
    """The seat itself if it lies inside the county, else the nearest point ~1 km inside the outline.

    Returns ``(lon, lat, moved)``. Only used for schematic seat estimates, never for published ones.
    """
    p = Point(lon, lat)
    if county.contains(p):
        return lon, lat, False
    inner = county.buffer(-inset_deg)
    q = shapely.ops.nearest_points(inner, p)[0]
    return float(q.x), float(q.y), True
