"""Zoom-bounded project data (xxgeo.tiles): every project in exactly one tile, counts that add up, content-addressed
files, and in the running app with the network cut: the initial transfer does not grow with the library,
zooming in fetches the tiles in view, and names stay reachable and escaped."""

from __future__ import annotations

import collections
import json
import os
import shutil
from urllib.parse import quote, urlparse

import numpy as np
import pytest
from kit import frame_where, running_app, wait_for_app_run

from xxgeo.bench import synthetic_projects
from xxgeo.fastpoints import decode
from xxgeo.mapping import build_map, map_html
from xxgeo.store import Dataset, GpkgStore
from xxgeo.tiles import BUDGET, KEEP, TILE_ZOOM, TileSet, TileStore, tile_xy

HOSTILE = "<img src=x onerror=alert(1)>项目&"


def read_tile(store: TileStore, digest: str, key: str) -> dict:
    """One published tile's payload, as the browser fetches it."""
    return json.loads((store.root / digest / f"{key}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def big(dataset):
    gdf = synthetic_projects(dataset["county"].geometry.iloc[0], 20_000, seed=11)
    gdf.loc[gdf.index[0], "name"] = HOSTILE
    return gdf


@pytest.fixture(scope="module")
def tiled(dataset, big, tmp_path_factory):
    store = TileStore(tmp_path_factory.mktemp("tiles"), "/app/static/xxgeo/tiles")
    m = build_map(Dataset({**dataset.layers, "projects": big}), tiles=store)
    store.publish(m.tileset)
    return store, m, map_html(m)


def _tile_bounds(x: int, y: int, z: int) -> tuple[float, float, float, float]:
    n = 2 ** z

    def lat(row):
        return float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * row / n)))))

    return x / n * 360 - 180, (x + 1) / n * 360 - 180, lat(y + 1), lat(y)


def _payload(html: str) -> dict:
    import json
    import re

    return json.loads(re.search(r"xxgeo\.fastPoints\((\{.*?\})\);", html, re.S).group(1))


def test_tiles_hold_every_project_once_and_counts_add_up(big, tiled):
    store, m, html = tiled
    p = _payload(html)
    assert p["n"] == len(big) > BUDGET
    assert sum(c[4] for c in p["summary"]) == len(big)
    names, ids = [], []
    for x, y, lon, lat, count in p["summary"]:
        d = decode(read_tile(store, m.tileset.digest, f"{TILE_ZOOM}-{x}-{y}"))
        assert len(d["lon"]) == count
        # the summary cell's position lies in its tile, and so do its points (up to the 1 m quantisation)
        assert tuple(int(v[0]) for v in tile_xy([lon], [lat], TILE_ZOOM)) == (x, y)
        w, e, south, north = _tile_bounds(x, y, TILE_ZOOM)
        tol = 1.1e-5
        assert ((d["lon"] >= w - tol) & (d["lon"] <= e + tol)).all()
        assert ((d["lat"] >= south - tol) & (d["lat"] <= north + tol)).all()
        names += d["cols"]["name"]
        ids += d["cols"]["project_id"]
    assert collections.Counter(names) == collections.Counter(big["name"])
    assert sorted(ids) == sorted(big["project_id"])


def test_page_carries_no_project_data_and_escapes_tiles(big, tiled):
    store, m, html = tiled
    assert "测试项目1号" not in html and "B000001" not in html and "<img src=x" not in html
    assert "<img" not in "".join(text for _, text in m.tileset.files)
    # the summary is bounded by the county's area (zoom-14 cells, ~2 km), not by the library
    assert len(_payload(html)["summary"]) < 1000


def test_a_library_within_one_view_budget_stays_in_the_page(dataset, big, tmp_path):
    """At most BUDGET projects: every view may show them all, so the page carries them (no tile files)."""
    small = big.iloc[:BUDGET]
    m = build_map(Dataset({**dataset.layers, "projects": small}), tiles=TileStore(tmp_path, "/x"))
    assert m.tileset is None
    assert len(decode(_payload(map_html(m)))["lon"]) == BUDGET


def test_tile_store_is_content_addressed_and_pruned(tmp_path):
    store = TileStore(tmp_path, "/x")
    ts = TileSet(digest="abc", files=(("14-1-2.json", "{}"),))
    store.publish(ts)
    store.publish(ts)  # idempotent
    assert (tmp_path / "abc" / "14-1-2.json").read_text() == "{}"
    for i in range(KEEP + 3):
        d = tmp_path / f"old{i:03d}"
        d.mkdir()
        os.utime(d, (1000 + i, 1000 + i))
    store.publish(TileSet(digest="new", files=(("a.json", "{}"),)))
    left = {d.name for d in tmp_path.iterdir()}
    assert "new" in left and "abc" in left and len(left) == KEEP
    assert "old000" not in left


# ----------------------------------------------------------------------------- the running app, offline
N_APP = 100_000


@pytest.fixture(scope="module")
def big_app(built_store_path, tmp_path_factory):
    """The app on a store of 100,000 synthetic projects (one with a hostile name)."""
    path = tmp_path_factory.mktemp("bigstore") / "xxgeo.gpkg"
    shutil.copy2(built_store_path, path)
    store = GpkgStore(path)
    ds = store.load()
    gdf = synthetic_projects(ds["county"].geometry.iloc[0], N_APP, seed=5)
    gdf.loc[gdf.index[0], "name"] = HOSTILE
    store.write_layers({"projects": gdf}, backup=False)
    with running_app(str(path)) as url:
        yield url, gdf


