"""Report maps: projects known only to a township, a park or the county drawn as one counted circle per area.

The township one-pager and the park brochure draw located projects as symbols (:func:`xxgeo.reports.mapdraw.
draw_points`); a project whose position only stands for an area (``loc_precision`` township / park / county, or no
geometry at all) is never a symbol that looks like a site: it is counted in a circle at its area's point, the
style of the app's map (:mod:`xxgeo.mapping.areas`) and of the wall prints (:mod:`xxgeo.reports.printthemes`).
The legend says what the number is, in the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from shapely.geometry import box

from ..i18n import tr
from ..schema import is_empty
from . import mapdraw as md
from .printthemes import AREA_ONLY, anchor_points, area_anchor

#: circle fill and edge line per kind of area (as the app's symbols: xxgeo.mapping.areas._count_svg)
FILL = {"township": "#fff3cd", "park": "#fde2c8", "county": "#ffffff"}
EDGE, INK = "#7a5c00", "#4a3800"
#: the legend line of each kind (full keys: tests/test_vocab.py forbids keys built from parts)
LEGEND_KEYS = {"township": "report_map.counted_township", "park": "report_map.counted_park",
               "county": "report_map.counted_county"}


@dataclass
class Counted:
    """What :func:`draw_counted` put on the map."""

    projects: int = 0  # projects counted in circles
    circles: list = field(default_factory=list)  # (kind, key, n, x, y) in metres
    kinds: dict = field(default_factory=dict)  # kind -> projects

    def __bool__(self) -> bool:
        return self.projects > 0


def area_only_mask(projects: pd.DataFrame) -> np.ndarray:
    """True for the projects drawn as a count at their area: an area-only precision, or no geometry."""
    if not len(projects):
        return np.zeros(0, dtype=bool)
    prec = projects["loc_precision"].isin(AREA_ONLY).to_numpy() if "loc_precision" in projects.columns \
        else np.zeros(len(projects), dtype=bool)
    geom = projects.geometry
    return prec | (geom.isna() | geom.is_empty).to_numpy()


def _anchor(row, towns, parks, county_pt, prefer: str | None):
    """(key, point) of a project's circle: ``prefer`` (the report's township) when the project lists it."""
    if prefer and row.get("loc_precision") != "park" and prefer in towns.index:
        codes = str(row.get("township_codes") if not is_empty(row.get("township_codes"))
                    else row.get("township_code") or "").split(";")
        if prefer in {c.strip() for c in codes}:
            return f"township:{prefer}", towns.loc[prefer]
    return area_anchor(row, towns, parks, county_pt)


def draw_counted(ax, ds, projects: pd.DataFrame, *, within=None, prefer: str | None = None,
                 scale: float = 1.0) -> Counted:
    """One circle per area with the number of ``projects`` counted there (the area-only rows of
    :func:`area_only_mask`); ``within`` (a metric geometry, default the map's frame) keeps only circles inside it;
    ``prefer`` is the township a multi-township project is counted at."""
    out = Counted()
    rough = projects[area_only_mask(projects)] if len(projects) else projects
    if not len(rough):
        return out
    towns, parks, county_pt = anchor_points(ds)
    if within is None:  # the circles in the map's frame
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        within = box(x0, y0, x1, y1)
    groups: dict = {}
    for _, row in rough.iterrows():
        hit = _anchor(row, towns, parks, county_pt, prefer)
        if hit is None:
            continue
        key, pt = hit
        if within is not None and not within.contains(pt):
            continue
        groups.setdefault(key, [pt, 0])[1] += 1
    x0, x1 = ax.get_xlim()
    per_pt = (x1 - x0) / (ax.get_position().width * ax.figure.get_size_inches()[0] * 72)  # metres per point
    for key, (pt, n) in groups.items():
        kind = key.split(":", 1)[0]
        r = (6.0 + 2.2 * np.log10(n)) * scale
        # just below the area's point: a site drawn at that point (a township-precision site) stays visible
        x, y = pt.x, pt.y - (r + 3.5 * scale) * per_pt
        ax.scatter([x], [y], marker="o", s=(2 * r) ** 2, c=FILL[kind], edgecolors=EDGE,
                   linewidths=1.1 * scale, linestyle="--" if kind == "county" else "-", zorder=8.7)
        ax.text(x, y, str(n), ha="center", va="center", fontsize=6.4 * scale, color=INK, fontweight="bold",
                zorder=8.8)
        out.circles.append((kind, key, n, x, y))
        out.kinds[kind] = out.kinds.get(kind, 0) + n
        out.projects += n
    return out


def legend_entries(counted: Counted, lang: str = "zh") -> list:
    """The legend lines of the circles drawn (one per kind of area, with how many projects)."""
    hs = []
    for kind in ("park", "township", "county"):
        n = counted.kinds.get(kind)
        if n:
            hs.append(md.Line2D([], [], linestyle="none", marker="o", markersize=10, markerfacecolor=FILL[kind],
                                markeredgecolor=EDGE, label=tr(LEGEND_KEYS[kind], lang)))
    return hs
