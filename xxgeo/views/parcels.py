"""可供地块 in the investor view: filter by area and use, numbered cards with the 七通一平 checklist and
distances, a side-by-side comparison of two or three parcels, and, with none imported, how to add them.

Rendered from :mod:`xxgeo.views.investor` with one call (:func:`render`). Only the public's share of the parcels
is ever shown (:func:`xxgeo.policy.public_frame`, whatever dataset the view was given).
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from .. import parcels as xp
from ..errors import XxgeoError
from ..policy import public_frame
from ..vocab import check_mark, is_blank, mu_text, not_stated, parcel_value_text
from .errors import show_error

_CSS = """
<style>
.xx-parcel {border: 1px solid #cfe3d4; border-left: 6px solid #4caf50; border-radius: 8px; padding: 10px 14px;
            background: #fbfefb; margin-bottom: 10px;}
.xx-parcel h4 {margin: 0 0 6px 0;}
.xx-parcel .no {display: inline-block; min-width: 1.6em; text-align: center; border-radius: 1em; background: #1f6f3f;
                color: #fff; margin-right: 6px;}
.xx-parcel .st {font-size: 0.8rem; border: 1px solid #999; border-radius: 4px; padding: 0 4px; margin-left: 6px;
                white-space: nowrap; vertical-align: middle;}
.xx-parcel p {margin: 2px 0;}
.xx-check span {display: inline-block; margin-right: 10px; white-space: nowrap;}
.xx-check .ck-yes b {color: #1f7a3a;} .xx-check .ck-no b {color: #b3261e;} .xx-check .ck-unknown b {color: #888;}
</style>
"""
#: projector mode (``&present=1``): larger type, no filters
_PRESENT_CSS = "<style>.xx-parcel {font-size: 1.3rem;} .xx-parcel h4 {font-size: 1.8rem;}</style>"


def public_parcels(ctx) -> pd.DataFrame:
    """The parcels the public may see (public rows; public fields, the others emptied)."""
    df = ctx.dataset.get("parcels")
    if df is None:
        return df
    return public_frame("parcels", df, keep_columns=True)


def render(ctx, park_id: str | None) -> None:
    """The parcels section for one park (``None``: every park)."""
    t = ctx.t
    st.markdown(_CSS, unsafe_allow_html=True)
    st.markdown(f"#### {t('parcels.heading')}")
    allp = public_parcels(ctx)
    if allp is None or not len(allp):
        _how_to_add(ctx)
        return
    nums = xp.numbers(allp)
    mine = xp.of_park(allp, park_id)
    if not len(mine):
        _how_to_add(ctx)
        return
    present = str(ctx.params.get("present", "")) in ("1", "true")
    if present:
        st.markdown(_PRESENT_CSS, unsafe_allow_html=True)
    sel = mine if present else _filtered(ctx, mine)
    st.caption(t("parcels.count", n=len(sel)))
    if not len(sel):
        st.info(t("parcels.none_filtered"))
        return
    names = _park_names(ctx)
    per_row = 2 if present else 3
    rows = [sel.iloc[i:i + per_row] for i in range(0, len(sel), per_row)]
    for chunk in rows:
        for col, (_, p) in zip(st.columns(per_row), chunk.iterrows()):
            with col:
                _card(ctx, p, nums.get(str(p["parcel_id"])), names)
    if not present:
        _compare(ctx, sel, nums, names)


def _park_names(ctx) -> dict:
    parks = ctx.dataset["parks"]
    return dict(zip(parks["park_id"], parks["name"]))


def _filtered(ctx, mine: pd.DataFrame) -> pd.DataFrame:
    t = ctx.t
    a, b, c = st.columns([1, 1, 2])
    lo = a.number_input(t("parcels.filter_min"), min_value=0.0, value=None, step=10.0, key="parcel_min")
    hi = b.number_input(t("parcels.filter_max"), min_value=0.0, value=None, step=10.0, key="parcel_max")
    uses_all = xp.land_uses(mine)
    uses = c.multiselect(t("parcels.filter_use"), uses_all, key="parcel_use", placeholder=t("all"),
                         format_func=lambda v: _val(v, ctx.lang))
    return xp.filter_parcels(mine, mu_min=lo, mu_max=hi, uses=tuple(uses))


def _val(v, lang: str) -> str:
    return parcel_value_text(v, lang)


def _num(v, unit: str, lang: str) -> str:
    if is_blank(v):
        return not_stated(lang)
    f = float(v)
    return f"{f:,.0f} {unit}" if f.is_integer() else f"{f:,.2f} {unit}"


def facts(p, lang: str, t) -> list[tuple[str, str]]:
    """(label, text) pairs of one parcel's card and comparison column (texts not yet escaped)."""
    area = mu_text(xp.shown_area(p), lang)
    if not is_blank(p.get("area_mu")):
        area += t("parcels.area_computed")
    if not is_blank(p.get("stated_area_mu")):
        area += t("parcels.area_stated", mu=f"{float(p['stated_area_mu']):,.2f}")
    price = not_stated(lang)
    if not is_blank(p.get("price")):
        price = _num(p["price"], "" if is_blank(p.get("price_unit")) else str(p["price_unit"]), lang).strip()
    per_mu = t("parcels.per_mu")
    return [(t("parcels.area"), area), (t("parcels.use"), _val(p.get("land_use"), lang)),
            (t("parcels.supply"), _val(p.get("supply"), lang)), (t("parcels.price"), price),
            (t("parcels.far"), _val(p.get("far"), lang)),
            (t("parcels.intensity"), _num(p.get("investment_intensity"), per_mu, lang)),
            (t("parcels.tax"), _num(p.get("tax_per_mu"), per_mu, lang)),
            (t("parcels.status"), _val(p.get("status"), lang)), (t("parcels.contact"), _val(p.get("contact"), lang))]


def checklist_text(p, lang: str) -> str:
    """``✓ 通路 ✓ 通电 ✗ 排水 ? 通燃气 …`` (English names in English)."""
    return "　".join(f"{check_mark(v)} {name}" for name, v in xp.checklist_in(p, lang))


def _mark_class(v) -> str:
    return "ck-unknown" if v is None else ("ck-yes" if v else "ck-no")


def _link(url, label: str) -> str:
    s = "" if is_blank(url) else str(url).strip()
    if s.lower().startswith(("http://", "https://")):
        return f'<a href="{html.escape(s, quote=True)}" target="_blank" rel="noopener">{html.escape(label)} ↗</a>'
    return f"{html.escape(label)}：{html.escape(s)}" if s else ""


def _card(ctx, p, no, park_names: dict) -> None:
    t, lang, e = ctx.t, ctx.lang, html.escape
    title = p.get("name") if not is_blank(p.get("name")) else p["parcel_id"]
    status = "" if is_blank(p.get("status")) else f'<span class="st">{e(_val(p["status"], lang))}</span>'
    colon = t("parcels.colon")
    body = "".join(f"<p><b>{e(k)}</b>{colon}{e(v)}</p>" for k, v in facts(p, lang, t))
    checks = "".join(f'<span class="{_mark_class(v)}"><b>{check_mark(v)}</b> {e(name)}</span>'
                     for name, v in xp.checklist_in(p, lang))
    links = " ".join(x for x in (_link(p.get("photo"), t("parcels.photo")),
                                 _link(p.get("panorama_url"), t("parcels.panorama"))) if x)
    park = park_names.get(p.get("park_id"), p.get("park_id"))
    st.markdown(
        f'<div class="xx-parcel" data-parcel="{e(str(p["parcel_id"]), quote=True)}"><h4><span class="no">'
        f'{e(str(no or ""))}</span>{e(str(title))}{status}</h4>'
        f'<p class="xx-muted">{e(t("parcels.id"))} {e(str(p["parcel_id"]))} · {e(_val(park, lang))}</p>{body}'
        f'<p><b>{e(t("parcels.checklist"))}</b></p><div class="xx-check">{checks}</div>'
        f'<p class="xx-muted">{e(t("parcels.legend"))}</p>{"<p>" + links + "</p>" if links else ""}'
        f'<p class="xx-muted">{e(t("parcels.source", source=_val(p.get("source"), lang)))}</p></div>',
        unsafe_allow_html=True)
    d = xp.parcel_distances(p, ctx.dataset["places"])
    if len(d):
        with st.expander(t("parcels.dist")):
            place = xp.place_names(d, lang)
            st.dataframe(pd.DataFrame({t("investor.dest"): place, t("investor.km"): d["km"],
                                       t("investor.coord_source"): d["source"]}), hide_index=True, width="stretch")
    _sheet_button(ctx, p)


def _compare(ctx, sel: pd.DataFrame, nums: dict, park_names: dict) -> None:
    t, lang = ctx.t, ctx.lang
    if len(sel) < 2:
        return
    ids = list(sel["parcel_id"].astype(str))
    label = {pid: f"{nums.get(pid, '')}. {n if not is_blank(n) else pid}" for pid, n in zip(ids, sel["name"])}
    chosen = st.multiselect(t("parcels.compare"), ids, max_selections=3, key="parcel_compare",
                            placeholder=t("parcels.compare_hint"),
                            format_func=lambda k: label[k])
    if len(chosen) < 2:
        st.caption(t("parcels.compare_hint"))
        return
    by_id = sel.set_index(sel["parcel_id"].astype(str))
    cols = {}
    for pid in chosen:
        p = by_id.loc[pid]
        rows = dict(facts(p, lang, t))
        rows[t("parcels.park")] = _val(park_names.get(p.get("park_id"), p.get("park_id")), lang)
        rows.update({name: check_mark(v) for name, v in xp.checklist_in(p, lang)})
        cols[label[pid]] = rows
    st.dataframe(pd.DataFrame(cols), width="stretch")


def _how_to_add(ctx, *, intro: bool = True) -> None:
    """No parcels: say so; how to add them (the command, the template) only to the bureau's editors — an
    investor, or the kiosk page, sees nothing of the app behind the page."""
    t = ctx.t
    staff = ctx.can_write_all and not ctx.kiosk and not ctx.actor.is_public
    if intro:
        st.info(t("parcels.none") if staff else t("parcels.none_public"))
    if not staff:
        return
    st.markdown(t("parcels.how"))
    st.code(xp.IMPORT_COMMAND, language="bash")
    st.download_button(t("parcels.template"), xp.template_xlsx(), "地块导入模板-parcels-template.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="parcel_template")


def _sheet_button(ctx, p) -> None:
    pid = str(p["parcel_id"])
    if st.button(ctx.t("parcels.sheet"), key=f"parcel_sheet_{pid}"):
        from ..reports.parcel import parcel_sheet_pdf  # matplotlib and reportlab: loaded when asked for

        try:
            pdf = parcel_sheet_pdf(ctx.dataset, pid)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        st.download_button(ctx.t("parcels.sheet_download"), pdf, f"{pid}.pdf", "application/pdf",
                           key=f"parcel_sheet_dl_{pid}")
