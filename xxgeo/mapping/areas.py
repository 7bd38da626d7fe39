"""Projects known only to an area, drawn as one counted symbol per area instead of pins that look exact.

:func:`area_groups` sorts the projects that are not exact (:func:`xxgeo.quality.exact_mask`) into groups: a
park-precision project goes to its park, a village-precision one with a point to that village point, every
other one (township precision, an unknown or rough code) to each of its townships, and a project with no
township to the county. Each group is drawn by ``xxgeo.areaCounts`` (static/xxgeo/xxgeo-areas.js) as a
circle with the count at the park / village / township seat / county, which opens the list of its projects.
Vectorised, so a library of 100 000 rough projects groups as fast as a small one.
"""

from __future__ import annotations

import html

import folium
import numpy as np
import pandas as pd
from jinja2 import Template

from ..i18n import tr
from ..jsembed import js_json
from ..quality import exact_mask
from ..vocab import precision_label

#: how many project names a symbol's list carries (the rest are counted: "… and N more")
LISTED = 60
#: group kinds in drawing order (the county below the townships, parks and villages above)
KINDS = ("county", "township", "village", "park")


def _kind_of(rough: pd.DataFrame, park_ids: set) -> np.ndarray:
    prec = rough["loc_precision"].astype(object).to_numpy() if "loc_precision" in rough.columns \
        else np.full(len(rough), None, dtype=object)
    park = rough["park_id"].isin(park_ids).to_numpy() if "park_id" in rough.columns else np.zeros(len(rough), bool)
    geom = rough.geometry.notna().to_numpy()
    kind = np.full(len(rough), "township", dtype=object)
    kind[(prec == "village") & geom] = "village"
    kind[(prec == "park") & park] = "park"
    return kind


def _townships_of(rough: pd.DataFrame) -> pd.Series:
    codes = rough["township_codes"] if "township_codes" in rough.columns else pd.Series(None, index=rough.index)
    one = rough["township_code"] if "township_code" in rough.columns else pd.Series(None, index=rough.index)
    return codes.fillna(one).fillna("").astype(str)


def group_rows(projects: pd.DataFrame, dataset) -> pd.DataFrame:
    """(row position, group key, kind) of every project that is not exact; a project of several townships has
    one row per township. Keys: ``park:<id>``, ``village:<x>,<y>``, ``township:<code>``, ``county``."""
    rough = projects[~exact_mask(projects)]
    if not len(rough):
        return pd.DataFrame({"pos": [], "key": [], "kind": []})
    pos = np.flatnonzero(~exact_mask(projects))
    parks = dataset.get("parks")
    park_ids = set(parks["park_id"]) if parks is not None and len(parks) else set()
    kind = _kind_of(rough, park_ids)
    key = np.empty(len(rough), dtype=object)
    sel = kind == "park"
    key[sel] = "park:" + rough["park_id"].to_numpy()[sel].astype(str)
    sel = kind == "village"
    if sel.any():
        pts = rough.geometry[sel].representative_point()
        key[sel] = [f"village:{p.x:.5f},{p.y:.5f}" for p in pts]
    base = pd.DataFrame({"pos": pos, "key": key, "kind": kind})
    town = base[base["kind"] == "township"].copy()
    town["codes"] = _townships_of(rough).to_numpy()[base["kind"].to_numpy() == "township"]
    known = set(dataset["townships"]["code"].astype(str)) if "townships" in dataset.layers else set()
    town = town.assign(code=town["codes"].str.split(";")).explode("code")
    town = town[town["code"].isin(known)] if known else town.iloc[:0]
    county = base[(base["kind"] == "township") & ~base["pos"].isin(town["pos"])].assign(key="county", kind="county")
    town = town.assign(key="township:" + town["code"]).drop(columns=["codes", "code"])
    return pd.concat([base[base["kind"] != "township"], town, county], ignore_index=True)


def _anchors(dataset, keys: list[str], lang: str) -> dict:
    """key -> (lon, lat, name) of each group's symbol."""
    out = {}
    t = dataset["townships"] if "townships" in dataset.layers else None
    if t is not None and len(t):
        for code, name, lon, lat, g in zip(t["code"], t["name"], t.get("seat_lon", [None] * len(t)),
                                           t.get("seat_lat", [None] * len(t)), t.geometry):
            if lon is None or pd.isna(lon):
                if g is None:
                    continue
                p = g.representative_point()
                lon, lat = p.x, p.y
            out[f"township:{code}"] = (float(lon), float(lat), str(name))
    parks = dataset.get("parks")
    if parks is not None and len(parks):
        for pid, name, g in zip(parks["park_id"], parks["name"], parks.geometry):
            if g is not None and not g.is_empty:
                p = g.representative_point()
                out[f"park:{pid}"] = (p.x, p.y, str(name))
    county = dataset.get("county")
    if county is not None and len(county) and county.geometry.iloc[0] is not None:
        p = county.geometry.iloc[0].representative_point()
        out["county"] = (p.x, p.y, tr("areas.county", lang))
    for k in keys:
        if k.startswith("village:"):
            x, y = (float(v) for v in k[len("village:"):].split(","))
            out[k] = (x, y, "")
    return out


