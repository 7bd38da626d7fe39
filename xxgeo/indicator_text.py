"""The indicator views' words in English: headers, chart series, status labels and progress notes
(:mod:`xxgeo.indicators` builds the frames with Chinese headers; :func:`frame_for` shows them in English)."""

from __future__ import annotations

import re

import pandas as pd

from .analysis import DERIVED
from .i18n import tr
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


# --------------------------------------------------------------------------- what the views show
def header(name: str, lang: str = "zh") -> str:
    """A Chinese header or series name of :mod:`xxgeo.indicators` in ``lang``."""
    return HEADERS_EN.get(name, name) if lang == "en" else name


def table_heading(table: str, title: str, lang: str = "zh") -> str:
    """“专栏2-1 <the plan's title>”; in English the box's English name (strings ``indicators.section_*``)."""
    if lang != "en":
        return f"{table} {title}"
    return tr({"专栏2-1": "indicators.section_14th", "专栏1-1": "indicators.section_13th"}.get(table, ""), "en")


def names_text(labels: list[str], lang: str = "zh") -> str:
    """Chart labels (“名称（单位）”) joined for a sentence in ``lang``."""
    return ", ".join(label_en(x) for x in labels) if lang == "en" else "、".join(labels)


def choices_for(choices: dict, lang: str = "zh") -> dict:
    """``label -> indicator_id`` with the labels in ``lang`` (units in English, lost images marked)."""
    if lang != "en":
        return choices
    return {label_en(k).replace(LOST_IMAGE, LOST_IMAGE_EN): v for k, v in choices.items()}


def unit_for(unit, lang: str = "zh") -> str:
    """An indicator's unit as shown in ``lang``."""
    return unit_en(unit) if lang == "en" else unit


def with_unit(name: str, unit, lang: str = "zh") -> str:
    """“名称（单位）”, in English “name (unit)”; an empty unit reads 未注明 / not stated."""
    if lang == "en":
        return f"{name} ({unit_en(unit) if unit else 'not stated'})"
    return f"{name}（{unit or UNKNOWN_UNIT}）"


def overlay_label(key: str | None, label: str, lang: str = "zh") -> str:
    """A township-overlay label in ``lang``: a derived indicator's own English, an imported indicator's name
    (data) with “(2023)” for “（2023年）”."""
    if lang != "en" or key is None:
        return label
    if key in DERIVED:
        return DERIVED[key][1]
    return re.sub(r"（(\d{4})年）$", r" (\1)", label)
