"""数据 → 园区联系方式: the bureau enters each park's contact details for investors (unit, person, phone, e-mail,
address). Saved as one audited, version-checked edit of the park (``python -m xxgeo set --layer parks``
does the same); shown in the investor card and printed in the brochure (未注明 / not stated when empty)."""

from __future__ import annotations

import streamlit as st

from ..errors import XxgeoError
from ..schema import CONTACT_FIELDS
from ..vocab import is_blank
from .errors import show_error


def contacts_section(ctx) -> None:
    """The contact form of one park (editors and admins; the store's guard refuses anyone else)."""
    t = ctx.t
    st.caption(t("contacts.help"))
    parks = ctx.store.read("parks")
    if not len(parks):
        st.info(t("contacts.no_parks"))
        return
    names = dict(zip(parks["park_id"], parks["name"]))
    pid = st.selectbox(t("contacts.park"), list(names), format_func=lambda k: f"{names[k]}（{k}）",
                       key="ct_park")
    row = parks.set_index("park_id").loc[pid]
    with st.form(f"ct_form_{pid}"):
        values = {f.name: st.text_input(t(f"contacts.{f.name}"), "" if is_blank(row.get(f.name)) else
                                        str(row.get(f.name)), key=f"ct_{pid}_{f.name}") for f in CONTACT_FIELDS}
        saved = st.form_submit_button(t("contacts.save"))
    if not saved:
        return
    changes = {k: (v.strip() or None) for k, v in values.items()
               if (v.strip() or None) != (None if is_blank(row.get(k)) else str(row.get(k)))}
    if not changes:
        st.info(t("contacts.unchanged"))
        return
    try:
        ctx.store.update_feature("parks", pid, changes, user=ctx.user)
    except XxgeoError as exc:
        show_error(exc, ctx.lang)
        return
    ctx.reload()
    st.success(t("contacts.saved", park=names[pid]))
