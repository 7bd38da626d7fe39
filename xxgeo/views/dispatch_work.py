"""The 调度 view's writing parts: a month filled in an editable table and submitted (a township head: their own
township's projects), the bureau's approve / return, problems raised and closed out. Every write goes through
:class:`xxgeo.policy.GuardedStore` (``ctx.store``), which decides who may do what."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..errors import XxgeoError
from ..policy import WRITERS
from ..policy_dispatch import state_text
from ..textsafe import md
from ..vocab import is_blank, local_time, not_stated
from .dispatch_photos import flash, photo_form, popup_thumbs, show_flash, timeline
from .errors import show_error

__all__ = ["flash", "popup_thumbs", "show_flash"]

#: the report values a reporter fills in (money in 万元)
MONEY = ("annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan", "funds_in_place_wan")
TEXT = ("physical_progress", "note")
EDITABLE = MONEY + TEXT
HEADS = {"annual_plan_wan": "c_plan", "month_done_wan": "c_month_done", "year_done_wan": "c_done",
         "total_done_wan": "c_total_done", "funds_in_place_wan": "c_funds", "physical_progress": "c_physical",
         "note": "c_note"}


def t(ctx, key: str, **kw) -> str:
    """A ``[dispatch_view]`` string in the page's language."""
    return ctx.t(f"dispatch_view.{key}", **kw)


def _written(ctx) -> None:
    ctx.reload()
    st.rerun()


def _same(a, b) -> bool:
    if is_blank(a) and is_blank(b):
        return True
    if is_blank(a) or is_blank(b):
        return False
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def changed_values(before: pd.DataFrame, after: pd.DataFrame) -> dict:
    """project_id -> {field: new value} for the cells of :data:`EDITABLE` the user changed (rows by position)."""
    out: dict = {}
    for i in range(min(len(before), len(after))):
        b, a = before.iloc[i], after.iloc[i]
        diff = {f: (None if is_blank(a[f]) else a[f]) for f in EDITABLE if not _same(b[f], a[f])}
        if diff:
            out[str(b["project_id"])] = diff
    return out


def month_rows(ctx, month: str, fig: pd.DataFrame, own: str | None) -> pd.DataFrame:
    """The projects to report on in ``month`` with their stored values, state and version: the month's 调度
    projects (a township head's own; when their township has no key project, all its projects)."""
    ds = ctx.dataset
    proj = ds["projects"].drop(columns="geometry", errors="ignore")
    ids = fig["project_id"].astype(str).tolist()
    mine = proj[proj["township_code"].astype(str) == own] if own else proj.iloc[:0]
    if own and not mine.get("key_level", pd.Series(dtype=object)).map(lambda v: not is_blank(v)).any():
        ids = list(dict.fromkeys([*ids, *mine["project_id"].astype(str)]))  # no key projects: all its own, also
        # after the first of them is saved (the month's scope would then hold only the saved ones)
    base = proj[proj["project_id"].astype(str).isin(ids)][["project_id", "name"]].copy()
    base["project_id"] = base["project_id"].astype(str)
    prog = ds.get("progress")
    cols = ["project_id", *EDITABLE, "state", "version"]
    if prog is None or not len(prog):
        rows = pd.DataFrame(columns=cols)
    else:
        rows = prog[prog["month"].astype(str) == month].drop(columns="geometry", errors="ignore")
        rows = rows.reindex(columns=cols).assign(project_id=lambda d: d["project_id"].astype(str))
    out = base.merge(rows, on="project_id", how="left")
    for c in MONEY:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in TEXT:
        out[c] = out[c].map(lambda v: None if is_blank(v) else str(v)).astype(object)
    out["state"] = out["state"].map(lambda s: "" if is_blank(s) else str(s))
    return out.sort_values("project_id").reset_index(drop=True)


