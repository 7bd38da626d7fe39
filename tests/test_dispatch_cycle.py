"""The monthly 调度 cycle in the store and the policy (issue 12), on both backends: the data model, who may
report, submit, review and resolve, the lock of an approved month, audit, undo, backups and exports."""

from __future__ import annotations

import json
import math

import pytest
from dispatchkit import BUREAU, HEAD, OTHER, OWN, guarded, own_projects, snapshot

from xxgeo.dispatch.stages import stage_history
from xxgeo.edits import undo_last
from xxgeo.errors import NotFound, PermissionDenied, StaleEdit, ValidationFailed
from xxgeo.policy import PUBLIC, operator
from xxgeo.schema import LAYERS
from xxgeo.store import open_store

M = "2026-03"
PROGRESS_COLUMNS = ["project_id", "month", "annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan",
                    "physical_progress", "funds_in_place_wan", "in_statistics", "note", "state", "reported_by",
                    "reported_at", "reviewed_by", "reviewed_at", "review_comment"]
PROBLEM_COLUMNS = ["problem_id", "project_id", "raised_month", "text", "needs", "owner_unit", "due", "status",
                   "resolved_at", "resolution"]
NEW_PROJECT_FIELDS = ["project_code", "stage", "key_level", "lead_official", "responsible_unit", "planned_start",
                      "planned_finish"]


def _row(store, rid):
    df = store.read("progress")
    return df[df["progress_id"] == rid].iloc[0]


def test_the_default_store_reports_nothing(store_copy):
    """The plan states no progress, codes, stages or officials: nothing is invented."""
    assert len(store_copy.read("progress")) == 0 and len(store_copy.read("problems")) == 0
    p = store_copy.read("projects")
    assert all(p[f].isna().all() for f in NEW_PROJECT_FIELDS)
    assert set(PROGRESS_COLUMNS) <= set(LAYERS["progress"].field_names)
    assert set(PROBLEM_COLUMNS) <= set(LAYERS["problems"].field_names)
    assert all(c in store_copy.read("progress").columns for c in PROGRESS_COLUMNS)


def test_a_month_goes_round_the_cycle(any_store):
    head, bureau = guarded(any_store, HEAD), guarded(any_store, BUREAU)
    rid = f"{OWN}/{M}"
    assert head.save_progress(OWN, M, {"annual_plan_wan": "5,000", "year_done_wan": 1200, "in_statistics": "是"}) == 1
    row = _row(any_store, rid)
    assert row["state"] == "draft" and row["reported_by"] == "zhang" and row["year_done_wan"] == 1200
    assert math.isnan(row["month_done_wan"]) and math.isnan(row["total_done_wan"])  # not reported: empty, not 0
    assert bool(row["in_statistics"]) is True
    assert head.save_progress(OWN, "2026年3月", {"month_done_wan": "300万元"}, expected_version=1) == 2
    assert head.transition_progress(OWN, M, "submit") == "submitted"
    with pytest.raises(PermissionDenied, match="等待规划局审核"):
        head.save_progress(OWN, M, {"month_done_wan": 1})
    with pytest.raises(PermissionDenied, match="只有规划局编辑"):
        head.transition_progress(OWN, M, "approve")
    with pytest.raises(ValidationFailed, match="原因"):
        bureau.transition_progress(OWN, M, "return")
    assert bureau.transition_progress(OWN, M, "return", comment="本年累计与本月不符") == "returned"
    row = _row(any_store, rid)
    assert (row["reviewed_by"], row["review_comment"]) == ("li", "本年累计与本月不符")
    head.save_progress(OWN, M, {"year_done_wan": 1500})
    assert _row(any_store, rid)["state"] == "draft"  # a returned month saved again is a draft
    head.transition_progress(OWN, M, "submit")
    assert bureau.transition_progress(OWN, M, "approve") == "approved"
    with pytest.raises(PermissionDenied, match="锁定"):
        head.save_progress(OWN, M, {"year_done_wan": 1})
    with pytest.raises(PermissionDenied):
        head.transition_progress(OWN, M, "submit")
    bureau.save_progress(OWN, M, {"note": "编辑更正"})  # an editor may correct an approved month
    row = _row(any_store, rid)
    assert row["state"] == "approved" and row["note"] == "编辑更正" and row["year_done_wan"] == 1500
    steps = [(e.user, e.action, json.loads(e.after).get("state")) for e in any_store.audit_entries()
             if e.layer == "progress"]
    # the new month's insert records its first state (draft), then the township's second save (a draft again) …
    assert [s for _, _, s in steps if s] == ["draft", "draft", "submitted", "returned", "draft", "submitted",
                                             "approved"]
    assert steps[0][1] == "insert"
    assert {u for u, _, _ in steps} == {"zhang", "li"}
    assert any_store.validate().ok


