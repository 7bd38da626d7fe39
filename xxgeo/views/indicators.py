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
from ..mapping import MapRequest, Overlay
from .common import show_map

_NOTES = ("单位为“未注明”：规划原文未写单位，或单位是转换时丢失的图片（专栏2-1的多数比率指标），不作推测。"
          "“[图片缺失]”：原文此处为图片。[ ]为五年累计数；“-”“—”为原文空缺；文字目标（如“完成下达任务”）照原文显示。")


SECTIONS = {"14th": "专栏2-1 “十四五”主要指标", "13th": "专栏1-1 “十三五”完成情况", "progress": "年度实际值与进度",
            "townships": "乡镇指标"}


def render(ctx) -> None:
    """Render the indicators view: one section at a time (kept in the URL as ``section``), so the map of the
    township section is drawn while visible (a Leaflet map in a hidden tab stays blank)."""
    ds = ctx.dataset
    st.markdown(f"## {ctx.t('view.indicators')}")
    keys = list(SECTIONS)
    cur = ctx.params.get("section", "14th")
    cur = cur if cur in keys else "14th"
    sec = st.radio("部分", keys, index=keys.index(cur), format_func=SECTIONS.get, horizontal=True,
                   key="ind_section", label_visibility="collapsed")
    if sec != cur:
        st.query_params["section"] = sec
    if sec == "14th":
        _table(ds["indicators"], "专栏2-1")
    elif sec == "13th":
        _table(ds["indicators"], "专栏1-1")
    elif sec == "progress":
        _progress(ctx)
    else:
        _townships(ctx)


# --------------------------------------------------------------------------- tables and charts
def _table(indicators: pd.DataFrame, table: str) -> None:
    st.markdown(f"#### {table} {ind.TABLES[table]}")
    frame = ind.table_frame(indicators, table)
    st.dataframe(frame, hide_index=True, width="stretch", height=min(36 * len(frame) + 40, 620))
    st.caption(_NOTES)
    data, left_out = ind.chart_frame(indicators, table)
    st.markdown("##### 基期与目标对比（各指标独立纵轴）")
    if data.empty:
        st.caption("本表没有可对比的数值。")
    else:
        st.altair_chart(baseline_target_chart(data), width="content")
    if left_out:
        st.caption("未绘图（目标或基期为文字、累计数、比较式或空缺，照表格原文显示）：" + "、".join(left_out))


