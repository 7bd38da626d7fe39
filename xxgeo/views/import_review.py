"""The import page's options and review table (issue 13 item 3): the precision of the file's locations, the
category for rows without one, and, for rows whose names are close to stored projects', a table where the user
decides each row (attach / add as new / leave out). Nothing is matched on its own: every close row starts as
"leave out" until the user chooses."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..i18n import value_text
from ..io.attach import DECISIONS
from ..schema import CATEGORIES, LAYERS
from ..vocab import precision_label


def options(ctx, layer: str) -> tuple[str | None, list]:
    """(precision code or None, ``--default`` items) chosen above the upload."""
    t = ctx.t
    lay = LAYERS[layer]
    if "loc_precision" not in lay.field_names:
        return None, []
    codes = ["", *lay.field("loc_precision").choices]
    c = st.columns(2)
    precision = c[0].selectbox(t("import_page.precision"), codes, key="imp_precision",
                               format_func=lambda k: precision_label(k, ctx.lang) if k else
                               t("import_page.precision_none"), help=t("import_page.precision_help"))
    defaults = []
    if layer == "projects":
        cats = ["", *[c for c in CATEGORIES if c != "未分类"]]
        cat = c[1].selectbox(t("import_page.default_category"), cats, key="imp_default_cat",
                             format_func=lambda k: value_text(k, ctx.lang) if k else t("import_page.default_none"),
                             help=t("import_page.default_category_help"))
        if cat:
            defaults.append(f"category={cat}")
    return precision or None, defaults


def decisions() -> dict:
    """The decisions taken so far in the review table (row label -> attach / new / skip)."""
    return dict(st.session_state.get("imp_decisions", {}))


def review(ctx, plan) -> None:
    """The review table of the plan's close names; a change re-plans with the user's decisions."""
    if not plan.candidates:
        return
    t = ctx.t
    labels = {d: t(f"import_page.decision_{d}") for d in DECISIONS}
    chosen = decisions()
    st.markdown(f"**{t('import_page.review_title')}**")
    st.caption(t("import_page.review_help"))
    df = pd.DataFrame({
        t("import_page.col_row"): [c.row for c in plan.candidates],
        t("import_page.col_name"): [c.name for c in plan.candidates],
        t("import_page.col_project"): [f"{c.project_id} {c.stored_name}" for c in plan.candidates],
        t("import_page.col_score"): [round(c.score) for c in plan.candidates],
        t("import_page.col_decision"): [labels[chosen.get(c.row, "skip")] for c in plan.candidates]})
    edited = st.data_editor(df, key="imp_review", hide_index=True, width="stretch",
                            disabled=[k for k in df.columns if k != t("import_page.col_decision")],
                            column_config={t("import_page.col_decision"): st.column_config.SelectboxColumn(
                                options=list(labels.values()), required=True)})
    back = {v: k for k, v in labels.items()}
    new = {c.row: back.get(v, "skip") for c, v in zip(plan.candidates, edited[t("import_page.col_decision")])}
    if new != {c.row: chosen.get(c.row, "skip") for c in plan.candidates}:
        st.session_state["imp_decisions"] = new
        st.rerun()
