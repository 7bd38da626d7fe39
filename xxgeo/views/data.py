"""数据: bring your own data (upload -> map preview -> validation report -> confirm), downloads in six
formats, a version-checked edit form for a project, undo of the last change and restore of backups."""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ..errors import XxgeoError
from ..export import FORMATS, MIME, export_layer
from ..i18n import value_text
from ..importers import NOT_IMPORTABLE, commit_import, prepare_import
from ..io.wording import note_text
from ..mapping import MapRequest, build_map
from ..names import resolve_township, township_names
from ..schema import CATEGORIES, LAYERS
from ..store import Dataset
from ..textsafe import md
from . import import_review
from .accounts import accounts_section
from .common import draw_map
from .data_edit import edit_section, history_section
from .errors import show_error
from .park_contacts import contacts_section

UPLOAD_TYPES = ["zip", "kmz", "gpkg", "geojson", "json", "kml", "csv", "txt", "xlsx", "shp", "shx", "dbf", "prj", "cpg"]
#: the coordinate systems offered for an upload ("" = automatic); labels are ``crs.*`` strings
CRS_CHOICES = ("", "gcj02", "bd09", "EPSG:4546", "EPSG:4525", "EPSG:4497", "EPSG:4490", "EPSG:2382", "EPSG:2434")


def _crs_label(ctx, crs: str) -> str:
    return ctx.t(f"crs.{crs or 'auto'}")


def _format_label(ctx, fmt: str) -> str:
    return ctx.t(f"format.{fmt}")


def _layer_label(ctx, name: str) -> str:
    return ctx.t("data.layer_option", label=LAYERS[name].label, name=name)  # English: the layer's name


def render(ctx) -> None:
    """Render the data view: the sections the signed-in user's role allows (the store enforces it too)."""
    st.markdown(f"## {ctx.t('view.data')}")
    t = ctx.t
    sections = {t("data.tab_import"): import_section, t("data.tab_export"): export_section,
                t("data.tab_edit"): edit_section, t("contacts.tab"): contacts_section,
                t("data.tab_history"): history_section}
    if ctx.actor.role == "admin":
        sections[t("data.tab_accounts")] = accounts_section
    if not ctx.can_write_all:  # a township head: their own township's projects, public exports
        sections = {t("data.tab_edit"): edit_section, t("data.tab_export"): export_section}
        st.caption(t("data.township_head"))
    # ?id=XM0001 (a link from a project without a place) opens the edit form on that project
    default = t("data.tab_edit") if ctx.params.get("id") else None
    for tab, section in zip(st.tabs(list(sections), default=default), sections.values()):
        with tab:
            section(ctx)


# ----------------------------------------------------------------------------- import
def _bundle(files) -> tuple[str, bytes]:
    """One upload (name, bytes); shapefile parts uploaded side by side are zipped together."""
    if len(files) == 1:
        return files[0].name, files[0].getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.writestr(Path(f.name).name, f.getvalue())
    stem = Path(next((f.name for f in files if f.name.lower().endswith(".shp")), files[0].name)).stem
    return f"{stem}.zip", buf.getvalue()


def _plan(ctx, name: str, data: bytes, layer: str, crs: str, enc: str, replace: bool, precision=None, defaults=(),
          decisions=None):
    key = (hashlib.sha256(data).hexdigest(), name, layer, crs, enc, replace, ctx.store.version(), precision,
           tuple(defaults), tuple(sorted((decisions or {}).items())))
    cached = st.session_state.get("imp_plan")
    if cached and cached[0] == key:
        return cached[1]
    with tempfile.TemporaryDirectory(prefix="xxgeo-upload-") as tmp:
        path = Path(tmp) / ("upload" + Path(name).suffix.lower())
        path.write_bytes(data)
        try:
            plan = prepare_import(path, layer, ctx.store, crs=crs or None, encoding=enc or None, replace=replace,
                                  name=name, user=ctx.user, precision=precision, defaults=list(defaults),
                                  decisions=decisions)
        except XxgeoError as exc:
            plan = exc
    st.session_state["imp_plan"] = (key, plan)
    return plan


