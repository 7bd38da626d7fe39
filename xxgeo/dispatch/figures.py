"""The month's figures of each key project: completion rate, 序时进度, gap and the warning light with its reasons.

Pure functions of the ``projects``, ``progress`` (and optionally ``problems`` and ``townships``) frames with the
columns of DESIGN.md section 3. Definitions (docs/DISPATCH.md):

- 完成率 (completion rate, %) = 本年累计完成 ``year_done_wan`` / 年度计划投资 ``annual_plan_wan`` × 100; empty, with
  the reason, when either is not reported or the plan is 0 (never taken as 0);
- 序时进度 (share of the year elapsed, %) = month / 12 × 100;
- 进度差 (gap, percentage points) = 完成率 − 序时进度; the lights are judged on the gap as shown (one decimal);
- the light (:mod:`xxgeo.dispatch.rules`): ``red``, ``yellow``, ``green``, or ``""`` (未评定, not rated: no
  rule fired and there is no rate to judge, e.g. the plan was not reported).
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from ..errors import DispatchError
from ..i18n import tr
from ..vocab import COUNTY_WIDE, is_blank, status_text
from .rules import Rules, as_date, local_today, month_parts, month_start, next_month, parse_month, report_due

#: the project fields a figure row carries (missing columns read as empty)
PROJECT_COLUMNS = ("project_id", "name", "township_code", "category", "key_level", "lead_official",
                   "responsible_unit", "stage", "planned_start")
#: the progress fields a figure row carries
PROGRESS_COLUMNS = ("annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan", "physical_progress",
                    "funds_in_place_wan", "in_statistics", "note", "state")
MONEY = ("annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan", "funds_in_place_wan")
LIGHTS = ("red", "yellow", "green", "")
LIGHT_ZH = {"red": "红", "yellow": "黄", "green": "绿", "": "未评定"}
LIGHT_EN = {"red": "red", "yellow": "yellow", "green": "green", "": "not rated"}
LIGHT_COLOURS = {"red": "#d7191c", "yellow": "#f0b400", "green": "#1a9641", "": "#9e9e9e"}


def light_text(light: str, lang: str = "zh") -> str:
    """红 / 黄 / 绿 / 未评定 (English: red / yellow / green / not rated)."""
    return (LIGHT_EN if lang == "en" else LIGHT_ZH).get(light or "", light)


def shown(x: float) -> float:
    """``x`` rounded to one decimal, half away from zero (as Excel's ``0.0`` shows it), float noise absorbed."""
    return float(np.sign(x) * np.floor(abs(x) * 10 + 0.5 + 1e-9) / 10)


def completion_rate(year_done, annual_plan) -> tuple[float | None, str | None]:
    """(rate in %, None), or (None, why) with why one of ``no_plan``, ``zero_plan``, ``no_done``."""
    if is_blank(annual_plan):
        return None, "no_plan"
    if float(annual_plan) == 0:
        return None, "zero_plan"
    if is_blank(year_done):
        return None, "no_done"
    return float(year_done) * 100 / float(annual_plan), None


def schedule_pct(month: str) -> float:
    """序时进度 of ``month`` in %: month / 12 × 100 (March 25.0, December 100.0)."""
    return month_parts(month)[1] * 100 / 12


def gap_points(rate: float | None, schedule: float) -> float | None:
    """进度差 in percentage points (empty when there is no rate)."""
    return None if rate is None else rate - schedule


def light_for_gap(gap: float | None, rules: Rules | None = None) -> str:
    """The light the gap alone gives: red at or below ``rules.red_gap``, yellow at or below ``rules.yellow_gap``,
    green above, ``""`` for no gap; judged on the gap as shown (one decimal)."""
    rules = rules or Rules()
    if gap is None or pd.isna(gap):
        return ""
    g = shown(gap)
    return "red" if g <= rules.red_gap else "yellow" if g <= rules.yellow_gap else "green"


def parse_day(value) -> _dt.date | None:
    """A date from ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY-MM`` (its first day), a date or a timestamp; None when
    empty or unreadable (validation reports those)."""
    if is_blank(value):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    s = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return _dt.date.fromisoformat(s[:10]) if len(s) >= 10 else month_start(s)
    except (ValueError, TypeError, DispatchError):
        return None


def _frame(df, columns) -> pd.DataFrame:
    out = pd.DataFrame(df.drop(columns="geometry", errors="ignore")) if df is not None else pd.DataFrame()
    for c in columns:
        if c not in out.columns:
            out[c] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return out


def open_problems(problems, month: str) -> dict:
    """project_id -> [(text, needs)] of the problems open at the end of ``month``: raised in it or before, and not
    resolved (or resolved only later)."""
    if problems is None or not len(problems):
        return {}
    p = _frame(problems, ("project_id", "raised_month", "text", "needs", "status", "resolved_at"))
    raised = p["raised_month"].astype(str).str.slice(0, 7)
    after = month_start(next_month(month)).isoformat()
    resolved_later = p["resolved_at"].astype(str).str.slice(0, 10) >= after
    still = (p["status"].astype(str).str.strip().str.lower() != "resolved") | (
        p["resolved_at"].notna() & resolved_later)
    keep = p[(raised <= month) & still & p["text"].notna()]
    out: dict = {}
    for pid, text, needs in zip(keep["project_id"], keep["text"], keep["needs"]):
        out.setdefault(str(pid), []).append((str(text), None if is_blank(needs) else str(needs)))
    return out


def month_figures(projects, progress, month: str, *, today=None, rules: Rules | None = None, townships=None,
                  problems=None) -> pd.DataFrame:
    """One row per project in the 调度 of ``month`` (a key level, or a report row this year up to the month):
    its fields, the month's reported values (empty when not reported), ``reported``, ``overdue``, ``rate_pct``,
    ``rate_why`` (no_plan / zero_plan / no_done / no_report), ``schedule_pct``, ``gap_pts``, ``light`` and its
    ``reasons_zh`` / ``reasons_en``, ``township`` (name) and ``problems`` / ``problems_en`` (the open problems with
    what needs co-ordination, as text).

    ``today`` (a date or datetime; default now in Asia/Shanghai) decides what is overdue; ``rules`` default to
    the county profile's rules file."""
    from .rules import load_rules

    month = parse_month(month)
    rules = rules or load_rules()
    today = local_today(rules) if today is None else as_date(today, rules)
    proj = _frame(projects, PROJECT_COLUMNS)
    prog = _frame(progress, ("project_id", "month", *PROGRESS_COLUMNS))
    proj["project_id"] = proj["project_id"].astype(str)
    prog["project_id"] = prog["project_id"].astype(str)
    pm = prog["month"].astype(str).str.strip()
    this_year = prog.loc[(pm.str.slice(0, 4) == month[:4]) & (pm <= month), "project_id"]
    scope = pd.Series(False, index=proj.index)
    if rules.scope_key_level:
        scope |= proj["key_level"].map(lambda v: not is_blank(v))
    if rules.scope_progress_rows:
        scope |= proj["project_id"].isin(set(this_year))
    f = proj.loc[scope, list(PROJECT_COLUMNS)].drop_duplicates("project_id")
    rows = prog.loc[pm == month, ["project_id", *PROGRESS_COLUMNS]].drop_duplicates("project_id", keep="last")
    f = f.merge(rows.assign(_row=True), on="project_id", how="left").reset_index(drop=True)
    for c in MONEY:
        f[c] = pd.to_numeric(f[c], errors="coerce").astype(float)
    state = f["state"].map(lambda s: "" if is_blank(s) else str(s).strip().lower())
    f["reported"] = f["_row"].eq(True) & ~state.isin({s.lower() for s in rules.not_reported_states})
    due = report_due(month, rules)
    f["overdue"] = ~f["reported"] & (today > due)
    plan, done = f["annual_plan_wan"], f["year_done_wan"]
    ok = f["reported"] & plan.notna() & (plan != 0) & done.notna()
    f["rate_pct"] = np.where(ok, done * 100 / plan.where(plan != 0, np.nan), np.nan)
    f["rate_why"] = np.select([~f["reported"], plan.isna(), plan == 0, done.isna()],
                              ["no_report", "no_plan", "zero_plan", "no_done"], default="")
    f["schedule_pct"] = schedule_pct(month)
    f["gap_pts"] = f["rate_pct"] - f["schedule_pct"]
    ref = min(today, month_start(next_month(month)))
    stages = set(rules.not_started_stages)
    starts = f["planned_start"].map(parse_day)
    f["not_started"] = [s in stages and d is not None and d < ref for s, d in zip(f["stage"], starts)]
    gap_light = f["gap_pts"].map(lambda g: light_for_gap(g, rules))
    red = (gap_light == "red") | f["not_started"] | f["overdue"]
    f["light"] = np.where(red, "red", gap_light)
    _reasons(f, month, due, rules)
    names = {} if townships is None else dict(zip(townships["code"].astype(str), townships["name"].astype(str)))
    f["township"] = f["township_code"].map(lambda c: COUNTY_WIDE if is_blank(c) else names.get(str(c), str(c)))
    probs = open_problems(problems, month)
    for col, lang, sep in (("problems", "zh", "；"), ("problems_en", "en", "; ")):
        f[col] = f["project_id"].map(lambda p, lang=lang, sep=sep: sep.join(
            t + (tr("dispatch_figures.needs", lang, needs=n) if n else "") for t, n in probs.get(p, [])) or None)
    return f.drop(columns="_row")


def _fmt(x: float) -> str:
    return f"{shown(x):+.1f}"


def _reasons(f: pd.DataFrame, month: str, due: _dt.date, rules: Rules) -> None:
    """Fill ``reasons_zh`` / ``reasons_en``: every rule that fired, or why the light is green / not rated."""
    zh_all, en_all = [], []
    mon = f"{month}"
    for gap, light, ns, stage, start, overdue, reported, why in zip(
            f["gap_pts"], f["light"], f["not_started"], f["stage"], f["planned_start"], f["overdue"],
            f["reported"], f["rate_why"]):
        keys: list = []
        if not pd.isna(gap):
            g = shown(gap)
            kw = {"gap": _fmt(gap), "red": f"{rules.red_gap:g}",
                  "yellow": f"{rules.yellow_gap:g}"}
            if g <= rules.red_gap:
                keys.append(("gap_red", kw))
            elif g <= rules.yellow_gap:
                keys.append(("gap_yellow", kw))
            elif light == "green":
                keys.append(("gap_green", kw))
        if ns:
            keys.append(("not_started", {"date": str(start), "stage": stage, "stage_en": status_text(stage, "en")}))
        if overdue:
            keys.append(("overdue", {"month": mon, "due": due.isoformat()}))
        elif not reported:
            keys.append(("pending", {"month": mon, "due": due.isoformat()}))
        if reported and why:
            keys.append((f"rate_{why}", {}))
        zh_all.append("；".join(_say(k, "zh", kw) for k, kw in keys))
        en_all.append("; ".join(_say(k, "en", kw) for k, kw in keys))
    f["reasons_zh"], f["reasons_en"] = zh_all, en_all


def _say(key: str, lang: str, kw: dict) -> str:
    kw = dict(kw)
    if lang == "en" and "stage_en" in kw:
        kw["stage"] = kw["stage_en"]
    return tr(f"dispatch_figures.{key}", lang, **kw)
