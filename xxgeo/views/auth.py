"""Sign-in in the sidebar: who is using the app (:mod:`xxgeo.session` holds the rules)."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from ..accounts import Accounts
from ..errors import SignInRefused, XxgeoError
from ..i18n import tr
from ..policy import Actor
from ..session import PUBLIC, Session, auth_mode, client_source, expiry, open_actor, serves_open
from ..textsafe import md
from .errors import show_error

KEY = "xx_session"


def _client() -> tuple[str | None, dict]:
    """The connection's address (None: this computer) and the request headers."""
    try:
        ip, headers = st.context.ip_address, dict(st.context.headers or {})
    except (AttributeError, RuntimeError, TypeError):  # no browser connection (a bare or test run)
        return None, {}
    return (ip if isinstance(ip, str) else None), {str(k): str(v) for k, v in headers.items()}


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file at all
        return False


def signed_in_actor(store, township_name: Callable[[str], str] = str, lang: str = "zh") -> Actor:
    """Render the sign-in part of the sidebar and return who is using the app now."""
    accounts = Accounts(store)
    book = accounts.list()
    mode = auth_mode(getattr(store, "kind", "gpkg"), bool(book), _sso_configured())
    if mode == "open":
        if not serves_open(*_client()):  # single-user mode serves this computer only
            st.warning(tr("auth.open_remote", lang))
            return PUBLIC
        actor = open_actor()
        st.caption(tr("auth.open", lang, user=actor.user))
        st.caption(tr("auth.open_local", lang))
        return actor
    now = time.time()
    session: Session | None = st.session_state.get(KEY)
    if session is not None:
        why = expiry(session, now, lang)
        current = next((a for a in book if a.name == session.user), None)
        if why is None and current is None:
            why = tr("auth.removed", lang)
        if why:
            st.session_state.pop(KEY, None)
            if session.via == "sso" and getattr(st.user, "is_logged_in", False):
                st.logout()
            st.warning(md(why))
            session = None
        else:  # a role changed by an admin applies at the next page action
            session = Session(current.name, current.role, current.township_code, session.via, session.started, now)
            st.session_state[KEY] = session
    if session is None and mode == "sso" and getattr(st.user, "is_logged_in", False):
        acct = accounts.identity(st.user.get("email"), st.user.get("name"))
        if acct is None:
            st.info(tr("auth.sso_unknown", lang))
        else:
            session = Session(acct.name, acct.role, acct.township_code, "sso", now, now)
            st.session_state[KEY] = session
    if session is not None:
        town = township_name(session.township) if session.township else ""
        role = tr(f"role.{session.role}", lang)
        where = f" · {md(town)}" if town else ""
        st.markdown(tr("auth.signed_in_as", lang, user=md(session.user), role=role, where=where))
        if st.button(tr("auth.signout", lang), key="signout"):
            st.session_state.pop(KEY, None)
            if session.via == "sso":
                st.logout()
            st.rerun()
        return session.actor()
    _form(accounts, mode, has_accounts=bool(book), lang=lang)
    return PUBLIC


def _form(accounts: Accounts, mode: str, *, has_accounts: bool, lang: str) -> None:
    """The sign-in form (用户名, 密码), and the identity-provider button when one is configured."""
    st.markdown(tr("auth.heading", lang))
    if mode == "sso" and st.button(tr("auth.sso", lang), key="sso_login"):
        st.login()
    if not has_accounts:
        st.caption(tr("auth.no_accounts", lang))
    with st.form("signin", clear_on_submit=True):
        name = st.text_input(tr("auth.user", lang), key="signin_name")
        password = st.text_input(tr("auth.password", lang), type="password", key="signin_password")
        submitted = st.form_submit_button(tr("auth.submit", lang))
    if not submitted:
        return
    try:  # the delays are kept in the store per (name, source): a reload does not reset them
        acct = accounts.sign_in(name, password, source=client_source(*_client()))
    except (SignInRefused, XxgeoError) as exc:
        show_error(exc, lang)
        return
    now = time.time()
    st.session_state[KEY] = Session(acct.name, acct.role, acct.township_code, "local", now, now)
    st.rerun()
