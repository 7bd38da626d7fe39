"""The 合规检查 view in Chromium: the control lines are drawn at county zoom from image tiles, and the layer is
never sent whole (the bytes and tiles received are counted, and no polygon's name reaches the page)."""

from __future__ import annotations

import pyogrio
import pytest
from constraintfactory import projects
from kit import map_frame, offline_page, running_app, wait_for_app_run

from xxgeo.bench_check import farmland
from xxgeo.constraints.importer import commit_constraints, prepare_constraints

POLYGONS = 20_000


@pytest.fixture(scope="module")
def compliance_store(tmp_path_factory, built_store_path):
    import shutil

    from xxgeo.store import GpkgStore

    d = tmp_path_factory.mktemp("compliance")
    store = GpkgStore(d / "xxgeo.gpkg")
    shutil.copy2(built_store_path, store.path)
    layer = farmland(tuple(store.read("county").total_bounds), POLYGONS)
    pyogrio.write_dataframe(layer, d / "jbnt.gpkg", driver="GPKG")
    commit_constraints(prepare_constraints(d / "jbnt.gpkg", "永久基本农田", store), store)
    store.write_layers({"projects": projects(store.read("projects"))})
    return store, len(store.read("constraints").to_json().encode("utf-8"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_layer_shown_at_county_zoom_without_sending_it_whole(browser, compliance_store, lang):
    store, geojson_bytes = compliance_store
    with running_app(str(store.path)) as url:
        page, blocked, errors = offline_page(browser)
        frames: list = []
        responses: list = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(p)))
        page.on("response", lambda r: responses.append(r))
        page.goto(f"{url}/?view=compliance" + ("&lang=en" if lang == "en" else ""))
        frame = map_frame(page, timeout_s=240)
        frame.wait_for_function("() => Array.from(document.querySelectorAll('img.leaflet-tile'))"
                                ".some(i => i.complete && i.naturalWidth > 0)", timeout=240_000)
        wait_for_app_run(page, 240)
        page.wait_for_load_state("networkidle")
        title = "Control lines" if lang == "en" else "管控边界"
        assert frame.locator(".leaflet-control-layers-overlays label").filter(has_text=title).count() == 1
        verdict = "Conflict" if lang == "en" else "冲突"
        assert page.get_by_text(verdict, exact=True).first.is_visible()
        tiles = [r for r in responses if r.url.endswith(".png") and "/xxgeo/tiles/" in r.url]
        drawn = [r for r in tiles if r.ok]
        assert drawn and all("/xxgeo/tiles/s/" in r.url for r in tiles)  # internal: this session's path only
        assert len(tiles) <= 60  # the tiles in view at county zoom, not the pyramid (thousands)
        ws_bytes = sum(len(f) for f in frames)
        tile_bytes = sum(len(r.body()) for r in drawn)
        assert ws_bytes + tile_bytes < geojson_bytes / 4, (ws_bytes, tile_bytes, geojson_bytes)
        sent = b"".join(f.encode("utf-8") if isinstance(f, str) else f for f in frames)
        assert "图斑1234".encode() not in sent and "图斑19999".encode() not in sent  # no polygon travels as data
        assert not errors, errors
        assert not blocked, blocked
        page.close()
