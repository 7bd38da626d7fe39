"""Who is using the app, and for how long (pure; the Streamlit side is ``xxgeo/views/auth.py``).

Three ways in (:func:`auth_mode`):

- ``open``: a GeoPackage store with no accounts and no identity provider, on one machine (a laptop, the
  bureau's own PC). Nobody signs in; the user works as a bureau editor under ``XXGEO_USER`` (default
  ``planner``). As soon as one account exists, or with ``XXGEO_AUTH=required``, the app asks for sign-in.
- ``local``: accounts kept in the store (:mod:`xxgeo.accounts`); a sign-in form in the sidebar.
- ``sso``: an OpenID Connect provider configured in ``.streamlit/secrets.toml`` (``[auth]``); Streamlit's
  ``st.login`` signs the user in, and the account with that e-mail (or name) gives the role. Local password
  accounts keep working beside it.

A PostGIS store is never ``open``: a shared server is a multi-user deployment by definition.
Until someone signs in, the app is in the ``public`` role: the investor view and public data only.

Sessions expire after ``XXGEO_SESSION_IDLE_MIN`` minutes without a page action (default 60) and after
``XXGEO_SESSION_MAX_HOURS`` hours in all (default 12).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import settings
from .policy import Actor

PUBLIC = Actor("公众", "public")


def idle_limit_s() -> float:
    """Seconds without a page action after which a session ends (``XXGEO_SESSION_IDLE_MIN``)."""
    return settings().session_idle_s


def max_age_s() -> float:
    """Seconds after sign-in after which a session ends, active or not (``XXGEO_SESSION_MAX_HOURS``)."""
    return settings().session_max_s


def auth_mode(store_kind: str, has_accounts: bool, sso_configured: bool) -> str:
    """``open``, ``local`` or ``sso`` (see the module docstring)."""
    if sso_configured:
        return "sso"
    if store_kind == "gpkg" and not has_accounts and not settings().auth_required:
        return "open"
    return "local"


def open_actor() -> Actor:
    """The single user of an ``open`` store: a bureau editor named by ``XXGEO_USER``."""
    return Actor(settings().default_user, "editor")


@dataclass(frozen=True)
class Session:
    """A signed-in user in one browser session."""

    user: str
    role: str
    township: str | None
    via: str  # "local" or "sso"
    started: float
    last_seen: float

    def actor(self) -> Actor:
        """The store-layer identity."""
        return Actor(self.user, self.role, self.township)


def expiry(session: Session, now: float, lang: str = "zh") -> str | None:
    """Why ``session`` has ended at ``now`` (a sentence in ``lang``), or None while it is valid."""
    if now - session.last_seen > idle_limit_s():
        minutes = int(idle_limit_s() // 60)
        if lang == "en":
            return f"No action for more than {minutes} minutes: your sign-in has expired; please sign in again."
        return f"您已超过 {minutes} 分钟没有操作，登录已过期，请重新登录。"
    if now - session.started > max_age_s():
        hours = f"{max_age_s() / 3600:g}"
        if lang == "en":
            return f"Signed in for more than {hours} hours: please sign in again."
        return f"登录已超过 {hours} 小时，请重新登录。"
    return None


def retry_delay_s(failures_in_session: int) -> float:
    """Seconds the app waits before answering the n-th failed sign-in of one browser session (kept for the
    command line and scripts; the app's delays are the store's, per name and source: :mod:`xxgeo.accounts`)."""
    return 0.0 if failures_in_session <= 2 else float(min(2 ** (failures_in_session - 3), 8))


def client_source(peer: str | None, headers: dict | None = None) -> str:
    """The source a sign-in attempt counts against: the client's address.

    ``peer`` is the connection's address (Streamlit's ``st.context.ip_address``: None for this computer).
    Forwarding headers (``X-Forwarded-For``'s last hop, ``X-Real-IP``) are believed only when the connection
    itself comes from this computer, i.e. from a reverse proxy here; a remote client cannot choose its source."""
    if peer:
        return str(peer)
    h = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    hops = [x.strip() for x in h.get("x-forwarded-for", "").split(",") if x.strip()]
    if hops:
        return hops[-1]
    return h.get("x-real-ip", "").strip() or "local"


def serves_open(peer: str | None, headers: dict | None = None) -> bool:
    """May this client use the ``open`` (single-user, no sign-in) mode? Only from this computer: a
    connection from another machine, or one forwarded by a proxy, gets the public role instead."""
    return client_source(peer, headers) == "local"
