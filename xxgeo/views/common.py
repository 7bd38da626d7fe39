"""Pieces several views share: the map widget (memoised per content), URL-synced pickers, the project table."""

from __future__ import annotations

import copy
from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit_folium import st_folium

from ..config import settings
from ..i18n import tr, value_text
from ..mapping import APP_TILES, BASEMAPS, MapRequest, MapResult, build_map
from ..names import resolve_township, township_names
from ..vocab import COUNTY_WIDE, display, is_blank, not_stated, precision_label


def tianditu_key() -> str | None:
    """天地图 key from the settings (``TIANDITU_KEY``) or Streamlit secrets (never required)."""
    key = settings().tianditu_key
    if key:
        return key
    try:
        return st.secrets.get("tianditu_key")
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file: the basemap stays optional
        return None


def basemap_picker(ctx) -> str:
    """Sidebar basemap choice (default: none, works offline); kept in the URL as ``basemap``."""
    keys = list(BASEMAPS)
    cur = ctx.params.get("basemap", "none")
    cur = cur if cur in keys else "none"
    labels = [ctx.t(f"basemap.{k}") for k in keys]
    with st.sidebar:
        choice = st.selectbox(ctx.t("basemap.label"), labels, index=keys.index(cur), key="basemap_pick")
    key = keys[labels.index(choice)]
    if key == "tianditu" and not tianditu_key():
        st.sidebar.warning(ctx.t("basemap.key_needed"))
    if key != cur:
        set_param("basemap", None if key == "none" else key)
    if key in ("osm", "amap", "tianditu"):
        st.sidebar.caption(ctx.t("basemap.online"))
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
        st.warning(ctx.t("url.unknown_township", value=value))
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
    result = _cached_map(ctx.dataset, store_token(ctx), ctx.public_data, request)
    return draw_map(result, key, height=height, center=center, zoom=zoom)


def project_table(projects: pd.DataFrame, ctx) -> pd.DataFrame:
    """The project table as shown: headers in the UI's language, names instead of codes, units in the headers."""
    tnames = township_names(ctx.dataset["townships"])
    pnames = dict(zip(ctx.dataset["parks"]["park_id"], ctx.dataset["parks"]["name"]))
    lang, t = ctx.lang, ctx.t

    def towns(r):
        codes = r["township_codes"] or r["township_code"]
        if not codes or pd.isna(codes):
            return value_text(COUNTY_WIDE, lang)
        return "、".join(tnames.get(c, c) for c in str(codes).split(";"))

    out = pd.DataFrame({
        t("col.id"): projects["project_id"],
        t("col.name"): projects["name"],
        t("col.category"): projects["category"].map(lambda v: value_text(v, lang)),
        t("col.township"): projects.apply(towns, axis=1) if len(projects) else [],
        t("col.park"): projects["park_id"].map(pnames),
        t("col.status"): projects["status"],
        t("col.investment"): projects["investment_wan"],
        t("col.period"): [_period(a, b, lang) for a, b in zip(projects["start_year"], projects["end_year"])],
        t("col.precision"): projects["loc_precision"].map(lambda v: None if pd.isna(v) else precision_label(v, lang)),
        t("col.source"): projects["source_ref"],
    })
    return out


def _period(a, b, lang: str = "zh") -> str | None:
    a = None if a is None or pd.isna(a) else int(a)
    b = None if b is None or pd.isna(b) else int(b)
    if a and b:
        return f"{a}–{b}"
    if b:
        return tr("period.until", lang, year=b)
    if a:
        return tr("period.from", lang, year=a)
    return None


def na_text(df: pd.DataFrame, lang: str = "zh", *, blank: bool = False) -> pd.DataFrame:
    """A copy for display: every empty cell (None, NaN, ``pd.NA``, "") reads 未注明 / not stated — or stays
    blank with ``blank=True`` (logs, lists) — never “None” or “nan” (numbers with thousands separators)."""
    na = "" if blank else not_stated(lang)
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[c] = [na if pd.isna(v) else (f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}") for v in col]
        else:
            out[c] = [na if is_blank(v) else v for v in col.astype(object)]
    return out


def detail_notes(row, ctx) -> list[str]:
    """The captions under a selected project: its plan text (未注明 when none), and its location and investment
    notes when it has them — empty ones are left out, never shown as “nan”."""
    out = [ctx.t("planning.source_text", text=display(row.get("source_text"), ctx.lang))]
    for field in ("place_note", "investment_note"):
        if not is_blank(row.get(field)):
            out.append(ctx.t(f"planning.{field}", text=str(row.get(field))))
    return out
