"""The 调度 warning map (挂图作战, issue 12) on the app's folium map: the month's projects coloured by warning light
(red / yellow / green / 未评定 grey), each with a popup of its month figures and, for internal maps, the latest
progress-photo thumbnails; a legend with the counts in the map's language.

The request carries the marks (:class:`Warnings`, frozen and hashable, so it is part of the map's cache key);
:func:`warning_marks` makes them from a figures frame (:func:`xxgeo.dispatch.figures.month_figures`). Precision
stays honest: only projects with an exact place are drawn as coloured points (:func:`xxgeo.quality.exact_mask`);
a project known only to a township, park or village stays in that area's counted symbol
(:mod:`xxgeo.mapping.areas`), its light written beside its name in the symbol's list.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import NamedTuple

import folium
import pandas as pd
from jinja2 import Template

from ..dispatch.figures import LIGHT_COLOURS, LIGHTS, light_text
from ..i18n import tr
from ..jsembed import js_json
from ..policy import PUBLIC_FIELDS
from ..quality import exact_mask
from .elements import HtmlControl

#: a thumbnail the popup may show: an inline JPEG or PNG, base64 only (never a path or a URL)
THUMB_URI = re.compile(r"^data:image/(jpeg|png);base64,[A-Za-z0-9+/]+={0,2}$")
#: the most thumbnails one popup shows
POPUP_THUMBS = 2


class WarningMark(NamedTuple):
    """One project's light and month figures (``None`` = empty, never 0) and its thumbnails' data URIs."""

    project_id: str
    light: str
    plan_wan: float | None = None
    done_wan: float | None = None
    rate_pct: float | None = None
    schedule_pct: float | None = None
    gap_pts: float | None = None
    reasons: str = ""
    thumbs: tuple = ()


@dataclass(frozen=True)
class Warnings:
    """The marks of one month's warning map (``month`` ``YYYY-MM``; ``marks``: :class:`WarningMark`, …)."""

    month: str
    marks: tuple = ()

    def __post_init__(self) -> None:
        if not isinstance(self.marks, tuple):
            object.__setattr__(self, "marks", tuple(self.marks))


