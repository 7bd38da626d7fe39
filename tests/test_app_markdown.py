"""AppTest (issue 18): text from URLs and data is shown as text, never as live markdown links or images."""

from __future__ import annotations

import shutil

import pytest
from kit import app_test
from markdown_it import MarkdownIt

from xxgeo.store import GpkgStore
from xxgeo.textsafe import md

EVIL = "[x](https://evil.example) ![i](https://evil.example/a.png) $\\alpha$ **b**"
_MD = MarkdownIt("commonmark")


def _rendered(at) -> list[str]:
    """Every markdown-rendered text of the page (main area and sidebar), as HTML."""
    out = []
    for kind in ("markdown", "caption", "warning", "info", "error", "success", "subheader", "header", "title"):
        for area in (at, at.sidebar):
            out += [_MD.render(str(el.value)) for el in getattr(area, kind, [])]
    return out


def _assert_literal(at) -> None:
    html = _rendered(at)
    assert html and not [h for h in html if "<a " in h or "<img" in h or "<em>" in h and "alpha" in h], html
    assert any("evil.example" in h for h in html), "the hostile text should be shown (literally)"
    # Streamlit links bare URLs and e-mail addresses after markdown, whatever the escapes: they must be broken
    assert not [h for h in html if "https://evil" in h or "www.evil" in h], html


@pytest.fixture
def evil_store(built_store_path, tmp_path, monkeypatch) -> GpkgStore:
    dest = tmp_path / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    s = GpkgStore(dest)
    parks = s.read("parks")
    s.update_feature("parks", str(parks["park_id"].iloc[0]), {"name": EVIL}, user="t")
    town = str(parks["township_code"].iloc[0])
    s.update_feature("townships", town, {"name": "镇" + EVIL}, user="t")
    monkeypatch.setenv("XXGEO_STORE", str(dest))
    return s


def test_md_escapes_links_images_math_and_directives():
    html = _MD.render(md(EVIL + " :red[x] :smile: <https://e.x> www.e.x a@b.cn # h"))
    assert "<a " not in html and "<img" not in html and "<em>" not in html and "<h1>" not in html
    shown = html.replace("\u200b", "")  # zero-width spaces break Streamlit's own linking and emoji
    assert "[x](https://evil.example)" in shown and ":red[x] :smile:" in shown and "a@b.cn" in shown
    assert "https://" not in html and ":smile:" not in html and "a@b" not in html


def test_township_view_shows_names_from_data_literally(evil_store):
    town = str(evil_store.read("parks")["township_code"].iloc[0])
    _assert_literal(app_test(view="township", township=town))


def test_urls_are_shown_literally(evil_store):
    _assert_literal(app_test(view="township", township=EVIL))
    _assert_literal(app_test(view="investor", park=EVIL))
