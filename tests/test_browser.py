"""Real browser tests: Debian's Chromium driven by Playwright, with every non-local request blocked.

They check what a person would see with the network cut: the running app draws its Leaflet map with every
layer, the exported HTML draws on its own, and a hostile project name shows as text and runs nothing.
"""

from __future__ import annotations

from urllib.parse import quote

import geopandas as gpd
import pytest
from kit import map_frame as _map_frame
from kit import offline_page, running_app, wait_for_app_run
from playwright.sync_api import expect
from shapely.geometry import Point


@pytest.fixture(scope="module")
def server(built_store_path):
    with running_app(str(built_store_path)) as url:
        yield url


@pytest.mark.parametrize("query", ["view=planning", "view=township&township=" + quote("裴介镇"),
                                   "view=investor&park=" + quote("裴介"), "view=planning&category=" + quote("文旅")])
def test_app_draws_leaflet_map_offline(browser, server, query):
    page, blocked, errors = offline_page(browser)
    page.goto(f"{server}/?{query}")
    frame = _map_frame(page)
    expect(frame.locator(".leaflet-control-layers-overlays label").filter(has_text="项目").first).to_be_attached()
    layers = frame.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
                                 .map(l => l.textContent.trim())""")
    assert any("乡镇界" in t for t in layers) and any("项目" in t for t in layers)
    assert frame.locator(".xx-legend").count() == 1
    assert not errors, errors
    assert not [u for u in blocked if "leaflet" in u or u.endswith(".js") or u.endswith(".css")], blocked
    page.close()


def test_exported_html_draws_offline_and_escapes_hostile_names(browser, built_store_path, tmp_path):
    from xxgeo.mapping import MapRequest, build_map, map_html
    from xxgeo.store import Dataset, GpkgStore

    ds = GpkgStore(built_store_path).load()
    p = ds["projects"].iloc[[1, 1]].copy()
    hostile = "<img src=x onerror=alert(1)>"
    p["name"] = hostile
    p["project_id"] = ["H1", "H2"]
    p["loc_precision"] = ["surveyed", "township"]  # a pin, and a project counted at its township's symbol
    p = gpd.GeoDataFrame(p, geometry=[Point(111.22, 35.14), Point(111.23, 35.15)], crs=4326)
    out = tmp_path / "hostile.html"
    result = build_map(Dataset({**ds.layers, "projects": p}), MapRequest(assets="inline"))
    out.write_text(map_html(result), encoding="utf-8")
    page, blocked, errors = offline_page(browser)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-container canvas", timeout=30000)
    shown = page.evaluate("""() => {
        let found = null;
        for (const k of Object.keys(window)) {
          const v = window[k];
          if (v && v.xxLayer) v.xxLayer.eachLayer(l => { if (l.feature && l.feature.properties.name &&
              l.feature.properties.name.startsWith('<img')) found = l; });
        }
        if (!found) return null;
        found.openTooltip(); found.openPopup();
        const pop = document.querySelector('.leaflet-popup-content');
        const tip = document.querySelector('.leaflet-tooltip');
        return {pop: pop && pop.textContent, tip: tip && tip.textContent,
                imgs: document.querySelectorAll('.leaflet-popup-content img, .leaflet-tooltip img').length};
    }""")
    page.wait_for_load_state("networkidle")  # an <img> made from the name would have loaded (and failed) by now
    assert shown is not None
    assert hostile in shown["pop"] and hostile in shown["tip"]
    assert shown["imgs"] == 0
    # the same name in a counted symbol's list and in the place search's results: text, never markup
    page.locator(".xx-area-township").first.click()
    page.wait_for_selector(".xx-area-pop li")
    assert hostile in page.locator(".xx-area-pop").inner_text()
    page.fill(".xx-search-input", "<img")
    page.locator(".xx-search-hit").first.wait_for()
    assert hostile in page.locator(".xx-search-list").inner_text()
    assert page.evaluate("() => document.querySelectorAll('.xx-area-pop img, .xx-search-list img').length") == 0
    page.wait_for_load_state("networkidle")
    assert dialogs == [] and not errors
    assert not blocked, blocked
    page.close()


@pytest.mark.slow
def test_second_visit_uses_the_cached_map_without_errors(browser, server):
    """The map is memoised per content; the copy handed to st_folium must not break the cached one."""
    for _ in range(2):
        page, blocked, errors = offline_page(browser)
        page.goto(f"{server}/?view=township&township=" + quote("水头"))
        _map_frame(page)
        wait_for_app_run(page)
        assert not errors, errors
        page.close()
