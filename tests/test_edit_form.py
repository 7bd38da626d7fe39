"""The 数据 view's edit form as a new user meets it (issue 17, item 7): the picker puts an exact match first and
names the chosen project before saving; a link ``?view=data&id=`` opens the form on that project; the status
is chosen from the lifecycle stages and the statuses in use (typed by hand only on purpose); the change log
reads in local time with field names and 未注明, never raw JSON or UTC."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from xxgeo.edits import set_fields
from xxgeo.names import rank_matches
from xxgeo.views.audit_text import changes_text, readable_log
from xxgeo.views.data_edit import OTHER, status_choices
from xxgeo.vocab import LIFECYCLE_STAGES, local_time

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def store(small_app_store):
    s = small_app_store
    # the trap of the issue: a longer name with a lower id than the exact one
    set_fields(s, "projects", "XM0002", ["name=禹王城遗址博物馆"], user="准备")
    set_fields(s, "projects", "XM0004", ["name=禹王城遗址"], user="准备")
    return s


def open_view(lang: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["view"] = "data"
    if lang:
        at.query_params["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_rank_matches_puts_the_exact_name_first():
    ids, names = ["XM0145", "XM0200", "XM0001"], ["禹王城遗址博物馆", "禹王城遗址", "其他项目"]
    assert rank_matches("禹王城遗址", ids, names) == ["XM0200", "XM0145"]
    assert rank_matches("“禹王城遗址” ", ids, names)[0] == "XM0200"  # quotes and spaces typed around it
    assert rank_matches("xm0001", ids, names) == ["XM0001"]
    assert rank_matches("", ids, names) == ids and rank_matches("无此项目", ids, names) == []


def test_typing_a_name_selects_the_exact_project_and_says_which(store):
    at = open_view()
    at.text_input(key="edit_q").input("禹王城遗址").run()
    box = at.selectbox(key="edit_pid_禹王城遗址")
    assert box.value == "XM0004" and box.options[:2] == ["XM0004 禹王城遗址", "XM0002 禹王城遗址博物馆"]
    assert any(i.value == "将修改：XM0004 禹王城遗址" for i in at.info)
    at.selectbox(key="ef_XM0004_status").set_value("签约")
    submit = next(b for b in at.button if b.label.startswith("保存对"))
    assert submit.label == "保存对 XM0004 禹王城遗址 的修改"
    submit.click().run()
    p = store.read("projects").set_index("project_id")
    assert p.loc["XM0004", "status"] == "签约" and p.loc["XM0002", "status"] != "签约"


def test_a_link_with_an_id_opens_the_edit_form_on_that_project(store):
    at = open_view(id="XM0003")
    assert at.selectbox(key="edit_pid_XM0003").value == "XM0003"
    assert any(i.value == "将修改：XM0003 全县农村饮水安全巩固提升工程" for i in at.info)
    # that the edit tab is the one open (st.tabs default) is seen in the browser: tests/test_selection.py
    at = open_view(id="XM9999")
    assert any("XM9999" in w.value and "不在" in w.value for w in at.warning)


def test_status_is_chosen_and_free_text_only_on_purpose(store):
    choices = status_choices(store.read("projects")["status"])
    assert choices[0] == "" and tuple(choices[1:8]) == LIFECYCLE_STAGES and choices[-1] == OTHER
    assert "在建" in choices  # a status in use
    at = open_view()
    at.selectbox(key="edit_pid").set_value("XM0001").run()
    at.selectbox(key="ef_XM0001_status").set_value(OTHER)  # "other" chosen, nothing typed: refused
    next(b for b in at.button if b.label.startswith("保存对 XM0001")).click().run()
    assert any("没有填写状态" in w.value for w in at.warning)
    assert store.read("projects").set_index("project_id").loc["XM0001", "status"] == "在建"
    at.selectbox(key="ef_XM0001_status").set_value(OTHER)
    at.text_input(key="ef_XM0001_other").input("暂缓")
    next(b for b in at.button if b.label.startswith("保存对 XM0001")).click().run()
    assert store.read("projects").set_index("project_id").loc["XM0001", "status"] == "暂缓"


def test_history_reads_in_local_time_with_field_names(store):
    set_fields(store, "projects", "XM0003", ["status="], user="甲")
    log = store.read("audit_log")
    raw = log.iloc[-1]
    assert raw["at"].endswith("+00:00") and '"status"' in raw["before"]  # stored: UTC and JSON
    shown = readable_log(log)
    first = shown.iloc[0]
    assert first["时间"] == local_time(raw["at"]) and "T" not in first["时间"] and "+00:00" not in first["时间"]
    assert first["修改后"] == "状态：未注明" and first["操作"] == "修改" and first["图层"] == "项目"
    assert "{" not in "".join(shown["修改前"]) + "".join(shown["修改后"])
    en = readable_log(log, "en").iloc[0]
    assert en["After"] == "status: not stated" and en["Action"] == "change"
    assert changes_text("projects", '{"geometry": "POINT (111.2 35.1)"}') == "位置：经度 111.200000，纬度 35.100000"
    assert local_time("2026-12-01T23:01:02+00:00") == "2026-12-02 07:01"
    at = open_view()
    frames = [d.value for d in at.dataframe]
    logs = [f for f in frames if "修改后" in f.columns]
    assert logs and logs[0].iloc[0]["修改后"] == "状态：未注明"
    assert any("甲 修改了项目 XM0003 的状态" in str(m.value) for m in at.markdown)
