"""The 调度 warning map on the app's folium map (issue 12, 挂图作战): each exactly placed project carries its light
and colour, popups the month figures (empty as 未注明, never 0) and escaped inline thumbnails; a project known only
to its township stays in the township's counted symbol; the public's map carries no figures and no photos."""

from __future__ import annotations

import base64
import io
import json
import re

import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import Point

from xxgeo.dispatch.figures import LIGHT_COLOURS
from xxgeo.mapping import HtmlControl, MapRequest, SpecLayer, WarningMark, Warnings, build_map, warning_marks
from xxgeo.mapping.warnings import WarningLayer
from xxgeo.photos import popup_thumbnail
from xxgeo.store import Dataset

MONTH = "2026-03"


def _thumb() -> str:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 30)).save(out, "JPEG")
    return popup_thumbnail(out.getvalue())


@pytest.fixture(scope="module")
def placed(dataset):
    """The default dataset with three projects given exact (surveyed) points; a fourth stays township-only."""
    proj = dataset["projects"].copy()
    rough = proj[proj["loc_precision"] == "township"]
    ids = rough["project_id"].astype(str).tolist()[:4]
    seat = dataset["townships"].geometry.iloc[0].representative_point()
    for k, pid in enumerate(ids[:3]):
        i = proj.index[proj["project_id"] == pid][0]
        proj.loc[i, "loc_precision"] = "surveyed"
        proj.loc[i, "geometry"] = Point(seat.x + 0.01 * k, seat.y)
    proj.loc[proj["project_id"] == ids[0], "name"] = '<script>alert("x")</script>工地'
    return Dataset({**dataset.layers, "projects": proj}), ids


def _figures(ids) -> pd.DataFrame:
    return pd.DataFrame({
        "project_id": ids, "light": ["red", "green", "", "yellow"],
        "annual_plan_wan": [1000.0, 1200.0, None, 800.0], "year_done_wan": [20.0, 300.0, None, 90.0],
        "rate_pct": [2.0, 25.0, None, 11.3], "schedule_pct": [25.0] * 4, "gap_pts": [-23.0, 0.0, None, -13.7],
        "reasons_zh": ["进度差 -23.0 个百分点", "", "完成率无法计算：年度计划投资未填报", "进度差 -13.7"],
        "reasons_en": ["gap -23.0 points", "", "no completion rate: no annual plan", "gap -13.7"]})


def _controls(result) -> str:
    return "\n".join(el.html for el in result.map._children.values() if isinstance(el, HtmlControl))


def _points(result) -> list[dict]:
    layers = [el for el in result.map._children.values() if isinstance(el, WarningLayer)]
    assert len(layers) == 1
    return json.loads(layers[0].points_js)


def test_each_placed_project_carries_its_light_and_popup_figures(placed):
    ds, ids = placed
    marks = warning_marks(_figures(ids), MONTH, "zh", {ids[1]: (_thumb(),)})
    result = build_map(ds, MapRequest(lang="zh", warnings=marks))
    pts = {p["id"]: p for p in _points(result)}
    assert set(pts) == set(ids[:3])  # the township-only project is not a pin
    assert [pts[i]["light"] for i in ids[:3]] == ["red", "green", "none"]
    assert [pts[i]["colour"] for i in ids[:3]] == [LIGHT_COLOURS["red"], LIGHT_COLOURS["green"], LIGHT_COLOURS[""]]
    red, green, grey = (pts[i]["popup"] for i in ids[:3])
    assert "&lt;script&gt;" in red and "<script>" not in red  # the name is escaped
    assert "1,000.0" in red and "-23.0" in red and "红" in red
    assert "25.0" in green and 'src="data:image/jpeg;base64,' in green and "<img" not in red
    assert grey.count("未注明") == 4 and "未评定" in grey and "0.0" not in grey  # empty is 未注明, never 0
    legend = _controls(result)
    assert "红 1" in legend and "黄 1" in legend and "绿 1" in legend and "未评定 1" in legend  # the counts
    areas = json.loads(next(el for el in result.map._children.values() if type(el).__name__ == "AreaCountsLayer")
                       .groups_js)
    items = {i[0]: i[2] for g in areas for i in g["items"]}
    assert ids[3] in items and items[ids[3]].endswith("· 黄")  # the township-only project, counted, with its light
    assert not set(ids[:3]) & set(items)
    assert "<script>alert" not in result.html()
    drawn = {json.loads(el.spec_js)["layer"] for el in result.map._children.values() if isinstance(el, SpecLayer)}
    plain = {json.loads(el.spec_js)["layer"] for el in build_map(ds).map._children.values()
             if isinstance(el, SpecLayer)}
    assert "townships" in drawn and "scenic_sites" in plain and not drawn & {"scenic_sites", "roads", "villages"}


def test_english_map_and_hostile_thumbnails(placed):
    ds, ids = placed
    bad = ('javascript:alert(1)', 'data:image/jpeg;base64,AAAA"><script>x()</script>', "/etc/passwd")
    marks = warning_marks(_figures(ids), MONTH, "en", {ids[0]: bad})
    assert marks.marks[0].thumbs == ()  # only inline base64 images are kept
    result = build_map(ds, MapRequest(lang="en", warnings=marks))
    pts = {p["id"]: p for p in _points(result)}
    assert "Completion (%)" in pts[ids[0]]["popup"] and "red" in pts[ids[0]]["popup"]
    assert "not stated" in pts[ids[2]]["popup"] and "not rated" in pts[ids[2]]["popup"]
    legend = _controls(result)
    assert "Warnings · 2026-03" in legend and "not rated 1" in legend
    html = result.html()
    assert "javascript:alert" not in html and "/etc/passwd" not in html


