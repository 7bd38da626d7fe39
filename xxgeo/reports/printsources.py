"""Where a print's optional layers come from: the basemap package under the map (issue 14, xxgeo/basemaps) and
the 调度 warning lights of a month (issue 12, xxgeo/dispatch). Both are looked up when asked for, so a print
without them needs neither; when one is missing the user gets one sentence, not a traceback."""

from __future__ import annotations

import importlib

import pandas as pd

from ..errors import NotFound
from ..vocab import is_blank
from .printthemes import NO_PROGRESS, ThemeUnavailable


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def basemap_background(name: str, store: str | None = None):
    """``background(bounds_wgs84, w, h)`` drawing the basemap package ``name`` (its tiles read from disk), for
    :func:`~xxgeo.reports.printlayout.render_print`; one sentence when there is no such package."""
    render = _module("xxgeo.basemaps.render")
    if render is None:
        raise NotFound(f"这个版本还不能使用底图包，无法以“{name}”为底图打印；请去掉 --basemap 再打印。",
                       english=f"This version cannot use basemap packages, so “{name}” cannot be printed under "
                               "the map; print without --basemap.")

    registry = _module("xxgeo.basemaps.registry")
    if registry is not None and registry.Registry(registry.registry_dir(store)).get(name) is None:
        raise NotFound(f"没有名为“{name}”的底图包（python -m xxgeo basemap list 列出已添加的底图包）。",
                       english=f"No basemap package named “{name}” (python -m xxgeo basemap list shows those added).")

    def background(bounds, width_px: int, height_px: int):
        return render.basemap_image(name, bounds, width_px, height_px, store=store, projection="lonlat")

    return background


def warning_lights(ds, month: str | None = None) -> pd.Series:
    """project_id -> red / yellow / green for ``month`` (default: the latest month with progress rows); one
    sentence when there is no progress data (or no 调度 module) yet."""
    progress = ds.get("progress") if hasattr(ds, "get") else None
    figures = _module("xxgeo.dispatch.figures")
    if progress is None or len(progress) == 0 or figures is None:
        raise ThemeUnavailable(NO_PROGRESS[0], english=NO_PROGRESS[1])
    months = sorted(str(m) for m in progress["month"].dropna().unique())
    if is_blank(month):
        month = months[-1]
    elif str(month).strip() not in months:
        raise NotFound(f"{month} 没有调度进度数据；有数据的月份：{'、'.join(months)}。",
                       english=f"There is no progress data for {month}; months with data: {', '.join(months)}.")
    f = figures.month_figures(ds["projects"], progress, str(month).strip(), townships=ds["townships"],
                              problems=ds.get("problems"))
    return pd.Series(f["light"].values, index=f["project_id"].astype(str).values)
