"""指标: the plan's two indicator tables, baseline-vs-target charts, annual actuals entered and tracked
against the 2025 targets, and township indicators as a choropleth."""

from __future__ import annotations

import io

import altair as alt
import pandas as pd
import streamlit as st

from .. import indicators as ind
from ..analysis import overlay_choices, township_indicator_values
from ..errors import XxgeoError
from ..i18n import tr
from ..mapping import MapRequest, Overlay
from ..names import township_names
from ..textsafe import md
from ..vocab import unit_text
from .common import show_map
from .errors import show_error

#: the view's sections (kept in the URL as ``section``); labels are ``indicators.section_*`` strings
SECTIONS = ("14th", "13th", "progress", "townships")


def render(ctx) -> None:
    """Render the indicators view: one section at a time (kept in the URL as ``section``), so the map of the
    township section is drawn while visible (a Leaflet map in a hidden tab stays blank)."""
    ds = ctx.dataset
    st.markdown(f"## {ctx.t('view.indicators')}")
    keys = list(SECTIONS)
    cur = ctx.params.get("section", "14th")
    cur = cur if cur in keys else "14th"
    sec = st.radio(ctx.t("indicators.section"), keys, index=keys.index(cur),
                   format_func=lambda k: ctx.t(f"indicators.section_{k}"), horizontal=True,
                   key="ind_section", label_visibility="collapsed")
    if sec != cur:
        st.query_params["section"] = sec
    if sec == "14th":
        _table(ds["indicators"], "专栏2-1", ctx.lang)
    elif sec == "13th":
        _table(ds["indicators"], "专栏1-1", ctx.lang)
    elif sec == "progress":
        _progress(ctx)
    else:
        _townships(ctx)


# --------------------------------------------------------------------------- tables and charts
def _table(indicators: pd.DataFrame, table: str, lang: str = "zh") -> None:
    st.markdown(f"#### {md(ind.table_heading(table, ind.TABLES[table], lang))}")
    frame = ind.frame_for(ind.table_frame(indicators, table), lang)
    st.dataframe(frame, hide_index=True, width="stretch", height=min(36 * len(frame) + 40, 620))
    st.caption(tr("indicators.notes", lang))
    data, left_out = ind.chart_frame(indicators, table)
    data = ind.frame_for(data, lang)
    st.markdown(tr("indicators.chart", lang))
    if data.empty:
        st.caption(tr("indicators.no_chart", lang))
    else:
        st.altair_chart(baseline_target_chart(data, lang), width="content")
    if left_out:
        st.caption(tr("indicators.left_out", lang, names=ind.names_text(left_out, lang)))


