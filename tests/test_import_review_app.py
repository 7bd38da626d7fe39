"""The app's import page (AppTest): the precision and default-category choices, the review table of close names
(every row starts as "leave out"; the user's decision attaches it), English on the English page, and a refusal
that leaves the store as it was. The upload itself is a browser matter (tests/test_browser_import_en.py); here
``st.file_uploader`` hands the page a file."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from kit import app_test

from xxgeo.store import GpkgStore


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


@pytest.fixture
def upload(built_store_path, tmp_path, monkeypatch):
    """A store copy the app opens, and a function that makes the page's uploader return a CSV."""
    dest = tmp_path / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    monkeypatch.setenv("XXGEO_STORE", str(dest))
    store = GpkgStore(dest)
    t = store.read("townships")
    pt = t[t["name"].str.startswith("水头")].geometry.iloc[0].representative_point()
    real = st.file_uploader

    def give(text: str):
        data = text.format(x=pt.x, y=pt.y).encode("utf-8")
        monkeypatch.setattr(st, "file_uploader", lambda *a, **k: [_Upload("位置.csv", data)]
                            if k.get("key") == "imp_files" else real(*a, **k))
        return store
    return give


CSV = "项目名称,经度,纬度\n天嘟生物,{x},{y}\n鑫点科技（项目）,{x},{y}\n"


def _project(store, pid):
    p = store.read("projects")
    return p[p["project_id"] == pid].iloc[0]


def test_review_table_then_attach(upload):
    store = upload(CSV)
    at = app_test(view="data")
    # without a precision the page refuses (one sentence naming the choice) and offers no import button
    assert any("不会默认按实测" in e.value and "位置精度" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "imp_confirm"]
    before = store.path.read_bytes()
    at.selectbox(key="imp_precision").set_value("village").run()
    assert not at.exception
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "名称相近的行：请逐行确认" in texts
    at.session_state["imp_decisions"] = {"第2行": "attach"}
    at.run()
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.path.read_bytes() != before
    assert _project(store, "XM0005").geometry is not None and _project(store, "XM0004")["loc_precision"] == "village"
    assert any("导入" in s.value for s in at.success)


def test_unconfirmed_rows_stay_out_and_english_page(upload):
    store = upload(CSV)
    at = app_test(view="data", lang="en")
    assert not at.exception
    assert any("never assumed surveyed" in e.value for e in at.error)
    at.selectbox(key="imp_precision").set_value("village").run()
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    assert any("Rows with a name close to a stored project" in x for x in texts)
    assert any("Coordinates from the columns" in x for x in texts)
    assert not any("坐标取自" in x for x in texts)
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _project(store, "XM0005").geometry is None  # left out: nobody confirmed it
    assert _project(store, "XM0004")["loc_precision"] == "village"


def test_default_category_select(upload):
    store = upload("项目名称,经度,纬度\n甲新项目,{x},{y}\n乙新项目,{x},{y}\n")
    at = app_test(view="data")
    at.selectbox(key="imp_precision").set_value("village")
    at.selectbox(key="imp_default_cat").set_value("农业").run()
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    p = store.read("projects").set_index("name")
    assert p.loc["甲新项目", "category"] == "农业" and p.loc["乙新项目", "category"] == "农业"
