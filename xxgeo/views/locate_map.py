"""The placing workspace's map parts: the drawing tool (Leaflet.draw served by the app, its words in the page's
language), the red preview of what is about to be saved, and what a click or a drawing returned."""

from __future__ import annotations

import folium
import shapely
import streamlit as st
from branca.element import MacroElement
from folium.plugins import Draw
from jinja2 import Template

from ..crs import gcj02_to_wgs84, transform_geometry, wgs84_to_gcj02
from ..jsembed import js_json
from ..mapping.assets import STATIC_URL

RED = "#d62728"
RING = (f'<div style="width:20px;height:20px;border:3px solid {RED};border-radius:50%;'
        'background:rgba(214,39,40,0.35);box-shadow:0 0 0 2px #fff"></div>')
#: the drawing tool's words: a path in Leaflet.draw's ``L.drawLocal`` -> a ``locate.draw_*`` string
DRAW_WORDS = {
    "draw.toolbar.buttons.polyline": "draw_line", "draw.toolbar.buttons.polygon": "draw_polygon",
    "draw.toolbar.buttons.rectangle": "draw_rectangle", "draw.toolbar.buttons.marker": "draw_marker",
    "draw.toolbar.actions.title": "draw_cancel", "draw.toolbar.actions.text": "draw_cancel",
    "draw.toolbar.finish.title": "draw_finish", "draw.toolbar.finish.text": "draw_finish",
    "draw.toolbar.undo.title": "draw_undo", "draw.toolbar.undo.text": "draw_undo",
    "draw.handlers.marker.tooltip.start": "draw_tip_marker",
    "draw.handlers.polyline.tooltip.start": "draw_tip_line",
    "draw.handlers.polyline.tooltip.cont": "draw_tip_line_cont",
    "draw.handlers.polyline.tooltip.end": "draw_tip_line_end",
    "draw.handlers.polygon.tooltip.start": "draw_tip_polygon",
    "draw.handlers.polygon.tooltip.cont": "draw_tip_polygon_cont",
    "draw.handlers.polygon.tooltip.end": "draw_tip_polygon_end",
    "draw.handlers.rectangle.tooltip.start": "draw_tip_rectangle",
    "draw.handlers.simpleshape.tooltip.end": "draw_tip_release",
    "edit.toolbar.buttons.remove": "draw_remove", "edit.toolbar.buttons.removeDisabled": "draw_remove",
    "edit.toolbar.actions.save.title": "draw_remove_done", "edit.toolbar.actions.save.text": "draw_remove_done",
    "edit.toolbar.actions.cancel.title": "draw_cancel", "edit.toolbar.actions.cancel.text": "draw_cancel",
    "edit.toolbar.actions.clearAll.title": "draw_clear", "edit.toolbar.actions.clearAll.text": "draw_clear",
    "edit.handlers.remove.tooltip.text": "draw_tip_remove",
}


def draw_words(t) -> dict:
    """The nested ``L.drawLocal`` words in the language of ``t`` (a ``ctx.t``)."""
    out: dict = {}
    for path, key in DRAW_WORDS.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = t(f"locate.{key}")
    return out


class ClickAnywhere(MacroElement):
    """Every click on the map is a map click, also on a township or a project: their popups stop the click from
    reaching the map (Leaflet's ``_openPopup`` stops the event), so 'preclick' (which every click fires first)
    passes it on, and popups stay shut (hover tooltips still name what is under the mouse)."""

    _template = Template("""{% macro script(this, kwargs) %}
    (function (m) {
      m.on("preclick", function (e) { m.fire("click", {latlng: e.latlng, layerPoint: e.layerPoint,
                                                        containerPoint: e.containerPoint}); });
      m.on("popupopen", function () { m.closePopup(); });
    })({{ this._parent.get_name() }});
    {% endmacro %}""")


