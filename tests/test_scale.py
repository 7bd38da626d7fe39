"""Correctness at scale (not speed): every point kept, names intact, every point reachable in a browser."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from xxgeo.bench import synthetic_projects
from xxgeo.fastpoints import decode, encode
from xxgeo.layerspec import load_specs
from xxgeo.mapping import MapRequest, build_map, map_html
from xxgeo.store import Dataset


def _payload(html: str) -> dict:
    m = re.search(r"xxgeo\.fastPoints\((\{.*?\})\);", html, re.S)
    return json.loads(m.group(1))


def test_encode_decode_keeps_every_point_and_name():
    rng = np.random.default_rng(3)
    n = 100_000
    lon, lat = rng.uniform(111.04, 111.67, n), rng.uniform(34.93, 35.31, n)
    names = [f"项目{i}<b>&" for i in range(n)]
    p = encode(lon, lat, rng.integers(0, 10, n), list("abcdefghij"), ["#000"] * 10, {"name": names},
               [["name", "名称", ""]])
    d = decode(p)
    assert len(d["lon"]) == n
    src = sorted(zip(np.rint(lon * 1e5).astype(int), np.rint(lat * 1e5).astype(int), names))
    got = sorted(zip(np.rint(d["lon"] * 1e5).astype(int), np.rint(d["lat"] * 1e5).astype(int), d["cols"]["name"]))
    assert src == got
    # quantisation error below 1 m (1e-5 degree ~ 1.1 m north-south; half a step at most)
    by_name = dict(zip(d["cols"]["name"], zip(d["lon"], d["lat"])))
    err = max(abs(by_name[nm][0] - lo) + abs(by_name[nm][1] - la) for nm, lo, la in zip(names[:2000], lon, lat))
    assert err <= 1e-5


@pytest.fixture(scope="module")
def big(dataset):
    gdf = synthetic_projects(dataset["county"].geometry.iloc[0], 20_000, seed=7)
    gdf.loc[gdf.index[0], "name"] = "<img src=x onerror=alert(1)>"
    return gdf


def test_large_library_uses_the_compact_layer_with_every_project(dataset, big):
    html = map_html(build_map(Dataset({**dataset.layers, "projects": big}), MapRequest(assets="inline")))
    assert len(big) > load_specs()["projects"].behaviour.fast_above
    assert "<img src=x" not in html
    d = decode(_payload(html))
    assert len(d["lon"]) == len(big)
    assert sorted(d["cols"]["name"]) == sorted(big["name"])
    assert sorted(d["cols"]["project_id"]) == sorted(big["project_id"])
    cats = _payload(html)["categories"]
    got = sorted(cats[c] for c in d["cat"])
    assert got == sorted(big["category"])


def test_areas_and_lines_among_many_points_are_drawn_as_points_and_as_shapes(dataset, big):
    """A library above the compact layer's size that holds footprints and lines (imported surveys) draws every
    project: each area or line is also a point of the compact layer (found, counted, clicked like the others), and
    its shape is drawn as it is while there are few enough (the app sends the points as data tiles instead)."""
    import shapely

    few = big.copy()
    few.loc[few.index[:30], "geometry"] = [shapely.box(111.2 + i * 0.001, 35.1, 111.2005 + i * 0.001, 35.1005)
                                           for i in range(30)]
    few.loc[few.index[30], "geometry"] = shapely.LineString([(111.3, 35.0), (111.35, 35.05)])
    html = map_html(build_map(Dataset({**dataset.layers, "projects": few}), MapRequest(assets="inline")))
    d = decode(_payload(html))
    assert len(d["lon"]) == len(few)  # every project a point, the 31 shapes at a point on each
    at = dict(zip(d["cols"]["project_id"], zip(d["lon"], d["lat"])))
    for pid, g in zip(few["project_id"][:31], few.geometry[:31]):
        assert g.distance(shapely.Point(at[pid])) < 2e-5  # on its shape (to the payload's 1 m quantisation)
    assert json.dumps("项目（范围与线路）")[1:-1] in html  # the shapes' layer, named in the layer control
    base = map_html(build_map(Dataset({**dataset.layers, "projects": big}), MapRequest(assets="inline")))

    def n_of(kind: str, page: str) -> int:
        return len(re.findall(rf'"type":\s*"{kind}"', page))

    assert (n_of("Polygon", html), n_of("LineString", html)) == (n_of("Polygon", base) + 30,
                                                                 n_of("LineString", base) + 1)
    assert "Projects (areas and lines)" in map_html(build_map(Dataset({**dataset.layers, "projects": few}),
                                                     MapRequest(assets="inline", lang="en")))
    many = big.copy()
    many["geometry"] = [shapely.box(x, y, x + 5e-4, y + 5e-4) for x, y in zip(big.geometry.x, big.geometry.y)]
    html = map_html(build_map(Dataset({**dataset.layers, "projects": many}), MapRequest(assets="inline")))
    assert len(decode(_payload(html))["lon"]) == len(many)
    assert json.dumps("范围与线路")[1:-1] not in html  # too many shapes: drawn as points only


@pytest.mark.slow
def test_every_sampled_point_is_reachable_by_hover_in_chromium(browser, dataset, big, tmp_path):
    html = map_html(build_map(Dataset({**dataset.layers, "projects": big}), MapRequest(assets="inline")))
    path = tmp_path / "big.html"
    path.write_text(html, encoding="utf-8")
    sample = big.iloc[[0, 1, 777, 5000, 19_999]]
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    dialogs = []
    page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
    page.goto(Path(path).as_uri())
    page.wait_for_function("window.__xxFastDrawn !== undefined", timeout=60000)
    map_var = page.evaluate("() => Object.keys(window).find(k => window[k] instanceof L.Map)")
    for _, r in sample.iterrows():
        page.evaluate(f"() => window['{map_var}'].setView([{r.geometry.y}, {r.geometry.x}], 18, "
                      "{animate: false})")
        page.evaluate(NEXT_FRAMES)  # the renderer redraws on the next animation frame
        page.mouse.move(500, 350)
        page.wait_for_function("(n) => (document.querySelector('.xx-fast-tip') || {}).textContent?.startsWith(n)",
                               arg=r["name"], timeout=30000)
        tip = page.evaluate("() => (document.querySelector('.xx-fast-tip') || {}).textContent || ''")
        assert tip.startswith(r["name"]), (r["name"], tip)
        # a click lists the project (as text), not the popup of the township polygon under it
        page.mouse.click(500, 350)
        page.wait_for_function(f"() => (document.querySelector('.leaflet-popup-content') || {{}}).textContent"
                               f"?.includes('{r['project_id']}')", timeout=30000)
        assert r["name"] in page.evaluate("() => document.querySelector('.leaflet-popup-content').textContent")
        page.evaluate(f"() => window['{map_var}'].closePopup()")
        page.mouse.move(10, 690)
    assert dialogs == []
    page.close()


NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"
