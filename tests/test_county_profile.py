"""The county is data: a small made-up county, written as a profile into tmp_path, builds, validates, maps and
reports through the CLI with ``XXGEO_COUNTY`` pointing at it, and nothing it writes names Xia County."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xxgeo.cli import main
from xxgeo.county import county
from xxgeo.errors import ImportRefused, NotFound
from xxgeo.names import resolve_township
from xxgeo.schema import LAYERS
from xxgeo.store import open_store
from xxgeo.validation import check_value

CODE = "990101"
NAME = "样例县"
W, S, E, N = 100.00, 25.00, 100.20, 25.20  # a square in Yunnan, far from Shanxi
TOWNSHIPS = [("990101001", "东岭镇", "镇", 100.05, 25.05), ("990101002", "西川乡", "乡", 100.15, 25.06),
             ("990101003", "南湖镇", "镇", 100.10, 25.15)]
VILLAGES = [("990101001001", "东岭村委会", "990101001"), ("990101001002", "上坪村委会", "990101001"),
            ("990101002001", "西川村委会", "990101002"), ("990101003001", "湖滨社区居委会", "990101003")]
#: the default dataset's names, none of which may reach the made-up county's outputs
XIA = ("夏县", "140828", "Xia County", "瑶峰", "裴介", "运城")

PROFILE = f'''
code = "{CODE}"
name = "{NAME}"
name_en = "Sample County"
full_name = "示例省样例市{NAME}"
full_name_en = "Sample County, Example Province"
app_title = "{NAME}项目一张图"
app_title_en = "Sample County Projects Map"
plan_title = "《{NAME}发展规划（虚构，仅供测试）》"
plan_title_en = "Sample County development plan (made up for tests)"
township_code_pattern = '^{CODE}\\d{{3}}$'
village_code_pattern = '^{CODE}\\d{{6}}$'
crs_hint = "EPSG:4542"
townships_source = "made-up township list (tests)"
villages_source = "made-up village list (tests)"

[files]
sources = "src"
outline = "src/outline.geojson"
townships = "src/townships.csv"
villages = "src/villages.csv"
places = "src/places.csv"
'''

HEADERS = {
    "parks.csv": "park_id,name,aliases,township,planned_area_km2,construction_land_km2,construction_land_mu,"
                 "location_desc,leading_industries,enterprises,infrastructure,standard_factories,targets,"
                 "distances_stated,period,status,source_ref,source_line",
    "scenic_sites.csv": "site_id,name,kind,grade,township,village,place_note,status,source_ref,source_line,"
                        "source_text",
    "roads.csv": "road_id,name,road_class,work_type,from_place,to_place,via_places,length_km,source_ref,"
                 "source_line,source_text,project_id",
    "indicators.csv": "indicator_id,table,group,seq,name,parent,unit,value_2015,target_2020,growth_target_13th,"
                      "value_2020,growth_actual_13th,target_2025,growth_14th,nature,source_ref,source_line",
    "plan_villages.csv": "programme,group,village,township,village_code,in_reference_list,source_ref,source_line",
}
PROJECTS = [
    {"project_id": "XM0001", "name": "东岭镇污水处理厂建设项目", "category": "生态水利", "township": "东岭镇",
     "source_ref": "第一章", "public": "true"},
    {"project_id": "XM0002", "name": "西川至南湖公路改造工程", "category": "交通", "township": "西川;南湖",
     "investment_wan": "1200", "source_ref": "第二章", "public": "true"},
    {"project_id": "XM0003", "name": "全县数字乡村平台", "category": "新基建数字", "source_ref": "第三章",
     "public": "false"},
]
PROJECT_COLUMNS = ["project_id", "name", "category", "township", "village", "park", "status", "investment_wan",
                   "investment_note", "start_year", "end_year", "source_ref", "subgroup", "source_line",
                   "source_text", "place_note", "public"]


def _csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)


def write_profile(root: Path) -> Path:
    """A made-up county: profile, square outline, 3 townships, 4 villages, 2 reference places, 3 projects,
    header-only parks, sites, roads, indicators and plan villages."""
    src = root / "src"
    src.mkdir(parents=True)
    (root / "county.toml").write_text(PROFILE, encoding="utf-8")
    ring = [[W, S], [E, S], [E, N], [W, N], [W, S]]
    (src / "outline.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": CODE, "name": NAME, "source": "made-up square (tests)"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}, ensure_ascii=False), encoding="utf-8")
    _csv(src / "townships.csv", ["code9", "code12", "name", "kind", "village_units", "seat_lon", "seat_lat",
                                 "seat_quality"],
         [{"code9": c, "code12": c + "000", "name": n, "kind": k, "village_units": sum(v[2] == c for v in VILLAGES),
           "seat_lon": x, "seat_lat": y, "seat_quality": "made up"} for c, n, k, x, y in TOWNSHIPS])
    names = {c: n for c, n, *_ in TOWNSHIPS}
    _csv(src / "villages.csv", ["code12", "name", "township_code9", "township_name"],
         [{"code12": c, "name": n, "township_code9": t, "township_name": names[t]} for c, n, t in VILLAGES])
    _csv(src / "places.csv", ["place_id", "name", "name_en", "kind", "lon", "lat", "datum", "source"],
         [{"place_id": "PL01", "name": "样例县城", "name_en": "Sample County seat", "kind": "县城",
           "lon": 100.06, "lat": 25.06, "datum": "WGS84", "source": "made up"},
          {"place_id": "PL02", "name": "样例机场", "name_en": "Sample Airport", "kind": "机场",
           "lon": 100.30, "lat": 25.10, "datum": "WGS84", "source": "made up"}])
    _csv(src / "projects.csv", PROJECT_COLUMNS, PROJECTS)
    for name, header in HEADERS.items():
        (src / name).write_text(header + "\n", encoding="utf-8")
    return root / "county.toml"


@pytest.fixture
def made_up(tmp_path, monkeypatch) -> Path:
    """The made-up county's profile in force (``XXGEO_COUNTY``); returns the folder to write outputs in."""
    monkeypatch.setenv("XXGEO_COUNTY", str(write_profile(tmp_path / "county")))
    return tmp_path