class Session:
    """A browser page with the network cut (only this machine answers) that counts what it receives."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.blocked, self.errors, self.dialogs, self.tiles = [], [], [], []
        self.ws_bytes = 0
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.on("response", self._response)

    def _route(self, r):
        url = r.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in ("127.0.0.1", "localhost"):
            return r.continue_()
        self.blocked.append(url)
        return r.abort()

    def _frame(self, payload):
        self.ws_bytes += len(payload)

    def _response(self, resp):
        if "/xxgeo/tiles/" in resp.url:
            self.tiles.append((resp.url, resp.status, len(resp.body())))

    def map_frame(self, timeout_s: float = 90):
        """The frame holding the compact projects layer (waits for it)."""
        return frame_where(self.page, "(w) => !!(w.xxgeo && w.xxgeo._fast && w.xxgeo._fast.length)",
                           timeout_s=timeout_s)


STATE = """() => { const l = xxgeo._fast[xxgeo._fast.length - 1];
  return {mode: l._mode, n: l._p.n, bubbles: (l._bubbles || []).reduce((a, b) => a + b.n, 0),
          drawn: l._drawnCount, fetched: l._tilesFetched || 0, error: l._tileError || null}; }"""


# the whole-county view drawn as bubbles, no tile being fetched
SETTLED = """() => { const l = xxgeo._fast[xxgeo._fast.length - 1];
  return l._mode === 'bubbles' && (l._bubbles || []).length > 0 && Object.keys(l._loading || {}).length === 0; }"""


@pytest.mark.slow
def test_app_initial_transfer_is_bounded_and_zooming_fetches_tiles(browser, big_app):
    url, gdf = big_app
    seen = {}
    for label, query in (("20k", "view=planning&category=" + quote("能源,交通")), ("100k", "view=planning")):
        s = Session(browser)
        s.page.goto(f"{url}/?{query}")
        frame = s.map_frame()
        wait_for_app_run(s.page)
        frame.wait_for_function(SETTLED, timeout=60000)
        st = frame.evaluate(STATE)
        expected = int(gdf["category"].isin(["能源", "交通"]).sum()) if label == "20k" else N_APP
        # nothing dropped: the bubbles of the initial (whole-county) view say how many they hold, and add up
        assert st["n"] == expected and st["mode"] == "bubbles" and st["bubbles"] == expected, st
        assert s.tiles == [] and not s.blocked and not s.errors, (s.tiles, s.blocked, s.errors)
        seen[label] = s.ws_bytes
        if label == "20k":
            s.page.close()
    # the same page weight for 5x the library (the app table shows at most 2,000 rows either way)
    assert seen["100k"] < 1.25 * seen["20k"], seen
    assert seen["100k"] < 1_000_000, seen  # the whole library inline would be ~1.7 MB

    # zoom in on two projects (one with a hostile name): the tiles in view arrive, and hover and click show
    # their names as text
    for idx in (0, 54_321):
        row = gdf.iloc[idx]
        before = len(s.tiles)
        frame.evaluate(f"() => xxgeo._fast[xxgeo._fast.length - 1]._map.setView([{row.geometry.y}, "
                       f"{row.geometry.x}], 18, {{animate: false}})")
        frame.wait_for_function("() => xxgeo._fast[xxgeo._fast.length - 1]._mode === 'points'", timeout=20000)
        st = frame.evaluate(STATE)
        assert st["drawn"] >= 1 and st["error"] is None, st
        assert len(s.tiles) > before and all(code == 200 for _, code, _ in s.tiles)
        box = frame.frame_element().bounding_box()
        at = frame.evaluate(f"""() => {{ const m = xxgeo._fast[xxgeo._fast.length - 1]._map,
            r = m.getContainer().getBoundingClientRect(),
            p = m.latLngToContainerPoint([{row.geometry.y}, {row.geometry.x}]);
            return [r.left + p.x, r.top + p.y]; }}""")
        cx, cy = box["x"] + at[0], box["y"] + at[1]
        s.page.mouse.move(cx, cy)
        frame.wait_for_function("(n) => (document.querySelector('.xx-fast-tip') || {}).textContent?.startsWith(n)",
                                arg=row["name"], timeout=30000)
        tip = frame.evaluate("() => document.querySelector('.xx-fast-tip').textContent")
        assert tip.startswith(row["name"]), (row["name"], tip)
        s.page.mouse.click(cx, cy)
        # the projects' popup, not the one of the township under them
        frame.wait_for_function(f"() => (document.querySelector('.leaflet-popup-content') || {{}}).textContent"
                                f"?.includes('{row['project_id']}')", timeout=30000)
        popup = frame.evaluate("() => document.querySelector('.leaflet-popup-content').textContent")
        assert row["name"] in popup and row["project_id"] in popup
        s.page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)
    # every tile fetched is one zoom-14 cell of this view's neighbourhood: bounded, not the library
    assert sum(size for _, _, size in s.tiles) < 300_000, len(s.tiles)
    assert s.dialogs == [] and not s.blocked and not s.errors
    s.page.close()
