"""数据 › 账号 (admins only): list, add and remove the store's local accounts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..errors import XxgeoError
from ..policy import ROLE_LABELS

ROLE_CHOICES = ("township", "editor", "admin")


def accounts_section(ctx) -> None:
    """Accounts of the store: who may sign in, with which role; add and remove (every change audited)."""
    msg = st.session_state.pop("acct_done", None)
    if msg:
        st.success(msg)
    try:
        book = ctx.store.accounts()
        accounts = book.list()
    except XxgeoError as exc:
        st.error(exc.message)
        return
    t = ctx.dataset["townships"]
    tnames = dict(zip(t["code"], t["name"]))
    if accounts:
        st.dataframe(pd.DataFrame({
            "用户名": [a.name for a in accounts],
            "角色": [a.role_label for a in accounts],
            "乡镇": [tnames.get(a.township_code, a.township_code or "") for a in accounts],
            "登录方式": ["统一身份认证" if a.sso else "密码" for a in accounts],
            "创建": [f"{a.created_at}（{a.created_by or '—'}）" for a in accounts],
            "最近登录": [a.last_login or "从未" for a in accounts],
        }), hide_index=True, width="stretch")
    st.markdown("#### 添加账号")
    with st.form("acct_add", clear_on_submit=True):
        c = st.columns(3)
        name = c[0].text_input("用户名", key="acct_name")
        role = c[1].selectbox("角色", ROLE_CHOICES, format_func=ROLE_LABELS.get, key="acct_role")
        town = c[2].selectbox("乡镇（仅乡镇负责人）", [""] + list(tnames), format_func=lambda k: tnames.get(k, "—"),
                              key="acct_town")
        p = st.columns(2)
        pw1 = p[0].text_input("密码（至少 8 个字符）", type="password", key="acct_pw1")
        pw2 = p[1].text_input("再输入一次密码", type="password", key="acct_pw2")
        add = st.form_submit_button("添加")
    if add:
        if pw1 != pw2:
            st.error("两次输入的密码不一致。")
        else:
            try:
                a = book.add(name, role, password=pw1, township=town or None, by=ctx.user)
            except XxgeoError as exc:
                st.error(exc.message)
            else:
                st.session_state["acct_done"] = f"已添加账号“{a.name}”（{a.role_label}）。"
                st.rerun()
    if accounts:
        st.markdown("#### 删除账号")
        pick = st.selectbox("账号", [a.name for a in accounts], key="acct_remove_pick")
        sure = st.checkbox("我确认删除这个账号（该用户的登录会在下一次操作时结束）", key="acct_remove_sure")
        if st.button("删除", key="acct_remove_btn", disabled=not sure):
            try:
                book.remove(pick, by=ctx.user)
            except XxgeoError as exc:
                st.error(exc.message)
            else:
                st.session_state["acct_done"] = f"已删除账号“{pick}”。"
                st.rerun()
