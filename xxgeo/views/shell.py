"""The app shell: store loading (cached), language, view selection kept in the URL, dispatch to views."""

from __future__ import annotations

import importlib
import os

import streamlit as st

from ..errors import XxgeoError
from ..i18n import tr
from ..store import open_store
from .context import ViewContext

VIEWS = ("planning", "township", "investor", "indicators", "data")
ALIASES = {"规划": "planning", "规划总览": "planning", "乡镇": "township", "招商": "investor", "指标": "indicators",
           "数据": "data", "park": "investor", "parks": "investor"}


@st.cache_resource(show_spinner="正在读取数据库…", max_entries=4)
def _load(path: str, mtime: float):  # mtime: part of the cache key only (a new file version re-reads)
    """Read every layer once per store file version (the only I/O cache; never mutated)."""
    store = open_store(path)
    return store.load()


def load_dataset(store):
    """The store's dataset, re-read only when the file changes."""
    return _load(str(store.path), store.path.stat().st_mtime if store.exists() else 0.0)


def current_view() -> str:
    """The view named in the URL (``?view=``), default planning."""
    v = st.query_params.get("view", "planning")
    v = ALIASES.get(v, v)
    return v if v in VIEWS else "planning"


def run() -> None:
    """Render the whole app."""
    lang = "en" if st.query_params.get("lang") == "en" else "zh"
    view = current_view()
    st.markdown(_CSS, unsafe_allow_html=True)
    if view == "investor" and st.query_params.get("present") in ("1", "true"):
        st.markdown(_PRESENT_CSS, unsafe_allow_html=True)

    with st.sidebar:
        st.markdown(f"### {tr('app.title', lang)}")
        labels = [tr(f"view.{v}", lang) for v in VIEWS]
        chosen = st.radio("视图 / View", labels, index=VIEWS.index(view), key="nav_view", label_visibility="collapsed")
        new_view = VIEWS[labels.index(chosen)]
        if new_view != view:
            keep = {"lang": lang} if lang == "en" else {}
            st.query_params.clear()
            st.query_params.update({"view": new_view, **keep})
            st.rerun()
        if st.toggle("English", value=(lang == "en"), key="lang_toggle") != (lang == "en"):
            if lang == "en":
                del st.query_params["lang"]
            else:
                st.query_params["lang"] = "en"
            st.rerun()

    try:
        store = open_store()
        if not store.exists():
            st.error(f"找不到数据库 {store.path}。请先运行 `python -m xxgeo build`（`make run` 会自动构建）。")
            return
        ds = load_dataset(store)
        ctx = ViewContext(store=store, dataset=ds, lang=lang, params=dict(st.query_params),
                          user=os.environ.get("XXGEO_USER", "planner"))
        try:
            module = importlib.import_module(f"xxgeo.views.{view}")
        except ModuleNotFoundError as exc:
            if exc.name != f"xxgeo.views.{view}":
                raise
            st.info("此视图尚未提供。")
            return
        module.render(ctx)
    except XxgeoError as exc:
        st.error(exc.message)


_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}
div[data-testid="stMetricValue"] {font-size: 1.5rem;}
.xx-card {border: 1px solid #e3e3e3; border-radius: 8px; padding: 14px 18px; background: #fcfcfc;}
.xx-card h3 {margin-top: 0;}
.xx-muted {color: #777; font-size: 0.85rem;}
</style>
"""
_PRESENT_CSS = """
<style>
header[data-testid="stHeader"], section[data-testid="stSidebar"], div[data-testid="stToolbar"] {display: none;}
.block-container {padding-top: 0.6rem; max-width: 100%;}
</style>
"""
