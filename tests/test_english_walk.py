"""Issue 17 item 2: every view in English shows no Chinese but data values (tests/cjk.py says which).

AppTest walks every view, section and data tab (single-user mode is a bureau editor; the accounts tab needs an
administrator, who signs in); the browser walk is in tests/test_browser_english.py."""

from __future__ import annotations

import time

import pytest
from cjk import Residue, app_texts, data_values
from kit import app_test

from xxgeo.accounts import Accounts
from xxgeo.session import Session
from xxgeo.store import GpkgStore

PW = "correct horse 9"


@pytest.fixture
def open_store(store_copy, monkeypatch) -> GpkgStore:
    """A store copy without accounts: the single-user (open) mode, working as a bureau editor."""
    monkeypatch.setenv("XXGEO_STORE", str(store_copy.path))
    return store_copy


def _check(residue: Residue, at, where: str) -> None:
    for path, text in app_texts(at):
        residue.check(text, where + path)


#: every view and, for the views with parts, every part (URL parameters as a user would open them)
PAGES = [
    {"view": "planning"}, {"view": "planning", "overlay": "investment_wan"},
    {"view": "township"}, {"view": "township", "township": "裴介"},
    {"view": "investor"}, {"view": "investor", "park": "裴介"},
    {"view": "indicators", "section": "14th"}, {"view": "indicators", "section": "13th"},
    {"view": "indicators", "section": "progress"}, {"view": "indicators", "section": "townships"},
    {"view": "data"}, {"view": "locate"}, {"view": "locate", "id": "XM0014"},
]


def test_every_view_in_english_shows_chinese_only_in_data_values(open_store):
    residue = Residue(data_values(open_store.load()))
    for params in PAGES:
        at = app_test(lang="en", **params)
        _check(residue, at, "&".join(f"{k}={v}" for k, v in params.items()))
    assert not residue.found, "Chinese outside data values on English pages:\n" + residue.message()


def test_data_tabs_as_admin_in_english(open_store):
    Accounts(open_store).add("boss", "admin", password=PW)
    at = app_test(lang="en", view="data")
    at.sidebar.text_input(key="signin_name").input("boss")
    at.sidebar.text_input(key="signin_password").input(PW)
    next(b for b in at.sidebar.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.sidebar.radio[0].set_value("Data").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.label for t in at.tabs] == ["Import", "Export", "Edit a project", "Park contacts", "Undo and backups",
                                        "Accounts"]
    residue = Residue(data_values(open_store.load()))
    _check(residue, at, "data(admin)")
    assert not residue.found, "Chinese outside data values on the English data view:\n" + residue.message()


def test_the_chinese_walk_finds_what_it_should(open_store):
    """The walk is not blind: the Chinese pages are full of Chinese outside data values."""
    residue = Residue(data_values(open_store.load()))
    _check(residue, app_test(view="data"), "data(zh)")
    assert {"导入", "导出", "编辑项目"} <= set(residue.found)


def test_session_expiry_is_said_in_english(open_store):
    Accounts(open_store).add("li", "editor", password=PW)
    at = app_test(lang="en")
    old = time.time() - 2 * 3600
    at.session_state["xx_session"] = Session("li", "editor", None, "local", old, old)
    at.run()
    warnings = [w.value for w in at.sidebar.warning]
    assert any("sign-in has expired" in w for w in warnings), warnings
    residue = Residue([])
    for w in warnings:
        residue.check(w, "expiry")
    assert not residue.found, residue.message()


def test_every_code_and_field_label_has_english(dataset):
    """What the walk relies on, for data other than the default dataset: every code list of the schema, every
    status in use and every field label has its English (so a new one fails here, not on a user's screen)."""
    from cjk import CJK

    from xxgeo import schema
    from xxgeo.vocab import boundary_text, label_text, status_text, unit_text, value_en

    codes = [*schema.CATEGORIES, *schema.SITE_KINDS, *schema.ROAD_CLASSES, *schema.WORK_TYPES, *schema.NATURES,
             *schema.LAYERS["townships"].field("kind").choices, "是", "否"]
    assert [c for c in codes if CJK.search(str(value_en(c)))] == []
    assert [b for b in schema.BOUNDARY_QUALITIES if CJK.search(boundary_text(b, "en"))] == []
    statuses = {s for layer in ("projects", "parks", "scenic_sites") for s in dataset[layer]["status"].dropna()}
    assert [s for s in statuses if CJK.search(status_text(s, "en").split("(plan text:")[0])] == []
    labels = {f.label for lay in schema.LAYERS.values() for f in lay.fields if f.label}
    assert [x for x in labels if CJK.search(label_text(x, "en"))] == []
    units = set(dataset["indicators"]["unit"].dropna()) | {f.unit for lay in schema.LAYERS.values() for f in lay.fields}
    assert [u for u in units if CJK.search(str(unit_text(u, "en")))] == []
