"""What a wall print shows (its theme): projects by category, by lifecycle stage or by 调度 warning light, or the
townships coloured by an indicator (township:INDICATOR).

A project located precisely (surveyed, digitised, a structure, a photo's position) or at a named place is a pin;
a project known only by its township, park or the whole county is *not* a pin: it is counted in one numbered
circle at that township, park or county (:func:`area_anchor`), and the legend says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from ..crs import METRIC_CRS
from ..errors import NotFound, XxgeoError
from ..i18n import tr
from ..vocab import category_text, is_blank, value_en
from . import mapdraw as md

THEMES = ("category", "stage", "warning", "township")
#: precision codes drawn as a counted symbol at their area, never as a pin
AREA_ONLY = ("township", "park", "county")
#: the lifecycle stages of issue 12, in order, with their colours
STAGE_COLOURS = {"储备": "#9e9e9e", "签约": "#6a3d9a", "前期": "#1f78b4", "新开工": "#33a02c", "续建": "#ff7f00",
                 "竣工": "#e31a1c", "投产": "#8c510a"}
WARNING_COLOURS = {"red": "#d62728", "yellow": "#f2c500", "green": "#2ca02c"}
NO_VALUE = "#c8c8c8"
CHOROPLETH = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


NO_PROGRESS = ("还没有调度进度数据（月度进度尚未填报或导入），无法画预警图；请先导入月度进度表，或选用 category 专题。",
               "There is no dispatch progress data yet (no monthly progress has been reported or imported), so a "
               "warning map cannot be drawn; import the monthly progress sheet first, or use the category theme.")


class ThemeUnavailable(XxgeoError):
    """The theme asked for needs data the store does not hold (no stage column, no progress reports yet)."""


@dataclass
class Theme:
    """A resolved theme: which class each project is in (or each township's value), with legend entries."""

    name: str
    title: str  # legend heading
    classes: list = field(default_factory=list)  # (key, label, colour) in legend order
    project_class: pd.Series | None = None  # project index -> class key (projects themes)
    values: dict = field(default_factory=dict)  # township code -> value (township theme)
    unit: str = ""
    breaks: list = field(default_factory=list)  # class edges of the choropleth
    label: str = ""  # the indicator's label (township theme)


def parse_theme(text: str) -> tuple[str, str | None]:
    """``category`` / ``stage`` / ``warning`` / ``township:INDICATOR`` -> (name, indicator or None)."""
    name, _, arg = str(text or "").strip().partition(":")
    name = name.strip().lower()
    if name not in THEMES or (name == "township") != bool(arg.strip()):
        raise NotFound(f"没有专题“{text}”。可用：category（类别）、stage（阶段）、warning（调度预警）、"
                       "township:指标（乡镇专题图，如 township:project_count）。",
                       english=f"No theme “{text}”. Themes: category, stage, warning, township:INDICATOR "
                               "(e.g. township:project_count).")
    return name, arg.strip() or None


def _stage_text(v, lang: str) -> str:
    return tr("print.no_value", lang) if is_blank(v) else (str(value_en(v)) if lang == "en" else str(v))


def resolve_theme(ds, theme: str, projects: pd.DataFrame, lang: str = "zh", *, lights: pd.Series | None = None
                  ) -> Theme:
    """The theme for ``projects``: classes and legend entries; one sentence when its data is missing.
    ``lights``: project_id -> red/yellow/green (the 调度 warnings of a month), needed by ``warning``."""
    name, arg = parse_theme(theme)
    if name == "category":
        styles = md.category_styles()
        cls = projects["category"].astype(object)
        return Theme(name, tr("print.legend_category", lang), [
            (c, str(category_text(c, lang)), col) for c, (col, _m) in styles.items() if (cls == c).any()], cls)
    if name == "stage":
        if "stage" not in projects.columns:
            raise ThemeUnavailable("项目还没有“阶段”字段（储备、签约、前期、新开工、续建、竣工、投产），"
                                   "无法按阶段出图；请先导入或填写项目阶段，或选用 category 专题。",
                                   english="Projects have no “stage” field yet (reserve, signed, preparatory, "
                                           "started, continuing, completed, in production), so a stage map "
                                           "cannot be drawn; import or fill in the stages first, or use the "
                                           "category theme.")
        cls = projects["stage"].where(projects["stage"].notna(), None).astype(object)
        if cls.isna().all():
            raise ThemeUnavailable("所有项目的“阶段”都未注明，无法按阶段出图；请先填写项目阶段，或选用 category 专题。",
                                   english="No project has a stage stated, so a stage map cannot be drawn; fill "
                                           "in the stages first, or use the category theme.")
        keys = [s for s in STAGE_COLOURS if (cls == s).any()]
        keys += sorted(str(s) for s in cls.dropna().unique() if s not in STAGE_COLOURS)
        classes = [(k, _stage_text(k, lang), STAGE_COLOURS.get(k, "#666666")) for k in keys]
        if cls.isna().any():
            classes.append((None, tr("print.no_value", lang), NO_VALUE))
        return Theme(name, tr("print.legend_stage", lang), classes, cls)
    if name == "warning":
        if lights is None or len(lights) == 0:
            raise ThemeUnavailable(NO_PROGRESS[0], english=NO_PROGRESS[1])
        cls = projects["project_id"].astype(str).map(lights).where(lambda s: s.isin(list(WARNING_COLOURS)), None)
        classes = [(k, tr(f"print.light_{k}", lang), c) for k, c in WARNING_COLOURS.items() if (cls == k).any()]
        if cls.isna().any():
            classes.append((None, tr("print.light_none", lang), NO_VALUE))
        return Theme(name, tr("print.legend_warning", lang), classes, cls.astype(object))
    return _township_theme(ds, arg, projects, lang)


def _township_theme(ds, key: str, projects: pd.DataFrame, lang: str) -> Theme:
    from ..analysis import overlay_choices, township_indicator_values
    from ..indicator_text import overlay_label
    from ..vocab import unit_text

    try:
        values, label, unit = township_indicator_values(ds, key, projects if key in (
            "project_count", "investment_wan") else None)
    except KeyError:
        choices = "、".join(overlay_choices(ds))
        raise NotFound(f"没有乡镇指标“{key}”。可用：{choices}。",
                       english=f"No township indicator “{key}”. Available: {', '.join(overlay_choices(ds))}."
                       ) from None
    vals = {c: float(v) for c, v in values.items() if v is not None and not pd.isna(v)}
    breaks = class_breaks(list(vals.values()))
    u = str(unit_text(unit, lang) or "")
    classes = []
    for i in range(len(breaks) - 1):
        lo, hi = breaks[i], breaks[i + 1]
        text = f"{_num(lo)} – {_num(hi)} {u}".strip()
        classes.append((i, text, CHOROPLETH[min(i, len(CHOROPLETH) - 1) if len(breaks) > 2 else 2]))
    if len(vals) < len(ds["townships"]):
        classes.append((None, tr("print.no_value", lang), NO_VALUE))
    return Theme("township", overlay_label(key, label, lang), classes, values=vals, unit=u, breaks=breaks,
                 label=overlay_label(key, label, lang))


def class_breaks(values: list, n: int = 5) -> list:
    """Up to ``n`` classes of equal counts (quantiles) over ``values``, edges deduplicated: [min, …, max]."""
    if not values:
        return []
    arr = np.asarray(values, dtype=float)
    edges = np.quantile(arr, np.linspace(0, 1, n + 1))
    if np.all(np.mod(arr, 1) == 0):  # counts: whole-number edges
        edges = np.round(edges)
    edges = sorted({float(x) for x in edges})
    return edges if len(edges) > 1 else [edges[0], edges[0]]


def class_of(value: float, breaks: list) -> int:
    """The class index of ``value`` in ``breaks`` (the last class includes its upper edge)."""
    for i in range(len(breaks) - 1):
        if value <= breaks[i + 1]:
            return i
    return max(len(breaks) - 2, 0)


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}"


