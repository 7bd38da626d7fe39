"""What a layer sends to the page: GeoJSON carrying only the fields its spec shows, the compact columns of a
fast point layer, and polygon coverages simplified for display."""

from __future__ import annotations

from shapely.geometry import mapping as shp_mapping

from ..fastpoints import encode
from ..layerspec import Behaviour, LayerSpec
from ..parcels import numbers
from ..schema import LAYERS, is_empty
from ..vocab import BOUNDARY_ZH, bool_word, boundary_text, label_text, precision_label, unit_text, value_en

#: Above this many vertices a polygon coverage is simplified for display (the spec's ``simplify_above``).
SIMPLIFY_ABOVE = Behaviour.simplify_above
SIMPLIFY_TOLERANCE_DEG = Behaviour.simplify_tolerance  # ~20 m, below what a county or township map can show
BOUNDARY_QUALITY_LABELS = BOUNDARY_ZH
#: fields whose stored values are Chinese codes (shown in English through xxgeo.vocab on an English map)
CODE_FIELDS = frozenset({"category", "status", "kind", "grade", "road_class", "work_type", "nature"})


def display_value(v, kind: str, lang: str = "zh"):
    """A stored value as shown in a tooltip or popup (numbers unpadded, booleans 是/否, empty as None)."""
    if is_empty(v):
        return None
    if kind in ("int", "year"):
        return int(v)
    if kind == "float":
        f = float(v)
        return int(f) if f.is_integer() else round(f, 3)
    if kind == "bool":
        return bool_word(v, lang)
    return str(v)


def shown_value(name: str, v, lang: str = "zh"):
    """A display value of field ``name`` in ``lang``: precision and boundary codes as labels, code lists
    (category, status, kind …) in English on an English map; names and plan text unchanged."""
    if v is None:
        return None
    if name == "loc_precision":
        return precision_label(v, lang)
    if name == "boundary_quality":
        return boundary_text(v, lang)
    return value_en(v) if lang == "en" and name in CODE_FIELDS else v


def field_rows(fs, lang: str = "zh") -> list:
    """[[name, label, unit], …] of tooltip/popup fields, labels and units in ``lang``."""
    return [[f.name, label_text(f.label, lang), unit_text(f.unit, lang)] for f in fs]


def spec_json(spec: LayerSpec, lang: str) -> dict:
    """The part of a layer spec the page's ``xxgeo.specLayer`` draws with (class keys as the features carry
    them: in English on an English map; a numbered layer labels its features with their numbers)."""
    classes = {shown_value(spec.class_field, k, lang): v for k, v in spec.classes.items()}
    label = "_no" if spec.behaviour.numbered else spec.label_field
    return {"layer": spec.layer, "style": spec.style, "classes": classes, "class_field": spec.class_field,
            "label_field": label, "tooltip": field_rows(spec.tooltip, lang),
            "popup": field_rows(spec.popup, lang), "interactive": spec.interactive}


def feature_collection(gdf, spec: LayerSpec, *, extra: dict | None = None, lookups: dict | None = None,
                       lang: str = "zh") -> dict:
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
    precision = spec.behaviour.precision_label
    nums = numbers(gdf) if spec.behaviour.numbered else {}
    labelled = bool(spec.label_field or nums)
    feats = []
    for row in gdf.itertuples(index=False):
        g = row.geometry
        if g is None or g.is_empty:
            continue
        r = row._asdict()
        props = {}
        for n in names:
            v = display_value(r.get(n), kinds[n], lang)
            if n in lookups and v is not None:
                v = lookups[n].get(v, v)
            props[n] = shown_value(n, v, lang)
        fid = str(r.get(idf)) if idf else None
        props["_id"] = fid
        if r.get("boundary_quality") == "schematic":
            props["_schematic"] = True
        if precision and r.get("loc_precision") not in (None, "surveyed"):
            props["_precision_label"] = precision_label(r.get("loc_precision"), lang) or ""
        if extra and fid in extra:
            props.update(extra[fid])
        if nums:
            props["_no"] = str(nums.get(fid, ""))
        if labelled and g.geom_type in ("Polygon", "MultiPolygon"):
            p = g.representative_point()
            props["_label_at"] = [round(p.x, 6), round(p.y, 6)]
        feats.append({"type": "Feature", "properties": props, "geometry": _round_geom(shp_mapping(g))})
    return {"type": "FeatureCollection", "features": feats}


