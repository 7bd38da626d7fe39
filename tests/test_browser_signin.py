"""Sign-in in a real browser: a township head signs in through the sidebar, edits a project of their own
township, and the store records it under their name; on the GeoPackage and (with XXGEO_TEST_PG) on PostGIS."""

from __future__ import annotations

import re
import shutil

import pytest
from kit import map_frame, offline_page, running_app, wait_for_app_run
from playwright.sync_api import expect

from xxgeo.accounts import Accounts
from xxgeo.store import GpkgStore

PW = "correct horse 9"
PEIJIE = "140828102"


@pytest.fixture(params=["gpkg", "postgis"])
def shared_store(request, built_store_path, tmp_path):
    """A store with a township head (裴介镇) and an editor: a GeoPackage copy, or a PostGIS schema."""
    if request.param == "gpkg":
        dest = tmp_path / "xxgeo.gpkg"
        shutil.copy2(built_store_path, dest)
        store, location = GpkgStore(dest), str(dest)
    else:
        store = request.getfixturevalue("pg_store")
        location = store.url
    book = Accounts(store)
    book.add("zhang", "township", password=PW, township="裴介")
    book.add("li", "editor", password=PW)
    return store, location


@pytest.fixture
def app_url(shared_store):
    with running_app(shared_store[1]) as url:
        yield url


@pytest.mark.slow
def test_township_head_signs_in_and_edits_own_project(browser, app_url, shared_store, request, tmp_path):
    store, _ = shared_store
    page, _blocked, errors = offline_page(browser)
    page.goto(f"{app_url}/?view=data")
    page.get_by_text("需要登录").first.wait_for(timeout=120_000)
    map_frame(page)  # the public get the investor map instead
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_label("用户名").fill("zhang")
    sidebar.get_by_label("密码").fill("wrong password")
    sidebar.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码不正确。").first.wait_for(timeout=120_000)
    sidebar.get_by_label("用户名").fill("zhang")
    sidebar.get_by_label("密码").fill(PW)
    sidebar.get_by_role("button", name="登录").click()
    sidebar.get_by_text("乡镇负责人 · 裴介镇").wait_for(timeout=120_000)
    sidebar.get_by_text("数据", exact=True).click()
    page.get_by_role("tab", name="编辑项目").wait_for(timeout=120_000)
    assert page.get_by_role("tab", name="导入").count() == 0
    projects = store.read("projects")
    own = projects[projects["township_code"] == PEIJIE]
    pid = str(own["project_id"].iloc[0])
    wait_for_app_run(page)  # a rerun still going would reset the form after it was filled
    # the status is chosen from the lifecycle stages (free text only through 其他)
    box = page.get_by_role("combobox", name="状态", exact=True)
    box.click()
    box.fill("新开工")
    page.get_by_role("option", name="新开工", exact=True).click()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.get_by_role("button", name=re.compile(r"^保存对 ")).click()
    page.get_by_text(f"已保存 {pid}").wait_for(timeout=120_000)
    wait_for_app_run(page)  # the rerun finished (stale elements of the last view gone)
    shot = tmp_path / f"signin-{request.node.callspec.params['shared_store']}.png"  # docs/img/signin-township.png
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    after = store.read("projects").set_index("project_id").loc[pid]
    assert after["status"] == "新开工"
    log = store.read("audit_log")
    assert log["user"].iloc[-1] == "zhang" and log["feature_id"].iloc[-1] == pid
    assert not errors, errors
    page.close()
