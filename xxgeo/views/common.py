"""Pieces several views share: the map widget (memoised per content), URL-synced pickers, the project table."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ..basemaps import provider
from ..config import settings
from ..i18n import tr, value_text
from ..mapping import APP_TILES, MapRequest, MapResult, build_map
from ..names import resolve_township, township_names
from ..textsafe import md as md_text  # the views' one markdown escaper (issue 18)
from ..tiles import new_token
from ..vocab import COUNTY_WIDE, display, is_blank, not_stated, precision_label, status_text
from .basemap_pick import basemap_picker as basemap_picker  # where the views have always found it
from .basemap_pick import current_basemap, tianditu_key


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
        st.warning(ctx.t("url.unknown_township", value=md_text(value)))
    return code


def store_token(ctx) -> tuple:
    """The store's version, part of every cache key: a committed write gives a new token (and new maps)."""
    return (ctx.store.location, ctx.store.version())


def request_key(request: MapRequest) -> str:
    """The map cache's key of a request: a digest of its complete repr (every field is a plain value or a frozen
    dataclass with the default repr). Streamlit's own hashing walks a request field by field, which for the
    调度 map's thousand warning marks costs more than the rest of a rerun."""
    return hashlib.sha256(repr(request).encode("utf-8")).hexdigest()


@st.cache_resource(max_entries=24, show_spinner=False, hash_funcs={MapRequest: request_key})
def _cached_map(_ds, token: tuple, public: bool, request: MapRequest) -> MapResult:
    """The app's one map cache: a map is built once per store version, audience and :class:`MapRequest`.

    ``public``: the public's dataset is a different (filtered) one, so its maps are cached apart from everyone
    else's. The cached result is never handed to st_folium itself (see :func:`draw_map`)."""
    return build_map(_ds, request, tiles=APP_TILES)


TILE_TOKEN = "xx_tile_token"


def _tile_token() -> str:
    """This browser session's token for internal data tiles (made once per session; its folder expires when
    the session has been idle longer than the sign-in idle limit)."""
    token = st.session_state.get(TILE_TOKEN)
    if not token:
        token = st.session_state[TILE_TOKEN] = new_token()
    return token


def draw_map(result: MapResult, key: str, *, height: int = 620, center=None, zoom=None, public: bool = False,
             returned_objects: tuple = (), add=None, feature_group_to_add=None):
    """Show a built map: its data tiles published (again if they were pruned since), a copy drawn.

    Tiles of a ``public`` map sit at their shared path; the tiles of any other map (internal content) are
    granted to this session only, under its unguessable token, and the drawn copy points there.
    ``add(m)`` adds elements to the drawn copy (a drawing tool); ``returned_objects`` (e.g. ``last_clicked``)
    makes clicks re-run the app and the answer of st_folium is returned instead of the copy."""
    # st_folium renames the elements of the map it is given (their ids become div_0, div_1 …), so a cached
    # map itself must never reach it: a second run would reference variables that no longer exist.
    m = copy.deepcopy(result.map)
    if result.tileset is not None:
        APP_TILES.prune_sessions(settings().session_idle_s)
        if public:
            APP_TILES.publish(result.tileset)
        else:
            token = _tile_token()
            APP_TILES.grant(result.tileset, token)
            shared = f'"{APP_TILES.url}/{result.tileset.digest}/'
            mine = f'"{APP_TILES.session_prefix(token)}{result.tileset.digest}/'
            for el in _elements(m):
                if isinstance(getattr(el, "payload_js", None), str):
                    el.payload_js = el.payload_js.replace(shared, mine)
    if add is not None:
        add(m)
    out = st_folium(m, key=key, height=height, use_container_width=True, returned_objects=list(returned_objects),
                    center=center, zoom=zoom, feature_group_to_add=feature_group_to_add)
    return out if returned_objects else m


def show_map(ctx, key: str, request: MapRequest, *, height: int = 620, center=None, zoom=None, **draw_kw):
    """Draw the map ``request`` describes from the view's dataset; it is rebuilt only when the request or the
    store changes, and panning never re-runs the app.

    Above 10,000 projects (xxgeo.tiles.BUDGET) the page carries only counts per ~2 km cell; the projects' data
    tiles are published as static files and fetched by the browser for what is in view. A map whose view has no
    basemap picker draws the page's basemap (the URL's, else the store's default)."""
    if request.basemap == "none" and request.basemap_spec is None:
        request = replace(request, basemap=current_basemap(ctx))  # a map without a picker: the page's basemap
    bm = request.basemap_spec if request.basemap_spec is not None else provider(request.basemap)
    if request.tianditu_key is None and bm is not None and bm.key == "tianditu":
        request = replace(request, tianditu_key=tianditu_key())
    result = _cached_map(ctx.dataset, store_token(ctx), ctx.public_data, request)
    return draw_map(result, key, height=height, center=center, zoom=zoom, public=ctx.public_data, **draw_kw)


