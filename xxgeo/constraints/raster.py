"""The ``constraints`` layer as PNG image tiles (Web Mercator ``z-x-y.png``), rendered on the server.

Why image tiles: a county's 永久基本农田 is 10^5 polygons and more; sent as vector data the page would carry the
whole layer at county zoom (or need a generalised copy per zoom). An image tile is 256 x 256 pixels whatever
it shows, so the bytes a view receives are bounded by the screen, not by the layer; and Streamlit serves only
static files, so the tiles are rendered once per content (content hash) into a tile set and served like the
projects' data tiles (:class:`xxgeo.tiles.TileStore`; the layer is internal, so always granted per session).
The conflicts the check finds are drawn as vectors over it (few, clickable).

Rendering: every ring is converted to world pixels once (arrays); each zoom is drawn in metatiles of
``META`` x ``META`` tiles (2048 px): the rings whose box meets the metatile are drawn with Pillow into one
palette image (fill and outline per kind, holes cleared) and cut into tiles; empty tiles are not written
(the browser shows nothing there). Memory is bounded by the metatile, time grows with the polygons drawn.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
import shapely

from ..tiles import TileSet, TileStore
from .kinds import OTHER

TILE = 256
META = 8
MIN_ZOOM, MAX_ZOOM = 8, 15
RENDER_VERSION = b"constraints-raster-1"
FILL_ALPHA, LINE_ALPHA = 120, 235
#: rings whose box is smaller than this many pixels are drawn as their box's pixels (array operation)
SMALL_PX = 3
#: a ring of more vertices (a 生态保护红线 of 10^5) is clipped to each metatile, a few pixels beyond its edges,
#: before Pillow fills it: Pillow's fill costs rows x edges, and the whole ring in every metatile it meets cost
#: minutes at zoom 15 (tests/test_constraints_raster.py)
CLIP_VERTICES = 1000
CLIP_MARGIN_PX = 4


def _hex(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _world(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator world pixels at zoom 0 (0..256)."""
    lat = np.clip(lat, -85.0511287798, 85.0511287798)
    x = (lon + 180.0) / 360.0 * TILE
    r = np.radians(lat)
    y = (1.0 - np.log(np.tan(r) + 1.0 / np.cos(r)) / np.pi) / 2.0 * TILE
    return x, y


def class_of(kinds, colors: dict) -> np.ndarray:
    """Each kind's map class: itself when the spec colours it, else :data:`OTHER`."""
    return np.array([k if k in colors else OTHER for k in kinds], dtype=object)


def digest(frame, colors: dict, zooms: tuple = (MIN_ZOOM, MAX_ZOOM)) -> str:
    """The content hash of the tile set ``frame`` renders to (geometry, kinds, colours, zooms)."""
    h = hashlib.sha256(RENDER_VERSION)
    h.update(repr((sorted(colors.items()), zooms)).encode())
    if len(frame):
        h.update("\x1f".join(frame["kind"].astype(str)).encode("utf-8"))
        for w in shapely.to_wkb(frame.geometry.values._data):
            h.update(w or b"")
    return h.hexdigest()[:20]


