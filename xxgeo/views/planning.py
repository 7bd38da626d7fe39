"""规划总览: every project, filtered by township / category / status / chapter / investment / name;
map and table kept in step; counts and stated-investment totals for the selection."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..analysis import overlay_choices, township_indicator_values
from ..i18n import select_all, value_text
from ..indicator_text import overlay_label
from ..mapping import MapFilter, MapRequest, Overlay, describe_filter, filter_projects, source_chapters
from ..names import township_names
from ..policy import public_frame
from ..schema import CATEGORIES
from ..textsafe import md
from ..vocab import fmt_wan, status_text, unit_text
from .common import (
    basemap_picker,
    detail_notes,
    focused_project,
    param_list,
    project_table,
    selectable_table,
    set_param,
    show_map,
    township_from_param,
    unlocated_notice,
)
from .quality_panel import precision_options, precision_text, render_quality

TABLE_ROWS = 2000


def _multiselect_param(ctx, label: str, options: list, param: str, key: str, fmt=None) -> list:
    wanted = param_list(ctx, param)
    default = [o for o in options if o in wanted]
    chosen = st.multiselect(label, options, default=default, key=key, format_func=fmt or str,
                            placeholder=ctx.t("all"), select_all=select_all(ctx.lang))
    if chosen != default:
        set_param(param, chosen)
    return chosen


def sidebar_filter(ctx) -> tuple[MapFilter, str | None]:
    """The planning filters in the sidebar, initialised from and written back to the URL."""
    ds = ctx.dataset
    projects = ds["projects"]
    t = ds["townships"]
    names = township_names(t)
    with st.sidebar:
        st.markdown(ctx.t("filter.heading"))
        q = st.text_input(ctx.t("filter.search"), value=ctx.params.get("q", ""), key="f_q")
        if q != ctx.params.get("q", ""):
            set_param("q", q)
        # townships: URL may carry names, short names or codes
        url_codes = [c for c in (township_from_param(ctx, v) for v in param_list(ctx, "township")) if c]
        towns = st.multiselect(ctx.t("filter.township"), list(names), default=url_codes, key="f_town",
                               format_func=names.get, placeholder=ctx.t("all"), select_all=select_all(ctx.lang))
        if towns != url_codes:
            set_param("township", [names[c] for c in towns])
        cats = _multiselect_param(ctx, ctx.t("filter.category"), list(CATEGORIES), "category", "f_cat",
                                  fmt=lambda c: value_text(c, ctx.lang))
        statuses = sorted(projects["status"].dropna().unique())
        sts = _multiselect_param(ctx, ctx.t("filter.status"), statuses, "status", "f_status",
                                 fmt=lambda v: status_text(v, ctx.lang))
        srcs = _multiselect_param(ctx, ctx.t("filter.source"), source_chapters(projects), "source", "f_src")
        precs = _multiselect_param(ctx, ctx.t("quality.filter"), precision_options(projects), "precision", "f_prec",
                                   fmt=lambda c: precision_text(c, ctx.lang))
        c1, c2 = st.columns(2)
        imin = c1.number_input(ctx.t("planning.inv_min"),
                               min_value=0.0, value=_num(ctx.params.get("inv_min")), step=1000.0,
                               key="f_imin", help=ctx.t("planning.inv_help"))
        imax = c2.number_input(ctx.t("planning.inv_max"),
                               min_value=0.0, value=_num(ctx.params.get("inv_max")), step=1000.0,
                               key="f_imax")
        for name, v in (("inv_min", imin), ("inv_max", imax)):
            if (v or None) != _num(ctx.params.get(name)):
                set_param(name, None if not v else f"{v:g}")
        choices = overlay_choices(ds)
        okeys = [None, *choices]
        cur = ctx.params.get("overlay")
        ov = st.selectbox(ctx.t("overlay.label"), okeys, index=okeys.index(cur) if cur in okeys else 0, key="f_overlay",
                          format_func=lambda k: ctx.t("overlay.none") if k is None else overlay_label(
                              k, choices[k], ctx.lang))
        if ov != cur:
            set_param("overlay", ov)
    flt = MapFilter(townships=tuple(towns), categories=tuple(cats), statuses=tuple(sts), sources=tuple(srcs),
                    invest_min=imin or None, invest_max=imax or None, text=q, precisions=tuple(precs))
    return flt, ov


def _num(v):
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None


def render(ctx) -> None:
    """Render the planning view."""
    ds = ctx.dataset
    flt, overlay_key = sidebar_filter(ctx)
    basemap = basemap_picker(ctx)
    sel = filter_projects(ds["projects"], flt)
    overlay = None
    if overlay_key:
        values, label, unit = township_indicator_values(ds, overlay_key, sel if overlay_key in (
            "project_count", "investment_wan") else None)
        overlay = Overlay(label=overlay_label(overlay_key, label, ctx.lang), unit=unit_text(unit, ctx.lang),
                          values=values)

    st.markdown(f"## {ctx.t('view.planning')}")
    inv = sel["investment_wan"]
    c = st.columns(4)
    c[0].metric(ctx.t("count.projects"), f"{len(sel):,}", help=ctx.t("planning.of_all",
                                                                             n=f"{len(ds['projects']):,}"))
    c[1].metric(ctx.t("count.investment"), fmt_wan(inv.sum(min_count=1), ctx.lang))
    c[2].metric(ctx.t("count.with_investment"), f"{int(inv.notna().sum()):,}",
                help=ctx.t("planning.with_investment_help"))
    c[3].metric(ctx.t("planning.on_map"), f"{int(sel.geometry.notna().sum()):,}",
                help=ctx.t("planning.on_map_help"))

    # the table shows at most TABLE_ROWS rows (a browser table of 100,000 rows helps nobody and costs seconds);
    # the download carries the whole selection
    shown = sel.iloc[:TABLE_ROWS]
    table = project_table(shown, ctx)
    focus_row, highlight = focused_project(ctx, sel, "plan_focus")
    show_map(ctx, "plan_map", MapRequest(flt, lang=ctx.lang, basemap=basemap, overlay=overlay, compact=True,
                                         highlight_project=highlight), height=560)
    from .printpanel import render_panel  # the wall print (挂图), built only when its button is clicked

    render_panel(ctx, flt, basemap)

    st.markdown(ctx.t("planning.table"))
    if len(sel) > TABLE_ROWS:
        st.caption(ctx.t("planning.table_capped", n=f"{len(sel):,}", shown=f"{TABLE_ROWS:,}"))
    selectable_table(ctx, table, key="plan_table", focus_key="plan_focus", height=380)
    if focus_row is not None:
        if highlight is None:
            unlocated_notice(ctx, focus_row)
        _details(focus_row, ctx)
    # built only when clicked: the whole selection, however large; internal data for editors only
    what = ctx.t("planning.selection")
    if not ctx.can_write_all:
        sel, what = public_frame("projects", sel, keep_columns=True), ctx.t("planning.selection_public")
    a, b = st.columns(2)
    a.download_button(ctx.t("planning.download_xlsx", what=what), lambda: _xlsx(sel, ctx, flt),
                      ctx.t("planning.file_xlsx"),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="plan_xlsx")
    b.download_button(ctx.t("planning.download_csv", what=what), lambda: _download(sel, ctx, flt, "csv"),
                      ctx.t("planning.file_csv"), "text/csv", key="plan_csv")
    render_quality(ctx, sel)  # last: the project table stays the view's first table


def _xlsx(sel, ctx, flt: MapFilter) -> bytes:
    return _download(sel, ctx, flt, "xlsx")


def _download(sel, ctx, flt: MapFilter, fmt: str) -> bytes:
    """The selection as Excel or CSV: one column list for both (export.render), names beside codes, the filter
    described in words on the Excel's 说明 sheet."""
    from ..export import render

    towns = township_names(ctx.dataset["townships"])
    parks = dict(zip(ctx.dataset["parks"]["park_id"], ctx.dataset["parks"]["name"]))
    about = [("图层", "项目（projects）"), ("筛选", describe_filter(flt, towns, parks)), ("行数", str(len(sel))),
             ("说明", "未注明的数值留空；总投资单位为万元，均为规划所述数值。")]
    data, _notes = render(sel, "projects", fmt, township_names=towns, about=about, park_names=parks)
    return data


def _details(row: pd.Series, ctx) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(row['name'])}**")
        for note in detail_notes(row, ctx):
            st.caption(md(note))
