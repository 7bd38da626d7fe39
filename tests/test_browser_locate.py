"""The placing workspace in a real browser (issue 13): open ?view=locate&id=…, click the map inside the
project's township, choose the precision, press 保存位置 / Save location, reload: the point is in the store with
the chosen precision, its township and who placed it — in Chinese and in English."""

from __future__ import annotations

import shutil

import pytest
from kit import frame_where, offline_page, running_app, wait_for_app_run

from xxgeo.i18n import tr
from xxgeo.precision import hint, label
from xxgeo.store import GpkgStore

SHOTS = "/tmp/i13a"
LEAFLET = "(w) => !!w.map && !!w.map.latLngToContainerPoint && !!w.document.querySelector('.leaflet-container')"


@pytest.fixture(scope="module")
def placing_store(built_store_path, tmp_path_factory):
    dest = tmp_path_factory.mktemp("locate") / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    return GpkgStore(dest)


@pytest.fixture(scope="module")
def server(placing_store):
    with running_app(str(placing_store.path)) as url:
        yield url


def _target(store, nth: int):
    """The nth project known only to a township, and a point well inside that township."""
    p = store.read("projects")
    row = p[(p["loc_precision"] == "township") & p["township_code"].notna()].iloc[nth]
    t = store.read("townships")
    area = t[t["code"] == row["township_code"]].geometry.iloc[0]
    return row, area.representative_point()


def _click_at(page, lon: float, lat: float) -> None:
    """Click the map where (lon, lat) is drawn (Leaflet's own projection, in the map's iframe)."""
    frame = frame_where(page, LEAFLET)
    frame.frame_element().scroll_into_view_if_needed()
    frame.evaluate("([lat, lon]) => { window.map.setView([lat, lon], 13, {animate: false}); }", [lat, lon])
    xy = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
                        " const r = window.map.getContainer().getBoundingClientRect();"
                        " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


@pytest.mark.parametrize("lang, nth", [("zh", 0), ("en", 1)])
def test_click_choose_precision_save_reload_the_point_is_there(browser, server, placing_store, lang, nth):
    row, pt = _target(placing_store, nth)
    pid = row["project_id"]
    page, blocked, errors = offline_page(browser)
    page.goto(f"{server}/?view=locate&id={pid}" + ("&lang=en" if lang == "en" else ""))
    wait_for_app_run(page)
    page.get_by_text(tr("locate.chosen", lang, pid=pid, name=row["name"])).wait_for()
    _click_at(page, pt.x, pt.y)
    preview = tr("locate.preview", lang, what="", township="").split("：" if lang == "zh" else ":")[0]
    page.get_by_text(preview, exact=False).first.wait_for()
    wait_for_app_run(page)
    page.get_by_text(f"{label('digitised', lang)} — {hint('digitised', lang)}").click()
    wait_for_app_run(page)
    page.screenshot(path=f"{SHOTS}/locate-{lang}.png", full_page=True)
    page.get_by_role("button", name=tr("locate.save", lang)).click()
    page.get_by_text(tr("locate.saved", lang, pid=pid, precision=label("digitised", lang), version=2)).wait_for()
    page.screenshot(path=f"{SHOTS}/locate-saved-{lang}.png", full_page=True)
    page.reload()
    wait_for_app_run(page)
    now = tr("locate.now", lang, precision=label("digitised", lang), township="", source="").split("；")[0]
    page.get_by_text(now.split(";")[0], exact=False).first.wait_for()
    got = placing_store.read("projects").set_index("project_id").loc[pid]
    assert got["loc_precision"] == "digitised" and got["loc_source"] == "click" and got["located_by"] == "planner"
    assert got["township_code"] == row["township_code"] and int(got["version"]) == 2
    assert got.geometry.geom_type == "Point" and got.geometry.distance(pt) < 2e-4  # a pixel at zoom 13: ~20 m
    assert not errors and not blocked, (errors, blocked)
    page.close()


def test_draw_a_polygon_footprint_and_save_it(browser, server, placing_store):
    row, pt = _target(placing_store, 2)
    pid = row["project_id"]
    page, blocked, errors = offline_page(browser)
    page.goto(f"{server}/?view=locate&id={pid}")
    wait_for_app_run(page)
    page.get_by_text(tr("locate.m_draw", "zh")).click()
    wait_for_app_run(page)
    frame = frame_where(page, LEAFLET + " && !!w.document.querySelector('.leaflet-draw-draw-polygon')")
    assert frame.evaluate("() => document.querySelector('.leaflet-draw-draw-polygon').title") == \
        tr("locate.draw_polygon", "zh")  # the drawing tool speaks the page's language
    d = 0.004  # a small square around the point (~400 m a side)
    corners = [(pt.x - d, pt.y - d), (pt.x + d, pt.y - d), (pt.x + d, pt.y + d), (pt.x - d, pt.y + d)]
    _click_at(page, pt.x, pt.y)  # centres the map on the point (a click is ignored while drawing is chosen)
    frame.locator(".leaflet-draw-draw-polygon").click()
    for lon, lat in [*corners, corners[0]]:  # the last click on the first corner closes the polygon
        xy = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
                            " const r = window.map.getContainer().getBoundingClientRect();"
                            " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
        box = frame.frame_element().bounding_box()
        page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
        page.wait_for_timeout(150)  # Leaflet.draw ignores a second click within its double-click window
    page.get_by_text("面，面积", exact=False).first.wait_for()
    wait_for_app_run(page)
    page.get_by_text(f"{label('digitised', 'zh')} — {hint('digitised', 'zh')}").click()
    wait_for_app_run(page)
    page.screenshot(path=f"{SHOTS}/locate-draw-zh.png", full_page=True)
    page.get_by_role("button", name=tr("locate.save", "zh")).click()
    page.get_by_text(tr("locate.saved", "zh", pid=pid, precision=label("digitised", "zh"), version=2)).wait_for()
    got = placing_store.read("projects").set_index("project_id").loc[pid]
    assert got.geometry.geom_type == "Polygon" and got.geometry.contains(pt)
    assert got["loc_source"] == "draw" and got["township_code"] == row["township_code"]
    assert not errors and not blocked, (errors, blocked)
    page.close()