def render(frame, colors: dict, *, zooms: tuple = (MIN_ZOOM, MAX_ZOOM), key: str | None = None) -> TileSet:
    """Every non-empty tile of ``frame`` (the constraints layer, WGS84) from ``zooms[0]`` to ``zooms[1]``."""
    from PIL import Image, ImageDraw

    key = key or digest(frame, colors, zooms)
    if not len(frame):
        return TileSet(key, ())
    classes = class_of(frame["kind"].astype(str), colors)
    names = list(dict.fromkeys([*colors, OTHER]))
    cls_idx = np.array([names.index(c) for c in classes], dtype=np.int64)
    palette, alpha = [0, 0, 0], [0]
    for n in names:
        rgb = _hex(colors.get(n, "#7f8c8d"))
        palette += [*rgb, *(int(v * 0.6) for v in rgb)]
        alpha += [FILL_ALPHA, LINE_ALPHA]
    palette += [0, 0, 0] * (256 - len(alpha))
    trns = bytes(alpha + [255] * (256 - len(alpha)))

    parts, part_of = shapely.get_parts(frame.geometry.values._data, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    first = np.r_[True, ring_part[1:] != ring_part[:-1]]  # a polygon's exterior comes first, then its holes
    ring_cls = cls_idx[part_of[ring_part]]
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    wx, wy = _world(xy[:, 0], xy[:, 1])
    starts = np.r_[0, np.cumsum(np.bincount(ring_of, minlength=len(rings)))]
    bx0 = np.minimum.reduceat(wx, starts[:-1]) if len(wx) else wx
    bx1 = np.maximum.reduceat(wx, starts[:-1]) if len(wx) else wx
    by0 = np.minimum.reduceat(wy, starts[:-1]) if len(wy) else wy
    by1 = np.maximum.reduceat(wy, starts[:-1]) if len(wy) else wy
    wxy = np.column_stack([wx, wy]).ravel()
    fill = (2 * ring_cls + 1).astype(np.uint8)
    many = np.flatnonzero(np.diff(starts) > CLIP_VERTICES)
    whole = {r: shapely.Polygon(np.column_stack([wx[starts[r]:starts[r + 1]], wy[starts[r]:starts[r + 1]]]))
             for r in many.tolist()}
    files = []
    for z in range(zooms[0], zooms[1] + 1):
        s = 2 ** z
        span = TILE * META
        pz = wxy * s
        small = np.maximum(bx1 - bx0, by1 - by0) * s < SMALL_PX
        m0x, m1x = int(bx0.min() * s // span), int(bx1.max() * s // span)
        m0y, m1y = int(by0.min() * s // span), int(by1.max() * s // span)
        for mx in range(m0x, m1x + 1):
            for my in range(m0y, m1y + 1):
                ox, oy = mx * span, my * span
                hit = (bx1 * s >= ox) & (bx0 * s <= ox + span) & (by1 * s >= oy) & (by0 * s <= oy + span)
                if not hit.any():
                    continue
                img = Image.new("P", (span, span), 0)
                img.putpalette(palette)
                _dots(img, np.flatnonzero(hit & small & first), bx0, bx1, by0, by1, s, ox, oy, fill)
                draw = ImageDraw.Draw(img)
                big = np.flatnonzero(hit & ~small)
                plain = big[~np.isin(big, many)]  # (rings in ``whole`` are clipped, not offset as they are)
                off = np.tile(np.array([ox, oy], dtype=float),
                              int((starts[plain + 1] - starts[plain]).max(initial=0)))
                for r in big.tolist():
                    c = int(ring_cls[r])
                    if r in whole:
                        for pts in _clipped(whole[r], s, ox, oy, span):
                            draw.polygon(pts, fill=2 * c + 1 if first[r] else 0, outline=2 * c + 2)
                        continue
                    a, b = 2 * int(starts[r]), 2 * int(starts[r + 1])
                    pts = (pz[a:b] - off[: b - a]).tolist()
                    draw.polygon(pts, fill=2 * c + 1 if first[r] else 0, outline=2 * c + 2)
                files += _cut(img, z, mx, my, trns)
    return TileSet(key, tuple(files))


def _clipped(ring, s: float, ox: float, oy: float, span: int) -> list:
    """The parts of a ring (a polygon in world units) within the metatile at ``(ox, oy)`` and zoom scale ``s``, a
    few pixels beyond its edges (so the cut's own outline falls outside the image), as flat pixel lists."""
    m = CLIP_MARGIN_PX
    got = shapely.clip_by_rect(ring, (ox - m) / s, (oy - m) / s, (ox + span + m) / s, (oy + span + m) / s)
    out = []
    for part in shapely.get_parts(got):
        if shapely.get_type_id(part) == 3 and not part.is_empty:
            xy = shapely.get_coordinates(shapely.get_exterior_ring(part)) * s - (ox, oy)
            out.append(xy.ravel().tolist())
    return out


def _dots(img, rings, bx0, bx1, by0, by1, s, ox, oy, fill) -> None:
    """Rings smaller than :data:`SMALL_PX` drawn as the pixels of their box, as one array operation."""
    if not len(rings):
        return
    arr = np.asarray(img).copy()
    x0 = np.floor(bx0[rings] * s - ox).astype(np.int64)
    x1 = np.floor(bx1[rings] * s - ox).astype(np.int64)
    y0 = np.floor(by0[rings] * s - oy).astype(np.int64)
    y1 = np.floor(by1[rings] * s - oy).astype(np.int64)
    n = arr.shape[0]
    for dx in range(SMALL_PX):
        for dy in range(SMALL_PX):
            x, y = x0 + dx, y0 + dy
            ok = (x <= x1) & (y <= y1) & (x >= 0) & (y >= 0) & (x < n) & (y < n)
            arr[y[ok], x[ok]] = fill[rings[ok]]
    img.paste(_from_array(arr, img))


def _from_array(arr, like):
    from PIL import Image

    out = Image.fromarray(arr, mode="P")
    out.putpalette(like.getpalette())
    return out


def _cut(img, z: int, mx: int, my: int, trns: bytes) -> list:
    """The metatile cut into its non-empty tiles, as PNG files."""
    out = []
    for tx in range(META):
        for ty in range(META):
            tile = img.crop((tx * TILE, ty * TILE, (tx + 1) * TILE, (ty + 1) * TILE))
            if tile.getbbox() is None:
                continue
            buf = io.BytesIO()
            tile.save(buf, format="PNG", transparency=trns)
            out.append((f"{z}-{mx * META + tx}-{my * META + ty}.png", buf.getvalue()))
    return out


def cached(frame, colors: dict, store: TileStore, *, zooms: tuple = (MIN_ZOOM, MAX_ZOOM)) -> TileSet:
    """The tile set of ``frame``: rendered once per content; when an earlier render is still on disk (in the
    store's unserved folder) its file names are returned without rendering again."""
    key = digest(frame, colors, zooms)
    done = store.private_root / key
    if done.is_dir():
        return TileSet(key, tuple((p.name, b"") for p in sorted(done.iterdir())))
    return render(frame, colors, zooms=zooms, key=key)


def url_template(store: TileStore, tileset: TileSet, token: str) -> str:
    """The Leaflet URL of a tile set granted to the session holding ``token``."""
    return f"{store.session_prefix(token)}{tileset.digest}/{{z}}-{{x}}-{{y}}.png"
