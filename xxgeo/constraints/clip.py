"""Overlap areas of polygon pairs computed in numpy where one side of a pair is convex (the check's fast path).

The area of ``A ∩ B`` for a convex polygon ``A`` (no holes) and any polygon or multipolygon ``B`` (holes allowed,
convex or not) is the signed area of ``B``'s rings clipped by ``A``'s edges, one half-plane after the other
(Sutherland–Hodgman): clipping a closed ring by a half-plane keeps its winding number at every point inside the
half-plane and makes it 0 outside, so the clipped rings' signed areas — exteriors plus, holes minus — are the
overlap, up to rounding, and no geometry is built. All pairs are clipped together, one vectorised pass per edge
(pairs sorted by their number of edges, so the pairs still being clipped are always a prefix of the arrays).
Coordinates are taken relative to a vertex of the clipping polygon (no loss to the metric CRS's false easting).

A polygon counts as convex when it has no holes and every turn of its ring goes the same way, a turn with a sine
below :data:`SIN_TOL` counting as straight (collinear vertices, reprojection rounding: the area such a vertex could
cut off is below that share). Each part of a multipolygon counts on its own (the parts of a valid multipolygon do
not overlap). A part of ``a`` that is not convex clips ``b`` where ``b`` is convex (the
other way round), and else is cut into the triangles of its constrained Delaunay triangulation (GEOS), each clipped
on its own: no intersection geometry is built in any case.
"""

from __future__ import annotations

import numpy as np
import shapely

SIN_TOL = 1e-9
#: vertices clipped per chunk (a large polygon shared by many pairs is repeated once per pair)
CHUNK_VERTICES = 2_000_000
#: a subject with more vertices than this (a 生态保护红线 along a mountain range: 10^5 and more) is first cut
#: into pieces of at most :data:`PIECE_VERTICES` (:func:`subdivide`); a pair then clips only the pieces its
#: clipping polygon's envelope meets, instead of the whole ring once per edge
BIG_SUBJECT = 4096
PIECE_VERTICES = 512
#: halvings of one polygon at most (a piece that still has too many vertices is clipped as it is)
MAX_DEPTH = 24


def convex(geoms: np.ndarray) -> np.ndarray:
    """Which of ``geoms`` are convex polygons without holes: every turn of the (valid, so simple) ring goes the
    same way, a turn whose sine is below :data:`SIN_TOL` counting as straight. From the coordinates, no geometry
    built."""
    ok = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    ok &= shapely.get_num_coordinates(geoms) >= 4
    idx = np.flatnonzero(ok)
    if not len(idx):
        return ok
    xy, owner = shapely.get_coordinates(geoms[idx], return_index=True)
    within = owner[1:] == owner[:-1]  # an edge from each vertex but a ring's closing one
    ex, ey = (xy[1:, 0] - xy[:-1, 0])[within], (xy[1:, 1] - xy[:-1, 1])[within]
    ring = owner[:-1][within]
    nxt = _next(ring)  # the ring's next edge (its last edge: the first)
    cross = ex * ey[nxt] - ey * ex[nxt]
    tol = SIN_TOL * np.hypot(ex, ey) * np.hypot(ex[nxt], ey[nxt])
    left = np.bincount(ring, weights=cross > tol, minlength=len(idx)) > 0
    right = np.bincount(ring, weights=cross < -tol, minlength=len(idx)) > 0
    ok[idx] = (left | right) & ~(left & right)
    return ok


def overlap_area(a: np.ndarray, ai: np.ndarray, b: np.ndarray, bi: np.ndarray) -> np.ndarray:
    """``area(intersection(a[ai], b[bi]))`` per pair, for polygonal geometries in a metric CRS (see the module
    docstring: each part of ``a[ai]`` clips ``b[bi]`` if it is convex, is clipped by ``b[bi]`` if that is, and is
    cut into triangles otherwise)."""
    n = len(ai)
    out = np.zeros(n)
    if not n:
        return out
    ua, a_inv = np.unique(ai, return_inverse=True)
    parts, owner = _parts(a[ua])
    nparts = np.bincount(owner, minlength=len(ua))
    first = np.r_[0, np.cumsum(nparts)[:-1]]
    part = _ranges(first[a_inv], nparts[a_inv])  # one row per (part of a, b)
    pair = np.repeat(np.arange(n), nparts[a_inv])
    sub = bi[pair]
    fast = convex(parts)[part]
    area = np.zeros(len(part))
    area[fast] = clipped_area(parts, part[fast], b, sub[fast])
    rest = np.flatnonzero(~fast)
    if len(rest):  # the part is not convex: clip it by b where b is
        ub, b_inv = np.unique(sub[rest], return_inverse=True)
        swap = convex(b[ub])[b_inv]
        area[rest[swap]] = clipped_area(b[ub], b_inv[swap], parts, part[rest[swap]])
        area[rest[~swap]] = _by_triangles(parts, part[rest[~swap]], b, sub[rest[~swap]])
    return np.bincount(pair, weights=area, minlength=n)


