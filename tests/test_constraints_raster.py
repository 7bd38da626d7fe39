"""The control lines' image tiles (xxgeo/constraints/raster.py): a ring of many vertices (a 生态保护红线 along a
mountain range) is clipped to each metatile before it is filled, and the tiles are the ones the whole ring gives."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PIL import Image

from xxgeo.constraints import raster

COLORS = {"生态保护红线": "#2e7d32", "永久基本农田": "#f9a825"}


def _layer() -> gpd.GeoDataFrame:
    t = np.linspace(0, 2 * np.pi, 20_000, endpoint=False)
    r = 0.06 + 0.012 * np.sin(37 * t) + 0.002 * np.sin(1013 * t)  # degrees: ~13 km across
    hole = np.c_[111.2 + 0.01 * np.cos(t[::40]), 35.1 + 0.01 * np.sin(t[::40])]
    red = shapely.Polygon(np.c_[111.2 + r * np.cos(t), 35.1 + 0.8 * r * np.sin(t)], [hole])
    farms = [shapely.box(111.2 + dx, 35.1 + dy, 111.2 + dx + 0.004, 35.1 + dy + 0.003)
             for dx, dy in [(-0.03, 0.0), (0.05, 0.02), (0.0, -0.05)]]
    return gpd.GeoDataFrame(pd.DataFrame({"kind": ["生态保护红线"] + ["永久基本农田"] * 3}),
                            geometry=[red, *farms], crs=4326)


def _pixels(tiles) -> dict:
    return {name: np.asarray(Image.open(io.BytesIO(png))) for name, png in tiles.files}


def test_a_ring_of_many_vertices_is_clipped_per_metatile_and_draws_the_same(monkeypatch):
    layer = _layer()
    clipped_calls = []
    real = raster._clipped
    monkeypatch.setattr(raster, "_clipped", lambda *a: clipped_calls.append(1) or real(*a))
    cut = _pixels(raster.render(layer, COLORS, zooms=(13, 15)))
    assert clipped_calls  # the red line (20,000 vertices) went through the clip
    monkeypatch.setattr(raster, "CLIP_VERTICES", 10**9)  # every ring drawn whole, as before
    whole = _pixels(raster.render(layer, COLORS, zooms=(13, 15)))
    assert set(cut) == set(whole) and len(cut) > 30
    differ = sum(int((cut[k] != whole[k]).sum()) for k in cut)
    total = sum(v.size for v in cut.values())
    assert differ <= total * 1e-4, (differ, total)  # rounding at the cut's edge only
    # the hole is cleared and the red line filled around it, with no seam where the metatiles were cut
    fill = 2 * list(dict.fromkeys([*COLORS, raster.OTHER])).index("生态保护红线") + 1
    assert sum(int((v == fill).sum()) for v in cut.values()) > total * 0.3