def test_a_township_head_cannot_touch_another_townships_project(any_store):
    head = guarded(any_store, HEAD)
    guarded(any_store, BUREAU).save_progress(OTHER, M, {"year_done_wan": 10})
    before = snapshot(any_store)
    for call in (lambda: head.save_progress(OTHER, M, {"year_done_wan": 1}),
                 lambda: head.save_progress(OTHER, "2026-04", {"year_done_wan": 1}),
                 lambda: head.transition_progress(OTHER, M, "submit"),
                 lambda: head.add_problem(OTHER, M, "征地")):
        with pytest.raises(PermissionDenied, match="不属于您所在的乡镇"):
            call()
    with pytest.raises(PermissionDenied):  # nor by the plain edit route
        head.update_feature("progress", f"{OTHER}/{M}", {"year_done_wan": 1})
    assert snapshot(any_store) == before


def test_roles_and_routes(any_store):
    head, bureau = guarded(any_store, HEAD), guarded(any_store, BUREAU)
    for call in (lambda: guarded(any_store, PUBLIC).save_progress(OWN, M, {"year_done_wan": 1}),
                 lambda: guarded(any_store, PUBLIC).add_problem(OWN, M, "x")):
        with pytest.raises(PermissionDenied):
            call()
    bureau.save_progress(OWN, "2026-01", {"year_done_wan": 1})
    for who in (bureau, guarded(any_store, operator("root"))):  # reports change only through the cycle
        with pytest.raises(PermissionDenied, match="调度"):
            who.update_feature("progress", f"{OWN}/2026-01", {"state": "approved"})
    with pytest.raises(PermissionDenied, match="包联领导"):
        head.update_feature("projects", OWN, {"lead_official": "王副县长"})
    bureau.update_feature("projects", OWN, {"lead_official": "王副县长", "key_level": "市级重点", "stage": "前期"})
    head.update_feature("projects", OWN, {"stage": "新开工", "planned_start": "2026-04-01"})
    with pytest.raises(ValidationFailed):
        bureau.update_feature("projects", OWN, {"planned_finish": "2026-02-30"})
    with pytest.raises(ValidationFailed):
        bureau.update_feature("projects", OWN, {"project_code": "2101-14-04"})
    with pytest.raises(NotFound):
        head.save_progress("XM9999", M, {"year_done_wan": 1})
    with pytest.raises(ValidationFailed, match="负数"):
        head.save_progress(OWN, M, {"year_done_wan": -5})
    with pytest.raises(ValidationFailed, match="月份"):
        head.save_progress(OWN, "2026-13", {"year_done_wan": 5})
    with pytest.raises(ValidationFailed, match="没有字段"):
        head.save_progress(OWN, M, {"state": "approved"})
    with pytest.raises(NotFound, match="还没有月报"):
        head.transition_progress(OWN, M, "submit")
    with pytest.raises(StaleEdit):
        head.save_progress(OWN, M, {"year_done_wan": 5}, expected_version=3)
    head.save_progress(OWN, M, {"year_done_wan": 5}, expected_version=0)
    with pytest.raises(StaleEdit):
        head.save_progress(OWN, M, {"year_done_wan": 6}, expected_version=7)


def test_the_stage_history_is_in_the_audit(any_store):
    bureau = guarded(any_store, BUREAU)
    bureau.update_feature("projects", OWN, {"stage": "前期"})
    bureau.update_feature("projects", OWN, {"stage": "新开工"})
    changes = [(e.at, json.loads(e.before).get("stage"), json.loads(e.after)["stage"])
               for e in any_store.audit_entries() if e.feature_id == OWN and "stage" in (e.after or "")]
    assert [(b, a) for _, b, a in changes] == [(None, "前期"), ("前期", "新开工")] and all(t for t, _, _ in changes)
    hist = stage_history(any_store.audit_entries(), OWN)
    assert hist[["previous", "stage", "user"]].values.tolist() == [[None, "前期", "li"], ["前期", "新开工", "li"]]
    assert all(hist["at_local"].str.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))