def report_panel(ctx, month: str, fig: pd.DataFrame, own: str | None) -> None:
    """The editable table of the month (save, then submit) and the photo upload."""
    if ctx.actor.role not in WRITERS and ctx.actor.role != "township":
        return
    rows = month_rows(ctx, month, fig, own)
    if not len(rows):
        st.caption(t(ctx, "report_none"))
        return
    st.caption(t(ctx, "report_intro", month=month))
    shown = rows.copy()
    shown["state"] = shown["state"].map(lambda s: state_text(s, ctx.lang))
    config = {"project_id": st.column_config.TextColumn(t(ctx, "c_id"), disabled=True),
              "name": st.column_config.TextColumn(t(ctx, "c_project"), disabled=True),
              "state": st.column_config.TextColumn(t(ctx, "c_state"), disabled=True),
              "version": None}
    for f in MONEY:
        config[f] = st.column_config.NumberColumn(t(ctx, HEADS[f]), min_value=0.0, format="%.1f")
    for f in TEXT:
        config[f] = st.column_config.TextColumn(t(ctx, HEADS[f]), max_chars=500)
    edited = st.data_editor(shown[["project_id", "name", "state", *EDITABLE, "version"]], column_config=config,
                            hide_index=True, num_rows="fixed", width="stretch", key=f"dp_edit_{month}",
                            placeholder=not_stated(ctx.lang))  # an empty cell reads 未注明, never "None"
    pending = changed_values(rows, edited)
    if pending:  # what 保存 will write, counted as the server has it
        st.caption(t(ctx, "pending", n=len(pending), cells=sum(map(len, pending.values()))))
    c1, c2 = st.columns(2)
    if c1.button(t(ctx, "save"), key="dp_save", type="primary"):
        save_rows(ctx, month, rows, edited)
    if c2.button(t(ctx, "submit"), key="dp_submit"):
        submit_rows(ctx, month, rows)
    photo_form(ctx, month, rows)


def save_rows(ctx, month: str, rows: pd.DataFrame, edited: pd.DataFrame) -> None:
    """Save every changed row (one guarded save each); refusals are said one sentence each."""
    changes = changed_values(rows, edited)
    if not changes:
        st.info(t(ctx, "nothing_changed"))
        return
    versions = dict(zip(rows["project_id"], rows["version"]))
    done = 0
    for pid, values in changes.items():
        v = versions.get(pid)
        try:
            ctx.store.save_progress(pid, month, values, expected_version=0 if is_blank(v) else int(v))
            done += 1
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
    if done:
        flash(ctx, t(ctx, "saved", n=done, month=month))
        _written(ctx)


def submit_rows(ctx, month: str, rows: pd.DataFrame) -> None:
    """Submit the month's drafts and returned reports of the rows shown."""
    todo = rows[rows["state"].isin(["draft", "returned"])]["project_id"].tolist()
    if not todo:
        st.info(t(ctx, "nothing_to_submit"))
        return
    done = 0
    for pid in todo:
        try:
            ctx.store.transition_progress(pid, month, "submit")
            done += 1
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
    if done:
        flash(ctx, t(ctx, "submitted", n=done))
        _written(ctx)


def review_panel(ctx, month: str, fig: pd.DataFrame) -> None:
    """The bureau's review: approve a submitted report, or return it (or an approved one) with a comment."""
    prog = ctx.dataset.get("progress")
    if prog is None or not len(prog):
        st.caption(t(ctx, "review_none"))
        return
    rows = prog[(prog["month"].astype(str) == month) & prog["state"].isin(["submitted", "approved"])]
    if not len(rows):
        st.caption(t(ctx, "review_none"))
        return
    names = dict(zip(fig["project_id"].astype(str), fig["name"].astype(str)))
    st.dataframe(pd.DataFrame({
        t(ctx, "c_id"): rows["project_id"].astype(str),
        t(ctx, "c_project"): rows["project_id"].astype(str).map(lambda p: names.get(p, "")),
        t(ctx, "c_state"): rows["state"].map(lambda s: state_text(s, ctx.lang)),
        t(ctx, "c_plan"): rows["annual_plan_wan"], t(ctx, "c_done"): rows["year_done_wan"],
        t(ctx, "c_reported_at"): rows["reported_at"].map(local_time),
    }), hide_index=True, width="stretch", key="dp_review_table")
    ids = rows["project_id"].astype(str).tolist()
    states = dict(zip(ids, rows["state"]))
    pid = st.selectbox(t(ctx, "review_pick"), ids, key="dp_review_pick",
                       format_func=lambda p: f"{p} {names.get(p, '')} · {state_text(states[p], ctx.lang)}")
    comment = st.text_input(t(ctx, "comment"), key="dp_review_comment", max_chars=500)
    c1, c2 = st.columns(2)
    action = "approve" if c1.button(t(ctx, "approve"), key="dp_approve", type="primary") else \
        "return" if c2.button(t(ctx, "return"), key="dp_return") else None
    if action:
        try:
            state = ctx.store.transition_progress(pid, month, action, comment)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        flash(ctx, t(ctx, "reviewed", rid=f"{pid}/{month}", state=state_text(state, ctx.lang)))
        _written(ctx)


