"""Imports never assume 实测 (issue 13): a file whose rows carry a location but state no precision (no 位置精度 /
定位精度 column value, no ``--precision``) is refused before the merge, in one sentence in either language, with
the store unchanged; rows without a location keep township / county as before (xxgeo/io/stated.py)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from xxgeo.cli import main
from xxgeo.errors import PrecisionNotStated
from xxgeo.importers import commit_import, prepare_import
from xxgeo.precision import CODES


def _point(store, name: str = "水头"):
    t = store.read("townships")
    return t[t["name"].str.startswith(name)].geometry.iloc[0].representative_point()


def _csv(tmp_path, text: str, name: str = "新项目.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _located(tmp_path, store, n: int = 2) -> str:
    pt = _point(store)
    return _csv(tmp_path, "项目名称,类别,经度,纬度\n" + "".join(f"新项目{i},工业,{pt.x},{pt.y}\n" for i in range(n)))


@pytest.mark.parametrize("lang, words", [
    ("zh", ("错误：导入被拒绝，数据库未改动", "2 行带位置但没有写明位置精度", "不会默认按实测记录",
            "--precision surveyed|digitised|", "“位置精度”列")),
    ("en", ("Error: Import refused, nothing was written", "2 row(s) of the file carry a location",
            "never assumed surveyed", "--precision surveyed|digitised|", "location-precision column")),
])
def test_cli_refuses_a_located_file_without_precision(store_copy, tmp_path, capsys, lang, words):
    src = _located(tmp_path, store_copy)
    before = store_copy.path.read_bytes()
    code = main(["--lang", lang, "import", src, "--layer", "projects", "--store", str(store_copy.path)])
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)
    assert "|".join(CODES) in err  # every code of xxgeo/precision.py, most precise first
    assert out == "" and store_copy.path.read_bytes() == before
    # --dry-run is refused the same way (nothing to check without a precision)
    assert main(["--lang", lang, "import", src, "--layer", "projects", "--store", str(store_copy.path),
                 "--dry-run"]) == 2
    assert store_copy.path.read_bytes() == before


def test_stating_it_imports_what_was_stated(store_copy, tmp_path, capsys):
    src = _located(tmp_path, store_copy)
    n = len(store_copy.read("projects"))
    code = main(["import", src, "--layer", "projects", "--store", str(store_copy.path), "--precision", "digitised"])
    assert code == 0, capsys.readouterr().err
    p = store_copy.read("projects")
    assert len(p) == n + 2 and set(p.iloc[n:]["loc_precision"]) == {"digitised"}


def test_the_api_raises_the_named_error_and_counts_only_unstated_rows(store_copy, tmp_path):
    pt = _point(store_copy)
    src = _csv(tmp_path, "项目名称,类别,经度,纬度,定位精度\n"
                         f"甲,工业,{pt.x},{pt.y},实测\n乙,工业,{pt.x},{pt.y},\n丙,农业,,,\n")
    before = store_copy.path.read_bytes()
    with pytest.raises(PrecisionNotStated) as e:
        prepare_import(src, "projects", store_copy)
    assert e.value.rows == 1 and "1 行带位置" in e.value.message and "第3行" in e.value.message
    assert "1 row(s)" in e.value.english and "Row 3" in e.value.english
    assert store_copy.path.read_bytes() == before
    # the column is read per row; the option fills the rest; the row without a location is the township's
    plan = prepare_import(src, "projects", store_copy, precision="near")
    commit_import(plan, store_copy)
    p = store_copy.read("projects").set_index("name")
    assert (p.loc["甲", "loc_precision"], p.loc["乙", "loc_precision"]) == ("surveyed", "near")
    assert p.loc["丙", "loc_precision"] in ("township", "county") and p.loc["丙", "loc_precision"] != "surveyed"


def test_rows_without_a_location_need_no_precision(store_copy, tmp_path):
    src = _csv(tmp_path, "项目名称,类别,乡镇\n无坐标项目,工业,水头镇\n")
    plan = prepare_import(src, "projects", store_copy)
    assert plan.ok, plan.problems
    commit_import(plan, store_copy)
    p = store_copy.read("projects")
    assert p[p["name"] == "无坐标项目"]["loc_precision"].tolist() == ["township"]


@pytest.mark.parametrize("layer", ["scenic_sites", "roads", "villages"])
def test_every_layer_with_a_precision_refuses(store_copy, tmp_path, layer):
    pt = _point(store_copy)
    geom = LineString([(pt.x, pt.y), (pt.x + 0.01, pt.y + 0.01)]) if layer == "roads" else pt
    path = tmp_path / f"{layer}.geojson"
    gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[geom], crs=4326).to_file(path, driver="GeoJSON")
    before = store_copy.path.read_bytes()
    with pytest.raises(PrecisionNotStated, match="1 行带位置"):
        prepare_import(path, layer, store_copy)
    assert store_copy.path.read_bytes() == before


def test_an_unknown_precision_code_is_one_sentence(store_copy, tmp_path, capsys):
    src = _located(tmp_path, store_copy, n=1)
    before = store_copy.path.read_bytes()
    code = main(["--lang", "en", "import", src, "--layer", "projects", "--store", str(store_copy.path),
                 "--precision", "exact"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "No location precision “exact”" in err
    assert store_copy.path.read_bytes() == before


def test_a_default_precision_states_it(store_copy, tmp_path):
    src = _located(tmp_path, store_copy, n=1)
    plan = prepare_import(src, "projects", store_copy, defaults=["位置精度=图上采集"])
    assert plan.ok, plan.problems
    commit_import(plan, store_copy)
    p = store_copy.read("projects")
    assert p[p["name"] == "新项目0"]["loc_precision"].tolist() == ["digitised"]
