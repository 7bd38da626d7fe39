"""Assemble the default dataset's source CSVs from the extraction worksheets.

The plan was read by hand in parts; each part's worksheet is in ``geodata/sources/extract_notes/``
(``projects_A.csv`` chapters 1–4, ``projects_B1.csv`` chapters 5–6, ``projects_B2.csv`` chapters 7–11,
plus parks, sites, roads, plan villages and indicators, with notes). This script merges them into the
reviewed sources the build reads (``geodata/sources/*.csv``, the county profile's ``sources`` folder):
projects mentioned in more than one part are merged into one row (source references joined), ids are given
in plan order, and worksheet-only columns are dropped. A developer tool, not part of the runtime package:
run ``python scripts/assemble_sources.py`` after changing a worksheet; review the diff.
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
            cur = out[key]
            for k, v in r.items():
                if not v:
                    continue
                if k in MERGE_JOIN:
                    cur[k] = _join(cur.get(k, ""), v, ";" if k in ("township", "village") else "; ")
                elif not cur.get(k):
                    cur[k] = v
    return list(out.values())


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
    with open(SOURCES / "projects.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=PROJECT_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    counts = {"projects": len(rows)}
    by_key = {norm_name(r["name"]): r["project_id"] for r in rows}
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
