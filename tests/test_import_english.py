"""English for the notes and problem lines the importer and xxgeo/io write in Chinese (issue 17's open gap):
every note and problem of a set of imports (points, a shapefile without .cpg and .prj, bad cells, an unknown
township, repaired geometry, 亿元, unmatched columns, swapped coordinates, a wide indicator table) has an English
line with no Chinese outside the file's own words (quoted “…”, row labels and the data values)."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from datafactory import make_store, points_in, shapefile_zip

from xxgeo.english import PATTERNS, english, row_en
from xxgeo.importers import prepare_import
from xxgeo.io.wording import note_text

CJK = re.compile(r"[\u3400-\u9fff]")
QUOTED = re.compile(r"“[^”]*”|\([^)]*[\u3400-\u9fff][^)]*\)")


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store.gpkg")


def _bare(en: str, words=()) -> str:
    """What is left of an English line once quoted file words and data values are taken out."""
    out = QUOTED.sub("", en)
    for w in words:
        out = out.replace(w, "")
    return out


def _lines(plan) -> list:
    return [*plan.notes, *plan.problems]


def _check(plan, words=()) -> None:
    lines = _lines(plan)
    assert lines
    for line in lines:
        en = note_text(line, "en")
        assert not CJK.search(_bare(en, words)), f"{line!r} -> {en!r}"


def test_points_csv_notes_in_english(store, tmp_path):
    q = points_in("140828103")[0]
    src = tmp_path / "p.csv"
    src.write_text(f"项目名称,类别,乡镇,总投资,经度,纬度,备注\n甲项目,工业,水头,1.5亿元,{q.y},{q.x},无\n",
                   encoding="utf-8")
    plan = prepare_import(src, "projects", store, precision="surveyed")
    _check(plan, words=("甲项目", "备注"))  # the file's own header
    en = [note_text(n, "en") for n in plan.notes]
    assert any("swapped automatically" in n for n in en) and any("were not imported" in n for n in en)


def test_bad_cells_and_unknown_township_in_english(store, tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("项目名称,类别,乡镇,开工年份,是否公开,总投资\n甲,工业,火星镇,明年,也许,很多\n", encoding="utf-8")
    plan = prepare_import(src, "projects", store, precision="surveyed")
    assert not plan.ok
    _check(plan, words=("甲", "火星镇"))
    assert any(note_text(p, "en").startswith("Row 2: ") for p in plan.problems)


def test_shapefile_without_cpg_and_prj_in_english(store, tmp_path):
    g = gpd.GeoDataFrame({"名称": ["测绘项目"], "类别": ["工业"]}, geometry=points_in("140828103"), crs=4326)
    plan = prepare_import(shapefile_zip(g, tmp_path / "s.zip", cpg=None, prj=False), "projects", store,
                          precision="surveyed")
    _check(plan, words=("测绘项目",))


def test_every_pattern_is_english():
    for _, en in PATTERNS:
        assert not CJK.search(en), en
    assert row_en("第12行") == "Row 12" and row_en("第3条数值") == "Value 3"
    assert english("没有认识的句子") == "没有认识的句子"
    assert english("第4行：“总投资”应为数字，实际为“很多”") == "Row 4: “总投资” should be a number, not “很多”"
