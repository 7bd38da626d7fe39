"""Policy gaps of issue 18: publication fields are the bureau's call; a township head's move stays inside the
township; on both store backends."""

from __future__ import annotations

import pytest

from xxgeo.edits import set_fields
from xxgeo.errors import PermissionDenied
from xxgeo.policy import Actor, GuardedStore


def _setup(store):
    p = store.read("projects")
    t = store.read("townships")
    pts = p[p["township_code"].notna() & p.geometry.geom_type.isin(["Point", "MultiPoint"])]
    town, own = str(pts["township_code"].iloc[0]), str(pts["project_id"].iloc[0])
    other = t[t["code"].astype(str) != town].iloc[0]
    mine = t[t["code"].astype(str) == town].iloc[0]
    return town, own, mine.geometry, other.geometry


def test_township_head_cannot_publish_or_unpublish(any_store):
    town, own, _, _ = _setup(any_store)
    head = GuardedStore(any_store, Actor("zhang", "township", town))
    before = any_store.read("projects").set_index("project_id").loc[own]
    for change in ({"public": not bool(before["public"])}, {"source_ref": "某文件"}):
        with pytest.raises(PermissionDenied, match="发布信息由规划局编辑决定") as exc:
            head.update_feature("projects", own, change)
        assert "Publication fields" in exc.value.english
    after = any_store.read("projects").set_index("project_id").loc[own]
    assert bool(after["public"]) == bool(before["public"]) and after["source_ref"] == before["source_ref"]
    editor = GuardedStore(any_store, Actor("li", "editor"))
    editor.update_feature("projects", own, {"public": not bool(before["public"])})
    assert bool(any_store.read("projects").set_index("project_id").loc[own, "public"]) != bool(before["public"])


def test_township_head_moves_only_inside_the_township(any_store):
    town, own, mine, other = _setup(any_store)
    head = GuardedStore(any_store, Actor("zhang", "township", town))
    inside, outside = mine.representative_point(), other.representative_point()
    n = len(any_store.read("audit_log"))
    with pytest.raises(PermissionDenied, match="新位置不在您所在的乡镇") as exc:
        set_fields(head, "projects", own, [f"lon={outside.x}", f"lat={outside.y}", "loc_precision=digitised"],
                   user="zhang")
    assert "outside your township" in exc.value.english
    got = any_store.read("projects").set_index("project_id").loc[own].geometry
    assert not got.equals(outside) and len(any_store.read("audit_log")) == n
    set_fields(head, "projects", own, [f"lon={inside.x}", f"lat={inside.y}", "loc_precision=digitised"], user="zhang")
    got = any_store.read("projects").set_index("project_id").loc[own].geometry
    assert got.distance(inside) < 1e-6
    editor = GuardedStore(any_store, Actor("li", "editor"))  # editors move anywhere in the county
    set_fields(editor, "projects", own, [f"lon={outside.x}", f"lat={outside.y}", "loc_precision=digitised"], user="li")
