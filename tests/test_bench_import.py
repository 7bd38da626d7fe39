"""``bench --import`` runs its cases end to end (the numbers themselves are benchmarks, never asserted here): each
case imports every row and reports both floors and both ratios."""

from __future__ import annotations

import pytest

from xxgeo import bench_import


def test_import_bench_cases_import_every_row(built_store_path):
    out = bench_import.run(str(built_store_path), cases=(("points_csv", 300), ("polygons_gpkg", 200)))
    assert set(out) == {"points_csv_300", "polygons_gpkg_200"}
    for key, rows in (("points_csv_300", 300), ("polygons_gpkg_200", 200)):
        r = out[key]
        assert r["rows"] == rows and r["inserted"] == rows
        assert r["floor_s"] > 0 and r["floor_arrow_s"] > 0 and r["xxgeo_s"] > 0
        assert r["ratio"] == pytest.approx(r["xxgeo_s"] / r["floor_s"], rel=0.05, abs=0.1)  # (rounded seconds)
        assert r["ratio_vs_arrow"] == pytest.approx(r["xxgeo_s"] / r["floor_arrow_s"], rel=0.05, abs=0.1)
