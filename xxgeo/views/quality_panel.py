"""The data-quality panel of the planning view: how exactly the selected projects are placed (share of the
projects and of the stated investment at each location precision) and the key projects still unplaced.
The figures are :func:`xxgeo.quality.precision_summary` and :func:`xxgeo.quality.unplaced_key_projects`."""

from __future__ import annotations

import importlib.util
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from ..quality import precision_summary, unplaced_key_projects
from ..vocab import fmt_wan, not_stated, precision_label
from .common import na_text


def precision_options(projects: pd.DataFrame) -> list[str]:
    """The precision codes a filter offers: those present (in scale order), "none" when some have none."""
    return precision_summary(projects)["code"].tolist()


def precision_text(code: str, lang: str) -> str:
    """A precision code as shown (“none”: 未注明 / not stated)."""
    return not_stated(lang) if code == "none" else str(precision_label(code, lang))


def _pct(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{v * 100:.1f}%"


def render_quality(ctx, projects: pd.DataFrame) -> None:
    """The panel, folded, over ``projects`` (the selection)."""
    t, lang = ctx.t, ctx.lang
    with st.expander(t("quality.heading", n=f"{len(projects):,}")):
        summary = precision_summary(projects)
        if summary.empty:
            st.caption(t("quality.empty"))
            return
        table = pd.DataFrame({
            t("quality.col_precision"): [precision_text(c, lang) for c in summary["code"]],
            t("quality.col_exact"): [t("quality.exact_yes") if e else t("quality.exact_no") for e in summary["exact"]],
            t("quality.col_projects"): summary["projects"].astype(int),
            t("quality.col_share_projects"): summary["share_projects"].map(_pct),
            t("quality.col_investment"): [fmt_wan(v, lang) if pd.notna(v) else None for v in summary["investment_wan"]],
            t("quality.col_share_investment"): summary["share_investment"].map(_pct),
            t("quality.col_stated"): summary["stated"].astype(int),
        })
        st.dataframe(na_text(table, lang), hide_index=True, width="stretch")
        st.caption(t("quality.note"))
        rows, basis = unplaced_key_projects(projects, limit=20)
        st.markdown(t("quality.key_heading"))
        st.caption(t(f"quality.basis_{basis}"))
        if basis == "none":
            return
        if rows.empty:
            st.caption(t("quality.none_unplaced"))
            return
        st.dataframe(na_text(pd.DataFrame({
            t("quality.col_id"): rows["project_id"].astype(str),
            t("quality.col_name"): rows["name"],
            t("quality.col_precision"): [precision_text(c, lang) if pd.notna(c) else precision_text("none", lang)
                                         for c in rows["loc_precision"]],
            t("quality.col_investment"): [fmt_wan(v, lang) if pd.notna(v) else None for v in rows["investment_wan"]],
        }), lang), hide_index=True, width="stretch")
        if ctx.can_write_all and importlib.util.find_spec("xxgeo.views.locate") is not None:  # the placing workspace
            query = {"view": "locate", **({"lang": ctx.params["lang"]} if ctx.params.get("lang") else {})}
            st.markdown(f"[{t('quality.place_link')}](?{urlencode(query)})")
