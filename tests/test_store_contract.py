"""The store interface's contract, run against every backend (a GeoPackage copy and a PostGIS schema): what
``xxgeo.store.Store`` promises callers, whatever is behind it. Backend-specific behaviour (file swaps, advisory
locks, the change-counter trigger) is tested in test_schema_store.py and test_postgis.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from xxgeo.edits import undo_last
from xxgeo.errors import NotFound, PermissionDenied, StaleEdit, ValidationFailed
from xxgeo.policy import PUBLIC, Actor, GuardedStore, operator
from xxgeo.schema import LAYERS, REQUIRED_LAYERS
from xxgeo.store import Store, open_store


def _first(store, field="project_id"):
    return str(store.read("projects")[field].iloc[0])


def _month(store, month="2026-03", **values):
    pid = _first(store)
    return {"progress_id": f"{pid}/{month}", "project_id": pid, "month": month, "state": "draft",
            "year_done_wan": 120.5, "in_statistics": True, **values}


def _state(store):
    """What a refused write must leave as it was."""
    return (store.read("progress").to_json(), store.read("photos").to_json(), len(store.audit_entries()),
            store.version())


def test_identity_reopens_the_same_store(any_store):
    assert isinstance(any_store, Store) and any_store.kind in ("gpkg", "postgis") and any_store.name
    again = open_store(any_store.location)
    assert type(again) is type(any_store)
    assert again.read("projects")["project_id"].tolist() == any_store.read("projects")["project_id"].tolist()


def test_version_moves_with_every_write_and_only_then(any_store):
    v0 = any_store.version()
    any_store.load(["projects", "townships"])
    assert any_store.version() == v0  # reading changes nothing
    any_store.update_feature("projects", _first(any_store), {"status": "在建"}, user="t")
    v1 = any_store.version()
    any_store.append_audit([{"user": "t", "layer": "*", "feature_id": None, "action": "note", "before": None,
                             "after": None}])
    v2 = any_store.version()
    any_store.write_layers({"township_indicators": any_store.read("township_indicators")}, user="t")
    v3 = any_store.version()
    any_store.insert_feature("progress", _month(any_store, "2026-01"), user="t")
    assert len({v0, v1, v2, v3, any_store.version()}) == 5


def test_layers_are_listed_and_read_with_the_schema(any_store):
    assert set(REQUIRED_LAYERS) <= set(any_store.layer_names())
    p = any_store.read("projects")
    assert list(p.columns)[: len(LAYERS["projects"].fields)] == LAYERS["projects"].field_names
    with pytest.raises(NotFound):
        any_store.read("no_such_layer")
    assert any_store.validate().ok


def test_each_feature_keeps_its_own_geometry_type(any_store):
    """A whole-layer write never promotes: points beside MultiPoints, a line and a footprint read back as given."""
    import shapely

    p = any_store.read("projects").iloc[:4].copy()
    for given in ([shapely.Point(111.2, 35.1), shapely.MultiPoint([(111.21, 35.11), (111.22, 35.12)]),
                   shapely.Point(111.23, 35.13), None],
                  [shapely.Point(111.2, 35.1), shapely.MultiPoint([(111.21, 35.11)]),
                   shapely.LineString([(111.2, 35.1), (111.3, 35.2)]), shapely.box(111.2, 35.1, 111.21, 35.11)]):
        p["geometry"] = given
        any_store.write_layers({"projects": p}, user="t")
        back = any_store.read("projects").geometry.tolist()
        assert [g and g.geom_type for g in back] == [g and g.geom_type for g in given]
        assert all(a is b is None or shapely.equals_exact(a, b, tolerance=1e-9) for a, b in zip(back, given))


def test_an_edit_bumps_the_version_and_is_audited(any_store):
    fid = _first(any_store)
    old = any_store.read("projects").set_index("project_id").loc[fid]
    new_version = any_store.update_feature("projects", fid, {"status": "在建"}, user="甲",
                                           expected_version=int(old["version"]))
    assert new_version == int(old["version"]) + 1
    row = any_store.read("projects").set_index("project_id").loc[fid]
    assert row["status"] == "在建" and int(row["version"]) == new_version
    last = any_store.audit_entries()[-1]
    assert (last.user, last.feature_id, last.action) == ("甲", fid, "update")
    assert json.loads(last.after) == {"status": "在建"}
    assert json.loads(last.before) == {"status": None if pd.isna(old["status"]) else old["status"]}


@pytest.mark.parametrize("bad", ["stale", "invalid", "guard", "missing"])
def test_a_refused_edit_changes_nothing(any_store, bad):
    fid = _first(any_store)
    before = any_store.read("projects")
    n_audit = len(any_store.audit_entries())
    version = any_store.version()

    def guard(current):
        raise PermissionDenied("不许")

    kw = {"stale": dict(changes={"status": "x"}, expected_version=999),
          "invalid": dict(changes={"investment_wan": "很多"}),
          "guard": dict(changes={"status": "x"}, guard=guard),
          "missing": dict(changes={"status": "x"})}[bad]
    target = "XM9999" if bad == "missing" else fid
    err = {"stale": StaleEdit, "invalid": ValidationFailed, "guard": PermissionDenied, "missing": NotFound}[bad]
    with pytest.raises(err):
        any_store.update_feature("projects", target, user="t", **kw)
    assert any_store.read("projects").equals(before)
    assert len(any_store.audit_entries()) == n_audit and any_store.version() == version


def test_undo_reverts_the_last_edit(any_store):
    fid = _first(any_store)
    old = any_store.read("projects").set_index("project_id").loc[fid, "name"]
    any_store.update_feature("projects", fid, {"name": "改过的名字"}, user="t")
    undo_last(any_store, user="t")
    assert any_store.read("projects").set_index("project_id").loc[fid, "name"] == old
    assert any_store.audit_entries()[-1].action == "undo"


def test_a_failing_whole_layer_write_changes_nothing_and_keeps_no_backup(any_store):
    before = any_store.read("projects")
    backups = [b.name for b in any_store.list_backups()]
    version = any_store.version()

    def build(store, backup):
        assert backup is not None  # the backup is taken first, under the lock
        raise ValidationFailed("中途失败")

    with pytest.raises(ValidationFailed):
        any_store.write_layers(build, user="t", action="import")
    assert any_store.read("projects").equals(before)
    assert [b.name for b in any_store.list_backups()] == backups and any_store.version() == version


def test_backup_and_restore_round_trip_and_keep_accounts(any_store):
    fid = _first(any_store, "name")
    saved = any_store.backup("t")
    assert saved.exists() and saved.name in [b.name for b in any_store.list_backups()]
    pid = _first(any_store)
    any_store.update_feature("projects", pid, {"name": "改过的名字"}, user="t")
    any_store.accounts().add("admin1", "admin", password="correct horse 9", by="t")
    got = any_store.restore(saved.name, user="t")
    assert got.name == saved.name
    assert any_store.read("projects").set_index("project_id").loc[pid, "name"] == fid
    assert [a.name for a in any_store.accounts().list()] == ["admin1"]  # accounts are not rolled back
    assert any_store.audit_entries()[-1].action == "restore"
    with pytest.raises(NotFound):
        any_store.restore("no-such-backup", user="t")


def test_the_guarded_store_is_an_allow_list(any_store):
    head = GuardedStore(any_store, Actor("zhang", "township", str(any_store.read("townships")["code"].iloc[0])))
    for name in ("copy_from", "require_tables", "_layers_tx", "_edit_tx", "account_table", "path", "url",
                 "insert_feature"):  # a new row only through the cycle's guarded methods
        assert not hasattr(head, name), name  # nothing reaches the store that the policy has not listed
    with pytest.raises(PermissionDenied):
        head.write_layers({"projects": any_store.read("projects")})
    with pytest.raises(PermissionDenied):
        head.restore("x")
    with pytest.raises(PermissionDenied):
        head.accounts()
    with pytest.raises(PermissionDenied):
        GuardedStore(any_store, PUBLIC).append_audit([{"action": "x"}])
    with pytest.raises(TypeError):
        GuardedStore(head, operator("x"))


def test_an_insert_is_one_audited_versioned_row(any_store):
    v0, backups = any_store.version(), [b.name for b in any_store.list_backups()]
    row = _month(any_store)
    assert any_store.insert_feature("progress", row, user="甲", what="月度进度") == row["progress_id"]
    got = any_store.read("progress").set_index("progress_id").loc[row["progress_id"]]
    assert (got["year_done_wan"], bool(got["in_statistics"]), int(got["version"])) == (120.5, True, 1)
    assert pd.isna(got["month_done_wan"])  # not given: empty, not 0
    last = any_store.audit_entries()[-1]
    assert (last.user, last.layer, last.feature_id, last.action) == ("甲", "progress", row["progress_id"], "insert")
    assert json.loads(last.before) == {}
    assert json.loads(last.after) == {**row, "_what": "月度进度"}
    assert any_store.version() != v0
    assert [b.name for b in any_store.list_backups()] == backups  # a row insert takes no backup: undo removes it
    assert any_store.validate().ok


def _refuse_guard(store, current):
    raise PermissionDenied("不许", english="Not allowed.")


@pytest.mark.parametrize("bad", ["duplicate", "guard", "month", "negative", "status", "field", "geometry"])
def test_a_refused_insert_leaves_nothing(any_store, bad):
    from shapely import LineString

    from xxgeo.errors import FeatureExists

    any_store.insert_feature("progress", _month(any_store), user="t")
    before = _state(any_store)
    pid = _first(any_store)
    problem = {"problem_id": f"{pid}/2026-03/1", "project_id": pid, "raised_month": "2026-03", "text": "征地",
               "status": "open"}
    photo = {"photo_id": f"{pid}/2026-03/P1", "project_id": pid, "month": "2026-03"}
    layer, row, kw, err = {
        "duplicate": ("progress", _month(any_store, year_done_wan=1), {}, FeatureExists),
        "guard": ("photos", photo, {"guard": _refuse_guard, "blobs": [("image", b"x")]}, PermissionDenied),
        "month": ("progress", _month(any_store, "2026-13"), {}, ValidationFailed),
        "negative": ("progress", _month(any_store, "2026-04", month_done_wan=-5), {}, ValidationFailed),
        "status": ("problems", {**problem, "status": "差不多"}, {}, ValidationFailed),
        "field": ("progress", _month(any_store, "2026-05", no_such_field=1), {}, NotFound),
        "geometry": ("photos", photo, {"geometry": LineString([(111, 35), (111.1, 35.1)]),
                                       "blobs": [("image", b"x")]}, ValidationFailed),
    }[bad]
    with pytest.raises(err):
        any_store.insert_feature(layer, row, user="t", **kw)
    assert _state(any_store) == before
    assert len(any_store.read("problems")) == 0
    from xxgeo.store.blobs import read_blob

    assert read_blob(any_store, photo["photo_id"], "image") is None


def test_the_undo_of_an_insert_removes_the_row_and_its_bytes(any_store):
    from shapely import Point

    from xxgeo.store.blobs import read_blob

    pid = _first(any_store)
    before = _state(any_store)
    photo = {"photo_id": f"{pid}/2026-03/P1", "project_id": pid, "month": "2026-03", "size_bytes": 3}
    got = any_store.insert_feature("photos", lambda st: photo, user="t", geometry=Point(111.2, 35.1),
                                   blobs=[("image", b"abc"), ("thumb", b"ab")])
    assert read_blob(any_store, got, "image") == b"abc"
    assert any_store.read("photos").geometry.iloc[0].equals(Point(111.2, 35.1))
    any_store.insert_feature("progress", _month(any_store), user="t")
    any_store.update_feature("progress", f"{pid}/2026-03", {"note": "改"}, user="t")
    undo_last(any_store, user="t")  # the edit
    undo_last(any_store, user="t")  # the month's insert: the row goes
    assert len(any_store.read("progress")) == 0
    undo_last(any_store, user="t")  # the photo's insert: the row and its bytes go
    assert len(any_store.read("photos")) == 0 and read_blob(any_store, got, "image") is None
    assert [e.action for e in any_store.audit_entries()[-3:]] == ["undo", "undo", "undo"]
    assert _state(any_store)[:2] == before[:2]


def test_an_insert_changed_since_is_not_undone(any_store):
    pid = _first(any_store)
    any_store.insert_feature("progress", _month(any_store), user="t")
    any_store.update_feature("progress", f"{pid}/2026-03", {"note": "改"}, user="t")
    any_store.append_audit([{"user": "t", "layer": "progress", "feature_id": f"{pid}/2026-03", "action": "undo",
                             "before": None, "after": None}])  # the edit marked undone, its value still there
    with pytest.raises(StaleEdit):
        undo_last(any_store, user="t")
    assert len(any_store.read("progress")) == 1


def test_the_first_row_of_a_layer_a_store_lacks(any_store):
    """A store built before the 调度 tables existed: the first insert makes the table (a whole-layer write, with
    a backup, audited as the same insert), the next ones are row inserts; undo still removes the row."""
    frames = {n: any_store.read(n) for n in any_store.layer_names() if n in LAYERS and n != "progress"}
    any_store.write_layers(frames, fresh=True, audit=False)
    assert "progress" not in any_store.layer_names()
    n_backups = len(any_store.list_backups())
    any_store.insert_feature("progress", _month(any_store), user="t")
    assert len(any_store.list_backups()) == n_backups + 1
    any_store.insert_feature("progress", _month(any_store, "2026-04"), user="t")
    assert len(any_store.list_backups()) == n_backups + 1
    assert [e.action for e in any_store.audit_entries()[-2:]] == ["insert", "insert"]
    assert sorted(any_store.read("progress")["month"]) == ["2026-03", "2026-04"]
    undo_last(any_store, user="t")
    undo_last(any_store, user="t")
    assert len(any_store.read("progress")) == 0


def test_an_insert_reads_as_added_in_both_languages(store_copy):
    from xxgeo.edits import last_change
    from xxgeo.views.audit_text import change_sentence, readable_log

    row = _month(store_copy)
    store_copy.insert_feature("progress", row, user="甲", what="月度进度")
    zh, en = change_sentence(last_change(store_copy)), change_sentence(last_change(store_copy), "en")
    assert "甲 新增了" in zh and row["progress_id"] in zh
    assert "甲 added " + row["progress_id"] in en
    shown, shown_en = readable_log(store_copy.read("audit_log")).iloc[0], readable_log(
        store_copy.read("audit_log"), "en").iloc[0]
    assert shown["操作"] == "新增" and shown_en["Action"] == "added"
    assert "120.5" in shown["修改后"] and "_what" not in shown["修改后"] and shown["修改前"] == ""


def test_inserts_at_the_same_moment_are_serialised(any_store):
    """Two problems raised at once are numbered 1 and 2 under the writer lock; the same new month saved twice at
    once is one insert and one edit of it (or a StaleEdit for the one that lost the race), never two rows."""
    from kit import run_together

    from xxgeo.errors import StaleEdit as Stale

    bureau = GuardedStore(any_store, operator("li"))
    pid = _first(any_store)
    got = run_together([lambda: bureau.add_problem(pid, "2026-03", "征地"),
                        lambda: bureau.add_problem(pid, "2026-03", "资金")])
    assert sorted(got) == [f"{pid}/2026-03/1", f"{pid}/2026-03/2"]
    saved = run_together([lambda: bureau.save_progress(pid, "2026-03", {"year_done_wan": 1}),
                          lambda: bureau.save_progress(pid, "2026-03", {"year_done_wan": 2})])
    assert all(isinstance(r, Stale) or r in (1, 2) for r in saved) and 1 in saved
    rows = any_store.read("progress")
    assert len(rows) == 1 and int(rows["version"].iloc[0]) == max(r for r in saved if isinstance(r, int))
