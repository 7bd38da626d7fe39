"""The wall print (挂图作战) on A4 … A0, landscape or portrait, as a vector PDF (text embedded and searchable,
TrueType) or a PNG: title, subtitle, the themed map with township names, legend, a true scale bar (its length
measured on the ellipsoid), north arrow, an overview of the county, date (Asia/Shanghai), data sources and the
审图号 line (未注明 when none is given).

An optional background (``background(bounds_wgs84, width_px, height_px) -> PIL.Image | None``, e.g. a basemap
package's ``basemap_image`` with its name bound) is drawn under the vector layers, warped from longitude/latitude
into the map's Gauss-Krüger grid. Pure: a dataset and a :class:`PrintRequest` in, bytes out.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import matplotlib
from matplotlib.patches import FancyArrow, Rectangle

from ..county import county
from ..crs import METRIC_CRS
from ..errors import ImportRefused
from ..i18n import tr
from ..mapping import MapFilter
from ..provenance import source_labels
from ..textsafe import figure_label
from ..vocab import LOCAL_TZ, is_blank
from . import mapdraw as md
from . import printthemes as th
from .backdrop import BACKGROUND_DPI, Background, draw_background, geodesy, ground_m
from .figures import wrap_label
from .fonts import cjk_font, mpl_rc
from .paper import ORIENTS, PNG_DPI, SIZES, page_in, page_pt, page_px, text_scale


@dataclass(frozen=True)
class PrintRequest:
    """What to print. ``township``: a township code (None: the whole county); ``basemap``: the name of the
    background, for the sources line."""

    size: str = "A4"
    orient: str = "landscape"
    theme: str = "category"
    township: str | None = None
    title: str | None = None
    subtitle: str | None = None
    approval_no: str | None = None
    lang: str = "zh"
    basemap: str | None = None
    fmt: str = "pdf"


@dataclass
class PrintResult:
    """The print and what it shows (for the CLI's line and the tests)."""

    data: bytes
    fmt: str
    page_pt: tuple
    scale_bar_m: float = 0.0  # the bar's length on the ground (what its label says)
    scale_bar_xy: tuple = ()  # ((x, y), (x, y)) of its ends in EPSG:4546
    scale_denominator: int = 0
    pins: int = 0
    counted: int = 0
    background: bool = False
    texts: list = field(default_factory=list)


def check_request(req: PrintRequest) -> None:
    """One sentence for a size, orientation or format the print does not have."""
    if req.size not in SIZES or req.orient not in ORIENTS or req.fmt not in ("pdf", "png"):
        raise ImportRefused(f"无法打印：纸张须为 {'/'.join(SIZES)}，方向须为 landscape（横向）或 portrait（纵向），"
                            "格式须为 pdf 或 png。",
                            english=f"Cannot print: the size must be one of {'/'.join(SIZES)}, the orientation "
                                    "landscape or portrait, and the format pdf or png.")


def _nice(length: float) -> float:
    exp = 10 ** math.floor(math.log10(length))
    return next((m * exp for m in (5, 2, 1) if m * exp <= length), exp)


def scale_bar(ax, *, fontsize: float, lang: str) -> tuple[float, tuple]:
    """A true scale bar in the lower left: its ground length (a round number of km or m, measured on the
    ellipsoid) and the grid length that matches it. Returns (ground metres, its two ends)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    k = (x1 - x0) / ground_m(x0, by, x1, by)  # grid metres per ground metre along the bar's line
    ground = _nice((x1 - x0) / k * 0.2)
    grid = ground * k
    for _ in range(3):  # refine the factor over the bar itself
        grid *= ground / ground_m(bx, by, bx + grid, by)
    h = (y1 - y0) * 0.007
    ax.add_patch(Rectangle((bx - (x1 - x0) * 0.01, by - h * 2.5), grid + (x1 - x0) * 0.02, h * 8.5,
                           facecolor="white", alpha=0.85, edgecolor="none", zorder=19))
    for i in range(4):
        ax.add_patch(Rectangle((bx + i * grid / 4, by), grid / 4, h, facecolor="#222222" if i % 2 == 0 else "white",
                               edgecolor="#222222", linewidth=0.5, zorder=20))
    label = f"{ground / 1000:g} km" if ground >= 1000 else f"{ground:g} m"
    for frac, text in ((0, "0"), (0.5, _half(ground)), (1, label)):
        ax.text(bx + grid * frac, by + h * 1.7, text, fontsize=fontsize, ha="center", va="bottom", zorder=20)
    return ground, ((bx, by), (bx + grid, by))


def _half(ground: float) -> str:
    return f"{ground / 2000:g}" if ground >= 1000 else f"{ground / 2:g}"


def north_arrow(ax, *, fontsize: float) -> None:
    """An arrow to true north (the grid's meridian convergence measured at the arrow), top right."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    x, y = x0 + (x1 - x0) * 0.95, y0 + (y1 - y0) * 0.80
    _geod_, tf = geodesy()
    lon, lat = tf.transform(x, y)
    from pyproj import Transformer

    back = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    nx, ny = back.transform(lon, lat + 0.01)
    ang = math.atan2(nx - x, ny - y)
    length = (y1 - y0) * 0.08
    dx, dy = math.sin(ang) * length, math.cos(ang) * length
    ax.add_patch(FancyArrow(x, y, dx, dy, width=length * 0.16, head_width=length * 0.42, head_length=length * 0.34,
                            length_includes_head=True, color="#222222", zorder=20))
    ax.text(x + dx * 1.08, y + dy * 1.08, "N", ha="center", va="bottom", fontsize=fontsize, fontweight="bold",
            zorder=20)


def _boxes(w: float, h: float, s: float, landscape: bool) -> dict:
    """Figure-fraction rectangles: header, map, legend, overview inset and notes."""
    m = 9 * s / 25.4  # margin, inches
    head = (20 + 11) * 1.7 * s / 72
    top = 1 - (m + head) / h
    bottom, left, right = m / h, m / w, 1 - m / w
    gap = 5 * s / 25.4
    if landscape:
        pw = (right - left) * 0.25
        mx1 = right - pw - gap / w
        px0 = mx1 + gap / w
        ph = top - bottom
        return {"map": [left, bottom, mx1 - left, top - bottom], "legend": [px0, bottom + ph * 0.47, pw, ph * 0.53],
                "inset": [px0, bottom + ph * 0.26, pw, ph * 0.2], "notes": [px0, bottom, pw, ph * 0.25],
                "top": top}
    ph = (top - bottom) * 0.24
    my0 = bottom + ph + gap / h
    cw = right - left
    return {"map": [left, my0, cw, top - my0], "legend": [left, bottom, cw * 0.42, ph],
            "inset": [left + cw * 0.43, bottom, cw * 0.22, ph], "notes": [left + cw * 0.67, bottom, cw * 0.33, ph],
            "top": top}


def _sources(ds, req: PrintRequest, drawn: bool) -> str:
    c = county()
    plan = c.plan_title_en if req.lang == "en" and not is_blank(c.plan_title_en) else c.plan_title
    names = [plan] if not is_blank(plan) else []
    for layer in ("county", "townships"):
        df = ds.get(layer)
        if df is not None and "source" in df.columns:
            for text in df["source"].dropna().unique():
                for zh, en in source_labels(text):
                    label = en if req.lang == "en" else zh
                    if label not in names:
                        names.append(label)
    if req.basemap and drawn:
        names.append(tr("print.basemap_source", req.lang, name=req.basemap))
    return ("; " if req.lang == "en" else "；").join(names) or tr("print.no_value", req.lang)


def render_print(ds, req: PrintRequest, *, background: Background | None = None, lights=None,
                 projects=None, now: _dt.datetime | None = None) -> PrintResult:
    """The print as PDF or PNG bytes. ``projects``: the project rows to show (default: every project, or the
    township's); ``lights``: project_id -> red/yellow/green for the warning theme; ``now``: the time stamped
    (default: now, shown in Asia/Shanghai)."""
    check_request(req)
    lang, s = req.lang, text_scale(req.size)
    w, h = page_in(req.size, req.orient)
    if req.fmt == "png":  # whole pixels: the page rounded to the dpi (matplotlib would truncate)
        w, h = (v / PNG_DPI[req.size] for v in page_px(req.size, req.orient, PNG_DPI[req.size]))
    code = req.township
    if projects is None:
        projects = md.select_projects(ds["projects"], MapFilter(townships=(code,) if code else ()))
    theme = th.resolve_theme(ds, req.theme, projects, lang, lights=lights)
    font = cjk_font()
    c = county()
    place = ds["townships"].set_index("code").loc[code, "name"] if code else (c.name_en if lang == "en" else c.name)
    out = PrintResult(b"", req.fmt, page_pt(req.size, req.orient))
    with matplotlib.rc_context({**mpl_rc(font), "text.parse_math": False}):
        fig = md.new_figure(w, h)
        b = _boxes(w, h, s, req.orient == "landscape")
        ax = fig.add_axes(b["map"])
        if code:
            tm = md.metric(ds["townships"][ds["townships"]["code"] == code])
            bounds = md.main_bounds(tm.geometry.iloc[0])
        else:
            bounds = md.metric(ds["county"]).total_bounds
        md.set_extent(ax, bounds, margin=0.03)
        if background is not None:
            out.background = draw_background(ax, background, min(BACKGROUND_DPI, PNG_DPI[req.size]))
        if theme.name == "township":
            th.draw_choropleth(ax, ds, theme, label_size=7.5 * s)
        md.draw_boundaries(ax, ds, highlight=code if theme.name != "township" else None, label_size=7.5 * s,
                           schematic_mark="" if lang == "en" else "（示意）")  # the legend says schematic
        md.draw_parks(ax, ds["parks"], labels=bool(code), label_size=6.5 * s)
        drawn = None
        if theme.name != "township":
            drawn = th.draw_projects(ax, ds, projects, theme, scale=s, lang=lang)
            out.pins, out.counted = drawn.pins, drawn.counted
        md.tidy(ax)
        _halo(ax, s)
        north_arrow(ax, fontsize=10 * s)
        out.scale_bar_m, out.scale_bar_xy = scale_bar(ax, fontsize=7 * s, lang=lang)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        cy = (y0 + y1) / 2
        paper_m = b["map"][2] * w * 0.0254
        out.scale_denominator = int(float(f"{ground_m(x0, cy, x1, cy) / paper_m:.3g}"))
        title = req.title or tr("print.default_title", lang, place=place, theme=theme.title)
        subtitle = req.subtitle if req.subtitle is not None else _subtitle(theme, drawn, projects, lang)
        fig.text(b["map"][0], b["top"] + (1 - b["top"]) * 0.52, figure_label(title, 80), fontsize=20 * s,
                 fontweight="bold", va="bottom")
        if subtitle:
            fig.text(b["map"][0], b["top"] + (1 - b["top"]) * 0.16, figure_label(subtitle, 160), fontsize=11 * s,
                     va="bottom", color="#444444")
        _legend(fig, b["legend"], theme, drawn, lang, s)
        _inset(fig, b["inset"], ds, code, (x0, y0, x1, y1), lang, s)
        out.texts = _notes(fig, b["notes"], ds, req, out.scale_denominator, now, s, out.background)
        out.texts = [title, subtitle or "", *out.texts]
        buf = io.BytesIO()
        meta = {"Title": title, "Creator": f"xxgeo {c.app_title}"}
        if req.fmt == "pdf":
            fig.savefig(buf, format="pdf", dpi=BACKGROUND_DPI, metadata=meta)
        else:
            fig.savefig(buf, format="png", dpi=PNG_DPI[req.size], facecolor="white")
    out.data = buf.getvalue()
    return out


def _halo(ax, s: float) -> None:
    """A white edge around the map's labels, so they read on a coloured fill or a basemap: a stroked copy under
    each label (a path effect turns text into outlines, so the label itself stays text, searchable)."""
    from matplotlib import patheffects

    for t in list(ax.texts):
        if t.get_color() in ("white", "#ffffff") or t.get_bbox_patch() is not None:
            continue
        x, y = t.get_position()
        under = ax.annotate(t.get_text(), (x, y), xycoords=t.xycoords if hasattr(t, "xycoords") else "data",
                            xytext=getattr(t, "xyann", (x, y)), textcoords=getattr(t, "anncoords", "data"),
                            ha=t.get_ha(), va=t.get_va(), fontsize=t.get_fontsize(),
                            fontweight=t.get_fontweight(), color="white", zorder=t.get_zorder() - 0.01)
        under.set_path_effects([patheffects.Stroke(linewidth=2.2 * s, foreground="white")])


def _subtitle(theme, drawn, projects, lang: str) -> str:
    if theme.name == "township":
        return tr("print.subtitle_township", lang, label=theme.label)
    return tr("print.subtitle_projects", lang, n=len(projects), pins=drawn.pins, counted=drawn.counted)


def _wrap(text: str, chars: float) -> str:
    """Lines of about ``chars`` CJK characters: English at word breaks, Chinese anywhere."""
    import textwrap

    if any(ord(ch) >= 0x2E80 for ch in text):
        return wrap_label(text, chars)
    return "\n".join(textwrap.wrap(text, max(int(chars / 0.55), 8), break_long_words=True)) or text


def _legend(fig, rect, theme, drawn, lang: str, s: float) -> None:
    from matplotlib.patches import Patch

    hs = th.legend_entries(theme, drawn, lang, scale=s)
    hs += [md.Line2D([], [], color="#222222", linewidth=1.2, label=tr("print.county_line", lang)),
           md.Line2D([], [], color="#666666", linewidth=0.8, linestyle=(0, (5, 4)),
                     label=tr("print.township_line", lang)),
           Patch(facecolor=md.PARK_FILL, alpha=0.5, edgecolor=md.PARK_EDGE, linestyle="--",
                 label=tr("print.park", lang))]
    lax = fig.add_axes(rect)
    lax.axis("off")
    size = 7.5 * s
    chars = rect[2] * fig.get_size_inches()[0] * 72 / size - 4.5
    for hd in hs:
        hd.set_label(_wrap(hd.get_label(), max(chars, 6)))
    lax.legend(handles=hs, loc="upper left", fontsize=size, title=figure_label(f"{tr('print.legend', lang)}  "
                                                                                 f"{theme.title}", 60),
               title_fontsize=size * 1.15, frameon=False, alignment="left", borderaxespad=0, handlelength=2.0,
               labelspacing=0.5, markerscale=s)


def _inset(fig, rect, ds, code, frame, lang: str, s: float) -> None:
    iax = fig.add_axes(rect)
    cm, tm = md.metric(ds["county"]), md.metric(ds["townships"])
    md.set_extent(iax, cm.total_bounds, margin=0.06)
    if code:
        tm[tm["code"] == code].plot(ax=iax, facecolor="#f4a582", edgecolor="none", zorder=1)
    tm.boundary.plot(ax=iax, color="#999999", linewidth=0.3 * s, zorder=2)
    cm.boundary.plot(ax=iax, color="#222222", linewidth=0.8 * s, zorder=3)
    x0, y0, x1, y1 = frame
    iax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#d62728", linewidth=0.8 * s,
                            zorder=4))
    md.tidy(iax)
    iax.set_title(tr("print.overview", lang), fontsize=7 * s, loc="left")


