"""乡镇: one township on one page — boundary highlighted, its projects, villages, parks, sites, figures,
its 美丽乡村 demonstration villages and 现代农业产业园 from the plan."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..analysis import township_stats
from ..i18n import value_text
from ..mapping import MapFilter, MapRequest, filter_projects
from ..names import township_names
from ..textsafe import file_name, md
from ..vocab import fmt_wan, not_stated
from .common import (
    basemap_picker,
    focused_project,
    na_text,
    project_table,
    report_download,
    selectable_table,
    set_param,
    show_map,
    township_from_param,
    unlocated_notice,
)


def pick_township(ctx) -> str:
    """Township chosen in the sidebar, initialised from ``?township=`` (name, short name or code), else a
    signed-in township head's own township."""
    t = ctx.dataset["townships"]
    names = township_names(t)
    url = township_from_param(ctx, ctx.params.get("township"))
    if not url and ctx.actor.township in names:
        url = ctx.actor.township
    codes = list(names)
    with st.sidebar:
        code = st.selectbox(ctx.t("filter.township"), codes, index=codes.index(url) if url else 0,
                            format_func=names.get, key="tw_pick")
    if code != url:
        set_param("township", names[code])
    return code


def render(ctx) -> None:
    """Render the township view."""
    ds = ctx.dataset
    code = pick_township(ctx)
    basemap = basemap_picker(ctx)
    t = ds["townships"].set_index("code").loc[code]
    flt = MapFilter(townships=(code,))
    sel = filter_projects(ds["projects"], flt)
    stats = township_stats(ds).set_index("code").loc[code]
    schematic = t["boundary_quality"] == "schematic"

    tt = ctx.t
    st.markdown(f"## {md(t['name'])}" + (tt("township.schematic_title") if schematic else ""))
    c = st.columns(4)
    c[0].metric(tt("count.projects"), f"{len(sel)}", help=tt("township.projects_help"))
    c[1].metric(tt("count.investment"), fmt_wan(stats["investment_wan"] or None, ctx.lang),
                help=tt("township.investment_help"))
    c[2].metric(tt("township.village_units"), f"{int(t['village_units'])}")
    c[3].metric(tt("township.area"), f"{stats['area_km2']:.1f} km²",
                help=tt("township.area_schematic") if schematic else tt("township.area_official"))
    if schematic:
        st.caption(tt("township.schematic_note"))

    left, right = st.columns([3, 2])
    with left:
        focus_row, highlight = focused_project(ctx, sel, "tw_focus")
        show_map(ctx, "tw_map", MapRequest(flt, lang=ctx.lang, basemap=basemap, highlight_township=code,
                                           highlight_project=highlight, compact=True), height=520)
    with right:
        cat, n, inv_col = tt("col.category"), tt("count.projects"), tt("township.stated_investment")
        by_cat = sel["category"].value_counts().rename_axis(cat).reset_index(name=n)
        inv = sel[sel["township_code"] == code].groupby("category")["investment_wan"].sum(min_count=1)
        by_cat[inv_col] = by_cat[cat].map(inv)
        by_cat[cat] = by_cat[cat].map(lambda v: value_text(v, ctx.lang))
        st.markdown(tt("township.by_category"))
        st.dataframe(na_text(by_cat, ctx.lang), hide_index=True, width="stretch")
        parks = ds["parks"][ds["parks"]["township_code"] == code]
        if len(parks):
            st.markdown(tt("township.parks"))
            for _, p in parks.iterrows():
                area = _or(p["planned_area_km2"], " km²", ctx.lang)
                st.markdown(tt("township.park_item", name=md(p["name"]), area=area))
        sites = ds["scenic_sites"][ds["scenic_sites"]["township_code"] == code]
        if len(sites):
            st.markdown(tt("township.sites"))
            codes = sites[["name", "kind", "grade", "status"]].assign(
                **{c: sites[c].map(lambda v: value_text(v, ctx.lang)) for c in ("kind", "grade", "status")})
            st.dataframe(na_text(codes, ctx.lang).rename(
                columns={"name": tt("col.site_name"), "kind": tt("col.kind"), "grade": tt("col.grade"),
                         "status": tt("col.status")}),
                hide_index=True, width="stretch")

    st.markdown(tt("township.projects"))
    selectable_table(ctx, project_table(sel, ctx), key="tw_table", focus_key="tw_focus")
    if focus_row is not None and highlight is None:
        unlocated_notice(ctx, focus_row)

    a, b = st.columns(2)
    with a:
        pv = ds["plan_villages"]
        mine = pv[pv["township_code"] == code]
        st.markdown(tt("township.plan_villages"))
        if len(mine):
            st.dataframe(na_text(mine[["programme", "group", "village", "source_ref"]], ctx.lang).rename(
                columns={"programme": tt("col.programme"), "group": tt("col.group"), "village": tt("col.village"),
                         "source_ref": tt("col.source")}),
                hide_index=True, width="stretch")
        else:
            st.caption(tt("township.no_plan_villages"))
        agri = sel[sel["name"].str.contains("产业园|示范园|基地", regex=True) & (sel["category"] == "农业")]
        st.markdown(tt("township.agri"))
        if len(agri):
            st.dataframe(agri[["name", "source_ref"]].rename(columns={"name": tt("col.site_name"),
                                                                      "source_ref": tt("col.source")}),
                         hide_index=True, width="stretch")
        else:
            st.caption(tt("township.no_agri"))
    with b:
        v = ds["villages"][ds["villages"]["township_code"] == code]
        st.markdown(tt("township.villages", n=len(v)))
        st.caption(tt("township.villages_note"))
        st.dataframe(v[["code", "name"]].rename(columns={"code": tt("col.code"), "name": tt("col.site_name")}),
                     hide_index=True,
                     width="stretch", height=300)
    _report_button(ctx, code, t["name"])


def _or(v, unit: str, lang: str = "zh") -> str:
    return not_stated(lang) if v is None or pd.isna(v) else f"{v:g}{unit}"


def _report_button(ctx, code: str, name: str) -> None:
    def build() -> bytes:
        from ..constraints.run import township_check
        from ..reports import township_report_pdf

        return township_report_pdf(ctx.dataset, code, township_check(ctx.store, code), lang=ctx.lang)

    report_download(ctx, ctx.t("township.report"), build, ctx.t("township.file_pdf", name=file_name(name)),
                    key="tw_report")
