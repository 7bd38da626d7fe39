"""招商: public data only, presentation-friendly — a big map and one card per park.

``?view=investor&park=裴介`` opens a park; ``&kiosk=1`` (or the bureau's ``XXGEO_KIOSK=investor``) is the
investor mode: this page alone, with no navigation, sign-in or internal links (views/shell.py). Sources are
named for people (:mod:`xxgeo.provenance`); distances are :func:`xxgeo.analysis.park_distances`, the brochure's.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from ..analysis import park_distances
from ..county import county
from ..errors import XxgeoError
from ..i18n import in_lang, value_text
from ..mapping import MapFilter, MapRequest, filter_projects
from ..names import resolve_park, township_names
from ..provenance import source_label
from ..schema import CONTACT_FIELDS
from ..textsafe import file_name, md, unlink
from ..vocab import area_text, display, km_text
from . import parcels as parcel_view
from .common import na_text, report_download, set_param, show_map
from .errors import show_warning


def pick_park(ctx) -> str | None:
    """The park from ``?park=`` (lenient: 裴介 finds the 裴介"六新" cluster) or the picker."""
    parks = ctx.dataset["parks"].copy()
    tn = township_names(ctx.dataset["townships"])
    parks["township_name"] = parks["township_code"].map(tn)
    url = ctx.params.get("park")
    pid = None
    if url:
        try:
            pid = resolve_park(url, parks)
        except XxgeoError as exc:
            show_warning(exc, ctx.lang)
    ids = [None, *parks["park_id"]]
    names = dict(zip(parks["park_id"], parks["name"]))
    choice = st.selectbox(ctx.t("investor.park"), ids, index=ids.index(pid) if pid in ids else 0, key="inv_park",
                          format_func=lambda k: ctx.t("investor.all") if k is None else names[k])
    if choice != pid:
        set_param("park", names[choice] if choice else None)
    return choice


def render(ctx) -> None:
    """Render the investor view (public data only)."""
    ds = ctx.dataset
    here = county()
    st.markdown(ctx.t("investor.heading", county=here.label("zh"), county_en=here.label("en")))
    pid = pick_park(ctx)
    flt = MapFilter(park=None)
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
        parcel_view.render(ctx, None)
        return
    park = parks.set_index("park_id").loc[pid].rename(pid)
    with right:
        _card(ctx, park, brief=False)
    pub = filter_projects(ds["projects"], MapFilter(park=pid))
    if len(pub):
        t = ctx.t
        st.markdown(f"#### {t('investor.projects')}")
        shown = pub[["name", "category", "status", "investment_wan", "source_ref"]].assign(
            category=pub["category"].map(lambda v: value_text(v, ctx.lang)),
            status=pub["status"].map(lambda v: value_text(v, ctx.lang)))
        st.dataframe(na_text(shown, ctx.lang).rename(columns={
            "name": t("col.name"), "category": t("col.category"), "status": t("col.status"),
            "investment_wan": t("col.investment"), "source_ref": t("col.source")}), hide_index=True, width="stretch")
    parcel_view.render(ctx, pid)
    _brochure_button(ctx, pid, park["name"])


def _card(ctx, p: pd.Series, *, brief: bool) -> None:
    t, lang = ctx.t, ctx.lang
    e = html.escape

    def val(v):
        return e(unlink(display(v, lang)))

    land = area_text(p["construction_land_km2"], ctx.lang)
    if p.get("construction_land_mu") is not None and not pd.isna(p.get("construction_land_mu")):
        land += t("investor.land_mu", mu=f"{p['construction_land_mu']:,.0f}")
    rows = [(t("investor.area"), area_text(p["planned_area_km2"], lang)), (t("investor.land"), land),
            (t("investor.ind"), val(p["leading_industries"]))]
    if not brief:
        rows += [(t("investor.ent"), val(p["enterprises"])), (t("investor.infra"), val(p["infrastructure"])),
                 (t("investor.fact"), val(p["standard_factories"])), (t("investor.loc"), val(p["location_desc"])),
                 (t("investor.targets"), val(p["targets"])), (t("investor.period"), val(p["period"])),
                 (t("investor.extent"), t("investor.extent_value", km2=f"{p['area_km2']:.2f}"))]
    colon = t("colon")
    body = "".join(f"<p><b>{e(k)}</b>{colon}{v}</p>" for k, v in rows)
    st.markdown(f'<div class="xx-card"><h3>{e(unlink(p["name"]))}</h3>{body}</div>', unsafe_allow_html=True)
    if brief:
        return
    d = park_distances(p.geometry, ctx.dataset["places"])
    st.markdown(f"**{t('investor.dist')}**")
    shown = pd.DataFrame({t("investor.dest"): [in_lang(lang, zh, en) for zh, en in zip(d["place"], d["name_en"])],
                          t("investor.km"): d["km"].map(km_text),
                          t("investor.coord_source"): d["source"].map(lambda v: source_label(v, lang))})
    st.dataframe(shown, hide_index=True, width="stretch")
    st.markdown(f"**{t('investor.stated')}**{colon}{md(val(p['distances_stated']))}", unsafe_allow_html=True)
    _contacts(ctx, p)
    here = county()
    st.caption(t("investor_mode.plan_source", plan=in_lang(lang, here.plan_title, here.plan_title_en),
                 sections=md(display(p["source_ref"], lang))))


def _contacts(ctx, p: pd.Series) -> None:
    """The park's contact details as the bureau entered them (未注明 / not stated where none is given)."""
    e = html.escape
    colon = ctx.t("colon")
    rows = "".join(f"<p><b>{e(ctx.t('contacts.' + f.name))}</b>{colon}{e(unlink(display(p.get(f.name), ctx.lang)))}</p>"
                   for f in CONTACT_FIELDS)
    st.markdown(f'<div class="xx-card xx-contacts"><h4>{e(ctx.t("contacts.heading"))}</h4>{rows}</div>',
                unsafe_allow_html=True)


def _brochure_button(ctx, pid: str, name: str) -> None:
    def build() -> bytes:
        from ..reports import park_brochure_pdf

        return park_brochure_pdf(ctx.dataset, pid)

    # named after the park as investors read it (the id is internal); the brochure itself is bilingual
    report_download(ctx, ctx.t("investor.brochure"), build, ctx.t("investor.file_pdf", name=file_name(name)),
                    key="inv_brochure")
