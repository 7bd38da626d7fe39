"""调度 (``?view=dispatch&month=YYYY-MM``, issue 12): the month's key projects with plan, done, completion rate,
序时进度, gap and the warning light; filters; who has not reported; the open problems; the map by warning; a
project's trend against its plan line; the bulletin and the blank template. Reporting, review and problems are
:mod:`xxgeo.views.dispatch_work`; a township head sees their own township's projects only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..dispatch.figures import light_text
from ..dispatch.rules import load_rules, local_today, parse_month, report_due
from ..dispatch.totals import not_reported, overall
from ..errors import XxgeoError
from ..i18n import in_lang, value_text
from ..mapping import MapRequest, warning_marks
from ..mapping.areas import group_rows
from ..policy import WRITERS
from ..policy_dispatch import state_text
from ..quality import exact_mask
from ..reports.bulletin import bulletin_data
from ..textsafe import file_name, md
from ..vocab import is_blank, not_stated
from . import dispatch_work as work
from .common import set_param, show_map
from .errors import show_error

#: the light's mark before its word (a plain character every CJK font has: emoji are missing on many machines)
DOT = {"red": "●", "yellow": "●", "green": "●", "": "○"}
#: the filters: key -> (figure column, label key)
FILTERS = {"township": ("township", "f_township"), "lead": ("lead_official", "f_lead"),
           "unit": ("responsible_unit", "f_unit"), "stage": ("stage", "f_stage"), "key": ("key_level", "f_key")}


def t(ctx, key: str, **kw) -> str:
    """A ``[dispatch_view]`` string in the page's language."""
    return ctx.t(f"dispatch_view.{key}", **kw)


def default_month(ds) -> str:
    """The latest month that has a report, else the current month (Asia/Shanghai)."""
    prog = ds.get("progress")
    if prog is not None and len(prog):
        months = prog["month"].dropna().astype(str)
        if len(months):
            return parse_month(months.max())
    return local_today(load_rules()).strftime("%Y-%m")


def pick_month(ctx) -> str:
    """The month of ``?month=``, else :func:`default_month`; a month the user types is kept in the URL."""
    given = ctx.params.get("month")
    try:
        month = parse_month(given) if given else default_month(ctx.dataset)
    except XxgeoError as exc:
        show_error(exc, ctx.lang)
        month = default_month(ctx.dataset)
    with st.sidebar:
        typed = st.text_input(t(ctx, "month"), value=month, key="dp_month")
    if typed.strip() and typed.strip() != month:
        try:
            set_param("month", parse_month(typed))
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
        else:
            st.rerun()
    return month


def own_township(ctx) -> str | None:
    """The township a township head is limited to (None for the bureau)."""
    return None if ctx.actor.role in WRITERS else (ctx.actor.township or "")


def _num(v, lang: str = "zh") -> str:
    """A figure as shown in the table: one decimal with thousands separators, 未注明 / not stated when empty (never
    Streamlit's "None")."""
    return not_stated(lang) if v is None or pd.isna(v) else f"{float(v):,.1f}"


def figure_table(fig: pd.DataFrame, ctx) -> pd.DataFrame:
    """The figure rows as shown: light (dot and word), values with units in the headers, blanks as 未注明, no
    report 未填报."""
    state = fig["state"].map(lambda s: state_text(s, ctx.lang))
    return pd.DataFrame({
        t(ctx, "c_light"): [f"{DOT.get(x, '○')} {light_text(x, ctx.lang)}" for x in fig["light"]],
        t(ctx, "c_id"): fig["project_id"].astype(str),
        t(ctx, "c_project"): fig["name"].astype(str),
        t(ctx, "c_township"): fig["township"].map(lambda v: str(value_text(v, ctx.lang))),
        t(ctx, "c_plan"): fig["annual_plan_wan"].map(lambda v: _num(v, ctx.lang)),
        t(ctx, "c_done"): fig["year_done_wan"].map(lambda v: _num(v, ctx.lang)),
        t(ctx, "c_rate"): fig["rate_pct"].map(lambda v: _num(v, ctx.lang)),
        t(ctx, "c_schedule"): fig["schedule_pct"].map(lambda v: _num(v, ctx.lang)),
        t(ctx, "c_gap"): fig["gap_pts"].map(lambda v: _num(v, ctx.lang)),
        t(ctx, "c_state"): state,
        t(ctx, "c_reasons"): fig[in_lang(ctx.lang, "reasons_zh", "reasons_en")].astype(str),
    })


