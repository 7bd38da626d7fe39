"""A basemap package added by command draws with the network cut: under the app's map (served by the app itself)
and under an exported HTML file opened from disk, tiles embedded or in a folder beside it (real Chromium)."""

from __future__ import annotations

import shutil

import pytest
from basemap_packages import COLOUR, tiles, write_zip
from kit import frame_where, map_frame, offline_page, running_app

pytestmark = pytest.mark.browser

# the package's tiles that the page shows and that were fetched and decoded (an <img> of the tile pane)
LOADED = """(w, prefix) => Array.from(w.document.querySelectorAll('.leaflet-tile-pane img'))
    .filter(i => i.src.includes(prefix) && i.complete && i.naturalWidth === 256).length > 0"""


def _magenta(frame) -> bool:
    """Whether a loaded tile is the package's colour (the tile itself, drawn into a canvas and read back)."""
    return frame.evaluate("""(c) => { for (const i of document.querySelectorAll('.leaflet-tile-pane img')) {
        if (!i.complete || !i.naturalWidth) continue;
        const cv = document.createElement('canvas'); cv.width = cv.height = 4;
        const g = cv.getContext('2d'); g.drawImage(i, 0, 0, 4, 4);
        let d; try { d = g.getImageData(1, 1, 1, 1).data; } catch (e) { continue; }
        if (d[0] === c[0] && d[1] === c[1] && d[2] === c[2]) return true; } return false; }""", list(COLOUR))


@pytest.fixture
def packaged_store(built_store_path, tmp_path, dataset):
    """A copy of the default store with a small package (magenta tiles, zooms 8–11) as its default basemap."""
    from xxgeo.basemaps import Registry, registry_dir
    from xxgeo.cli import main

    store = tmp_path / "s.gpkg"
    shutil.copy2(built_store_path, store)
    bounds = tuple(float(v) for v in dataset["county"].total_bounds)
    src = write_zip(tmp_path / "county-tiles.zip", tiles(bounds, zooms=(8, 9, 10, 11)))
    assert main(["basemap", "add", str(src), "--name", "县域底图", "--store", str(store), "--default"]) == 0
    reg = Registry(registry_dir(str(store)))
    try:
        yield store, reg.get("县域底图")
    finally:
        reg.remove("县域底图")  # also its copy served from static/


@pytest.mark.parametrize("query", ["view=planning", "view=investor", "view=planning&lang=en"])
def test_app_draws_the_package_offline(browser, packaged_store, query):
    store, pkg = packaged_store
    with running_app(str(store)) as url:
        page, blocked, errors = offline_page(browser)
        page.goto(f"{url}/?{query}")
        map_frame(page)
        frame = frame_where(page, LOADED, f"/app/static/xxgeo/basemaps/{pkg.token}/")
        assert _magenta(frame)
        assert not errors, errors
        page.close()


@pytest.mark.parametrize("embed", [True, False])
def test_exported_html_draws_the_package_from_disk_offline(browser, packaged_store, tmp_path, monkeypatch, embed):
    from xxgeo.basemaps import export as bexport
    from xxgeo.cli import main

    store, _pkg = packaged_store
    if not embed:
        monkeypatch.setattr(bexport, "EMBED_MAX_BYTES", 0)
    out = tmp_path / "export" / "县域地图.html"
    assert main(["map", "--store", str(store), "--out", str(out), "--basemap", "县域底图"]) == 0
    assert (out.with_name("县域地图_basemap")).is_dir() != embed
    page, blocked, errors = offline_page(browser)
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-container canvas")
    page.wait_for_function(f"() => ({LOADED})(window, {('data:image/png' if embed else '_basemap/')!r})",
                           polling=250)
    assert not errors and not blocked, (errors, blocked)
    page.close()
