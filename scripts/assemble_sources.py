"""Assemble the default dataset's source CSVs from the extraction worksheets.

The plan was read by hand in parts; each part's worksheet is in ``geodata/sources/extract_notes/``
(``projects_A.csv`` chapters 1–4, ``projects_B1.csv`` chapters 5–6, ``projects_B2.csv`` chapters 7–11,
plus parks, sites, roads, plan villages and indicators, with notes). This script merges them into the
reviewed sources the build reads (``geodata/sources/*.csv``, the county profile's ``sources`` folder):
projects mentioned in more than one part are merged into one row (source references joined), ids are given
in plan order, one plan item extracted twice under two names is then folded into its first row
(:data:`SAME_ITEM`; the other ids stay), and worksheet-only columns are dropped. A developer tool, not part
of the runtime package: run ``python scripts/assemble_sources.py`` after changing a worksheet; review the diff.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xxgeo.county import county  # noqa: E402 - after the repository root is on the path

SOURCES = county().sources
WORK = SOURCES / "extract_notes"
PARTS = ("projects_A.csv", "projects_B1.csv", "projects_B2.csv")
PROJECT_COLUMNS = ["project_id", "name", "category", "township", "village", "park", "status", "investment_wan",
                   "investment_note", "start_year", "end_year", "source_ref", "subgroup", "source_line",
                   "source_text", "place_note", "public"]
MERGE_JOIN = ("source_ref", "source_line", "subgroup", "place_note", "township", "village")
#: One project worded differently in two places of the plan (reviewed by hand): later name -> first name.
SAME_AS = {
    "人民医院迁建项目": "县人民医院迁建工程",
    "鑫点科技智能穿戴项目": "鑫点科技智能穿戴发展基地建设项目",
    "瑶台生物消毒剂专用肥生产线": "瑶台生物消毒液专用肥生产线项目",
    "山西广鑫机械制造有限公司年产100万件汽车零部件项目": "广鑫机械年产100万件汽车零配件项目",
    "山西畅达科技实业有限公司交通设备制造项目": "畅达科技交通设备制造项目",
    "中小学智慧教育（二期）项目": "智慧教育（二期）",
    "新兴国际商城": "新兴国际",
    "白沙河南岸夏都公园": "夏都公园",
}
#: One plan item extracted twice under different names (found by a duplicate check, each read against the plan;
#: see extract_notes/projects_A_notes.md, "One row per plan item"): later row's name -> the name of the row it
#: joins. Applied after ids are given, so every other project keeps its id; the later id is retired.
SAME_ITEM = {
    "裴介六新产业聚集区": "“六新”产业集聚区",
    "“六新”集聚区": "“六新”产业集聚区",
    "庙前双创基地": "庙前电子科技双创基地",
    "山西瑞生洋农业科技开发有限公司食用菌饮料生产线建设项目": "瑞生洋食用菌饮料建设",
    "众为蓝图环保有限公司工业废物综合利用处置项目": "众为蓝图工业废物综合利用处置",
    "山西晨丰交通设备制造有限公司专用车生产线项目": "晨丰交通专用车生产线项目",
    "尊村引黄灌区裴介镇、庙前镇水源置换项目工程": "尊村引黄灌区裴介、庙前镇水源置换项目",
    "沙河城区段生态蓄水和环境修复工程": "白沙河城区段生态蓄水与环境修复",
    "泗交国际康养小镇": "泗交康养小镇",
    "夏县国家农业公园": "国家农业公园开发",
    "中药材交易物流园": "中药材物流园",
    "农村社区老年人日间照料中心": "农村社区日间照料中心",
    "现代农业产业示范区": "现代农业示范区",
    "社会福利中心养护楼": "福利养护楼",
}
#: Roads drawn separately that the plan lists as one project.
ROAD_PROJECT = {"北环路": "夏县东环路、北环路建设工程", "东环路": "夏县东环路、北环路建设工程"}


def norm_name(name: str) -> str:
    """Key for recognising one project named twice: no spaces, quotes, brackets or trailing 项目."""
    key = re.sub(r"[\s“”\"'‘’（）()《》、，,。·]", "", name or "")
    for suffix in ("建设项目", "项目"):  # "夏都文旅新城" and "夏都文旅新城项目" are one project
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            return key[: -len(suffix)]
    return key


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def _join(a: str, b: str, sep: str) -> str:
    items = [x.strip() for x in re.split(r"[;；]", a) + re.split(r"[;；]", b) if x.strip()]
    return sep.join(dict.fromkeys(items))


def _absorb(cur: dict, r: dict) -> None:
    """Join ``r`` into ``cur``: references and places joined, empty cells filled, nothing overwritten."""
    for k, v in r.items():
        if not v or k == "project_id":
            continue
        if k in MERGE_JOIN:
            cur[k] = _join(cur.get(k, ""), v, ";" if k in ("township", "village") else "; ")
        elif not cur.get(k):
            cur[k] = v


def merge_projects(parts: list[list[dict]]) -> list[dict]:
    """Merge worksheet rows; a name seen twice becomes one row whose empty cells are filled from the other."""
    out: dict[str, dict] = {}
    for rows in parts:
        for r in rows:
            if not r.get("name"):
                continue
            key = norm_name(SAME_AS.get(r["name"], r["name"]))
            if key not in out:
                out[key] = dict(r)
                continue
            _absorb(out[key], r)
    return list(out.values())


def merge_same_items(rows: list[dict]) -> tuple[list[dict], dict]:
    """Fold the rows :data:`SAME_ITEM` names into the row of the same plan item (ids already given, so the
    others keep theirs). Returns the rows left and {folded name key: the kept row's id}."""
    by_name = {r["name"]: r for r in rows}
    folded: dict[str, str] = {}
    for later, first in SAME_ITEM.items():
        if later not in by_name or first not in by_name:
            raise SystemExit(f"SAME_ITEM names a project that is not there: {later!r} -> {first!r}")
        _absorb(by_name[first], by_name[later])
        folded[norm_name(later)] = by_name[first]["project_id"]
    gone = {id(by_name[n]) for n in SAME_ITEM}
    return [r for r in rows if id(r) not in gone], folded


def _first_line(r: dict) -> int:
    m = re.match(r"\d+", r.get("source_line") or "")
    return int(m.group()) if m else 10**6


def assemble() -> dict:
    """Write projects.csv (and copy the other worksheets) into geodata/sources; returns row counts."""
    parts = [_read(WORK / p) for p in PARTS if (WORK / p).exists()]
    rows = merge_projects(parts)
    rows.sort(key=_first_line)
    for i, r in enumerate(rows, 1):
        r["project_id"] = f"XM{i:04d}"
        r["public"] = r.get("public") or "true"  # every project comes from the published plan
    rows, folded = merge_same_items(rows)
    with open(SOURCES / "projects.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=PROJECT_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    counts = {"projects": len(rows)}
    by_key = {**folded, **{norm_name(r["name"]): r["project_id"] for r in rows}}
    for name in ("parks.csv", "scenic_sites.csv", "roads.csv", "plan_villages.csv", "indicators.csv"):
        src = WORK / name
        if src.exists():
            data = _read(src)
            if name == "roads.csv":  # the road's project row, where the names agree
                for r in data:
                    r["project_id"] = by_key.get(norm_name(ROAD_PROJECT.get(r["name"], r["name"])), "")
            with open(SOURCES / name, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=list(data[0].keys()))
                w.writeheader()
                w.writerows(data)
            counts[name] = len(data)
    return counts


if __name__ == "__main__":  # pragma: no cover
    print(assemble())
