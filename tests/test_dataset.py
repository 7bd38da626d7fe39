"""The default dataset is complete and honest: every 专栏 represented, every row cited, codes valid,
values only where the plan states them."""

import re

import pandas as pd
import pytest

from xxgeo.schema import CATEGORIES

BOXES = ["专栏3-1", "专栏4-1", "专栏4-2", "专栏4-3", "专栏5-1", "专栏6-1", "专栏6-2", "专栏6-3", "专栏6-4",
         "专栏6-5", "专栏7-1", "专栏9-1", "专栏10-1"]


def refs(df) -> set:
    out = set()
    for s in df["source_ref"].dropna():
        out.update(x.strip() for x in re.split(r"[;；]", s))
    return out


def test_every_project_box_is_represented(dataset):
    present = refs(dataset["projects"])
    missing = [b for b in BOXES if b not in present]
    assert not missing, missing


def test_a_few_hundred_projects_each_cited_and_categorised(dataset):
    p = dataset["projects"]
    assert 300 <= len(p) <= 1500
    assert p["source_ref"].notna().all() and p["source_text"].notna().all()
    assert set(p["category"]) <= set(CATEGORIES)
    assert p["project_id"].is_unique
    assert p["public"].all()  # the plan is a published document


def test_township_codes_are_real_and_match_the_geometry(dataset):
    p = dataset["projects"]
    codes = set(dataset["townships"]["code"])
    for s in p["township_codes"].dropna():
        assert set(s.split(";")) <= codes
    cells = dataset["townships"].set_index("code").geometry
    single = p[p["township_code"].notna() & (p["loc_precision"] == "township")]
    assert len(single) > 20
    for _, r in single.iterrows():
        assert cells[r["township_code"]].contains(r.geometry), r["name"]


def test_county_wide_projects_have_no_geometry_and_say_so(dataset):
    p = dataset["projects"]
    cw = p[p["township_codes"].isna() & p["park_id"].isna()]
    assert len(cw)
    assert cw.geometry.isna().all() and (cw["loc_precision"] == "county").all()
    assert (p[p.geometry.isna()]["loc_precision"] == "county").all()


def test_no_point_hides_another(dataset):
    pts = [g for g in dataset["projects"].geometry.dropna() for g in getattr(g, "geoms", [g])]
    pts += list(dataset["scenic_sites"].geometry.dropna())
    keys = [(round(g.x, 6), round(g.y, 6)) for g in pts]
    assert len(keys) == len(set(keys))


def test_park_projects_lie_in_their_park(dataset):
    p = dataset["projects"]
    parks = dataset["parks"].set_index("park_id").geometry
    inpark = p[p["park_id"].notna()]
    assert len(inpark) >= 4
    for _, r in inpark.iterrows():
        assert parks[r["park_id"]].contains(r.geometry), r["name"]
        assert r["loc_precision"] == "park"


def test_investment_only_where_stated_with_conversion_recorded(dataset):
    p = dataset["projects"]
    inv = p[p["investment_wan"].notna()]
    assert len(inv) >= 1
    assert inv["investment_note"].notna().all()
    zhiqing = p[p["name"].str.contains("北京知青")]
    assert len(zhiqing) == 1 and zhiqing["investment_wan"].iloc[0] == 10000  # 总投资1亿元


def test_xiaoguo_village_project_is_in_yaofeng(dataset):
    p = dataset["projects"]
    r = p[p["name"].str.contains("小郭村")]
    assert len(r) == 1 and r["township_code"].iloc[0] == "140828100"


def test_villages_all_175_with_valid_townships(dataset):
    v = dataset["villages"]
    assert len(v) == 175 and v["code"].is_unique
    assert set(v["township_code"]) == set(dataset["townships"]["code"])
    counts = v["township_code"].value_counts()
    t = dataset["townships"].set_index("code")["village_units"]
    assert all(counts[c] == t[c] for c in t.index)
    assert v.geometry.isna().all()  # no published coordinates


def test_four_parks_with_stated_figures(dataset):
    parks = dataset["parks"].set_index("park_id")
    assert set(parks.index) == {"shuitou", "yaofeng", "peijie", "miaoqian"}
    pj = parks.loc["peijie"]
    assert pj["planned_area_km2"] == pytest.approx(10.95)
    assert pj["construction_land_km2"] == pytest.approx(7.99)
    assert pj["construction_land_mu"] == pytest.approx(12000)
    assert "14公里" in pj["distances_stated"]
    assert (parks["boundary_quality"] == "schematic").all()
    assert parks.loc["shuitou", "township_code"] == "140828103"


def test_sites_and_roads(dataset):
    s = dataset["scenic_sites"]
    assert len(s) >= 30 and s["source_ref"].notna().all()
    assert s[s["name"] == "司马温公祠"]["grade"].iloc[0] == "4A"
    assert (s["kind"] == "红色").sum() == 7
    r = dataset["roads"]
    assert len(r) >= 20 and r["source_ref"].notna().all()
    assert (r[r.geometry.notna()]["loc_precision"] == "schematic").all()
    assert r["name"].str.contains("G5514").any()


def test_indicator_tables_complete_and_as_written(dataset):
    ind = dataset["indicators"]
    assert (ind["table"] == "专栏1-1").sum() == 49 and (ind["table"] == "专栏2-1").sum() == 34
    gdp = ind[(ind["table"] == "专栏1-1") & (ind["name"] == "地区生产总值")].iloc[0]
    assert (gdp["value_2015"], gdp["target_2020"], gdp["unit"]) == ("44.3", "61.65", "亿元")
    assert ind["nature"].dropna().isin(["预期性", "约束性"]).all()
    assert ind.apply(lambda r: "完成下达任务" in " ".join(str(v) for v in r.values), axis=1).any()


def test_demonstration_villages(dataset):
    pv = dataset["plan_villages"]
    shuitou = pv[pv["group"] == "水头示范片"]
    assert len(shuitou) == 10
    assert pd.Series(shuitou["township_code"]).eq("140828103").all()