def _by_triangles(parts: np.ndarray, pi: np.ndarray, b: np.ndarray, bi: np.ndarray) -> np.ndarray:
    """``area(parts[pi] ∩ b[bi])`` where neither is convex: the sum over the triangles of each part's constrained
    Delaunay triangulation (GEOS; its triangles cover the polygon, holes excepted, without overlapping), each clipped
    as a convex polygon."""
    if not len(pi):
        return np.zeros(0)
    up, p_inv = np.unique(pi, return_inverse=True)
    tris, owner = shapely.get_parts(shapely.constrained_delaunay_triangles(parts[up]), return_index=True)
    count = np.bincount(owner, minlength=len(up))
    first = np.r_[0, np.cumsum(count)[:-1]]
    row = np.repeat(np.arange(len(pi)), count[p_inv])
    area = clipped_area(tris, _ranges(first[p_inv], count[p_inv]), b, bi[row])
    return np.bincount(row, weights=area, minlength=len(pi))


def _parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``shapely.get_parts(geoms, return_index=True)``, copying only the multi-part geometries' parts."""
    multi = shapely.get_type_id(geoms) != 3
    if not multi.any():
        return geoms, np.arange(len(geoms))
    single = np.flatnonzero(~multi)
    parts, owner = shapely.get_parts(geoms[multi], return_index=True)
    owner = np.concatenate([single, np.flatnonzero(multi)[owner]])
    order = np.argsort(owner, kind="stable")
    return np.concatenate([geoms[single], parts])[order], owner[order]


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without the loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.asarray(starts, dtype=np.int64) - (np.cumsum(counts) - counts)
    return np.repeat(offsets, counts) + np.arange(total, dtype=np.int64)


def clipped_area(convex_polys: np.ndarray, hi: np.ndarray, subjects: np.ndarray, si: np.ndarray) -> np.ndarray:
    """``area(convex_polys[hi] ∩ subjects[si])`` per pair (``convex_polys``: polygons :func:`convex` says are), by
    half-plane clipping of the subjects' rings (see the module docstring)."""
    out = np.zeros(len(hi))
    big = shapely.get_num_coordinates(subjects)[si] > BIG_SUBJECT if len(hi) else np.zeros(0, dtype=bool)
    if big.any():
        out[big] = _by_pieces(convex_polys, hi[big], subjects, si[big])
    small = np.flatnonzero(~big)
    out[small] = _clip_all(convex_polys, hi[small], subjects, si[small])
    return out


