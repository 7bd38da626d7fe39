"""Issue 12's "Done when" in a real browser: a township head signs in, reports a month for two of their
projects with a photo and a problem, and cannot touch another township's project; the bureau returns one,
approves the other and closes the problem; the store is checked after each step. Screenshots of the view (Chinese
and English) are written to the test's temporary directory."""

from __future__ import annotations

import io
import shutil

import pytest
from kit import offline_page, running_app, wait_for_app_run
from PIL import Image

from xxgeo.accounts import Accounts
from xxgeo.store import GpkgStore

PW = "correct horse 9"
PEIJIE = "140828102"
OTHER = "XM0035"
M = "2026-03"


@pytest.fixture
def store(built_store_path, tmp_path):
    dest = tmp_path / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    s = GpkgStore(dest)
    book = Accounts(s)
    book.add("zhang", "township", password=PW, township="裴介")
    book.add("li", "editor", password=PW)
    return s


def _jpeg(path):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 60)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def _sign_in(page, url, name):
    page.goto(f"{url}/?view=dispatch")
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_label("用户名").wait_for(timeout=120_000)
    sidebar.get_by_label("用户名").fill(name)
    sidebar.get_by_label("密码").fill(PW)
    sidebar.get_by_role("button", name="登录").click()
    sidebar.get_by_text("已登录").wait_for(timeout=120_000)
    sidebar.get_by_text("调度", exact=True).click()
    month = sidebar.get_by_label("月份（YYYY-MM）")
    month.wait_for(timeout=120_000)
    wait_for_app_run(page)
    month.fill(M)
    month.press("Enter")
    try:
        page.get_by_text(f"项目调度 · {M}").wait_for(timeout=120_000)
    except Exception:
        page.screenshot(path="/tmp/i12c_fail.png")
        raise
    wait_for_app_run(page)
    return sidebar


def _edit_cell(page, grid, row: int, right: int, text: str) -> None:
    """Type ``text`` into the data editor's cell ``right`` columns right of the first, in data row ``row``."""
    wait_for_app_run(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 * (row + 1) + 17)
    for _ in range(right):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # opens the cell's editor (glide-data-grid's overlay)
    editor = page.locator("#portal input, #portal textarea").first
    editor.wait_for()
    editor.fill(text)
    editor.press("Enter")
    editor.wait_for(state="detached")
    wait_for_app_run(page)  # an edit reruns the script


def _click_until_stored(page, button: str, stored, tries: int = 3) -> None:
    """Click ``button`` and wait for the store to hold what it writes (the state, not a message): a click that
    lands while an upload's rerun is still settling can be lost on a busy machine, so an idle app with nothing
    stored gets the click again (saving the same photo twice is refused by the store, so a repeat is safe)."""
    for _ in range(tries):
        wait_for_app_run(page)
        page.get_by_role("button", name=button).click()
        for _ in range(60):  # up to a minute per click, polling the store as the app writes it
            wait_for_app_run(page)
            if stored():
                return
            page.wait_for_timeout(1000)
    raise AssertionError(f"“{button}” stored nothing after {tries} clicks")


def _state(store, pid):
    p = store.read("progress").set_index("progress_id")
    return p.loc[f"{pid}/{M}", "state"] if f"{pid}/{M}" in p.index else None


