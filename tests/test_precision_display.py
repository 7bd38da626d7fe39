"""Precision-aware display and the data-quality figures (issue 13, item 5): projects known only to an area are
counted per area, never drawn as pins; unknown precision codes are treated as not exact; the precision filter;
the share of projects and of stated investment at each precision; the key projects still unplaced."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from xxgeo.bench import synthetic_projects
from xxgeo.mapping import MapFilter, MapRequest, build_map, describe_filter, filter_projects, map_html
from xxgeo.mapping.areas import area_groups, area_legend, group_rows
from xxgeo.quality import PRECISE, exact_mask, precision_summary, unplaced_key_projects
from xxgeo.store import Dataset


def _areas(html: str) -> list[dict]:
    m = re.search(r"xxgeo\.areaCounts\((\[.*?\]), \{", html, re.S)
    return json.loads(m.group(1)) if m else []


def _features(html: str, layer: str) -> list[dict]:
    for m in re.finditer(r"xxgeo\.specLayer\(\s*(\{.*?\}), (\{\"layer\".*?\}), \{lang", html):
        if json.loads(m.group(2))["layer"] == layer:
            return json.loads(m.group(1))["features"]
    return []


def _in_page(text: str, html: str) -> bool:
    """``text`` is in the page, as written or as the legend's JSON string carries it (\\uXXXX escapes)."""
    return text in html or json.dumps(text)[1:-1] in html


def _with(dataset, **rows) -> Dataset:
    return Dataset({**dataset.layers, **rows})


def test_unknown_and_rough_codes_are_never_exact(dataset):
    p = dataset["projects"].iloc[:8].copy()
    p["loc_precision"] = ["surveyed", "digitised", "structure", "photo_gps", "near", "schematic", "sat_nav", None]
    p = gpd.GeoDataFrame(p, geometry=[Point(111.2 + i / 100, 35.1) for i in range(8)], crs=4326)
    assert exact_mask(p).tolist() == [True] * 4 + [False] * 4
    assert set(PRECISE) == {"surveyed", "digitised", "structure", "photo_gps"}
    p2 = p.copy()
    p2.loc[p2.index[0], "geometry"] = None  # a precise code without a geometry has no pin either
    assert exact_mask(p2).tolist()[0] is False


def test_default_projects_are_counted_per_area_not_pinned(dataset):
    p = dataset["projects"]
    r = build_map(dataset, MapRequest(assets="inline"))
    html = map_html(r)
    assert _features(html, "projects") == []  # no township-, park- or county-only project is a pin
    groups = _areas(html)
    by_key = {g["key"]: g for g in groups}
    town = p[(p["loc_precision"] == "township")]
    counts = town.assign(c=town["township_codes"].str.split(";")).explode("c")["c"].value_counts()
    for code, n in counts.items():
        assert by_key[f"township:{code}"]["n"] == n
    parks = p[p["loc_precision"] == "park"]["park_id"].value_counts()
    for pid, n in parks.items():
        assert by_key[f"park:{pid}"]["n"] == n
    assert by_key["county"]["n"] == int((p["loc_precision"] == "county").sum())
    # the symbol sits at the township seat, not at any project's spread point
    t = dataset["townships"].set_index("code")
    code = counts.index[0]
    g = by_key[f"township:{code}"]
    assert (g["lon"], g["lat"]) == (round(t.loc[code, "seat_lon"], 6), round(t.loc[code, "seat_lat"], 6))
    assert r.areas["township"] == len(counts) and r.areas["projects_in_areas"] == len(p)
    # the legend says what the circles are, in both languages
    assert _in_page("不是项目的具体位置", html) and _in_page("只知所在区域的项目", html)
    en = map_html(build_map(dataset, MapRequest(assets="inline", lang="en")))
    assert _in_page("These circles are not the projects", en) and _in_page("Projects known only to an area", en)


def test_group_lists_are_capped_and_a_multi_township_project_is_in_each(dataset):
    p = dataset["projects"]
    multi = p[p["township_codes"].fillna("").str.contains(";")].iloc[0]
    groups = area_groups(p, dataset, listed=3)
    holding = [g for g in groups if multi["project_id"] in [i[0] for i in g["items"]] or g["more"]]
    codes = multi["township_codes"].split(";")
    for c in codes:
        g = next(g for g in groups if g["key"] == f"township:{c}")
        assert len(g["items"]) <= 3 and g["more"] == g["n"] - len(g["items"])
    assert holding
    rows = group_rows(p, dataset)
    assert set(rows[rows["pos"] == p.index.get_loc(multi.name)]["key"]) == {f"township:{c}" for c in codes}


def test_village_points_and_exact_pins_side_by_side(dataset):
    p = dataset["projects"].iloc[:6].copy()
    p["loc_precision"] = ["surveyed", "surveyed", "village", "village", "township", "county"]
    p["village"] = [None, None, "小吕村", "小吕村", None, None]
    p["township_code"] = ["140828102"] * 5 + [None]
    p["township_codes"] = p["township_code"]
    p["park_id"] = None
    pts = [Point(111.1, 35.05), Point(111.11, 35.06), Point(111.12, 35.07), Point(111.12, 35.07),
           Point(111.13, 35.08), None]
    p = gpd.GeoDataFrame(p, geometry=pts, crs=4326)
    html = map_html(build_map(_with(dataset, projects=p), MapRequest(assets="inline")))
    assert len(_features(html, "projects")) == 2
    kinds = {g["kind"]: g for g in _areas(html)}
    assert kinds["village"]["n"] == 2 and kinds["village"]["name"] == "小吕村"
    assert (kinds["village"]["lon"], kinds["village"]["lat"]) == (111.12, 35.07)
    assert kinds["township"]["n"] == 1 and kinds["county"]["n"] == 1
    assert "村（位置只到村）：2 个项目" in area_legend(_areas(html), "zh")


