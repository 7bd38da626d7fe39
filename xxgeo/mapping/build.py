"""Dataset + :class:`MapRequest` + layer specs -> :class:`MapResult`. Pure: no Streamlit, no I/O but reading
static assets (the data tiles of a large library are returned, never written here).

How each layer is drawn is declared in its spec (``[behaviour]`` in ``layers/*.toml``: fast canvas drawing,
coverage simplification, highlight, choropleth, drawn on request); nothing here names a layer but the one the
project filter selects (:data:`FILTERED_LAYER`). No tile layer is added unless a basemap is chosen; on a GCJ-02
basemap (高德, or a package added with ``--crs gcj02``) every overlay is shifted onto it, never the reverse.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import folium

from ..basemaps import provider
from ..crs import transform_gdf, wgs84_to_gcj02
from ..fastpoints import FastPointsLayer
from ..i18n import tr
from ..layerspec import HIGHLIGHT_PARAMS, ON_REQUEST, LayerSpec, load_specs
from ..legend import choropleth, legend_html
from ..policy import public_dataset
from ..provenance import source_label
from ..quality import exact_mask
from ..schema import LAYERS
from ..tiles import BUDGET as TILE_BUDGET
from ..tiles import TileSet, TileStore, tiled_payload
from .areas import AreaCountsLayer, area_groups, area_legend
from .assets import use_assets
from .basemap_layer import add_basemap
from .elements import FitNow, HtmlControl, SpecLayer
from .marks import image_layer, marks_layer
from .payload import display_coverage, fast_columns, fast_highlight, fast_payload, feature_collection, shapes, spec_json
from .request import MapRequest, filter_projects
from .search import SearchControl, search_index
from .warnings import add_warnings, context_layer, for_audience, light_items

#: the store layer whose rows a :class:`~xxgeo.mapping.MapFilter` selects (the filter is a project filter;
#: a layer spec cannot switch it off, so it cannot widen what the public sees)
FILTERED_LAYER = "projects"
#: the place search indexes the projects' names when the map carries at most this many (more: use the filter)
SEARCH_PROJECTS_MAX = 5000


@dataclass(frozen=True)
class MapResult:
    """A built map: the folium map, how many projects passed the filter and were drawn, the data tiles to
    publish (``None`` unless the projects were tiled) and, per drawn layer, {class value: count}."""

    map: folium.Map
    counts: dict = field(default_factory=dict)  # {"projects": passing the filter, "projects_drawn": with a place}
    tileset: TileSet | None = None
    present: dict = field(default_factory=dict)
    #: the counted symbols of projects known only to an area ({kind: number of symbols}) and how many projects
    #: they hold (``projects_in_areas``; a project of several townships counts once)
    areas: dict = field(default_factory=dict)

    def html(self) -> str:
        """The complete HTML page of the map."""
        return self.map.get_root().render()


def visible_layers(role: str, specs: dict | None = None) -> list[LayerSpec]:
    """Specs of the layers a role may see, in draw order."""
    specs = specs or load_specs()
    return [s for s in specs.values() if s.visible_to(role)]


def _highlight_id(spec: LayerSpec, request: MapRequest):
    param = spec.behaviour.highlight_param
    return request.field_value(HIGHLIGHT_PARAMS[param]) if param else None


def build_map(dataset, request: MapRequest | None = None, *, specs: dict | None = None,
              tiles: TileStore | None = None) -> MapResult:
    """Build the map ``request`` describes from ``dataset`` and the layer ``specs`` (default: layers/).

    ``tiles``: above ``xxgeo.tiles.BUDGET`` drawn points of a fast layer (more than one view ever fetches), send
    them as data tiles fetched by what is in view (:mod:`xxgeo.tiles`) instead of inside the page; the tile files
    to publish are in ``MapResult.tileset`` (nothing is written here). Without it (the exported file, the
    benchmark) the page carries every project. A map for the public (``request.role == "public"``) is drawn from
    the public's share of ``dataset`` only (:func:`xxgeo.policy.public_dataset`), whatever the caller passed.
    """
    req = request or MapRequest()
    flt = req.filter
    if req.role == "public":
        dataset = public_dataset(dataset)
    specs_list = visible_layers(req.role, specs)
    basemap = req.basemap_spec if req.basemap_spec is not None else provider(req.basemap)
    shift = basemap is not None and basemap.shifted

    def prep(g):
        if not hasattr(g, "geometry"):
            return g
        return transform_gdf(g, wgs84_to_gcj02) if shift and len(g) else g

    county = prep(dataset["county"])
    minx, miny, maxx, maxy = county.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=None,
                   prefer_canvas=True, control_scale=True, height=req.height, max_zoom=18)
    use_assets(m, req.assets)
    add_basemap(m, basemap, req.tianditu_key, req.lang)

    all_rows = dataset[FILTERED_LAYER]
    rows = filter_projects(all_rows, flt)
    warn = for_audience(req.warnings, req.role)
    if warn is not None:  # the warning map: its projects only, drawn by light (below), not by category
        rows = rows[rows["project_id"].astype(str).isin({w.project_id for w in warn.marks})]
    parks = dataset["parks"]
    lookups = {"park_id": dict(zip(parks["park_id"], parks["name"])), "source": _source_names(dataset, req.lang)}
    project_spec = next((s for s in specs_list if s.layer == FILTERED_LAYER), None)
    groups: list = []
    if project_spec is not None and project_spec.behaviour.area_counts:  # rough places: counted, not pinned
        groups = _shifted(area_groups(rows, dataset, lang=req.lang, highlight=req.highlight_project), shift)
        if warn is not None:
            groups = light_items(groups, warn, req.lang)
        rows_drawn = rows[exact_mask(rows)]
    else:
        rows_drawn = rows
    frames = {FILTERED_LAYER: prep(rows_drawn)}

    def frame(layer: str):
        if layer not in frames:
            frames[layer] = prep(dataset[layer])
        return frames[layer]

    # the initial view, set before any layer is added: each layer then draws once, for this view
    fit_bounds = [[miny, minx], [maxy, maxx]]
    sel = bx = None
    highlighted = [s for s in specs_list if _highlight_id(s, req) is not None]
    if highlighted:  # the most specific: the last in draw order (a project in its township)
        spec = highlighted[-1]
        g = frame(spec.layer)
        sel = g[g[LAYERS[spec.layer].id_field or "code"] == _highlight_id(spec, req)]
        lit = [grp for grp in groups if grp["highlight"] and grp["kind"] != "county"]
        if spec.layer == FILTERED_LAYER and sel.empty and lit:
            sel, bx = None, _group_bounds(lit)  # the highlighted project is in counted symbols: frame them
    elif req.fit == "selection" and 0 < len(rows) < len(all_rows):
        sel = frames[FILTERED_LAYER]
        sel = sel[sel.geometry.notna()]
        placed = [grp for grp in groups if grp["kind"] != "county"]  # the county's symbol frames nothing
        if placed:
            sel, bx = None, _group_bounds(placed, sel.total_bounds if len(sel) else None)
    if sel is not None and len(sel) and sel.geometry.notna().any():
        bx = sel.total_bounds
    if bx is not None:
        pad = 0.01
        fit_bounds = [[bx[1] - pad, bx[0] - pad], [bx[3] + pad, bx[2] + pad]]
    FitNow(fit_bounds).add_to(m)

    present: dict = {}
    chor_legend = None
    tileset = None
    for spec in specs_list:
        b = spec.behaviour
        if b.on_request and not req.field_value(ON_REQUEST[b.on_request]):
            continue
        if b.image_tiles:
            present[spec.layer] = image_layer(m, spec, req.constraint_tiles, req.lang)
            continue
        if warn is not None and spec.layer == FILTERED_LAYER:
            add_warnings(m, frame(spec.layer), warn, req.lang)
            continue
        gdf = frame(spec.layer)
        if warn is not None and not context_layer(gdf):  # the warning map: areas under the lights, nothing else
            continue
        extra: dict = {}
        if b.simplify == "coverage":
            gdf = display_coverage(gdf, b.simplify_tolerance, b.simplify_above)
        if b.choropleth and req.overlay is not None:
            extra, chor_legend = choropleth(req.overlay, gdf, req.lang)
        hid = _highlight_id(spec, req)
        if hid:
            extra.setdefault(hid, {})["_highlight"] = True
            if b.highlight_popup:
                extra[hid]["_open"] = True
        drawn = int(gdf.geometry.notna().sum())
        if b.fast_above is not None and drawn > b.fast_above:
            present[spec.layer] = gdf[spec.class_field].value_counts().to_dict()
            if tiles is not None and drawn > TILE_BUDGET:
                payload, tileset = tiled_payload(*fast_columns(gdf, spec, lookups, req.lang), store=tiles)
                payload = {**payload, "lang": req.lang}
            else:
                payload = fast_payload(gdf, spec, lookups, req.lang)
            if hid:
                payload["highlight"] = fast_highlight(gdf, spec, hid, lookups, popup=b.highlight_popup,
                                                      lang=req.lang)
            FastPointsLayer(payload, name=spec.title_for(req.lang), show=spec.default_on, lang=req.lang).add_to(m)
            outlines = shapes(gdf)  # areas and lines, each also a point of the layer above: drawn as they are too
            if 0 < len(outlines) <= b.fast_above:
                fc = feature_collection(outlines, spec, extra=extra, lookups=lookups, lang=req.lang)
                SpecLayer(fc, spec_json(spec, req.lang), name=tr("areas.footprints", req.lang,
                                                                 layer=spec.title_for(req.lang)),
                          lang=req.lang, show=spec.default_on).add_to(m)
            continue
        fc = feature_collection(gdf, spec, extra=extra, lookups=lookups, lang=req.lang)
        if not fc["features"] and not b.keep_empty:
            continue
        present[spec.layer] = (gdf[spec.class_field].value_counts().to_dict()
                               if spec.class_field and len(gdf) else {})
        SpecLayer(fc, spec_json(spec, req.lang), name=spec.title_for(req.lang), lang=req.lang,
                  show=spec.default_on).add_to(m)
    if groups and not present.get(FILTERED_LAYER):  # no pin at all: the legend lists the counted symbols only
        present.pop(FILTERED_LAYER, None)
    if groups:
        AreaCountsLayer(groups, name=tr("areas.title", req.lang), lang=req.lang,
                        show=project_spec.default_on).add_to(m)
    if req.marks:
        marks_layer(m, dataset[FILTERED_LAYER], req.marks, prep, req.lang)
    folium.LayerControl(collapsed=req.compact, position="topright").add_to(m)
    drawn_layers = {s.layer for s in specs_list}
    index = search_index(dataset, layers=drawn_layers, lang=req.lang, groups=groups, projects=rows,
                         limit=0 if tileset is not None else SEARCH_PROJECTS_MAX)  # tiled: names stay in the tiles
    SearchControl(_shifted(index, shift), lang=req.lang).add_to(m)

    note = tr("areas.note" if groups else "areas.note_plain", req.lang)
    HtmlControl(legend_html(specs_list, lang=req.lang, present=present, choropleth=chor_legend, note=note,
                            open_=not req.compact or chor_legend is not None,
                            extra=area_legend(groups, req.lang))).add_to(m)
    if req.title:
        HtmlControl(html.escape(req.title), position="topleft", css_class="xx-title").add_to(m)

    counts = {"projects": len(rows), "projects_drawn": int(rows.geometry.notna().sum())}
    areas = {}
    for g in groups:
        areas[g["kind"]] = areas.get(g["kind"], 0) + 1
    if groups:
        areas["projects_in_areas"] = int((~exact_mask(rows)).sum())
    return MapResult(map=m, counts=counts, tileset=tileset, present=present, areas=areas)


def _group_bounds(groups: list, also=None) -> list:
    """[minx, miny, maxx, maxy] around the counted symbols (and ``also``, a bounds array)."""
    xs = [g["lon"] for g in groups] + ([also[0], also[2]] if also is not None else [])
    ys = [g["lat"] for g in groups] + ([also[1], also[3]] if also is not None else [])
    return [min(xs), min(ys), max(xs), max(ys)]


def _shifted(items: list, shift: bool) -> list:
    """Counted symbols or search entries moved onto a GCJ-02 basemap (``shift``), or as they are."""
    if not shift:
        return items
    out = []
    for it in items:
        it = dict(it)
        if "lon" in it:
            it["lon"], it["lat"] = (round(v, 6) for v in wgs84_to_gcj02(it["lon"], it["lat"]))
        if "at" in it:
            it["at"] = [round(v, 6) for v in wgs84_to_gcj02(*it["at"])]
        if "bounds" in it:
            (s, w), (n, e) = it["bounds"]
            (w, e), (s, n) = wgs84_to_gcj02([w, e], [s, n])
            it["bounds"] = [[round(float(s), 6), round(float(w), 6)], [round(float(n), 6), round(float(e), 6)]]
        out.append(it)
    return out


def map_html(result: MapResult | folium.Map) -> str:
    """The complete HTML page of a map (a :class:`MapResult` or a bare folium map)."""
    m = result.map if isinstance(result, MapResult) else result
    return m.get_root().render()


def _source_names(dataset, lang: str) -> dict:
    """Popups name a layer's ``source`` for people (维基百科, 国家统计局…), not its technical provenance."""
    raw = set()
    for layer in ("county", "townships", "villages", "places"):
        df = dataset.get(layer)
        if df is not None and "source" in df.columns:
            raw.update(str(v) for v in df["source"].dropna().unique())
    return {v: source_label(v, lang) for v in raw}
