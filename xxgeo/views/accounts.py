"""数据 › 账号 (admins only): list, add and remove the store's local accounts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..errors import XxgeoError
from ..names import township_names
from ..textsafe import md
from .errors import show_error

ROLE_CHOICES = ("township", "editor", "admin")


def accounts_section(ctx) -> None:
    """Accounts of the store: who may sign in, with which role; add and remove (every change audited)."""
    msg = st.session_state.pop("acct_done", None)
    if msg:
        st.success(md(msg))
    t = ctx.t
    try:
        book = ctx.store.accounts()
        accounts = book.list()
    except XxgeoError as exc:
        show_error(exc, ctx.lang)
        return
    tnames = township_names(ctx.dataset["townships"])
    if accounts:
        st.dataframe(pd.DataFrame({
            t("auth.user"): [a.name for a in accounts],
            t("accounts.role"): [t(f"role.{a.role}") for a in accounts],
            t("col.township"): [tnames.get(a.township_code, a.township_code or "") for a in accounts],
            t("accounts.via"): [t("accounts.via_sso") if a.sso else t("auth.password") for a in accounts],
            t("accounts.created"): [f"{a.created_at}（{a.created_by or '—'}）" for a in accounts],
            t("accounts.last_login"): [a.last_login or t("accounts.never") for a in accounts],
        }), hide_index=True, width="stretch")
    st.markdown(t("accounts.add_heading"))
    with st.form("acct_add", clear_on_submit=True, enter_to_submit=False):
        c = st.columns(3)
        name = c[0].text_input(t("auth.user"), key="acct_name")
        role = c[1].selectbox(t("accounts.role"), ROLE_CHOICES, format_func=lambda r: t(f"role.{r}"), key="acct_role")
        town = c[2].selectbox(t("accounts.township"), [""] + list(tnames), format_func=lambda k: tnames.get(k, "—"),
                              key="acct_town")
        p = st.columns(2)
        pw1 = p[0].text_input(t("accounts.password"), type="password", key="acct_pw1")
        pw2 = p[1].text_input(t("accounts.password_again"), type="password", key="acct_pw2")
        add = st.form_submit_button(t("accounts.add"))
    if add:
        if pw1 != pw2:
            st.error(t("accounts.mismatch"))
        else:
            try:
                a = book.add(name, role, password=pw1, township=town or None, by=ctx.user)
            except XxgeoError as exc:
                show_error(exc, ctx.lang)
            else:
                st.session_state["acct_done"] = t("accounts.added", name=a.name, role=t(f"role.{a.role}"))
                st.rerun()
    if accounts:
        st.markdown(t("accounts.remove_heading"))
        pick = st.selectbox(t("accounts.account"), [a.name for a in accounts], key="acct_remove_pick")
        sure = st.checkbox(t("accounts.remove_sure"), key="acct_remove_sure")
        if st.button(t("accounts.remove"), key="acct_remove_btn", disabled=not sure):
            try:
                book.remove(pick, by=ctx.user)
            except XxgeoError as exc:
                show_error(exc, ctx.lang)
            else:
                st.session_state["acct_done"] = t("accounts.removed", name=pick)
                st.rerun()
