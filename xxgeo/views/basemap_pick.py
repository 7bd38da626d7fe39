"""The basemap of the app's maps: the sidebar picker, the URL's ``&basemap=NAME``, the store's default.

The choices are the shipped providers (geodata/basemaps.toml), the store's intranet servers and its packages
(:func:`xxgeo.basemaps.choices`). A package's tiles are published into ``static/`` (hard links, once) the first
time it is chosen, so the app serves them itself with nothing online. Without ``basemap`` in the URL a map uses
the store's default (``python -m xxgeo basemap default NAME``): every map of the app draws the same basemap.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from ..basemaps import NONE, Basemap, Registry, choices, publish, registry_dir
from ..config import settings


def tianditu_key() -> str | None:
    """天地图 key from the settings (``TIANDITU_KEY``) or Streamlit secrets (never required)."""
    key = settings().tianditu_key
    if key:
        return key
    try:
        return st.secrets.get("tianditu_key")
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file: the basemap stays optional
        return None


def _state(ctx) -> tuple[dict, str, str]:
    """(the choices, the store's default, the current choice: the URL's, else the default)."""
    options = choices(ctx.store.location)
    default = Registry(registry_dir(ctx.store.location)).default or NONE
    default = default if default in options else NONE
    cur = st.query_params.get("basemap", default)  # as this run left it (the picker may just have changed it)
    return options, default, (cur if cur in options else default)


def _for_request(ctx, options: dict, key: str) -> str | Basemap:
    """What a :class:`~xxgeo.mapping.MapRequest` takes as ``basemap``: a shipped name, or the Basemap itself."""
    bm = options[key]
    if bm is None or bm.kind == "online":
        return key
    if bm.kind == "package":
        reg = Registry(registry_dir(ctx.store.location))
        pkg = reg.get(key)
        if pkg is not None:
            publish(reg, pkg)
    return bm


def current_basemap(ctx) -> str | Basemap:
    """The basemap the maps of this page draw (URL, else the store's default), ready for a MapRequest."""
    options, _default, cur = _state(ctx)
    return _for_request(ctx, options, cur)


def basemap_picker(ctx) -> str | Basemap:
    """Sidebar basemap choice (default: the store's, else none, which works offline); kept in the URL as
    ``basemap`` when it differs from the store's default."""
    options, default, cur = _state(ctx)
    keys = list(options)
    labels = [ctx.t("basemap.none") if options[k] is None else options[k].label(ctx.lang) for k in keys]
    with st.sidebar:
        choice = st.selectbox(ctx.t("basemap.label"), labels, index=keys.index(cur), key="basemap_pick")
    key = keys[labels.index(choice)]
    bm = options[key]
    if bm is not None and bm.key == "tianditu" and not tianditu_key():
        st.sidebar.warning(ctx.t("basemap.key_needed"))
    if key != cur:
        if key == default:
            if "basemap" in st.query_params:
                del st.query_params["basemap"]
        else:
            st.query_params["basemap"] = key
    if bm is not None:
        st.sidebar.caption(ctx.t(f"basemap.{bm.kind}"))
    return _for_request(ctx, options, key)