def _map_text(store: Path, out: Path) -> str:
    """``map --out``'s HTML with the page script's ``\\uXXXX`` escapes decoded (titles are written so)."""
    assert main(["map", "--store", str(store), "--out", str(out)]) == 0
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), out.read_text(encoding="utf-8"))


def _pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext missing: sudo apt-get install poppler-utils")
    return subprocess.run([tool, "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_made_up_county_builds_validates_maps_and_reports(made_up, capsys):
    assert county().code == CODE and county().name == NAME
    store = made_up / "store.gpkg"
    assert main(["build", "--store", str(store)]) == 0
    assert main(["validate", "--store", str(store)]) == 0
    ds = open_store(str(store)).load()
    assert list(ds["county"]["code"]) == [CODE] and list(ds["county"]["name"]) == [NAME]
    assert sorted(ds["townships"]["code"]) == [t[0] for t in TOWNSHIPS]
    assert len(ds["villages"]) == len(VILLAGES) and len(ds["places"]) == 2
    assert len(ds["projects"]) == 3 and len(ds["parks"]) == len(ds["roads"]) == len(ds["scenic_sites"]) == 0
    two = ds["projects"].set_index("project_id").loc["XM0002"]
    assert two["township_codes"] == "990101002;990101003" and two["geometry"].geom_type == "MultiPoint"
    # every located feature lies in the made-up square, nowhere near Shanxi
    w, s, e, n = ds["projects"].dropna(subset=["geometry"]).total_bounds
    assert w >= W and e <= E and s >= S and n <= N

    html = _map_text(store, made_up / "x.html")
    assert "东岭镇" in html and "东岭镇污水处理厂建设项目" in html and NAME in html

    pdf_path = made_up / "x.pdf"
    assert main(["report", "township", "东岭", "--store", str(store), "--out", str(pdf_path)]) == 0
    text = _pdf_text(pdf_path)
    assert f"{NAME}东岭镇" in text and "《样例县发展规划（虚构，仅供测试）》" in text
    assert "东岭镇污水处理厂建设项目" in text and "made-up township list (tests)" in text
    assert not [x for x in XIA if x in text]
    capsys.readouterr()


def test_made_up_county_map_names_no_other_county(made_up):
    store = made_up / "store.gpkg"
    assert main(["build", "--store", str(store)]) == 0
    html = _map_text(store, made_up / "x.html")
    assert [x for x in XIA if x in html] == []  # the title too (written as \\uXXXX escapes in the page's script)


def test_code_patterns_and_messages_follow_the_profile(made_up):
    town = LAYERS["townships"].field("code")
    assert check_value(town, "990101002") is None
    assert check_value(town, "140828102") is not None  # a Xia County code is not this county's
    assert check_value(LAYERS["county"].field("code"), CODE) is None
    assert check_value(LAYERS["villages"].field("code"), "990101001001") is None
    import pandas as pd

    towns = pd.DataFrame({"code": [t[0] for t in TOWNSHIPS], "name": [t[1] for t in TOWNSHIPS]})
    with pytest.raises(NotFound, match=f"{NAME}的乡镇有：东岭镇"):
        resolve_township("火星镇", towns)


def test_import_near_the_made_up_county_and_refused_near_shanxi(made_up):
    import numpy as np
    from shapely.geometry import Point

    from xxgeo.io.crs_rules import to_wgs84

    here = np.array([Point(100.1, 25.1)], dtype=object)
    out, _notes = to_wgs84(here, "EPSG:4326", None)
    assert out[0].equals(Point(100.1, 25.1))
    with pytest.raises(ImportRefused, match=f"数据位置不在{NAME}附近") as exc:
        to_wgs84(np.array([Point(111.2, 35.1)], dtype=object), "EPSG:4326", None)  # Xia County's seat
    assert "Sample County" in exc.value.english
    # 6-digit eastings without a CRS: the advice names the profile's usual zone (CM 99°E)
    with pytest.raises(ImportRefused, match=f"{NAME}通常是 CGCS2000 3度带中央经线99°.*--crs EPSG:4542"):
        to_wgs84(np.array([Point(500000.0, 2770000.0)], dtype=object), None, None)
