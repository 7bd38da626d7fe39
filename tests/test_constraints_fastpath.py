"""The check's fast paths (issue 16, xxgeo/constraints/clip.py): the 亩 of every kind of pair — wholly inside,
straddling an edge, touching an edge only, around a hole, a multipolygon project, non-convex on either side or both,
polygons of one kind overlapping — equal an independent shapely computation (intersection with the union of the
layer, areas in EPSG:4546)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from constraintfactory import METRIC, X0, Y0
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from xxgeo.constraints import clip
from xxgeo.constraints.check import check
from xxgeo.vocab import M2_PER_MU

L_SHAPE = Polygon([(0, 0), (300, 0), (300, 100), (100, 100), (100, 300), (0, 300)])  # not convex

#: constraint polygons (metres from X0, Y0): (name, geometry, overlaps another of its kind)
LAYER = [
    ("甲", box(0, 0, 1000, 1000), False),
    ("乙 有洞", box(2000, 0, 3000, 1000).difference(box(2400, 400, 2600, 600)), False),
    ("丙 凹", shapely.affinity.translate(L_SHAPE, 4000, 0).buffer(0), False),
    ("丁", box(6000, 0, 7000, 1000), True),  # 丁 and 戊 overlap: the overlap counts once
    ("戊", box(6500, 0, 7500, 1000), True),
]

#: project -> geometry (metres from X0, Y0)
PROJECTS = {
    "inside": box(100, 100, 200, 200),  # wholly inside 甲: its own area
    "straddle": box(900, 400, 1100, 600),  # half on 甲
    "edge": box(1000, 0, 1100, 100),  # shares 甲's edge x = 1000 only: no overlap
    "corner": box(1000, 1000, 1200, 1200),  # touches 甲 at a corner only
    "hole_edge": box(2350, 450, 2450, 550),  # half in the hole of 乙
    "in_hole": box(2450, 450, 2550, 550),  # wholly in the hole: touches nothing
    "multi": MultiPolygon([box(800, 800, 1200, 1200), box(1900, 900, 2100, 1100)]),  # on 甲 and on 乙
    "l_on_convex": shapely.affinity.translate(L_SHAPE, 850, 850),  # non-convex project, convex 甲
    "l_on_l": shapely.affinity.translate(L_SHAPE, 4050, 50),  # non-convex on non-convex 丙: by triangles
    "holed_on_convex": box(-100, -100, 300, 300).difference(box(0, 0, 100, 100)),  # a project with a hole
    "holed_on_l": box(4050, 50, 4250, 250).difference(box(4100, 100, 4150, 150)),  # with a hole, on 丙
    "across_overlap": box(6400, 400, 7600, 600),  # across 丁 and 戊 (overlapping)
    "big": box(-500, -500, 3500, 1500),  # holds 甲 and 乙 wholly, crosses the edges of nothing else
}

#: line projects -> geometry: the length inside is the length inside the union of the layer
LINES = {
    "line_across_overlap": LineString([(6300, 130), (7700, 870)]),  # across 丁 and 戊: the shared part once
    "line_across_three": LineString([(-200, 500), (7800, 520)]),  # through 甲, 乙 (and its hole), 丙, 丁 and 戊
}


def _layer() -> gpd.GeoDataFrame:
    geoms = [shapely.affinity.translate(g, X0, Y0) for _, g, _ in LAYER]
    df = pd.DataFrame({"kind": "永久基本农田", "rule": "forbidden", "name": [n for n, _, _ in LAYER],
                       "overlaps": [o for _, _, o in LAYER]})
    return gpd.GeoDataFrame(df, geometry=geoms, crs=METRIC).to_crs("EPSG:4326")


def _projects() -> gpd.GeoDataFrame:
    shapes = {**PROJECTS, **LINES}
    geoms = [shapely.affinity.translate(g, X0, Y0) for g in shapes.values()]
    df = pd.DataFrame({"project_id": list(shapes), "name": list(shapes), "township_code": None,
                       "township_codes": None, "loc_precision": "surveyed"})
    return gpd.GeoDataFrame(df, geometry=geoms, crs=METRIC).to_crs("EPSG:4326")


def _inside(geom) -> shapely.Geometry:
    """The independent computation, from the metric shapes themselves: clip by the union of the layer."""
    layer = shapely.union_all([shapely.affinity.translate(g, X0, Y0) for _, g, _ in LAYER])
    return shapely.intersection(shapely.affinity.translate(geom, X0, Y0), layer)


def _expected_mu(pid: str) -> float:
    return _inside(PROJECTS[pid]).area / M2_PER_MU


def test_every_fast_path_gives_the_independent_mu():
    res = check(_projects(), _layer())
    hits = res.hits.set_index("project_id")
    assert hits.index.is_unique  # one kind: one row per project touched
    for pid in PROJECTS:
        want = _expected_mu(pid)
        got = float(hits.loc[pid, "overlap_mu"]) if pid in hits.index else 0.0
        assert got == pytest.approx(want, rel=1e-6, abs=1e-6), pid
    assert hits.loc["inside", "overlap_mu"] == pytest.approx(100 * 100 / M2_PER_MU, rel=1e-6)
    assert hits.loc["inside", "share"] == pytest.approx(1.0, rel=1e-6)
    assert hits.loc["straddle", "share"] == pytest.approx(0.5, rel=1e-6)
    assert hits.loc["hole_edge", "overlap_mu"] == pytest.approx(50 * 100 / M2_PER_MU, rel=1e-6)
    assert hits.loc["across_overlap", "overlap_mu"] == pytest.approx(1100 * 200 / M2_PER_MU, rel=1e-6)  # once
    assert hits.loc["big", "features"] == 2 and hits.loc["multi", "features"] == 2
    # touching at an edge or a corner is a contact, not an overlap: no conflict
    for pid in ("edge", "corner"):
        assert hits.loc[pid, "overlap_mu"] < 1e-6 and hits.loc[pid, "verdict"] == "无冲突"
    assert "in_hole" not in hits.index  # a hole's inside does not meet the polygon at all
    verdict = res.projects.set_index("project_id")["verdict"]
    assert verdict["in_hole"] == "无冲突" and verdict["straddle"] == "冲突" and verdict["l_on_l"] == "冲突"
    for pid, line in LINES.items():  # a line across polygons that overlap: the shared stretch counted once
        assert hits.loc[pid, "length_m"] == pytest.approx(_inside(line).length, rel=1e-6), pid


def test_project_pairs_area_and_shared_edge():
    res = check(_projects(), _layer())
    pairs = {(a, b) if a < b else (b, a): (mu, m) for a, b, mu, m in
             res.pairs[["project_a", "project_b", "overlap_mu", "length_m"]].itertuples(index=False)}
    metric = {k: shapely.affinity.translate(g, X0, Y0) for k, g in {**PROJECTS, **LINES}.items()}
    for (a, b), (mu, m) in pairs.items():
        inter = shapely.intersection(metric[a], metric[b])
        if inter.area > 0.01:
            assert mu == pytest.approx(inter.area / M2_PER_MU, rel=1e-6), (a, b)
        else:
            assert np.isnan(mu) and (np.isnan(m) or m == pytest.approx(inter.length, rel=1e-6)), (a, b)
    assert ("big", "inside") in pairs and ("big", "straddle") in pairs
    n = sum(shapely.intersects(metric[a], metric[b]) for a in metric for b in metric if a < b)
    assert len(pairs) == n  # exactly the pairs that meet, found from envelopes


def _random_pairs(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)

    def poly(cx, cy, r, k, star):
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        rad = r * (rng.uniform(0.3, 1.0, k) if star else np.ones(k))
        return shapely.make_valid(Polygon(np.c_[cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))

    a, b = [], []
    for i in range(n):
        cx, cy = X0 + rng.uniform(0, 100), Y0 + rng.uniform(0, 100)
        p = poly(cx, cy, rng.uniform(5, 60), int(rng.integers(3, 12)), star=i % 4 == 1)
        if i % 4 == 2:
            p = MultiPolygon([p, poly(cx + 150, cy, 20, 6, False)])
        q = poly(X0 + 50, Y0 + 50, rng.uniform(10, 80), int(rng.integers(3, 40)), star=i % 4 != 3)
        if i % 5 == 4:
            q = q.difference(shapely.Point(X0 + 50, Y0 + 50).buffer(8))
        a.append(p)
        b.append(q)
    return np.array(a, dtype=object), np.array(b, dtype=object)


def test_overlap_area_equals_geos_on_random_polygons(monkeypatch):
    a, b = _random_pairs(400)
    idx = np.arange(len(a))
    want = shapely.area(shapely.intersection(a, b))
    sizes = []
    real = shapely.intersection
    monkeypatch.setattr(shapely, "intersection", lambda x, y, **kw: sizes.append(np.size(x)) or real(x, y, **kw))
    got = clip.overlap_area(a, idx, b, idx)
    assert np.abs(got - want).max() < 1e-6 * max(1.0, want.max())
    assert (want > 1).sum() > 100  # most pairs do overlap: the comparison means something
    # no intersection is built: convex on either side is clipped, neither (a quarter here) goes by triangles
    convex_a = clip.convex(a)
    assert sizes == [] and len(a) / 4 < convex_a.sum() < len(a)


def test_overlap_area_in_chunks(monkeypatch):
    a, b = _random_pairs(60, seed=5)
    idx = np.arange(len(a))
    whole = clip.overlap_area(a, idx, b, idx)
    monkeypatch.setattr(clip, "CHUNK_VERTICES", 50)  # a chunk every few pairs
    assert clip.overlap_area(a, idx, b, idx) == pytest.approx(whole, rel=1e-12, abs=1e-9)


def test_convex_from_the_coordinates():
    square = box(0, 0, 10, 10)
    shapes = [square, square.reverse(), Polygon([(0, 0), (5, 0), (10, 0), (10, 10), (0, 10)]),  # collinear vertex
              Polygon([(0, 0), (10, 0), (0, 10)]), L_SHAPE, square.difference(box(4, 4, 6, 6)),
              MultiPolygon([square, box(20, 0, 30, 10)]), Polygon([(0, 0), (10, 0), (5, 1e-3), (10, 10), (0, 10)]),
              Polygon()]
    assert clip.convex(np.array(shapes, dtype=object)).tolist() == [True, True, True, True, False, False, False,
                                                                     False, False]


def _red_line(n: int = 60_000) -> Polygon:
    """A 生态保护红线 along a mountain range: one wiggly ring of ``n`` vertices around a hole (metres)."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 2000 + 400 * np.sin(37 * t) + 60 * np.sin(1013 * t)
    hole = np.c_[X0 + 300 * np.cos(t[::50]), Y0 + 300 * np.sin(t[::50])]
    return Polygon(np.c_[X0 + r * np.cos(t), Y0 + r * np.sin(t)], [hole])


