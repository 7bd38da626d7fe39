"""The print panel of the planning view (AppTest): the same options as ``python -m xxgeo print``, a download
built on click, one sentence when a theme's data is missing; and what the button builds."""

from __future__ import annotations

import subprocess

from xxgeo.mapping import MapFilter, filter_projects
from xxgeo.reports.printlayout import PrintRequest


def _print_button(at):
    return [b for b in at.get("download_button") if b.proto.id and "print_download" in b.proto.id]


def test_panel_offers_the_print_options(app):
    at = app()
    assert not at.exception
    assert at.selectbox(key="print_size").options == ["A4", "A3", "A2", "A1", "A0"]
    assert at.selectbox(key="print_orient").options == ["横向", "纵向"]
    themes = at.selectbox(key="print_theme").options
    assert "项目类别" in themes and "调度预警（红黄绿灯）" in themes and "乡镇专题：项目数" in themes
    assert at.selectbox(key="print_town").options[0] == "全县"
    (button,) = _print_button(at)
    assert button.proto.label == "下载 A4 PDF" and button.proto.deferred_file_id  # built on click


def test_panel_choices_change_the_button(app):
    at = app()
    at.selectbox(key="print_size").set_value("A0")
    at.selectbox(key="print_fmt").set_value("png")
    at.run()
    (button,) = _print_button(at)
    assert button.proto.label == "下载 A0 PNG"


def test_a_theme_without_data_is_one_sentence(app):
    at = app()
    at.selectbox(key="print_theme").set_value("warning")
    at.run()
    assert not _print_button(at)
    assert any("调度进度数据" in e.value for e in at.error)
    at.selectbox(key="print_theme").set_value("stage")
    at.run()
    assert any("阶段" in e.value for e in at.error) and not _print_button(at)


def test_panel_in_english(app):
    at = app(lang="en")
    assert at.selectbox(key="print_orient").options == ["Landscape", "Portrait"]
    (button,) = _print_button(at)
    assert button.proto.label == "Download the A4 PDF"


def test_township_from_the_filter(app):
    at = app(township="裴介")
    assert at.selectbox(key="print_town").value == "140828102"


def test_what_the_button_builds(dataset, tmp_path):
    from xxgeo.views.printpanel import build

    sel = filter_projects(dataset["projects"], MapFilter(categories=("文旅",)))
    data = build(dataset, PrintRequest(size="A1", orient="portrait", lang="en", approval_no="GS(2026)1"),
                 projects=sel, basemap="none")
    (tmp_path / "p.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True).stdout
    assert f"{len(sel)} projects" in text and "GS(2026)1" in text