def fast_columns(gdf, spec: LayerSpec, lookups: dict | None = None, lang: str = "zh") -> tuple:
    """The arguments of :func:`xxgeo.fastpoints.encode` for a point layer (multi-points exploded, each part
    carrying its row's values; an area or a line drawn at a point on it, :func:`as_points`)."""
    lay = LAYERS[spec.layer]
    pts = as_points(gdf[gdf.geometry.notna()]).explode(index_parts=False)
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
            s = s.map({v: display_value(v, kind, lang) for v in s.dropna().unique()})
        mapping = lookups.get(f.name)
        if mapping:
            s = s.map(lambda v, m=mapping: m.get(v, v))
        s = s.map({v: shown_value(f.name, v, lang) for v in s.dropna().unique()})
        cols[f.name] = s.astype(object).where(s.notna(), "").astype(str).tolist()
    shown = [shown_value(spec.class_field, c, lang) for c in classes] + ["other" if lang == "en" else "其他"]
    return (pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy(), cat_idx.to_numpy(), shown,
            colors, cols, field_rows(fields, lang))


def fast_highlight(gdf, spec: LayerSpec, feature_id: str, lookups: dict | None = None, *,
                   popup: bool = True, lang: str = "zh") -> dict | None:
    """The one highlighted feature of a fast point layer, sent with the page whatever the library's size (its
    tile may not be fetched yet): its points (a multi-point project is ringed at each of its places; the popup
    opens at the first) and, when ``popup``, its popup fields and display values.
    ``None`` when the id is not among the drawn rows (filtered out, or without a place)."""
    idf = LAYERS[spec.layer].id_field
    one = gdf[(gdf[idf].astype(str) == str(feature_id)) & gdf.geometry.notna()] if idf else gdf.iloc[:0]
    if one.empty or one.geometry.iloc[0].is_empty:
        return None
    lon, lat, _cat, _names, _colors, cols, fields = fast_columns(one.iloc[:1], spec, lookups, lang)
    if not len(lon):
        return None
    out = {"id": str(feature_id), "lon": round(float(lon[0]), 6), "lat": round(float(lat[0]), 6),
           "points": [[round(float(x), 6), round(float(y), 6)] for x, y in zip(lon, lat)]}
    if popup:
        out.update(fields=fields, values=[cols[f[0]][0] for f in fields])
    return out


def shapes(gdf):
    """The rows of ``gdf`` whose geometry is an area or a line (not a point or a multi-point)."""
    return gdf[gdf.geometry.notna() & ~gdf.geom_type.isin(_POINT_TYPES)]


def as_points(gdf):
    """``gdf`` with each area or line replaced by a point on it (``shapely.point_on_surface``): a project's
    footprint among thousands of points is drawn, counted and found as one of them."""
    import shapely

    other = gdf.geometry.notna() & ~gdf.geom_type.isin(_POINT_TYPES)
    if not other.any():
        return gdf
    geoms = gdf.geometry.values.copy()
    geoms[other.to_numpy()] = shapely.point_on_surface(geoms[other.to_numpy()])
    return gdf.set_geometry(geoms)


_POINT_TYPES = ("Point", "MultiPoint")


def fast_payload(gdf, spec: LayerSpec, lookups: dict | None = None, lang: str = "zh") -> dict:
    """The compact payload of a point layer (multi-points exploded, each part carrying its row's values)."""
    return encode(*fast_columns(gdf, spec, lookups, lang))  # the layer element adds the map's language


def display_coverage(gdf, tolerance: float = SIMPLIFY_TOLERANCE_DEG, above: int = SIMPLIFY_ABOVE):
    """The polygons of a coverage (cells that tile an area) simplified together, so shared edges stay shared:
    no gap and no overlap appears between neighbours (``shapely.coverage_simplify``). Layers of at most
    ``above`` vertices are returned as they are."""
    import shapely

    geoms = gdf.geometry.values
    if len(gdf) < 2 or int(shapely.get_num_coordinates(geoms).sum()) <= above:
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