def open_problem_rows(ctx, fig: pd.DataFrame, own: str | None) -> pd.DataFrame:
    """The open problems of the projects in view (a township head: their own township's)."""
    p = ctx.dataset.get("problems")
    if p is None or not len(p):
        return pd.DataFrame(columns=["problem_id", "project_id", "raised_month", "text", "needs", "owner_unit", "due"])
    p = p[p["status"].astype(str) != "resolved"]
    if own is not None:
        proj = ctx.dataset["projects"]
        mine = set(proj.loc[proj["township_code"].astype(str) == own, "project_id"].astype(str))
        p = p[p["project_id"].astype(str).isin(mine)]
    return p.sort_values("problem_id").reset_index(drop=True)


def problems_panel(ctx, month: str, fig: pd.DataFrame, own: str | None) -> None:
    """The open problems; editors close one out with a resolution; reporters raise a new one."""
    p = open_problem_rows(ctx, fig, own)
    if not len(p):
        st.caption(t(ctx, "no_open_problems"))
    else:
        st.dataframe(pd.DataFrame({
            t(ctx, "c_id"): p["problem_id"].astype(str), t(ctx, "c_problem"): p["text"].astype(str),
            t(ctx, "c_needs"): p["needs"].map(lambda v: "" if is_blank(v) else str(v)),
            t(ctx, "c_unit"): p["owner_unit"].map(lambda v: "" if is_blank(v) else str(v)),
            t(ctx, "c_raised"): p["raised_month"].astype(str),
            t(ctx, "c_due"): p["due"].map(lambda v: "" if is_blank(v) else str(v)),
        }), hide_index=True, width="stretch", key="dp_problems")
        if ctx.actor.role in WRITERS:
            _resolve_form(ctx, p)
    if ctx.actor.role in WRITERS or ctx.actor.role == "township":
        _problem_form(ctx, month, fig, own)


def _resolve_form(ctx, p: pd.DataFrame) -> None:
    texts = dict(zip(p["problem_id"].astype(str), p["text"].astype(str)))
    with st.form("dp_resolve_form", clear_on_submit=True):
        qid = st.selectbox(t(ctx, "resolve_pick"), list(texts), format_func=lambda q: f"{q} {texts[q][:40]}",
                           key="dp_resolve_pick")
        how = st.text_input(t(ctx, "resolution"), key="dp_resolution", max_chars=500)
        go = st.form_submit_button(t(ctx, "resolve"))
    if go:
        try:
            ctx.store.resolve_problem(qid, how)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        flash(ctx, t(ctx, "resolved", qid=qid))
        _written(ctx)


def _problem_form(ctx, month: str, fig: pd.DataFrame, own: str | None) -> None:
    rows = month_rows(ctx, month, fig, own)
    if not len(rows):
        return
    names = dict(zip(rows["project_id"], rows["name"].astype(str)))
    st.markdown(t(ctx, "add_problem"))
    with st.form("dp_problem_form", clear_on_submit=True):
        pid = st.selectbox(t(ctx, "problem_project"), list(names), format_func=lambda q: f"{q} {names[q]}",
                           key="dp_problem_project")
        text = st.text_input(t(ctx, "problem_text"), key="dp_problem_text", max_chars=500)
        needs = st.text_input(t(ctx, "problem_needs"), key="dp_problem_needs", max_chars=500)
        unit = st.text_input(t(ctx, "problem_unit"), key="dp_problem_unit", max_chars=200)
        go = st.form_submit_button(t(ctx, "problem_add"))
    if go:
        try:
            qid = ctx.store.add_problem(pid, month, text, needs, unit)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        flash(ctx, t(ctx, "problem_added", qid=md(qid)))
        _written(ctx)


def photo_timeline(ctx, project_id: str) -> None:
    """The project's photos, newest first (the re-encoded thumbnails kept in the store)."""
    timeline(ctx, project_id)
