"""Data tiles with internal content are served only to the session they were drawn for (issue 18): public
tiles at the shared path, internal ones under an unguessable per-session path that expires; a signed-out
client (plain urllib, no session) cannot fetch a tile holding a non-public project."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request

import pytest
from kit import running_app

from xxgeo.bench import synthetic_projects
from xxgeo.fastpoints import decode
from xxgeo.mapping import APP_TILES
from xxgeo.tiles import SESSIONS, TileSet, TileStore, new_token


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_grant_links_internal_tiles_under_the_token_only(tmp_path):
    store = TileStore(tmp_path / "static" / "tiles", "/app/static/tiles", private=tmp_path / "private")
    ts = TileSet("d" * 20, (("14-1-2.json", '{"n":1}'),))
    token = new_token()
    store.grant(ts, token)
    assert not (store.root / ts.digest).exists()  # never at the shared, served path
    assert (store.root / SESSIONS / token / ts.digest / "14-1-2.json").read_text() == '{"n":1}'
    assert (tmp_path / "private" / ts.digest).is_dir() and len(token) >= 32
    store.prune_sessions(3600)
    assert (store.root / SESSIONS / token).is_dir()  # active
    store.prune_sessions(3600, now=time.time() + 3601)
    assert not (store.root / SESSIONS / token).exists()  # expired with its session
    with pytest.raises(ValueError):
        store.grant(ts, "../x")


@pytest.fixture(scope="module")
def big_mixed_app(built_store_path, tmp_path_factory):
    """The app (single-user mode: the local browser is an editor) on 12,000 projects, the first 100 not public."""
    path = tmp_path_factory.mktemp("mixed") / "xxgeo.gpkg"
    shutil.copy2(built_store_path, path)
    from xxgeo.store import GpkgStore

    store = GpkgStore(path)
    gdf = synthetic_projects(store.read("county").geometry.iloc[0], 12_000, seed=7)
    gdf.loc[gdf.index[:100], "public"] = False
    gdf.loc[gdf.index[:100], "name"] = "内部项目"
    store.write_layers({"projects": gdf}, backup=False)
    with running_app(str(path)) as url:
        yield url, gdf


def test_a_signed_out_client_cannot_fetch_internal_tiles(browser, big_mixed_app):
    url, gdf = big_mixed_app
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    tiles: list[str] = []
    page.on("response", lambda r: tiles.append(r.url) if "/xxgeo/tiles/" in r.url else None)
    try:
        page.goto(f"{url}/?view=planning")
        frame = None
        for _ in range(300):
            frame = next((f for f in page.frames if _has_fast(f)), None)
            if frame:
                break
            page.wait_for_timeout(300)
        assert frame is not None, "no projects layer appeared"
        row = gdf.iloc[0]  # a non-public project
        frame.evaluate(f"() => xxgeo._fast[xxgeo._fast.length - 1]._map.setView([{row.geometry.y}, "
                       f"{row.geometry.x}], 18, {{animate: false}})")
        frame.wait_for_function("() => xxgeo._fast[xxgeo._fast.length - 1]._mode === 'points'", timeout=30000)
        page.wait_for_timeout(500)
    finally:
        page.close()
    assert tiles and all(f"/xxgeo/tiles/{SESSIONS}/" in t for t in tiles), tiles  # the session's own path
    held = [t for t in tiles if "内部项目" in _names(urllib.request.urlopen(t, timeout=10).read())]
    assert held, "the editor's tiles hold the non-public project"
    for t in held:
        prefix, rest = t.split(f"/xxgeo/tiles/{SESSIONS}/", 1)
        _token, digest_and_key = rest.split("/", 1)
        assert _status(f"{prefix}/xxgeo/tiles/{digest_and_key}") == 404  # not at the shared path
        assert _status(f"{prefix}/xxgeo/tiles/{SESSIONS}/{new_token()}/{digest_and_key}") == 404  # nor guessable
    APP_TILES.prune_sessions(0)  # the session expires: its path is gone
    assert all(_status(t) == 404 for t in held)
    assert not any("内部项目" in _names(p.read_bytes()) for p in APP_TILES.root.glob("*/*.json"))


def _names(raw: bytes) -> str:
    return "\n".join(decode(json.loads(raw.decode("utf-8")))["cols"]["name"])


def _has_fast(f) -> bool:
    try:
        return bool(f.evaluate("() => !!(window.xxgeo && xxgeo._fast && xxgeo._fast.length)"))
    except Exception:  # a frame navigating
        return False
