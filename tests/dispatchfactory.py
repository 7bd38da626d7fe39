"""Test frames for the 调度 figures: projects with the dispatch fields and progress/problem rows with exactly the
columns of DESIGN.md section 3 (made here, never put in the default store: nothing invented)."""

from __future__ import annotations

import pandas as pd

PROGRESS_COLUMNS = ("project_id", "month", "annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan",
                    "physical_progress", "funds_in_place_wan", "in_statistics", "note", "state", "reported_by",
                    "reported_at", "reviewed_by", "reviewed_at", "review_comment")
PROBLEM_COLUMNS = ("problem_id", "project_id", "raised_month", "text", "needs", "owner_unit", "due", "status",
                   "resolved_at", "resolution")


def project(pid: str, **kw) -> dict:
    """One project row; a key level so it is in the 调度 (override with key_level=None)."""
    row = {"project_id": pid, "name": f"项目{pid}", "township_code": None, "category": "工业",
           "key_level": "县级重点", "lead_official": None, "responsible_unit": None, "stage": "续建",
           "planned_start": None, "investment_wan": None}
    row.update(kw)
    return row


def projects(*rows: dict) -> pd.DataFrame:
    """A projects frame of the rows given."""
    return pd.DataFrame(list(rows))


def report(pid: str, month: str, plan=None, done=None, month_done=None, **kw) -> dict:
    """One progress row (state approved unless given)."""
    row = {c: None for c in PROGRESS_COLUMNS}
    row.update(project_id=pid, month=month, annual_plan_wan=plan, year_done_wan=done, month_done_wan=month_done,
               state="approved")
    row.update(kw)
    return row


def progress(*rows: dict) -> pd.DataFrame:
    """A progress frame with every column of the layer."""
    return pd.DataFrame(list(rows), columns=list(PROGRESS_COLUMNS))


def problems(*rows: dict) -> pd.DataFrame:
    """A problems frame with every column of the layer."""
    full = [{**{c: None for c in PROBLEM_COLUMNS}, **r} for r in rows]
    return pd.DataFrame(full, columns=list(PROBLEM_COLUMNS))
