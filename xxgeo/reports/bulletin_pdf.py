"""The bulletin as a PDF (A4, searchable text in the embedded CJK font): summary figures, the county map of
warnings, the township ranking, the red and yellow projects with their reasons, the projects not reported,
every project's figures and the notes (definitions, the rules in force). Chinese, or English with ``lang="en"``
(names from the data stay as the units wrote them). Every string is escaped (:mod:`.pdf`)."""

from __future__ import annotations

import pandas as pd
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, TableStyle

from ..county import county
from ..dispatch.figures import LIGHT_COLOURS, shown
from ..i18n import tr
from ..textsafe import strip_controls
from ..vocab import fmt_wan, is_blank
from . import bulletin as bl
from . import pdf
from .bulletin_map import warning_map
from .bulletin_xlsx import notes
from .mapdraw import png_bytes

DASH = "—"


def _wan(v, lang: str) -> str:
    """An amount in a table whose header says 万元: ``12,345.6`` (no 亿元 beside it), — when not reported."""
    return DASH if is_blank(v) else f"{float(v):,.2f}".rstrip("0").rstrip(".")


def _pct(v) -> str:
    return DASH if is_blank(v) else f"{shown(v):.1f}%"


def _pts(v) -> str:
    return DASH if is_blank(v) else f"{shown(v):+.1f}"


def _table(rows: list, widths: list, st: dict, text_cols: tuple, latin_cols: tuple = ()):
    """:func:`pdf.table` for long tables: only the ``text_cols`` (names, reasons) are wrapped paragraphs; numbers
    and short words are plain cells in the same font (laid out ten times faster). ``latin_cols`` hold the
    document's own sentences (wrapped between words in English)."""
    cell = st["cell"]
    room = [w - 5.2 for w in widths]  # the cell's width less its padding

    def one(i: int, c) -> object:
        text = strip_controls("" if c is None else str(c))[0]
        if i not in text_cols:
            return pdf.ellipsize(text, 24)
        if "\n" not in text and stringWidth(text, pdf.PDF_FONT, cell.fontSize) <= room[i]:
            return text  # fits on one line: a plain cell (drawn as text, never read as markup)
        return pdf.para(text, st["latin"] if i in latin_cols else cell, limit=pdf.PDF_CELL_MAX)

    data = [[pdf.para(c, st["head"], limit=pdf.PDF_CELL_MAX) for c in rows[0]]]
    data += [[one(i, c) for i, c in enumerate(row)] for row in rows[1:]]
    t = pdf.Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, pdf.RULE),
        ("FONTNAME", (0, 1), (-1, -1), pdf.PDF_FONT), ("FONTSIZE", (0, 1), (-1, -1), cell.fontSize),
        ("LEADING", (0, 1), (-1, -1), cell.leading), ("TEXTCOLOR", (0, 1), (-1, -1), pdf.INK),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), pdf.HEAD_BG), ("LINEBELOW", (0, 0), (-1, 0), 0.6, pdf.INK)]))
    return t


#: narrow PDF columns get shorter headers than the Excel sheet
SHORT = {"rate": "p_rate", "gap": "p_gap"}


def _h(key: str, lang: str) -> str:
    return tr(f"bulletin.{SHORT.get(key, 'h_' + key)}", lang)


def _coloured(t, lights: list, col: int) -> None:
    """Colour the warning cells (column ``col``) of table ``t``, whose data rows start at row 1."""
    cmds = []
    for r, light in enumerate(lights, start=1):
        cmds.append(("BACKGROUND", (col, r), (col, r), colors.HexColor(LIGHT_COLOURS[light or ""])))
        if light in ("red", "green"):
            cmds.append(("TEXTCOLOR", (col, r), (col, r), colors.white))
    if cmds:
        t.setStyle(TableStyle(cmds))


