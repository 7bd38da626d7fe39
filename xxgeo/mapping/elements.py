"""The map elements xxgeo adds to a folium map: spec-drawn layers, HTML controls, the initial view."""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from ..jsembed import js_json


class SpecLayer(folium.map.Layer):
    """A layer drawn by ``xxgeo.specLayer`` (static/xxgeo/xxgeo-map.js) from a GeoJSON payload + spec."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = xxgeo.specLayer(
            {{ this.data_js }}, {{ this.spec_js }}, {lang: {{ this.lang|tojson }}});
        {% endmacro %}
    """)

    def __init__(self, data: dict, spec: dict, *, name: str, lang: str = "zh", show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "XxLayer"
        self.data_js = js_json(data)
        self.spec_js = js_json(spec)
        self.lang = lang


class HtmlControl(MacroElement):
    """A Leaflet control holding already-escaped HTML (legend, title, notes)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var c = L.control({position: {{ this.position|tojson }}});
          c.onAdd = function(){ var d = L.DomUtil.create('div', {{ this.css_class|tojson }});
            d.innerHTML = {{ this.html|tojson }}; L.DomEvent.disableClickPropagation(d);
            L.DomEvent.disableScrollPropagation(d); return d; };
          c.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html_text: str, *, position: str = "bottomright", css_class: str = "xx-legend") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


class FitNow(MacroElement):
    """Fit the initial view without animation (folium's fit_bounds animates once the map is loaded, and a
    zoom animation in flight swallows the first programmatic view change)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {animate: false});
        {% endmacro %}
    """)

    def __init__(self, bounds) -> None:
        super().__init__()
        self._name = "FitNow"
        self.bounds = [[float(a), float(b)] for a, b in bounds]
