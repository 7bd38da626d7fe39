"""Layer constraints (三区三线) and the compliance check (issue 16): import one kind as a whole, every verdict,
overlaps in 亩 equal to an independent computation, refusals, both backends, English."""

from __future__ import annotations

import pytest
import shapely
from constraintfactory import expected_mu, farmland, projects, urban
from datafactory import shapefile_zip

from xxgeo.cli import main
from xxgeo.constraints.check import check
from xxgeo.constraints.importer import commit_constraints, prepare_constraints
from xxgeo.constraints.run import check_store
from xxgeo.errors import ImportRefused, PermissionDenied, ValidationFailed
from xxgeo.policy import Actor, GuardedStore


def _import(store, gdf, kind, tmp_path, name="layer.gpkg", **kw):
    path = tmp_path / name
    gdf.to_file(path, driver="GPKG")
    plan = prepare_constraints(path, kind, store, **kw)
    return commit_constraints(plan, store, user="tester")


def _checked(store, tmp_path):
    """``store`` with farmland, the urban boundary and the test projects."""
    _import(store, farmland(), "永久基本农田", tmp_path, "farm.gpkg")
    _import(store, urban(), "城镇开发边界", tmp_path, "urban.gpkg")
    store.write_layers({"projects": projects(store.read("projects"))})
    return store


@pytest.fixture
def checked_store(any_store, tmp_path):
    """The default store (either backend) with farmland, the urban boundary and the test projects."""
    return _checked(any_store, tmp_path)


def test_overlap_mu_equals_an_independent_computation_and_every_verdict(checked_store):
    res = check_store(checked_store)
    v = res.projects.set_index("project_id")["verdict"]
    assert v["T1"] == "冲突" and v["T3"] == "冲突" and v["T4"] == "冲突"  # farmland is forbidden
    assert v["T6"] == "冲突"  # half outside the urban boundary (must be inside)
    assert v["T7"] == "无法判断"  # on farmland, but only located to a township: never 无冲突
    assert v["T2"] == "冲突"  # clear of farmland but outside the urban boundary
    hits = res.hits.set_index(["project_id", "kind"])
    t1 = hits.loc[("T1", "永久基本农田")]
    assert t1["overlap_mu"] == pytest.approx(expected_mu("T1", farmland()), rel=1e-4)
    assert t1["overlap_mu"] == pytest.approx(500 * 400 / (10000 / 15), rel=1e-4)
    assert t1["share"] == pytest.approx(0.5, rel=1e-4)
    assert hits.loc[("T3", "永久基本农田")]["length_m"] == pytest.approx(1500, rel=1e-4)
    assert hits.loc[("T3", "永久基本农田")]["features"] == 2
    assert bool(hits.loc[("T4", "永久基本农田")]["inside"]) is True
    assert hits.loc[("T5", "城镇开发边界")]["verdict"] == "无冲突"
    assert hits.loc[("T6", "城镇开发边界")]["outside_mu"] == pytest.approx(750_000 / (10000 / 15), rel=1e-4)
    # every project of the default dataset is located only to a township, park or the county: cannot judge
    default = res.projects[~res.projects["project_id"].astype(str).str.startswith("T")]
    assert len(default) and set(default["verdict"]) == {"无法判断"}
    assert default["reason"].str.contains("不足以判断|没有位置").all()
    pair = res.pairs[(res.pairs["project_a"].isin(["T1", "T8"])) & (res.pairs["project_b"].isin(["T1", "T8"]))]
    assert pair["overlap_mu"].iloc[0] == pytest.approx(300 * 300 / (10000 / 15), rel=1e-4)


def test_restricted_is_to_verify_and_only_farmland_when_asked(checked_store, tmp_path):
    _import(checked_store, farmland(), "水源保护区", tmp_path, "water.gpkg")
    res = check_store(checked_store, against=["水源保护区"])
    v = res.projects.set_index("project_id")["verdict"]
    assert v["T1"] == "需核实" and v["T5"] == "无冲突" and v["T7"] == "无法判断"
    assert res.kinds == ["水源保护区"]


