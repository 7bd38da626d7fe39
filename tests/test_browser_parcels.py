"""Parcels in a real browser (issue 15): the investor view draws the public parcels numbered on its map and in
its cards, with 亩 and the 七通一平 checklist; a non-public parcel appears nowhere on the page or in the map."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
from datafactory import import_file
from kit import map_frame, offline_page, running_app
from parcelfactory import SECRET_NAME, surveyor_zip
from playwright.sync_api import expect

from xxgeo.store import GpkgStore


@pytest.fixture(scope="module")
def server(built_store_path, tmp_path_factory):
    d = tmp_path_factory.mktemp("parcels")
    path = d / "xxgeo.gpkg"
    shutil.copy2(built_store_path, path)
    import_file(surveyor_zip(d / "dk.zip"), "parcels", GpkgStore(path))
    with running_app(str(path)) as url:
        yield url


def _labels(frame) -> list:
    frame.wait_for_selector(".xx-label-parcels", state="attached", timeout=60_000)
    return sorted(frame.evaluate("""() => Array.from(document.querySelectorAll('.xx-label-parcels'))
                                   .map(e => e.textContent.trim())"""))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_investor_view_shows_public_parcels_numbered_and_hides_the_other(browser, server, lang):
    page, _blocked, errors = offline_page(browser)
    page.goto(f"{server}/?view=investor&park={quote('裴介')}" + ("&lang=en" if lang == "en" else ""))
    page.wait_for_selector(".xx-parcel", timeout=90_000)
    frame = map_frame(page)
    assert _labels(frame) == ["1", "2"]
    assert SECRET_NAME not in frame.content() and "PJ-03" not in frame.content()
    cards = page.locator(".xx-parcel")
    cards.nth(1).wait_for()
    assert cards.count() == 2
    first = cards.nth(0).inner_text()
    if lang == "zh":
        assert "裴介东区一号地块" in first and "30.0 亩（20,000 m²）" in first
        assert "✓ 通路" in first and "✗ 排水" in first and "? 通燃气" in first
    else:
        assert "30.0 mu (20,000 m²)" in first and "✓ road" in first and "? gas" in first
    body = page.content()
    assert SECRET_NAME not in body and "PJ-03" not in body
    assert not errors, errors
    page.close()


def test_projector_mode_shows_the_cards_without_the_sidebar(browser, server):
    page, _blocked, errors = offline_page(browser)
    page.goto(f"{server}/?view=investor&park={quote('裴介')}&present=1")
    page.wait_for_selector(".xx-parcel", timeout=90_000)
    expect(page.locator(".xx-parcel")).to_have_count(2)  # (the cards come one after the other: wait for both)
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
    assert page.locator('input[aria-label="最小面积（亩）"]').count() == 0  # no filters on a projector
    assert not errors, errors
    page.close()