def baseline_target_chart(data: pd.DataFrame) -> alt.FacetChart:
    """Small multiples: one bar chart per indicator, each with its own vertical scale and unit."""
    order = list(dict.fromkeys(data.sort_values("order")["series"]))
    base = alt.Chart().encode(
        x=alt.X("series:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None),
        tooltip=[alt.Tooltip("label:N", title="指标"), alt.Tooltip("series:N", title="列"),
                 alt.Tooltip("value:Q", title="数值")],
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
    label_of = {v: k for k, v in choices.items()}

    if ctx.can_write_all:
        _actuals_editor(ctx, indicators, actuals, choices, label_of)
    else:
        st.caption("年度实际值由规划局编辑录入。")

    st.markdown("#### 到2025年目标的进度")
    prog = ind.progress_table(indicators, actuals)
    st.dataframe(prog, hide_index=True, width="stretch",
                 column_config={"完成比例": st.column_config.NumberColumn("完成比例（%）", format="%.1f"),
                                "最新实际值": st.column_config.NumberColumn(format="%g"),
                                "最新年份": st.column_config.NumberColumn(format="%d")})
    st.caption("完成比例 =（最新实际值 − 2020年值）÷（2025年目标 − 2020年值）。比较式目标（>50、<4.5）"
               "和上限类指标（死亡率、失业率）只判断是否达到；无2025年数值、只有年均增长目标的增速类指标，按2021年起各年"
               "增速的几何平均判断；文字目标和含丢失图片的目标显示“无法量化”。")

    st.markdown("#### 趋势")
    pick = st.selectbox("指标", list(choices), key="ind_trend_pick")
    row = indicators[indicators["indicator_id"] == choices[pick]].iloc[0]
    p = ind.progress(row, actuals)
    st.markdown(f"**{p.name}**（单位：{p.unit}）— 2020年完成：{p.baseline_text or '空'}；"
                f"2025年目标：{p.target_text or '空'}；状态：{p.status_label}")
    if p.note:
        st.caption(p.note)
    tf = ind.trend_frame(row, actuals)
    if tf.empty:
        st.caption("没有可绘制的数值（目标为文字且尚无实际值）。")
    else:
        st.altair_chart(trend_chart(tf, f"{p.name}（{p.unit}）"), width="stretch")


def _actuals_editor(ctx, indicators, actuals, choices: dict, label_of: dict) -> None:
    """The table where editors enter yearly actual values (saved as one whole-layer write)."""
    st.markdown("#### 录入年度实际值（专栏2-1）")
    st.caption("每行一个指标一年的实际值，单位与指标表相同；“来源”留空时记为“手工录入（用户，日期）”。"
               "保存时整表写入数据库（先自动备份，并记入修改记录）。")
    editor = pd.DataFrame({
        "指标": [label_of.get(str(i), str(i)) for i in actuals["indicator_id"]],
        "年份": pd.array(actuals["year"], dtype="Int64"),
        "数值": actuals["value"].astype(float),
        "来源": actuals["source"].astype(object),
    })
    edited = st.data_editor(
        editor, num_rows="dynamic", hide_index=True, width="stretch", key="ind_actuals_editor",
        column_config={
            "指标": st.column_config.SelectboxColumn("指标", options=list(choices), required=True, width="large"),
            "年份": st.column_config.NumberColumn("年份", min_value=2020, max_value=2035, step=1, format="%d"),
            "数值": st.column_config.NumberColumn("数值", format="%g"),
            "来源": st.column_config.TextColumn("来源", width="medium"),
        })
    up = st.file_uploader("或从表格导入（CSV / Excel：指标编号或指标、年份、数值、来源）", type=["csv", "xlsx"],
                          key="ind_actuals_upload")
    if st.button("保存实际值", type="primary", key="ind_actuals_save"):
        rows = pd.DataFrame({"indicator_id": [choices.get(x, x) for x in edited["指标"]],
                             "year": edited["年份"].tolist(), "value": edited["数值"].tolist(),
                             "source": edited["来源"].tolist()})
        try:
            if up is not None:
                rows = pd.concat([rows, ind.actuals_from_frame(_read_upload(up), indicators)], ignore_index=True)
            clean = ind.clean_actuals(rows, indicators, user=ctx.user)
            ctx.store.write_layers({"indicator_actuals": clean}, user=ctx.user, action="indicator_actuals")
        except XxgeoError as exc:
            st.error(exc.message)
        else:
            st.success(f"已保存 {len(clean)} 条实际值（已备份原数据库）。")
            ctx.reload()
            st.rerun()


def trend_chart(tf: pd.DataFrame, title: str) -> alt.LayerChart:
    """Actuals as a line, the 2020 value and 2025 target as labelled points."""
    colors = alt.Scale(domain=["2020年完成（基期）", "实际值", "2025年目标", "年均增长目标"],
                       range=["#7f8c8d", "#1f4e9c", "#c0392b", "#e67e22"])
    base = alt.Chart(tf).encode(x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
                                y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False),
                                        axis=alt.Axis(format=".6~g")),
                                color=alt.Color("series:N", scale=colors, title=None, legend=alt.Legend(orient="top")),
                                tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("value:Q", title="数值"),
                                         alt.Tooltip("series:N", title="类型")])
    line = base.transform_filter(alt.datum.series != "2025年目标").mark_line(point=True)
    rule = base.transform_filter(alt.datum.series == "年均增长目标").mark_line(strokeDash=[6, 4])
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
    raise XxgeoError("无法读取上传的 CSV：编码既不是 UTF-8 也不是 GB18030。请另存为 UTF-8 后重试。")


# --------------------------------------------------------------------------- township indicators
def _townships(ctx) -> None:
    ds = ctx.dataset
    ti = ds.get("township_indicators")
    names = dict(zip(ds["townships"]["code"], ds["townships"]["name"]))
    st.markdown("#### 已导入的乡镇指标")
    if ti is None or ti.empty:
        st.caption("尚未导入乡镇指标。可用 `python -m xxgeo import 表格.csv --layer township_indicators` 导入"
                   "（列：乡镇、指标、年份、数值、单位、来源；乡镇名称可写简称或代码）。下方仍可查看派生指标。")
    else:
        show = ti.assign(township=ti["township_code"].map(names).fillna(ti["township_code"]))
        st.dataframe(show[["township", "indicator", "year", "value", "unit", "source"]].rename(columns={
            "township": "乡镇", "indicator": "指标", "year": "年份", "value": "数值", "unit": "单位",
            "source": "来源"}).sort_values(["指标", "年份", "乡镇"]), hide_index=True, width="stretch")
    choices = overlay_choices(ds)
    key = st.selectbox("专题图指标", list(choices), format_func=choices.get, key="ind_overlay_pick")
    values, label, unit = township_indicator_values(ds, key)
    st.markdown(f"#### {label}（{unit or ind.UNKNOWN_UNIT}）")
    vt = pd.DataFrame({"乡镇": [names.get(c, c) for c in values], "数值": list(values.values())})
    c1, c2 = st.columns([1, 3])
    with c1:
        st.dataframe(vt.sort_values("数值", ascending=False), hide_index=True, width="stretch",
                     column_config={"数值": st.column_config.NumberColumn(format="%g")})
        if key == "area_km2":
            st.caption("面积按示意乡镇界计算，非法定面积。")
    with c2:
        show_map(ctx, "ind_overlay_map", MapRequest(role="township", lang=ctx.lang,
                                                     overlay=Overlay(label=label, unit=unit, values=values)),
                 height=480)
