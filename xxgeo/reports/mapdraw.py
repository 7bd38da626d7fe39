"""Maps drawn offline with geopandas + matplotlib, in EPSG:4546 metres (so the scale bar is true).

Styles come from the same ``layers/*.toml`` specs as the web map: project colours and symbols by category,
park and site colours, labels in the report's language. Schematic boundaries are dashed and labelled 示意;
points that share one schematic position are fanned out around it, marked ``+`` (projects known only to an area
are counted in circles instead: :mod:`xxgeo.reports.mapcount`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle
from shapely.geometry import box

from ..crs import METRIC_CRS
from ..i18n import tr, value_text
from ..layerspec import load_specs
from ..precision import PRECISE
from ..textsafe import figure_label

#: layers/*.toml shape names -> matplotlib markers
MARKERS = {"square": "s", "circle": "o", "star": "*", "diamond": "D", "triangle": "^", "hexagon": "h",
           "pentagon": "p", "triangle-down": "v", "cross": "P", "square45": "d"}
PARK_FILL, PARK_EDGE = "#ff9f40", "#b35900"
HIGHLIGHT = "#1f4e9c"


def select_projects(projects, flt):
    """``mapping.filter_projects``, safe on an empty project layer (an empty frame stays empty)."""
    from ..mapping import filter_projects

    return projects.iloc[0:0] if len(projects) == 0 else filter_projects(projects, flt)


def metric(gdf):
    """A copy in EPSG:4546 (metres), rows without geometry dropped."""
    if gdf is None or len(gdf) == 0:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=METRIC_CRS), crs=METRIC_CRS)
    g = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    return g.to_crs(METRIC_CRS)


def category_styles() -> dict:
    """category -> (colour, marker) from layers/projects.toml."""
    spec = load_specs()["projects"]
    return {c: (s.get("fill_color", "#888888"), MARKERS.get(s.get("shape", "circle"), "o"))
            for c, s in spec.classes.items()}


def site_colors() -> dict:
    """scenic site kind -> colour from layers/scenic_sites.toml."""
    return {k: s.get("fill_color", "#e6550d") for k, s in load_specs()["scenic_sites"].classes.items()}


def road_styles() -> dict:
    """road class -> (colour, width) from layers/roads.toml."""
    spec = load_specs()["roads"]
    return {k: (s.get("color", "#1f4e9c"), float(s.get("weight", 2)) * 0.6) for k, s in spec.classes.items()}


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure not tied to pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(width_in, height_in))
    FigureCanvasAgg(fig)
    return fig


def set_extent(ax, bounds, margin: float = 0.08) -> None:
    """Frame ``bounds`` (minx, miny, maxx, maxy in metres) with a margin, widened to the axes' own shape so
    the map fills its box at equal scale; later plotting never moves the frame."""
    minx, miny, maxx, maxy = bounds
    dx, dy = max(maxx - minx, 500.0) * (1 + 2 * margin), max(maxy - miny, 500.0) * (1 + 2 * margin)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    fw, fh = ax.figure.get_size_inches()
    pos = ax.get_position()
    box = (pos.height * fh) / (pos.width * fw)
    if dy / dx > box:
        dx = dy / box
    else:
        dy = dx * box
    ax.set_xlim(cx - dx / 2, cx + dx / 2)
    ax.set_ylim(cy - dy / 2, cy + dy / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_autoscale_on(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_edgecolor("#999999")
        sp.set_linewidth(0.6)


def tidy(ax) -> None:
    """Remove the axis labels geopandas adds (“Easting [metre]”)."""
    ax.set_xlabel("")
    ax.set_ylabel("")


def _inside(ax, x: float, y: float, inset: float = 0.06, *, text: str = "", fontsize: float = 0.0) -> bool:
    """True when (x, y) lies inside the frame by ``inset`` and a centred label ``text`` would fit across."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    mx, my = (x1 - x0) * inset, (y1 - y0) * inset
    if text:
        width_in = ax.get_position().width * ax.figure.get_size_inches()[0]
        half = sum(0.55 if ord(c) < 0x2E80 else 1.0 for c in text) * fontsize / 72 / 2 * (x1 - x0) / width_in
        mx = max(mx, half * 1.05)
    else:
        half = 0.0
    if not (x0 + mx < x < x1 - mx and y0 + my < y < y1 - my):
        return False
    # keep clear of the north arrow (top right) and the scale bar (bottom left)
    fx0, fx1, fy = (x - half - x0) / (x1 - x0), (x + half - x0) / (x1 - x0), (y - y0) / (y1 - y0)
    return not ((fx1 > 0.86 and fy > 0.72) or (fx0 < 0.32 and fy < 0.14))


