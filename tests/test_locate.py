"""保存位置 (xxgeo.locate): the precision is the user's, the township comes from the point, the placement is one
audited, versioned edit that undo reverts, and a township head places only inside their own township — on
both backends."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely

from xxgeo.edits import undo_last
from xxgeo.errors import MoveNotConfirmed, PermissionDenied, StaleEdit, ValidationFailed
from xxgeo.locate import placing_queue, plan_placement, save_location, townships_of
from xxgeo.policy import Actor, GuardedStore


def _inside(store, code):
    t = store.read("townships")
    return t[t["code"] == code].geometry.iloc[0].representative_point()


def _project(store, precision="township"):
    """A project known only to one township, its row and that township's code."""
    p = store.read("projects")
    row = p[(p["loc_precision"] == precision) & p["township_code"].notna()].iloc[0]
    return row.to_dict(), str(row["township_code"])


def _other_town(store, code):
    t = store.read("townships")
    return str(t[t["code"] != code]["code"].iloc[0])


def _place(store, row, geom, precision="digitised", source="click", user="li", confirm=False, version=None):
    pl = plan_placement(row, geom, precision, source, townships=store.read("townships"), county=store.read("county"))
    return save_location(store, row, pl, user=user, expected_version=version if version is not None
                         else int(row.get("version") or 1), confirm_move=confirm)


def test_the_queue_lists_unplaced_and_area_only_projects_key_ones_first(dataset):
    p = dataset["projects"]
    q = placing_queue(p)
    assert len(q) == len(p)  # the default store: nothing is located to a site yet
    assert set(q["loc_precision"]) <= {"county", "township", "park", "village"}
    key = q["subgroup"].fillna("").str.contains("重点|重大")
    assert key.any() and not key.iloc[: int(key.sum())].eq(False).any()  # every key project before the others
    town = str(p["township_code"].dropna().iloc[0])
    assert (placing_queue(p, town)["township_code"] == town).all()
    placed = p.copy()
    placed.loc[placed.index[0], "loc_precision"] = "surveyed"
    placed.loc[placed.index[0], "geometry"] = shapely.Point(111.2, 35.1)
    assert p["project_id"].iloc[0] not in set(placing_queue(placed)["project_id"])


def test_save_keeps_the_chosen_precision_derives_the_township_and_undo_restores_on_both_backends(any_store):
    row, town = _project(any_store)
    before = any_store.read("projects").set_index("project_id").loc[row["project_id"]]
    pt = _inside(any_store, town)
    version = _place(any_store, row, pt, precision="structure")
    after = any_store.read("projects").set_index("project_id").loc[row["project_id"]]
    assert version == int(row["version"]) + 1 and int(after["version"]) == version
    assert after["loc_precision"] == "structure" and after["loc_source"] == "click" and after["located_by"] == "li"
    assert after["located_at"].endswith("+00:00") and after["township_code"] == town
    assert after.geometry.distance(pt) < 1e-9
    audit = [e for e in any_store.audit_entries() if e.feature_id == row["project_id"]][-1]
    assert audit.action == "update" and audit.user == "li"
    rec = json.loads(audit.after)
    assert rec["loc_precision"] == "structure" and rec["geometry"].startswith("POINT")
    assert "已撤销" in undo_last(any_store, user="li")
    back = any_store.read("projects").set_index("project_id").loc[row["project_id"]]
    assert back["loc_precision"] == "township" and back["township_code"] == town
    assert back["loc_source"] is None and back["located_by"] is None
    assert back.geometry.equals_exact(before.geometry, 1e-7)


def test_no_precision_no_place_or_a_place_outside_the_county_is_refused_and_nothing_changes(store_copy):
    row, town = _project(store_copy)
    pt = _inside(store_copy, town)
    v0 = store_copy.version()
    for geom, prec, said in ((pt, None, "请选择位置精度"), (pt, "", "请选择位置精度"), (pt, "county", "不能作为"),
                             (None, "surveyed", "还没有点选"), (shapely.Point(116.4, 39.9), "surveyed", "不在县域")):
        with pytest.raises(ValidationFailed) as e:
            _place(store_copy, row, geom, precision=prec)
        assert said in e.value.message and e.value.english
    assert store_copy.version() == v0


