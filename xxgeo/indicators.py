"""The plan's two indicator tables, their cells as numbers or text, and progress toward the 2025 targets.

Pure functions of the ``indicators`` and ``indicator_actuals`` layers (no Streamlit, no I/O).

* 专栏1-1, the county's 13th plan's main indicators as completed: 2015 value, 2020 target, 2020 result;
* 专栏2-1, the 14th plan's main indicators: 2020 result, 2025 target, annual growth.

The tables' titles are data: ``[indicator_tables]`` of the county profile (:func:`table_title`).

Cells are kept as the plan writes them. :func:`parse_cell` reads a cell as a plain number, a five-year
cumulative number (``[10000]``), a comparison (``≤5.5``, ``＞90``, ``>50``), a dash (``-``, ``—``: no value),
text (``完成下达任务``) or a cell part of which was an image lost in the text conversion. Only plain
numbers are drawn in charts; comparisons are used only to judge "met / not met"; everything else is shown
as text and judged "无法量化". Units lost as images are shown as 未注明, never guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from .county import county
from .indicator_actuals import actuals_from_frame as actuals_from_frame  # re-exported (views, tests)
from .indicator_actuals import clean_actuals as clean_actuals
from .indicator_text import HEADERS_EN as HEADERS_EN  # re-exported (views)
from .indicator_text import STATUS_LABELS_EN, note_en
from .indicator_text import choices_for as choices_for
from .indicator_text import frame_for as frame_for
from .indicator_text import header as header
from .indicator_text import names_text as names_text
from .indicator_text import overlay_label as overlay_label
from .indicator_text import table_heading as table_heading
from .indicator_text import unit_for as unit_for
from .indicator_text import with_unit as with_unit
from .schema import is_empty

UNKNOWN_UNIT = "未注明"
LOST_IMAGE = "[图片缺失]"
LOST_IMAGE_EN = "[image missing]"
PLAN_START, PLAN_END = 2021, 2025

#: Columns shown for each table: (field, Chinese header), in the plan's own order.
COLUMNS = {
    "专栏1-1": (("group", "类别"), ("seq", "序号"), ("name", "指标"), ("unit", "单位"), ("value_2015", "2015年"),
                ("target_2020", "2020年目标"), ("growth_target_13th", "年均或累计增长目标（%）"),
                ("value_2020", "2020年完成"), ("growth_actual_13th", "年均或累计增长（%）"), ("nature", "属性")),
    "专栏2-1": (("group", "类别"), ("seq", "序号"), ("name", "指标"), ("unit", "单位"), ("value_2020", "2020年完成"),
                ("target_2025", "2025年目标"), ("growth_14th", "年均增长/累计"), ("nature", "属性")),
}
#: The value columns compared in the baseline-vs-target charts.
CHART_SERIES = {
    "专栏1-1": (("value_2015", "2015年"), ("target_2020", "2020年目标"), ("value_2020", "2020年完成")),
    "专栏2-1": (("value_2020", "2020年完成"), ("target_2025", "2025年目标")),
}
STATUS_LABELS = {
    "met": "已达到目标", "not_met": "未达到目标", "on_way": "进行中", "no_data": "尚无实际值",
    "gap": "基期值缺，只列差距", "unquantifiable": "无法量化",
}
_IMAGE_RE = re.compile(r"\[image:[^\]]*\]\"?")
_NUM_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
_CUM_RE = re.compile(r"^\[\s*(-?\d+(?:\.\d+)?)\s*\]$")
_CMP_RE = re.compile(r"^(<=|>=|[≤≥<>＜＞])\s*(-?\d+(?:\.\d+)?)$")
_OPS = {"≤": "<=", "≥": ">=", "＜": "<", "＞": ">", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_DASHES = {"-", "--", "—", "——", "–"}
_RATE_RE = re.compile(r"增长率|增速|增长$")
#: Indicators whose target is a ceiling (lower is better): judged "not above the target", never as a share.
_CEILING_RE = re.compile(r"死亡率|失业率")


@dataclass(frozen=True)
class Cell:
    """One table cell: ``kind`` is number | cumulative | comparison | dash | text | lost | empty."""

    raw: str | None
    kind: str
    number: float | None = None
    op: str | None = None  # for comparisons: < <= > >=

    @property
    def text(self) -> str:
        """The cell as shown: as written, with a lost image marked; empty cells as ''."""
        if self.raw is None:
            return ""
        return _IMAGE_RE.sub(LOST_IMAGE, self.raw)

    @property
    def is_number(self) -> bool:
        return self.kind == "number"


def parse_cell(raw) -> Cell:
    """Read a cell as the plan writes it (see the module docstring for the kinds)."""
    if is_empty(raw):
        return Cell(None, "empty")
    s = str(raw).strip()
    if _IMAGE_RE.search(s):
        return Cell(s, "lost")
    if s in _DASHES:
        return Cell(s, "dash")
    if _NUM_RE.match(s):
        return Cell(s, "number", float(s))
    m = _CUM_RE.match(s)
    if m:
        return Cell(s, "cumulative", float(m.group(1)))
    m = _CMP_RE.match(s.replace(" ", ""))
    if m:
        return Cell(s, "comparison", float(m.group(2)), _OPS[m.group(1)])
    return Cell(s, "text")


def unit_label(unit) -> str:
    """The unit as shown: 未注明 when the plan gives none (or it was an image lost in conversion)."""
    return UNKNOWN_UNIT if is_empty(unit) else str(unit).strip()


def table_rows(indicators: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows of one table (``专栏1-1`` or ``专栏2-1``) in the plan's order."""
    if table not in COLUMNS:
        raise KeyError(table)
    rows = indicators[indicators["table"] == table]
    return rows.sort_values("indicator_id", kind="stable").reset_index(drop=True)


