"""The built default store: one row per plan item, no image placeholders, statuses in the plan's words, and
roads that end where the plan says (issue 13, item 7)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT.parent / "shared" / "plan" / "xia-county-14th-five-year-plan.txt"
sys.path.insert(0, str(ROOT / "scripts"))

from assemble_sources import SAME_ITEM, norm_name  # noqa: E402 - scripts/ is on the path now


def _core(name: str) -> str:
    return norm_name(name)


def test_no_plan_item_twice(dataset):
    """No two projects carry the same normalised name, and none of the names folded by SAME_ITEM is left."""
    names = dataset["projects"]["name"].dropna().astype(str)
    cores = names.map(_core)
    dup = names[cores.duplicated(keep=False)].tolist()
    assert not dup, dup
    left = set(names) & set(SAME_ITEM)
    assert not left, left


def test_the_items_the_issue_names_are_one_row_each_with_every_reference(dataset):
    p = dataset["projects"]
    assert len(p) == 536  # 550 before the 14 duplicates were folded in
    six = p[p["name"].str.contains("六新") & p["name"].str.contains("集聚区|聚集区")
            & ~p["name"].str.contains("道路|管网|厂房")]
    assert len(six) == 1
    refs = six["source_ref"].iloc[0]
    assert "第一章第一节" in refs and "专栏6-1" in refs and "第九章第一节" in refs
    assert len(p[p["name"].str.contains("庙前") & p["name"].str.contains("双创基地")
                 & ~p["name"].str.contains("厂房|七通一平")]) == 1
    assert len(p[p["name"].str.contains("瑞生洋")]) == 1
    assert len(p[p["name"].str.contains("众为蓝图")]) == 1
    assert len(p[p["name"].str.contains("晨丰交通") & p["name"].str.contains("专用车")]) == 1
    zw = p[p["name"].str.contains("众为蓝图")].iloc[0]
    assert "第六章第五节" in zw["source_ref"] and "专栏7-1" in zw["source_ref"]


def test_ids_of_other_projects_did_not_move(dataset):
    """Folding keeps the first row's id and retires the later one; every other id is the one it was."""
    p = dataset["projects"].set_index("project_id")
    assert p.loc["XM0001", "name"].startswith("水头工业园区、瑶峰轻工业园")
    assert p.loc["XM0002", "name"] == "“六新”产业集聚区"
    assert p.loc["XM0308", "name"] == "庙前电子科技双创基地"
    assert "XM0248" not in p.index and "XM0429" not in p.index


def test_no_image_placeholder_anywhere(dataset):
    for layer, df in dataset.layers.items():
        frame = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
        for col in frame.columns:
            s = frame[col].dropna().astype(str)
            hit = s[s.str.contains(r"\[image", regex=True)]
            assert hit.empty, (layer, col, hit.tolist()[:3])


@pytest.mark.skipif(not PLAN.is_file(), reason="the plan text (../shared/plan) is not beside the repository")
def test_every_status_is_the_plans_word_on_the_rows_own_lines():
    """Every status of the reviewed source CSVs is a word found on one of the row's own plan lines (the build
    drops ``source_line``, so this reads the sources the build reads)."""
    lines = PLAN.read_text(encoding="utf-8").split("\n")
    wrong = []
    for name in ("projects.csv", "parks.csv", "scenic_sites.csv"):
        df = pd.read_csv(ROOT / "geodata" / "sources" / name, dtype=str).fillna("")
        for _, r in df[df["status"] != ""].iterrows():
            nums = [int(x) for x in re.findall(r"\d+", r["source_line"])]
            text = "".join(lines[n - 1] for n in nums if 0 < n <= len(lines))
            wrong += [(name, r["name"], w) for w in re.split(r"[;；]", r["status"]) if w and w not in text]
    assert not wrong, wrong
    assert "待开工" not in set(pd.read_csv(ROOT / "geodata" / "sources" / "projects.csv", dtype=str)["status"].dropna())


def test_road_to_the_city_ends_at_the_city_not_the_airport(dataset):
    roads, places = dataset["roads"], dataset["places"]
    line = roads[roads["road_id"] == "R012"].geometry.iloc[0]
    end = line.coords[-1]
    city = places[places["kind"] == "城市中心"].geometry.iloc[0]
    airport = places[places["kind"] == "机场"].geometry.iloc[0]
    assert abs(end[0] - city.x) < 1e-6 and abs(end[1] - city.y) < 1e-6
    assert (end[0] - airport.x) ** 2 + (end[1] - airport.y) ** 2 > 1e-4
