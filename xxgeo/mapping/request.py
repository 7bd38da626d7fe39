"""What a map shows: the project filter (:class:`MapFilter`) and the whole request (:class:`MapRequest`).

Both are frozen and hashable: a request is the complete description of one map, so it is also the key the
app caches maps by (with the store's version and whether the dataset is the public's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..basemaps import NONE_LABEL, Basemap, shipped_providers
from ..legend import Overlay
from ..tiles import ImageTiles
from ..vocab import not_stated, precision_label
from .warnings import Warnings

#: how the page gets Leaflet and xxgeo's scripts: served by the app, or written into the page
ASSET_MODES = ("static", "inline")
#: the initial view: the whole county, or the selection (filtered projects or the highlighted feature)
FITS = ("county", "selection")

#: the shipped basemaps by name, (中文, English): "none" and the providers of geodata/basemaps.toml (packages and
#: intranet servers of a store reach a request as ``basemap_spec``)
BASEMAPS = {"none": NONE_LABEL, **{k: (b.label_zh, b.label_en) for k, b in shipped_providers().items()}}


@dataclass(frozen=True)
class MapFilter:
    """What subset of projects to show. Empty tuples mean "all" (lists are kept as tuples)."""

    townships: tuple = ()  # 9-digit codes
    categories: tuple = ()
    statuses: tuple = ()
    sources: tuple = ()  # source_ref prefixes, e.g. 专栏6-2 or 第九章
    invest_min: float | None = None
    invest_max: float | None = None
    text: str = ""
    park: str | None = None
    precisions: tuple = ()  # loc_precision codes (xxgeo.quality.SCALE; "none" = no precision recorded)

    def __post_init__(self) -> None:
        for name in ("townships", "categories", "statuses", "sources", "precisions"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value or ()))


def describe_filter(f: MapFilter, township_names: dict, park_names: dict | None = None, lang: str = "zh") -> str:
    """The filter as people read it: “乡镇：裴介镇；类别：工业；总投资 ≥ 1,000 万元” (names, not codes);
    “无（全部项目）” / “none (all projects)” when nothing is filtered."""
    en = lang == "en"
    park_names = park_names or {}
    sep, colon = ("; ", ": ") if en else ("；", "：")
    words = {"townships": ("乡镇", "townships"), "categories": ("类别", "categories"), "statuses": ("状态", "status"),
             "sources": ("出处", "sources"), "text": ("搜索", "search"), "park": ("园区", "park"),
             "min": ("总投资不少于", "investment at least"), "max": ("总投资不超过", "investment at most"),
             "precisions": ("位置精度", "location precision")}

    def w(k):
        return words[k][1 if en else 0]

    join = ", " if en else "、"
    parts = []
    if f.townships:
        parts.append(w("townships") + colon + join.join(str(township_names.get(c, c)) for c in f.townships))
    for k in ("categories", "statuses", "sources"):
        if getattr(f, k):
            parts.append(w(k) + colon + join.join(map(str, getattr(f, k))))
    if f.park:
        parts.append(w("park") + colon + str(park_names.get(f.park, f.park)))
    if f.precisions:
        shown = (not_stated(lang) if c == "none" else str(precision_label(c, lang)) for c in f.precisions)
        parts.append(w("precisions") + colon + join.join(shown))
    for k, v in (("min", f.invest_min), ("max", f.invest_max)):
        if v is not None:
            parts.append(f"{w(k)} {v:,.0f} {'×10k CNY' if en else '万元'}")
    if f.text:
        parts.append(w("text") + colon + f"“{f.text}”")
    return sep.join(parts) or ("none (all projects)" if en else "无（全部项目）")


def filter_projects(projects: pd.DataFrame, f: MapFilter) -> pd.DataFrame:
    """Rows of ``projects`` that pass the filter (a multi-township project matches any of its townships)."""
    m = np.ones(len(projects), dtype=bool)
    if f.townships:
        codes = projects["township_codes"].fillna(projects["township_code"]).fillna("")
        want = set(f.townships)
        m &= codes.map(lambda s: bool(want.intersection(s.split(";")))).astype(bool).to_numpy()
    if f.categories:
        m &= projects["category"].isin(f.categories).to_numpy()
    if f.statuses:
        m &= projects["status"].isin(f.statuses).to_numpy()
    if f.sources:
        refs = projects["source_ref"].fillna("")
        m &= refs.map(lambda s: any(_ref_matches(s, x) for x in f.sources)).to_numpy()
    if f.invest_min is not None:
        m &= (projects["investment_wan"] >= f.invest_min).fillna(False).to_numpy()
    if f.invest_max is not None:
        m &= (projects["investment_wan"] <= f.invest_max).fillna(False).to_numpy()
    if f.park:
        m &= (projects["park_id"] == f.park).fillna(False).to_numpy()
    if f.precisions:
        prec = projects["loc_precision"] if "loc_precision" in projects.columns \
            else pd.Series(None, index=projects.index)
        m &= prec.where(prec.notna() & (prec != ""), "none").isin(f.precisions).to_numpy()
    if f.text.strip():
        q = f.text.strip().lower()
        hay = (projects["name"].fillna("") + " " + projects["project_id"].fillna("")).str.lower()
        m &= hay.str.contains(q, regex=False).to_numpy()
    return projects[m]


def _ref_matches(refs: str, want: str) -> bool:
    return any(r.strip() == want or r.strip().startswith(want) for r in re.split(r"[;；]", refs))


def source_chapters(projects: pd.DataFrame) -> list[str]:
    """The distinct source references (专栏 first, then chapters) for a filter list."""
    refs = set()
    for s in projects["source_ref"].dropna():
        refs.update(r.strip() for r in re.split(r"[;；]", s) if r.strip())
    return sorted(refs, key=lambda r: (not r.startswith("专栏"), _natural(r)))


def _natural(s: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


@dataclass(frozen=True)
class MapRequest:
    """Everything one map depends on besides the dataset and the layer specs; hashable, so it is the cache key.

    ``role='public'`` forces public-only projects and hides the layers not meant for the public.
    ``overlay``: a township choropleth (:class:`xxgeo.legend.Overlay`, itself hashable).
    ``highlight_township`` / ``highlight_park`` / ``highlight_project``: the id of one feature to highlight and
    frame (the layers whose spec names ``highlight_param = "township"`` / ``"park"`` / ``"project"``; when
    several are given the view frames the most specific, the one drawn last, e.g. a project in its township).
    ``show_villages``: draw the layers that are drawn
    only on request (``on_request = "villages"``). ``compact``: legend folded and layer control collapsed (small
    maps in the app). ``assets``: "static" (served by the app) or "inline" (one self-contained file that draws
    with no network). ``fit``: 'county' or 'selection' (the filtered projects or the highlighted feature), the
    initial view. ``height``: the map element's CSS height. ``tianditu_key``: needed by the 天地图 basemap only.
    ``basemap``: a shipped name (:data:`BASEMAPS`) or a :class:`~xxgeo.basemaps.Basemap` (a package, an intranet
    server; see :func:`xxgeo.basemaps.choices`), which is then kept as ``basemap_spec`` and ``basemap`` is its name.
    """

    filter: MapFilter = MapFilter()
    role: str = "editor"
    lang: str = "zh"
    basemap: str | Basemap = "none"
    overlay: Overlay | None = None
    highlight_township: str | None = None
    highlight_park: str | None = None
    highlight_project: str | None = None
    show_villages: bool = False
    compact: bool = False
    assets: str = "static"
    title: str | None = None
    height: str | int = "100%"
    fit: str = "selection"
    tianditu_key: str | None = None
    #: the control lines as image tiles (layers whose spec says ``on_request = "constraints"``), and the
    #: check's verdicts to highlight: ((project_id, verdict), …) drawn over the projects
    constraint_tiles: ImageTiles | None = None
    marks: tuple = ()
    basemap_spec: Basemap | None = None
    #: the 调度 warning map (:class:`xxgeo.mapping.warnings.Warnings`): only its projects, coloured by light,
    #: with their month figures in the popups (an internal map; the public's carries none)
    warnings: Warnings | None = None

    def __post_init__(self) -> None:
        if self.filter is None:
            object.__setattr__(self, "filter", MapFilter())
        if isinstance(self.basemap, Basemap):  # a package or an intranet server, given as itself
            object.__setattr__(self, "basemap_spec", self.basemap)
        if self.basemap_spec is not None:
            object.__setattr__(self, "basemap", self.basemap_spec.name)
        elif self.basemap not in BASEMAPS:
            raise ValueError(f"unknown basemap {self.basemap!r} (one of {', '.join(BASEMAPS)})")
        if self.assets not in ASSET_MODES:
            raise ValueError(f"unknown assets mode {self.assets!r} (one of {', '.join(ASSET_MODES)})")
        if self.fit not in FITS:
            raise ValueError(f"unknown fit {self.fit!r} (one of {', '.join(FITS)})")

    def field_value(self, name: str):
        """The value of the request field ``name`` (named by a layer spec's behaviour)."""
        if name not in _FIELD_NAMES:
            raise KeyError(name)
        return getattr(self, name)


_FIELD_NAMES = frozenset(f.name for f in fields(MapRequest))