class DrawWords(MacroElement):
    """Leaflet.draw's words (``L.drawLocal``) replaced by the page's language, before the toolbar is made."""

    _template = Template("""{% macro script(this, kwargs) %}
    (function (words) {
      var merge = function (a, b) { for (var k in b) {
        if (typeof b[k] === "object") { merge(a[k], b[k]); } else { a[k] = b[k]; } } };
      if (window.L && L.drawLocal) { merge(L.drawLocal, words); }
    })({{ this.words }});
    {% endmacro %}""")

    def __init__(self, words_json: str) -> None:
        super().__init__()
        self._name = "DrawWords"
        self.words = words_json  # already safe inside a <script> (xxgeo.jsembed.js_json)


def drawing_tool(t):
    """``add(m)`` for :func:`~xxgeo.views.common.draw_map`: Leaflet.draw from the app's static files (works with
    the network cut), its words in the page's language, no circles (a project is a point, a line or a polygon)."""
    words = DrawWords(js_json(draw_words(t)))

    def add(m) -> None:
        words.add_to(m)  # before the tool: its toolbar reads L.drawLocal when it is made
        tool = Draw(export=False, position="topleft", draw_options={"circle": False, "circlemarker": False},
                    edit_options={"edit": False})
        tool.default_js = [("leaflet_draw_js", f"{STATIC_URL}/vendor/leaflet-draw/leaflet.draw.js")]
        tool.default_css = [("leaflet_draw_css", f"{STATIC_URL}/vendor/leaflet-draw/leaflet.draw.css")]
        tool.add_to(m)
        ClickAnywhere().add_to(m)

    return add


def preview_group(name: str, geom, amap: bool):
    """A feature group drawing ``geom`` in red (shifted to GCJ-02 on the 高德 basemap); None without one."""
    fg = folium.FeatureGroup(name=name)
    if geom is None:
        return fg
    g = transform_geometry(geom, wgs84_to_gcj02) if amap else geom
    style = {"color": RED, "weight": 4, "fillColor": RED, "fillOpacity": 0.25}
    for part in getattr(g, "geoms", [g]):
        if part.geom_type == "Point":  # a ring in the marker pane: above every canvas-drawn project and site
            folium.Marker([part.y, part.x], icon=folium.DivIcon(html=RING, icon_size=(26, 26), icon_anchor=(13, 13)),
                          z_index_offset=2000).add_to(fg)
        else:
            folium.GeoJson(shapely.geometry.mapping(part), style_function=lambda _f, s=style: s).add_to(fg)
    return fg


def combine(shapes: list):
    """Drawn shapes as one geometry: one shape as it is, several of one kind as a multi-geometry; None when the
    kinds differ (or nothing was drawn)."""
    kinds = {s.geom_type for s in shapes}
    if not shapes or len(kinds) > 1:
        return None
    if len(shapes) == 1:
        return shapes[0]
    kind = kinds.pop()
    multi = {"Point": shapely.MultiPoint, "LineString": shapely.MultiLineString, "Polygon": shapely.MultiPolygon}
    return multi[kind](shapes) if kind in multi else None


def from_map(out: dict, method: str, pid: str, amap: bool, warn) -> dict | None:
    """A new click (``method='click'``) or drawing (``'draw'``) returned by the map as a pending placement in
    WGS84, or None when nothing is new; ``warn()`` is called for drawings of mixed kinds."""
    if method == "click":
        click = out.get("last_clicked")
        seen_key = f"loc_click_{pid}"
        if not click or st.session_state.get(seen_key) == click:
            return None
        st.session_state[seen_key] = click
        geom, source = shapely.Point(float(click["lng"]), float(click["lat"])), "click"
    elif method == "draw":
        drawn = out.get("all_drawings") or []
        seen_key = f"loc_drawn_{pid}"
        if not drawn or st.session_state.get(seen_key) == drawn:
            return None
        st.session_state[seen_key] = drawn
        geom = combine([shapely.geometry.shape(f["geometry"]) for f in drawn if f.get("geometry")])
        if geom is None:
            warn()
            return None
        source = "draw"
    else:
        return None
    if amap:
        geom = transform_geometry(geom, gcj02_to_wgs84)
    return {"geom": geom, "source": source, "said": None}