@pytest.mark.slow
def test_a_month_reported_and_reviewed_in_the_browser(browser, store, tmp_path):
    projects = store.read("projects")
    own = sorted(projects.loc[projects["township_code"] == PEIJIE, "project_id"].astype(str))[:2]
    a, b = own
    with running_app(str(store.path)) as url:
        page, _blocked, errors = offline_page(browser)
        _sign_in(page, url, "zhang")
        page.get_by_text("还没有任何月度进度").first.wait_for()
        page.get_by_role("tab", name="填报").click()
        grid = page.locator('[data-testid="stDataFrame"]').last
        grid.wait_for()
        assert OTHER not in page.inner_text("body")  # another township's project is not offered
        _edit_cell(page, grid, 0, 3, "1200")
        _edit_cell(page, grid, 0, 5, "300")
        _edit_cell(page, grid, 1, 3, "1000")
        _edit_cell(page, grid, 1, 5, "20")
        page.screenshot(path="/tmp/i12c_edit.png")
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("已保存 2 个项目").wait_for(timeout=120_000)
        wait_for_app_run(page)
        prog = store.read("progress").set_index("progress_id")
        assert prog.loc[f"{a}/{M}", "annual_plan_wan"] == 1200 and prog.loc[f"{a}/{M}", "year_done_wan"] == 300
        assert prog.loc[f"{b}/{M}", "year_done_wan"] == 20 and _state(store, a) == "draft"
        # a photo for the first project
        page.get_by_role("tab", name="填报").click()
        upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        upload.set_input_files(str(_jpeg(tmp_path / "现场.jpg")))
        try:
            page.get_by_text("现场.jpg", exact=True).wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path="/tmp/i12c_photo.png", full_page=True)
            raise
        wait_for_app_run(page)
        _click_until_stored(page, "保存照片", lambda: len(store.read("photos")) > 0)
        wait_for_app_run(page)
        photos = store.read("photos")
        assert photos["project_id"].tolist() == [a] and photos["uploaded_by"].tolist() == ["zhang"]
        # a problem
        page.get_by_role("tab", name="问题清单").click()
        page.get_by_label("存在问题").fill("征地未完成")
        page.get_by_label("需协调事项").fill("县自然资源局协调")
        page.get_by_role("button", name="添加问题").click()
        page.get_by_text("已添加问题").wait_for(timeout=120_000)
        wait_for_app_run(page)
        assert store.read("problems")["text"].tolist() == ["征地未完成"]
        # submit
        page.get_by_role("tab", name="填报").click()
        page.get_by_role("button", name="提交本月草稿").click()
        page.get_by_text("已提交 2 份月报").wait_for(timeout=120_000)
        wait_for_app_run(page)
        assert _state(store, a) == _state(store, b) == "submitted"
        page.get_by_role("tab", name="本月概况").click()
        page.screenshot(path=str(tmp_path / "dispatch-township-zh.png"), full_page=True)
        page.close()

        page, _blocked, errors = offline_page(browser)
        _sign_in(page, url, "li")
        page.get_by_role("tab", name="审核").click()
        box = page.get_by_role("combobox", name="要审核的月报")
        box.click()
        page.get_by_role("option", name=f"{b}", exact=False).first.click()
        wait_for_app_run(page)
        page.get_by_label("审核意见（退回时必填）").fill("本年累计与上月不符")
        page.get_by_role("button", name="退回").click()
        page.get_by_text("现为“已退回”").wait_for(timeout=120_000)
        wait_for_app_run(page)
        assert _state(store, b) == "returned"
        page.get_by_role("tab", name="审核").click()
        box = page.get_by_role("combobox", name="要审核的月报")
        box.click()
        page.get_by_role("option", name=f"{a}", exact=False).first.click()
        wait_for_app_run(page)
        page.get_by_role("button", name="通过").click()
        page.get_by_text("现为“已通过”").wait_for(timeout=120_000)
        wait_for_app_run(page)
        assert _state(store, a) == "approved"
        page.get_by_role("tab", name="问题清单").click()
        page.get_by_label("解决情况").fill("已完成征地")
        page.get_by_role("button", name="办结").click()
        page.get_by_text("已办结问题").wait_for(timeout=120_000)
        wait_for_app_run(page)
        pr = store.read("problems").iloc[0]
        assert pr["status"] == "resolved" and pr["resolved_by"] == "li"
        page.get_by_role("tab", name="本月概况").click()
        page.screenshot(path=str(tmp_path / "dispatch-bureau-zh.png"), full_page=True)
        page.locator("section[data-testid='stSidebar']").get_by_text("English").click()
        page.get_by_text(f"Project dispatch · {M}").wait_for(timeout=120_000)
        wait_for_app_run(page)
        page.screenshot(path=str(tmp_path / "dispatch-bureau-en.png"), full_page=True)
        shutil.copytree(tmp_path, "/tmp/i12c_shots", dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.gpkg*",
                                                                                                          "backups"))
        assert not errors, errors