def import_section(ctx) -> None:
    """Upload, preview, validate, confirm."""
    done = st.session_state.pop("imp_done", None)
    if done:
        st.success(md(done))
    layers = [n for n in LAYERS if n not in NOT_IMPORTABLE]
    c = st.columns([2, 2, 1, 1])
    t = ctx.t
    layer = c[0].selectbox(t("data.import_layer"), layers, index=layers.index("projects"), key="imp_layer",
                           format_func=lambda n: _layer_label(ctx, n))
    crs = c[1].selectbox(t("data.crs"), list(CRS_CHOICES), key="imp_crs", format_func=lambda k: _crs_label(ctx, k),
                         help=t("data.crs_help"))
    enc = c[2].selectbox(t("data.encoding"), ["", "UTF-8", "GBK", "GB18030"], key="imp_enc",
                         format_func=lambda e: e or t("data.auto"))
    replace = c[3].checkbox(t("data.replace"), key="imp_replace", help=t("data.replace_help"))
    precision, defaults = import_review.options(ctx, layer)
    files = st.file_uploader(t("data.upload"), type=UPLOAD_TYPES, accept_multiple_files=True, key="imp_files")
    if not files:
        st.caption(t("data.upload_help"))
        return
    name, data = _bundle(files)
    if st.session_state.get("imp_decisions_for") != (name, len(data)):  # a new file: nothing decided yet
        st.session_state["imp_decisions_for"], st.session_state["imp_decisions"] = (name, len(data)), {}
    plan = _plan(ctx, name, data, layer, crs, enc, replace, precision, defaults, import_review.decisions())
    if isinstance(plan, XxgeoError):
        show_error(plan, ctx.lang)
        return
    for note in plan.notes:
        st.info(md(note_text(note, ctx.lang)))
    import_review.review(ctx, plan)
    if plan.problems:
        st.error(t("data.problems", n=len(plan.problems)))
        st.dataframe(pd.DataFrame({t("data.problem"): [note_text(p, ctx.lang) for p in plan.problems]}),
                     hide_index=True, width="stretch")
        return
    st.markdown(t("data.valid", summary=plan.summary_text(ctx.lang)))
    preview = plan.preview()
    _preview_map(ctx, plan.layer, preview)
    if len(preview):
        shown = preview.drop(columns="geometry", errors="ignore").head(200)
        st.dataframe(shown.rename(columns={f.name: f.label_for(ctx.lang) for f in LAYERS[plan.layer].fields}),
                     hide_index=True, width="stretch")
    if replace and plan.result and plan.result.deleted:
        st.warning(t("data.replace_deletes", n=plan.result.deleted))
    if st.button(t("data.confirm"), type="primary", key="imp_confirm",
                 disabled=not (plan.result and plan.result.touched)):
        try:
            res = commit_import(plan, ctx.store, user=ctx.user)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        st.session_state.pop("imp_plan", None)
        st.session_state["imp_done"] = (t("data.imported", inserted=res.inserted, updated=res.updated)
                                        + (t("data.imported_deleted", deleted=res.deleted) if replace else "")
                                        + t("data.imported_backup", backup=res.backup.name if res.backup else "—"))
        ctx.reload()
        st.rerun()


def _preview_map(ctx, layer: str, preview) -> None:
    lay = LAYERS[layer]
    if not lay.spatial or preview.geometry.notna().sum() == 0:
        return
    layers = dict(ctx.dataset.layers)
    layers[layer] = preview
    if layer != "projects":
        layers["projects"] = layers["projects"].iloc[0:0]
    try:
        result = build_map(Dataset(layers), MapRequest(role="editor", lang=ctx.lang, compact=True,
                                                       title=ctx.t("data.preview_title")))
    except (XxgeoError, ValueError, TypeError, KeyError) as exc:  # a convenience; the report above is what matters
        st.caption(ctx.t("data.preview_failed", kind=type(exc).__name__))
        return
    st.caption(ctx.t("data.preview"))
    draw_map(result, "imp_map", height=380)  # the rows being imported: drawn once, not cached


# ----------------------------------------------------------------------------- export
def export_section(ctx) -> None:
    """Downloads of a layer, filtered by township / category, optionally public-only."""
    ds = ctx.dataset
    c = st.columns([2, 2, 2, 2])
    layers = [n for n in LAYERS if n in ds.layers]
    tt = ctx.t
    layer = c[0].selectbox(tt("data.layer"), layers, index=layers.index("projects"), key="exp_layer",
                           format_func=lambda n: _layer_label(ctx, n))
    t = ds["townships"]
    names = township_names(t)
    url_town = ctx.params.get("township", "").split(",")[0]
    towns = [""] + list(names)
    default_town = resolve_township(url_town, t, required=False) if url_town else ""
    town = c[1].selectbox(tt("filter.township"), towns, index=towns.index(default_town) if default_town in towns
                          else 0, key="exp_town", format_func=lambda k: names.get(k, tt("all")))
    cats = [""] + list(CATEGORIES)
    url_cat = ctx.params.get("category", "").split(",")[0]
    cat = c[2].selectbox(tt("data.category"), cats, index=cats.index(url_cat) if url_cat in cats else 0,
                         key="exp_cat", format_func=lambda k: value_text(k, ctx.lang) or tt("all"),
                         disabled=layer != "projects")
    fmt = c[3].selectbox(tt("data.format"), list(FORMATS), index=list(FORMATS).index("xlsx"), key="exp_fmt",
                         format_func=lambda f: _format_label(ctx, f))
    public = st.checkbox(tt("data.public_only"), key="exp_public",
                         value=not ctx.can_write_all, disabled=not ctx.can_write_all)
    try:
        res = export_layer(ctx.store, layer, fmt, township=town or None,
                           category=(cat or None) if layer == "projects" else None, public_only=public)
    except XxgeoError as exc:
        show_error(exc, ctx.lang)
        return
    for n in res.notes:
        st.caption(md(n))
    st.download_button(tt("data.download", n=res.rows, format=_format_label(ctx, fmt)), res.data, res.filename,
                       mime=MIME[fmt], key="exp_download", type="primary")
