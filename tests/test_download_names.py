"""Downloads are named as their readers know the thing (a park's or township's name), never by an internal id,
and the name is one every file system accepts."""

from __future__ import annotations

import importlib

import pytest

from tests.kit import app_test
from xxgeo.textsafe import file_name


def test_file_name_removes_what_file_systems_refuse():
    assert file_name('裴介"六新"产业集聚区') == "裴介六新产业集聚区"
    assert file_name("a/b\\c:d*e?f|g<h>i“j”") == "abcdefghij"
    assert file_name("  ..  ") == "download"
    assert len(file_name("长" * 200)) == 80


@pytest.fixture
def store_env(built_store_path, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(built_store_path))


@pytest.mark.parametrize("lang, suffix", [("zh", "-招商手册.pdf"), ("en", "-brochure.pdf")])
def test_the_brochure_is_named_after_the_park(store_env, monkeypatch, lang, suffix):
    investor = importlib.import_module("xxgeo.views.investor")
    names: list[str] = []
    real = investor.report_download
    monkeypatch.setattr(investor, "report_download",
                        lambda ctx, label, build, name, **kw: (names.append(name), real(ctx, label, build, name, **kw)))
    at = app_test(view="investor", park="peijie", lang=lang)
    assert not at.exception
    assert names and names[-1].endswith(suffix)
    assert "peijie" not in names[-1] and names[-1].startswith("裴介")