def _notes(fig, rect, ds, req: PrintRequest, denominator: int, now, s: float, drawn: bool = False) -> list:
    lang = req.lang
    now = now or _dt.datetime.now(ZoneInfo("UTC"))
    local = now.astimezone(ZoneInfo(LOCAL_TZ))
    approval = req.approval_no if not is_blank(req.approval_no) else tr("print.no_value", lang)
    lines = [tr("print.scale", lang, n=f"{denominator:,}", size=req.size),
             tr("print.crs", lang),
             tr("print.date", lang, date=local.strftime("%Y-%m-%d")),
             tr("print.sources", lang, sources=_sources(ds, req, drawn)),
             tr("print.approval", lang, no=figure_label(approval, 60))]
    if (ds["townships"]["boundary_quality"] == "schematic").any():
        lines.append(tr("print.schematic", lang))
    lines.append(f"xxgeo · {county().title(lang)}")
    size = 6.3 * s
    chars = rect[2] * fig.get_size_inches()[0] * 72 / size
    text = "\n".join(_wrap(figure_label(ln, 400), chars) for ln in lines)
    nax = fig.add_axes(rect)
    nax.axis("off")
    nax.text(0, 1, text, va="top", ha="left", fontsize=size, color="#333333", linespacing=1.4,
             transform=nax.transAxes)
    return lines