def _summary(b: bl.Bulletin, st: dict, lang: str):
    s = b.summary
    pairs = [(tr("bulletin.s_projects", lang), tr("bulletin.s_projects_v", lang, n=s["projects"],
                                                  reported=s["reported"], missing=s["not_reported"],
                                                  overdue=s["overdue"])),
             (tr("bulletin.s_plan", lang), fmt_wan(s["annual_plan_wan"], lang)),
             (tr("bulletin.s_month", lang), fmt_wan(s["month_done_wan"], lang)),
             (tr("bulletin.s_year", lang), fmt_wan(s["year_done_wan"], lang)),
             (tr("bulletin.s_rate", lang), tr("bulletin.s_rate_v", lang, rate=_pct(s["rate_pct"]), rated=s["rated"])),
             (tr("bulletin.s_schedule", lang), _pct(s["schedule_pct"])),
             (tr("bulletin.s_gap", lang), tr("bulletin.s_gap_v", lang, gap=_pts(s["gap_pts"]))),
             (tr("bulletin.s_lights", lang), tr("bulletin.s_lights_v", lang, **{k: s[k] for k in (
                 "red", "yellow", "green", "not_rated")}))]
    return pdf.kv_table(pairs, [34 * pdf.mm, pdf.CONTENT_W - 34 * pdf.mm], {**st, "cell": st["latin"]})


def _ranking(b: bl.Bulletin, st: dict, lang: str):
    rows = [[_h(k, lang) for k in ("rank", "township", "projects", "reported", "not_reported", "plan",
                                    "year_done", "rate", "gap", "red", "yellow", "green", "not_rated")]]
    for _, t in b.ranking.iterrows():
        rank = "" if pd.isna(t["rank"]) else str(int(t["rank"]))
        rows.append([rank, t["label"], str(t["projects"]), str(t["reported"]), str(t["not_reported"]),
                     _wan(t["annual_plan_wan"], lang), _wan(t["year_done_wan"], lang), _pct(t["rate_pct"]),
                     _pts(t["gap_pts"]), str(t["red"]), str(t["yellow"]), str(t["green"]), str(t["not_rated"])])
    w = pdf.CONTENT_W
    t = pdf.table(rows, [w * x for x in (.05, .12, .07, .07, .07, .12, .12, .08, .08, .055, .055, .055, .055)], st)
    mine = [i for i, k in enumerate(b.ranking["key"], start=1) if b.township and k == b.township]
    if mine:  # a township's bulletin: its own row stands out in the county's ranking
        t.setStyle(TableStyle([("BACKGROUND", (0, r), (-1, r), colors.HexColor("#dbe7f6")) for r in mine]))
    return t


def _alerts(b: bl.Bulletin, st: dict, lang: str) -> list:
    f = b.figures[b.figures["light"].isin(["red", "yellow"])]
    f = f.assign(_o=f["light"].map({"red": 0, "yellow": 1})).sort_values(["_o", "gap_pts"], na_position="first")
    if not len(f):
        return [pdf.para(tr("bulletin.alerts_none", lang), st["body"])]
    rows = [[_h(k, lang) for k in ("no", "name", "township", "lead", "rate", "gap", "light", "reasons")]]
    for i, (_, r) in enumerate(f.iterrows(), start=1):
        rows.append([str(i), r["name"], bl.township_label(r, lang), bl.value(r["lead_official"], lang) or DASH,
                     _pct(r["rate_pct"]), _pts(r["gap_pts"]), bl.light_label(r["light"], lang), bl.reasons(r, lang)])
    w = pdf.CONTENT_W
    t = _table(rows, [w * x for x in (.05, .25, .10, .09, .08, .08, .07, .28)], st, (1, 2, 3, 7), (7,))
    _coloured(t, list(f["light"]), 6)
    return [t]


def _missing(b: bl.Bulletin, st: dict, lang: str) -> list:
    if not len(b.missing):
        return [pdf.para(tr("bulletin.none_missing", lang), st["body"])]
    rows = [[_h(k, lang) for k in ("no", "name", "township", "lead", "unit", "state")]]
    for i, (_, r) in enumerate(b.missing.iterrows(), start=1):
        rows.append([str(i), r["name"], bl.township_label(r, lang), bl.value(r["lead_official"], lang) or DASH,
                     bl.value(r["responsible_unit"], lang) or DASH, bl.missing_state(r, lang)])
    w = pdf.CONTENT_W
    return [_table(rows, [w * x for x in (.06, .34, .12, .12, .16, .20)], st, (1, 2, 3, 4, 5), (5,))]


