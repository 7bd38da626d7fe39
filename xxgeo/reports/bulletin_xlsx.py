"""The bulletin as the Excel workbook units expect: the project table (序号, 项目名称, 乡镇, 包联领导,
责任单位, 年度计划投资, 本月完成, 本年累计, 完成率, 序时进度, 进度差, 预警, 形象进度, 存在问题; units in the
headers, percentages formatted, the warning cell coloured, its reasons beside it), the township ranking, the
totals by category / key level / lead official / responsible unit, the projects not reported and the notes.
Every text cell goes through :func:`xxgeo.textsafe.cell` (no formula from a name); a value not reported is an
empty cell, never 0.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..dispatch.figures import LIGHT_COLOURS
from ..i18n import tr
from ..textsafe import cell
from ..vocab import status_text, value_en
from . import bulletin as bl

PCT = '0.0"%"'  # values are in % already (40.0 -> "40.0%")
POINTS = '+0.0;-0.0;0.0'
WAN = '#,##0.##'
HEAD_FILL = PatternFill("solid", fgColor="E8EEF7")
LIGHT_FILLS = {k: PatternFill("solid", fgColor=v.lstrip("#")) for k, v in LIGHT_COLOURS.items()}
THIN = Side(style="thin", color="B0B7C3")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def _num(v):
    """A number for a cell: None for empty (an empty cell, never 0)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def _text(v):
    return None if v is None else cell(str(v))


def _sheet_head(ws, title: str, subtitle: str, headers: list, widths: list) -> int:
    """Title, subtitle and the header row; returns the first data row."""
    ws.append([_text(title)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_text(subtitle)])
    ws["A2"].font = Font(size=9, color="555555")
    ws.append([_text(h) for h in headers])
    for i, w in enumerate(widths, start=1):
        c = ws.cell(row=3, column=i)
        c.font, c.fill, c.border = Font(bold=True), HEAD_FILL, BOX
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return 4


def _style_row(ws, r: int, formats: dict, n: int) -> None:
    for col in range(1, n + 1):
        c = ws.cell(row=r, column=col)
        c.border, c.alignment = BOX, WRAP
        if col in formats:
            c.number_format = formats[col]


def _projects(ws, b: bl.Bulletin, lang: str) -> None:
    widths = [6, 34, 12, 10, 16, 13, 12, 12, 10, 10, 11, 8, 26, 30, 36]
    r = _sheet_head(ws, bl.title(b, lang), bl.subtitle(b, lang), bl.headers(lang), widths)
    fmts = {6: WAN, 7: WAN, 8: WAN, 9: PCT, 10: PCT, 11: POINTS}
    for i, row in enumerate(b.figures.itertuples(index=False), start=1):
        d = row._asdict()
        ws.append([i, _text(d["name"]), _text(bl.township_label(d, lang)), _text(bl.value(d["lead_official"], lang)),
                   _text(bl.value(d["responsible_unit"], lang)), _num(d["annual_plan_wan"]), _num(d["month_done_wan"]),
                   _num(d["year_done_wan"]), _num(d["rate_pct"]), _num(d["schedule_pct"]), _num(d["gap_pts"]),
                   _text(bl.light_label(d["light"], lang)), _text(bl.value(d["physical_progress"], lang)),
                   _text(bl.problems(d, lang)), _text(bl.reasons(d, lang))])
        _style_row(ws, r, fmts, len(widths))
        ws.cell(row=r, column=12).fill = LIGHT_FILLS[d["light"]]
        ws.cell(row=r, column=12).font = Font(bold=True, color="FFFFFF" if d["light"] in ("red", "green") else "000000")
        r += 1
    if not len(b.figures):
        ws.append([None, _text(tr("bulletin.no_projects", lang))])
        return
    s = b.summary
    ws.append([None, _text(tr("bulletin.total", lang)), None, None, None, _num(s["annual_plan_wan"]),
               _num(s["month_done_wan"]), _num(s["year_done_wan"]), _num(s["rate_pct"]), _num(s["schedule_pct"]),
               _num(s["gap_pts"]), None, None, None,
               _text(tr("bulletin.s_rate_v", lang, rate=tr("bulletin.s_rate", lang), rated=s["rated"]))])
    _style_row(ws, r, fmts, len(widths))
    for col in range(1, len(widths) + 1):
        ws.cell(row=r, column=col).font = Font(bold=True)


def _count_headers(lang: str) -> list:
    return [tr(f"bulletin.h_{k}", lang) for k in ("projects", "reported", "not_reported", "overdue", "plan",
                                                   "month_done", "year_done", "rated", "rate", "gap", "red",
                                                   "yellow", "green", "not_rated")]


def _count_cells(t, schedule: float) -> list:
    gap = None if _num(t["rate_pct"]) is None else t["rate_pct"] - schedule
    return [int(t["projects"]), int(t["reported"]), int(t["not_reported"]), int(t["overdue"]),
            _num(t["annual_plan_wan"]), _num(t["month_done_wan"]), _num(t["year_done_wan"]), int(t["rated"]),
            _num(t["rate_pct"]), _num(gap), int(t["red"]), int(t["yellow"]), int(t["green"]), int(t["not_rated"])]


