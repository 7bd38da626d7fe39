"""Issue 12's "Done when" in a real browser: a township head signs in, reports a month for two of their
projects with a photo and a problem, and cannot touch another township's project; the bureau returns one,
approves the other and closes the problem; the store is checked after each step. The walk runs on GeoPackage
and on PostGIS (a fresh schema on the private server tests/conftest.py starts), in Chinese and in English
(``lang=en``: every label the walk uses is the English one, and no Chinese is left on the dispatch page but data
values, tests/cjk.py). Screenshots of the view are written to the test's temporary directory."""

from __future__ import annotations

import io
import shutil
import uuid

import pytest
from cjk import Residue, data_values
from kit import drop_schemas, offline_page, running_app, sign_in, wait_for_app_run
from PIL import Image
from playwright.sync_api import expect

from xxgeo.accounts import Accounts
from xxgeo.i18n import tr
from xxgeo.policy_dispatch import state_text

PW = "correct horse 9"
PEIJIE = "140828102"
OTHER = "XM0035"
M = "2026-03"
#: what the walk types in: data values, which the English page may show as typed
TYPED = ("征地未完成", "县自然资源局协调", "本年累计与上月不符", "已完成征地", "现场.jpg")


def _accounts(store) -> None:
    book = Accounts(store)
    book.add("zhang", "township", password=PW, township="裴介")
    book.add("li", "editor", password=PW)


@pytest.fixture(params=[pytest.param(("gpkg", "zh"), id="gpkg-zh"),
                        pytest.param(("postgis", "zh"), id="postgis-zh", marks=pytest.mark.postgis),
                        pytest.param(("postgis", "en"), id="postgis-en", marks=pytest.mark.postgis)])
def walk(request, built_store_path, tmp_path):
    """(store, location the app opens, lang): the default store with a township head and an editor."""
    backend, lang = request.param
    if backend == "gpkg":
        from xxgeo.store import GpkgStore

        dest = tmp_path / "xxgeo.gpkg"
        shutil.copy2(built_store_path, dest)
        store = GpkgStore(dest)
        _accounts(store)
        yield store, str(dest), lang
        return
    from xxgeo.sources.build import build

    pg_url = request.getfixturevalue("pg_url")
    schema = f"xxgeo_dweb_{uuid.uuid4().hex[:10]}"
    location = f"{pg_url}{'&' if '?' in pg_url else '?'}schema={schema}"
    try:
        store = build(location)
        _accounts(store)
        yield store, location, lang
    finally:
        drop_schemas(pg_url, schema)


def _jpeg(path):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 60)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def _t(key: str, lang: str, **kw) -> str:
    """A string of the dispatch view in ``lang``."""
    return tr(f"dispatch_view.{key}", lang, **kw)


def _open_dispatch(page, url, name, lang):
    page.goto(f"{url}/?view=dispatch" + ("&lang=en" if lang == "en" else ""))
    sign_in(page, name, PW, lang)
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_text(tr("view.dispatch", lang), exact=True).click()
    month = sidebar.get_by_label(_t("month", lang))
    month.wait_for(timeout=120_000)
    wait_for_app_run(page)
    month.fill(M)
    month.press("Enter")
    page.get_by_text(_t("title", lang, month=M).removeprefix("## ")).wait_for(timeout=120_000)
    wait_for_app_run(page)
    return sidebar


def _edit_cell(page, grid, row: int, right: int, text: str, tries: int = 5) -> None:
    """Type ``text`` into the data editor's cell ``right`` columns right of the first, in data row ``row``.

    The click must give the grid the keyboard (a click landing while a rerun still moves the page would leave
    it on the tab list, where the arrow keys change tabs): it is repeated until the grid holds the focus."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        wait_for_app_run(page)
        # the first column under the click, whatever an edit further right scrolled (wide English headers)
        grid.locator(".dvn-scroller").first.evaluate("e => { e.scrollLeft = 0; }")
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 20, box["y"] + 35 * (row + 1) + 17)
        try:
            page.wait_for_function("(g) => g.contains(document.activeElement)", arg=grid.element_handle(),
                                   timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        raise AssertionError(f"the table did not take the focus after {tries} clicks")
    for _ in range(right):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # opens the cell's editor (glide-data-grid's overlay)
    editor = page.locator("#portal input, #portal textarea").first
    editor.wait_for()
    editor.fill(text)
    editor.press("Enter")
    editor.wait_for(state="detached")
    wait_for_app_run(page)  # an edit reruns the script


def _edit_until_pending(page, grid, row: int, right: int, text: str, pending: str, tries: int = 3) -> None:
    """Edit a cell and wait until the page counts it among the unsaved changes — the server has the edit (an
    edit typed while a rerun was still drawing the table can be dropped on a busy machine: it is typed again)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        _edit_cell(page, grid, row, right, text)
        try:
            page.get_by_text(pending, exact=True).wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the edit {text!r} was not counted after {tries} tries (waiting for {pending!r})")