def draw_boundaries(ax, ds, *, highlight: str | None = None, label_size: float = 7.0, labels: bool = True,
                    avoid=None, schematic_mark: str | None = None, lang: str = "zh") -> None:
    """County outline, townships (dashed and labelled ``schematic_mark`` when schematic: （示意） / (schematic) by
    ``lang``), one township highlighted (its name is left to the title). Labels are kept off ``avoid`` (a metric
    geometry, e.g. the parks)."""
    if schematic_mark is None:
        schematic_mark = tr("report_map.schematic_mark", lang)
    t = metric(ds["townships"])
    c = metric(ds["county"])
    if len(t):
        hl = t[t["code"] == highlight] if highlight else t.iloc[0:0]
        if len(hl):
            hl.plot(ax=ax, facecolor="#dbe7f6", edgecolor="none", zorder=1)
        t.boundary.plot(ax=ax, color="#666666", linewidth=0.6, linestyle=(0, (5, 4)), zorder=2)
        if len(hl):
            hl.boundary.plot(ax=ax, color=HIGHLIGHT, linewidth=1.8, linestyle=(0, (6, 3)), zorder=3)
    if len(c):
        c.boundary.plot(ax=ax, color="#222222", linewidth=1.2, zorder=4)
    if labels and len(t):
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        view = box(x0, y0, x1, y1)
        for _, r in t.iterrows():
            if r["code"] == highlight:
                continue
            area = r.geometry.intersection(view)
            if avoid is not None:
                area = area.difference(avoid.buffer((x1 - x0) * 0.03))
            if area.is_empty or area.area < (x1 - x0) * (y1 - y0) * 0.01:
                continue
            p = area.representative_point()
            sch = schematic_mark if r["boundary_quality"] == "schematic" else ""
            if not _inside(ax, p.x, p.y, 0.04, text=f"{r['name']}{sch}", fontsize=label_size):
                continue
            ax.annotate(f"{figure_label(r['name'], 20)}{sch}", (p.x, p.y), ha="center", va="center", zorder=9,
                        fontsize=label_size, color="#555555", alpha=0.9)


def draw_parks(ax, parks, *, highlight: str | None = None, label_size: float = 7.0, labels: bool = True,
               label_ids=None, lang: str = "zh") -> None:
    """Park polygons: orange, dashed edge when schematic, named with （范围示意） / (schematic extent) by ``lang``
    (only ``label_ids`` when given)."""
    p = metric(parks)
    for _, r in p.iterrows():
        sch = r.get("boundary_quality") == "schematic"
        hl = r["park_id"] == highlight
        gpd.GeoSeries([r.geometry], crs=METRIC_CRS).plot(
            ax=ax, facecolor=PARK_FILL, alpha=0.45 if hl else 0.35, edgecolor="none", zorder=5)
        gpd.GeoSeries([r.geometry.boundary], crs=METRIC_CRS).plot(
            ax=ax, color=PARK_EDGE, linewidth=1.8 if hl else 1.0, linestyle=(0, (4, 3)) if sch else "-", zorder=6)
        b = r.geometry.bounds
        label = figure_label(r["name"], 30) + (tr("report_map.park_mark", lang) if sch else "")
        wanted = labels and (label_ids is None or r["park_id"] in label_ids)
        if wanted and _inside(ax, (b[0] + b[2]) / 2, b[1], 0.1, text=label, fontsize=label_size):
            ax.annotate(label, ((b[0] + b[2]) / 2, b[1]),
                        xytext=(0, -3), textcoords="offset points", ha="center", va="top",
                        fontsize=label_size, color="#7a3d00", zorder=9,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})


def draw_roads(ax, roads) -> dict:
    """Road projects that have a (schematic) line, coloured by class; returns {class: count} in view."""
    r = metric(roads)
    styles = road_styles()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    view = box(x0, y0, x1, y1)
    drawn: dict = {}
    for _, row in r.iterrows():
        cls = "其他" if pd.isna(row.get("road_class")) else str(row.get("road_class"))
        color, lw = styles.get(cls, ("#1f4e9c", 1.5))
        gpd.GeoSeries([row.geometry], crs=METRIC_CRS).plot(ax=ax, color=color, linewidth=lw,
                                                           linestyle=(0, (6, 4)), zorder=4.5)
        if row.geometry.intersects(view):
            drawn[cls] = drawn.get(cls, 0) + 1
    return drawn


