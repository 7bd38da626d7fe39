"""The print panel of the planning view: the same wall print as ``python -m xxgeo print`` (A4–A0, landscape or
portrait, a theme, one township or the county, title, subtitle, 审图号), of the projects the filter selects, as
a PDF or PNG built when the download button is clicked."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from ..errors import XxgeoError
from ..mapping import MapFilter
from ..names import township_names
from ..policy import public_rows
from .errors import show_error

SIZES = ("A4", "A3", "A2", "A1", "A0")


def theme_options(ctx) -> dict:
    """theme key -> label in ``ctx.lang``: category, stage, warning and one township:KEY per indicator."""
    from ..analysis import overlay_choices
    from ..indicator_text import overlay_label

    out = {"category": ctx.t("print.theme_category"), "stage": ctx.t("print.theme_stage"),
           "warning": ctx.t("print.theme_warning")}
    for key, label in overlay_choices(ctx.dataset).items():
        out[f"township:{key}"] = ctx.t("print.theme_township", label=overlay_label(key, label, ctx.lang))
    return out


def build(ds, req, *, projects, basemap: str | None = None, lights=None) -> bytes:
    """The print's bytes (called when the button is clicked)."""
    from ..reports.printlayout import render_print
    from ..reports.printsources import basemap_background

    background = None
    if basemap and basemap != "none":
        try:
            background = basemap_background(basemap)
            req = replace(req, basemap=basemap)
        except XxgeoError:
            background = None  # no basemap packages in this version: printed without
    return render_print(ds, req, background=background, lights=lights, projects=projects).data


def render_panel(ctx, flt: MapFilter, basemap: str | None = None) -> None:
    """The panel (collapsed), under the planning view's map."""
    from ..reports import cjk_font
    from ..reports.printlayout import PrintRequest
    from ..reports.printsources import warning_lights
    from ..reports.printthemes import resolve_theme
    from .common import said_in

    ds = ctx.dataset
    with st.expander(ctx.t("print.panel"), icon=":material/print:"):
        st.caption(ctx.t("print.panel_note"))
        a, b, c = st.columns(3)
        size = a.selectbox(ctx.t("print.size"), SIZES, key="print_size")
        orient = b.selectbox(ctx.t("print.orient"), ("landscape", "portrait"), key="print_orient",
                             format_func=lambda o: ctx.t(f"print.{o}"))
        fmt = c.selectbox(ctx.t("print.format"), ("pdf", "png"), key="print_fmt",
                          format_func=lambda f: ctx.t(f"print.fmt_{f}"))
        themes = theme_options(ctx)
        theme = st.selectbox(ctx.t("print.theme"), list(themes), key="print_theme", format_func=themes.get)
        names = township_names(ds["townships"])
        towns = [None, *names]
        default = flt.townships[0] if len(flt.townships) == 1 and flt.townships[0] in names else None
        code = st.selectbox(ctx.t("print.township"), towns, index=towns.index(default), key="print_town",
                            format_func=lambda k: ctx.t("print.whole_county") if k is None else names[k])
        title = st.text_input(ctx.t("print.title"), key="print_title", placeholder=ctx.t("print.title_auto"))
        subtitle = st.text_input(ctx.t("print.subtitle"), key="print_subtitle",
                                 placeholder=ctx.t("print.subtitle_auto"))
        approval = st.text_input(ctx.t("print.approval_no"), key="print_approval",
                                 help=ctx.t("print.approval_help"))
        from ..mapping import filter_projects

        projects = ds["projects"] if ctx.can_write_all else public_rows("projects", ds["projects"])
        projects = filter_projects(projects, flt if code is None else replace(flt, townships=(code,)))
        req = PrintRequest(size=size, orient=orient, theme=theme, township=code, title=title.strip() or None,
                           subtitle=subtitle.strip() or None, approval_no=approval.strip() or None, lang=ctx.lang,
                           basemap=None, fmt=fmt)
        try:
            cjk_font()
            lights = warning_lights(ds) if theme == "warning" else None
            resolve_theme(ds, theme, projects, ctx.lang, lights=lights)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        name = f"{ctx.t('print.file')}-{size}.{fmt}"
        mime = "application/pdf" if fmt == "pdf" else "image/png"
        st.download_button(ctx.t("print.download", size=size, fmt=fmt.upper()),
                           said_in(lambda: build(ds, req, projects=projects, basemap=basemap, lights=lights),
                                   ctx.lang), name, mime, key="print_download", on_click="ignore",
                           icon=":material/print:")