def area_anchor(row, towns_m, parks_m, county_m):
    """(key, metric point) where an area-only project is counted: its park, its (first) township or the
    county; None when the area is unknown."""
    prec = row.get("loc_precision")
    if prec == "park" and not is_blank(row.get("park_id")) and row["park_id"] in parks_m.index:
        return f"park:{row['park_id']}", parks_m.loc[row["park_id"]]
    codes = str(row.get("township_code") or "").split(";")
    code = codes[0].strip() if codes and codes[0].strip() else None
    if prec in ("township", "park") and code in towns_m.index:
        return f"township:{code}", towns_m.loc[code]
    if county_m is not None:
        return "county", county_m
    return None


def anchor_points(ds) -> tuple[pd.Series, pd.Series, object]:
    """Metric representative points of the townships (by code), the parks (by park_id) and the county."""
    t = md.metric(ds["townships"])
    p = md.metric(ds["parks"])
    c = md.metric(ds["county"])
    towns = pd.Series([main_point(g) for g in t.geometry], index=t["code"].values) if len(t) else pd.Series()
    parks = pd.Series([g.representative_point() for g in p.geometry], index=p["park_id"].values) if len(p) \
        else pd.Series()
    county = main_point(c.geometry.iloc[0]) if len(c) else None
    return towns, parks, county


