"""The township a geometry lies in (io/attach.township_of, used by every projects import): one prepared
``contains_xy`` per township, compared with the plain spatial query it replaced (a point on a geometry, ``within``
a township) over points, lines, polygons, points on a boundary, outside the county, missing and empty."""

from __future__ import annotations

import numpy as np
import shapely

from xxgeo.io.attach import township_of
from xxgeo.store import open_store


def _by_query(geoms, townships) -> list:
    out = [None] * len(geoms)
    codes = townships["code"].astype(str).tolist()
    tree = shapely.STRtree(np.asarray(townships.geometry.values, dtype=object))
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        hits = sorted(tree.query(shapely.point_on_surface(g), predicate="within").tolist())
        out[i] = codes[hits[0]] if hits else None
    return out


def test_township_of_equals_a_within_query(built_store_path):
    store = open_store(str(built_store_path))
    towns = store.read("townships")
    minx, miny, maxx, maxy = shapely.union_all(towns.geometry.values).bounds
    rng = np.random.default_rng(7)
    xs = rng.uniform(minx - 0.05, maxx + 0.05, 3000)
    ys = rng.uniform(miny - 0.05, maxy + 0.05, 3000)
    geoms = list(shapely.points(xs, ys))
    geoms += [shapely.LineString([(x, y), (x + 0.01, y + 0.005)]) for x, y in zip(xs[:200], ys[:200])]
    geoms += [shapely.box(x, y, x + 0.004, y + 0.003) for x, y in zip(xs[200:400], ys[200:400])]
    ring = shapely.get_exterior_ring(towns.geometry.values[0])
    geoms += [shapely.get_point(ring, 0), shapely.MultiPoint([(xs[0], ys[0])]), None, shapely.Point()]
    got = township_of(geoms, towns)
    assert got == _by_query(geoms, towns)
    placed = sum(c is not None for c in got)
    assert 0 < placed < len(geoms)  # some inside, some outside the county
    assert got[-2] is None and got[-1] is None
