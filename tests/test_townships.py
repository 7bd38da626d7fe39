"""The schematic township partition tiles the county exactly."""

import itertools

import geopandas as gpd
import shapely

from xxgeo.crs import METRIC_CRS


def _area_m2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(METRIC_CRS).area.iloc[0])


def test_eleven_townships_with_nbs_codes(dataset):
    t = dataset["townships"]
    assert len(t) == 11
    assert set(t["code"]) == {"140828100", "140828101", "140828102", "140828103", "140828104", "140828105",
                              "140828106", "140828200", "140828202", "140828203", "140828204"}
    assert dict(zip(t["code"], t["name"]))["140828106"] == "禹王镇"
    assert (t["boundary_quality"] == "schematic").all()


def test_union_equals_county_no_gaps_no_overlaps(dataset):
    county = dataset["county"].geometry.iloc[0]
    cells = list(dataset["townships"].geometry)
    union = shapely.union_all(cells)
    assert _area_m2(shapely.symmetric_difference(union, county)) < 1.0  # < 1 m² over 1352 km²
    worst = max(_area_m2(shapely.intersection(a, b)) for a, b in itertools.combinations(cells, 2))
    assert worst < 1.0
    assert abs(sum(_area_m2(c) for c in cells) - _area_m2(county)) < 10.0


def test_each_seat_lies_in_its_own_cell(dataset):
    for _, r in dataset["townships"].iterrows():
        assert r.geometry.contains(shapely.Point(r.seat_lon, r.seat_lat)), r["name"]


def test_county_area_matches_published_figure(dataset):
    area_km2 = _area_m2(dataset["county"].geometry.iloc[0]) / 1e6
    assert abs(area_km2 - 1352.6) < 5