def main_point(geom):
    """A point inside the largest part of a (multi)polygon (a township's sliver parts never get the label)."""
    parts = list(getattr(geom, "geoms", [geom]))
    return max(parts, key=lambda g: g.area).representative_point()


@dataclass
class ThemeDrawn:
    """What :func:`draw_theme` put on the map."""

    pins: int = 0
    counted: int = 0  # area-only projects counted in circles
    circles: list = field(default_factory=list)  # (anchor key, class key, count, x, y)


def _colour(theme: Theme, key) -> str:
    for k, _label, c in theme.classes:
        if k == key or (k is None and key is None):
            return c
    return NO_VALUE


def draw_choropleth(ax, ds, theme: Theme, *, label_size: float) -> None:
    """Townships filled by class of their value; the value written under the name."""
    t = md.metric(ds["townships"])
    for _, r in t.iterrows():
        v = theme.values.get(r["code"])
        colour = NO_VALUE if v is None else _colour(theme, class_of(v, theme.breaks))
        gpd.GeoSeries([r.geometry], crs=METRIC_CRS).plot(ax=ax, facecolor=colour, edgecolor="none",
                                                               alpha=0.85, zorder=1.2)
        if v is not None:
            p = main_point(r.geometry)
            ax.annotate(f"{_num(v)} {theme.unit}".strip(), (p.x, p.y), xytext=(0, -label_size * 1.3),
                        textcoords="offset points", ha="center", va="center", fontsize=label_size * 0.9,
                        color="#1a1a1a", zorder=9)


