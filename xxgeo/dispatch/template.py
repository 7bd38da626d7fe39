"""The blank monthly sheet (月度进度填报模板): the same headers the import reads, optionally with the projects of a
township pre-filled (项目编号, 项目代码, 项目名称 and the month; the values left blank — nothing invented)."""

from __future__ import annotations

import io

from ..i18n import tr
from ..textsafe import cell
from .headers import TEMPLATE, template_headers

WIDTHS = {"name": 36, "physical_progress": 30, "problem": 30, "needs": 30, "note": 20, "project_code": 26}


def progress_template(lang: str = "zh", projects=None, month: str | None = None) -> bytes:
    """The template as .xlsx bytes: a sheet with the headers in ``lang`` (one row per project of ``projects``, a
    frame with ``project_id``, ``name`` and ``project_code``, when given) and a sheet of notes. Pure."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = tr("dispatch.template_sheet", lang)
    heads = template_headers(lang)
    ws.append([h for _, h in heads])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for j, (f, _) in enumerate(heads, start=1):
        c = ws.cell(row=1, column=j)
        c.font, c.fill = bold, fill
        c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(f, 16)
    ws.freeze_panes = "A2"
    if projects is not None and len(projects):
        for rec in projects.to_dict("records"):
            given = {"project_id": rec.get("project_id"), "project_code": rec.get("project_code"),
                     "name": rec.get("name"), "month": month}
            ws.append([cell(given.get(f)) if given.get(f) is not None else None for f, _ in heads])
    notes = wb.create_sheet(tr("dispatch.template_notes_sheet", lang))
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 90
    notes.append([tr("dispatch.template_col", lang), tr("dispatch.template_meaning", lang)])
    for f in TEMPLATE:
        notes.append([dict(heads)[f], tr(f"dispatch.help_{f}", lang)])
    notes.append([])
    notes.append([tr("dispatch.template_rules", lang)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