def _clip_all(convex_polys: np.ndarray, hi: np.ndarray, subjects: np.ndarray, si: np.ndarray) -> np.ndarray:
    """:func:`clipped_area` of the pairs given, each subject clipped whole (in chunks of vertices)."""
    n = len(hi)
    out = np.zeros(n)
    if not n:
        return out
    uh, h_inv = np.unique(hi, return_inverse=True)
    us, s_inv = np.unique(si, return_inverse=True)
    clip = _Clip(convex_polys[uh])
    rings = _Rings(subjects[us])
    per_pair = rings.vertices_of[s_inv]
    bounds = np.searchsorted(np.cumsum(per_pair), np.arange(1, 1 + per_pair.sum() // CHUNK_VERTICES)
                             * CHUNK_VERTICES)
    for chunk in np.split(np.arange(n), np.unique(bounds[(bounds > 0) & (bounds < n)])):
        out[chunk] = _clip_pairs(clip, h_inv[chunk], rings, s_inv[chunk])
    return out


def _by_pieces(convex_polys: np.ndarray, hi: np.ndarray, subjects: np.ndarray, si: np.ndarray) -> np.ndarray:
    """:func:`clipped_area` of pairs whose subject is big: the sum over the subject's pieces (:func:`subdivide`)
    that the clipping polygon's envelope meets. The pieces tile the subject (they share only the cut lines), so
    their overlaps add up to the subject's."""
    us, s_inv = np.unique(si, return_inverse=True)
    pieces, owner = subdivide(subjects[us], PIECE_VERTICES)
    qi, pj = shapely.STRtree(pieces).query(convex_polys[hi])
    keep = owner[pj] == s_inv[qi]  # the pair's own subject's pieces
    qi, pj = qi[keep], pj[keep]
    area = _clip_all(convex_polys, hi[qi], pieces, pj)  # (a piece too dense to halve is clipped whole)
    return np.bincount(qi, weights=area, minlength=len(hi))


def subdivide(geoms: np.ndarray, max_vertices: int = PIECE_VERTICES) -> tuple[np.ndarray, np.ndarray]:
    """``(pieces, owner)``: each polygon of ``geoms`` halved across the longer side of its envelope, again and
    again (GEOS ``clip_by_rect``), until every piece has at most ``max_vertices`` vertices (or :data:`MAX_DEPTH`
    halvings); like PostGIS's ``ST_Subdivide``. ``owner``: the row of ``geoms`` each piece comes from."""
    todo, owner = np.asarray(geoms, dtype=object), np.arange(len(geoms))
    done, done_owner = [], []
    for _ in range(MAX_DEPTH + 1):
        parts, owner = _polygons(todo, owner)
        small = shapely.get_num_coordinates(parts) <= max_vertices
        done.append(parts[small])
        done_owner.append(owner[small])
        parts, owner = parts[~small], owner[~small]
        if not len(parts):
            break
        x0, y0, x1, y1 = shapely.bounds(parts).T
        wide = (x1 - x0) >= (y1 - y0)
        xm, ym = np.where(wide, (x0 + x1) / 2, x1), np.where(wide, y1, (y0 + y1) / 2)
        sx0, sy0 = np.where(wide, xm, x0), np.where(wide, y0, ym)
        cut = [shapely.clip_by_rect(g, *r) for g, r in  # (scalar bounds only; one call per piece)
               zip(np.r_[parts, parts], np.c_[np.r_[x0, sx0], np.r_[y0, sy0], np.r_[xm, x1], np.r_[ym, y1]])]
        todo, owner = np.array(cut + [None], dtype=object)[:-1], np.concatenate([owner, owner])
    else:  # still too dense after MAX_DEPTH halvings: the last halves are clipped as they are
        parts, owner = _polygons(todo, owner)
        done.append(parts)
        done_owner.append(owner)
    return np.concatenate(done), np.concatenate(done_owner).astype(np.int64)


def _polygons(geoms: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty polygons among the parts of ``geoms`` (a cut may leave a line or nothing), with their owner."""
    parts, at = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    return parts[keep], owner[at[keep]]


def _ragged(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(coordinates, ring offsets, is an exterior ring, owning geometry per ring) of polygons and multipolygons.
    A polygon without holes is one block of ``get_coordinates``; only the others are split into rings by GEOS
    (``get_rings`` copies every ring: slow for all)."""
    xy, idx = shapely.get_coordinates(geoms, return_index=True)
    ncoord = np.bincount(idx, minlength=len(geoms))
    simple = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    owner, length, exterior = np.flatnonzero(simple), ncoord[simple], np.ones(int(simple.sum()), dtype=bool)
    other = np.flatnonzero(~simple & (ncoord > 0))
    if len(other):
        parts, part_owner = shapely.get_parts(geoms[other], return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        first = np.r_[True, ring_part[1:] != ring_part[:-1]]
        owner = np.concatenate([owner, other[part_owner[ring_part]]])
        length = np.concatenate([length, shapely.get_num_coordinates(rings)])
        exterior = np.concatenate([exterior, first])
        order = np.argsort(owner, kind="stable")  # rings geometry after geometry, each one's in order
        owner, length, exterior = owner[order], length[order], exterior[order]
    return xy, np.r_[0, np.cumsum(length)].astype(np.int64), exterior, owner


def _ccw(xy: np.ndarray, ring_off: np.ndarray) -> np.ndarray:
    """Per closed ring of the flat ``xy``: is it counter-clockwise (shoelace, relative to its first vertex)."""
    closed = np.diff(ring_off)
    ring = np.repeat(np.arange(len(closed)), closed)
    rel = xy - xy[ring_off[:-1]][ring] if len(xy) else xy
    twice = np.zeros(len(xy))
    twice[:-1] = rel[:-1, 0] * rel[1:, 1] - rel[1:, 0] * rel[:-1, 1]
    twice[ring_off[1:] - 1] = 0.0  # a ring's last vertex closes it: no edge to the next ring
    return np.bincount(ring, weights=twice, minlength=len(closed)) > 0


class _Clip:
    """The vertices of convex polygons (counter-clockwise, the closing vertex dropped), flat with offsets."""

    def __init__(self, polys: np.ndarray):
        xy, idx = shapely.get_coordinates(polys, return_index=True)  # one ring each
        count = np.bincount(idx, minlength=len(polys))
        ring_off = np.r_[0, np.cumsum(count)]
        self.start = ring_off[:-1].astype(np.int64)
        self.edges = np.maximum(count - 1, 0)
        idx = np.repeat(np.arange(len(count)), count)
        cw = ~_ccw(xy, ring_off)[idx]  # reversed in place: start + last - offset
        at = np.arange(len(idx))
        at[cw] = 2 * self.start[idx[cw]] + count[idx[cw]] - 1 - at[cw]
        self.xy = xy[at]


class _Rings:
    """The rings of polygons (closing vertex dropped) with the sign their area counts with (+ exterior, - hole,
    whatever their orientation)."""

    def __init__(self, geoms: np.ndarray):
        xy, ring_off, exterior, ring_owner = _ragged(geoms)
        self.sign = np.where(_ccw(xy, ring_off), 1.0, -1.0) * np.where(exterior, 1.0, -1.0)
        self.count = np.maximum(np.diff(ring_off) - 1, 0)
        self.start = ring_off[:-1]
        self.xy = xy
        self.rings_of = np.bincount(ring_owner, minlength=len(geoms))
        self.first_ring = np.r_[0, np.cumsum(self.rings_of)[:-1]]
        self.vertices_of = np.bincount(ring_owner, weights=self.count, minlength=len(geoms)).astype(np.int64)


def _next(vring: np.ndarray) -> np.ndarray:
    """The index of each vertex's successor along its ring (a ring's last vertex: the ring's first)."""
    nv = len(vring)
    nxt = np.arange(1, nv + 1)
    if nv:
        later = np.flatnonzero(vring[1:] != vring[:-1]) + 1  # where the second, third ... ring starts
        nxt[np.r_[later - 1, nv - 1]] = np.r_[0, later]
    return nxt


def _clip_pairs(clip: _Clip, hi: np.ndarray, rings: _Rings, si: np.ndarray) -> np.ndarray:
    n = len(hi)
    order = np.argsort(-clip.edges[hi], kind="stable")
    hi, si = hi[order], si[order]
    edges = clip.edges[hi]
    ring = _ranges(rings.first_ring[si], rings.rings_of[si])  # the rings of each pair, pair after pair
    ring_pair = np.repeat(np.arange(n), rings.rings_of[si])
    vert = _ranges(rings.start[ring], rings.count[ring])
    vring = np.repeat(np.arange(len(ring)), rings.count[ring])
    start = clip.start[hi]
    ox, oy = clip.xy[start, 0], clip.xy[start, 1]
    vpair = ring_pair[vring]
    x, y = rings.xy[vert, 0] - ox[vpair], rings.xy[vert, 1] - oy[vpair]
    for e in range(int(edges.max()) if n else 0):
        active = int(np.count_nonzero(edges > e))  # a prefix: pairs sorted by their number of edges
        mv = int(np.searchsorted(vring, np.searchsorted(ring_pair, active)))
        # the edge's line, per pair: side = u * x + v * y + w >= 0 on its inner (left) side
        ax, ay = clip.xy[start[:active] + e, 0] - ox[:active], clip.xy[start[:active] + e, 1] - oy[:active]
        dx = clip.xy[start[:active] + e + 1, 0] - ox[:active] - ax
        dy = clip.xy[start[:active] + e + 1, 1] - oy[:active] - ay
        k, px, py, vr = vpair[:mv], x[:mv], y[:mv], vring[:mv]
        side = dx[k] * py - dy[k] * px + (dy * ax - dx * ay)[k]
        nxt = _next(vr)
        inside = side >= 0
        cross = inside != inside[nxt]
        cnt = inside.astype(np.int64) + cross
        pos = np.cumsum(cnt) - cnt
        m = int(pos[-1] + cnt[-1]) if mv else 0
        nx, ny = np.empty(m), np.empty(m)
        nx[pos[inside]], ny[pos[inside]] = px[inside], py[inside]
        c = np.flatnonzero(cross)
        t = side[c] / (side[c] - side[nxt[c]])
        at = pos[c] + inside[c]
        nx[at] = px[c] + t * (px[nxt[c]] - px[c])
        ny[at] = py[c] + t * (py[nxt[c]] - py[c])
        x, y = np.concatenate([nx, x[mv:]]), np.concatenate([ny, y[mv:]])
        vring = np.concatenate([np.repeat(vr, cnt), vring[mv:]])
        vpair = np.concatenate([np.repeat(k, cnt), vpair[mv:]])
    nxt = _next(vring)
    twice = x * y[nxt] - x[nxt] * y
    ring_area = np.bincount(vring, weights=twice, minlength=len(ring)) / 2.0
    area = np.bincount(ring_pair, weights=ring_area * rings.sign[ring], minlength=n)
    out = np.empty(n)
    out[order] = np.maximum(area, 0.0)
    return out