def display_name(row) -> str:
    """The indicator name, sub-rows indented under their heading (``　└ 常住人口城镇化率``)."""
    name = str(row["name"])
    return f"　└ {name}" if not is_empty(row.get("parent")) else name


def table_frame(indicators: pd.DataFrame, table: str) -> pd.DataFrame:
    """One table as displayed: Chinese headers, cells as written, lost units as 未注明, source line."""
    rows = table_rows(indicators, table)
    out = {}
    for col, head in COLUMNS[table]:
        if col == "name":
            out[head] = [display_name(r) for _, r in rows.iterrows()]
        elif col == "unit":
            out[head] = [unit_label(u) for u in rows["unit"]]
        elif col == "seq":
            out[head] = ["" if is_empty(v) else str(v) for v in rows["seq"]]
        else:
            out[head] = [parse_cell(v).text for v in rows[col]]
    out["编号"] = rows["indicator_id"].tolist()
    if "source_line" in rows.columns:
        out["出处"] = [f"{t}（原文第{int(float(ln))}行）" if not is_empty(ln) else t
                      for t, ln in zip(rows["source_ref"], rows["source_line"])]
    else:
        out["出处"] = rows["source_ref"].tolist()
    return pd.DataFrame(out)


def chart_frame(indicators: pd.DataFrame, table: str) -> tuple[pd.DataFrame, list[str]]:
    """Long frame (indicator_id, label, series, value, order) of the plain-number cells for the
    baseline-vs-target charts, and the labels of the indicators left out (no two numbers to compare)."""
    rows = table_rows(indicators, table)
    recs, left_out = [], []
    for _, r in rows.iterrows():
        label = f"{r['name']}（{unit_label(r['unit'])}）"
        cells = [(series, parse_cell(r[col])) for col, series in CHART_SERIES[table]]
        nums = [(i, s, c.number) for i, (s, c) in enumerate(cells) if c.is_number]
        if len(nums) < 2:
            if any(c.kind != "empty" for _, c in cells):
                left_out.append(label)
            continue
        for i, series, v in nums:
            recs.append({"indicator_id": r["indicator_id"], "label": label, "series": series, "value": v,
                         "order": i})
    return pd.DataFrame(recs, columns=["indicator_id", "label", "series", "value", "order"]), left_out


# --------------------------------------------------------------------------- progress
@dataclass
class Progress:
    """Where one indicator stands against its 2025 target."""

    indicator_id: str
    name: str
    unit: str
    baseline: float | None
    baseline_text: str
    target: float | None
    target_text: str
    latest_year: int | None
    latest_value: float | None
    share: float | None  # fraction of the way from the 2020 value to the 2025 target (1.0 = reached)
    status: str  # a key of STATUS_LABELS
    note: str

    @property
    def status_label(self) -> str:
        """Chinese label of the status, with the share when there is one."""
        return self.status_text("zh")

    def status_text(self, lang: str = "zh") -> str:
        """The status in ``lang``, with the share when there is one."""
        if self.status == "on_way" and self.share is not None:
            share = f"{self.share * 100:.0f}%"
            return f"on the way ({share} done)" if lang == "en" else f"进行中（完成 {share}）"
        return (STATUS_LABELS_EN if lang == "en" else STATUS_LABELS)[self.status]

    def note_text(self, lang: str = "zh") -> str:
        """The note in ``lang`` (numbers and plan text as they are)."""
        return note_en(self.note) if lang == "en" else self.note


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:,.4f}".rstrip("0").rstrip(".")


