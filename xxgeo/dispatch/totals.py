"""Totals of a month's figures (:func:`xxgeo.dispatch.figures.month_figures`): by township, category, key level,
lead official or responsible unit; the county as a whole; the township ranking; who has not reported.

Money is summed in 万元 over the values reported; a sum over values none of which was reported stays empty
(never 0). A group's completion rate is Σ 本年累计 / Σ 年度计划 over its projects that have a rate (both values
reported, plan not 0), so a project without a plan does not inflate it; ``rated`` says how many those are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..vocab import COUNTY_WIDE, is_blank

#: what a total may be taken by -> the figure column holding the key
GROUPS = {"township": "township_code", "category": "category", "key_level": "key_level",
          "lead_official": "lead_official", "responsible_unit": "responsible_unit"}
SUMMED = ("annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan", "funds_in_place_wan")
TOTAL_COLUMNS = ("key", "label", "projects", "reported", "not_reported", "overdue", *SUMMED, "rated", "rate_pct",
                 "red", "yellow", "green", "not_rated")


LIGHT_KEYS = (("red", "red"), ("yellow", "yellow"), ("green", "green"), ("not_rated", ""))
COUNTS = ("reported", "not_reported", "overdue", "rated", "red", "yellow", "green", "not_rated")


def _grouped(fig: pd.DataFrame, keys) -> pd.DataFrame:
    """The totals of ``fig`` per value of ``keys`` (one vectorised group-by; money summed with ``min_count=1``
    so a group with nothing reported stays empty)."""
    rated = fig["rate_pct"].notna()
    light = fig["light"]
    d = pd.DataFrame({"key": list(keys), "projects": 1, "reported": fig["reported"].astype(int).to_numpy(),
                      "not_reported": (~fig["reported"].astype(bool)).astype(int).to_numpy(),
                      "overdue": fig["overdue"].astype(int).to_numpy(), "rated": rated.astype(int).to_numpy(),
                      **{k: (light == v).astype(int).to_numpy() for k, v in LIGHT_KEYS},
                      "_plan_r": fig["annual_plan_wan"].where(rated).to_numpy(),
                      "_done_r": fig["year_done_wan"].where(rated).to_numpy(),
                      **{c: fig[c].to_numpy(dtype=float) for c in SUMMED}})
    g = d.groupby("key", sort=False).sum(min_count=1)
    g["rate_pct"] = (g["_done_r"] * 100 / g["_plan_r"].where(g["_plan_r"] != 0)).astype(float)
    for c in ("projects", *COUNTS):
        g[c] = g[c].fillna(0).astype(int)
    return g.drop(columns=["_plan_r", "_done_r"])


def summarise(fig: pd.DataFrame) -> dict:
    """The totals of a set of figure rows (a group, or the whole month)."""
    if not len(fig):
        return {"projects": 0, **{c: 0 for c in COUNTS}, **{c: np.nan for c in SUMMED}, "rate_pct": np.nan}
    row = _grouped(fig, [""] * len(fig)).iloc[0]
    return {k: (int(v) if k in ("projects", *COUNTS) else float(v)) for k, v in row.items()}


def overall(fig: pd.DataFrame) -> dict:
    """The month's totals for every project in ``fig``, with its 序时进度 and the gap of the overall rate."""
    out = summarise(fig)
    sched = float(fig["schedule_pct"].iloc[0]) if len(fig) else np.nan
    out["schedule_pct"] = sched
    out["gap_pts"] = out["rate_pct"] - sched if not pd.isna(out["rate_pct"]) else np.nan
    return out


def totals(fig: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per value of ``by`` (a key of :data:`GROUPS`), sorted by label; projects whose value is empty
    are gathered under 未注明 (townships: 全县/未注明)."""
    col = GROUPS[by]
    if not len(fig):
        return pd.DataFrame(columns=list(TOTAL_COLUMNS))
    keys = fig[col].map(lambda v: "" if is_blank(v) else str(v))
    g = _grouped(fig, keys).reset_index()
    if by == "township":
        names = dict(zip(keys, fig["township"]))
        g["label"] = [COUNTY_WIDE if k == "" else str(names.get(k, k)) for k in g["key"]]
    else:
        g["label"] = [k or "未注明" for k in g["key"]]
    out = g.reindex(columns=list(TOTAL_COLUMNS))
    return out.sort_values(["key"], key=lambda s: s.eq("").astype(int).astype(str) + s).reset_index(drop=True)


def township_ranking(fig: pd.DataFrame) -> pd.DataFrame:
    """The townships by completion rate, best first (equal rates share a rank; townships with no rate last,
    unranked), with their totals; county-wide projects are not a township and are left out."""
    t = totals(fig, "township")
    t = t[t["key"] != ""].copy()
    t["gap_pts"] = t["rate_pct"] - (float(fig["schedule_pct"].iloc[0]) if len(fig) else np.nan)
    t = t.sort_values(["rate_pct", "label"], ascending=[False, True], na_position="last")
    t["rank"] = t["rate_pct"].rank(method="min", ascending=False).astype("Int64")
    return t.reset_index(drop=True)


def not_reported(fig: pd.DataFrame) -> pd.DataFrame:
    """The projects whose report for the month is not in (none, a draft or returned), overdue first, by
    township and name."""
    out = fig[~fig["reported"]]
    return out.sort_values(["overdue", "township", "name"], ascending=[False, True, True]).reset_index(drop=True)
