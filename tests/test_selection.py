"""A project picked in a table (issue 17, item 4): the map rings it and opens its popup (the spec-drawn layer
and the fast canvas layer alike); a project with no place gets one sentence and a link that opens the placing
workspace (?view=locate) on it. Unit tests on build_map, then the running app in Chromium."""

from __future__ import annotations

import json
import re
import time

import pytest
from kit import offline_page, running_app

from xxgeo.bench import synthetic_projects
from xxgeo.i18n import tr
from xxgeo.layerspec import load_specs, parse_behaviour
from xxgeo.mapping import MapFilter, MapRequest, build_map, filter_projects, map_html
from xxgeo.store import Dataset


def _features(html: str) -> list[dict]:
    out = []
    for m in re.finditer(r"xxgeo\.specLayer\(\s*(\{.*?\}), \{\"layer\"", html, re.S):
        out += json.loads(m.group(1))["features"]
    return out


def _fit(html: str) -> list:
    return json.loads(re.search(r"\.fitBounds\((\[\[.*?\]\])", html).group(1))


def test_the_projects_spec_declares_the_highlight():
    b = load_specs()["projects"].behaviour
    assert b.highlight_param == "project" and b.highlight_popup is True
    assert parse_behaviour({"highlight_popup": True}, "parks").highlight_popup
    with pytest.raises(Exception, match="highlight_popup"):
        parse_behaviour({"highlight_popup": "yes"}, "parks")


def _areas(html: str) -> list[dict]:
    m = re.search(r"xxgeo\.areaCounts\((\[.*?\]), \{", html, re.S)
    return json.loads(m.group(1)) if m else []


def test_a_highlighted_project_is_ringed_framed_and_opened(dataset):
    p = dataset["projects"].copy()
    row = p[p.geometry.notna() & p["township_code"].notna()].iloc[0]
    p.loc[p["project_id"] == row["project_id"], "loc_precision"] = "surveyed"  # a site: a pin
    dataset = Dataset({**dataset.layers, "projects": p})
    pid = row["project_id"]
    html = map_html(build_map(dataset, MapRequest(MapFilter(townships=(row["township_code"],)),
                                                  highlight_township=row["township_code"], highlight_project=pid)))
    marked = [f["properties"] for f in _features(html) if f["properties"].get("_open")]
    assert [m["_id"] for m in marked] == [pid] and marked[0]["_highlight"]
    # the project is framed, not its township: the initial view is a small box around it
    (s, w), (n, e) = _fit(html)
    c = row.geometry.centroid
    assert w < c.x < e and s < c.y < n
    plain = map_html(build_map(dataset, MapRequest(MapFilter(townships=(row["township_code"],)),
                                                   highlight_township=row["township_code"])))
    assert not [f for f in _features(plain) if f["properties"].get("_open")]
    (s2, w2), (n2, e2) = _fit(plain)  # the township's own frame, larger
    assert (e - w) < (e2 - w2) and (n - s) < (n2 - s2)


def test_a_highlighted_project_known_only_to_its_township_lights_its_counted_symbol(dataset):
    """A township-precision project is no pin: its township's counted symbol is ringed, framed and opened, its
    list starting with the project."""
    p = dataset["projects"]
    one = ~p["township_codes"].fillna("").str.contains(";")
    row = p[p.geometry.notna() & (p["loc_precision"] == "township") & one].iloc[0]
    code, pid = row["township_code"], row["project_id"]
    html = map_html(build_map(dataset, MapRequest(MapFilter(townships=(code,)), highlight_township=code,
                                                  highlight_project=pid)))
    assert pid not in {f["properties"].get("_id") for f in _features(html)}
    lit = [g for g in _areas(html) if g["highlight"]]
    assert [g["key"] for g in lit] == [f"township:{code}"] and lit[0]["items"][0][0] == pid
    (s, w), (n, e) = _fit(html)
    t = dataset["townships"].set_index("code").loc[code]
    assert w < t["seat_lon"] < e and s < t["seat_lat"] < n and (e - w) < 0.05


def test_the_fast_layer_carries_the_highlighted_project(dataset):
    big = synthetic_projects(dataset["county"].geometry.iloc[0], 5000, seed=3)
    pid = big["project_id"].iloc[1234]
    html = map_html(build_map(Dataset({**dataset.layers, "projects": big}), MapRequest(highlight_project=pid)))
    payload = json.loads(re.search(r"xxgeo\.fastPoints\((\{.*?\})\);", html, re.S).group(1))
    h = payload["highlight"]
    assert h["id"] == pid and [f[0] for f in h["fields"]][0] == "name"
    assert h["values"][[f[0] for f in h["fields"]].index("project_id")] == pid
    g = big.set_index("project_id").loc[pid, "geometry"]
    pt = g.geoms[0] if g.geom_type == "MultiPoint" else g
    assert abs(h["lon"] - pt.x) < 1e-5 and abs(h["lat"] - pt.y) < 1e-5
    none = map_html(build_map(Dataset({**dataset.layers, "projects": big}), MapRequest()))
    assert '"highlight"' not in none


