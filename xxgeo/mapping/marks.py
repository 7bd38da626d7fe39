"""Two map elements of the compliance check (issue 16): the control lines as server-rendered image tiles
(:class:`xxgeo.tiles.ImageTiles`), and the checked projects coloured by verdict (冲突 red, 需核实 orange,
无法判断 grey, 无冲突 green) with a small legend of their own. Bytes: the image tiles are fetched per view; the
marks are one GeoJSON of the checked projects (bounded by the projects, not by the control lines)."""

from __future__ import annotations

import html

import folium

from ..constraints.kinds import VERDICT_COLORS, VERDICTS, verdict_label
from .elements import HtmlControl


def image_layer(m: folium.Map, spec, tiles, lang: str) -> dict:
    """Add the tile layer ``tiles`` under ``spec``'s title; returns {class: count} for the legend."""
    if tiles is None:
        return {}
    title = spec.title_for(lang)
    folium.TileLayer(tiles=tiles.url, attr=html.escape(title), name=title, overlay=True, control=True,
                     show=spec.default_on, min_native_zoom=tiles.min_zoom, max_native_zoom=tiles.max_zoom,
                     max_zoom=18, opacity=float(spec.style.get("opacity", 1.0))).add_to(m)
    return dict(tiles.counts)


def marks_layer(m: folium.Map, projects, marks: tuple, prep, lang: str) -> int:
    """The projects named in ``marks`` ((project_id, verdict), …) coloured by verdict; returns how many."""
    verdict = dict(marks)
    rows = projects[projects["project_id"].astype(str).isin(verdict) & projects.geometry.notna()]
    if not len(rows):
        return 0
    rows = prep(rows[["project_id", "name", "geometry"]].copy())
    rows["verdict"] = rows["project_id"].astype(str).map(verdict)
    rows["label"] = [f"{n} — {verdict_label(v, lang)}" for n, v in zip(rows["name"], rows["verdict"])]
    rows = rows.sort_values("verdict", key=lambda s: s.map(lambda v: -VERDICTS.index(v) if v in VERDICTS else 0))

    def style(feature):
        c = VERDICT_COLORS.get(feature["properties"]["verdict"], "#555")
        return {"color": c, "weight": 3, "fillColor": c, "fillOpacity": 0.45}

    title = "合规检查结果" if lang != "en" else "Check results"
    folium.GeoJson(rows[["verdict", "label", "geometry"]].to_json(), name=title, style_function=style,
                   marker=folium.CircleMarker(radius=7, weight=2, fill=True, fill_opacity=0.8),
                   tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False)).add_to(m)
    present = set(rows["verdict"])
    dot = "display:inline-block;width:12px;height:12px;border-radius:6px;margin-right:6px;background:"
    items = "".join(f'<div class="row"><span style="{dot}{VERDICT_COLORS[v]}"></span>'
                    f'<span>{html.escape(verdict_label(v, lang))}</span></div>' for v in VERDICTS if v in present)
    HtmlControl(f"<h5>{html.escape(title)}</h5>{items}", position="bottomleft", css_class="xx-legend").add_to(m)
    return len(rows)
