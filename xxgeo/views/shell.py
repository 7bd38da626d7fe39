"""The app shell: store loading (cached), language, view selection kept in the URL, dispatch to views."""

from __future__ import annotations

import importlib

import streamlit as st

from ..config import settings
from ..county import county
from ..errors import XxgeoError
from ..i18n import tr
from ..policy import PUBLIC, Actor, GuardedStore
from ..store import open_store
from ..textsafe import md
from .auth import signed_in_actor
from .context import ViewContext
from .errors import show_error

#: every view of the app and the module that renders it (``render(ctx)``); a view missing here or a module
#: that fails to import is an error, never a silently empty page
VIEW_MODULES = {"planning": "xxgeo.views.planning", "township": "xxgeo.views.township",
                "investor": "xxgeo.views.investor", "indicators": "xxgeo.views.indicators", "data": "xxgeo.views.data",
                "locate": "xxgeo.views.locate", "compliance": "xxgeo.views.compliance",
                "dispatch": "xxgeo.views.dispatch"}
VIEWS = tuple(VIEW_MODULES)
PUBLIC_VIEWS = ("investor",)
ALIASES = {"规划": "planning", "规划总览": "planning", "乡镇": "township", "招商": "investor", "指标": "indicators",
           "数据": "data", "park": "investor", "parks": "investor",
           "定位": "locate", "place": "locate", "合规检查": "compliance", "调度": "dispatch"}


@st.cache_resource(show_spinner=False, max_entries=6)  # the spinner is run()'s, in the page's language
def _load(location: str, version: str, public: bool):  # version: part of the cache key only (a new one re-reads)
    """Read every layer once per store version and audience (the only I/O cache; never mutated).

    The public's copy is read through :class:`GuardedStore`, so internal rows and fields never enter it."""
    store = open_store(location)
    return GuardedStore(store, PUBLIC).load() if public else store.load()


def load_dataset(store, public: bool):
    """The dataset the public (``public=True``) or a signed-in user may see, re-read only when the store changes."""
    return _load(store.location, store.version(), public)


def current_view() -> str:
    """The view named in the URL (``?view=``), default planning."""
    v = st.query_params.get("view", "planning")
    v = ALIASES.get(v, v)
    return v if v in VIEWS else "planning"


def view_module(view: str):
    """The module rendering ``view``; ``KeyError`` for a view the app does not have, and the import's own
    error (``ImportError``, ``SyntaxError`` …) for a broken module: both stop the page loudly."""
    try:
        name = VIEW_MODULES[view]
    except KeyError:
        raise KeyError(f"xxgeo has no view {view!r} (views: {', '.join(VIEW_MODULES)})") from None
    module = importlib.import_module(name)
    if not callable(getattr(module, "render", None)):
        raise AttributeError(f"{name} has no render(ctx) function")
    return module


def kiosk_mode() -> bool:
    """Investor mode: the bureau's setting ``XXGEO_KIOSK=investor``, or ``?view=investor&kiosk=1`` (also the
    older ``&present=1``). The page is the investor view alone: no sidebar, navigation, sign-in or internal link."""
    if settings().kiosk == "investor":
        return True
    asked = st.query_params.get("kiosk") in ("1", "true") or st.query_params.get("present") in ("1", "true")
    return asked and current_view() == "investor"


