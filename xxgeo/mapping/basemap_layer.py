"""The basemap under a map: tile layers from a :class:`~xxgeo.basemaps.Basemap` (URLs, or tiles carried inside
an exported page). Which basemap is chosen is the request's; what it is, is data (geodata/basemaps.toml and the
packages beside the store)."""

from __future__ import annotations

import html

import folium
from branca.element import MacroElement
from jinja2 import Template

from ..basemaps import Basemap
from ..jsembed import js_json

#: a transparent pixel: what the map shows where an embedded package has no tile
BLANK_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kg"
             "AAAABJRU5ErkJggg==")


class EmbeddedTiles(MacroElement):
    """A tile layer whose tiles are in the page ({"z/x/y": data URI}): an exported file that draws offline."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var tiles = {{ this.tiles_js }};
          var Layer = L.TileLayer.extend({getTileUrl: function(c) {
            return tiles[c.z + '/' + c.x + '/' + c.y] || {{ this.blank|tojson }}; }});
          new Layer('', {{ this.options_js }}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, tiles: dict, options: dict) -> None:
        super().__init__()
        self._name = "EmbeddedTiles"
        self.tiles_js = js_json(tiles)
        self.options_js = js_json(options)
        self.blank = BLANK_PNG


def _options(bm: Basemap, lang: str) -> dict:
    """Leaflet options of the basemap's layers (attribution, zoom range, the zooms tiles exist at, bounds)."""
    opts: dict = {"attribution": html.escape(bm.credit(lang)), "maxZoom": bm.max_zoom}
    if bm.max_native is not None:
        opts["maxNativeZoom"] = bm.max_native
    if bm.min_native is not None:
        opts["minNativeZoom"] = bm.min_native
        opts["minZoom"] = max(0, bm.min_native - 2)  # further out the package's tiles would be too many
    if bm.bounds:
        w, s, e, n = bm.bounds
        opts["bounds"] = [[s, w], [n, e]]
    return opts


def add_basemap(m: folium.Map, basemap: Basemap | None, key: str | None = None, lang: str = "zh") -> None:
    """Add the basemap's tile layers, bottom first (``None``: nothing; one that needs a key without it: nothing)."""
    bm = basemap.with_key(key) if basemap is not None else None
    if bm is None:
        return
    opts = _options(bm, lang)
    if bm.embedded:
        EmbeddedTiles(dict(bm.embedded), {**opts, "errorTileUrl": BLANK_PNG}).add_to(m)
        return
    for t in bm.layers:
        folium.TileLayer(t.url, attr=opts["attribution"], name=bm.label(lang), control=False,
                         subdomains=t.subdomains or "abc", max_zoom=bm.max_zoom,
                         max_native_zoom=opts.get("maxNativeZoom"), min_zoom=opts.get("minZoom"),
                         **({"min_native_zoom": opts["minNativeZoom"]} if "minNativeZoom" in opts else {}),
                         **({"bounds": opts["bounds"]} if "bounds" in opts else {})).add_to(m)
