"""乡镇: one township on one page — boundary highlighted, its projects, villages, parks, sites, figures,
its 美丽乡村 demonstration villages and 现代农业产业园 from the plan."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..analysis import township_stats
from ..mapping import MapFilter, MapRequest, filter_projects
from .common import basemap_picker, fmt_wan, na_text, project_table, set_param, show_map, township_from_param, zh_en


def pick_township(ctx) -> str:
    """Township chosen in the sidebar, initialised from ``?township=`` (name, short name or code), else a
    signed-in township head's own township."""
    t = ctx.dataset["townships"]
    names = dict(zip(t["code"], t["name"]))
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

    st.markdown(f"## {t['name']}" + (zh_en(ctx, "（边界示意）", " (schematic boundary)") if schematic else ""))
    c = st.columns(4)
    c[0].metric(zh_en(ctx, "项目数", "Projects"), f"{len(sel)}",
                help=zh_en(ctx, "含跨乡镇项目", "incl. multi-township projects"))
    c[1].metric(zh_en(ctx, "已注明总投资", "Stated investment"), fmt_wan(stats["investment_wan"] or None, ctx.lang),
                help=zh_en(ctx, "只计规划注明投资、且只在本乡镇的项目；跨乡镇项目的投资不拆分",
                           "Only stated investment of projects in this township alone; multi-township projects' "
                           "investment is not split"))
    c[2].metric(zh_en(ctx, "村级单位", "Village units"), f"{int(t['village_units'])}")
    c[3].metric(zh_en(ctx, "面积", "Area"), f"{stats['area_km2']:.1f} km²",
                help=zh_en(ctx, "按示意边界计算，非法定面积", "from the schematic boundary, not a legal area")
                if schematic else zh_en(ctx, "按正式边界计算", "from the official boundary"))
    if schematic:
        st.caption(zh_en(ctx, "乡镇界为示意（由驻地点划分），非法定界线；导入正式边界后自动替换。"
                              "项目位置标注到乡镇或园区示意点。",
                         "Township boundaries are schematic (drawn from the seats), not legal lines; importing "
                         "official boundaries replaces them. Projects sit on township or park points."))

    left, right = st.columns([3, 2])
    with left:
        show_map(ctx, "tw_map", MapRequest(flt, lang=ctx.lang, basemap=basemap, highlight_township=code, compact=True),
                 height=520)
    with right:
        by_cat = sel["category"].value_counts().rename_axis("类别").reset_index(name="项目数")
        inv = sel[sel["township_code"] == code].groupby("category")["investment_wan"].sum(min_count=1)
        by_cat["已注明投资（万元）"] = by_cat["类别"].map(inv)
        st.markdown(zh_en(ctx, "#### 按类别", "#### By category"))
        st.dataframe(na_text(by_cat), hide_index=True, width="stretch")
        parks = ds["parks"][ds["parks"]["township_code"] == code]
        if len(parks):
            st.markdown(zh_en(ctx, "#### 园区", "#### Parks"))
            for _, p in parks.iterrows():
                area = _or(p["planned_area_km2"], " km²", ctx.lang)
                st.markdown(f"- {p['name']}（{zh_en(ctx, '规划面积', 'planned area')} {area}）")
        sites = ds["scenic_sites"][ds["scenic_sites"]["township_code"] == code]
        if len(sites):
            st.markdown(zh_en(ctx, "#### 景区与文物", "#### Scenic and heritage sites"))
            st.dataframe(na_text(sites[["name", "kind", "grade", "status"]]).rename(
                columns={"name": "名称", "kind": "类型", "grade": "等级", "status": "状态"}),
                hide_index=True, width="stretch")

    st.markdown(zh_en(ctx, "#### 本乡镇项目", "#### Projects in this township"))
    st.dataframe(na_text(project_table(sel, ctx), ctx.lang), hide_index=True, width="stretch")

    a, b = st.columns(2)
    with a:
        pv = ds["plan_villages"]
        mine = pv[pv["township_code"] == code]
        st.markdown(zh_en(ctx, "#### 规划点名的村（美丽乡村示范片/带等）", "#### Villages named in the plan"))
        if len(mine):
            st.dataframe(na_text(mine[["programme", "group", "village", "source_ref"]]).rename(
                columns={"programme": "规划事项", "group": "片区", "village": "村", "source_ref": "出处"}),
                hide_index=True, width="stretch")
        else:
            st.caption("规划未点名本乡镇的村。")
        agri = sel[sel["name"].str.contains("产业园|示范园|基地", regex=True) & (sel["category"] == "农业")]
        st.markdown(zh_en(ctx, "#### 现代农业产业园与基地", "#### Modern agriculture parks and bases"))
        if len(agri):
            st.dataframe(agri[["name", "source_ref"]].rename(columns={"name": "名称", "source_ref": "出处"}),
                         hide_index=True, width="stretch")
        else:
            st.caption("规划未点名本乡镇的现代农业产业园。")
    with b:
        v = ds["villages"][ds["villages"]["township_code"] == code]
        st.markdown(zh_en(ctx, f"#### 村（居）委会（{len(v)} 个）", f"#### Villages ({len(v)})"))
        st.caption(zh_en(ctx, "统计用区划代码（国家统计局 2023）；无公开坐标，地图不标村点。",
                         "NBS statistical division codes (2023); no coordinates are published, so villages are "
                         "not on the map."))
        st.dataframe(v[["code", "name"]].rename(columns={"code": "代码", "name": "名称"}), hide_index=True,
                     width="stretch", height=300)
    _report_button(ctx, code, t["name"])


def _or(v, unit: str, lang: str = "zh") -> str:
    return ("not stated" if lang == "en" else "未注明") if v is None or pd.isna(v) else f"{v:g}{unit}"


def _report_button(ctx, code: str, name: str) -> None:
    try:
        from ..reports import township_report_pdf
    except ImportError:
        return
    label = zh_en(ctx, "生成本乡镇一页报告（PDF）", "Make this township's one-page report (PDF)")
    if st.button(label, key="tw_report"):
        try:
            pdf = township_report_pdf(ctx.dataset, code)
        except Exception as exc:  # a missing font etc. carries its own sentence
            st.error(getattr(exc, "message", f"报告生成失败：{exc}"))
            return
        st.download_button(zh_en(ctx, "下载 PDF", "Download the PDF"), pdf, f"{name}-报告.pdf", "application/pdf",
                           key="tw_report_dl")
