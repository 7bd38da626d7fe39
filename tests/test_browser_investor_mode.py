"""Issue 17 item 1, in Chromium: the investor mode page (``?view=investor&kiosk=1``, and the projector
laptop's ``XXGEO_KIOSK=investor``) shows the park and nothing of the rest of the app — no sidebar, no
navigation, no sign-in hints, no command lines, no links into internal views — with the network cut."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from kit import map_frame, offline_page, running_app

FORBIDDEN = ("python -m", "规划总览", "单用户", "登录", "账号", "视图 / View", "乡镇一页", "Sign in", "Planning")


@pytest.fixture(scope="module")
def kiosk_server(built_store_path):
    with running_app(str(built_store_path), XXGEO_KIOSK="investor") as url:
        yield url


def _check(page) -> str:
    page.get_by_text("联系方式", exact=True).wait_for(timeout=60000)  # the park card has been drawn
    map_frame(page)
    body = page.inner_text("body")
    for word in FORBIDDEN:
        assert word not in body, word
    assert page.locator('section[data-testid="stSidebar"]').count() == 0
    assert page.locator('[data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"]').count() \
        == 0
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in links if "view=" in h], links
    return body


def test_the_setting_gives_the_investor_page_alone(browser, kiosk_server, tmp_path):
    page, _blocked, errors = offline_page(browser)
    page.goto(f"{kiosk_server}/?view=data&park=" + quote("裴介"))  # even a link to an internal view
    body = _check(page)
    assert "裴介“六新”产业集聚区" in body and "未注明" in body  # (table cells are drawn on a canvas)
    page.screenshot(path=str(tmp_path / "kiosk.png"), full_page=True)
    assert not errors, errors
    page.close()


def test_the_url_gives_the_investor_page_alone_in_english(browser, built_store_path):
    with running_app(str(built_store_path)) as url:
        page, _blocked, errors = offline_page(browser)
        page.goto(f"{url}/?view=investor&kiosk=1&lang=en&park=" + quote("裴介"))
        page.get_by_text("Contacts", exact=True).wait_for(timeout=60000)
        map_frame(page)
        body = page.inner_text("body")
        for word in (*FORBIDDEN, "Data", "Indicators"):
            assert word not in body, word
        assert "not stated" in body
        assert page.locator('section[data-testid="stSidebar"]').count() == 0
        assert not errors, errors
        page.close()
