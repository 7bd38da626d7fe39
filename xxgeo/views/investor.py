"""招商: public data only, presentation-friendly — a big map and one card per park.

``?view=investor&park=裴介`` opens a park; ``&present=1`` hides the sidebar and chrome for a projector.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from ..analysis import distances_from
from ..mapping import MapFilter, MapRequest, filter_projects
from ..names import resolve_park
from .common import na_text, set_param, show_map

MU_PER_KM2 = 1500  # 1 km² = 1500 亩

L = {
    "zh": {"area": "规划面积", "land": "建设用地", "extent": "地图范围", "ind": "主导产业", "ent": "已有企业",
           "infra": "基础设施与交通", "fact": "标准厂房", "targets": "发展目标", "period": "规划期限",
           "dist": "直线距离（按园区示意位置估算）", "stated": "规划所述距离", "projects": "园区项目（公开）",
           "na": "未注明", "loc": "位置与四至", "brochure": "生成招商手册（PDF，中英文）", "all": "全部园区"},
    "en": {"area": "Planned area", "land": "Construction land", "extent": "Extent on map", "ind": "Leading industries",
           "ent": "Enterprises", "infra": "Infrastructure & access", "fact": "Standard factory buildings",
           "targets": "Targets", "period": "Plan period", "dist": "Straight-line distances (from the schematic site)",
           "stated": "Distances stated in the plan", "projects": "Projects in the park (public)", "na": "not stated",
           "loc": "Location", "brochure": "Brochure (PDF, Chinese/English)", "all": "All parks"},
}


def area_text(km2, lang: str = "zh") -> str:
    """``10.95 km²（16,425 亩）`` — both units, from a stated figure; 未注明 when absent."""
    if km2 is None or pd.isna(km2):
        return L[lang]["na"]
    return f"{km2:g} km²（{km2 * MU_PER_KM2:,.0f} 亩）" if lang == "zh" else f"{km2:g} km² ({km2 * MU_PER_KM2:,.0f} mu)"


def pick_park(ctx) -> str | None:
    """The park from ``?park=`` (lenient: 裴介 finds the 裴介"六新" cluster) or the picker."""
    parks = ctx.dataset["parks"].copy()
    tn = dict(zip(ctx.dataset["townships"]["code"], ctx.dataset["townships"]["name"]))
    parks["township_name"] = parks["township_code"].map(tn)
    url = ctx.params.get("park")
    pid = None
    if url:
        try:
            pid = resolve_park(url, parks)
        except Exception as exc:
            st.warning(getattr(exc, "message", str(exc)))
    ids = [None, *parks["park_id"]]
    names = dict(zip(parks["park_id"], parks["name"]))
    choice = st.selectbox("园区 / Park", ids, index=ids.index(pid) if pid in ids else 0, key="inv_park",
                          format_func=lambda k: L[ctx.lang]["all"] if k is None else names[k])
    if choice != pid:
        set_param("park", names[choice] if choice else None)
    return choice


def render(ctx) -> None:
    """Render the investor view (public data only)."""
    ds = ctx.dataset
    lab = L[ctx.lang]
    st.markdown("## 夏县产业园区 · Xia County Industrial Parks")
    pid = pick_park(ctx)
    flt = MapFilter(public_only=True, park=None)
    left, right = st.columns([3, 2]) if pid else (st.container(), None)
    with left:
        show_map(ctx, "inv_map", MapRequest(flt, role="public", lang=ctx.lang, highlight_park=pid, compact=True),
                 height=640 if pid else 600)
    parks = ds["parks"]
    if pid is None:
        cols = st.columns(len(parks))
        for col, (_, p) in zip(cols, parks.iterrows()):
            with col:
                _card(ctx, p, brief=True)
        return
    with right:
        _card(ctx, parks.set_index("park_id").loc[pid].rename(pid), brief=False)
    pub = filter_projects(ds["projects"], MapFilter(public_only=True, park=pid))
    if len(pub):
        st.markdown(f"#### {lab['projects']}")
        st.dataframe(na_text(pub[["name", "category", "status", "investment_wan", "source_ref"]]).rename(columns={
            "name": "项目名称", "category": "类别", "status": "状态", "investment_wan": "总投资（万元）",
            "source_ref": "出处"}), hide_index=True, width="stretch")
    _brochure_button(ctx, pid)


def _card(ctx, p: pd.Series, *, brief: bool) -> None:
    lab = L[ctx.lang]
    e = html.escape

    def val(v):
        return lab["na"] if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else e(str(v))

    land = area_text(p["construction_land_km2"], ctx.lang)
    if p.get("construction_land_mu") is not None and not pd.isna(p.get("construction_land_mu")):
        land += f"；规划原文 {p['construction_land_mu']:,.0f} 亩" if ctx.lang == "zh" else \
            f"; plan text: {p['construction_land_mu']:,.0f} mu"
    rows = [(lab["area"], area_text(p["planned_area_km2"], ctx.lang)), (lab["land"], land),
            (lab["ind"], val(p["leading_industries"]))]
    if not brief:
        rows += [(lab["ent"], val(p["enterprises"])), (lab["infra"], val(p["infrastructure"])),
                 (lab["fact"], val(p["standard_factories"])), (lab["loc"], val(p["location_desc"])),
                 (lab["targets"], val(p["targets"])), (lab["period"], val(p["period"])),
                 (lab["extent"], f"{p['area_km2']:.2f} km²（示意范围，非规划面积）" if ctx.lang == "zh"
                  else f"{p['area_km2']:.2f} km² (schematic extent, not the planned area)")]
    body = "".join(f"<p><b>{e(k)}</b>：{v}</p>" for k, v in rows)
    st.markdown(f'<div class="xx-card"><h3>{e(p["name"])}</h3>{body}</div>', unsafe_allow_html=True)
    if brief:
        return
    c = p.geometry.centroid
    d = distances_from(c.x, c.y, ctx.dataset["places"])
    st.markdown(f"**{lab['dist']}**")
    st.dataframe(d[["place", "km", "source"]].rename(columns={"place": "目的地", "km": "直线距离（km）",
                                                               "source": "坐标来源"}),
                 hide_index=True, width="stretch")
    st.markdown(f"**{lab['stated']}**：{val(p['distances_stated'])}", unsafe_allow_html=True)
    st.caption(f"出处：{p['source_ref']}")


def _brochure_button(ctx, pid: str) -> None:
    try:
        from ..reports import park_brochure_pdf
    except ImportError:
        return
    if st.button(L[ctx.lang]["brochure"], key="inv_brochure"):
        try:
            pdf = park_brochure_pdf(ctx.dataset, pid)
        except Exception as exc:
            st.error(getattr(exc, "message", f"手册生成失败：{exc}"))
            return
        st.download_button("下载 PDF / Download", pdf, f"{pid}-brochure.pdf", "application/pdf", key="inv_dl")
