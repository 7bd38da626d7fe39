"""Offline outputs: the township one-pager and the bilingual park brochure as PDF (searchable text in an
embedded CJK font), the monthly 调度 bulletin (Excel and PDF), and the printable 挂图作战 map as PNG (A4/A3, 300 dpi).

Pure functions of a :class:`~xxgeo.store.Dataset`; nothing here needs the internet or Streamlit.
"""

from __future__ import annotations

from .bulletin import bulletin_data
from .bulletin_pdf import bulletin_pdf
from .bulletin_xlsx import bulletin_xlsx
from .fonts import FontMissing, cjk_font, find_cjk_font
from .parcel import parcel_sheet_pdf
from .park import park_brochure_pdf
from .printmap import PAPERS, print_map_png
from .township import township_report_pdf

__all__ = ["FontMissing", "PAPERS", "bulletin_data", "bulletin_pdf", "bulletin_xlsx",
           "cjk_font", "find_cjk_font", "parcel_sheet_pdf", "park_brochure_pdf",
           "print_map_png",
           "township_report_pdf"]