def _click_until_stored(page, button: str, stored, tries: int = 3) -> None:
    """Click ``button`` and wait for the store to hold what it writes (the state, not a message): a click that
    lands while a rerun (an upload's, a table edit's) is still settling can be lost on a busy machine, so an idle
    app with nothing stored gets the click again (each write here is refused or the same when repeated: the same
    photo twice, the same values, a step already taken; the message of the write is waited for after it)."""
    for _ in range(tries):
        wait_for_app_run(page)
        page.get_by_role("button", name=button, exact=True).click()
        for _ in range(60):  # up to a minute per click, polling the store as the app writes it
            wait_for_app_run(page)
            if stored():
                return
            page.wait_for_timeout(1000)
    said = [m for m in page.locator('[data-testid="stAlert"], [data-testid="stToast"]').all_inner_texts() if m]
    raise AssertionError(f"“{button}” stored nothing after {tries} clicks; the page said: {said}")


def _state(store, pid):
    p = store.read("progress").set_index("progress_id")
    return p.loc[f"{pid}/{M}", "state"] if f"{pid}/{M}" in p.index else None


class _English:
    """In the English walk, the CJK left on the page once data values are taken out (nothing, in Chinese)."""

    def __init__(self, store, lang: str):
        self.residue = Residue(sorted({*data_values(store.load()), *TYPED}, key=len, reverse=True)) \
            if lang == "en" else None

    def check(self, page, where: str) -> None:
        if self.residue is not None:
            wait_for_app_run(page)
            self.residue.check(page.inner_text("body"), where)