def test_precision_filter_and_its_description(dataset):
    p = dataset["projects"]
    only = filter_projects(p, MapFilter(precisions=("park",)))
    assert len(only) == int((p["loc_precision"] == "park").sum()) and set(only["loc_precision"]) == {"park"}
    q = p.copy()
    q.loc[q.index[:3], "loc_precision"] = None
    assert len(filter_projects(q, MapFilter(precisions=("none",)))) == 3
    assert MapFilter(precisions=["park"]) == MapFilter(precisions=("park",))  # hashable, lists kept as tuples
    assert describe_filter(MapFilter(precisions=("park", "none")), {}) == "位置精度：园区示意位置、未注明"
    assert "location precision: park (schematic), not stated" in describe_filter(
        MapFilter(precisions=("park", "none")), {}, lang="en")


def test_precision_summary_shares_of_projects_and_stated_investment():
    p = pd.DataFrame({"project_id": [f"P{i}" for i in range(6)],
                      "name": list("abcdef"),
                      "loc_precision": ["surveyed", "surveyed", "township", "township", "county", None],
                      "investment_wan": [100.0, np.nan, 300.0, np.nan, 600.0, np.nan]})
    p = gpd.GeoDataFrame(p, geometry=[Point(0, 0)] * 6, crs=4326)
    s = precision_summary(p).set_index("code")
    assert list(s.index) == ["surveyed", "township", "county", "none"]
    assert s.loc["surveyed", "projects"] == 2 and s.loc["surveyed", "share_projects"] == pytest.approx(2 / 6)
    assert s.loc["township", "investment_wan"] == 300 and s.loc["township", "share_investment"] == pytest.approx(0.3)
    assert s.loc["county", "share_investment"] == pytest.approx(0.6)
    assert pd.isna(s.loc["none", "investment_wan"]) and s.loc["none", "stated"] == 0  # nothing assumed
    assert bool(s.loc["surveyed", "exact"]) and not bool(s.loc["township", "exact"])
    assert s["share_projects"].sum() == pytest.approx(1.0)
    assert precision_summary(p.iloc[:0]).empty


def test_key_projects_unplaced_by_level_or_by_investment():
    p = pd.DataFrame({"project_id": ["A", "B", "C", "D"], "name": list("abcd"),
                      "loc_precision": ["township", "county", "surveyed", "park"],
                      "investment_wan": [50.0, 900.0, 10_000.0, np.nan]})
    p = gpd.GeoDataFrame(p, geometry=[Point(0, 0)] * 4, crs=4326)
    rows, basis = unplaced_key_projects(p)
    assert basis == "investment" and rows["project_id"].tolist() == ["B", "A"]  # C is placed, D states nothing
    p["key_level"] = ["县级重点", None, "省级重点", "省级重点"]
    rows, basis = unplaced_key_projects(p)
    assert basis == "key_level" and rows["project_id"].tolist() == ["D", "A"]  # 省 before 县; C is placed
    p["key_level"] = None
    p["investment_wan"] = np.nan
    rows, basis = unplaced_key_projects(p)
    assert basis == "none" and rows.empty  # nothing says which are key: none is listed as "key"


def test_the_default_store_figures(dataset):
    s = precision_summary(dataset["projects"]).set_index("code")
    assert not s["exact"].any()  # the plan names no site: every project is known only to an area
    assert s["projects"].sum() == len(dataset["projects"])
    rows, basis = unplaced_key_projects(dataset["projects"])
    assert basis == "investment" and len(rows) == int(dataset["projects"]["investment_wan"].notna().sum())


def test_the_fast_path_still_draws_exact_pins_and_counts_the_rest(dataset):
    big = synthetic_projects(dataset["county"].geometry.iloc[0], 3000, seed=11)
    big.loc[big.index[:500], "loc_precision"] = "township"
    big.loc[big.index[:500], "township_code"] = "140828102"
    html = map_html(build_map(_with(dataset, projects=big), MapRequest(assets="inline")))
    payload = json.loads(re.search(r"xxgeo\.fastPoints\((\{.*?\})\);", html, re.S).group(1))
    assert payload["n"] == 2500
    assert [g["n"] for g in _areas(html) if g["key"] == "township:140828102"] == [500]


# ----------------------------------------------------------------------------- the planning view (AppTest)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_planning_view_has_the_precision_filter_and_the_quality_panel(app, dataset, lang):
    at = app(lang=lang, view="planning", precision="park")
    assert not at.exception
    p = dataset["projects"]
    n = int((p["loc_precision"] == "park").sum())
    assert at.multiselect(key="f_prec").value == ["park"]
    assert at.dataframe[0].value.shape[0] == n  # the project table: the filter applies
    heading = "Data quality: location precision" if lang == "en" else "数据质量：位置精度"
    assert any(heading in e.label for e in at.expander)
    quality = at.dataframe[1].value
    col = "Projects" if lang == "en" else "项目数"
    assert quality[col].astype(int).tolist() == [n]
    unplaced = ("Key projects still without an exact site" if lang == "en" else "尚无具体位置的重点项目")
    assert any(unplaced in m.value for m in at.markdown)


def test_planning_quality_table_over_every_project(app, dataset):
    at = app(view="planning")
    quality = at.dataframe[1].value
    assert quality["项目数"].astype(int).sum() == len(dataset["projects"])
    assert set(quality["地图上"]) == {"只到区域（汇总计数）"}
    assert at.dataframe[2].value.shape[0] == int(dataset["projects"]["investment_wan"].notna().sum())
