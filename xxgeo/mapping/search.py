"""Place search on every map: a local index of the names on the map, searched in the page, no geocoder.

:func:`search_index` lists every named thing of the dataset the map is drawn from — townships, villages with a
location, parks, scenic sites, roads, projects and the ``places`` layer — with where to fly (a point and, for
areas and lines, their bounds) and the keys it is found by. The keys are made here with :mod:`xxgeo.names`
(裴介 = 裴介镇: a township is found by its short name; quotes and brackets ignored; a park by its aliases), so
the page only compares strings (static/xxgeo/xxgeo-search.js: exact, then prefix, then substring, then the
typed characters in order). The index is built from the dataset the map shows, which for the public is the
public's share only (:func:`xxgeo.policy.public_dataset`), so the kiosk map finds nothing internal.
"""

from __future__ import annotations

import folium
import pandas as pd
from jinja2 import Template

from ..i18n import tr
from ..jsembed import js_json
from ..names import _norm, short_village, township_short
from ..quality import PRECISE, exact_mask
from .areas import group_rows

#: the kinds of entry, in the order equally good matches are listed
KINDS = ("township", "park", "village", "scenic_sites", "places", "roads", "projects")
#: the layer each kind's entries come from, and its name column
_SOURCES = {"township": ("townships", "name"), "park": ("parks", "name"), "village": ("villages", "name"),
            "scenic_sites": ("scenic_sites", "name"), "places": ("places", "name"), "roads": ("roads", "name"),
            "projects": ("projects", "name")}


def search_key(text) -> str:
    """The form names are compared in: no spaces, quotes or brackets, lower case."""
    return _norm(text).lower()


def _text(v) -> str:
    """A cell as text; empty (None, NaN, "") as ""."""
    return "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)


def _keys(kind: str, row) -> list[str]:
    name = _text(row.get("name"))
    keys = [name]
    if kind == "township":
        keys.append(township_short(name))
        keys.append(_text(row.get("code")))
    elif kind == "park":
        keys += [a for a in _text(row.get("aliases")).split("；") if a]
        keys.append(_text(row.get("park_id")))
    elif kind == "village":
        keys += [short_village(name), _text(row.get("short_name"))]
    elif kind == "places":
        keys.append(_text(row.get("name_en")))
    elif kind == "projects":
        keys.append(_text(row.get("project_id")))
    elif kind == "roads":
        keys.append(_text(row.get("road_id")))
    out = []
    for k in keys:
        k = search_key(k)
        if k and k not in out:
            out.append(k)
    return out


def _where(geom, anchor=None) -> dict | None:
    if anchor is not None:
        return {"at": [round(anchor[0], 6), round(anchor[1], 6)]}
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Point",):
        return {"at": [round(geom.x, 6), round(geom.y, 6)]}
    p = geom.representative_point() if geom.geom_type != "MultiPoint" else geom.geoms[0]
    x0, y0, x1, y1 = geom.bounds
    return {"at": [round(p.x, 6), round(p.y, 6)],
            "bounds": [[round(y0, 6), round(x0, 6)], [round(y1, 6), round(x1, 6)]]}


def search_index(dataset, *, layers: set | None = None, lang: str = "zh", groups: list | None = None,
                 projects=None, limit: int = 5000) -> list[dict]:
    """Every searchable name of ``dataset``: ``{"n": name, "k": kind, "l": kind label, "keys": [...],
    "at": [lon, lat], "bounds": [[s, w], [n, e]] (areas and lines)}``.

    ``layers``: the store layers the map draws (a layer the role does not see is not indexed; townships and
    places are always indexed, they are where things are). ``projects``: the rows the map draws (default: the
    dataset's). A project drawn in a counted symbol (``groups``, :func:`xxgeo.mapping.areas.area_groups`) is
    found at its (first) symbol — a county-wide one at the county's — not at the spread point it is stored at;
    a project in neither is not indexed (it has no place to fly to). ``limit``: at most this many projects
    (a library of 100 000 is searched by the project filter, not by the map's box)."""
    out = []
    at_group = {}
    projects = dataset.get("projects") if projects is None else projects
    if groups and projects is not None and len(projects):
        where = {g["key"]: (g["lon"], g["lat"]) for g in groups}
        rows = group_rows(projects, dataset)
        ids = projects["project_id"].astype(str).to_numpy()
        for pos, key in zip(rows["pos"], rows["key"]):
            if key in where:
                at_group.setdefault(ids[pos], where[key])
    for kind in KINDS:
        layer, _col = _SOURCES[kind]
        if layers is not None and layer not in layers and kind not in ("township", "places"):
            continue
        df = projects if kind == "projects" else dataset.get(layer)
        if df is None or not len(df) or "name" not in df.columns:
            continue
        if kind == "projects":
            exact = exact_mask(df)
            ids = df["project_id"].astype(str) if "project_id" in df.columns else pd.Series("", index=df.index)
            keep = exact | ids.isin(at_group).to_numpy()
            if int(keep.sum()) > limit:
                continue
            df = df[keep]
        label = tr(f"search.kind_{kind}", lang)
        for row, geom in zip(df.drop(columns="geometry", errors="ignore").to_dict("records"), df.geometry):
            anchor = None
            if kind == "township" and pd.notna(row.get("seat_lon")) and row.get("seat_lon") is not None:
                anchor = (float(row["seat_lon"]), float(row["seat_lat"]))
            if kind == "projects" and not (geom is not None and row.get("loc_precision") in PRECISE):
                anchor = at_group.get(str(row.get("project_id")))
            where = _where(geom, anchor) if kind != "township" else _township_where(geom, anchor)
            if where is None:
                continue
            if not _text(row.get("name")):
                continue
            out.append({"n": _text(row["name"]), "k": kind, "l": label, "keys": _keys(kind, row), **where})
    return out


def _township_where(geom, anchor) -> dict | None:
    """A township flies to its whole cell (bounds) and marks its seat."""
    where = _where(geom)
    if where is None:
        return _where(None, anchor)
    if anchor is not None:
        where["at"] = [round(anchor[0], 6), round(anchor[1], 6)]
    return where


def search_words(lang: str) -> dict:
    """The words of the search box, in the map's language."""
    return {k: tr(f"search.{k}", lang) for k in ("placeholder", "none", "label", "hint")}


class SearchControl(folium.MacroElement):
    """The search box of a map: ``xxgeo.placeSearch(map, index, words)`` (static/xxgeo/xxgeo-search.js)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        xxgeo.placeSearch({{ this._parent.get_name() }}, {{ this.index_js }}, {{ this.words_js }});
        {% endmacro %}
    """)

    def __init__(self, index: list[dict], lang: str = "zh") -> None:
        super().__init__()
        self._name = "XxSearch"
        self.index_js = js_json(index)
        self.words_js = js_json(search_words(lang))