def filtered(ctx, fig: pd.DataFrame) -> pd.DataFrame:
    """``fig`` limited by the sidebar filters (township, lead official, unit, stage, key level, warning)."""
    with st.sidebar:
        st.markdown(t(ctx, "filters"))
        keep = pd.Series(True, index=fig.index)
        for key, (col, label) in FILTERS.items():
            values = sorted({str(v) for v in fig[col] if not is_blank(v)})
            if not values:
                continue
            chosen = st.multiselect(t(ctx, label), values, key=f"dp_f_{key}", placeholder=t(ctx, "choose"))
            if chosen:
                keep &= fig[col].astype(str).isin(chosen)
        lights = [x for x in ("red", "yellow", "green", "") if (fig["light"] == x).any()]
        chosen = st.multiselect(t(ctx, "f_light"), lights, key="dp_f_light", placeholder=t(ctx, "choose"),
                                format_func=lambda x: f"{DOT[x]} {light_text(x, ctx.lang)}")
        if chosen:
            keep &= fig["light"].isin(chosen)
    return fig[keep]


def render(ctx) -> None:
    """Render the 调度 view."""
    ds = ctx.dataset
    month = pick_month(ctx)
    st.markdown(t(ctx, "title", month=month))
    own = own_township(ctx)
    b = bulletin_data(ds, month, township=own or None)
    fig = b.figures
    if own is not None:
        st.caption(t(ctx, "scope_township", name=md(b.township_name or own)))
    with st.container():  # what the last write did, in a fixed slot so the tabs below keep the one open
        work.show_flash()
    prog = ds.get("progress")
    with st.container():
        if prog is None or not len(prog):
            st.info(t(ctx, "begin", month=month))
        elif not len(fig):
            st.info(t(ctx, "no_projects", month=month))
    names = [t(ctx, k) for k in ("tab_overview", "tab_missing", "tab_problems", "tab_trend", "tab_report")]
    if ctx.actor.role in WRITERS:
        names.append(t(ctx, "tab_review"))
    names.append(t(ctx, "tab_download"))
    tabs = dict(zip(names, st.tabs(names)))
    with tabs[t(ctx, "tab_overview")]:
        _overview(ctx, ds, filtered(ctx, fig) if len(fig) else fig, month)
    with tabs[t(ctx, "tab_missing")]:
        _missing(ctx, fig, month)
    with tabs[t(ctx, "tab_problems")]:
        work.problems_panel(ctx, month, fig, own)
    with tabs[t(ctx, "tab_trend")]:
        _trend(ctx, ds, fig, month)
    with tabs[t(ctx, "tab_report")]:
        work.report_panel(ctx, month, fig, own)
    if ctx.actor.role in WRITERS:
        with tabs[t(ctx, "tab_review")]:
            work.review_panel(ctx, month, fig)
    with tabs[t(ctx, "tab_download")]:
        _downloads(ctx, ds, month, own, b)


def _overview(ctx, ds, fig: pd.DataFrame, month: str) -> None:
    if not len(fig):
        return
    o = overall(fig)
    c = st.columns(5)
    c[0].metric(t(ctx, "m_projects"), f"{o['projects']}")
    c[1].metric(t(ctx, "m_reported"), f"{o['reported']} / {o['projects']}")
    c[2].metric(t(ctx, "m_rate"), "—" if pd.isna(o["rate_pct"]) else f"{o['rate_pct']:.1f} %")
    c[3].metric(t(ctx, "m_schedule"), f"{o['schedule_pct']:.1f} %")
    c[4].metric(t(ctx, "m_lights"), f"{o['red']} / {o['yellow']} / {o['green']} / {o['not_rated']}")
    st.dataframe(figure_table(fig, ctx), hide_index=True, width="stretch", key="dp_table")
    _map(ctx, ds, fig, month)


