"""The bulletin's county map of warnings (挂图作战): townships (schematic boundaries dashed), the projects of the
month coloured red / yellow / green / grey (not rated), schematic points shared by several projects fanned out
and marked ``+``; north arrow, scale bar and a legend with counts, in Chinese or English."""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.lines import Line2D

from ..dispatch.figures import LIGHT_COLOURS, LIGHTS, light_text
from ..i18n import tr
from ..textsafe import figure_label
from . import mapdraw as md
from .fonts import cjk_font, mpl_rc

#: precise positions are never moved when symbols are fanned out (DESIGN: precise and village points)
FIXED = ("surveyed", "digitised", "structure", "photo_gps", "village")


def _labels(ax, ds, size: float) -> None:
    t = md.metric(ds["townships"])
    for _, r in t.iterrows():
        p = r.geometry.representative_point()
        label = figure_label(r["name"], 20)  # the legend says the boundaries are schematic
        if md._inside(ax, p.x, p.y, 0.04, text=label, fontsize=size):
            ax.annotate(label, (p.x, p.y), ha="center", va="center", fontsize=size, color="#555555", zorder=9,
                        alpha=0.9)


def warning_map(ds, figures: pd.DataFrame, *, lang: str = "zh", size=(7.3, 5.2), highlight: str | None = None):
    """The map as a matplotlib Figure and how many projects it drew: (Figure, drawn, counts by light)."""
    font = cjk_font()
    geo = ds["projects"][["project_id", "loc_precision", "geometry"]].drop_duplicates("project_id")
    rows = figures[["project_id", "light"]].merge(geo, on="project_id", how="left")
    pts = md.metric(gpd.GeoDataFrame(rows, geometry="geometry", crs=ds["projects"].crs or 4326))
    counts = {k: int((figures["light"] == k).sum()) for k in LIGHTS}
    with matplotlib.rc_context(mpl_rc(font)):
        fig = md.new_figure(*size)
        ax = fig.add_axes([0.01, 0.02, 0.72, 0.96])
        md.set_extent(ax, md.bounds_of(md.metric(ds["county"]), md.metric(ds["townships"])), margin=0.03)
        md.draw_boundaries(ax, ds, highlight=highlight, labels=False)
        _labels(ax, ds, 6.5)
        items = []
        for _, r in pts.iterrows():
            p = md._point_of(r.geometry, None)
            if p is not None:
                items.append((p.x, p.y, r["light"], r.get("loc_precision") not in FIXED))
        x0, x1 = ax.get_xlim()
        pos, centres = md.fan_out([(x, y) for x, y, _, _ in items], (x1 - x0) * 0.012, [m for *_, m in items])
        for cx, cy in centres:
            ax.scatter([cx], [cy], marker="+", s=40, c="#000000", linewidths=1.0, zorder=8.5)
        for k, light in enumerate(("", "green", "yellow", "red")):  # one layer per light, red on top
            xy = [p for p, it in zip(pos, items) if it[2] == light]
            if xy:
                ax.scatter([p[0] for p in xy], [p[1] for p in xy], marker="o", s=16, c=LIGHT_COLOURS[light],
                           edgecolors="white", linewidths=0.4, zorder=8 + k * 0.01)
        md.tidy(ax)
        md.north_arrow(ax, fontsize=8)
        md.scale_bar(ax, fontsize=7)
        en = lang == "en"
        hs = [Line2D([], [], color="#222222", linewidth=1.2, label="County boundary" if en else "县界"),
              Line2D([], [], color="#666666", linewidth=0.8, linestyle=(0, (5, 4)),
                     label="Township boundary (schematic)" if en else "乡镇界（示意）")]
        for k in ("red", "yellow", "green", ""):
            hs.append(Line2D([], [], linestyle="none", marker="o", markersize=6, markerfacecolor=LIGHT_COLOURS[k],
                             markeredgecolor="white", label=f"{light_text(k, lang)} ({counts[k]})" if en
                             else f"{light_text(k, lang)}（{counts[k]}）"))
        if centres:
            hs.append(Line2D([], [], linestyle="none", marker="+", markersize=7, color="#000000",
                             label="Shared schematic point" if en else "示意位置（符号环绕排列）"))
        lax = fig.add_axes([0.75, 0.05, 0.24, 0.9])
        lax.axis("off")
        lax.legend(handles=hs, loc="upper left", fontsize=7, frameon=False, title=tr("bulletin.h_light", lang),
                   title_fontsize=8, alignment="left", borderaxespad=0)
    return fig, len(items), counts
