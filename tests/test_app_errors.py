"""The views' error boundary and view list: an XxgeoError is shown in the UI's language; a view module that
is missing or broken stops the page loudly instead of leaving it silently empty."""

import importlib

import pytest
from kit import ROOT, app_test
from streamlit.testing.v1 import AppTest

from xxgeo.errors import NotFound, XxgeoError
from xxgeo.views import shell


@pytest.fixture
def store_env(built_store_path, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(built_store_path))


def _raising(*_a, **_k):
    raise NotFound("没有名为“火星”的园区。", english="There is no park called “Mars”.")


def _run(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_an_error_in_a_view_is_shown_in_english_in_english_mode(store_env, monkeypatch):
    planning = importlib.import_module("xxgeo.views.planning")
    monkeypatch.setattr(planning, "render", _raising)
    at = app_test(view="planning", lang="en")
    assert [e.value for e in at.error] == ["There is no park called “Mars”."]
    at = app_test(view="planning")
    assert [e.value for e in at.error] == ["没有名为“火星”的园区。"]


def test_a_report_error_in_the_township_view_is_shown_in_english(store_env, monkeypatch):
    """The PDF is built when its one button is clicked (Streamlit's deferred download): an error raised while
    building reaches the button as its sentence in the UI's language; a missing font is said before any click."""
    from xxgeo.views.common import said_in

    monkeypatch.setattr(importlib.import_module("xxgeo.reports"), "township_report_pdf", _raising)
    at = app_test(view="township", township="裴介", lang="en")
    assert not at.exception
    button = next(b for b in at.get("download_button") if "PDF" in b.proto.label)
    assert button.proto.deferred_file_id, "the PDF is built on click, not before"
    with pytest.raises(XxgeoError) as err:  # what the button would show, had the build failed
        said_in(_raising, "en")()
    assert str(err.value) == "There is no park called “Mars”."
    monkeypatch.setattr(importlib.import_module("xxgeo.reports"), "cjk_font", _raising)
    at = app_test(view="township", township="裴介", lang="en")
    assert "There is no park called “Mars”." in [e.value for e in at.error]
    assert not [b for b in at.get("download_button") if "PDF" in b.proto.label]


def test_an_unknown_park_in_the_url_warns_in_the_error_own_words(store_env):
    at = app_test(view="investor", park="火星")
    assert any("火星" in w.value for w in at.warning)


def test_every_view_module_exists_and_renders():
    assert tuple(shell.VIEW_MODULES) == shell.VIEWS
    for view in shell.VIEWS:
        assert callable(shell.view_module(view).render)


def test_an_unknown_view_is_refused():
    with pytest.raises(KeyError, match="mars"):
        shell.view_module("mars")


def test_a_missing_view_module_stops_the_page(store_env, monkeypatch):
    monkeypatch.setitem(shell.VIEW_MODULES, "data", "xxgeo.views.no_such_view")
    at = _run(view="data")
    assert at.exception and "no_such_view" in at.exception[0].value
    assert not any("尚未提供" in i.value for i in at.info)


def test_a_broken_view_module_stops_the_page(store_env, monkeypatch, tmp_path):
    (tmp_path / "xx_broken_view.py").write_text("import xxgeo.no_such_module\n\ndef render(ctx):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(shell.VIEW_MODULES, "indicators", "xx_broken_view")
    at = _run(view="indicators")
    assert at.exception and "no_such_module" in at.exception[0].value


def test_a_view_module_without_render_is_refused(monkeypatch, tmp_path):
    (tmp_path / "xx_renderless_view.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(shell.VIEW_MODULES, "data", "xx_renderless_view")
    with pytest.raises(AttributeError, match="render"):
        shell.view_module("data")


def test_tianditu_key_from_the_settings_then_secrets(monkeypatch, tmp_path):
    from xxgeo.views.common import tianditu_key

    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here: the key is simply absent
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    assert tianditu_key() is None
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    assert tianditu_key() == "abc123"
