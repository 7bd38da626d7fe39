"""The report maps: one township, one park in its surroundings; sized for a PDF page or a wall print."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import matplotlib
import shapely

from ..analysis import park_distances, reference_point
from ..i18n import tr, value_text
from ..mapping import MapFilter
from ..policy import public_rows
from ..textsafe import figure_label
from . import mapcount as mc
from . import mapdraw as md
from .backdrop import draw_background
from .fonts import cjk_font, mpl_rc


@dataclass
class MapInfo:
    """What a map shows, for the notes under it."""

    categories: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    site_keys: list = field(default_factory=list)  # (number, name, kind, loc_precision)
    shared_points: int = 0
    projects_listed: int = 0
    projects_drawn: int = 0  # drawn as symbols at their position
    counted: int = 0  # known only to a township / park / the county: counted in circles (mapcount)
    distances: list = field(default_factory=list)  # (name, name_en, km, source)


#: a CJK character, a word of other characters, or a run of spaces (the units :func:`wrap_label` keeps whole)
_TOKENS = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


def _width(s: str) -> float:
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in s)


def wrap_label(text: str, width: float) -> str:
    """Break a legend label into lines of about ``width`` CJK characters (Latin letters count half): between any
    two CJK characters, between words otherwise (a word longer than a line is cut)."""
    lines, cur = [], ""
    for tok in _TOKENS.findall(str(text)):
        if tok.isspace():
            if cur and _width(cur + tok) <= width:
                cur += tok
            elif cur:
                lines.append(cur.rstrip())
                cur = ""
            continue
        while _width(tok) > width and len(tok) > 1:  # a word longer than a line
            room = max(int((width - _width(cur)) / 0.55), 0) if cur else max(int(width / 0.55), 1)
            if room == 0:
                lines.append(cur.rstrip())
                cur = ""
                continue
            lines.append(cur + tok[:room])
            cur, tok = "", tok[room:]
        if cur and _width(cur + tok) > width:
            lines.append(cur.rstrip())
            cur = ""
        cur += tok
    return "\n".join([*lines, cur.rstrip()]) if lines or cur else str(text)


def _legend(fig, rect, handles, *, fontsize: float, title: str) -> None:
    lax = fig.add_axes(rect)
    lax.axis("off")
    chars = rect[2] * fig.get_size_inches()[0] * 72 / fontsize - 4.5  # minus the symbol column
    for h in handles:
        h.set_label(wrap_label(h.get_label(), max(chars, 6)))
    lax.legend(handles=handles, loc="upper left", fontsize=fontsize, title=title, title_fontsize=fontsize + 1,
               frameon=False, alignment="left", borderaxespad=0, handlelength=2.2, labelspacing=0.45,
               markerscale=max(1.0, fontsize / 6.6))


def _site_handles(keys: list, lang: str = "zh") -> list:
    with matplotlib.rc_context({"text.parse_math": True}):  # the number markers are mathtext of our own digits
        return [md.Line2D([], [], linestyle="none", marker=f"${int(n)}$", markersize=5, color="#6b3a00",
                          label=figure_label(tr("report_map.site_key", lang, name=name, kind=value_text(kind, lang)),
                                             60)) for n, name, kind, _ in keys]


def _frame(fig, title: str | None, note: str | None, scale: float) -> tuple[float, float]:
    """Title above and note below the maps; returns the top and bottom of the map area (figure fraction)."""
    fw, fh = fig.get_size_inches()
    top = 1 - (15 * scale * 2.1 / 72) / fh if title else 0.985
    bottom = 0.02
    if title:
        fig.text(0.01, (1 + top) / 2, figure_label(title, 60), fontsize=15 * scale, fontweight="bold",
                 va="center")
    if note:
        size = 6.5 * scale
        text = wrap_label(note, fw * 0.98 * 72 / size)
        lines = text.count("\n") + 1
        bottom = (lines * size * 1.45 + 8 * scale) / 72 / fh
        fig.text(0.01, bottom / 2, text, fontsize=size, va="center", color="#444444", linespacing=1.35)
    return top, bottom


def township_figure(ds, code: str, *, size=(7.2, 5.0), scale: float = 1.0, title: str | None = None,
                    note: str | None = None, background=None, dpi: float = 220, lang: str = "zh"):
    """The township map: its (schematic) boundary dashed, neighbours labelled for context, its located projects
    by category, those known only to the township or a park counted in circles, parks, road projects and numbered
    sites, north arrow, scale bar and legend in ``lang``; ``background`` (see :mod:`xxgeo.reports.backdrop`) under
    it at ``dpi``. Returns (Figure, MapInfo)."""
    font = cjk_font()
    t = ds["townships"]
    row = t[t["code"] == code].iloc[0]
    projects = md.select_projects(ds["projects"], MapFilter(townships=(code,)))
    sites = ds["scenic_sites"]
    info = MapInfo(projects_listed=len(projects))
    with matplotlib.rc_context(mpl_rc(font)):
        fig = md.new_figure(*size)
        top, bottom = _frame(fig, title, note, scale)
        ax = fig.add_axes([0.01, bottom, 0.70, top - bottom])
        tm = md.metric(t[t["code"] == code])
        md.set_extent(ax, md.main_bounds(tm.geometry.iloc[0]), margin=0.05)
        if background is not None:
            draw_background(ax, background, dpi)
        parks_m = md.metric(ds["parks"])
        avoid = shapely.union_all(parks_m.geometry.values) if len(parks_m) else None
        md.draw_boundaries(ax, ds, highlight=code, label_size=7 * scale, avoid=avoid, lang=lang)
        mine = set(ds["parks"].loc[ds["parks"]["township_code"] == code, "park_id"])
        md.draw_parks(ax, ds["parks"], label_size=6.5 * scale, label_ids=mine, lang=lang)
        roads = md.draw_roads(ax, ds["roads"])
        within = tm.geometry.iloc[0].buffer(300)
        rough = mc.area_only_mask(projects)
        drawn = md.draw_points(ax, projects=projects[~rough], sites=sites[sites["township_code"] == code],
                               within=within, size=34 * scale ** 2, label_size=6 * scale)
        counted = mc.draw_counted(ax, ds, projects[rough], within=within, prefer=code, scale=scale)
        md.tidy(ax)
        md.north_arrow(ax, fontsize=9 * scale)
        md.scale_bar(ax, fontsize=7.5 * scale)
        sch = row["boundary_quality"] == "schematic"
        handles = md.legend_handles(drawn.categories, sites=drawn.sites, roads=roads,
                                    parks=_any_in_view(ax, parks_m),
                                    highlight_label=figure_label(row["name"])
                                    + (tr("report_map.highlight_schematic", lang) if sch else ""),
                                    shared=drawn.shared_points > 0, schematic=sch, lang=lang)
        _legend(fig, [0.73, bottom, 0.26, top - bottom],
                handles + mc.legend_entries(counted, lang) + _site_handles(drawn.site_keys, lang),
                fontsize=6.6 * scale, title=tr("report_map.legend", lang))
    info.categories, info.sites, info.site_keys = drawn.categories, drawn.sites, drawn.site_keys
    info.shared_points, info.projects_drawn = drawn.shared_points, sum(drawn.categories.values())
    info.counted = counted.projects
    return fig, info


def park_figure(ds, park_id: str, *, size=(7.2, 3.9), scale: float = 1.0, title: str | None = None,
                note: str | None = None, background=None, dpi: float = 220):
    """Two panels: the park in its surroundings (county, the reference places with straight-line distances
    drawn) and a close-up of its schematic extent with its public projects. Returns (Figure, MapInfo)."""
    font = cjk_font()
    parks = ds["parks"]
    park = parks[parks["park_id"] == park_id]
    pm = md.metric(park)
    centre = reference_point(park.geometry.iloc[0])
    places = ds["places"]
    dist = park_distances(park.geometry.iloc[0], places) if len(places) else None
    info = MapInfo()
    if dist is not None:
        info.distances = [(r["place"], r["name_en"], r["km"], r["source"]) for _, r in dist.iterrows()]
    projects = md.select_projects(public_rows("projects", ds["projects"]), MapFilter(park=park_id))
    info.projects_listed = len(projects)
    with matplotlib.rc_context(mpl_rc(font)):
        fig = md.new_figure(*size)
        top, bottom = _frame(fig, title, note, scale)
        legend_w = 0.22
        w1 = (1 - legend_w - 0.03) * 0.56  # the wide county view gets more room than the close-up
        w2 = (1 - legend_w - 0.03) - w1
        ax1 = fig.add_axes([0.005, bottom, w1, top - bottom])
        ax2 = fig.add_axes([0.015 + w1, bottom, w2, top - bottom])
        # 1: surroundings
        plm = md.metric(places)
        bx = md.bounds_of(md.metric(ds["county"]), plm, pm)
        room = (bx[2] - bx[0]) * 0.12  # for the place labels at the sides
        md.set_extent(ax1, (bx[0] - room, bx[1], bx[2] + room, bx[3]), margin=0.06)
        if background is not None:
            draw_background(ax1, background, dpi)
        md.draw_boundaries(ax1, ds, labels=False)
        md.draw_parks(ax1, parks, highlight=park_id, labels=False)
        cm = md.points_frame([(centre.x, centre.y)]).geometry.iloc[0]
        rows = list(dist.itertuples()) if dist is not None else []
        for (_, p), d in zip(plm.iterrows(), rows):
            g = p.geometry
            ax1.plot([cm.x, g.x], [cm.y, g.y], color="#444444", linewidth=0.8, linestyle=(0, (2, 2)), zorder=10)
            ax1.scatter([g.x], [g.y], marker="s", s=22 * scale, c="#222222", zorder=11)
            above = g.y >= cm.y
            ax1.annotate(f"{figure_label(p['name'])}\n直线 {d.km:.1f} km", (g.x, g.y), xytext=(0, 5 if above else -5),
                         textcoords="offset points", ha="center", va="bottom" if above else "top",
                         fontsize=6 * scale,
                         zorder=12, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        ax1.scatter([cm.x], [cm.y], marker="o", s=30 * scale, c=md.PARK_EDGE, edgecolors="white", zorder=12)
        ax1.set_title("区位与直线距离 Location & straight-line distances", fontsize=7.5 * scale)
        md.tidy(ax1)
        md.north_arrow(ax1, fontsize=8 * scale, size=0.06)
        md.scale_bar(ax1, fontsize=6.5 * scale)
        # 2: close-up
        b = pm.total_bounds
        pad = max(b[2] - b[0], b[3] - b[1]) * 0.6 + 1500
        md.set_extent(ax2, (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad), margin=0.0)
        if background is not None:
            draw_background(ax2, background, dpi)
        md.draw_boundaries(ax2, ds, label_size=6 * scale, avoid=pm.geometry.iloc[0])
        md.draw_parks(ax2, parks, highlight=park_id, label_size=6.5 * scale)
        roads = md.draw_roads(ax2, ds["roads"])
        rough = mc.area_only_mask(projects)
        drawn = md.draw_points(ax2, projects=projects[~rough], sites=_sites_near(ds, pm, pad), size=30 * scale ** 2,
                               label_size=6 * scale)
        counted = mc.draw_counted(ax2, ds, projects[rough], scale=scale)
        ax2.set_title("园区示意范围 Schematic extent of the park", fontsize=7.5 * scale)
        md.tidy(ax2)
        md.north_arrow(ax2, fontsize=8 * scale, size=0.06)
        md.scale_bar(ax2, fontsize=6.5 * scale)
        handles = md.legend_handles(drawn.categories, sites=drawn.sites, parks=True, roads=roads,
                                    shared=drawn.shared_points > 0) + mc.legend_entries(counted)
        english = md.legend_handles(drawn.categories, sites=drawn.sites, parks=True, roads=roads,
                                    shared=drawn.shared_points > 0, lang="en") + mc.legend_entries(counted, "en")
        for h, en in zip(handles, english):  # the brochure is bilingual: 县界 County boundary
            h.set_label(f"{h.get_label()} {en.get_label()}")
        handles[2:2] = [md.Line2D([], [], linestyle="none", marker="s", markersize=5, color="#222222",
                                  label="参照地点 Reference place"),
                        md.Line2D([], [], color="#444444", linewidth=0.8, linestyle=(0, (2, 2)),
                                  label="直线距离 Straight line")]
        _legend(fig, [1 - legend_w + 0.005, bottom, legend_w - 0.01, top - bottom],
                handles + _site_handles(drawn.site_keys), fontsize=6.2 * scale, title="图例 Legend")
    info.categories, info.sites, info.site_keys = drawn.categories, drawn.sites, drawn.site_keys
    info.shared_points, info.projects_drawn = drawn.shared_points, sum(drawn.categories.values())
    info.counted = counted.projects
    return fig, info


def _sites_near(ds, pm, pad: float):
    s = ds["scenic_sites"]
    sm = md.metric(s)
    if not len(sm):
        return s.iloc[0:0]
    area = pm.geometry.iloc[0].buffer(pad)
    return s.loc[sm.index[sm.geometry.intersects(area)]]


def _any_in_view(ax, gdf) -> bool:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return bool(len(gdf.cx[x0:x1, y0:y1])) if len(gdf) else False
