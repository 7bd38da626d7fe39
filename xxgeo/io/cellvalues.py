"""One cell of an imported table read as the schema's kind of value (text, number, integer or year, yes/no), and a
column of plain numbers read at once: what :func:`xxgeo.io.columns.map_columns` applies to every cell. ``out`` is
its :class:`~xxgeo.io.columns.Mapped` (``problem(row, message)``, ``frame``, ``notes``)."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import numpy as np
import pandas as pd

from ..vocab import to_bool
from .decimals import plain_decimals

EMPTY = {"", "-", "--", "—", "——", "/", "无", "暂无", "未注明", "null", "none", "nan", "n/a", "#n/a"}


def as_text(v) -> str | None:
    """A cell as clean text: integral floats without ``.0``, placeholders (—, 无, 未注明) as None."""
    if v is None:
        return None
    if isinstance(v, float):
        if np.isnan(v):
            return None
        if v.is_integer():
            v = int(v)
    if isinstance(v, (_dt.date, _dt.datetime, pd.Timestamp)):
        return str(v)[:10]
    s = unicodedata.normalize("NFKC", str(v)).strip() if not isinstance(v, str) else v.strip()
    return None if s.lower() in EMPTY else s


def plain_texts(values: list) -> list | None:
    """:func:`as_text` of each value when every value is a ``str`` or None (a file's text column): ``strip`` and the
    placeholder test inline, without a call per cell; None for any other column (read cell by cell)."""
    if not all(type(v) is str or v is None for v in values):
        return None
    return [None if v is None or (t := v.strip()).lower() in EMPTY else t for v in values]


def numbers(col: pd.Series, header, unit, target: str, out) -> list:
    """The cells of column ``col`` as numbers (:func:`number` of each); a column the reader already typed as
    numbers (a GeoPackage's REAL, a shapefile's N) and that needs no unit conversion read in one step."""
    converts = target == "investment_wan" and unit and unit not in ("万元", "万")
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iuf" and not converts:
        vals = col.to_numpy(dtype=float)
        return [None if v != v else v for v in vals.tolist()]  # NaN empty, as number() reads it
    cells = col.tolist()
    quick = plain_decimals(cells) if len(cells) > 64 and not converts else None
    if quick is None:
        return [number(v, i, header, unit, target, out) for i, v in enumerate(cells)]
    mask, nums = quick  # plain decimals read at once; the rest cell by cell, in row order, with their messages
    got = nums.tolist()
    return [got[i] if ok else number(v, i, header, unit, target, out)
            for i, (v, ok) in enumerate(zip(cells, mask.tolist()))]


_NUM = re.compile(r"^(?:约|大约|计划)?\s*(-?\d+(?:\.\d+)?)\s*(亿元|亿|万元|万|元)?$")


def number(v, i, col, unit, target, out) -> float | None:
    """A cell as a number (万元 for an investment: 亿元/元 converted, the original kept), or None with a problem."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        num, vu = (None if np.isnan(float(v)) else float(v)), None
    else:
        s = as_text(v)
        if s is None:
            return None
        m = _NUM.match(s.replace(",", "").replace("，", "").replace(" ", ""))
        if not m:
            out.problem(i, f"“{col}”应为数字，实际为“{s}”")
            return None
        num, vu = float(m.group(1)), m.group(2)
    if num is None:
        return None
    u = vu or unit
    if target == "investment_wan" and u:
        factor = {"亿元": 10000.0, "亿": 10000.0, "元": 1e-4, "万元": 1.0, "万": 1.0}.get(u)
        if factor is None:
            out.problem(i, f"“{col}”的单位“{u}”无法换算为万元")
            return None
        if factor != 1.0:
            out.frame.loc[out.frame.index[i], "_investment_orig"] = f"{num:g}{u}"
            note = f"“{col}”的{u}已换算为万元（原值记入“投资原文”）。"
            if note not in out.notes:
                out.notes.append(note)
            return round(num * factor, 6)
    return num


def integer(v, i, col, kind, out) -> int | None:
    """A cell as an integer or a year (2021年, 2021-05), or None with a problem."""
    if isinstance(v, (_dt.date, _dt.datetime, pd.Timestamp)):
        return int(v.year)
    s = as_text(v)
    if s is None:
        return None
    m = re.match(r"^(\d{4})(?:\.0+)?\s*年?(?:\d{1,2}月.*|[-/.]\d{1,2}.*)?$", s) if kind == "year" else None
    if m:
        return int(m.group(1))
    try:
        f = float(s)
        if f.is_integer():
            return int(f)
    except ValueError:
        pass
    out.problem(i, f"“{col}”应为{'年份' if kind == 'year' else '整数'}，实际为“{s}”")
    return None


def boolean(v, i, col, out) -> bool | None:
    """A cell as yes/no (是/否 and the other words of :func:`xxgeo.vocab.to_bool`), or None with a problem."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    s = as_text(v)
    if s is None:
        return None
    b = to_bool(s)
    if b is None:
        out.problem(i, f"“{col}”应为“是”或“否”，实际为“{s}”")
    return b