# ----------------------------------------------------------------------------- the running app
@pytest.fixture(scope="module")
def server(built_store_path):
    with running_app(str(built_store_path)) as url:
        yield url


def _frame_where(page, js: str, timeout_s: float = 90):
    """The frame (the map's iframe is replaced when the map changes) where ``js`` is true, once it is."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for f in page.frames:
            try:
                if f.evaluate(js):
                    return f
            except Exception:  # noqa: BLE001 -- a frame navigating or detached: look again
                pass
        page.wait_for_timeout(250)
    raise AssertionError(f"no frame where {js}")


def _click_row(page, table_index: int, row: int) -> None:
    """Click the row marker of ``row`` in the ``table_index``-th dataframe (35 px header and rows)."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 * row + 17)


POPUP_WITH = "(id) => !!document.querySelector('.xx-hl') && " \
             "((document.querySelector('.leaflet-popup-content') || {}).textContent || '').includes(id)"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_clicking_rows_highlights_or_explains(browser, server, dataset, lang):
    p = dataset["projects"]
    located, unlocated = p.iloc[0], p.iloc[2]
    assert located.geometry is not None and unlocated.geometry is None
    page, blocked, errors = offline_page(browser)
    page.goto(f"{server}/?view=planning" + ("&lang=en" if lang == "en" else ""))
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=90000)
    _frame_where(page, "() => !!document.querySelector('.leaflet-container canvas')")
    _click_row(page, 0, 0)
    pid = located["project_id"]
    frame = _frame_where(page, f"() => ({POPUP_WITH})({json.dumps(pid)})")
    popup = frame.evaluate("() => document.querySelector('.leaflet-popup-content').textContent")
    assert located["name"] in popup
    # a project at several places is ringed at each of them
    assert frame.evaluate("() => document.querySelectorAll('.xx-hl').length") == len(located.geometry.geoms)
    page.screenshot(path=f"/tmp/i17c/selection-located-{lang}.png", full_page=True)

    _click_row(page, 0, 2)
    sentence = "has no place on the map yet" if lang == "en" else "还没有地图位置"
    page.get_by_text(sentence).wait_for(timeout=60000)
    link = page.locator(f'a[href*="view=locate"][href*="id={unlocated["project_id"]}"]')
    link.wait_for(timeout=30000)
    link.scroll_into_view_if_needed()
    page.locator('[data-testid="stAlert"]').filter(has_text=sentence).screenshot(
        path=f"/tmp/i17c/selection-unlocated-{lang}.png")
    href = link.get_attribute("href")
    page.goto(f"{server}/{href}")
    chosen = tr("locate.chosen", lang, pid=unlocated["project_id"], name=unlocated["name"])
    page.get_by_text(chosen).wait_for(timeout=60000)
    page.screenshot(path=f"/tmp/i17c/selection-locate-{lang}.png", full_page=True)
    assert not errors and not blocked, (errors, blocked)
    page.close()


def test_township_table_row_highlights_the_project(browser, server, dataset):
    p = dataset["projects"]
    code = "140828102"
    mine = filter_projects(p, MapFilter(townships=(code,)))  # the table's rows, in its order
    assert mine.iloc[1].geometry is not None
    pid = mine.iloc[1]["project_id"]
    page, _blocked, errors = offline_page(browser)
    page.goto(f"{server}/?view=township&township={code}")
    _frame_where(page, "() => !!document.querySelector('.leaflet-container canvas')")
    tables = page.locator('[data-testid="stDataFrame"]')
    tables.first.wait_for(timeout=90000)
    # the project table comes after the right column's tables: by category, then the sites (if any)
    idx = 1 + int((dataset["scenic_sites"]["township_code"] == code).any())
    _click_row(page, idx, 1)
    frame = _frame_where(page, f"() => ({POPUP_WITH})({json.dumps(pid)})")
    page.locator("iframe").first.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/i17c/selection-township.png")
    assert mine.iloc[1]["name"] in frame.evaluate("() => document.querySelector('.leaflet-popup-content').textContent")
    assert not errors, errors
    page.close()
