"""The report maps show precision honestly (issue 13): a project known only to its township or park is counted in
a circle at that area (xxgeo/reports/mapcount.py, the style of the app's map and the wall prints), never fanned out
as a symbol that looks like a site; the legend and the township labels are in the report's language, and the
township report is written in English under ``--lang en``."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import MultiPoint
from test_reports import flat, pages, pdf_text

from xxgeo import reports
from xxgeo.cli import main
from xxgeo.mapping import MapFilter
from xxgeo.names import resolve_township
from xxgeo.reports.figures import township_figure
from xxgeo.reports.mapcount import area_only_mask
from xxgeo.reports.mapdraw import select_projects
from xxgeo.store import Dataset

CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")


def _legend_texts(fig) -> list[str]:
    """The legend's labels without the spaces and line breaks of the wrapping (compare with :func:`flat`)."""
    return [flat(t.get_text()) for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def _annotations(fig) -> list[str]:
    return [c.get_text() for ax in fig.axes for c in ax.texts]


@pytest.fixture(scope="module")
def sijiao(dataset):
    return resolve_township("泗交", dataset["townships"])


def test_area_only_projects_are_counted_not_fanned(dataset, sijiao):
    projects = select_projects(dataset["projects"], MapFilter(townships=(sijiao,)))
    rough = area_only_mask(projects)
    assert rough.all() and len(projects) > 5  # the plan names townships only: nothing is a site
    fig, info = township_figure(dataset, sijiao)
    assert info.counted == len(projects) and info.projects_drawn == 0
    assert str(len(projects)) in _annotations(fig)  # one circle with the count
    legend = _legend_texts(fig)
    assert "位置仅知乡镇（圈内数字为项目数）" in legend
    assert not any("项目（" in t and t.startswith(("文旅", "生态水利", "农业")) for t in legend)  # no category pins


def test_a_located_project_is_a_symbol_and_the_rest_stay_counted(dataset, sijiao):
    p = dataset["projects"].copy()
    mine = p.index[p["township_code"] == sijiao]
    t = dataset["townships"].set_index("code").loc[sijiao]
    pt = t.geometry.representative_point()
    p.loc[mine[0], "loc_precision"] = "surveyed"
    p.loc[mine[0], "geometry"] = MultiPoint([(pt.x + 0.01, pt.y)])
    cat = p.loc[mine[0], "category"]
    fig, info = township_figure(Dataset({**dataset.layers, "projects": p}), sijiao)
    n = len(select_projects(p, MapFilter(townships=(sijiao,))))
    assert (info.projects_drawn, info.counted) == (1, n - 1)
    assert f"{cat}项目（1）" in _legend_texts(fig) and str(n - 1) in _annotations(fig)


def test_legend_and_township_labels_in_english(dataset, sijiao):
    fig, _ = township_figure(dataset, sijiao, lang="en")
    legend = _legend_texts(fig)
    assert flat("Location known only to the township (number in the circle = projects)") in legend
    assert flat("County boundary") in legend and flat("Township boundary (schematic, not a legal boundary)") in legend
    names = set(dataset["townships"]["name"]) | set(dataset["scenic_sites"]["name"])
    for text in legend + _annotations(fig):
        for name in sorted(map(flat, names), key=len, reverse=True):
            text = flat(text).replace(name, "")
        assert not CJK.search(text), text  # only the places' own names stay Chinese
    assert any(a.endswith(" (schematic)") for a in _annotations(fig))
    zh = _annotations(township_figure(dataset, sijiao)[0])
    assert any(a.endswith("（示意）") for a in zh)


def test_township_report_in_english_and_chinese(dataset, sijiao, tmp_path):
    en_pdf, zh_pdf = (reports.township_report_pdf(dataset, sijiao, lang=lang) for lang in ("en", "zh"))
    assert pages(en_pdf, tmp_path) == pages(zh_pdf, tmp_path)  # the English words fit the same pages
    en = pdf_text(en_pdf, tmp_path, "en.pdf")
    for words in ("泗交镇: projects report", "Overview", "Projects in the township", "Stated investment",
                  "Notes and sources", "The number in a circle is how many projects are known only to the township",
                  "not stated", "page 1"):
        assert flat(words) in flat(en), words
    assert "项目一页报告" not in en and "基本情况" not in en and "未注明" not in en
    zh = flat(pdf_text(zh_pdf, tmp_path, "zh.pdf"))
    assert "泗交镇项目一页报告" in zh and "圆圈内的数字是位置仅知乡镇或园区的项目数" in zh and "第1页" in zh


def test_cli_township_report_follows_lang(built_store_path, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    assert main(["--lang", "en", "report", "township", "泗交", "--out", str(out), "--store",
                 str(built_store_path)]) == 0
    assert "projects report" in pdf_text(out.read_bytes(), tmp_path)
