"""The placing workspace under AppTest (issue 13): the queue, ?id= opening one project, pasted coordinates in
any form, the precision never preset, 保存位置 as one audited edit, a move into another township asked first,
a township head kept to their own township; and the edit form no longer labels a typed point 实测 silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kit import app_test
from streamlit.testing.v1 import AppTest

from xxgeo import crs
from xxgeo.accounts import Accounts
from xxgeo.i18n import tr
from xxgeo.locate import placing_queue
from xxgeo.precision import label
from xxgeo.store import GpkgStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PW = "correct horse 9"


@pytest.fixture
def store(built_store_path, tmp_path, monkeypatch) -> GpkgStore:
    dest = tmp_path / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    monkeypatch.setenv("XXGEO_STORE", str(dest))
    monkeypatch.setenv("XXGEO_USER", "测试员")
    return GpkgStore(dest)


def _open(lang: str | None = None, **params) -> AppTest:
    """The locate view in the app (tests/kit.app_test: run once, checked for exceptions)."""
    return app_test(120, view="locate", **({"lang": lang} if lang else {}), **params)


def _ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _township_project(store, nth: int = 0):
    p = store.read("projects")
    row = p[(p["loc_precision"] == "township") & p["township_code"].notna()].iloc[nth]
    t = store.read("townships")
    return row, t[t["code"] == row["township_code"]].geometry.iloc[0].representative_point()


def _paste(at: AppTest, pid: str, text: str, datum: str = "wgs84") -> AppTest:
    at.radio(key=f"loc_method_{pid}").set_value("paste")
    _ok(at)
    at.text_area(key=f"loc_text_{pid}").input(text)
    at.selectbox(key=f"loc_datum_{pid}").set_value(datum)
    _ok(at)
    next(b for b in at.button if b.key == f"loc_read_{pid}").click()
    return _ok(at)


def _save(at: AppTest, pid: str) -> AppTest:
    next(b for b in at.button if b.key == f"loc_save_{pid}").click()
    return _ok(at)


def test_the_queue_is_shown_key_projects_first(store):
    at = _open()
    q = placing_queue(store.read("projects"))
    assert any(tr("locate.queue", "zh", n=len(q), nkey=0).split("（")[0] in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert table.iloc[0, 0] == q["project_id"].iloc[0] and table.iloc[0, 2] == "★"
    assert any(tr("locate.pick_hint", "zh") in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_paste_dms_choose_precision_save_and_it_is_one_audited_edit(store, lang):
    row, pt = _township_project(store)
    pid = row["project_id"]
    at = _open(lang, id=pid)
    assert any(tr("locate.chosen", lang, pid=pid, name=row["name"]) in i.value for i in at.info)
    lon, lat = pt.x, pt.y

    def dms(v, pos, neg):
        d = int(v)
        m = (v - d) * 60
        return f"{d}°{int(m)}′{(m - int(m)) * 60:.3f}″{pos if v >= 0 else neg}"

    g_lon, g_lat = crs.wgs84_to_gcj02(lon, lat)  # read off 高德: GCJ-02 degrees, latitude first
    at = _paste(at, pid, f"{dms(g_lat, 'N', 'S')}，{dms(g_lon, 'E', 'W')}", "gcj02")
    assert any("GCJ-02" in c.value for c in at.caption)
    radio = at.radio(key=f"loc_prec_{pid}")
    assert radio.value is None  # never preset
    at = _save(at, pid)
    assert any(w.value == tr("locate.need_precision", lang) for w in at.warning)
    assert int(store.read("projects").set_index("project_id").loc[pid, "version"]) == int(row["version"])
    at.radio(key=f"loc_prec_{pid}").set_value("structure")
    at = _save(at, pid)
    assert any(tr("locate.saved", lang, pid=pid, precision=label("structure", lang), version=2) in s.value
               for s in at.success), [s.value for s in at.success]
    got = store.read("projects").set_index("project_id").loc[pid]
    assert got["loc_precision"] == "structure" and got["loc_source"] == "paste" and got["located_by"] == "测试员"
    assert got["township_code"] == row["township_code"] and got.geometry.distance(pt) < 1e-6
    last = store.audit_entries()[-1]
    assert last.action == "update" and last.feature_id == pid and last.user == "测试员"


def test_a_point_in_another_township_is_asked_before_the_project_moves(store):
    row, _pt = _township_project(store)
    pid = row["project_id"]
    t = store.read("townships")
    other = t[t["code"] != row["township_code"]].iloc[0]
    q = other.geometry.representative_point()
    at = _paste(_open(id=pid), pid, f"{q.x:.6f}, {q.y:.6f}")
    assert any(other["name"] in w.value for w in at.warning)
    at.radio(key=f"loc_prec_{pid}").set_value("digitised")
    at = _save(at, pid)
    assert any("请确认" in e.value for e in at.error)
    assert store.read("projects").set_index("project_id").loc[pid, "township_code"] == row["township_code"]
    at.checkbox(key=f"loc_move_{pid}").check()
    at = _save(at, pid)
    assert store.read("projects").set_index("project_id").loc[pid, "township_code"] == other["code"]


def test_bad_coordinates_are_one_sentence_and_nothing_is_pending(store):
    row, _pt = _township_project(store)
    pid = row["project_id"]
    at = _paste(_open("en", id=pid), pid, "111.22")
    assert [e.value for e in at.error] == ["Two numbers are needed (longitude and latitude, or X and Y), but 1 read: "
                                           "111.22."]
    assert any(c.value == tr("locate.preview_none", "en") for c in at.caption)


def test_a_township_head_sees_their_queue_and_cannot_open_another_township(store):
    row, pt = _township_project(store)
    code = row["township_code"]
    Accounts(store).add("zhang", "township", password=PW, township=code)
    at = _open()
    at.sidebar.text_input(key="signin_name").input("zhang")
    at.sidebar.text_input(key="signin_password").input(PW)
    next(b for b in at.sidebar.button if b.label == "登录").click()
    at = _ok(at)
    at.sidebar.radio[0].set_value(tr("view.locate", "zh"))  # the public was shown the investor view
    at = _ok(at)
    own = placing_queue(store.read("projects"), code)
    assert any(tr("locate.queue_own", "zh", n=len(own)) in m.value for m in at.markdown)
    p = store.read("projects")
    foreign = p[p["township_code"].notna() & (p["township_code"] != code)].iloc[0]["project_id"]
    at.query_params["id"] = foreign
    at = _ok(at)
    assert any("不属于您所在的乡镇" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == f"loc_save_{foreign}"]


def test_the_edit_form_asks_for_the_precision_of_a_typed_point(store):
    row, pt = _township_project(store, 1)
    pid = row["project_id"]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["view"] = "data"
    at.query_params["id"] = pid
    at = _ok(at)
    at.text_input(key=f"ef_{pid}_lon").input(f"{pt.x:.6f}")
    at.text_input(key=f"ef_{pid}_lat").input(f"{pt.y:.6f}")
    next(b for b in at.button if b.label.startswith(f"保存对 {pid}")).click()
    at = _ok(at)
    assert any("请选择新位置的精度" in w.value for w in at.warning)
    assert int(store.read("projects").set_index("project_id").loc[pid, "version"]) == int(row["version"])
    at.selectbox(key=f"ef_{pid}_prec").set_value("digitised")
    next(b for b in at.button if b.label.startswith(f"保存对 {pid}")).click()
    at = _ok(at)
    got = store.read("projects").set_index("project_id").loc[pid]
    assert got["loc_precision"] == "digitised" and got["loc_source"] == "form" and got["located_by"] == "测试员"
    assert got.geometry.distance(pt) < 1e-5
