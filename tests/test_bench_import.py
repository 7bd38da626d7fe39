"""``bench --import`` runs its cases end to end (the numbers themselves are benchmarks, never asserted here): each
case imports every row and reports both floors and both ratios."""

from __future__ import annotations

import pytest

from xxgeo import bench_import


def test_import_bench_cases_import_every_row(built_store_path):
    cases = (("points_csv", 300), ("polygons_gpkg", 200), ("farmland_shp", 150))
    out = bench_import.run(str(built_store_path), cases=cases)
    assert set(out) == {"points_csv_300", "polygons_gpkg_200", "farmland_shp_150"}
    for key, rows in (("points_csv_300", 300), ("polygons_gpkg_200", 200), ("farmland_shp_150", 150)):
        r = out[key]
        assert r["rows"] == rows and r["inserted"] == rows
        assert r["floor_s"] > 0 and r["floor_arrow_s"] > 0 and r["xxgeo_s"] > 0
        assert r["ratio"] == pytest.approx(r["xxgeo_s"] / r["floor_s"], rel=0.05, abs=0.1)  # (rounded seconds)
        assert r["ratio_vs_arrow"] == pytest.approx(r["xxgeo_s"] / r["floor_arrow_s"], rel=0.05, abs=0.1)


def test_bench_results_print_in_either_language(capsys):
    """``bench`` prints its lines in the language asked for (``--lang en``: no Chinese beyond the data's names)."""
    import re

    from xxgeo.cli.bench import _print

    res = {"sizes": {1000: {"bytes": {"xxgeo": 1}, "drawn_ms": {"xxgeo": 2.0}, "ratios": {"bytes_vs_plain": 0.5}}},
           "check": {"polygons": 10, "import": {"ratio_vs_floor": 2.9}},
           "dispatch": {"projects": 5, "months": 60, "figures_s": 0.1, "bulletin_xlsx_s": 0.6, "bulletin_pdf_s": 1.4,
                        "new_month": {"progress_rows": 300, "insert_s": 0.04, "whole_layer_s": 0.4,
                                      "whole_layer_vs_insert": 10.0},
                        "view": {"aim_rerun_s": 1.0, "view_rerun_s": {"first_run": 1.5}}},
           "app": {"projects": 100, "app_rerun_s": [0.3]}}
    _print(res, en=True)
    en = capsys.readouterr().out
    _print(res, en=False)
    zh = capsys.readouterr().out
    assert len(en.splitlines()) == len(zh.splitlines()) == 6
    assert not re.search(r"[\u4e00-\u9fff]", en) and "Saving a new month (300 monthly rows" in en
    assert "保存新的一个月（300 行月报" in zh and "调度视图重跑" in zh