def _elements(el):
    """``el`` and every element below it (a folium map's tree)."""
    yield el
    for child in list(getattr(el, "_children", {}).values()):
        yield from _elements(child)


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
        t("col.status"): projects["status"].map(lambda v: status_text(v, lang)),
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


def selectable_table(ctx, table: pd.DataFrame, *, key: str, focus_key: str, **kw) -> str | None:
    """The project table (first column: the id) with one row selectable; returns the selected id.

    A new selection is kept in ``st.session_state[focus_key]`` and the app re-runs at once, so the map above
    the table (drawn earlier in the run) highlights it; a cleared selection clears it."""
    ev = st.dataframe(na_text(table, ctx.lang), hide_index=True, width="stretch", on_select="rerun",
                      selection_mode="single-row", key=key, **kw)
    rows = list(ev.selection.rows) if ev is not None and hasattr(ev, "selection") else []
    pid = str(table.iloc[rows[0], 0]) if rows and rows[0] < len(table) else None
    if st.session_state.get(focus_key) != pid:
        st.session_state[focus_key] = pid
        st.rerun()
    return pid


def focused_project(ctx, projects: pd.DataFrame, focus_key: str) -> tuple[pd.Series | None, str | None]:
    """The row chosen in a table (kept in ``focus_key``) if it is among ``projects``, and its id when it has a
    place on the map (the id the map highlights: ``MapRequest.highlight_project``)."""
    pid = st.session_state.get(focus_key)
    if pid is None:
        return None, None
    hit = projects[projects["project_id"].astype(str) == str(pid)]
    if hit.empty:
        return None, None
    row = hit.iloc[0]
    g = row.geometry
    return row, (str(pid) if g is not None and not g.is_empty else None)


def unlocated_notice(ctx, row: pd.Series) -> None:
    """For a project without a place: one sentence saying so and a link to the placing workspace for it
    (``?view=locate&id=ID``, where it is placed by a click, a drawing or pasted coordinates)."""
    query = {"view": "locate", "id": str(row["project_id"])}
    if ctx.params.get("lang"):  # the link keeps the page's language
        query["lang"] = ctx.params["lang"]
    st.info(ctx.t("selection.unlocated", pid=md_text(row["project_id"]), name=md_text(row["name"])))
    st.markdown(f"[{ctx.t('selection.place_it')}](?{urlencode(query)})")


def said_in(build, lang: str):
    """``build`` for a deferred download: Streamlit shows ``str()`` of what the build raises next to the
    button, so an :class:`~xxgeo.errors.XxgeoError` is raised again carrying its sentence in ``lang``."""
    from ..errors import XxgeoError
    from .errors import error_text

    def made() -> bytes:
        try:
            return build()
        except XxgeoError as exc:
            raise XxgeoError(error_text(exc, lang), english=exc.english) from exc

    return made


def report_download(ctx, label: str, build, file_name: str, *, key: str) -> None:
    """One click for a PDF: the button builds it when clicked (``build()``, on Streamlit's download thread, the
    button spinning meanwhile) and the browser then saves the file. A missing CJK font is said at once, in
    one sentence, instead of a button that cannot work."""
    from ..errors import XxgeoError
    from ..reports import cjk_font  # matplotlib and reportlab: loaded when a view offers a report
    from .errors import show_error

    try:
        cjk_font()
    except XxgeoError as exc:
        show_error(exc, ctx.lang)
        return
    st.download_button(label, said_in(build, ctx.lang), file_name, "application/pdf", key=key, on_click="ignore",
                       icon=":material/picture_as_pdf:", help=ctx.t("report_button.help"))
    st.caption(ctx.t("report_button.note"))


def edit_base(ctx, key: str, version: int) -> int:
    """The version a form's edit is based on (kept in the session under ``key`` from the first view): when the
    row has changed since, say so and offer to start again from the new version. Returns the base version, which
    the save passes as ``expected_version``."""
    base = st.session_state.setdefault(key, version)
    if base != version:
        st.warning(ctx.t("edit.changed", base=base, version=version))
        if st.button(ctx.t("edit.refresh"), key=f"{key}_refresh"):
            st.session_state[key] = version
            st.rerun()
    return base