def test_problems_open_and_close(any_store):
    head, bureau = guarded(any_store, HEAD), guarded(any_store, BUREAU)
    qid = head.add_problem(OWN, M, "征地拆迁未完成", needs="协调自然资源局", owner_unit="自然资源局", due="2026/4/30")
    assert qid == f"{OWN}/{M}/1"
    assert head.add_problem(OWN, M, "电力接入") == f"{OWN}/{M}/2"
    p = any_store.read("problems").set_index("problem_id").loc[qid]
    assert (p["status"], p["due"], p["raised_by"]) == ("open", "2026-04-30", "zhang")
    with pytest.raises(PermissionDenied, match="只有规划局编辑"):
        head.resolve_problem(qid, "已解决")
    with pytest.raises(ValidationFailed):
        bureau.resolve_problem(qid, "  ")
    bureau.resolve_problem(qid, "已完成征地")
    p = any_store.read("problems").set_index("problem_id").loc[qid]
    assert (p["status"], p["resolution"], p["resolved_by"]) == ("resolved", "已完成征地", "li") and p["resolved_at"]
    with pytest.raises(PermissionDenied, match="已于"):
        bureau.resolve_problem(qid, "again")
    with pytest.raises(ValidationFailed, match="日期"):
        head.add_problem(OWN, M, "x", due="下个月")
    assert any_store.validate().ok


def test_undo_backups_and_exports_carry_the_reports(any_store, tmp_path):
    from xxgeo.export import export_layer, write

    bureau = guarded(any_store, BUREAU)
    a, b = own_projects(any_store)
    bureau.save_progress(a, M, {"year_done_wan": 100})
    bureau.save_progress(a, M, {"year_done_wan": 120})
    undo_last(bureau, user="li")  # the edit of an existing month is a feature edit: reverted
    assert _row(any_store, f"{a}/{M}")["year_done_wan"] == 100
    bureau.save_progress(b, M, {"year_done_wan": 7})
    undo_last(bureau, user="li")  # a new month is a row insert: its undo removes the row
    assert set(any_store.read("progress")["progress_id"]) == {f"{a}/{M}"}
    bureau.add_problem(a, M, "用地")
    saved = any_store.backup("test")
    guarded(any_store, BUREAU).resolve_problem(f"{a}/{M}/1", "好了")
    any_store.restore(saved)
    assert any_store.read("problems")["status"].tolist() == ["open"]
    assert len(open_store(any_store.location).read("progress")) == 1
    for fmt in ("xlsx", "csv"):
        res = export_layer(bureau, "progress", fmt)
        assert res.rows == 1
        assert write(res, tmp_path / f"p.{fmt}").stat().st_size > 0
    with pytest.raises(Exception, match="内部"):
        export_layer(guarded(any_store, HEAD), "progress", "csv", public_only=True)


def test_a_months_table_is_saved_in_one_transaction(any_store):
    head = guarded(any_store, HEAD)
    a, b = own_projects(any_store)
    assert head.save_progress_table(M, {a: {"year_done_wan": 10}, b: {"year_done_wan": "20", "note": "开工"}},
                                    expected_versions={a: 0, b: 0}) == {a: 1, b: 1}
    assert head.save_progress_table(M, {a: {"year_done_wan": None}}) == {a: 2}  # a blank clears: not reported
    assert math.isnan(_row(any_store, f"{a}/{M}")["year_done_wan"])
    before = snapshot(any_store)
    with pytest.raises(PermissionDenied, match="不属于您所在的乡镇"):  # one row refused: nothing saved
        head.save_progress_table(M, {a: {"year_done_wan": 1}, OTHER: {"year_done_wan": 1}})
    with pytest.raises(StaleEdit):
        head.save_progress_table(M, {a: {"year_done_wan": 1}, b: {"year_done_wan": 1}}, expected_versions={b: 0})
    assert snapshot(any_store) == before
    undo_last(guarded(any_store, BUREAU), user="li")  # the table is undone from its backup
    assert _row(any_store, f"{a}/{M}")["year_done_wan"] == 10
    head.transition_progress(b, M, "submit")
    with pytest.raises(PermissionDenied, match="等待规划局审核"):
        head.save_progress_table(M, {a: {"year_done_wan": 1}, b: {"year_done_wan": 1}})