def _value(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def warning_marks(figures: pd.DataFrame, month: str, lang: str = "zh", thumbs: dict | None = None) -> Warnings:
    """The :class:`Warnings` of a figures frame (one row per project: ``light``, ``annual_plan_wan``,
    ``year_done_wan``, ``rate_pct``, ``schedule_pct``, ``gap_pts``, ``reasons_zh`` / ``reasons_en``);
    ``thumbs``: project_id -> data URIs of its latest thumbnails (leave out for a map without photos)."""
    thumbs = thumbs or {}
    reasons = "reasons_en" if lang == "en" else "reasons_zh"
    marks = []
    for r in figures.itertuples(index=False):
        pid = str(r.project_id)
        why = getattr(r, reasons, "")
        marks.append(WarningMark(
            pid, str(r.light or ""), _value(r.annual_plan_wan), _value(r.year_done_wan), _value(r.rate_pct),
            _value(r.schedule_pct), _value(r.gap_pts), "" if why is None or pd.isna(why) else str(why),
            tuple(u for u in thumbs.get(pid, ())[:POPUP_THUMBS] if THUMB_URI.match(u))))
    return Warnings(month, tuple(marks))


def for_audience(w: Warnings | None, role: str) -> Warnings | None:
    """What a map for ``role`` may carry: the public's maps show no month figures (``progress`` is not public
    in :data:`xxgeo.policy.PUBLIC_FIELDS`) and no photos (``photos`` is not either)."""
    if w is None or role != "public":
        return w
    if "progress" not in PUBLIC_FIELDS:
        return None
    if "photos" not in PUBLIC_FIELDS:
        return Warnings(w.month, tuple(m._replace(thumbs=()) for m in w.marks))
    return w


def _num(v: float | None, lang: str) -> str:
    return tr("unknown", lang) if v is None else f"{v:,.1f}"


def popup_html(mark: WarningMark, name: str, month: str, lang: str) -> str:
    """The popup of one project: name, id, month, the figures, light and reasons, thumbnails (all escaped)."""
    e = html.escape
    colour = LIGHT_COLOURS.get(mark.light, LIGHT_COLOURS[""])
    rows = [("warnmap.plan", _num(mark.plan_wan, lang)), ("warnmap.done", _num(mark.done_wan, lang)),
            ("warnmap.rate", _num(mark.rate_pct, lang)), ("warnmap.schedule", _num(mark.schedule_pct, lang)),
            ("warnmap.gap", _num(mark.gap_pts, lang))]
    body = "".join(f"<tr><th>{e(tr(k, lang))}</th><td>{e(v)}</td></tr>" for k, v in rows)
    light = (f'<tr><th>{e(tr("warnmap.light", lang))}</th><td><span class="xx-light" '
             f'style="color:{colour}">●</span> {e(light_text(mark.light, lang))}</td></tr>')
    why = f'<p class="xx-note">{e(mark.reasons)}</p>' if mark.reasons else ""
    pics = "".join(f'<img class="xx-thumb" src="{e(u)}" alt="{e(tr("warnmap.photo", lang))}" '
                   'style="max-width:120px;max-height:90px;margin:4px 4px 0 0">'
                   for u in mark.thumbs if THUMB_URI.match(u))
    return (f'<div class="xx-pop xx-warn-pop" data-light="{e(mark.light or "none")}"><h4>{e(name)}</h4>'
            f'<p class="xx-prec">{e(mark.project_id)} · {e(tr("warnmap.month", lang, month=month))}</p>'
            f'<table class="xx-popup">{body}{light}</table>{why}{pics}</div>')


class WarningLayer(folium.map.Layer):
    """The exactly placed projects as circles in their light's colour, red drawn last (on top)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, pts) {
          // a pane above the counted symbols of the areas (markerPane, 600) and below tooltips and popups
          var pane = map.getPane("xxWarnings") || map.createPane("xxWarnings");
          pane.style.zIndex = 640;
          var renderer = L.svg({pane: "xxWarnings"}), g = L.featureGroup();
          pts.forEach(function (p) {
            var m = L.circleMarker([p.lat, p.lon], {radius: 8, color: "#333333", weight: 1.5, fillColor: p.colour,
                                                    fillOpacity: 0.95, pane: "xxWarnings", renderer: renderer});
            m.bindPopup(p.popup, {maxWidth: 340});
            m.bindTooltip(p.tip);
            m.xxLight = p.light;
            g.addLayer(m);
          });
          return g;
        })({{ this._parent.get_name() }}, {{ this.points_js }});
        {% endmacro %}
    """)

    def __init__(self, points: list[dict], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "XxWarnings"
        self.points_js = js_json(points)


def warning_points(rows, w: Warnings, lang: str) -> list[dict]:
    """One point per exactly placed part of each marked project in ``rows`` (already restricted to exact places);
    a polygon or line is marked at a point on it. Red last, so it is drawn on top."""
    by_id = {m.project_id: m for m in w.marks}
    out = []
    for pid, name, g in zip(rows["project_id"].astype(str), rows["name"].fillna("").astype(str), rows.geometry):
        m = by_id.get(pid)
        if m is None or g is None or g.is_empty:
            continue
        parts = list(g.geoms) if g.geom_type == "MultiPoint" else [g if g.geom_type == "Point"
                                                                    else g.representative_point()]
        pop = popup_html(m, name, w.month, lang)
        tip = html.escape(f"{name} · {light_text(m.light, lang)}")
        for p in parts:
            out.append({"id": pid, "lon": round(p.x, 6), "lat": round(p.y, 6), "light": m.light or "none",
                        "colour": LIGHT_COLOURS.get(m.light, LIGHT_COLOURS[""]), "popup": pop, "tip": tip})
    order = {k: i for i, k in enumerate(("none", "green", "yellow", "red"))}
    return sorted(out, key=lambda p: order.get(p["light"], 0))


def light_items(groups: list, w: Warnings, lang: str) -> list:
    """The counted symbols with each listed project's light after its precision (红 / 未评定 …)."""
    lights = {m.project_id: light_text(m.light, lang) for m in w.marks}
    out = []
    for g in groups:
        items = [[i, n, " · ".join(x for x in (p, lights.get(str(i), "")) if x)] for i, n, p in g["items"]]
        out.append({**g, "items": items})
    return out


def warning_legend(w: Warnings, drawn: int, lang: str) -> str:
    """The legend: each light's colour, word and count, how many are drawn as points, the precision note."""
    e = html.escape
    counts = {k: sum(1 for m in w.marks if (m.light or "") == k) for k in LIGHTS}
    dot = "display:inline-block;width:12px;height:12px;border-radius:6px;margin-right:6px;background:"
    rows = "".join(f'<div class="row" data-light="{k or "none"}"><span style="{dot}{LIGHT_COLOURS[k]}"></span>'
                   f'<span>{e(light_text(k, lang))} {counts[k]}</span></div>' for k in LIGHTS)
    note = tr("warnmap.legend_note", lang, drawn=drawn, n=len(w.marks))
    return (f'<h5>{e(tr("warnmap.title", lang, month=w.month))}</h5>{rows}'
            f'<div class="src">{e(note)}</div>')


def context_layer(gdf) -> bool:
    """Whether a layer is drawn under the warning points: areas only (the county, townships, parks), so that
    no other point or line (a scenic site's coloured star) can be read as a warning."""
    geoms = gdf.geometry.dropna() if hasattr(gdf, "geometry") else []
    return len(geoms) > 0 and bool(geoms.geom_type.isin(["Polygon", "MultiPolygon"]).all())


def add_warnings(m: folium.Map, rows, w: Warnings, lang: str) -> int:
    """Add the warning points of ``rows``' exactly placed projects and the legend to ``m``; returns how many
    projects are drawn as points."""
    pts = warning_points(rows[exact_mask(rows)], w, lang)
    drawn = len({p["id"] for p in pts})
    if pts:
        WarningLayer(pts, name=tr("warnmap.layer", lang)).add_to(m)
    HtmlControl(warning_legend(w, drawn, lang), position="bottomleft", css_class="xx-legend").add_to(m)
    return drawn
