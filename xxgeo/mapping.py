"""Dataset + filter + layer specs -> ``folium.Map``. Pure: no Streamlit, no I/O but reading static assets.

The same function serves the app (assets from Streamlit's static serving) and ``python -m xxgeo map``
(assets inlined: one self-contained file that draws with no network). No tile layer is added unless a
basemap is chosen; with 高德 (GCJ-02) every overlay is shifted onto the basemap, never the reverse.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import mapping as shp_mapping

from .crs import transform_gdf, wgs84_to_gcj02
from .fastpoints import FastPointsLayer, encode
from .jsembed import js_json
from .layerspec import LayerSpec, load_specs
from .legend import Overlay, choropleth, legend_html
from .schema import LAYERS, LOC_PRECISION_LABELS, is_empty
from .tiles import BUDGET as TILE_BUDGET
from .tiles import TileStore, tiled_payload

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_URL = "/app/static"  # Streamlit's static file serving (server.enableStaticServing)
JS_ASSETS = (("leaflet", "vendor/leaflet/leaflet.js"), ("xxgeo", "xxgeo/xxgeo-map.js"),
             ("xxgeo_fast", "xxgeo/xxgeo-fastpoints.js"))
#: Above this many drawn projects the projects layer is sent compactly and drawn on one canvas.
FAST_THRESHOLD = 2000
#: The app's data tiles: written under static/ and served by Streamlit at /app/static (see xxgeo.tiles).
APP_TILES = TileStore(STATIC_DIR / "xxgeo" / "tiles", f"{STATIC_URL}/xxgeo/tiles")
CSS_ASSETS = (("leaflet_css", "vendor/leaflet/leaflet.css"), ("xxgeo_css", "xxgeo/xxgeo-map.css"))

BASEMAPS = {
    "none": ("无底图（离线）", "None (offline)"),
    "tianditu": ("天地图（需密钥）", "Tianditu (key needed)"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "amap": ("高德地图（GCJ-02）", "Amap (GCJ-02)"),
}


@dataclass(frozen=True)
class MapFilter:
    """What subset of projects to show. Empty tuples mean "all"."""

    townships: tuple = ()  # 9-digit codes
    categories: tuple = ()
    statuses: tuple = ()
    sources: tuple = ()  # source_ref prefixes, e.g. 专栏6-2 or 第九章
    invest_min: float | None = None
    invest_max: float | None = None
    text: str = ""
    public_only: bool = False
    park: str | None = None


def filter_projects(projects: pd.DataFrame, f: MapFilter) -> pd.DataFrame:
    """Rows of ``projects`` that pass the filter (a multi-township project matches any of its townships)."""
    m = np.ones(len(projects), dtype=bool)
    if f.public_only:
        m &= projects["public"].fillna(False).astype(bool).to_numpy()
    if f.townships:
        codes = projects["township_codes"].fillna(projects["township_code"]).fillna("")
        want = set(f.townships)
        m &= codes.map(lambda s: bool(want.intersection(s.split(";")))).astype(bool).to_numpy()
    if f.categories:
        m &= projects["category"].isin(f.categories).to_numpy()
    if f.statuses:
        m &= projects["status"].isin(f.statuses).to_numpy()
    if f.sources:
        refs = projects["source_ref"].fillna("")
        m &= refs.map(lambda s: any(_ref_matches(s, x) for x in f.sources)).to_numpy()
    if f.invest_min is not None:
        m &= (projects["investment_wan"] >= f.invest_min).fillna(False).to_numpy()
    if f.invest_max is not None:
        m &= (projects["investment_wan"] <= f.invest_max).fillna(False).to_numpy()
    if f.park:
        m &= (projects["park_id"] == f.park).fillna(False).to_numpy()
    if f.text.strip():
        q = f.text.strip().lower()
        hay = (projects["name"].fillna("") + " " + projects["project_id"].fillna("")).str.lower()
        m &= hay.str.contains(q, regex=False).to_numpy()
    return projects[m]


def _ref_matches(refs: str, want: str) -> bool:
    return any(r.strip() == want or r.strip().startswith(want) for r in re.split(r"[;；]", refs))


def source_chapters(projects: pd.DataFrame) -> list[str]:
    """The distinct source references (专栏 first, then chapters) for a filter list."""
    refs = set()
    for s in projects["source_ref"].dropna():
        refs.update(r.strip() for r in re.split(r"[;；]", s) if r.strip())
    return sorted(refs, key=lambda r: (not r.startswith("专栏"), _natural(r)))


def _natural(s: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


# --------------------------------------------------------------------------- payloads
def _display(v, kind: str):
    if is_empty(v):
        return None
    if kind in ("int", "year"):
        return int(v)
    if kind == "float":
        f = float(v)
        return int(f) if f.is_integer() else round(f, 3)
    if kind == "bool":
        return "是" if bool(v) else "否"
    return str(v)


def _spec_json(spec: LayerSpec, lang: str) -> dict:
    def fields(fs):
        return [[f.name, f.label, f.unit] for f in fs]

    return {"layer": spec.layer, "style": spec.style, "classes": spec.classes, "class_field": spec.class_field,
            "label_field": spec.label_field, "tooltip": fields(spec.tooltip), "popup": fields(spec.popup),
            "interactive": spec.interactive}


def feature_collection(gdf, spec: LayerSpec, *, extra: dict | None = None, lookups: dict | None = None) -> dict:
    """GeoJSON of the rows with geometry, carrying only the fields the spec shows (as display values).

    ``extra``: per-row extra properties keyed by id (``_fill``, ``_highlight`` …); ``lookups``: field ->
    {code: label} to show names instead of codes (e.g. park_id -> park name).
    """
    lay = LAYERS[spec.layer]
    names = {f.name for f in spec.popup + spec.tooltip}
    for n in (spec.class_field, spec.label_field):
        if n:
            names.add(n)
    names = [n for n in names if n in gdf.columns]
    kinds = {n: (lay.field(n).kind if n in lay.field_names else "str") for n in names}
    idf = lay.id_field or ("code" if "code" in gdf.columns else None)
    lookups = lookups or {}
    feats = []
    for row in gdf.itertuples(index=False):
        g = row.geometry
        if g is None or g.is_empty:
            continue
        r = row._asdict()
        props = {}
        for n in names:
            v = _display(r.get(n), kinds[n])
            if n in lookups and v is not None:
                v = lookups[n].get(v, v)
            if n == "loc_precision" and v is not None:
                v = LOC_PRECISION_LABELS.get(v, v)
            if n == "boundary_quality" and v is not None:
                v = {"schematic": "示意（非法定界线）", "official": "法定/正式边界"}.get(v, v)
            props[n] = v
        fid = str(r.get(idf)) if idf else None
        props["_id"] = fid
        if r.get("boundary_quality") == "schematic":
            props["_schematic"] = True
        if spec.layer in ("projects", "scenic_sites") and r.get("loc_precision") not in (None, "surveyed"):
            props["_precision_label"] = LOC_PRECISION_LABELS.get(r.get("loc_precision"), "")
        if extra and fid in extra:
            props.update(extra[fid])
        if spec.label_field and g.geom_type in ("Polygon", "MultiPolygon"):
            p = g.representative_point()
            props["_label_at"] = [round(p.x, 6), round(p.y, 6)]
        feats.append({"type": "Feature", "properties": props, "geometry": _round_geom(shp_mapping(g))})
    return {"type": "FeatureCollection", "features": feats}


def _fast_columns(gdf, spec: LayerSpec, lookups: dict | None = None) -> tuple:
    """The arguments of :func:`xxgeo.fastpoints.encode` for a point layer (multi-points exploded, each part
    carrying its row's values)."""
    lay = LAYERS[spec.layer]
    pts = gdf[gdf.geometry.notna()].explode(index_parts=False)
    pts = pts[~pts.geometry.is_empty]
    classes = list(spec.classes)
    cat_idx = pts[spec.class_field].map({c: i for i, c in enumerate(classes)}).fillna(len(classes)).astype(int)
    colors = [spec.classes[c].get("fill_color", "#888") for c in classes] + ["#888888"]
    lookups = lookups or {}
    fields = [f for f in spec.popup if f.name in pts.columns]
    cols = {}
    for f in fields:
        kind = lay.field(f.name).kind if f.name in lay.field_names else "str"
        s = pts[f.name]
        if kind in ("int", "year", "float", "bool"):  # few distinct values: format each once
            s = s.map({v: _display(v, kind) for v in s.dropna().unique()})
        mapping = lookups.get(f.name) or (LOC_PRECISION_LABELS if f.name == "loc_precision" else None)
        if mapping:
            s = s.map(lambda v, m=mapping: m.get(v, v))
        cols[f.name] = s.astype(object).where(s.notna(), "").astype(str).tolist()
    return (pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy(), cat_idx.to_numpy(), classes + ["其他"],
            colors, cols, [[f.name, f.label, f.unit] for f in fields])


def fast_payload(gdf, spec: LayerSpec, lookups: dict | None = None) -> dict:
    """The compact payload of a point layer (multi-points exploded, each part carrying its row's values)."""
    return encode(*_fast_columns(gdf, spec, lookups))


#: Above this many vertices a polygon coverage (the townships) is simplified for display.
SIMPLIFY_ABOVE = 5000
SIMPLIFY_TOLERANCE_DEG = 0.0002  # ~20 m, below what a county or township map can show


def display_coverage(gdf, tolerance: float = SIMPLIFY_TOLERANCE_DEG):
    """The polygons of a coverage (cells that tile an area) simplified together, so shared edges stay shared:
    no gap and no overlap appears between neighbours (``shapely.coverage_simplify``). Small layers are
    returned as they are."""
    import shapely

    geoms = gdf.geometry.values
    if len(gdf) < 2 or int(shapely.get_num_coordinates(geoms).sum()) <= SIMPLIFY_ABOVE:
        return gdf
    if not shapely.coverage_is_valid(geoms):  # e.g. imported boundaries that overlap: simplify each alone
        return gdf.set_geometry(shapely.simplify(geoms, tolerance, preserve_topology=True))
    return gdf.set_geometry(shapely.coverage_simplify(geoms, tolerance))


def _round_geom(gj: dict, nd: int = 6) -> dict:
    def rnd(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(c[0], nd), round(c[1], nd)]
        return [rnd(x) for x in c]

    return {"type": gj["type"], "coordinates": rnd(gj["coordinates"])}


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


# --------------------------------------------------------------------------- assets
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


def _use_assets(m: folium.Map, assets: str) -> None:
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


def _add_basemap(m: folium.Map, basemap: str, tianditu_key: str | None) -> None:
    if basemap == "none":
        return
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    elif basemap == "amap":
        folium.TileLayer(
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            attr="© 高德地图（GCJ-02；叠加要素已偏移至 GCJ-02）", name="高德", subdomains="1234", control=False,
        ).add_to(m)
    elif basemap == "tianditu":
        if not tianditu_key:
            return
        for lyr in ("vec", "cva"):
            folium.TileLayer(
                f"https://t{{s}}.tianditu.gov.cn/{lyr}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={lyr}"
                f"&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tianditu_key}",
                attr="© 天地图", name=f"天地图{lyr}", subdomains="01234567", control=False,
            ).add_to(m)
    else:
        raise ValueError(f"unknown basemap {basemap!r}")


# --------------------------------------------------------------------------- the map
def visible_layers(role: str, specs: dict | None = None) -> list:
    """Specs of the layers a role may see, in draw order."""
    specs = specs or load_specs()
    return [s for s in specs.values() if s.visible_to(role)]


def build_map(dataset, flt: MapFilter | None = None, *, specs: dict | None = None, role: str = "editor",
              lang: str = "zh", basemap: str = "none", overlay: Overlay | None = None,
              highlight_township: str | None = None, highlight_park: str | None = None,
              fit: str = "selection", assets: str = "static", tianditu_key: str | None = None,
              show_villages: bool = False, title: str | None = None, height: str | int = "100%",
              compact: bool = False, tiles: TileStore | None = None) -> folium.Map:
    """Build the map. ``role='public'`` forces public-only projects and hides internal layers.

    ``fit``: 'county', 'selection' (the filtered projects or highlighted township/park) — the initial view.
    ``compact``: legend folded and layer control collapsed (small maps in the app).
    ``tiles``: above ``xxgeo.tiles.BUDGET`` drawn projects (more than one view ever fetches), send them as data
    tiles fetched by what is in view (:mod:`xxgeo.tiles`) instead of inside the page; the tile files to publish
    are in ``m.xx_tileset`` (nothing is written here). Without it (the exported file, the benchmark) the page
    carries every project.
    """
    flt = flt or MapFilter()
    if role == "public" and not flt.public_only:
        flt = MapFilter(**{**flt.__dict__, "public_only": True})
    specs_list = visible_layers(role, specs)
    shift = basemap == "amap"

    def prep(name):
        g = dataset[name]
        if not hasattr(g, "geometry"):
            return g
        return transform_gdf(g, wgs84_to_gcj02) if shift else g

    county = prep("county")
    minx, miny, maxx, maxy = county.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=None,
                   prefer_canvas=True, control_scale=True, height=height, max_zoom=18)
    _use_assets(m, assets)
    _add_basemap(m, basemap, tianditu_key)

    projects = filter_projects(dataset["projects"], flt)
    parks = dataset["parks"]
    lookups = {"park_id": dict(zip(parks["park_id"], parks["name"]))}
    fit_bounds = [[miny, minx], [maxy, maxx]]
    # the initial view, set before any layer is added: each layer then draws once, for this view
    sel = None
    if highlight_township is not None:
        t = prep("townships")
        sel = t[t["code"] == highlight_township]
    elif highlight_park is not None:
        p = prep("parks")
        sel = p[p["park_id"] == highlight_park]
    elif fit == "selection" and 0 < len(projects) < len(dataset["projects"]):
        sel = projects[projects.geometry.notna()]
        if shift and len(sel):
            sel = transform_gdf(sel, wgs84_to_gcj02)
    if sel is not None and len(sel) and sel.geometry.notna().any():
        bx = sel.total_bounds
        pad = 0.01
        fit_bounds = [[bx[1] - pad, bx[0] - pad], [bx[3] + pad, bx[2] + pad]]
    FitNow(fit_bounds).add_to(m)
    present: dict = {}
    chor_legend = None
    tileset = None
    for spec in specs_list:
        if spec.layer == "villages" and not show_villages:
            continue
        gdf = prep(spec.layer) if spec.layer != "projects" else (
            transform_gdf(projects, wgs84_to_gcj02) if shift else projects)
        extra = {}
        if spec.layer == "townships":
            gdf = display_coverage(gdf)
            if overlay is not None:
                extra, chor_legend = choropleth(overlay, gdf)
            if highlight_township:
                extra.setdefault(highlight_township, {})["_highlight"] = True
        if spec.layer == "parks" and highlight_park:
            extra.setdefault(highlight_park, {})["_highlight"] = True
        if spec.layer == "projects" and int(gdf.geometry.notna().sum()) > FAST_THRESHOLD:
            present[spec.layer] = gdf[spec.class_field].value_counts().to_dict()
            if tiles is not None and int(gdf.geometry.notna().sum()) > TILE_BUDGET:
                payload, tileset = tiled_payload(*_fast_columns(gdf, spec, lookups), store=tiles)
            else:
                payload = fast_payload(gdf, spec, lookups)
            FastPointsLayer(payload, name=spec.title_for(lang), show=spec.default_on).add_to(m)
            continue
        fc = feature_collection(gdf, spec, extra=extra, lookups=lookups)
        if not fc["features"] and spec.layer not in ("projects",):
            continue
        counts = gdf[spec.class_field].value_counts().to_dict() if spec.class_field and len(gdf) else {}
        present[spec.layer] = counts
        SpecLayer(fc, _spec_json(spec, lang), name=spec.title_for(lang), lang=lang,
                  show=spec.default_on).add_to(m)
    folium.LayerControl(collapsed=compact, position="topright").add_to(m)

    note = ("乡镇界为示意，非法定界线；项目位置按规划表述标注到园区或乡镇示意点，非实测位置。"
            if lang != "en" else "Township boundaries are schematic; project points sit at park or township "
            "points as the plan states them, not surveyed sites.")
    HtmlControl(legend_html(specs_list, lang=lang, present=present, choropleth=chor_legend, note=note,
                            open_=not compact or chor_legend is not None)).add_to(m)
    if title:
        HtmlControl(html.escape(title), position="topleft", css_class="xx-title").add_to(m)

    m.xx_counts = {"projects": len(projects), "projects_drawn": int(projects.geometry.notna().sum())}
    m.xx_tileset = tileset
    return m


def map_html(m: folium.Map) -> str:
    """The complete HTML page of a map."""
    return m.get_root().render()
