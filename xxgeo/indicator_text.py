"""The indicator views' words in English: headers, chart series, status labels and progress notes
(:mod:`xxgeo.indicators` builds the frames with Chinese headers; :func:`frame_for` shows them in English)."""

from __future__ import annotations

import re

import pandas as pd

from .vocab import NOT_STATED, unit_text, value_en

UNKNOWN_UNIT = NOT_STATED[0]
LOST_IMAGE, LOST_IMAGE_EN = "[图片缺失]", "[image missing]"

STATUS_LABELS_EN = {
    "met": "target met",
    "not_met": "target not met",
    "on_way": "on the way",
    "no_data": "no actual values yet",
    "gap": "no baseline: gap only",
    "unquantifiable": "cannot be quantified",
}
#: every Chinese header and chart series of this module in English (:func:`frame_for`)
HEADERS_EN = {
    "类别": "Group",
    "序号": "No.",
    "指标": "Indicator",
    "单位": "Unit",
    "2015年": "2015",
    "2020年目标": "2020 target",
    "年均或累计增长目标（%）": "Average or total growth target (%)",
    "2020年完成": "2020 actual",
    "年均或累计增长（%）": "Average or total growth (%)",
    "属性": "Nature",
    "2025年目标": "2025 target",
    "年均增长/累计": "Average growth / total",
    "编号": "ID",
    "出处": "Source",
    "最新年份": "Latest year",
    "最新实际值": "Latest actual",
    "完成比例": "Progress",
    "状态": "Status",
    "说明": "Note",
    "2020年完成（基期）": "2020 actual (baseline)",
    "实际值": "Actual",
    "年均增长目标": "Average growth target",
}


def frame_for(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A display frame of this module in ``lang``: headers, groups, natures, units and series in English."""
    if lang != "en":
        return frame
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: v.replace(LOST_IMAGE, LOST_IMAGE_EN) if isinstance(v, str) else v)
    for col in ("类别", "属性"):
        if col in out.columns:
            out[col] = out[col].map(value_en)
    if "单位" in out.columns:
        out["单位"] = out["单位"].map(unit_en)
    if "出处" in out.columns:
        out["出处"] = out["出处"].astype(str).str.replace(r"（原文第(\d+)行）", r" (plan line \1)", regex=True)
    for col in ("series",):
        if col in out.columns:
            out[col] = out[col].map(lambda v: HEADERS_EN.get(v, v))
    if "label" in out.columns:
        out["label"] = out["label"].map(label_en)
    return out.rename(columns=HEADERS_EN)


def unit_en(unit) -> str:
    """An indicator's unit (as :func:`xxgeo.indicators.unit_label` shows it) in English."""
    return "not stated" if unit == UNKNOWN_UNIT else unit_text(unit, "en")


def label_en(label: str) -> str:
    """“名称（单位）” of a chart label as “名称 (unit)” (the indicator's name is the plan's)."""
    m = re.match(r"^(.*)（([^（）]*)）$", str(label))
    if not m:
        return label
    return f"{m.group(1)} ({unit_en(m.group(2))})"


_NOTE_EN = (
    (r"“十三五”指标（专栏1-1），没有2025年目标", "13th Five-Year Plan indicator (box 1-1): no 2025 target"),
    (
        r"目标原文“(.*)”含转换时丢失的图片，无法可靠判断",
        r"the target as written, “\1”, holds an image lost in conversion: cannot be judged reliably",
    ),
    (r"目标为文字“(.*)”，无法量化", r"the target is text, “\1”: cannot be quantified"),
    (
        r"规划未给出2025年数值目标，增长要求为文字“(.*)”",
        r"the plan gives no 2025 number; the growth requirement is text: “\1”",
    ),
    (r"规划未给出2025年数值目标", "the plan gives no 2025 number"),
    (r"尚未录入2021年以来的实际值。", "no actual values since 2021 entered yet."),
    (r"(\d+)年实际 ", r"\1 actual "),
    (r"2025年目标 ", "2025 target "),
    (r"自2020年 ", "from 2020 "),
    (r"到2025年目标 (\S+) 已完成 (\S+)。", r"to the 2025 target \1: \2 done."),
    (r"距2025年目标 ", "to the 2025 target "),
    (r" 差 ", " the gap is "),
    (r"2020年值为“(.*?)”，无法计算完成比例。", r"the 2020 value is “\1”: no share can be computed."),
    (r"上限类指标（越低越好）：", "ceiling (lower is better): "),
    (r"，目标 ", ", target "),
    (r"满足", "met"),
    (r"未满足", "not met"),
    (r"(\d+)—(\d+)年累计目标 ", r"\1–\2 total target "),
    (r"已录入各年合计 ", "sum of the years entered "),
    (
        r"按年均增长目标 (\S+) 判断：(\d+)个年度（(\d+)年起）的",
        r"judged by the average growth target \1: over \2 years (from \3), the ",
    ),
    (r"“空”", "“blank”"),
    (r"；", "; "),
    (r"，", ", "),
    (r"：", ": "),
    (r"。", ". "),
)


def note_en(note: str) -> str:
    """A progress note (:class:`Progress`) in English: the same sentence pattern by pattern."""
    out = str(note).replace(LOST_IMAGE, LOST_IMAGE_EN)
    for zh, en in _NOTE_EN:
        out = re.sub(zh, en, out)
    return out.strip()
