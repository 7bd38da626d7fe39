"""Place search on every map (issue 13, item 2): the local index the page searches (what is in it, the lenient
keys, where each entry flies to, the public's index holding public data only), and the search box in the
exported HTML file and in the app, offline, in a real browser: typing 裴介 flies the map to 裴介镇."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from kit import frame_where, offline_page, running_app
from shapely.geometry import Point

from xxgeo.mapping import MapRequest, build_map, map_html
from xxgeo.mapping.search import search_index, search_key
from xxgeo.store import Dataset


def _index(html: str) -> list[dict]:
    return json.loads(re.search(r"xxgeo\.placeSearch\([^,]+, (\[.*?\]), \{", html, re.S).group(1))


def test_index_holds_every_kind_with_lenient_keys(dataset):
    idx = search_index(dataset)
    kinds = {e["k"] for e in idx}
    assert {"township", "park", "scenic_sites", "places", "roads"} <= kinds
    town = next(e for e in idx if e["n"] == "裴介镇")
    assert "裴介" in town["keys"] and "140828102" in town["keys"]  # short name and code
    assert town["bounds"][0][0] < town["at"][1] < town["bounds"][1][0]  # flies to the cell, marks the seat
    park = next(e for e in idx if e["k"] == "park" and "裴介" in e["n"])
    assert "peijie" in park["keys"]
    assert all("nan" not in e["keys"] and e["n"] for e in idx)  # empty cells are no keys
    assert search_key(" “裴介”（镇） ") == "裴介镇"
    place = next(e for e in idx if e["k"] == "places" and "机场" in e["n"])
    assert any("airport" in k for k in place["keys"])  # a place also by its English name


def test_projects_are_found_where_they_are_drawn(dataset):
    """A project known only to its township is found at its township's counted symbol (not at the spread point
    it is stored at); a county-wide project has no place to fly to and is not indexed."""
    from xxgeo.mapping.areas import area_groups

    p = dataset["projects"]
    groups = area_groups(p, dataset)
    idx = search_index(dataset, groups=groups)
    by_name = {}
    for e in idx:
        if e["k"] == "projects":
            by_name.setdefault(e["n"], e)
    row = p[(p["loc_precision"] == "township") & ~p["township_codes"].fillna("").str.contains(";")].iloc[0]
    t = dataset["townships"].set_index("code").loc[row["township_code"]]
    assert by_name[row["name"]]["at"] == [round(t["seat_lon"], 6), round(t["seat_lat"], 6)]
    # a county-wide project is found at the county's symbol (which lists it), every one, not only the listed
    county = next(g for g in groups if g["kind"] == "county")
    county_only = p[p["loc_precision"] == "county"]
    assert county["more"] > 0 and county_only["name"].isin(by_name).all()
    assert by_name[county_only["name"].iloc[-1]]["at"] == [county["lon"], county["lat"]]
    # an exact project flies to its own point
    q = p.iloc[:1].copy()
    q["loc_precision"] = "surveyed"
    q = gpd.GeoDataFrame(q, geometry=[Point(111.3, 35.2)], crs=4326)
    one = search_index(Dataset({**dataset.layers, "projects": q}))
    assert [e["at"] for e in one if e["k"] == "projects"] == [[111.3, 35.2]]


def test_public_map_indexes_public_data_only(dataset):
    p = dataset["projects"].copy()
    p["public"] = True
    secret = p.index[p["loc_precision"] == "township"][0]
    p.loc[secret, ["name", "public"]] = ["内部储备：保密地块甲", False]
    ds = Dataset({**dataset.layers, "projects": p})
    public = map_html(build_map(ds, MapRequest(role="public", assets="inline")))
    editor = map_html(build_map(ds, MapRequest(assets="inline")))
    assert "内部储备：保密地块甲" in {e["n"] for e in _index(editor)}
    assert "内部储备：保密地块甲" not in {e["n"] for e in _index(public)}
    assert json.dumps("保密地块甲")[1:-1] not in public and "保密地块甲" not in public


def test_every_map_carries_the_search_and_a_large_library_keeps_its_names_in_the_tiles(dataset):
    html = map_html(build_map(dataset, MapRequest(lang="en", assets="inline")))
    assert "xxgeo.placeSearch(" in html and "Search places, parks, projects" in html
    assert any(e["k"] == "projects" for e in _index(html))


# ----------------------------------------------------------------------------- in a real browser, offline
ARRIVED = """(name) => { const d = document.querySelector('.xx-search');
  return !!d && d.getAttribute('data-found') === name; }"""
INSIDE = """([w, s, e, n]) => { const c = xxgeo.searchMaps[xxgeo.searchMaps.length - 1].getCenter();
  return c.lng > w && c.lng < e && c.lat > s && c.lat < n; }"""


def _cell(dataset, name: str) -> list[float]:
    t = dataset["townships"].set_index("name")
    return list(t.loc[name].geometry.bounds)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exported_map_searches_offline_and_counts_rough_projects(browser, built_store_path, dataset, tmp_path,
                                                                  lang):
    from xxgeo.cli import main

    out = tmp_path / f"map-{lang}.html"
    assert main(["map", "--store", str(built_store_path), "--out", str(out), "--lang", lang]) == 0
    page, blocked, errors = offline_page(browser)
    page.goto(out.as_uri())
    page.wait_for_selector(".xx-search-input")
    # the township-only projects: counted circles, not pins
    n_areas = page.evaluate("() => document.querySelectorAll('.xx-area').length")
    assert n_areas == len(set(dataset["townships"]["code"])) + 4 + 1  # townships, parks, the county
    pins = page.evaluate("""() => { let n = 0; for (const k of Object.keys(window)) { const v = window[k];
        if (v && v.xxLayer) v.xxLayer.eachLayer(l => { if (l.feature && l.feature.properties.category) n++; }); }
        return n; }""")
    assert pins == 0
    page.fill(".xx-search-input", "裴介")
    first = page.locator(".xx-search-hit").first
    first.wait_for()
    assert first.inner_text().startswith("裴介镇")
    page.screenshot(path=str(Path("/tmp") / f"i13b-search-list-{lang}.png"))
    page.press(".xx-search-input", "Enter")
    page.wait_for_function(ARRIVED, arg="裴介镇")
    assert page.evaluate(INSIDE, _cell(dataset, "裴介镇"))
    assert page.evaluate("() => xxgeo.searchMaps[0].getZoom()") >= 12
    page.screenshot(path=str(Path("/tmp") / f"i13b-search-{lang}.png"))
    # a township's circle opens the list of its projects
    page.locator(".xx-area-township").first.click()
    page.wait_for_selector(".xx-area-pop li")
    assert page.locator(".xx-area-pop li").count() >= 1
    # nothing found: one sentence, the map stays
    page.fill(".xx-search-input", "火星基地")
    page.locator(".xx-search-none").wait_for()
    assert not errors and not blocked, (errors, blocked)
    page.close()


@pytest.mark.browser
def test_app_map_searches_a_park_by_its_short_name(browser, built_store_path, dataset):
    with running_app(str(built_store_path)) as url:
        page, blocked, errors = offline_page(browser)
        page.goto(f"{url}/?view=planning&lang=en")
        frame = frame_where(page, "(w) => !!w.document.querySelector('.xx-search-input')")
        frame.fill(".xx-search-input", "庙前双创")
        frame.locator(".xx-search-hit").first.wait_for()
        frame.press(".xx-search-input", "Enter")
        frame.wait_for_function(ARRIVED, arg="庙前电子科技双创基地")
        park = dataset["parks"].set_index("park_id").loc["miaoqian"].geometry.bounds
        pad = 0.01
        assert frame.evaluate(INSIDE, [park[0] - pad, park[1] - pad, park[2] + pad, park[3] + pad])
        page.screenshot(path="/tmp/i13b-app-search-en.png")
        assert not errors and not blocked, (errors, blocked)
        page.close()
