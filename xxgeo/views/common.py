"""Pieces several views share: the map widget (memoised per content), URL-synced pickers, formatting."""

from __future__ import annotations

import copy
import os
from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ..i18n import value_text
from ..mapping import APP_TILES, BASEMAPS, MapRequest, MapResult, build_map
from ..names import resolve_township
from ..schema import LOC_PRECISION_LABELS


def fmt_wan(v, lang: str = "zh") -> str:
    """万元 with thousands separators and the 亿元 equivalent; 未注明 when empty."""
    if v is None or pd.isna(v):
        return "未注明" if lang != "en" else "not stated"
    s = f"{v:,.0f} 万元" if lang != "en" else f"{v:,.0f} ×10k CNY"
    if abs(v) >= 10000:
        s += f"（{v / 10000:,.2f} 亿元）" if lang != "en" else f" ({v / 10000:,.2f} ×100M CNY)"
    return s


def tianditu_key() -> str | None:
    """天地图 key from the environment or Streamlit secrets (never required)."""
    key = os.environ.get("TIANDITU_KEY")
    if key:
        return key
    try:
        return st.secrets.get("tianditu_key")
    except Exception:  # no secrets file: fine, the basemap stays optional
        return None


def basemap_picker(ctx) -> str:
    """Sidebar basemap choice (default: none, works offline); kept in the URL as ``basemap``."""
    keys = list(BASEMAPS)
    cur = ctx.params.get("basemap", "none")
    cur = cur if cur in keys else "none"
    labels = [BASEMAPS[k][1 if ctx.lang == "en" else 0] for k in keys]
    with st.sidebar:
        choice = st.selectbox(ctx.t("basemap"), labels, index=keys.index(cur), key="basemap_pick")
    key = keys[labels.index(choice)]
    if key == "tianditu" and not tianditu_key():
        st.sidebar.warning("天地图需要密钥：设置环境变量 TIANDITU_KEY 或 .streamlit/secrets.toml 中的 tianditu_key。")
    if key != cur:
        set_param("basemap", None if key == "none" else key)
    if key in ("osm", "amap", "tianditu"):
        st.sidebar.caption("在线底图需要互联网；断网时地图要素照常显示。")
    return key


def set_param(name: str, value) -> None:
    """Write (or delete, when empty) one URL query parameter."""
    if value in (None, "", [], ()):
        if name in st.query_params:
            del st.query_params[name]
    else:
        st.query_params[name] = ",".join(value) if isinstance(value, (list, tuple)) else str(value)


def param_list(ctx, name: str) -> list[str]:
    """A comma-separated URL parameter as a list."""
    raw = ctx.params.get(name, "")
    return [x.strip() for x in str(raw).replace("，", ",").split(",") if x.strip()]


def township_from_param(ctx, value: str | None) -> str | None:
    """Resolve a township name/code from the URL leniently; warn (not fail) when unknown."""
    if not value:
        return None
    code = resolve_township(value, ctx.dataset["townships"], required=False)
    if code is None:
        st.warning(f"链接中的乡镇“{value}”不存在，已忽略。")
    return code


def store_token(ctx) -> tuple:
    """The store's version, part of every cache key: a committed write gives a new token (and new maps)."""
    return (ctx.store.location, ctx.store.version())


@st.cache_resource(max_entries=24, show_spinner=False)
def _cached_map(_ds, token: tuple, public: bool, request: MapRequest) -> MapResult:
    """The app's one map cache: a map is built once per store version, audience and :class:`MapRequest`.

    ``public``: the public's dataset is a different (filtered) one, so its maps are cached apart from everyone
    else's. The cached result is never handed to st_folium itself (see :func:`draw_map`)."""
    return build_map(_ds, request, tiles=APP_TILES)


def draw_map(result: MapResult, key: str, *, height: int = 620, center=None, zoom=None):
    """Show a built map: its data tiles published (again if they were pruned since), a copy drawn."""
    if result.tileset is not None:
        APP_TILES.publish(result.tileset)
    # st_folium renames the elements of the map it is given (their ids become div_0, div_1 …), so a cached
    # map itself must never reach it: a second run would reference variables that no longer exist.
    m = copy.deepcopy(result.map)
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[], center=center, zoom=zoom)
    return m


def show_map(ctx, key: str, request: MapRequest, *, height: int = 620, center=None, zoom=None):
    """Draw the map ``request`` describes from the view's dataset; it is rebuilt only when the request or the
    store changes, and panning never re-runs the app.

    Above 10,000 projects (xxgeo.tiles.BUDGET) the page carries only counts per ~2 km cell; the projects' data
    tiles are published as static files and fetched by the browser for what is in view."""
    if request.basemap == "tianditu" and request.tianditu_key is None:
        request = replace(request, tianditu_key=tianditu_key())
    result = _cached_map(ctx.dataset, store_token(ctx), ctx.actor.is_public, request)
    return draw_map(result, key, height=height, center=center, zoom=zoom)


def project_table(projects: pd.DataFrame, ctx) -> pd.DataFrame:
    """The project table as shown: Chinese headers, names instead of codes, units in the headers."""
    tnames = dict(zip(ctx.dataset["townships"]["code"], ctx.dataset["townships"]["name"]))
    pnames = dict(zip(ctx.dataset["parks"]["park_id"], ctx.dataset["parks"]["name"]))

    en = ctx.lang == "en"

    def towns(r):
        codes = r["township_codes"] or r["township_code"]
        if not codes or pd.isna(codes):
            return value_text("全县/未注明", ctx.lang)
        return "、".join(tnames.get(c, c) for c in str(codes).split(";"))

    out = pd.DataFrame({
        ("ID" if en else "编号"): projects["project_id"],
        ("Name" if en else "项目名称"): projects["name"],
        ("Category" if en else "类别"): projects["category"].map(lambda v: value_text(v, ctx.lang)),
        ("Township" if en else "乡镇"): projects.apply(towns, axis=1) if len(projects) else [],
        ("Park" if en else "园区"): projects["park_id"].map(pnames),
        ("Status" if en else "状态"): projects["status"],
        ("Investment (10k CNY)" if en else "总投资（万元）"): projects["investment_wan"],
        ("Period" if en else "建设期"): [_period(a, b, en) for a, b in zip(projects["start_year"],
                                                                         projects["end_year"])],
        ("Location precision" if en else "位置精度"): projects["loc_precision"].map(LOC_PRECISION_LABELS).map(
            lambda v: value_text(v, ctx.lang)),
        ("Source" if en else "出处"): projects["source_ref"],
    })
    return out


def _period(a, b, en: bool = False) -> str | None:
    a = None if a is None or pd.isna(a) else int(a)
    b = None if b is None or pd.isna(b) else int(b)
    if a and b:
        return f"{a}–{b}"
    if b:
        return f"until {b}" if en else f"至{b}"
    if a:
        return f"from {a}" if en else f"{a}起"
    return None


def na_text(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A copy for display: every empty cell reads 未注明 (numbers formatted with thousands separators)."""
    na = "未注明" if lang != "en" else "not stated"
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[c] = [na if pd.isna(v) else (f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}") for v in col]
        else:
            out[c] = col.astype(object).where(col.notna(), na)
    return out


def zh_en(ctx, zh: str, en: str) -> str:
    """The Chinese or English form of a label, by the current language."""
    return en if ctx.lang == "en" else zh