def _problems(b: bl.Bulletin, st: dict, lang: str) -> list:
    f = b.figures[b.figures["problems"].notna()]
    if not len(f):
        return [pdf.para(tr("bulletin.problems_none", lang), st["body"])]
    rows = [[_h(k, lang) for k in ("no", "name", "township", "unit", "problems")]]
    for i, (_, r) in enumerate(f.iterrows(), start=1):
        rows.append([str(i), r["name"], bl.township_label(r, lang), bl.value(r["responsible_unit"], lang) or DASH,
                     bl.problems(r, lang)])
    w = pdf.CONTENT_W
    return [_table(rows, [w * x for x in (.05, .27, .10, .13, .45)], st, (1, 2, 3, 4))]


def _all(b: bl.Bulletin, st: dict, lang: str) -> list:
    rows = [[_h(k, lang) for k in ("no", "name", "township", "plan", "month_done", "year_done", "rate", "gap",
                                    "light", "physical")]]
    for i, r in enumerate(b.figures.itertuples(index=False), start=1):
        d = r._asdict()
        rows.append([str(i), d["name"], bl.township_label(d, lang), _wan(d["annual_plan_wan"], lang),
                     _wan(d["month_done_wan"], lang), _wan(d["year_done_wan"], lang), _pct(d["rate_pct"]),
                     _pts(d["gap_pts"]), bl.light_label(d["light"], lang),
                     bl.value(d["physical_progress"], lang) or DASH])
    w = pdf.CONTENT_W
    t = _table(rows, [w * x for x in (.05, .24, .09, .10, .09, .10, .08, .08, .07, .10)], st, (1, 2, 9))
    _coloured(t, list(b.figures["light"]), 8)
    return [t]


def bulletin_pdf(dataset, month: str, *, township: str | None = None, today=None, rules=None,
                 lang: str = "zh", data: bl.Bulletin | None = None) -> bytes:
    """The bulletin of ``month`` as PDF bytes (see the module); ``data`` reuses a computed bulletin."""
    return bulletin_pdf_pages(dataset, month, township=township, today=today, rules=rules, lang=lang,
                              data=data)[0]


def bulletin_pdf_pages(dataset, month: str, *, township: str | None = None, today=None, rules=None,
                       lang: str = "zh", data: bl.Bulletin | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the bulletin."""
    b = data or bl.bulletin_data(dataset, month, township=township, today=today, rules=rules)
    st = pdf.styles(8.6, lang)

    def heading(key: str) -> list:
        return [CondPageBreak(16 * pdf.mm), pdf.para(tr(key, lang), st["h2flow"])]

    story = [pdf.para(bl.title(b, lang), st["title"]), pdf.para(bl.subtitle(b, lang), st["subtitle"])]
    if not len(b.figures):
        story.append(pdf.para(tr("bulletin.no_projects", lang), st["body"]))
    else:
        story += [pdf.para(tr("bulletin.summary", lang), st["h2"]), _summary(b, st, lang)]
        fig, drawn, _counts = warning_map(dataset, b.figures, lang=lang, highlight=b.township)
        story += heading("bulletin.map_heading")
        story += [pdf.image(png_bytes(fig, dpi=200), pdf.CONTENT_W),
                  pdf.para(tr("bulletin.map_note", lang, drawn=drawn, n=len(b.figures)), st["small"])]
        story += heading("bulletin.ranking_heading") + [_ranking(b, st, lang)]
        story += heading("bulletin.alerts_heading") + _alerts(b, st, lang)
        story += heading("bulletin.missing_heading") + _missing(b, st, lang)
        story += heading("bulletin.problems_heading") + _problems(b, st, lang)
        story += heading("bulletin.all_heading") + _all(b, st, lang)
    story += heading("bulletin.notes_heading") + [pdf.para(s, st["small"]) for s in notes(b, lang)]
    footer = f"{county().title(lang)} · {bl.title(b, lang)}"
    return pdf.build(story, title=bl.title(b, lang), footer=footer, lang=lang)
