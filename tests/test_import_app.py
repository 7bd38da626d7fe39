"""The app's 数据 view (AppTest): downloads, the version-checked edit form, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from xxgeo.edits import set_fields

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def store(small_app_store):
    return small_app_store


def open_view(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["view"] = "data"
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def project(store, pid):
    p = store.read("projects")
    return p[p["project_id"] == pid].iloc[0]


def test_data_view_renders_with_a_download(store):
    at = open_view()
    assert "## 数据" in [m.value for m in at.markdown]
    buttons = at.get("download_button")
    assert len(buttons) == 1 and "下载 5 行" in buttons[0].proto.label


def test_download_respects_public_only_and_url_township(store):
    at = open_view(township="禹王")
    assert "下载 1 行" in at.get("download_button")[0].proto.label
    at.checkbox(key="exp_public").check().run()
    assert "下载 0 行" in at.get("download_button")[0].proto.label


def test_edit_form_saves_with_version_check(store):
    at = open_view()
    at.selectbox(key="edit_pid").set_value("XM0002").run()
    at.selectbox(key="ef_XM0002_status").set_value("在建")
    at.text_input(key="ef_XM0002_inv").set_value("2500")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    r = project(store, "XM0002")
    assert (r["status"], r["investment_wan"], r["version"]) == ("在建", 2500.0, 2)
    audit = store.read("audit_log").iloc[-1]
    assert audit["user"] == "测试员" and audit["feature_id"] == "XM0002"
    assert any("已保存 XM0002" in s.value for s in at.success)


def test_edit_form_refuses_a_stale_edit(store):
    at = open_view()
    at.selectbox(key="edit_pid").set_value("XM0005").run()
    set_fields(store, "projects", "XM0005", ["status=停建"], user="另一位编辑")  # someone else, meanwhile
    at.selectbox(key="ef_XM0005_status").set_value("投产")
    submit = next(b for b in at.button if b.label.startswith("保存对 XM0005"))
    submit.click().run()
    assert project(store, "XM0005")["status"] == "停建"
    assert any("已被他人修改" in e.value for e in at.error)


def test_undo_button(store):
    set_fields(store, "projects", "XM0001", ["status=投产"], user="甲")
    at = open_view()
    assert any("甲 修改了项目 XM0001 的状态" in str(m.value) for m in at.markdown)
    next(b for b in at.button if b.label == "撤销这次修改").click().run()
    assert project(store, "XM0001")["status"] == "在建"
    assert store.read("audit_log")["action"].iloc[-1] == "undo"
