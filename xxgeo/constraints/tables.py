"""The check's tables as people read them, in Chinese or English (headers with units, verdicts and kinds in
words, township names for codes, 未注明 for empty), and the Excel workbook of ``python -m xxgeo check``."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ..io.writers import spreadsheet_safe
from ..vocab import not_stated, precision_label, value_en
from .check import CheckResult
from .kinds import rule_label, rules, verdict_label

#: column -> (中文, English) header; units in the header
HEADERS = {
    "project_id": ("项目编号", "Project id"), "project_name": ("项目名称", "Project"),
    "township_code": ("乡镇", "Township"), "loc_precision": ("位置精度", "Location precision"),
    "verdict": ("结论", "Verdict"), "reason": ("说明", "Why"), "kinds": ("涉及管控类型", "Control lines touched"),
    "kind": ("管控类型", "Control line"), "rule": ("管控规则", "Rule"), "features": ("涉及图斑数", "Polygons touched"),
    "constraint_names": ("图斑名称", "Polygon names"), "shape": ("项目几何", "Project geometry"),
    "project_mu": ("项目面积（亩）", "Project area (mu)"), "overlap_mu": ("占用面积（亩）", "Overlap (mu)"),
    "share": ("占项目面积（%）", "Share of project (%)"), "length_m": ("线内长度（米）", "Length inside (m)"),
    "inside": ("点位于其内", "Point inside"), "outside_mu": ("界外面积（亩）", "Area outside (mu)"),
    "outside_m": ("界外长度（米）", "Length outside (m)"),
    "project_a": ("项目编号 A", "Project A id"), "name_a": ("项目 A", "Project A"),
    "project_b": ("项目编号 B", "Project B id"), "name_b": ("项目 B", "Project B"),
    "site_id": ("景区/文物编号", "Site id"), "site_name": ("景区/文物", "Site"), "site_kind": ("类型", "Kind"),
    "distance_m": ("距离（米）", "Distance (m)"), "limit_m": ("保护距离（米）", "Protection distance (m)"),
    "site_precision": ("景区位置精度", "Site location precision"),
}
SHAPES = {"polygon": ("面", "polygon"), "line": ("线", "line"), "point": ("点", "point"), "": ("无", "none")}
SHEETS = {"projects": ("项目结论", "Verdicts"), "hits": ("占用明细", "Overlaps"),
          "pairs": ("项目之间重叠", "Project overlaps"),
          "near": ("景区文物保护距离", "Near protected sites"), "about": ("说明", "About")}


def sheet_name(key: str, lang: str = "zh") -> str:
    """The name of one of the check's tables (``projects``, ``hits``, ``pairs``, ``near``, ``about``)."""
    return SHEETS[key][1 if lang == "en" else 0]


def said(pair: tuple, lang: str = "zh") -> str:
    """One of the check's notes, a (中文, English) pair, in ``lang``."""
    return pair[1] if lang == "en" else pair[0]


def _h(col: str, lang: str) -> str:
    zh, en = HEADERS.get(col, (col, col))
    return en if lang == "en" else zh


def _yes(v, lang: str):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return ("yes" if v else "no") if lang == "en" else ("是" if v else "否")


