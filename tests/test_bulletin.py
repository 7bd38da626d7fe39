"""The monthly bulletin: its figures equal a hand computation from the same numbers (Excel and PDF), empty stays
empty, names are escaped, English is complete, ``--township`` limits the list, and the command's exit codes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import geopandas as gpd
import openpyxl
import pytest
from dispatchfactory import problems, progress, project, report

from xxgeo.cli import main
from xxgeo.reports.bulletin import bulletin_data
from xxgeo.reports.bulletin_pdf import bulletin_pdf, bulletin_pdf_pages
from xxgeo.reports.bulletin_xlsx import bulletin_xlsx
from xxgeo.store import Dataset

MONTH, TODAY = "2026-06", "2026-07-10"
HEADERS_ZH = ["序号", "项目名称", "乡镇", "包联领导", "责任单位", "年度计划投资（万元）", "本月完成（万元）",
              "本年累计（万元）", "完成率（%）", "序时进度（%）", "进度差（百分点）", "预警", "形象进度", "存在问题",
              "预警原因"]


@pytest.fixture(scope="module")
def dispatch_ds(dataset):
    """The default dataset with five key projects in two townships and their June reports (made here)."""
    towns = dataset["townships"]
    t1, t2 = str(towns["code"].iloc[0]), str(towns["code"].iloc[1])
    seat = dict(zip(towns["code"].astype(str), towns.geometry.representative_point()))
    rows = [project("A", township_code=t1, lead_official="王五", responsible_unit="发改局", name="=HYPERLINK(\"x\")"),
            project("B", township_code=t1, lead_official="王五", responsible_unit="工信局"),
            project("C", township_code=t2, lead_official="赵六", name="<b>粗体</b>项目"),
            project("D", township_code=t2, lead_official="赵六"),
            project("E", township_code=t2, responsible_unit="交通局")]
    geoms = [seat[r["township_code"]] for r in rows]
    projs = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    projs["loc_precision"] = "township"
    reps = progress(report("A", MONTH, 1000, 400, month_done=100, physical_progress="主体完工"),
                    report("B", MONTH, 2000, 1500, month_done=300),
                    report("C", MONTH, 500, 100),
                    report("E", MONTH, None, 50),
                    report("A", "2026-05", 1000, 300, month_done=80))
    probs = problems({"problem_id": "Q1", "project_id": "C", "raised_month": "2026-05", "text": "用地指标未落实",
                      "needs": "自然资源局协调", "status": "open"})
    return Dataset({**dataset.layers, "projects": projs, "progress": reps, "problems": probs}), t1, t2


def _sheet(data: bytes, index: int = 0):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[index]


def _rows(ws, first: int = 4) -> list:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def test_excel_figures_equal_the_hand_computation(dispatch_ds):
    ds, t1, t2 = dispatch_ds
    names = dict(zip(ds["townships"]["code"], ds["townships"]["name"]))
    ws = _sheet(bulletin_xlsx(ds, MONTH, today=TODAY))
    assert [c.value for c in ws[3]] == HEADERS_ZH
    rows = _rows(ws)
    body, total = rows[:5], rows[5]
    # by hand: rate = 本年累计 / 年度计划; 序时进度 = 6 / 12 = 50 %; gap = rate − 50
    want = [  # 序号, 乡镇, plan, month, year, rate %, gap, light
        (1, names[t1], 1000, 100, 400, 40.0, -10.0, "黄"),
        (2, names[t1], 2000, 300, 1500, 75.0, 25.0, "绿"),
        (3, names[t2], 500, None, 100, 20.0, -30.0, "红"),
        (4, names[t2], None, None, None, None, None, "红"),  # no report, past 5 July
        (5, names[t2], None, None, 50, None, None, "未评定"),  # no plan: no rate
    ]
    for got, (no, town, plan, mon, year, rate, gap, light) in zip(body, want):
        assert (got[0], got[2], got[5], got[6], got[7], got[11]) == (no, town, plan, mon, year, light)
        assert got[8] == (None if rate is None else pytest.approx(rate))
        assert got[9] == 50
        assert got[10] == (None if gap is None else pytest.approx(gap))
    assert body[0][12] == "主体完工" and body[2][13] == "用地指标未落实（需协调：自然资源局协调）"
    assert "逾期未报" in body[3][14] and "年度计划投资未填报" in body[4][14]
    # totals: Σ over what was reported; the rate over A, B and C (both values reported): 2000 / 3500
    assert total[1] == "合计" and total[5] == 3500 and total[6] == 400 and total[7] == 2050
    assert total[8] == pytest.approx(2000 * 100 / 3500) and total[10] == pytest.approx(2000 * 100 / 3500 - 50)
    assert ws.cell(row=4, column=9).number_format == '0.0"%"'


def test_ranking_and_totals_sheets(dispatch_ds):
    ds, t1, t2 = dispatch_ds
    data = bulletin_xlsx(ds, MONTH, today=TODAY)
    rk = _rows(_sheet(data, 1))
    names = dict(zip(ds["townships"]["code"], ds["townships"]["name"]))
    assert [r[0] for r in rk] == [1, 2] and [r[1] for r in rk] == [names[t1], names[t2]]
    # 名次, 乡镇, 项目数, 已报, 未报, 逾期, 计划, 本月, 本年, 有完成率, 完成率, 进度差, 红, 黄, 绿, 未评定
    assert rk[0][2:10] == [2, 2, 0, 0, 3000, 400, 1900, 2]
    assert rk[0][10] == pytest.approx(1900 * 100 / 3000)
    assert rk[1][2:10] == [3, 2, 1, 1, 500, None, 150, 1]  # nothing reported for 本月 in t2: empty, not 0
    assert rk[1][10] == pytest.approx(20.0) and rk[1][12:16] == [2, 0, 0, 1]
    tot = _rows(_sheet(data, 2))
    leads = {r[1]: r for r in tot if r[0] is None}
    assert leads["王五"][2] == 2 and leads["赵六"][8] == 100  # 赵六: C reported 100, D nothing
    missing = _rows(_sheet(data, 3))
    assert [r[1] for r in missing] == ["项目D"] and missing[0][5] == "逾期未报" and missing[0][6] == "2026-07-05"


def test_before_the_due_day_a_missing_report_is_not_red(dispatch_ds):
    ds, *_ = dispatch_ds
    b = bulletin_data(ds, MONTH, today="2026-07-05")
    d = b.figures.set_index("project_id").loc["D"]
    assert d["light"] == "" and not d["overdue"] and b.summary["overdue"] == 0


def test_formula_names_are_neutralised(dispatch_ds):
    ds, *_ = dispatch_ds
    ws = _sheet(bulletin_xlsx(ds, MONTH, today=TODAY))
    assert ws.cell(row=4, column=2).value == "'=HYPERLINK(\"x\")"
    assert ws.cell(row=4, column=2).data_type == "s"


def _pdftext(data: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: install poppler-utils"
    p = tmp_path / "b.pdf"
    p.write_bytes(data)
    return subprocess.run([tool, "-raw", str(p), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_summary_equals_the_hand_computation(dispatch_ds, tmp_path):
    ds, *_ = dispatch_ds
    text = _pdftext(bulletin_pdf(ds, MONTH, today=TODAY), tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert "重点项目调度通报（2026年6月）" in flat
    assert "5个（已报4，未报1，其中逾期1）" in flat
    assert "3,500万元" in flat and "400万元" in flat and "2,050万元" in flat
    assert "57.1%" in flat and "+7.1个百分点" in flat  # 2000 / 3500 = 57.14 %, minus 50
    assert "红2黄1绿1未评定1" in flat
    assert "<b>粗体</b>项目" in flat  # the markup is shown, not applied
    assert "预警分布图" in flat and "乡镇排名" in flat and "进度差-30.0个百分点" in flat
    assert "存在问题与需协调事项" in flat and "用地指标未落实（需协调：自然资源局协调）" in flat


def test_english_bulletin_is_complete(dispatch_ds, tmp_path):
    ds, *_ = dispatch_ds
    wb = openpyxl.load_workbook(io.BytesIO(bulletin_xlsx(ds, MONTH, today=TODAY, lang="en")))
    assert wb.sheetnames == ["Projects", "Township ranking", "Totals", "Not reported", "Notes"]
    head = [c.value for c in wb.worksheets[0][3]]
    assert head[:6] == ["No.", "Project", "Township", "Lead official", "Responsible unit", "Annual plan (10k CNY)"]
    assert [r[11] for r in _rows(wb.worksheets[0])[:5]] == ["yellow", "green", "red", "red", "not rated"]
    labels = [c for r in wb.worksheets[0].iter_rows(values_only=True) for c in r if isinstance(c, str)]
    data_words = {"主体完工", "项目B", "项目D", "项目E", "王五", "赵六", "发改局", "工信局", "交通局",
                  "<b>粗体</b>项目", "用地指标未落实 (to co-ordinate: 自然资源局协调)"} | set(ds["townships"]["name"])
    assert not [s for s in labels if re.search(r"[\u4e00-\u9fff]", s) and s not in data_words]
    data, pages = bulletin_pdf_pages(ds, MONTH, today=TODAY, lang="en")
    text = _pdftext(data, tmp_path)
    for word in ("Summary", "Map of warnings", "Townships ranked", "Red and yellow projects", "page 1", "made "):
        assert word in text
    for word in ("概况", "预警", "生成日期", "第 1 页", "乡镇排名", "万元", "储备", "签约", "需协调："):
        assert word not in text


def test_township_bulletin_lists_its_projects_only(dispatch_ds):
    ds, t1, _t2 = dispatch_ds
    name = ds["townships"].set_index("code").loc[t1, "name"]
    b = bulletin_data(ds, MONTH, township=name[:2], today=TODAY)
    assert b.township == t1 and list(b.figures["project_id"]) == ["A", "B"]
    assert len(b.ranking) == 2  # the county's ranking, where the township stands
    ws = _sheet(bulletin_xlsx(ds, MONTH, data=b))
    assert name in ws["A1"].value and len(_rows(ws)) == 3  # two projects and the total


@pytest.fixture
def fake_store(monkeypatch, dispatch_ds):
    """The CLI's store loads the dispatch dataset (the progress layers arrive with i12a's schema)."""
    ds = dispatch_ds[0]

    class Loaded:
        def load(self):
            return ds

    monkeypatch.setattr("xxgeo.store.open_store", lambda *a, **k: Loaded())
    return ds


def test_cli_writes_excel_and_pdf(fake_store, tmp_path, capsys):
    out = tmp_path / "通报.xlsx"
    assert main(["bulletin", "--month", "2026-6", "--out", str(out), "--today", TODAY]) == 0
    assert "2026-06 调度通报（Excel，5 个项目）" in capsys.readouterr().out
    assert _rows(_sheet(out.read_bytes()))[0][11] == "黄"
    pdf = tmp_path / "b.pdf"
    assert main(["bulletin", "--month", MONTH, "--out", str(pdf), "--lang", "en", "--today", TODAY]) == 0
    assert "dispatch bulletin for 2026-06 (PDF" in capsys.readouterr().out
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("args", "zh"), [(["--month", "2026-13"], "YYYY-MM"),
                                          (["--month", MONTH, "--township", "不存在"], "没有名为"),
                                          (["--month", MONTH, "--today", "七月"], "YYYY-MM-DD")])
def test_cli_bad_input_is_one_sentence(fake_store, tmp_path, capsys, args, zh):
    out = tmp_path / "b.xlsx"
    assert main(["bulletin", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert zh in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_refuses_other_suffixes_and_bad_rules(fake_store, tmp_path, capsys):
    assert main(["bulletin", "--month", MONTH, "--out", str(tmp_path / "b.docx")]) == 2
    assert ".xlsx 或 .pdf" in capsys.readouterr().err
    bad = tmp_path / "r.toml"
    bad.write_text("[gap\n", encoding="utf-8")
    assert main(["--lang", "en", "bulletin", "--month", MONTH, "--out", str(tmp_path / "b.pdf"),
                 "--rules", str(bad)]) == 2
    assert "warning rules file" in capsys.readouterr().err


def test_default_store_has_no_reports_and_says_how_to_begin(built_store_path, tmp_path, capsys):
    out = tmp_path / "b.xlsx"
    assert main(["bulletin", "--month", MONTH, "--out", str(out), "--store", str(built_store_path)]) == 0
    assert "0 个项目" in capsys.readouterr().out
    assert "progress import" in _rows(_sheet(out.read_bytes()))[0][1]


def test_dispatch_benchmark_runs_small(dataset):
    """The benchmark's generator and runner (not timed here: speed is measured by ``xxgeo bench``)."""
    from xxgeo.bench_dispatch import months_back, run_dispatch, synthetic_dispatch

    assert months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    ds = synthetic_dispatch(dataset, 12, 14)
    assert len(ds["projects"]) == 12 and ds["progress"]["month"].nunique() == 14
    out = run_dispatch(dataset, 12, 14, repeats=1)
    assert out["month_projects"] == 12 and out["pdf_bytes"] > 0 and set(out["cpu_s"]) >= {"figures_s"}


def test_new_month_benchmark_runs_small(built_store_path):
    """``bench --dispatch``'s save-a-new-month part on a scratch copy (not timed here): both routes run and add
    their rows, and the store itself is not touched."""
    from xxgeo.bench_dispatch import run_new_month
    from xxgeo.store import GpkgStore

    before = GpkgStore(built_store_path).version()
    out = run_new_month(str(built_store_path), 6, 3, repeats=1)
    assert out["progress_rows"] > 0 and out["rows_added"] == 2  # one new month by each route
    assert out["insert_s"] > 0 and out["whole_layer_s"] > 0
    assert GpkgStore(built_store_path).version() == before

def test_dispatch_view_benchmark_runs_small(built_store_path):
    """``bench --dispatch``'s view part drives the 调度 view through every step without an error (not timed)."""
    from xxgeo.bench_dispatch import measure_dispatch_app

    out = measure_dispatch_app(str(built_store_path), 12, 6)
    assert list(out["view_rerun_s"]) == ["first_run", "rerun_unchanged", "filter_township", "filter_light",
                                         "trend_other_project", "clear_filters"]
    assert out["slowest_rerun_s"] == max(v for k, v in out["view_rerun_s"].items() if k != "first_run")
