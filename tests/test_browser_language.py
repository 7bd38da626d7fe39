"""Issue 17 item 2 in a real browser: the English pages as drawn, the map's legend, layer control, labels,
tooltips and popups included, show Chinese only in data values (tests/cjk.py); the Chinese pages show none of
Streamlit's English chrome that the app can set, hide or replace.

Streamlit words the app cannot reach are listed in NOT_SETTABLE (screen-reader-only texts and hover tooltips)."""

from __future__ import annotations

import shutil

import pytest
from cjk import Residue, data_values
from kit import map_frame, offline_page, running_app

from xxgeo.accounts import Accounts
from xxgeo.store import GpkgStore

PW = "correct horse 9"
#: Streamlit's English chrome in Chinese mode (issue 17): each is set, hidden or replaced by the app
CHROME = ("Select all", "Browse files", "Drag and drop", "per file", "Press Enter", "Stop", "Deploy", "Upload")
#: English Streamlit shows that no option, parameter or CSS rule of the app reaches (left in the DOM for
#: screen readers, or shown only on hover): not asserted, listed in the issue note
NOT_SETTABLE = ("Skip to main content", "options available", "Download as CSV", "Search", "Fullscreen")

ENGLISH_PAGES = ["view=planning", "view=township&township=%E8%A3%B4%E4%BB%8B", "view=investor",
                 "view=investor&park=%E8%A3%B4%E4%BB%8B", "view=indicators&section=townships"]

#: every text of the map: legend (opened), layer control, labels, and the tooltip and popup of every feature
#: of every xxgeo layer (layers off by default are switched on first); one popup is opened for real
MAP_TEXTS = """() => {
  const text = h => { const d = document.createElement('div'); d.innerHTML = h; return d.textContent; };
  const out = [];
  const maps = Object.values(window).filter(v => v instanceof L.Map);
  document.querySelectorAll('.xx-legend details').forEach(d => { d.open = true; });
  for (const e of document.querySelectorAll('.xx-legend, .leaflet-control-layers, .xx-label, .xx-title'))
    out.push(e.textContent);
  let opened = null;
  for (const v of Object.values(window)) {
    if (!v || !v.xxLayer) continue;
    if (maps.length && !maps[0].hasLayer(v)) maps[0].addLayer(v);
    v.xxLayer.eachLayer(l => {
      const t = l.getTooltip && l.getTooltip();
      if (t) out.push(text(t.getContent()));
      const p = l.getPopup && l.getPopup();
      if (p) {
        const c = p._content;
        out.push(text(typeof c === 'function' ? c(l) : c));
        if (!opened && l.openPopup) { l.openPopup(); opened = document.querySelector('.leaflet-popup-content'); }
      }
    });
  }
  if (opened) out.push(opened.textContent);
  return {texts: out, opened: !!opened};
}"""


@pytest.fixture(scope="module")
def open_server(built_store_path, tmp_path_factory):
    dest = tmp_path_factory.mktemp("en") / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    with running_app(str(dest)) as url:
        yield url, GpkgStore(dest)


@pytest.fixture(scope="module")
def accounts_server(built_store_path, tmp_path_factory):
    dest = tmp_path_factory.mktemp("zh") / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    Accounts(GpkgStore(dest)).add("li", "editor", password=PW)
    with running_app(str(dest)) as url:
        yield url


def _wait_idle(page) -> None:
    """Until the script run is over (Streamlit's status widget gone) and the page shows a heading."""
    page.wait_for_selector('[data-testid="stHeading"], [data-testid="stMarkdownContainer"] h2', timeout=90000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90000)


def test_english_pages_and_maps_show_chinese_only_in_data_values(browser, open_server):
    url, store = open_server
    residue = Residue(data_values(store.load()))
    page, _blocked, errors = offline_page(browser)
    for query in ENGLISH_PAGES:
        page.goto(f"{url}/?{query}&lang=en")
        _wait_idle(page)
        residue.check(page.inner_text("body"), query)
        got = map_frame(page).evaluate(MAP_TEXTS)
        assert got["opened"], query
        for t in got["texts"]:
            residue.check(t, query + " (map)")
    page.close()
    assert not errors, errors
    assert not residue.found, "Chinese outside data values in the English browser walk:\n" + residue.message()


def _chrome_left(text: str) -> list[str]:
    return [w for w in CHROME if w in text]


def test_chinese_pages_hide_or_replace_streamlit_english(browser, accounts_server):
    page, _blocked, errors = offline_page(browser)
    page.goto(f"{accounts_server}/?view=planning")
    _wait_idle(page)
    assert _chrome_left(page.inner_text("body")) == []
    # Streamlit's Stop button shows only while a run lasts: probed with its own markup (Streamlit 1.67)
    stop = page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend',
          '<div data-testid="stStatusWidget" id="xx-probe"><span><button kind="header">Stop</button></span></div>');
        const b = document.querySelector('#xx-probe button');
        const got = {shown: b.innerText.trim(), after: getComputedStyle(b, '::after').content};
        document.getElementById('xx-probe').remove();
        return got; }""")
    assert stop == {"shown": "", "after": '"停止"'}, stop  # "Stop" hidden, 停止 in its place
    # the sign-in form: typing shows Streamlit's Enter hint, in Chinese
    page.locator('[data-testid="stSidebar"] input[type="text"]').first.fill("li")
    hint = page.wait_for_selector('[data-testid="InputInstructions"]', state="attached")
    assert hint.evaluate("e => getComputedStyle(e, '::after').content") == '"按回车键确认"'
    assert _chrome_left(page.inner_text("body")) == []
    page.locator('[data-testid="stSidebar"] input[type="password"]').fill(PW)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('[data-testid="stSidebar"] label:has-text("数据")', timeout=60000)
    _wait_idle(page)
    # the planning filters: a multiselect opened has no "Select all"
    page.locator('[data-testid="stSidebar"] label:has-text("规划总览")').click()
    page.wait_for_selector('[data-testid="stMultiSelect"]', timeout=60000)
    _wait_idle(page)
    page.locator('[data-testid="stMultiSelect"]').first.click()
    page.wait_for_selector('[role="listbox"], [data-baseweb="menu"]')
    assert _chrome_left(page.inner_text("body")) == []
    page.keyboard.press("Escape")
    # the data view: the uploader's button and size note in Chinese
    page.locator('[data-testid="stSidebar"] label:has-text("数据")').click()
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=60000)
    _wait_idle(page)
    assert _chrome_left(page.inner_text("body")) == []
    shown = page.evaluate("""() => [
        '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]',
        '[data-testid="stFileUploaderDropzoneInstructions"] > div'].map(
          q => getComputedStyle(document.querySelector(q), '::after').content)""")
    assert shown == ['"上传"', '"每个文件不超过 200MB"'], shown
    assert page.locator('[data-testid="stToolbarActions"] button').count() == 0  # no Deploy
    page.close()
    assert not errors, errors
