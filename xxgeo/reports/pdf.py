"""reportlab building blocks: CJK paragraph styles, escaped text, wrapped tables, A4 documents with a
footer, and fitting a document into a page budget.

Every string placed in a paragraph is escaped (reportlab paragraphs are an XML-like markup), so names from
the data or a user's file can never inject markup.
"""

from __future__ import annotations

import datetime as _dt
import io
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from ..county import county
from ..i18n import tr
from ..textsafe import PDF_CELL_MAX, PDF_TEXT_MAX, ellipsize, pdf_markup
from ..vocab import LOCAL_TZ
from .fonts import PDF_FONT, cjk_font

MARGIN = 14 * mm
CONTENT_W = A4[0] - 2 * MARGIN
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b7c3")
HEAD_BG = colors.HexColor("#e8eef7")


def esc(v, limit: int = PDF_TEXT_MAX) -> str:
    """Text safe for a reportlab paragraph (:func:`xxgeo.textsafe.pdf_markup`: markup escaped, cut with an
    ellipsis at ``limit`` characters); None -> ''."""
    return "" if v is None else pdf_markup(v, limit)


def styles(base: float = 9.0, lang: str = "zh") -> dict:
    """Paragraph styles in the registered CJK font (CJK line breaking on). In English the document's own words
    (headers, notes, body) wrap between words, never inside one; ``latin`` is a cell style for English text (the
    ``cell`` style stays CJK: cells hold Chinese names)."""
    cjk_font()

    def st(name, size, *, leading=None, color=INK, space_before=0.0, space_after=0.0, keep=False):
        return ParagraphStyle(name, fontName=PDF_FONT, fontSize=size, leading=leading or size * 1.35,
                              textColor=color, spaceBefore=space_before, spaceAfter=space_after,
                              alignment=TA_LEFT, wordWrap="CJK", keepWithNext=int(keep))

    out = {
        "title": st("title", base + 9, leading=(base + 9) * 1.25, space_after=2),
        "subtitle": st("subtitle", base + 1.5, color=MUTED, space_after=4),
        "h2": st("h2", base + 2.5, space_before=6, space_after=3, keep=True),
        "h2flow": st("h2flow", base + 2.5, space_before=6, space_after=3),  # not kept with the next flowable
        "body": st("body", base),
        "small": st("small", base - 1.5, color=MUTED),
        "cell": st("cell", base - 1.2, leading=(base - 1.2) * 1.28),
        "head": st("head", base - 1.2, leading=(base - 1.2) * 1.28),
    }
    if lang != "en":
        return {**out, "latin": out["cell"]}
    latin = {k: ParagraphStyle(f"{k}_en", parent=out[k], wordWrap=None) for k in ("head", "cell", "small", "subtitle",
                                                                                 "body")}
    return {**out, **{k: v for k, v in latin.items() if k != "cell"}, "latin": latin["cell"]}


def para(text: str, style, *, markup: bool = False, limit: int = PDF_TEXT_MAX) -> Paragraph:
    """A paragraph; ``text`` is escaped and cut at ``limit`` characters (newlines become line breaks) unless
    ``markup`` (only for markup built here from escaped parts)."""
    return Paragraph(text if markup else esc(text, limit).replace("\n", "<br/>"), style)


def table(rows: list, widths: list, st: dict, *, header: bool = True, zebra: bool = True,
          cell_style: str = "cell") -> Table:
    """A table whose cells wrap (every cell becomes an escaped paragraph); header row repeated on new pages."""
    data = []
    for i, row in enumerate(rows):
        sty = st["head"] if header and i == 0 else st[cell_style]
        data.append([c if isinstance(c, Paragraph) else para(c, sty, limit=PDF_CELL_MAX) for c in row])
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    cmds = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 1.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5)]
    if header:
        cmds += [("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK)]
    if zebra:
        cmds += [("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f7f7f7")) for r in range(2, len(data), 2)]
    t.setStyle(TableStyle(cmds))
    return t


def kv_table(pairs: list, widths: list, st: dict) -> Table:
    """Two-column label / value table (labels muted), values wrapped."""
    rows = [[para(k, st["small"], limit=PDF_CELL_MAX),
             v if isinstance(v, Paragraph) else para(v, st["cell"], limit=PDF_CELL_MAX)] for k, v in pairs]
    t = Table(rows, colWidths=widths, hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                           ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                           ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return t


def image(png: bytes, width: float) -> Image:
    """A PNG scaled to ``width`` points, keeping its aspect."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as im:
        w, h = im.size
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def build(story: list, *, title: str, footer: str, author: str | None = None,
          lang: str = "zh") -> tuple[bytes, int]:
    """Lay the story out on A4 pages with a footer (text + page number, in ``lang``; the date in Asia/Shanghai);
    returns (PDF bytes, page count).

    ``author`` defaults to “xxgeo” and the county's app title."""
    author = author if author is not None else f"xxgeo {county().app_title}"
    cjk_font()
    buf = io.BytesIO()
    pages = {"n": 0}
    made = _dt.datetime.now(ZoneInfo(LOCAL_TZ)).date().isoformat()

    def on_page(canvas, doc):
        pages["n"] = doc.page
        canvas.saveState()
        canvas.setFont(PDF_FONT, 6.8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 8 * mm, f"{ellipsize(footer, 60)}  {tr('pdf.made', lang, date=made)}")
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, tr("pdf.page", lang, n=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 2 * mm, title=title, author=author, subject=title,
                            creator="xxgeo (reportlab)", lang="en" if lang == "en" else "zh-CN")
    doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue(), pages["n"]


def fit(make_story, *, title: str, footer: str, max_pages: int, attempts: list,
        built: dict | None = None, lang: str = "zh") -> tuple[bytes, int, object]:
    """Build with each setting in ``attempts`` (e.g. smaller fonts, fewer rows) until the document fits in
    ``max_pages``; returns (pdf, pages, setting used). The last attempt is kept even if it is longer.

    ``built``: {setting: (pdf, pages)} of builds already made (read and filled), so a second fit with another
    page budget does not lay out the same setting twice. ``lang``: the footer's language."""
    out = None
    built = {} if built is None else built
    for setting in attempts:
        if setting not in built:
            built[setting] = build(make_story(setting), title=title, footer=footer, lang=lang)
        pdf, n = built[setting]
        out = (pdf, n, setting)
        if n <= max_pages:
            break
    return out