def area_groups(projects: pd.DataFrame, dataset, *, lang: str = "zh", highlight: str | None = None,
                listed: int = LISTED) -> list[dict]:
    """The counted symbols: one dict per area with ``key``, ``kind``, ``name``, ``lon``, ``lat``, ``n``
    (projects), ``items`` ([[id, name, precision label]], at most ``listed``, the highlighted project first),
    ``more`` (how many are not listed) and ``highlight`` (the highlighted project is in it)."""
    rows = group_rows(projects, dataset)
    if not len(rows):
        return []
    ids = projects["project_id"].astype(str).to_numpy() if "project_id" in projects.columns \
        else np.arange(len(projects)).astype(str)
    names = projects["name"].fillna("").astype(str).to_numpy()
    precs = projects["loc_precision"].to_numpy() if "loc_precision" in projects.columns \
        else np.full(len(projects), None)
    anchors = _anchors(dataset, list(rows["key"].unique()), lang)
    village_names = projects["village"].fillna("").astype(str).to_numpy() if "village" in projects.columns else None
    out = []
    for (kind, key), grp in rows.groupby(["kind", "key"], sort=False):
        if key not in anchors:
            continue
        lon, lat, name = anchors[key]
        pos = grp["pos"].to_numpy()
        hit = highlight is not None and bool((ids[pos] == str(highlight)).any())
        if hit:  # the highlighted project heads its list
            pos = np.concatenate([pos[ids[pos] == str(highlight)], pos[ids[pos] != str(highlight)]])
        if kind == "village" and village_names is not None:
            name = next((v for v in village_names[pos] if v), "") or tr("areas.village", lang)
        shown = pos[:listed]
        out.append({"key": key, "kind": kind, "name": name, "lon": round(lon, 6), "lat": round(lat, 6),
                    "n": int(len(pos)), "more": int(max(len(pos) - listed, 0)), "highlight": hit,
                    "items": [[ids[i], names[i], precision_label(precs[i], lang) if precs[i] else ""]
                              for i in shown]})
    out.sort(key=lambda g: (KINDS.index(g["kind"]), g["key"]))
    return out


def area_words(lang: str) -> dict:
    """The words the page's symbols use, in the map's language."""
    keys = ("title", "list_head", "more", "not_exact", "county", "township", "park", "village", "count_unit")
    return {k: tr(f"areas.{k}", lang) for k in keys}


class AreaCountsLayer(folium.map.Layer):
    """The counted symbols of :func:`area_groups`, drawn by ``xxgeo.areaCounts``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = xxgeo.areaCounts({{ this.groups_js }}, {{ this.words_js }});
        {% endmacro %}
    """)

    def __init__(self, groups: list[dict], *, name: str, lang: str = "zh", show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "XxAreaCounts"
        self.groups_js = js_json(groups)
        self.words_js = js_json(area_words(lang))


def _count_svg(kind: str, n: str = "n") -> str:
    fill = {"county": "#ffffff", "township": "#fff3cd", "park": "#fde2c8", "village": "#e3f1df"}[kind]
    dash = ' stroke-dasharray="3 2"' if kind == "county" else ""
    return (f'<svg width="22" height="22" viewBox="0 0 22 22"><circle cx="11" cy="11" r="9.5" fill="{fill}" '
            f'stroke="#7a5c00" stroke-width="1.5"{dash}/><text x="11" y="15" text-anchor="middle" font-size="10" '
            f'font-weight="bold" fill="#4a3800">{n}</text></svg>')


def area_legend(groups: list, lang: str) -> str:
    """The legend rows of the counted symbols (one per kind drawn, with how many projects), or ''."""
    if not groups:
        return ""
    e = html.escape
    rows = []
    for kind in reversed(KINDS):  # park, village, township, county: as exact as the area is
        mine = [g for g in groups if g["kind"] == kind]
        if not mine:
            continue
        n = len({i[0] for g in mine for i in g["items"]}) if not any(g["more"] for g in mine) \
            else sum(g["n"] for g in mine)
        label = tr(f"areas.legend_{kind}", lang, n=n, symbols=len(mine))
        rows.append(f'<div class="row">{_count_svg(kind)}'
                    f'<span>{e(label)}</span></div>')
    return f"<h5>{e(tr('areas.title', lang))}</h5>" + "".join(rows) + \
        f'<div class="src">{e(tr("areas.legend_note", lang))}</div>'