def baseline_target_chart(data: pd.DataFrame, lang: str = "zh") -> alt.FacetChart:
    """Small multiples: one bar chart per indicator, each with its own vertical scale and unit."""
    order = list(dict.fromkeys(data.sort_values("order")["series"]))
    base = alt.Chart().encode(
        x=alt.X("series:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None),
        tooltip=[alt.Tooltip("label:N", title=tr("indicators.indicator", lang)),
                 alt.Tooltip("series:N", title=tr("indicators.column", lang)),
                 alt.Tooltip("value:Q", title=tr("indicators.value", lang))],
    )
    bars = base.mark_bar().encode(color=alt.Color("series:N", sort=order, title=None,
                                                  legend=alt.Legend(orient="top")))
    text = base.mark_text(dy=-6, fontSize=10).encode(text=alt.Text("value:Q"))
    return (alt.layer(bars, text, data=data).properties(width=170, height=120)
            .facet(facet=alt.Facet("label:N", title=None, sort=list(dict.fromkeys(data["label"])),
                                   header=alt.Header(labelFontSize=11, labelLimit=230)), columns=4)
            .resolve_scale(y="independent"))


# --------------------------------------------------------------------------- progress
def _progress(ctx) -> None:
    ds = ctx.dataset
    indicators = ds["indicators"]
    actuals = ds.get("indicator_actuals")
    actuals = actuals if actuals is not None else pd.DataFrame(columns=["indicator_id", "year", "value", "source"])
    choices = ind.indicator_choices(indicators)
    choices = ind.choices_for(choices, ctx.lang)
    label_of = {v: k for k, v in choices.items()}

    t = ctx.t
    if ctx.can_write_all:
        _actuals_editor(ctx, indicators, actuals, choices, label_of)
    else:
        st.caption(t("indicators.editors_enter"))

    st.markdown(t("indicators.progress"))
    prog = ind.frame_for(ind.progress_table(indicators, actuals, lang=ctx.lang), ctx.lang)
    share, latest, year = (ind.header(k, ctx.lang) for k in ("完成比例", "最新实际值", "最新年份"))
    st.dataframe(prog, hide_index=True, width="stretch",
                 column_config={share: st.column_config.NumberColumn(ind.with_unit(share, "%", ctx.lang),
                                                                     format="%.1f"),
                                latest: st.column_config.NumberColumn(format="%g"),
                                year: st.column_config.NumberColumn(format="%d")})
    st.caption(t("indicators.progress_note"))

    st.markdown(t("indicators.trend"))
    pick = st.selectbox(t("indicators.indicator"), list(choices), key="ind_trend_pick")
    row = indicators[indicators["indicator_id"] == choices[pick]].iloc[0]
    p = ind.progress(row, actuals)
    unit = ind.unit_for(p.unit, ctx.lang)
    st.markdown(t("indicators.trend_line", name=md(p.name), unit=md(unit),
                  baseline=md(p.baseline_text or t("indicators.empty")),
                  target=md(p.target_text or t("indicators.empty")), status=p.status_text(ctx.lang)))
    if p.note:
        st.caption(md(p.note_text(ctx.lang)))
    tf = ind.frame_for(ind.trend_frame(row, actuals), ctx.lang)
    if tf.empty:
        st.caption(t("indicators.no_trend"))
    else:
        st.altair_chart(trend_chart(tf, ind.with_unit(p.name, p.unit, ctx.lang), ctx.lang), width="stretch")


def _actuals_editor(ctx, indicators, actuals, choices: dict, label_of: dict) -> None:
    """The table where editors enter yearly actual values (saved as one whole-layer write)."""
    t = ctx.t
    st.markdown(t("indicators.enter"))
    st.caption(t("indicators.enter_note"))
    c_ind, c_year, c_value, c_source = (t("indicators.indicator"), t("indicators.year"), t("indicators.value"),
                                        t("indicators.source"))
    editor = pd.DataFrame({
        c_ind: [label_of.get(str(i), str(i)) for i in actuals["indicator_id"]],
        c_year: pd.array(actuals["year"], dtype="Int64"),
        c_value: actuals["value"].astype(float),
        c_source: actuals["source"].astype(object),
    })
    edited = st.data_editor(
        editor, num_rows="dynamic", hide_index=True, width="stretch", key="ind_actuals_editor",
        column_config={
            c_ind: st.column_config.SelectboxColumn(c_ind, options=list(choices), required=True, width="large"),
            c_year: st.column_config.NumberColumn(c_year, min_value=2020, max_value=2035, step=1, format="%d"),
            c_value: st.column_config.NumberColumn(c_value, format="%g"),
            c_source: st.column_config.TextColumn(c_source, width="medium"),
        })
    up = st.file_uploader(t("indicators.upload"), type=["csv", "xlsx"], key="ind_actuals_upload")
    if st.button(t("indicators.save"), type="primary", key="ind_actuals_save"):
        rows = pd.DataFrame({"indicator_id": [choices.get(x, x) for x in edited[c_ind]],
                             "year": edited[c_year].tolist(), "value": edited[c_value].tolist(),
                             "source": edited[c_source].tolist()})
        try:
            if up is not None:
                rows = pd.concat([rows, ind.actuals_from_frame(_read_upload(up), indicators)], ignore_index=True)
            clean = ind.clean_actuals(rows, indicators, user=ctx.user)
            ctx.store.write_layers({"indicator_actuals": clean}, user=ctx.user, action="indicator_actuals")
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(t("indicators.saved", n=len(clean)))
            ctx.reload()
            st.rerun()


def trend_chart(tf: pd.DataFrame, title: str, lang: str = "zh") -> alt.LayerChart:
    """Actuals as a line, the 2020 value and 2025 target as labelled points."""
    names = [ind.header(n, lang) for n in ("2020年完成（基期）", "实际值", "2025年目标", "年均增长目标")]
    colors = alt.Scale(domain=names, range=["#7f8c8d", "#1f4e9c", "#c0392b", "#e67e22"])
    year, value = tr("indicators.year", lang), tr("indicators.value", lang)
    base = alt.Chart(tf).encode(x=alt.X("year:O", title=year, axis=alt.Axis(labelAngle=0)),
                                y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False),
                                        axis=alt.Axis(format=".6~g")),
                                color=alt.Color("series:N", scale=colors, title=None, legend=alt.Legend(orient="top")),
                                tooltip=[alt.Tooltip("year:O", title=year), alt.Tooltip("value:Q", title=value),
                                         alt.Tooltip("series:N", title=tr("indicators.series", lang))])
    line = base.transform_filter(alt.datum.series != names[2]).mark_line(point=True)
    rule = base.transform_filter(alt.datum.series == names[3]).mark_line(strokeDash=[6, 4])
    pts = base.mark_point(size=90, filled=True)
    labels = base.mark_text(dy=-10).encode(text=alt.Text("value:Q"))
    return alt.layer(line, rule, pts, labels).properties(height=300)