def draw_projects(ax, ds, projects: pd.DataFrame, theme: Theme, *, scale: float, lang: str = "zh") -> ThemeDrawn:
    """Pins for located projects, numbered circles for the area-only ones (one per area and class), set below
    the township's name; the whole county's in a box at the lower right."""
    out = ThemeDrawn()
    cls = theme.project_class if theme.project_class is not None else pd.Series(None, index=projects.index)
    styles = md.category_styles() if theme.name == "category" else {}
    towns, parks, county_pt = anchor_points(ds)
    pins, groups = [], {}
    geo = md.metric(projects)
    for idx, row in projects.iterrows():
        key = cls.get(idx)
        key = None if is_blank(key) else key
        if row.get("loc_precision") in AREA_ONLY or idx not in geo.index:
            anchor = area_anchor(row, towns, parks, county_pt)
            if anchor is not None:
                groups.setdefault((anchor[0], key), [anchor[1], 0])[1] += 1
            continue
        pt = md._point_of(geo.loc[idx].geometry, None)
        if pt is not None:
            pins.append((pt.x, pt.y, key, row.get("loc_precision")))
    x0, x1 = ax.get_xlim()
    per_pt = (x1 - x0) / (ax.get_position().width * ax.figure.get_size_inches()[0] * 72)
    if pins:
        fixed = ("surveyed", "digitised", "structure", "photo_gps", "village")
        pos, _c = md.fan_out([(p[0], p[1]) for p in pins], 7 * scale * per_pt, [p[3] not in fixed for p in pins])
        for (x, y), (_x, _y, key, _p) in zip(pos, pins):
            marker = styles.get(key, ("", "o"))[1] if styles else "o"
            size = (5.5 * scale) ** 2 * (2.0 if marker == "*" else 1.0)
            ax.scatter([x], [y], marker=marker, s=size, c=_colour(theme, key), edgecolors="white",
                       linewidths=0.5 * scale, zorder=8)
        out.pins = len(pins)
    by_anchor: dict = {}
    for (anchor, key), (pt, n) in groups.items():
        by_anchor.setdefault(anchor, []).append((key, pt, n))
    order = {k: i for i, (k, _l, _c) in enumerate(theme.classes)}
    (y0, y1) = ax.get_ylim()
    for anchor, items in by_anchor.items():
        items.sort(key=lambda it: order.get(it[0], 99))
        radii = [(6.5 + 2.2 * np.log10(n)) * scale for _k, _p, n in items]
        width = (sum(2 * r for r in radii) + 1.5 * scale * (len(items) - 1)) * per_pt
        if anchor == "county":
            cx, y = x1 - (x1 - x0) * 0.02 - width, y0 + (y1 - y0) * 0.05 + max(radii) * per_pt
            ax.text(x1 - (x1 - x0) * 0.02, y + max(radii) * per_pt * 1.4, tr("print.county_wide", lang),
                    ha="right", va="bottom", fontsize=6.5 * scale, color="#333333", zorder=8.6,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#999999", "alpha": 0.9})
        else:
            cx, y = items[0][1].x - width / 2, items[0][1].y - (7.5 * scale + max(radii)) * per_pt
        for (key, _pt, n), r in zip(items, radii):
            x = cx + r * per_pt
            colour = _colour(theme, key)
            ax.scatter([x], [y], marker="o", s=(2 * r) ** 2, c=colour, edgecolors="#333333",
                       linewidths=0.6 * scale, alpha=0.92, zorder=8.5)
            ink = "#111111" if colour in (WARNING_COLOURS["yellow"], NO_VALUE, "#9e9e9e") else "white"
            ax.text(x, y, str(n), ha="center", va="center", fontsize=6.2 * scale, color=ink,
                    fontweight="bold", zorder=8.6)
            out.circles.append((anchor, key, n, x, y))
            out.counted += n
            cx += (2 * r + 1.5 * scale) * per_pt
    return out


def legend_entries(theme: Theme, drawn: ThemeDrawn | None, lang: str, *, scale: float) -> list:
    """Legend handles for the theme's classes and the counted circles."""
    from matplotlib.patches import Patch

    hs = []
    styles = md.category_styles() if theme.name == "category" else {}
    for key, label, colour in theme.classes:
        if theme.name == "township":
            hs.append(Patch(facecolor=colour, edgecolor="#888888", label=label))
        else:
            marker = styles.get(key, ("", "o"))[1] if styles else "o"
            hs.append(md.Line2D([], [], linestyle="none", marker=marker, markersize=8, markerfacecolor=colour,
                                markeredgecolor="white", label=label))
    if drawn is not None and drawn.counted:
        hs.append(md.Line2D([], [], linestyle="none", marker="o", markersize=10, markerfacecolor="#ffffff",
                            markeredgecolor="#333333", label=tr("print.counted", lang, n=drawn.counted)))
    return hs
