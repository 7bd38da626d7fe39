"""合规检查 (``?view=compliance``): every project against the control lines (三区三线 …), for bureau editors and
township heads. The check (:mod:`xxgeo.constraints.check`) and the layer's image tiles are cached per store
version here, at the I/O boundary; the map shows the control lines as image tiles (bytes per view bounded by
the screen, never the whole layer) and the checked projects coloured by verdict."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..constraints import raster
from ..constraints.kinds import CLEAR, CONFLICT, UNKNOWN, VERDICTS, VERIFY, rules, verdict_label
from ..constraints.run import check_store
from ..constraints.tables import about_rows, human, said, sheet_name, to_xlsx
from ..i18n import value_text
from ..layerspec import load_specs
from ..mapping import APP_TILES, MapRequest
from ..names import township_names
from ..textsafe import md
from ..tiles import ImageTiles
from .common import _tile_token, basemap_picker, na_text, report_download, show_map, store_token

LAYER = "constraints"


@st.cache_resource(show_spinner=False, max_entries=4)
def _layer(_store, token: tuple):  # token: (location, version), the cache key
    """The constraints layer, read once per store version (it is not part of the cached dataset)."""
    return _store.read(LAYER)


@st.cache_resource(show_spinner=False, max_entries=8)
def _result(_store, token: tuple, against: tuple, township: str | None, protection: tuple):
    """The check, once per store version and question."""
    return check_store(_store, against=list(against) or None, township=township, protection=list(protection))


@st.cache_resource(show_spinner=False, max_entries=4)
def _tiles(_frame, token: tuple, colors: tuple):
    """The layer's image tiles, rendered once per content (kept on disk across versions)."""
    return raster.cached(_frame, dict(colors), APP_TILES)


def _image_tiles(ctx, frame) -> ImageTiles | None:
    spec = load_specs().get(LAYER)
    if spec is None or not spec.visible_to(ctx.actor.role) or not len(frame):
        return None
    colors = {k: v.get("fill_color", "#7f8c8d") for k, v in spec.classes.items()}
    with st.spinner(ctx.t("compliance.rendering")):
        tileset = _tiles(frame, store_token(ctx), tuple(sorted(colors.items())))
    token = _tile_token()
    APP_TILES.grant(tileset, token)
    counts = pd.Series(raster.class_of(frame["kind"].astype(str), colors)).value_counts()
    return ImageTiles(raster.url_template(APP_TILES, tileset, token), raster.MIN_ZOOM, raster.MAX_ZOOM,
                      tuple((str(k), int(n)) for k, n in counts.items()))


def _distances(ctx) -> tuple:
    """The protection distance per kind of scenic or heritage site (``KIND=METRES``; 0 = not checked), from the
    county's file by default."""
    sites = ctx.dataset["scenic_sites"]
    kinds = sorted(set(sites["kind"].dropna().astype(str))) if len(sites) else []
    if not kinds:
        return ()
    preset = rules().protection_m
    with st.sidebar.expander(ctx.t("compliance.protection"), expanded=False):
        st.caption(ctx.t("compliance.protection_help"))
        metres = [st.number_input(str(value_text(k, ctx.lang)), 0, 100_000, int(preset.get(k, 0)), 50,
                                  key=f"cc_protect_{k}") for k in kinds]
    return tuple(f"{k}={m}" for k, m in zip(kinds, metres))


def _pick(ctx, stored: list) -> tuple[tuple, str | None]:
    r = rules()
    towns = township_names(ctx.dataset["townships"])
    with st.sidebar:
        against = st.multiselect(ctx.t("compliance.against"), stored, default=stored,
                                 format_func=lambda k: r.label(k, ctx.lang), key="cc_against")
        codes = [""] + list(towns)
        own = ctx.actor.township if ctx.actor.township in towns else ""
        code = st.selectbox(ctx.t("filter.township"), codes, index=codes.index(own),
                            format_func=lambda c: towns.get(c, ctx.t("all")), key="cc_township")
    return tuple(against), code or None


def render(ctx) -> None:
    """Render the compliance view."""
    t = ctx.t
    st.markdown(f"## {t('compliance.title')}")
    st.caption(t("compliance.intro"))
    frame = _layer(ctx.store, store_token(ctx))
    stored = list(dict.fromkeys(frame["kind"].astype(str))) if len(frame) else []
    if not stored:
        st.info(t("compliance.none"))
        return
    basemap = basemap_picker(ctx)
    against, code = _pick(ctx, stored)
    protection = _distances(ctx)
    if not against:
        st.warning(t("compliance.pick_kind"))
        return
    with st.spinner(t("compliance.checking")):
        result = _result(ctx.store, store_token(ctx), against, code, protection)
    counts = result.counts()
    cols = st.columns(4)
    for col, v in zip(cols, (CONFLICT, VERIFY, UNKNOWN, CLEAR)):
        col.metric(verdict_label(v, ctx.lang), counts[v], help=t(f"compliance.help_{VERDICTS.index(v)}"))
    judged = result.projects[result.projects["verdict"] != UNKNOWN]
    marks = tuple(zip(judged["project_id"].astype(str), judged["verdict"]))
    req = MapRequest(role=ctx.actor.role, lang=ctx.lang, basemap=basemap, compact=True, fit="county",
                     constraint_tiles=_image_tiles(ctx, frame), marks=marks)
    show_map(ctx, "compliance_map", req, height=560)
    st.caption(t("compliance.map_note"))
    towns = township_names(ctx.dataset["townships"])
    flagged = result.hits[result.hits["verdict"] != CLEAR]
    for key, df in (("projects", result.projects), ("hits", flagged), ("pairs", result.pairs), ("near", result.near)):
        st.markdown("#### " + t("compliance.table", name=md(sheet_name(key, ctx.lang)), n=len(df)))
        if len(df):
            # an empty cell is "not applicable" here (no reason for a judged project, no length for an area),
            # not a value the data fails to give: blank, never 未注明 (a missing township says so in human())
            st.dataframe(na_text(human(df, ctx.lang, towns), ctx.lang, blank=True), hide_index=True,
                         width="stretch")
    for pair in result.notes:
        st.caption(said(pair, ctx.lang))
    about = about_rows(result, ctx.lang, title=t("compliance.title"), against=list(against),
                       township=towns.get(code) if code else None, version=ctx.store.version())
    st.download_button(t("compliance.xlsx"), to_xlsx(result, ctx.lang, about, towns), "compliance.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="cc_xlsx",
                       on_click="ignore", icon=":material/table_view:")

    def pdf() -> bytes:
        from ..reports.compliance import compliance_pdf

        return compliance_pdf(result, ctx.lang, about, towns)

    report_download(ctx, t("compliance.pdf"), pdf, "compliance.pdf", key="cc_pdf")