def _read_upload(up) -> pd.DataFrame:
    if up.name.lower().endswith(".xlsx"):
        return pd.read_excel(up)
    raw = up.getvalue()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(io.BytesIO(raw), encoding=enc)
        except UnicodeDecodeError:
            continue
    raise XxgeoError("无法读取上传的 CSV：编码既不是 UTF-8 也不是 GB18030。请另存为 UTF-8 后重试。",
                     english="The uploaded CSV cannot be read: it is neither UTF-8 nor GB18030. Save it as UTF-8 "
                             "and try again.")


# --------------------------------------------------------------------------- township indicators
def _townships(ctx) -> None:
    ds = ctx.dataset
    ti = ds.get("township_indicators")
    names = township_names(ds["townships"])
    t = ctx.t
    st.markdown(t("indicators.imported"))
    cols = {"township": t("col.township"), "indicator": t("indicators.indicator"), "year": t("indicators.year"),
            "value": t("indicators.value"), "unit": t("indicators.unit"), "source": t("indicators.source")}
    if ti is None or ti.empty:
        st.caption(t("indicators.none_imported"))
    else:
        show = ti.assign(township=ti["township_code"].map(names).fillna(ti["township_code"]))
        st.dataframe(show[list(cols)].rename(columns=cols).sort_values(
            [cols["indicator"], cols["year"], cols["township"]]), hide_index=True, width="stretch")
    choices = overlay_choices(ds)
    key = st.selectbox(t("indicators.overlay"), list(choices), key="ind_overlay_pick",
                       format_func=lambda k: ind.overlay_label(k, choices[k], ctx.lang))
    values, label, unit = township_indicator_values(ds, key)
    label, unit = ind.overlay_label(key, label, ctx.lang), unit_text(unit, ctx.lang)
    st.markdown(f"#### {md(ind.with_unit(label, unit, ctx.lang))}")
    town, value = cols["township"], cols["value"]
    vt = pd.DataFrame({town: [names.get(c, c) for c in values], value: list(values.values())})
    c1, c2 = st.columns([1, 3])
    with c1:
        st.dataframe(vt.sort_values(value, ascending=False), hide_index=True, width="stretch",
                     column_config={value: st.column_config.NumberColumn(format="%g")})
        if key == "area_km2":
            st.caption(t("indicators.area_note"))
    with c2:
        show_map(ctx, "ind_overlay_map", MapRequest(role="township", lang=ctx.lang,
                                                     overlay=Overlay(label=label, unit=unit, values=values)),
                 height=480)
