"""The page's scripts and styles (served by the app, or inlined for an offline file); basemaps: basemap_layer."""

from __future__ import annotations

import base64
import re

import folium
from branca.element import Element

from ..config import settings
from ..tiles import TileStore

STATIC_DIR = settings().static_dir
STATIC_URL = "/app/static"  # Streamlit's static file serving (server.enableStaticServing)
JS_ASSETS = (("leaflet", "vendor/leaflet/leaflet.js"), ("xxgeo", "xxgeo/xxgeo-map.js"),
             ("xxgeo_fast", "xxgeo/xxgeo-fastpoints.js"), ("xxgeo_areas", "xxgeo/xxgeo-areas.js"),
             ("xxgeo_search", "xxgeo/xxgeo-search.js"))
CSS_ASSETS = (("leaflet_css", "vendor/leaflet/leaflet.css"), ("xxgeo_css", "xxgeo/xxgeo-map.css"),
              ("xxgeo_areas_css", "xxgeo/xxgeo-areas.css"), ("xxgeo_search_css", "xxgeo/xxgeo-search.css"))
#: The app's data tiles: public ones written under static/ and served by Streamlit at /app/static; internal ones
#: kept beside static/ (never served) and linked per session under an unguessable path (see xxgeo.tiles).
APP_TILES = TileStore(STATIC_DIR / "xxgeo" / "tiles", f"{STATIC_URL}/xxgeo/tiles",
                      private=STATIC_DIR.parent / ".xxgeo-private-tiles")


def _asset_text(rel: str) -> str:
    return (STATIC_DIR / rel).read_text(encoding="utf-8")


def _inline_css(rel: str) -> str:
    css = _asset_text(rel)
    base = (STATIC_DIR / rel).parent

    def data_uri(m):
        p = base / m.group(1)
        if not p.is_file():
            return m.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()})"

    return re.sub(r"url\(([^)'\"]+\.png)\)", data_uri, css)


def use_assets(m: folium.Map, assets: str) -> None:
    """Point the map's page at the app's static files ("static") or write them into the page ("inline")."""
    if assets == "static":
        m.default_js = [(n, f"{STATIC_URL}/{p}") for n, p in JS_ASSETS]
        m.default_css = [(n, f"{STATIC_URL}/{p}") for n, p in CSS_ASSETS]
    elif assets == "inline":
        m.default_js, m.default_css = [], []
        js = "".join(f"<script>{_asset_text(p)}</script>" for _, p in JS_ASSETS)
        css = "".join(f"<style>{_inline_css(p)}</style>" for _, p in CSS_ASSETS)
        m.get_root().header.add_child(Element(css + js), name="xxgeo_inline_assets")
    else:
        raise ValueError(f"unknown assets mode {assets!r}")