COUNT_FORMATS = {7: WAN, 8: WAN, 9: WAN, 11: PCT, 12: POINTS}
COUNT_WIDTHS = [8, 22, 9, 9, 9, 10, 13, 12, 12, 10, 10, 11, 7, 7, 7, 9]


def _ranking(ws, b: bl.Bulletin, lang: str) -> None:
    heads = [tr("bulletin.h_rank", lang), tr("bulletin.h_township", lang), *_count_headers(lang)]
    r = _sheet_head(ws, tr("bulletin.ranking_heading", lang), bl.subtitle(b, lang), heads, COUNT_WIDTHS)
    sched = b.summary.get("schedule_pct", np.nan)
    for _, t in b.ranking.iterrows():
        rank = None if t["rank"] is None or str(t["rank"]) == "<NA>" else int(t["rank"])
        ws.append([rank, _text(t["label"]), *_count_cells(t, sched)])
        _style_row(ws, r, COUNT_FORMATS, len(COUNT_WIDTHS))
        if b.township and t["key"] == b.township:
            for col in range(1, len(COUNT_WIDTHS) + 1):
                ws.cell(row=r, column=col).font = Font(bold=True)
        r += 1


def _totals(ws, b: bl.Bulletin, lang: str) -> None:
    heads = [tr("bulletin.h_group", lang), "", *_count_headers(lang)]
    r = _sheet_head(ws, tr("bulletin.sheet_totals", lang) + " · " + bl.title(b, lang), bl.subtitle(b, lang), heads,
                    COUNT_WIDTHS)
    ws.freeze_panes = "A4"
    sched = b.summary.get("schedule_pct", np.nan)
    for group, frame in b.totals.items():
        ws.append([_text(tr(f"bulletin.by_{group}", lang))])
        ws.cell(row=r, column=1).font = Font(bold=True)
        r += 1
        for _, t in frame.iterrows():
            label = value_en(t["label"]) if lang == "en" else t["label"]
            ws.append([None, _text(bl.value(label, lang)), *_count_cells(t, sched)])
            _style_row(ws, r, COUNT_FORMATS, len(COUNT_WIDTHS))
            r += 1


def _missing(ws, b: bl.Bulletin, lang: str) -> None:
    heads = [tr(f"bulletin.h_{k}", lang) for k in ("no", "name", "township", "lead", "unit", "state", "due")]
    widths = [6, 34, 12, 10, 16, 26, 12]
    r = _sheet_head(ws, tr("bulletin.missing_heading", lang) + " · " + bl.title(b, lang), bl.subtitle(b, lang),
                    heads, widths)
    due = bl.report_due(b.month, b.rules).isoformat()
    for i, row in enumerate(b.missing.itertuples(index=False), start=1):
        d = row._asdict()
        ws.append([i, _text(d["name"]), _text(bl.township_label(d, lang)), _text(bl.value(d["lead_official"], lang)),
                   _text(bl.value(d["responsible_unit"], lang)), _text(bl.missing_state(d, lang)), due])
        _style_row(ws, r, {}, len(widths))
        r += 1
    if not len(b.missing):
        ws.append([None, _text(tr("bulletin.none_missing", lang))])


def _notes(ws, b: bl.Bulletin, lang: str) -> None:
    ws.column_dimensions["A"].width = 120
    for line in [bl.title(b, lang), bl.subtitle(b, lang), *notes(b, lang)]:
        ws.append([_text(line)])
        ws.cell(row=ws.max_row, column=1).alignment = WRAP
    ws["A1"].font = Font(bold=True, size=14)


def notes(b: bl.Bulletin, lang: str = "zh") -> list[str]:
    """The definitions and the rules in force, as sentences (also printed in the PDF)."""
    r = b.rules
    sep = ", " if lang == "en" else "、"
    stages = sep.join(f"“{status_text(s, 'en')}”" if lang == "en" else s for s in r.not_started_stages)
    minus = (lambda x: f"{x:g}")
    source = Path(r.source).name if r.source else tr("bulletin.rules_default", lang)
    return [tr("bulletin.note_rate", lang),
            tr("bulletin.note_lights", lang, source=source, red=minus(r.red_gap), yellow=minus(r.yellow_gap),
               stages=stages, due=r.due_day),
            tr("bulletin.note_scope", lang)]


def bulletin_xlsx(dataset, month: str, *, township: str | None = None, today=None, rules=None,
                  lang: str = "zh", data: bl.Bulletin | None = None) -> bytes:
    """The bulletin of ``month`` as .xlsx bytes (sheets: projects, township ranking, totals, not reported,
    notes); ``data`` reuses a :func:`~xxgeo.reports.bulletin.bulletin_data` already computed."""
    b = data or bl.bulletin_data(dataset, month, township=township, today=today, rules=rules)
    wb = Workbook()
    ws = wb.active
    ws.title = tr("bulletin.sheet_projects", lang)
    _projects(ws, b, lang)
    for key, fill in (("sheet_ranking", _ranking), ("sheet_totals", _totals), ("sheet_missing", _missing),
                      ("sheet_notes", _notes)):
        fill(wb.create_sheet(tr(f"bulletin.{key}", lang)), b, lang)
    wb.properties.title = bl.title(b, lang)
    wb.properties.creator = "xxgeo"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
