"""Annual actuals of the plan's indicators as someone enters or uploads them: read a typed table
(:func:`actuals_from_frame`) and check it (:func:`clean_actuals`) before it is stored.

Pure functions (no Streamlit, no I/O); :mod:`xxgeo.indicators` re-exports both.
"""

from __future__ import annotations

import datetime as _dt
import math
import re

import pandas as pd

from .errors import ValidationFailed
from .schema import is_empty


def clean_actuals(rows: pd.DataFrame, indicators: pd.DataFrame, *, user: str,
                  today: _dt.date | None = None) -> pd.DataFrame:
    """Check entered actuals (columns indicator_id, year, value, source) and return them ready to store.

    Blank rows are dropped; a blank source becomes “手工录入（user，date）”. Raises :class:`ValidationFailed`
    listing every problem (unknown indicator, bad year, non-numeric value, a year entered twice).
    """
    today = today or _dt.date.today()
    known = set(indicators["indicator_id"].astype(str))
    probs, out = [], []
    for i, r in rows.reset_index(drop=True).iterrows():
        vals = [r.get(c) for c in ("indicator_id", "year", "value", "source")]
        if all(is_empty(v) for v in vals):
            continue
        where = f"第{i + 1}行"
        iid = "" if is_empty(vals[0]) else str(vals[0]).strip()
        if iid not in known:
            probs.append(f"{where}：没有编号为“{iid or '空'}”的指标")
        year = _int_or_none(vals[1])
        if year is None or not (2020 <= year <= 2035):
            probs.append(f"{where}：年份应为2020—2035年之间的整数，实际为“{'' if is_empty(vals[1]) else vals[1]}”")
        value = _float_or_none(vals[2])
        if value is None:
            probs.append(f"{where}：数值应为数字，实际为“{'' if is_empty(vals[2]) else vals[2]}”")
        src = f"手工录入（{user}，{today.isoformat()}）" if is_empty(vals[3]) else str(vals[3]).strip()
        out.append({"indicator_id": iid, "year": year, "value": value, "source": src})
    df = pd.DataFrame(out, columns=["indicator_id", "year", "value", "source"])
    dup = df[df.duplicated(["indicator_id", "year"], keep=False) & df["year"].notna()]
    for (iid, year), _ in dup.groupby(["indicator_id", "year"]):
        probs.append(f"指标 {iid} 的 {int(year)} 年录入了多次，请只保留一行")
    if probs:
        raise ValidationFailed("实际值未保存：" + "；".join(probs) + "。", probs,
                               english="Actual values not saved: " + "; ".join(probs) + ".")
    return df.astype({"year": "Int64", "value": "float64"})


def _int_or_none(v) -> int | None:
    f = _float_or_none(v)
    return int(f) if f is not None and f == int(f) else None


def _float_or_none(v) -> float | None:
    if is_empty(v):
        return None
    try:
        f = float(str(v).replace(",", "").strip())
    except ValueError:
        return None
    return None if math.isnan(f) else f


_HEADERS = {
    "indicator_id": ("indicator_id", "指标编号", "编号", "id"),
    "indicator": ("indicator", "指标", "指标名称", "name"),
    "year": ("year", "年份", "年度"),
    "value": ("value", "数值", "实际值", "值"),
    "source": ("source", "来源", "数据来源"),
}


def actuals_from_frame(df: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Read a table of annual actuals someone typed in Excel/CSV (Chinese or English headers; the indicator
    by id or by name as the plan writes it) into columns indicator_id, year, value, source. Not validated:
    pass the result to :func:`clean_actuals`."""
    cols = {str(c).strip().lower(): c for c in df.columns}
    pick = {k: next((cols[a.lower()] for a in alts if a.lower() in cols), None) for k, alts in _HEADERS.items()}
    if pick["year"] is None or pick["value"] is None or (pick["indicator_id"] is None and pick["indicator"] is None):
        raise ValidationFailed("表格需要“指标编号”或“指标”、“年份”、“数值”三列（“来源”可选）。",
                               english="The table needs the columns indicator id (指标编号) or indicator (指标), "
                                       "year (年份) and value (数值); source (来源) is optional.")
    by_name = {_norm_name(n): str(i) for n, i in zip(indicators["name"], indicators["indicator_id"])
               if str(i).startswith("I2-")}
    by_name.update({_norm_name(n): str(i) for n, i in zip(indicators["name"], indicators["indicator_id"])
                    if _norm_name(n) not in by_name})
    ids = []
    for _, r in df.iterrows():
        iid = r.get(pick["indicator_id"]) if pick["indicator_id"] is not None else None
        if is_empty(iid) and pick["indicator"] is not None and not is_empty(r.get(pick["indicator"])):
            name = _norm_name(r.get(pick["indicator"]))
            iid = by_name.get(name, str(r.get(pick["indicator"])))
        ids.append(None if is_empty(iid) else str(iid).strip())
    return pd.DataFrame({"indicator_id": ids, "year": df[pick["year"]].tolist(), "value": df[pick["value"]].tolist(),
                         "source": df[pick["source"]].tolist() if pick["source"] is not None else [None] * len(df)})


def _norm_name(s) -> str:
    """Indicator names compared without spaces, units in brackets or full/half-width differences."""
    s = re.sub(r"[（(][^（()）]*[)）]$", "", str(s).strip())
    return re.sub(r"\s+", "", s).upper()