def fan_out(points: list, spacing: float, movable: list | None = None) -> tuple[list, list]:
    """Spread schematic points that would overlap at this scale (closer than ``spacing``) on a sunflower
    spiral ``spacing`` apart around their group's centre; ``movable[i]`` False pins a point (surveyed or
    village positions are never moved). Returns (new positions, centres of the groups fanned out)."""
    movable = movable if movable is not None else [True] * len(points)
    groups: list = []  # [centre, [indices]]
    for i, (x, y) in enumerate(points):
        if not movable[i]:
            continue
        for g in groups:
            if math.hypot(g[0][0] - x, g[0][1] - y) < spacing * 1.5:
                g[1].append(i)
                break
        else:
            groups.append([(x, y), [i]])
    out, centres = list(points), []
    for _, idx in groups:
        if len(idx) < 2:
            continue
        cx = sum(points[i][0] for i in idx) / len(idx)
        cy = sum(points[i][1] for i in idx) / len(idx)
        centres.append((cx, cy))
        for k, i in enumerate(idx):
            r = spacing * math.sqrt(k + 0.6)
            a = k * math.radians(137.5)
            out[i] = (cx + r * math.cos(a), cy + r * math.sin(a))
    return out, centres


@dataclass
class Drawn:
    """What :func:`draw_points` put on the map."""

    categories: dict = field(default_factory=dict)  # project category -> count
    sites: dict = field(default_factory=dict)  # site kind -> count
    site_keys: list = field(default_factory=list)  # (number, name, kind, precision)
    shared_points: int = 0  # schematic locations whose symbols were fanned out


#: positions never moved by the fan-out: located sites and village points
_FIXED = (*sorted(PRECISE), "village")


def _point_of(g, within):
    for part in getattr(g, "geoms", [g]):
        pt = part if part.geom_type == "Point" else part.representative_point()
        if within is None or within.contains(pt):
            return pt
    return None


def draw_points(ax, *, projects=None, sites=None, within=None, size: float = 36, number_sites: bool = True,
                label_size: float = 6.0) -> Drawn:
    """Projects by category (layers/projects.toml colours and symbols) and sites (stars by kind), fanned out
    together where they share a schematic point, which is then marked ``+``. Sites are numbered; the
    numbers are keyed in ``Drawn.site_keys``. ``within`` (metric geometry) keeps only points inside it."""
    styles, scol = category_styles(), site_colors()
    items = []  # x, y, marker, colour, size, kind, payload
    for _, r in metric(projects).iterrows():
        pt = _point_of(r.geometry, within)
        if pt is not None:
            color, marker = styles.get(r["category"], ("#888888", "o"))
            items.append((pt.x, pt.y, marker, color, size * (2.0 if marker == "*" else 1.0), "p", r["category"],
                          r.get("loc_precision") not in _FIXED))
    for _, r in metric(sites).iterrows():
        pt = _point_of(r.geometry, within)
        if pt is not None:
            items.append((pt.x, pt.y, "*", scol.get(r["kind"], "#e6550d"), size * 1.7, "s", r,
                          r.get("loc_precision") not in _FIXED))
    out = Drawn()
    if not items:
        return out
    x0, x1 = ax.get_xlim()
    pos, centres = fan_out([(it[0], it[1]) for it in items], (x1 - x0) * 0.026, [it[7] for it in items])
    out.shared_points = len(centres)
    for cx, cy in centres:
        ax.scatter([cx], [cy], marker="+", s=size * 2.2, c="#000000", linewidths=1.1, zorder=8.5)
    n = 0
    for (x, y), (_, _, marker, color, sz, kind, payload, _m) in zip(pos, items):
        ax.scatter([x], [y], marker=marker, s=sz, c=color, edgecolors="white", linewidths=0.6, zorder=8)
        if kind == "p":
            out.categories[payload] = out.categories.get(payload, 0) + 1
            continue
        out.sites[payload["kind"]] = out.sites.get(payload["kind"], 0) + 1
        if number_sites:
            n += 1
            out.site_keys.append((n, str(payload["name"]), str(payload["kind"]), payload.get("loc_precision")))
            ax.annotate(str(n), (x, y), xytext=(3, 2), textcoords="offset points", fontsize=label_size,
                        color="#6b3a00", fontweight="bold", zorder=9)
    return out


def north_arrow(ax, *, x: float = 0.95, y: float = 0.88, size: float = 0.07, fontsize: float = 9) -> None:
    """A north arrow in axes coordinates (the map is in a Gauss-Krüger grid: up is grid north)."""
    ax.add_patch(FancyArrow(x, y - size, 0, size * 0.8, width=size * 0.18, head_width=size * 0.45,
                            head_length=size * 0.35, length_includes_head=True, transform=ax.transAxes,
                            color="#222222", zorder=20))
    ax.text(x, y + size * 0.08, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=fontsize,
            fontweight="bold", zorder=20)