def test_a_polygon_of_many_vertices_is_cut_into_pieces_first(monkeypatch):
    """A subject of more than BIG_SUBJECT vertices is subdivided once (its pieces tile it: the same area, at most
    PIECE_VERTICES vertices each), and each pair clips only the pieces its envelope meets — the 亩 still equal
    GEOS's for convex, non-convex, holed and multi-part projects on it, across its hole and its edge."""
    big = _red_line()
    pieces, owner = clip.subdivide(np.array([big, box(0, 0, 1, 1)], dtype=object))
    assert shapely.area(pieces[owner == 0]).sum() == pytest.approx(big.area, rel=1e-12)
    assert shapely.get_num_coordinates(pieces).max() <= clip.PIECE_VERTICES and (owner == 1).sum() == 1
    rng = np.random.default_rng(4)
    cx, cy = X0 + rng.uniform(-2600, 2600, 300), Y0 + rng.uniform(-2600, 2600, 300)
    projects = [box(x, y, x + rng.uniform(20, 600), y + rng.uniform(20, 600)) for x, y in zip(cx, cy)]
    projects[::3] = [shapely.affinity.translate(L_SHAPE, x, y) for x, y in zip(cx[::3], cy[::3])]
    projects[1::7] = [box(x, y, x + 300, y + 300).difference(box(x + 100, y + 100, x + 200, y + 200))
                      for x, y in zip(cx[1::7], cy[1::7])]
    projects[2::11] = [MultiPolygon([box(x, y, x + 50, y + 50), box(x + 400, y, x + 450, y + 80)])
                       for x, y in zip(cx[2::11], cy[2::11])]
    a, b = np.array(projects, dtype=object), np.array([big], dtype=object)
    ai, bi = np.arange(len(a)), np.zeros(len(a), dtype=np.int64)
    cut = []
    real = clip.subdivide
    monkeypatch.setattr(clip, "subdivide", lambda g, *k: cut.append(len(g)) or real(g, *k))
    got = clip.overlap_area(a, ai, b, bi)
    want = shapely.area(shapely.intersection(a, big))
    assert np.abs(got - want).max() < 1e-6 * want.max()
    partly = (want > 1) & (want < 0.999 * shapely.area(a))  # across the red line's edge or its hole
    assert 50 < (want > 1).sum() < len(a) - 50 and partly.sum() > 20
    assert cut and all(n == 1 for n in cut)  # the red line, subdivided once per call that clips it


def test_a_piece_too_dense_to_halve_is_clipped_whole(monkeypatch):
    """After MAX_DEPTH halvings a piece may still have more than BIG_SUBJECT vertices (vertices heaped in one
    spot): it is clipped as it is — no endless cutting — and the 亩 are still GEOS's."""
    monkeypatch.setattr(clip, "MAX_DEPTH", 1)
    big = _red_line()
    pieces, _owner = clip.subdivide(np.array([big], dtype=object))
    assert shapely.get_num_coordinates(pieces).max() > clip.BIG_SUBJECT  # two halves, each still big
    a = np.array([box(X0 - 1500, Y0 - 300, X0 + 1500, Y0 + 300), box(X0 + 1800, Y0, X0 + 2600, Y0 + 200)])
    got = clip.overlap_area(a, np.arange(2), np.array([big], dtype=object), np.zeros(2, dtype=np.int64))
    assert got == pytest.approx(shapely.area(shapely.intersection(a, big)), rel=1e-9)
