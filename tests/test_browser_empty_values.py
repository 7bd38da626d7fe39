"""Issue 17 item 3 in Chromium: a project's empty fields read “not stated” in an English map's popup (and
未注明 in a Chinese one), never “nan”, “None” or a blank cell."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from kit import offline_page
from shapely.geometry import Point

from xxgeo.mapping import MapRequest, build_map, map_html
from xxgeo.store import Dataset
from xxgeo.store.frames import coerce


@pytest.mark.parametrize("n", [1, 2001])  # 2001: above projects.toml's fast_above, drawn by xxgeo-fastpoints.js
@pytest.mark.parametrize("lang, word, other", [("en", "not stated", "未注明"), ("zh", "未注明", "not stated")])
def test_popup_of_a_project_with_empty_fields(browser, dataset, tmp_path, lang, word, other, n):
    p = dataset["projects"].iloc[[0] * n].copy()
    p["project_id"] = [f"XB{i:05d}" for i in range(n)]
    p["name"], p["status"], p["investment_wan"], p["start_year"] = "空值测试项目", None, np.nan, None
    p["loc_precision"] = "surveyed"  # pins: their popup is what is tested (rough places are counted per area)
    p = coerce("projects", gpd.GeoDataFrame(p, geometry=[Point(111.22, 35.14)] * n, crs=4326))
    html = map_html(build_map(Dataset({**dataset.layers, "projects": p}), MapRequest(assets="inline", lang=lang)))
    out = tmp_path / f"blank-{lang}-{n}.html"
    out.write_text(html, encoding="utf-8")
    page, _blocked, errors = offline_page(browser)
    page.set_viewport_size({"width": 1000, "height": 700})
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-container canvas", timeout=30000)
    map_var = page.evaluate("() => Object.keys(window).find(k => window[k] instanceof L.Map)")
    page.evaluate(f"() => window['{map_var}'].setView([35.14, 111.22], 18, {{animate: false}})")
    page.wait_for_function(f"() => window['{map_var}'].getZoom() === 18")
    box = page.locator(".leaflet-container").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.click(cx, cy)
    page.wait_for_function("() => (document.querySelector('.leaflet-popup-content') || {}).textContent"
                           "?.includes('空值测试项目')", timeout=15000)
    text = page.evaluate("() => document.querySelector('.leaflet-popup-content').textContent")
    assert word in text and other not in text, text
    for bad in ("nan", "None", "NaN", "undefined", "null"):
        assert bad not in text, (bad, text)
    assert not errors, errors
    page.close()