def run() -> None:
    """Render the whole app."""
    lang = "en" if st.query_params.get("lang") == "en" else "zh"
    view = current_view()
    st.markdown(_CSS, unsafe_allow_html=True)
    if lang == "zh":
        st.markdown(zh_chrome_css(), unsafe_allow_html=True)
    kiosk = kiosk_mode()
    if kiosk:
        st.markdown(_PRESENT_CSS, unsafe_allow_html=True)
    try:
        store = open_store()
        if not store.exists():
            st.error(tr("investor_mode.no_data", lang) if kiosk
                     else tr("shell.no_store", lang, path=md(store.location)))
            return
        if kiosk:  # the public's share, read for the public; nothing of the rest of the app is rendered
            ctx = ViewContext(store=GuardedStore(store, PUBLIC), dataset=load_dataset(store, True), lang=lang,
                              params=dict(st.query_params), actor=PUBLIC, public_data=True, kiosk=True)
            view_module("investor").render(ctx)
            return
        with st.sidebar:
            st.markdown(f"### {county().title(lang)}")
            actor = signed_in_actor(store, lambda code: _township_name(store, code), lang)
            view = _navigation(view, lang, actor)
        public_data = actor.is_public or view in PUBLIC_VIEWS  # what investors see: the public's share only
        with st.spinner(tr("shell.loading", lang)):  # shown only when a read lasts (Streamlit waits 0.5 s)
            dataset = load_dataset(store, public_data)
        ctx = ViewContext(store=GuardedStore(store, actor), dataset=dataset, lang=lang,
                          params=dict(st.query_params), actor=actor, public_data=public_data)
        view_module(view).render(ctx)
    except XxgeoError as exc:
        show_error(exc, lang)


def _township_name(store, code: str) -> str:
    """A township's name (for a signed-in township head: the cached internal dataset is theirs anyway)."""
    t = load_dataset(store, False)["townships"]
    hit = t.loc[t["code"] == code, "name"]
    return str(hit.iloc[0]) if len(hit) else code


def _navigation(view: str, lang: str, actor: Actor) -> str:
    """The view radio and the language toggle; returns the view to render (public users: investor only)."""
    allowed = PUBLIC_VIEWS if actor.role == "public" else VIEWS
    if view not in allowed:
        st.info(tr("auth.needs", lang, view=tr(f"view.{view}", lang)))
        view = allowed[0]
    labels = [tr(f"view.{v}", lang) for v in allowed]
    chosen = st.radio(tr("shell.view", lang), labels, index=allowed.index(view), key="nav_view",
                      label_visibility="collapsed")
    new_view = allowed[labels.index(chosen)]
    if new_view != view:
        keep = {"lang": lang} if lang == "en" else {}
        st.query_params.clear()
        st.query_params.update({"view": new_view, **keep})
        st.rerun()
    if st.toggle(tr("shell.english", lang), value=(lang == "en"), key="lang_toggle") != (lang == "en"):
        if lang == "en":
            del st.query_params["lang"]
        else:
            st.query_params["lang"] = "en"
        st.rerun()
    return view


_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}
div[data-testid="stMetricValue"] {font-size: 1.5rem;}
.xx-card {border: 1px solid #e3e3e3; border-radius: 8px; padding: 14px 18px; background: #fcfcfc;}
.xx-card h3 {margin-top: 0;}
.xx-muted {color: #777; font-size: 0.85rem;}
</style>
"""
def zh_chrome_css() -> str:
    """Streamlit's own English words that no option sets, shown in Chinese by CSS (the English text is hidden,
    the Chinese put in its place): the file uploader's button and size note, the Stop button while the page
    runs, and the "Press Enter to apply / submit form" hint of text inputs."""
    words = {k: tr(f"chrome.{k}", "zh") for k in ("upload", "per_file", "stop", "enter")}
    per_file = words["per_file"].format(mb=st.get_option("server.maxUploadSize"))
    hide = "visibility: hidden; font-size: 0;"
    show = "visibility: visible; font-size: 0.875rem;"
    btn = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'
    return f"""
<style>
{btn} p {{display: none;}}
{btn}::after {{content: "{words['upload']}";}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{display: none;}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content: "{per_file}"; font-size: 0.875rem;
  color: rgba(49, 51, 63, 0.6);}}
[data-testid="stStatusWidget"] button {{{hide}}}
[data-testid="stStatusWidget"] button::after {{content: "{words['stop']}"; {show}}}
[data-testid="InputInstructions"] {{{hide}}}
[data-testid="InputInstructions"]::after {{content: "{words['enter']}"; {show} font-size: 0.75rem;}}
</style>
"""


_PRESENT_CSS = """
<style>
header[data-testid="stHeader"], section[data-testid="stSidebar"], div[data-testid="stToolbar"] {display: none;}
.block-container {padding-top: 0.6rem; max-width: 100%;}
</style>
"""