def actuals_of(actuals: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Annual actuals of one indicator, by year (the last entry wins for a repeated year)."""
    if actuals is None or actuals.empty:
        return pd.DataFrame(columns=["year", "value", "source"])
    a = actuals[actuals["indicator_id"] == indicator_id].dropna(subset=["year", "value"])
    a = a.assign(year=a["year"].astype(int), value=a["value"].astype(float))
    return a.drop_duplicates("year", keep="last").sort_values("year")[["year", "value", "source"]]


def progress(ind, actuals: pd.DataFrame | None) -> Progress:
    """Progress of one indicator (a row of ``indicators``) toward its 2025 target from annual actuals.

    * a plain-number target: share = (latest − 2020 value) / (target − 2020 value), in the target's direction;
    * a comparison target (``>50``, ``<4.5``): met / not met by the latest actual; so is a plain-number
      target on a ceiling indicator (死亡率, 失业率: lower is better), never as a share;
    * a cumulative target (``[N]``): the sum of the 2021–2025 annual values against N;
    * no 2025 value but an annual growth target on a rate indicator (增速/增长率): the compound average of
      the annual rates entered since 2021 against it;
    * text targets (完成下达任务) and cells with lost images: 无法量化.
    """
    iid = str(ind["indicator_id"])
    base = parse_cell(ind.get("value_2020"))
    tgt = parse_cell(ind.get("target_2025"))
    growth = parse_cell(ind.get("growth_14th"))
    a = actuals_of(actuals, iid)
    latest_year = int(a["year"].iloc[-1]) if len(a) else None
    latest = float(a["value"].iloc[-1]) if len(a) else None
    p = Progress(iid, str(ind["name"]), unit_label(ind.get("unit")), base.number if base.is_number else None,
                 base.text, tgt.number if tgt.kind in ("number", "comparison", "cumulative") else None,
                 tgt.text, latest_year, latest, None, "unquantifiable", "")
    if tgt.kind in ("text", "lost") or (tgt.kind in ("empty", "dash") and not _rate_target(ind, growth)):
        p.note = _why_unquantifiable(ind, tgt, growth)
        if latest is not None:
            p.note += f"；{latest_year}年实际 {_fmt(latest)}"
        return p
    if latest is None:
        p.status, p.note = "no_data", "尚未录入2021年以来的实际值。"
        return p
    if tgt.kind == "number" and _CEILING_RE.search(p.name):
        ok = latest <= tgt.number + 1e-12
        p.status = "met" if ok else "not_met"
        p.note = (f"上限类指标（越低越好）：{latest_year}年实际 {_fmt(latest)}，2025年目标 {tgt.text}，"
                  f"按不超过目标判断{'：满足' if ok else '：超过目标'}。")
    elif tgt.kind == "number":
        _numeric(p, base, tgt.number)
    elif tgt.kind == "comparison":
        ok = _compare(latest, tgt.op, tgt.number)
        p.status = "met" if ok else "not_met"
        p.note = f"{latest_year}年实际 {_fmt(latest)}，目标 {tgt.text}：{'满足' if ok else '未满足'}。"
    elif tgt.kind == "cumulative":
        period = a[(a["year"] >= PLAN_START) & (a["year"] <= PLAN_END)]
        total = float(period["value"].sum())
        p.share = total / tgt.number if tgt.number else None
        p.status = "met" if total >= tgt.number else "on_way"
        p.note = f"{PLAN_START}—{PLAN_END}年累计目标 {tgt.text}：已录入各年合计 {_fmt(total)}。"
    else:  # annual growth target on a rate indicator
        rates = a[a["year"] >= PLAN_START]["value"]
        if rates.empty:
            p.status, p.note = "no_data", "尚未录入2021年以来的实际值。"
            return p
        avg = (math.prod(1 + r / 100 for r in rates) ** (1 / len(rates)) - 1) * 100
        p.target, p.target_text = growth.number, f"年均 {growth.text}"
        p.status = "met" if avg >= growth.number - 1e-9 else "not_met"
        p.note = (f"按年均增长目标 {growth.text} 判断：{int(rates.index.size)}个年度（{PLAN_START}年起）的"
                  f"几何平均 {_fmt(round(avg, 2))}。")
    return p


def _rate_target(ind, growth: Cell) -> bool:
    return growth.is_number and bool(_RATE_RE.search(str(ind["name"])))


def _why_unquantifiable(ind, tgt: Cell, growth: Cell) -> str:
    if str(ind.get("table")) != "专栏2-1":
        return "“十三五”指标（专栏1-1），没有2025年目标"
    if tgt.kind == "lost":
        return f"目标原文“{tgt.text}”含转换时丢失的图片，无法可靠判断"
    if tgt.kind == "empty" and not is_empty(ind.get("lost_text")):  # emptied in the sources, as written kept
        return f"目标原文“{ind.get('lost_text')}”含转换时丢失的图片，无法可靠判断"
    if tgt.kind == "text":
        return f"目标为文字“{tgt.text}”，无法量化"
    if growth.kind == "text":
        return f"规划未给出2025年数值目标，增长要求为文字“{growth.text}”"
    return "规划未给出2025年数值目标"


def _numeric(p: Progress, base: Cell, target: float) -> None:
    latest = p.latest_value
    if base.is_number and target != base.number:
        p.share = (latest - base.number) / (target - base.number)
        p.status = "met" if p.share >= 1 - 1e-9 else "on_way"
        p.note = (f"{p.latest_year}年实际 {_fmt(latest)}；自2020年 {_fmt(base.number)} 起，"
                  f"到2025年目标 {_fmt(target)} 已完成 {p.share * 100:.0f}%。")
        return
    p.status = "gap"
    p.note = (f"{p.latest_year}年实际 {_fmt(latest)}，距2025年目标 {_fmt(target)} 差 {_fmt(target - latest)}；"
              f"2020年值为“{base.text or '空'}”，无法计算完成比例。")


def _compare(v: float, op: str, bound: float) -> bool:
    return {"<": v < bound, "<=": v <= bound, ">": v > bound, ">=": v >= bound}[op]


def progress_table(indicators: pd.DataFrame, actuals: pd.DataFrame | None, table: str = "专栏2-1",
                   lang: str = "zh") -> pd.DataFrame:
    """Progress of every indicator of a table, as a display frame with Chinese headers (statuses and notes in
    ``lang``; :func:`frame_for` gives the headers in English)."""
    recs = []
    for _, r in table_rows(indicators, table).iterrows():
        if is_empty(r.get("value_2020")) and is_empty(r.get("target_2025")) and is_empty(r.get("growth_14th")):
            continue  # headings without values
        p = progress(r, actuals)
        recs.append({"编号": p.indicator_id, "指标": p.name, "单位": p.unit, "2020年完成": p.baseline_text,
                     "2025年目标": p.target_text, "最新年份": p.latest_year, "最新实际值": p.latest_value,
                     "完成比例": None if p.share is None else round(p.share * 100, 1),
                     "状态": p.status_text(lang), "说明": p.note_text(lang)})
    out = pd.DataFrame(recs)
    if len(out):
        out["最新年份"] = pd.array(out["最新年份"], dtype="Int64")
        out["最新实际值"] = pd.to_numeric(out["最新实际值"]).astype("float64")
        out["完成比例"] = pd.to_numeric(out["完成比例"]).astype("float64")
    return out


def trend_frame(ind, actuals: pd.DataFrame | None) -> pd.DataFrame:
    """Points for a trend chart: the 2020 value, the annual actuals, the 2025 target (plain numbers only);
    for a rate indicator with only an annual growth target, that target as a line over 2021–2025."""
    recs = []
    base, tgt = parse_cell(ind.get("value_2020")), parse_cell(ind.get("target_2025"))
    growth = parse_cell(ind.get("growth_14th"))
    if tgt.kind in ("empty", "dash") and _rate_target(ind, growth):
        recs += [{"year": y, "value": growth.number, "series": "年均增长目标"} for y in (PLAN_START, PLAN_END)]
    if base.is_number:
        recs.append({"year": 2020, "value": base.number, "series": "2020年完成（基期）"})
    for _, a in actuals_of(actuals, str(ind["indicator_id"])).iterrows():
        recs.append({"year": int(a["year"]), "value": float(a["value"]), "series": "实际值"})
    if tgt.is_number:
        recs.append({"year": 2025, "value": tgt.number, "series": "2025年目标"})
    return pd.DataFrame(recs, columns=["year", "value", "series"])


# --------------------------------------------------------------------------- entering actuals
def indicator_choices(indicators: pd.DataFrame, table: str = "专栏2-1") -> dict:
    """``label -> indicator_id`` for the indicators whose annual values can be entered (rows with values)."""
    out = {}
    for _, r in table_rows(indicators, table).iterrows():
        if is_empty(r.get("value_2020")) and is_empty(r.get("target_2025")) and is_empty(r.get("growth_14th")):
            continue
        out[f"{r['indicator_id']} {r['name']}（{unit_label(r['unit'])}）"] = str(r["indicator_id"])
    return out


def table_title(table: str) -> str:
    """The title the plan gives ``table`` (``专栏1-1`` …): the county profile's ``[indicator_tables]``; '' if none."""
    if table not in COLUMNS:
        raise KeyError(table)
    return str(county().setting("indicator_tables", {}).get(table, ""))


def __getattr__(name: str) -> dict:
    """``TABLES`` (table -> title), read from the county profile when asked; prefer :func:`table_title`."""
    if name == "TABLES":
        return {t: table_title(t) for t in COLUMNS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
