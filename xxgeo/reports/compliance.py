"""The compliance check as a PDF (``python -m xxgeo check --out FILE.pdf``) and its section in the township
report: verdict counts, the projects in conflict or to verify with their overlaps, project overlaps, protected
sites, and the projects that cannot be judged with the reason. Every string is escaped (:func:`pdf.para`)."""

from __future__ import annotations

import pandas as pd

from ..constraints.check import CheckResult
from ..constraints.kinds import CLEAR, UNKNOWN
from ..constraints.tables import SHEETS, human
from ..county import county
from . import pdf

#: rows of one table in the PDF before it says how many more there are (the workbook has them all)
MAX_ROWS = 300
HIT_COLS = ["project_id", "project_name", "township_code", "kind", "overlap_mu", "share", "length_m", "inside",
            "outside_mu", "verdict"]
UNKNOWN_COLS = ["project_id", "project_name", "township_code", "reason"]


def _table(df: pd.DataFrame, cols: list, lang: str, towns: dict, st: dict, shares: list) -> list:
    if not len(df):
        return [pdf.para("None." if lang == "en" else "无。", st["small"])]
    shown = human(df[cols].head(MAX_ROWS), lang, towns)
    rows = [list(shown.columns)] + [["" if v is None or v != v else str(v) for v in r] for r in shown.values.tolist()]
    w = pdf.CONTENT_W
    out = [pdf.table(rows, [w * s for s in shares], st)]
    if len(df) > MAX_ROWS:
        more = len(df) - MAX_ROWS
        out.append(pdf.para(f"{more} more rows are in the Excel workbook (--out FILE.xlsx)." if lang == "en"
                            else f"另有 {more} 行见 Excel 文件（--out 文件.xlsx）。", st["small"]))
    return out


def section(result: CheckResult, lang: str, towns: dict, st: dict, heading, *, brief: bool = False) -> list:
    """The check's flowables under headings made by ``heading(text)`` (the township report's own); ``brief``
    (the township report): the projects that cannot be judged are counted, not listed."""
    en = lang == "en"
    c = result.counts()
    said = ("; " if en else "；").join(f"{human(pd.DataFrame({'verdict': [v]}), lang).iloc[0, 0]} {n}"
                                       for v, n in c.items())
    out = [pdf.para(("Projects: " if en else "项目结论：") + said, st["body"])]
    flagged = result.hits[~result.hits["verdict"].isin([CLEAR])]
    out += heading("Overlaps with control lines" if en else "占用管控边界（冲突与需核实）")
    out += _table(flagged, HIT_COLS, lang, towns, st, [0.1, 0.17, 0.09, 0.14, 0.08, 0.08, 0.09, 0.07, 0.09, 0.09])
    if len(result.pairs):
        out += heading(SHEETS["pairs"][1 if en else 0])
        out += _table(result.pairs, ["project_a", "name_a", "project_b", "name_b", "overlap_mu", "length_m"], lang,
                      towns, st, [0.12, 0.28, 0.12, 0.28, 0.1, 0.1])
    if len(result.near):
        out += heading(SHEETS["near"][1 if en else 0])
        out += _table(result.near, ["project_id", "project_name", "site_name", "site_kind", "distance_m", "limit_m"],
                      lang, towns, st, [0.12, 0.3, 0.25, 0.1, 0.11, 0.12])
    unknown = result.projects[result.projects["verdict"] == UNKNOWN]
    if len(unknown) and brief:
        out.append(pdf.para(f"{len(unknown)} projects cannot be judged: located only to a village, park, township "
                            "or the county (python -m xxgeo check lists them)." if en else
                            f"另有 {len(unknown)} 个项目位置只精确到村、园区、乡镇或全县，无法判断"
                            "（python -m xxgeo check 可列出）。", st["small"]))
    elif len(unknown):
        out += heading(f"Cannot judge ({len(unknown)})" if en else f"无法判断（{len(unknown)} 个）")
        out += _table(unknown, UNKNOWN_COLS + (["reason_en"] if "reason_en" in unknown else []), lang, towns, st,
                      [0.14, 0.36, 0.14, 0.36])
    out += [pdf.para(en_ if en else zh, st["small"]) for zh, en_ in result.notes]
    return out


def compliance_pdf(result: CheckResult, lang: str, about: list, towns: dict) -> bytes:
    """The whole check as an A4 PDF: what was checked (``about``), then :func:`section`."""
    st = pdf.styles(8.6, lang)
    en = lang == "en"
    title = about[0][1] if about else ("Compliance check" if en else "合规检查")

    def heading(text: str) -> list:
        return [pdf.para(text, st["h2"])]

    story = [pdf.para(title, st["title"]), pdf.para(county().title(lang), st["subtitle"]),
             pdf.kv_table(about[1:], [30 * pdf.mm, pdf.CONTENT_W - 30 * pdf.mm], st)]
    story += section(result, lang, towns, st, heading)
    data, _pages = pdf.build(story, title=title, footer=f"{county().title(lang)} · {title}", lang=lang)
    return data