def test_a_point_in_another_township_asks_first_then_moves_the_project(store_copy):
    row, town = _project(store_copy)
    other = _other_town(store_copy, town)
    pt = _inside(store_copy, other)
    with pytest.raises(MoveNotConfirmed):
        _place(store_copy, row, pt)
    assert store_copy.read("projects").set_index("project_id").loc[row["project_id"], "township_code"] == town
    _place(store_copy, row, pt, confirm=True)
    moved = store_copy.read("projects").set_index("project_id").loc[row["project_id"]]
    assert moved["township_code"] == other and moved["township_codes"] == other


def test_a_stale_placement_is_refused(store_copy):
    row, town = _project(store_copy)
    _place(store_copy, row, _inside(store_copy, town))
    with pytest.raises(StaleEdit):
        _place(store_copy, row, _inside(store_copy, town), precision="surveyed")  # still the version read first


def test_a_footprint_across_two_townships_names_both(store_copy):
    row, town = _project(store_copy)
    t = store_copy.read("townships").set_index("code")
    a = t.loc[town].geometry
    neighbour = next(c for c, g in t.geometry.items() if c != town and g.intersects(a))  # shares a boundary
    line = shapely.LineString([a.representative_point(), t.loc[neighbour].geometry.representative_point()])
    code, codes = townships_of(line, store_copy.read("townships"))
    assert code is None and town in codes.split(";") and neighbour in codes.split(";")
    _place(store_copy, row, line, precision="schematic", source="draw", confirm=True)
    got = store_copy.read("projects").set_index("project_id").loc[row["project_id"]]
    assert got.geometry.geom_type == "LineString" and pd.isna(got["township_code"]) and got["loc_source"] == "draw"
    assert set(got["township_codes"].split(";")) == set(codes.split(";"))


def test_a_township_head_places_only_inside_their_own_township_on_both_backends(any_store):
    row, town = _project(any_store)
    head = GuardedStore(any_store, Actor("zhang", "township", town))
    other = _other_town(any_store, town)
    with pytest.raises(PermissionDenied):  # into another township: refused even when confirmed
        _place(head, row, _inside(any_store, other), user="zhang", confirm=True)
    p = any_store.read("projects")
    foreign = p[(p["township_code"] == other)].iloc[0].to_dict()
    with pytest.raises(PermissionDenied):  # another township's project: refused even inside it
        _place(head, foreign, _inside(any_store, other), user="zhang")
    v0 = any_store.read("projects").set_index("project_id").loc[row["project_id"], "version"]
    assert int(v0) == int(row["version"])
    _place(head, row, _inside(any_store, town), user="zhang", precision="photo_gps", source="photo")
    got = any_store.read("projects").set_index("project_id").loc[row["project_id"]]
    assert got["loc_precision"] == "photo_gps" and got["located_by"] == "zhang" and got["township_code"] == town


def test_drawn_shapes_combine_into_one_footprint_and_the_drawing_tool_speaks_both_languages():
    from xxgeo.i18n import tr
    from xxgeo.views.locate_map import DRAW_WORDS, combine, draw_words

    a, b = shapely.Point(111.2, 35.1), shapely.Point(111.21, 35.1)
    assert combine([a]).equals(a) and combine([a, b]).geom_type == "MultiPoint"
    line = shapely.LineString([(111.2, 35.1), (111.3, 35.1)])
    assert combine([line, line]).geom_type == "MultiLineString"
    assert combine([a, line]) is None and combine([]) is None  # mixed kinds: the user is asked to redraw
    for lang in ("zh", "en"):
        words = draw_words(lambda k, lang=lang: tr(k, lang))
        assert words["draw"]["toolbar"]["buttons"]["polygon"] == tr("locate.draw_polygon", lang)
        assert len(DRAW_WORDS) > 20
