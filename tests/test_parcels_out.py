"""Parcels for investors (issue 15): the investor view (AppTest), the brochure page and the one-parcel sheet
(pdftotext), the CLI — with a non-public parcel invisible in each."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from datafactory import import_file
from kit import app_test
from parcelfactory import PARK_ID, SECRET_NAME, surveyor_zip

from xxgeo.cli import main
from xxgeo.errors import NotFound
from xxgeo.reports import parcel_sheet_pdf, park_brochure_pdf


@pytest.fixture
def parcel_store(store_copy, tmp_path):
    import_file(surveyor_zip(tmp_path / "dk.zip"), "parcels", store_copy)
    return store_copy


def pdf_text(data: bytes, tmp_path) -> str:
    p = tmp_path / "x.pdf"
    p.write_bytes(data)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: install poppler-utils"
    return re.sub(r"\s+", "", subprocess.run([tool, "-raw", str(p), "-"], capture_output=True, text=True,
                                             check=True).stdout)


def page_text(at) -> str:
    """What the page says, markup removed."""
    text = "\n".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.code])
    return re.sub(r"<[^>]+>", "", text)


def test_brochure_has_the_parcels_page_without_the_hidden_parcel(parcel_store, tmp_path):
    text = pdf_text(park_brochure_pdf(parcel_store.load(), PARK_ID), tmp_path)
    assert "可供地块Availableparcels" in text and "七通一平" in text
    assert "裴介东区一号地块" in text and "裴介东区二号地块" in text
    assert "30.0亩mu（20,000m²）" in text and "90.0亩mu（60,000m²）" in text
    assert "√" in text and "×" in text
    assert SECRET_NAME not in text and "PJ-03" not in text


def test_brochure_without_parcels_says_nothing_about_them(store_copy, tmp_path):
    text = pdf_text(park_brochure_pdf(store_copy.load(), PARK_ID), tmp_path)
    assert "Availableparcels" not in text


def test_parcel_sheet_and_hidden_parcel_not_found(parcel_store, tmp_path):
    text = pdf_text(parcel_sheet_pdf(parcel_store.load(), "PJ-02"), tmp_path)
    assert "裴介东区二号地块" in text and "90.0亩mu（60,000m²）" in text and "仓储warehousing" in text
    assert "15万元/亩" in text and "招商局0359-0000000" in text and "运城关公机场" in text
    assert SECRET_NAME not in text
    with pytest.raises(NotFound, match="PJ-03"):
        parcel_sheet_pdf(parcel_store.load(), "PJ-03")


def test_cli_parcel_sheet(parcel_store, tmp_path, capsys):
    out = tmp_path / "sheet.pdf"
    assert main(["report", "parcel", "PJ-01", "--out", str(out), "--store", str(parcel_store.location)]) == 0
    assert "裴介东区一号地块" in pdf_text(out.read_bytes(), tmp_path)
    assert main(["report", "parcel", "PJ-03", "--out", str(tmp_path / "no.pdf"),
                 "--store", str(parcel_store.location)]) != 0
    err = capsys.readouterr().err
    assert "PJ-03" in err and "Traceback" not in err and not (tmp_path / "no.pdf").exists()


def test_investor_view_without_parcels_says_how_to_add_them(store_copy, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(store_copy.location))
    at = app_test(view="investor", park="裴介")
    text = page_text(at)
    assert "尚未导入可供地块" in text and "--layer parcels" in text
    assert any(b.label == "下载地块导入模板（.xlsx）" for b in at.get("download_button"))
    en = page_text(app_test(view="investor", park="裴介", lang="en"))
    assert "No parcels imported yet" in en


def test_investor_view_shows_public_parcels_only(parcel_store, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(parcel_store.location))
    at = app_test(view="investor", park="裴介")
    text = page_text(at)
    assert "裴介东区一号地块" in text and "裴介东区二号地块" in text and SECRET_NAME not in text
    assert "30.0 亩（20,000 m²）" in text and "✓ 通路" in text and "✗ 排水" in text and "? 通燃气" in text
    at.number_input(key="parcel_min").set_value(50.0).run()
    text = page_text(at)
    assert "裴介东区二号地块" in text and "裴介东区一号地块" not in text
    at.number_input(key="parcel_min").set_value(None).run()
    at.multiselect(key="parcel_compare").set_value(["PJ-01", "PJ-02"]).run()
    table = at.dataframe[-1].value
    assert list(table.columns) == ["1. 裴介东区一号地块", "2. 裴介东区二号地块"]
    assert table.loc["排水"].tolist() == ["✗", "✗"]
    en = page_text(app_test(view="investor", park="裴介", lang="en"))
    assert "30.0 mu (20,000 m²)" in en and "✓ road" in en and SECRET_NAME not in en
