"""Real browser tests: Debian's Chromium driven by Playwright, with every non-local request blocked.

They check what a person would see with the network cut: the running app draws its Leaflet map with every
layer, the exported HTML draws on its own, and a hostile project name shows as text and runs nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

import geopandas as gpd
import pytest
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian chromium is required for browser tests (.ci/run installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(built_store_path):
    port = _free_port()
    env = {**os.environ, "XXGEO_STORE": str(built_store_path)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def offline_page(browser):
    """A page whose every request to anything but this machine is refused (the network is cut)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    blocked, errors = [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:", "file:", "about:")) or host in ("127.0.0.1", "localhost"):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, blocked, errors


def _map_frame(page, timeout_s: float = 60):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for f in page.frames:
            try:
                if f.locator(".leaflet-container").count() and f.evaluate(
                        "() => document.querySelectorAll('canvas').length") > 0:
                    return f
            except Exception:  # frame navigating
                pass
        time.sleep(0.5)
    raise AssertionError("no drawn Leaflet map appeared")


@pytest.mark.parametrize("query", ["view=planning", "view=township&township=" + quote("裴介镇"),
                                   "view=investor&park=" + quote("裴介"), "view=planning&category=" + quote("文旅")])
def test_app_draws_leaflet_map_offline(browser, server, query):
    page, blocked, errors = offline_page(browser)
    page.goto(f"{server}/?{query}")
    frame = _map_frame(page)
    page.wait_for_timeout(500)
    layers = frame.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
                                 .map(l => l.textContent.trim())""")
    assert any("乡镇界" in t for t in layers) and any("项目" in t for t in layers)
    assert frame.locator(".xx-legend").count() == 1
    assert not errors, errors
    assert not [u for u in blocked if "leaflet" in u or u.endswith(".js") or u.endswith(".css")], blocked
    page.close()


def test_exported_html_draws_offline_and_escapes_hostile_names(browser, built_store_path, tmp_path):
    from xxgeo.mapping import build_map, map_html
    from xxgeo.store import Dataset, GpkgStore

    ds = GpkgStore(built_store_path).load()
    p = ds["projects"].iloc[:1].copy()
    hostile = "<img src=x onerror=alert(1)>"
    p["name"] = hostile
    p = gpd.GeoDataFrame(p, geometry=[Point(111.22, 35.14)], crs=4326)
    out = tmp_path / "hostile.html"
    out.write_text(map_html(build_map(Dataset({**ds.layers, "projects": p}), assets="inline")), encoding="utf-8")
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
    page.wait_for_timeout(300)
    assert shown is not None
    assert hostile in shown["pop"] and hostile in shown["tip"]
    assert shown["imgs"] == 0
    assert dialogs == [] and not errors
    assert not blocked, blocked
    page.close()


def test_second_visit_uses_the_cached_map_without_errors(browser, server):
    """The map is memoised per content; the copy handed to st_folium must not break the cached one."""
    for _ in range(2):
        page, blocked, errors = offline_page(browser)
        page.goto(f"{server}/?view=township&township=" + quote("水头"))
        _map_frame(page)
        page.wait_for_timeout(500)
        assert not errors, errors
        page.close()