@pytest.mark.slow
def test_a_month_reported_and_reviewed_in_the_browser(browser, walk, tmp_path):
    store, location, lang = walk
    english = _English(store, lang)
    projects = store.read("projects")
    own = sorted(projects.loc[projects["township_code"] == PEIJIE, "project_id"].astype(str))[:2]
    a, b = own
    with running_app(location) as url:
        try:
            page, _blocked, errors = offline_page(browser)
            _open_dispatch(page, url, "zhang", lang)
            page.get_by_text(_t("begin", lang, month=M)[:12]).first.wait_for()
            english.check(page, "township: this month")
            page.get_by_role("tab", name=_t("tab_report", lang), exact=True).click()
            report = page.get_by_role("tab", name=_t("tab_report", lang), exact=True)
            expect(report).to_have_attribute("aria-selected", "true")
            grid = page.get_by_role("tabpanel", name=_t("tab_report", lang), exact=True) \
                .locator('[data-testid="stDataFrame"]').first
            grid.wait_for()
            assert OTHER not in page.inner_text("body")  # another township's project is not offered
            for k, (row, right, text, n) in enumerate(((0, 3, "1200", 1), (0, 5, "300", 1), (1, 3, "1000", 2),
                                                         (1, 5, "20", 2))):
                _edit_until_pending(page, grid, row, right, text, _t("pending", lang, n=n, cells=k + 1))
            english.check(page, "township: report")
            page.screenshot(path=str(tmp_path / f"dispatch-pending-{lang}.png"), full_page=True)
            _click_until_stored(page, _t("save", lang), lambda: _state(store, a) == _state(store, b) == "draft")
            page.get_by_text(_t("saved", lang, n=2, month=M)).wait_for(timeout=120_000)
            wait_for_app_run(page)
            prog = store.read("progress").set_index("progress_id")
            assert prog.loc[f"{a}/{M}", "annual_plan_wan"] == 1200 and prog.loc[f"{a}/{M}", "year_done_wan"] == 300
            assert prog.loc[f"{b}/{M}", "year_done_wan"] == 20 and _state(store, a) == "draft"
            # a photo for the first project
            page.get_by_role("tab", name=_t("tab_report", lang), exact=True).click()
            upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
            upload.set_input_files(str(_jpeg(tmp_path / "现场.jpg")))
            page.get_by_text("现场.jpg", exact=True).wait_for(timeout=120_000)
            wait_for_app_run(page)
            _click_until_stored(page, _t("photo_add", lang), lambda: len(store.read("photos")) > 0)
            wait_for_app_run(page)
            photos = store.read("photos")
            assert photos["project_id"].tolist() == [a] and photos["uploaded_by"].tolist() == ["zhang"]
            english.check(page, "township: photo")
            # a problem
            page.get_by_role("tab", name=_t("tab_problems", lang), exact=True).click()
            page.get_by_label(_t("problem_text", lang), exact=True).fill("征地未完成")
            page.get_by_label(_t("problem_needs", lang), exact=True).fill("县自然资源局协调")
            english.check(page, "township: problems")
            _click_until_stored(page, _t("problem_add", lang), lambda: len(store.read("problems")) > 0)
            page.get_by_text(_t("problem_added", lang).split("{")[0]).wait_for(timeout=120_000)
            wait_for_app_run(page)
            assert store.read("problems")["text"].tolist() == ["征地未完成"]
            # submit
            page.get_by_role("tab", name=_t("tab_report", lang), exact=True).click()
            _click_until_stored(page, _t("submit", lang),
                                lambda: _state(store, a) == _state(store, b) == "submitted")
            page.get_by_text(_t("submitted", lang, n=2)).wait_for(timeout=120_000)
            wait_for_app_run(page)
            assert _state(store, a) == _state(store, b) == "submitted"
            page.get_by_role("tab", name=_t("tab_overview", lang), exact=True).click()
            english.check(page, "township: submitted")
            page.screenshot(path=str(tmp_path / f"dispatch-township-{lang}.png"), full_page=True)
            page.close()

            page, _blocked, errors2 = offline_page(browser)
            _open_dispatch(page, url, "li", lang)
            english.check(page, "bureau: this month")
            for pid, button, state, comment in ((b, "return", "returned", "本年累计与上月不符"),
                                                (a, "approve", "approved", None)):
                page.get_by_role("tab", name=_t("tab_review", lang), exact=True).click()
                page.get_by_role("combobox", name=_t("review_pick", lang)).click()
                page.get_by_role("option", name=pid, exact=False).first.click()
                wait_for_app_run(page)
                if comment:
                    page.get_by_label(_t("comment", lang), exact=True).fill(comment)
                english.check(page, f"bureau: review {button}")
                _click_until_stored(page, _t(button, lang), lambda p=pid, s=state: _state(store, p) == s)
                page.get_by_text(_t("reviewed", lang, rid=f"{pid}/{M}", state=state_text(state, lang))) \
                    .wait_for(timeout=120_000)
                wait_for_app_run(page)
                assert _state(store, pid) == state
            page.get_by_role("tab", name=_t("tab_problems", lang), exact=True).click()
            page.get_by_label(_t("resolution", lang), exact=True).fill("已完成征地")
            english.check(page, "bureau: problems")
            _click_until_stored(page, _t("resolve", lang),
                                lambda: store.read("problems")["status"].tolist() == ["resolved"])
            page.get_by_text(_t("resolved", lang).split("{")[0]).wait_for(timeout=120_000)
            wait_for_app_run(page)
            pr = store.read("problems").iloc[0]
            assert pr["status"] == "resolved" and pr["resolved_by"] == "li"
            page.get_by_role("tab", name=_t("tab_overview", lang), exact=True).click()
            english.check(page, "bureau: this month")
            page.screenshot(path=str(tmp_path / f"dispatch-bureau-{lang}.png"), full_page=True)
            if lang == "zh":  # the language switch of the sidebar, in the same session
                page.locator("section[data-testid='stSidebar']").get_by_text("English").click()
                page.get_by_text(f"Project dispatch · {M}").wait_for(timeout=120_000)
                wait_for_app_run(page)
                page.screenshot(path=str(tmp_path / "dispatch-bureau-switched-en.png"), full_page=True)
            page.close()
        except Exception:
            if not page.is_closed():
                page.screenshot(path=f"/tmp/dweb_fail_{walk_id(location, lang)}.png", full_page=True)
            raise
    shutil.copytree(tmp_path, f"/tmp/dweb_shots/{walk_id(location, lang)}", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.gpkg*", "backups"))
    assert not errors and not errors2, errors + errors2
    if english.residue is not None:
        assert not english.residue.found, "Chinese outside data values on the English dispatch page:\n" + \
            english.residue.message()


def walk_id(location: str, lang: str) -> str:
    """A folder name for a walk's screenshots."""
    return f"{'postgis' if location.startswith('postgres') else 'gpkg'}-{lang}"
