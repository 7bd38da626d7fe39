"""Wide township tables (one column per year, or per indicator) to long rows for ``township_indicators``."""

from __future__ import annotations

import re

import pandas as pd

from .columns import as_text, header_key, split_unit, target_of


def reshape_township_indicators(raw: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Wide township tables to long rows (乡镇, 指标, 年份, 数值, 单位); long tables are returned as they are.

    Two wide layouts are understood: one column per year (``2021``, ``2022年``) beside an 指标 column, and
    one column per indicator (``常住人口(万人)``) beside a 年份 column.
    """
    lay = "township_indicators"
    targets = {c: target_of(lay, c)[0] for c in raw.columns}
    have = set(targets.values())
    if "value" in have:
        return raw, []
    town = next((c for c, t in targets.items() if t == "township_code"), None)
    if town is None:
        return raw, []
    years = {c: int(m.group(1)) for c in raw.columns
             if (m := re.fullmatch(r"((?:19|20)\d\d)(?:年|\.0)?", str(c).strip()))}
    rows = []
    if years and "indicator" in have:
        ind = next(c for c, t in targets.items() if t == "indicator")
        unit = next((c for c, t in targets.items() if t == "unit"), None)
        for _, r in raw.iterrows():
            for c, y in years.items():
                rows.append({"乡镇": r[town], "指标": r[ind], "年份": y, "数值": r[c],
                             "单位": r[unit] if unit else None})
        note = "表格按“每年一列”的宽表读取，已转为每行一个数值。"
    elif "year" in have:
        yc = next(c for c, t in targets.items() if t == "year")
        inds = [c for c, t in targets.items() if t is None and not str(c).startswith("_")
                and header_key(c) not in ("序号", "备注", "no", "编号")]
        for _, r in raw.iterrows():
            for c in inds:
                base, unit = split_unit(c)
                rows.append({"乡镇": r[town], "指标": str(c).split("(")[0].split("（")[0].strip(), "年份": r[yc],
                             "数值": r[c], "单位": unit})
        note = "表格按“每个指标一列”的宽表读取，已转为每行一个数值；列名括号中的是单位。"
    else:
        return raw, []
    long = pd.DataFrame(rows, dtype=object)
    blank = long["数值"].map(lambda v: as_text(v) is None)
    notes = [note]
    if blank.any():
        notes.append(f"{int(blank.sum())} 个空白单元格没有导入（没有数值不记录）。")
    return long[~blank].reset_index(drop=True), notes