def human(df: pd.DataFrame, lang: str = "zh", townships: dict | None = None) -> pd.DataFrame:
    """One of the check's tables with headers and values in ``lang`` (numbers rounded for reading)."""
    out = df.copy()
    towns = townships or {}
    r = rules()
    if "reason_en" in out.columns:
        if lang == "en":
            out["reason"] = out["reason_en"]
        out = out.drop(columns=["reason_en"])
    for col in out.columns:
        s = out[col]
        if col == "verdict":
            out[col] = s.map(lambda v: verdict_label(v, lang))
        elif col in ("kind", "site_kind"):
            out[col] = s.map(lambda v, c=col: r.label(v, lang) if c == "kind" else
                             (value_en(v) if lang == "en" else v))
        elif col == "kinds":
            sep = "; " if lang == "en" else "、"
            out[col] = s.map(lambda v, sep=sep: sep.join(r.label(k, lang) for k in str(v).split("、")) if v else "")
        elif col == "rule":
            out[col] = s.map(lambda v: rule_label(v, lang))
        elif col == "township_code":
            out[col] = s.map(lambda v: towns.get(str(v), v) if v is not None and v == v else not_stated(lang))
        elif col in ("loc_precision", "site_precision"):
            out[col] = s.map(lambda v: precision_label(v, lang) if v is not None and v == v else None)
        elif col == "shape":
            out[col] = s.map(lambda v: SHAPES.get(v, (v, v))[1 if lang == "en" else 0])
        elif col == "share":
            out[col] = pd.to_numeric(s, errors="coerce").map(lambda v: None if pd.isna(v) else round(v * 100, 2))
        elif col in ("project_mu", "overlap_mu", "outside_mu"):
            out[col] = pd.to_numeric(s, errors="coerce").round(2)
        elif col in ("length_m", "outside_m", "distance_m", "limit_m"):
            out[col] = pd.to_numeric(s, errors="coerce").round(1)
        elif col == "inside":
            out[col] = s.map(lambda v: _yes(v, lang))
    return out.rename(columns={c: _h(c, lang) for c in out.columns})


def about_rows(result: CheckResult, lang: str, *, title: str, against: list, township: str | None,
               version: str) -> list[tuple[str, str]]:
    """The 说明 sheet: what was checked, against what, the rules, the notes."""
    en = lang == "en"
    r = rules()
    kinds = "; ".join(f"{r.label(k, 'en')} ({rule_label(r.info(k).rule, 'en')})" for k in result.kinds) if en \
        else "、".join(f"{k}（{rule_label(r.info(k).rule)}）" for k in result.kinds)
    counts = result.counts()
    said = ("; " if en else "；").join(f"{verdict_label(v, lang)} {n}" for v, n in counts.items())
    rows = [("Check" if en else "检查", title),
            ("Control lines" if en else "管控类型", kinds or not_stated(lang)),
            ("Township" if en else "乡镇", township or ("all" if en else "全部")),
            ("Projects" if en else "项目结论", said),
            ("Data version" if en else "数据版本", version),
            ("Method" if en else "方法",
             "Areas in EPSG:4546 (CGCS2000 / 3-degree Gauss-Krüger CM 111E); 1 mu = 666.67 m². "
             "Projects located only to a village, park, township or the county are “cannot judge”, never “no conflict”."
             if en else "面积按 EPSG:4546（CGCS2000 3 度带高斯-克吕格，中央经线 111°E）计算；1 亩 = 666.67 m²。"
             "位置只精确到村、园区、乡镇或全县的项目为“无法判断”，不会判为“无冲突”。")]
    rows += [("Note" if en else "提示", en_ if en else zh) for zh, en_ in result.notes]
    return rows


def to_xlsx(result: CheckResult, lang: str, about: list, townships: dict | None = None) -> bytes:
    """The check as an Excel workbook: verdicts, overlaps, project overlaps, protected sites, about."""
    from openpyxl.utils import get_column_letter

    i = 1 if lang == "en" else 0
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for key in ("projects", "hits", "pairs", "near"):
            table = spreadsheet_safe(human(getattr(result, key), lang, townships))
            sheet = SHEETS[key][i]
            table.to_excel(xw, sheet_name=sheet, index=False)
            ws = xw.sheets[sheet]
            ws.freeze_panes = "A2"
            for j, col in enumerate(table.columns, start=1):
                sample = [len(str(v)) for v in table[col].head(200) if v is not None]
                width = min(50, max(8, len(str(col)) * 2, *(sample or [0])) + 2)
                ws.column_dimensions[get_column_letter(j)].width = width
        a, b = ("Item", "Value") if lang == "en" else ("项目", "内容")
        sheet = SHEETS["about"][i]
        spreadsheet_safe(pd.DataFrame({a: [x for x, _ in about], b: [y for _, y in about]})).to_excel(
            xw, sheet_name=sheet, index=False)
        xw.sheets[sheet].column_dimensions["A"].width = 16
        xw.sheets[sheet].column_dimensions["B"].width = 100
    return buf.getvalue()