def _nice(length: float) -> float:
    exp = 10 ** math.floor(math.log10(length))
    for m in (5, 2, 1):
        if m * exp <= length:
            return m * exp
    return exp


def scale_bar(ax, *, fontsize: float = 8, frac: float = 0.22) -> float:
    """A scale bar (km) in the lower left; returns its length in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice((x1 - x0) * frac)
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    h = (y1 - y0) * 0.008
    ax.add_patch(Rectangle((bx - (x1 - x0) * 0.012, by - h * 3), length + (x1 - x0) * 0.024, h * 9.5,
                           facecolor="white", alpha=0.8, edgecolor="none", zorder=19))
    for i in range(2):
        ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h, facecolor="#222222" if i == 0 else "white",
                               edgecolor="#222222", linewidth=0.6, zorder=20))
    label = f"{length / 1000:g} km"
    ax.text(bx, by + h * 1.8, "0", fontsize=fontsize, ha="center", va="bottom", zorder=20)
    ax.text(bx + length, by + h * 1.8, label, fontsize=fontsize, ha="center", va="bottom", zorder=20)
    return length


def legend_handles(categories: dict, *, sites: dict | None = None, parks: bool = False, roads: dict | None = None,
                   highlight_label: str | None = None, shared: bool = False, schematic: bool = True,
                   lang: str = "zh") -> list:
    """Legend entries for what was drawn (categories with counts), in ``lang``."""
    styles = category_styles()
    hs = [Line2D([], [], color="#222222", linewidth=1.2, label=tr("report_map.county_line", lang))]
    hs.append(Line2D([], [], color="#666666", linewidth=0.8, linestyle=(0, (5, 4)),
                     label=tr("report_map.township_line_schematic" if schematic else "report_map.township_line",
                              lang)))
    if highlight_label:
        hs.append(Patch(facecolor="#dbe7f6", edgecolor=HIGHLIGHT, linestyle="--", label=highlight_label))
    if parks:
        hs.append(Patch(facecolor=PARK_FILL, alpha=0.5, edgecolor=PARK_EDGE, linestyle="--",
                        label=tr("report_map.park", lang)))
    rs = road_styles()
    for cls, n in (roads or {}).items():
        color, lw = rs.get(cls, ("#1f4e9c", 1.5))
        name = tr("report_map.road_other", lang) if cls == "其他" else value_text(cls, lang)
        hs.append(Line2D([], [], color=color, linewidth=max(lw, 1.2), linestyle=(0, (6, 4)),
                         label=tr("report_map.road", lang, cls=name, n=n)))
    for cat, (color, marker) in styles.items():
        if categories.get(cat):
            hs.append(Line2D([], [], linestyle="none", marker=marker, markersize=8 if marker == "*" else 6,
                             markerfacecolor=color, markeredgecolor="white",
                             label=tr("report_map.category", lang, cat=value_text(cat, lang), n=categories[cat])))
    sc = site_colors()
    for kind, n in (sites or {}).items():
        hs.append(Line2D([], [], linestyle="none", marker="*", markersize=8, markerfacecolor=sc.get(kind, "#e6550d"),
                         markeredgecolor="white", label=tr("report_map.site", lang, kind=value_text(kind, lang), n=n)))
    if shared:
        hs.append(Line2D([], [], linestyle="none", marker="+", markersize=7, color="#000000",
                         label=tr("report_map.shared", lang)))
    return hs


def png_bytes(fig: Figure, dpi: int = 200) -> bytes:
    """The figure as PNG bytes at ``dpi``, with the dpi recorded in the file."""
    import matplotlib

    from .fonts import cjk_font, mpl_rc

    buf = io.BytesIO()
    with matplotlib.rc_context(mpl_rc(cjk_font())):
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def main_bounds(geom, keep: float = 0.01) -> tuple:
    """Bounds of a (multi)polygon's substantial parts (>= ``keep`` of its area): slivers left by a boundary
    partition must not blow the frame up to the whole county."""
    parts = list(getattr(geom, "geoms", [geom]))
    total = sum(p.area for p in parts) or 1.0
    big = [p for p in parts if p.area >= keep * total] or parts
    b = np.array([p.bounds for p in big])
    return (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())


def bounds_of(*gdfs) -> tuple:
    """Union bounds (metres) of the non-empty metric frames given."""
    arr = np.array([g.total_bounds for g in gdfs if g is not None and len(g)])
    if not len(arr):
        raise ValueError("nothing to frame")
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def points_frame(lonlat: list, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """A metric frame of (lon, lat) points."""
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy([p[0] for p in lonlat], [p[1] for p in lonlat]),
                            crs=crs).to_crs(METRIC_CRS)

