"""The map: ``build_map(dataset, MapRequest(...)) -> MapResult``, pure and testable.

============  ==================================================================================
module        job
============  ==================================================================================
request       :class:`MapFilter` (which projects), :class:`MapRequest` (the whole map; the cache key)
payload       what a layer sends to the page (GeoJSON, fast point columns, simplified coverages)
elements      the folium elements xxgeo adds (spec-drawn layers, HTML controls, the initial view)
assets        scripts and styles (served or inlined); basemap_layer: the basemap's tile layers
build         :func:`build_map` and :class:`MapResult`
warnings      the 调度 warning map: projects by light, popups with the month figures (and thumbnails)
============  ==================================================================================

The same function serves the app (assets from Streamlit's static serving) and ``python -m xxgeo map``
(assets inlined: one self-contained file that draws with no network).
"""

from ..legend import Overlay, choropleth, legend_html
from .assets import APP_TILES, CSS_ASSETS, JS_ASSETS, STATIC_DIR, STATIC_URL
from .build import FILTERED_LAYER, MapResult, build_map, map_html, visible_layers
from .elements import FitNow, HtmlControl, SpecLayer
from .payload import SIMPLIFY_ABOVE, SIMPLIFY_TOLERANCE_DEG, display_coverage, fast_payload, feature_collection
from .request import BASEMAPS, MapFilter, MapRequest, describe_filter, filter_projects, source_chapters
from .warnings import WarningMark, Warnings, warning_marks

__all__ = [
    "APP_TILES", "BASEMAPS", "CSS_ASSETS", "FILTERED_LAYER", "JS_ASSETS", "SIMPLIFY_ABOVE", "SIMPLIFY_TOLERANCE_DEG",
    "STATIC_DIR", "STATIC_URL", "FitNow", "HtmlControl", "MapFilter", "MapRequest", "MapResult", "Overlay",
    "SpecLayer", "build_map", "choropleth", "display_coverage", "fast_payload", "feature_collection",
    "describe_filter", "filter_projects", "legend_html", "map_html", "source_chapters", "visible_layers",
    "WarningMark", "Warnings", "warning_marks",
]