def _map(ctx, ds, fig: pd.DataFrame, month: str) -> None:
    """挂图作战: the month's projects on the app's map, coloured by warning, popups with the month figures and
    the latest photos (built once per store version and request: :func:`xxgeo.views.common.show_map`)."""
    thumbs = work.popup_thumbs(ctx, fig["project_id"].astype(str), month)
    marks = warning_marks(fig, month, ctx.lang, thumbs)
    show_map(ctx, "dp_map", MapRequest(role=ctx.actor.role, lang=ctx.lang, compact=True, fit="county",
                                       warnings=marks), height=520)
    proj = ds["projects"]
    mine = proj[proj["project_id"].astype(str).isin(set(fig["project_id"].astype(str)))]
    exact = int(exact_mask(mine).sum())
    rough = int(group_rows(mine, ds)["pos"].nunique()) if len(mine) else 0
    st.caption(t(ctx, "map_caption", exact=exact, rough=rough, none=max(len(fig) - exact - rough, 0), n=len(fig)))


def _missing(ctx, fig: pd.DataFrame, month: str) -> None:
    miss = not_reported(fig) if len(fig) else fig
    if not len(miss):
        if len(fig):
            st.success(t(ctx, "not_reported_none"))
        return
    st.caption(t(ctx, "not_reported_note", due=report_due(month, load_rules()).isoformat()))
    yes, no = ctx.t("dispatch_view.c_overdue"), ""
    st.dataframe(pd.DataFrame({
        t(ctx, "c_id"): miss["project_id"].astype(str), t(ctx, "c_project"): miss["name"].astype(str),
        t(ctx, "c_township"): miss["township"].map(lambda v: str(value_text(v, ctx.lang))),
        t(ctx, "c_state"): miss["state"].map(lambda s: state_text(s, ctx.lang)),
        t(ctx, "c_overdue"): [yes if o else no for o in miss["overdue"]],
    }), hide_index=True, width="stretch", key="dp_missing")


def _trend(ctx, ds, fig: pd.DataFrame, month: str) -> None:
    """One project's 本年累计 month by month against its plan line (annual plan × month / 12)."""
    import altair as alt

    if not len(fig):
        return
    ids = fig["project_id"].astype(str).tolist()
    names = dict(zip(ids, fig["name"].astype(str)))
    pid = st.selectbox(t(ctx, "trend_pick"), ids, key="dp_trend", format_func=lambda p: f"{p} {names[p]}")
    prog = ds.get("progress")
    rows = prog[(prog["project_id"].astype(str) == pid) & (prog["month"].astype(str).str[:4] == month[:4])
                & (prog["month"].astype(str) <= month)].sort_values("month")
    if not len(rows):
        st.caption(t(ctx, "trend_none"))
        return
    done, plan = t(ctx, "trend_done"), t(ctx, "trend_plan")
    points = []
    for _, r in rows.iterrows():
        m = int(str(r["month"])[5:7])
        if not is_blank(r["year_done_wan"]):
            points.append({"month": str(r["month"]), "series": done, "wan": float(r["year_done_wan"])})
        if not is_blank(r["annual_plan_wan"]):
            points.append({"month": str(r["month"]), "series": plan, "wan": float(r["annual_plan_wan"]) * m / 12})
    if not points:
        st.caption(t(ctx, "trend_none"))
        return
    chart = alt.Chart(pd.DataFrame(points)).mark_line(point=True).encode(
        x=alt.X("month:O", title=t(ctx, "trend_axis_month")), y=alt.Y("wan:Q", title=t(ctx, "trend_axis_wan")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=[done, plan], range=["#1a9641", "#777777"])))
    st.altair_chart(chart, width="stretch")
    work.photo_timeline(ctx, pid)


def _downloads(ctx, ds, month: str, own: str | None, b) -> None:
    from ..dispatch.template import progress_template
    from ..reports.bulletin_pdf import bulletin_pdf
    from ..reports.bulletin_xlsx import bulletin_xlsx
    from .common import report_download

    base = file_name(f"{t(ctx, 'file_bulletin')}-{month}" + (f"-{b.township_name}" if b.township_name else ""))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    st.download_button(t(ctx, "dl_xlsx"), lambda: bulletin_xlsx(ds, month, lang=ctx.lang, data=b),
                       f"{base}.xlsx", xlsx, key="dp_dl_xlsx", on_click="ignore")
    report_download(ctx, t(ctx, "dl_pdf"), lambda: bulletin_pdf(ds, month, lang=ctx.lang, data=b),
                    f"{base}.pdf", key="dp_dl_pdf")
    projects = ds["projects"]
    if own:
        projects = projects[projects["township_code"].astype(str) == own]
    st.download_button(t(ctx, "dl_template"), lambda: progress_template(ctx.lang, projects, month),
                       ctx.t("dispatch.template_file"), xlsx, key="dp_dl_template", on_click="ignore")
