"""An English upload walk in a real browser (issue 13 item 3, issue 17): a planner on the English data page uploads
a CSV of names and coordinates; the page refuses in English until a precision is chosen (never assumed surveyed),
then says what it read, lists the close name for review and imports; the attached project has its point after a
reload, and the page shows Chinese only in data values (tests/cjk.py)."""

from __future__ import annotations

import shutil

import pytest
from cjk import Residue, data_values
from kit import offline_page, running_app

from xxgeo.store import GpkgStore


@pytest.fixture(scope="module")
def server(built_store_path, tmp_path_factory):
    dest = tmp_path_factory.mktemp("imp-en") / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    with running_app(str(dest)) as url:
        yield url, GpkgStore(dest)


def _idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90000)


def test_english_upload_review_and_import(browser, server, tmp_path):
    url, store = server
    t = store.read("townships")
    pt = t[t["name"].str.startswith("水头")].geometry.iloc[0].representative_point()
    src = tmp_path / "places.csv"
    src.write_text(f"项目名称,经度,纬度\n天嘟生物,{pt.x},{pt.y}\n鑫点科技（项目）,{pt.x},{pt.y}\n", encoding="utf-8")
    page, _, _ = offline_page(browser)
    page.goto(f"{url}/?view=data&lang=en")
    page.get_by_role("tab", name="Import").wait_for(timeout=120_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
    page.get_by_text("it is never assumed surveyed").wait_for(timeout=120_000)  # no precision chosen yet
    _idle(page)
    residue = Residue([*data_values(store.load()), "天嘟生物", "places.csv", "经度", "纬度"])  # the file's own words
    residue.check(page.locator("body").inner_text(), "data&lang=en (no precision)")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Location precision").first.click()  # Import tab first
    page.get_by_role("option", name="village point").click()
    page.get_by_text("Rows with a name close to a stored project").wait_for(timeout=120_000)
    page.get_by_text("Coordinates from the columns").first.wait_for()
    _idle(page)
    page.screenshot(path="/tmp/imp/review-en.png", full_page=True)
    residue.check(page.locator("body").inner_text(), "data&lang=en (review)")
    page.get_by_role("button", name="Import", exact=True).wait_for(timeout=120_000)
    _idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported: 0 rows added, 1 updated").wait_for(timeout=120_000)
    p = store.read("projects").set_index("project_id")
    assert p.loc["XM0004", "loc_precision"] == "village" and p.loc["XM0004"].geometry.distance(pt) < 1e-6
    assert p.loc["XM0005"].geometry is None  # the close name was left out: nobody confirmed it
    page.reload()
    page.get_by_role("tab", name="Import").wait_for(timeout=120_000)
    assert store.read("projects").set_index("project_id").loc["XM0004"].geometry is not None
    assert not residue.found, "Chinese outside data values on the English import page:\n" + residue.message()
