"""The township "一页报告" is one A4 page, or two with page 1 full (issue 17, item 6): measured on the PDF itself
(pdfinfo for the pages, pdftotext -bbox for where the text of page 1 ends), for 裴介镇 and for the township with
the most projects. A heading kept with a long table used to drag the table to page 2 and leave page 1 half empty."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from xxgeo import reports
from xxgeo.mapping import MapFilter, filter_projects
from xxgeo.names import resolve_township
from xxgeo.reports.pdf import MARGIN

A4_H = 841.89  # points
#: the lowest text of a full page 1 ends no higher than this above the text frame's bottom (≈ two table rows)
FULL_WITHIN = 60.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package poppler-utils"
    return path


def _pages(path) -> int:
    out = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def _lowest_text(path, page: int) -> float:
    """The bottom (points from the top) of the lowest word on ``page`` that is not the footer."""
    out = subprocess.run([_tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    footer_top = A4_H - MARGIN  # the footer sits in the bottom margin
    bottoms = [float(m.group(1)) for m in re.finditer(r'<word [^>]*yMax="([\d.]+)"', out)]
    return max(b for b in bottoms if b < footer_top)


def _busiest(ds) -> str:
    counts = {c: len(filter_projects(ds["projects"], MapFilter(townships=(c,)))) for c in ds["townships"]["code"]}
    return max(counts, key=counts.get)


@pytest.mark.parametrize("which", ["裴介镇", "most projects"])
def test_township_report_is_one_page_or_page_one_is_full(dataset, tmp_path, which):
    code = resolve_township(which, dataset["townships"]) if which != "most projects" else _busiest(dataset)
    path = tmp_path / f"{code}.pdf"
    path.write_bytes(reports.township_report_pdf(dataset, code))
    n = _pages(path)
    assert n in (1, 2), n
    if n == 2:
        frame_bottom = A4_H - MARGIN - 2 * 2.8346  # bottom margin + 2 mm (reports.pdf.build)
        gap = frame_bottom - _lowest_text(path, 1)
        assert gap < FULL_WITHIN, f"page 1 ends {gap:.0f} pt above the bottom of its text frame"
        # and what runs on is the project list, with its header row repeated
        p2 = subprocess.run([_tool("pdftotext"), "-f", "2", "-l", "2", str(path), "-"], capture_output=True,
                            text=True, check=True).stdout
        assert "项目名称" in p2


def test_peijie_fits_on_one_page(dataset, tmp_path):
    path = tmp_path / "peijie.pdf"
    path.write_bytes(reports.township_report_pdf(dataset, resolve_township("裴介镇", dataset["townships"])))
    assert _pages(path) == 1
    text = subprocess.run([_tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "本乡镇项目" in text and "说明与资料来源" in text


# ----------------------------------------------------------------------------- one click in the running app
@pytest.fixture(scope="module")
def server(built_store_path):
    from kit import running_app

    with running_app(str(built_store_path)) as url:
        yield url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_click_downloads_the_township_pdf(browser, server, tmp_path, lang):
    """One click on the report button: it spins while the PDF is made, then the browser saves the file."""
    from kit import offline_page

    page, blocked, errors = offline_page(browser)
    page.goto(f"{server}/?view=township&township=140828102" + ("&lang=en" if lang == "en" else ""))
    from xxgeo.i18n import tr

    button = page.get_by_role("button", name=tr("township.report", lang), exact=True)
    button.wait_for(timeout=90000)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120000) as dl:
        button.click()
        # while it is being made the button says so (Streamlit's spinner on a deferred download)
        page.get_by_role("button", name=tr("township.report", lang), exact=True, disabled=True).wait_for(
            timeout=30000)
        page.screenshot(path=f"/tmp/i17c/report-button-{lang}.png")
    path = tmp_path / "r.pdf"
    dl.value.save_as(path)
    assert path.read_bytes()[:5] == b"%PDF-" and _pages(path) == 1
    assert dl.value.suggested_filename.endswith(".pdf")
    assert not errors and not blocked, (errors, blocked)
    page.close()