def test_nothing_imported_is_never_no_conflict(store_copy):
    store_copy.write_layers({"projects": projects(store_copy.read("projects"))})
    res = check(store_copy.read("projects"), store_copy.read("constraints"))
    assert set(res.projects["verdict"]) == {"无法判断"}


def test_protection_distance_of_sites(checked_store):
    sites = checked_store.read("scenic_sites").iloc[:1].copy()
    t5 = checked_store.read("projects").set_index("project_id").loc["T5", "geometry"]
    sites.loc[sites.index[0], "geometry"] = t5.centroid
    sites.loc[sites.index[0], "kind"] = "文物"
    res = check(checked_store.read("projects"), checked_store.read("constraints"), sites=sites,
                protection_m={"文物": 200})
    assert "T5" in set(res.near["project_id"]) and res.near["distance_m"].min() == pytest.approx(0)
    assert "T1" not in set(res.near["project_id"])
    assert check(checked_store.read("projects"), checked_store.read("constraints"), sites=sites).notes


def _near_ruin(store):
    """Move the first 遗址 (a ruin) ~410 m east of T5's edge; (the sites, its row)."""
    sites = store.read("scenic_sites")
    ruin = sites.index[sites["kind"] == "遗址"][0]
    t5 = store.read("projects").set_index("project_id").loc["T5", "geometry"]
    sites.loc[ruin, "geometry"] = shapely.affinity.translate(t5.centroid, 0.01)
    sites.loc[ruin, "loc_precision"] = "surveyed"
    store.write_layers({"scenic_sites": sites})
    return sites, ruin