def test_the_public_map_has_no_figures_and_no_photos(placed):
    ds, ids = placed
    marks = warning_marks(_figures(ids), MONTH, "zh", {i: (_thumb(),) for i in ids})
    result = build_map(ds, MapRequest(role="public", warnings=marks))
    assert not [el for el in result.map._children.values() if isinstance(el, WarningLayer)]
    html = result.html()
    assert "data:image/jpeg" not in html and "1,000.0" not in html and "-23.0" not in html
    assert "2026-03 预警" not in _controls(result)


def test_the_request_stays_a_hashable_cache_key():
    a = Warnings(MONTH, [WarningMark("A", "red", 1.0, None)])
    b = Warnings(MONTH, (WarningMark("A", "red", 1.0, None),))
    assert MapRequest(warnings=a) == MapRequest(warnings=b) and hash(MapRequest(warnings=a)) == hash(
        MapRequest(warnings=b))
    assert MapRequest(warnings=a) != MapRequest(warnings=Warnings(MONTH, (WarningMark("A", "green", 1.0),)))


def test_popup_thumbnail_is_small_inline_and_exif_free():
    uri = _thumb()
    assert re.fullmatch(r"data:image/jpeg;base64,[A-Za-z0-9+/]+=*", uri)
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert max(img.size) <= 120 and not img.getexif()


# ------------------------------------------------------------------------------------------------ in the app
@pytest.fixture
def photographed(store_copy, monkeypatch):
    """A project without a place, reported in March, placed at its photo's GPS position (so drawn as a dot),
    with the photo's thumbnail; and an account book, so that without signing in the page is the public's."""
    from dispatchkit import BUREAU
    from test_dispatch_photos import jpeg

    from xxgeo.policy import GuardedStore

    monkeypatch.setenv("XXGEO_STORE", str(store_copy.path))
    g = GuardedStore(store_copy, BUREAU)
    p = store_copy.read("projects")
    pid = str(p.loc[p.geometry.isna(), "project_id"].iloc[0])
    g.save_progress(pid, MONTH, {"annual_plan_wan": 1000, "year_done_wan": 20})
    res = g.add_photo(pid, MONTH, jpeg(111.2, 35.1), "现场.jpg")
    g.place_at_photo(res.photo_id)
    return pid


def _map_script(at) -> str:
    maps = [el for el in at.get("component_instance") if "L.map(" in el.proto.json_args]
    assert len(maps) == 1
    return json.loads(maps[0].proto.json_args)["script"]


def test_the_view_draws_the_light_and_the_thumbnail(photographed, monkeypatch):
    from kit import app_test

    monkeypatch.setenv("XXGEO_USER", "li")
    for lang, word in (("zh", "红"), ("en", "red")):
        at = app_test(view="dispatch", month=MONTH, lang=lang)
        assert not at.exception
        script = _map_script(at)
        pts = json.loads(re.search(r"\}\)\(\w+, (\[.*?\])\);", script, re.S).group(1))
        mine = [p for p in pts if p["id"] == photographed]
        assert len(mine) == 1 and mine[0]["light"] == "red" and mine[0]["colour"] == LIGHT_COLOURS["red"]
        assert 'src="data:image/jpeg;base64,' in mine[0]["popup"] and word in mine[0]["popup"]
        assert "现场.jpg" not in script and "xxLight" in script  # a file name never reaches the map
        assert at.get("image")  # the trend tab's thumbnails
        months = [m.value for m in at.markdown if m.value.startswith("#####")]
        assert any(MONTH in m for m in months)  # the trend tab's photos, by month


def test_the_public_gets_no_dispatch_map_and_no_photo(photographed, store_copy, monkeypatch):
    from kit import app_test

    from xxgeo.accounts import Accounts

    monkeypatch.setenv("XXGEO_USER", "li")
    monkeypatch.setenv("XXGEO_KIOSK", "investor")
    kiosk = app_test(view="dispatch", month=MONTH)  # the bureau's investor kiosk, even on an open store
    monkeypatch.delenv("XXGEO_USER")
    monkeypatch.delenv("XXGEO_KIOSK")
    Accounts(store_copy).add("li", "editor", password="correct horse 9")
    signed_out = app_test(view="dispatch", month=MONTH)  # accounts exist, nobody signed in
    for at in (kiosk, signed_out):
        assert not at.exception
        scripts = [el.proto.json_args for el in at.get("component_instance")]
        assert scripts and not any("data:image/jpeg" in s or "xxLight" in s for s in scripts)
        assert not at.get("image")


def test_the_map_cache_key_follows_every_field():
    from xxgeo.views.common import request_key

    a = MapRequest(warnings=Warnings(MONTH, (WarningMark("A", "red", 1.0),)))
    assert request_key(a) == request_key(MapRequest(warnings=Warnings(MONTH, (WarningMark("A", "red", 1.0),))))
    others = [MapRequest(warnings=Warnings(MONTH, (WarningMark("A", "yellow", 1.0),))),
              MapRequest(warnings=Warnings(MONTH, (WarningMark("A", "red", 1.0, thumbs=("data:image/png;base64,AA",)),
                                                   ))),
              MapRequest(warnings=Warnings("2026-04", (WarningMark("A", "red", 1.0),))),
              MapRequest(lang="en", warnings=a.warnings), MapRequest()]
    assert len({request_key(r) for r in others} | {request_key(a)}) == len(others) + 1