def test_protection_distances_on_the_command_line(store_copy, tmp_path, capsys):
    """``check --protection 遗址=200`` (or a bare number for every kind) without editing the county's file; a
    distance it cannot read, or a kind no site has, is refused with one sentence."""
    checked = _checked(store_copy, tmp_path)
    sites, ruin = _near_ruin(checked)
    store, out = str(checked.path), tmp_path / "near.xlsx"
    assert main(["check", "--store", store, "--out", str(out), "--protection", "遗址=500"]) == 0
    assert "保护距离：遗址 500 米" in capsys.readouterr().out
    import openpyxl

    near = list(openpyxl.load_workbook(out)["景区文物保护距离"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in near] == ["T5"] and near[0][2] == sites.loc[ruin, "site_id"]
    assert 380 < near[0][5] < 440 and near[0][6] == 500  # metres to T5's edge, the distance asked for
    assert main(["check", "--store", store, "--out", str(out), "--protection", "10"]) == 0
    assert not list(openpyxl.load_workbook(out)["景区文物保护距离"].iter_rows(min_row=2, values_only=True))
    for bad, said in (("遗址=两百", "看不懂"), ("文庙=200", "没有类型“文庙”"), ("=5", "看不懂"), ("遗址=-1", "看不懂")):
        assert main(["check", "--store", store, "--out", str(out), "--protection", bad]) == 2
        assert said in capsys.readouterr().err, bad
    assert main(["check", "--store", store, "--out", str(out), "--protection", "文庙=200", "--lang", "en"]) == 2
    assert "No scenic or heritage site is of kind “文庙”" in capsys.readouterr().err


def test_import_replaces_one_kind_as_a_whole(checked_store, tmp_path):
    before = checked_store.read("constraints")
    assert (before["kind"] == "永久基本农田").sum() == 2 and (before["kind"] == "城镇开发边界").sum() == 1
    plan = _import(checked_store, farmland().iloc[:1], "永久基本农田", tmp_path, "again.gpkg")
    assert plan.replaced == 2 and plan.backup is not None
    after = checked_store.read("constraints")
    assert (after["kind"] == "永久基本农田").sum() == 1 and (after["kind"] == "城镇开发边界").sum() == 1
    assert set(after.loc[after["kind"] == "永久基本农田", "rule"]) == {"forbidden"}
    assert set(after.loc[after["kind"] == "城镇开发边界", "rule"]) == {"must_be_inside"}
    assert set(after["source"]) == {"again.gpkg", "urban.gpkg"}
    assert "constraints" not in checked_store.load().layers  # read on demand, not with every view


def test_gauss_kruger_shapefile_with_zone_prefix_and_gbk_names(store_copy, tmp_path):
    gdf = farmland().to_crs("EPSG:4525")  # CGCS2000 3-degree zone 37, x with the zone prefix
    path = shapefile_zip(gdf, tmp_path / "jbnt.zip", encoding="GBK", cpg="GBK")
    plan = prepare_constraints(path, "永久基本农田", store_copy)
    assert list(plan.frame["name"]) == ["图斑甲", "图斑乙"]
    commit_constraints(plan, store_copy)
    stored = store_copy.read("constraints")
    assert stored.to_crs("EPSG:4546").area.sum() == pytest.approx(2_000_000, rel=1e-4)


def test_cli_imports_a_shapefile_named_by_its_shp(store_copy, tmp_path, capsys):
    """``import jbnt.shp --layer constraints`` with the .dbf/.shx/.prj beside it, as a GIS tool leaves them."""
    farmland().to_crs("EPSG:4525").to_file(tmp_path / "jbnt.shp", encoding="GBK")
    assert main(["import", str(tmp_path / "jbnt.shp"), "--layer", "constraints", "--kind", "永久基本农田",
                 "--store", str(store_copy.path)]) == 0
    assert "2 个面" in capsys.readouterr().out
    stored = store_copy.read("constraints")
    assert list(stored["name"]) == ["图斑甲", "图斑乙"]
    assert stored.to_crs("EPSG:4546").area.sum() == pytest.approx(2_000_000, rel=1e-4)


def test_refusals_leave_the_store_unchanged(store_copy, tmp_path):
    version = store_copy.version()
    with pytest.raises(ImportRefused, match="--kind"):
        _import(store_copy, farmland(), "", tmp_path)
    with pytest.raises(ImportRefused, match="规则"):
        _import(store_copy, farmland(), "永久基本农田", tmp_path, rule="sometimes")
    pts = farmland().copy()
    pts["geometry"] = pts.geometry.centroid
    with pytest.raises(ValidationFailed, match="不是面"):
        _import(store_copy, pts, "永久基本农田", tmp_path, "points.gpkg")
    assert store_copy.version() == version and len(store_copy.read("constraints")) == 0
    township = GuardedStore(store_copy, Actor("t", "township", "140828102"))
    plan = prepare_constraints(_write(farmland(), tmp_path), "永久基本农田", township)
    with pytest.raises(PermissionDenied):
        commit_constraints(plan, township)
    assert store_copy.version() == version
    from xxgeo.importers import prepare_import

    with pytest.raises(ImportRefused, match="--kind"):  # the generic path (the data view) sends users to --kind
        prepare_import(_write(farmland(), tmp_path), "constraints", store_copy)
    public = GuardedStore(store_copy, Actor("公众", "public"))
    assert len(public.read("constraints")) == 0  # internal: the public never reads it


def _write(gdf, tmp_path):
    path = tmp_path / "f.gpkg"
    gdf.to_file(path, driver="GPKG")
    return path


def test_cli_import_check_and_english(store_copy, tmp_path, capsys):
    path = _write(farmland(), tmp_path)
    assert main(["import", str(path), "--layer", "constraints", "--store", str(store_copy.path)]) != 0
    assert "--kind" in capsys.readouterr().err
    assert main(["import", str(path), "--layer", "constraints", "--kind", "永久基本农田", "--store",
                 str(store_copy.path), "--lang", "en"]) == 0
    said = capsys.readouterr().out
    assert "2 polygons" in said and "Note: Names taken from the column “TBMC”." in said and "提示" not in said
    assert main(["import", str(path), "--layer", "projects", "--kind", "x", "--store", str(store_copy.path)]) != 0
    store_copy.write_layers({"projects": projects(store_copy.read("projects"))})
    out = tmp_path / "check.xlsx"
    assert main(["check", "--store", str(store_copy.path), "--out", str(out), "--lang", "en",
                 "--township", "裴介"]) == 0
    said = capsys.readouterr().out
    assert "conflict" in said and "cannot judge" in said
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Verdicts", "Overlaps"]
    head = [c.value for c in wb["Overlaps"][1]]
    assert "Overlap (mu)" in head and "Share of project (%)" in head
    verdicts = {r[0]: r[5] for r in wb["Verdicts"].iter_rows(min_row=2, values_only=True)}
    assert verdicts["T1"] == "Conflict" and verdicts["T7"] == "Cannot judge"
    assert main(["check", "--store", str(store_copy.path), "--out", str(tmp_path / "c.pdf")]) == 0
    assert (tmp_path / "c.pdf").read_bytes()[:4] == b"%PDF"
    assert main(["check", "--store", str(store_copy.path), "--out", str(tmp_path / "e.pdf"), "--lang", "en"]) == 0
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "e.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "page 1" in text and "made 20" in text and "Xia County" in text  # the footer in English
    assert "第 1 页" not in text and "生成日期" not in text and "Overlaps with control lines" in text
    assert main(["check", "--store", str(store_copy.path), "--out", str(tmp_path / "c.txt")]) != 0
    assert main(["check", "--store", str(store_copy.path), "--out", str(out), "--against", "生态保护红线"]) != 0
    assert "生态保护红线" in capsys.readouterr().err


def test_compliance_view_in_the_app(store_copy, tmp_path, monkeypatch):
    """The view (AppTest, single-user mode): without control lines it says how to import them; with them it shows
    the counts per verdict and the tables, in Chinese and English."""
    from kit import app_test

    monkeypatch.setenv("XXGEO_STORE", str(store_copy.path))
    at = app_test(view="compliance")
    assert any("--layer constraints" in i.value for i in at.info)
    _import(store_copy, farmland(), "永久基本农田", tmp_path, "farm.gpkg")
    store_copy.write_layers({"projects": projects(store_copy.read("projects"))})
    at = app_test(view="compliance")
    shown = {m.label: m.value for m in at.metric}
    assert shown["冲突"] == "3" and shown["无法判断"] == str(len(store_copy.read("projects")) - 7)
    assert not at.dataframe[3:]  # no distance set: no site checked
    verdicts = at.dataframe[0].value.set_index("项目编号")
    assert verdicts.loc["T1", "说明"] == "" and verdicts.loc["T1", "乡镇"] == "裴介镇"  # nothing to explain: blank
    hits = at.dataframe[1].value.set_index("项目编号")
    assert hits.loc["T1", "线内长度（米）"] == "" and hits.loc["T3", "占用面积（亩）"] == ""  # not applicable
    _near_ruin(store_copy)
    at.number_input(key="cc_protect_遗址").set_value(500).run()
    assert len(at.dataframe[3].value) == 1 and any("保护距离：遗址 500 米" in c.value for c in at.caption)
    at = app_test(view="compliance", lang="en")
    assert {m.label for m in at.metric} == {"Conflict", "To verify", "Cannot judge", "No conflict"}
    assert at.number_input(key="cc_protect_遗址").label == "heritage site"


def test_township_report_has_the_check_section(checked_store, tmp_path):
    """The township report's 三区三线 section (reports/compliance.section, brief) from township_check."""
    import re
    import subprocess

    from xxgeo import reports
    from xxgeo.constraints.run import township_check

    res = township_check(checked_store, "140828102")
    assert res is not None and res.counts()["冲突"] >= 3
    path = tmp_path / "t.pdf"
    path.write_bytes(reports.township_report_pdf(checked_store.load(), "140828102", res))
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "三区三线合规检查" in text and "占用管控边界" in text
    section = text[text.index("三区三线合规检查"):]
    assert "测试项目T1裴介镇永久基本农田300.050.0" in section  # T1: 300 亩 on farmland, half of it
    assert "测试项目T6裴介镇城镇开发边界375.025.0" in section  # T6: a quarter inside the urban boundary
