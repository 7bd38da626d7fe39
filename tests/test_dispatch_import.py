"""Importing the monthly sheets units send in (issue 12): xlsx, xls and csv, header variants, matching by 项目代码,
then 项目编号, then the exact name (unmatched rows listed, never guessed), one transaction with a backup, the
township head held to their own township, bad files and values refused in one sentence; the blank template."""

from __future__ import annotations

import io
import math

import pytest
from dispatchkit import BUREAU, HEAD, OTHER, OWN, guarded, own_projects, snapshot, write_csv, write_xls, write_xlsx

from xxgeo.dispatch.headers import header_field
from xxgeo.dispatch.sheet import RawRows, parse_rows
from xxgeo.dispatch.template import progress_template
from xxgeo.edits import undo_last
from xxgeo.errors import ImportRefused, PermissionDenied, ValidationFailed

CODE = "2101-000000-04-01-000123"
HEADERS = ["序号", "项目代码", "项目编号", "项目名称", "月份", "年度计划投资（万元）", "本月完成投资（万元）",
           "本年累计完成（万元）", "开工累计完成（万元）", "形象进度", "资金到位（万元）", "是否入统", "存在问题",
           "需协调事项"]


def _names(store):
    p = store.read("projects").set_index("project_id")
    return p["name"]


@pytest.mark.parametrize("header, field, factor", [
    ("年度计划投资（万元）", "annual_plan_wan", 1), ("年度计划投资(万元)", "annual_plan_wan", 1),
    ("年度计划投资 （ 万元 ）", "annual_plan_wan", 1), ("年度计划投资万元", "annual_plan_wan", 1),
    ("年度计划投资（亿元）", "annual_plan_wan", 10000), ("2026年计划投资", "annual_plan_wan", 1),
    ("本月完成投资", "month_done_wan", 1), ("3月完成投资（万元）", "month_done_wan", 1),
    ("1-3月累计完成投资", "year_done_wan", 1), ("本年累计完成\n（万元）", "year_done_wan", 1),
    ("自开工累计完成投资（万元）", "total_done_wan", 1), ("Done since start (10k CNY)", "total_done_wan", 1),
    ("Annual plan (10k CNY)", "annual_plan_wan", 1), ("形象进度", "physical_progress", 1),
    ("资金到位情况（万元）", "funds_in_place_wan", 1), ("是否入统", "in_statistics", 1),
    ("存在的问题", "problem", 1), ("需协调解决的问题", "needs", 1), ("项目代码", "project_code", 1),
    ("项目编号", "project_id", 1), ("项目名称", "name", 1), ("Project name", "name", 1), ("序号", None, 1),
])
def test_header_variants(header, field, factor):
    assert header_field(header) == (field, factor)


def test_a_sheet_is_matched_by_code_then_id_then_name(store_copy, tmp_path):
    bureau = guarded(store_copy, BUREAU)
    a, b = own_projects(store_copy)
    c = OTHER
    bureau.update_feature("projects", a, {"project_code": CODE})
    names = _names(store_copy)
    rows = [HEADERS,
            [1, CODE, None, "随便写的名称", "2026-03", 5000, 300, 1200, 8000, "主体完工60%", 900, "是", "征地未完成",
             "协调自然资源局"],
            [2, None, b, None, "2026年3月", "1.2亿元", None, "—", None, None, None, "否", "无", None],
            [3, None, None, names[c], 202603, 800, 50, 150, None, "开工", None, None, None, None],
            [4, None, "XM9999", "不存在的项目", "2026-03", 1, 1, 1, 1, None, None, None, None, None],
            [5, CODE, c, None, "2026-03", 1, 1, 1, 1, None, None, None, None, None],
            ["合计", None, None, "合计", None, 99999, None, None, None, None, None, None, None, None]]
    f = write_xlsx(tmp_path / "3月报表.xlsx", rows, title="2026年3月重点项目推进情况表")
    rep = bureau.import_progress(f)
    assert [(m["project_id"], m["by"]) for m in rep.matched] == [(a, "project_code"), (b, "project_id"), (c, "name")]
    assert [u["row"] for u in rep.unmatched] == ["第6行", "第7行"]  # unknown, and code/id naming two projects
    assert "不同的项目" in rep.unmatched[1]["reason"]
    assert (rep.inserted, rep.updated, rep.problems_added) == (3, 0, 1)
    prog = store_copy.read("progress").set_index("progress_id")
    ra, rb = prog.loc[f"{a}/2026-03"], prog.loc[f"{b}/2026-03"]
    assert (ra["annual_plan_wan"], ra["year_done_wan"], bool(ra["in_statistics"]), ra["state"]) == \
        (5000, 1200, True, "submitted")  # a unit's sheet imported by the bureau is the unit's report
    assert rb["annual_plan_wan"] == 12000 and math.isnan(rb["year_done_wan"]) and math.isnan(rb["month_done_wan"])
    assert bool(rb["in_statistics"]) is False
    probs = store_copy.read("problems")
    assert probs[["project_id", "text", "needs", "status"]].values.tolist() == \
        [[a, "征地未完成", "协调自然资源局", "open"]]
    again = bureau.import_progress(f)  # the same sheet again changes nothing and adds no second problem
    assert (again.inserted, again.updated, again.unchanged, again.problems_added) == (0, 0, 3, 0)
    assert store_copy.validate().ok
    undo_last(bureau, user="li")  # the import is undone from its backup
    assert len(store_copy.read("progress")) == 0 and len(store_copy.read("problems")) == 0


def test_a_township_head_imports_only_their_own(any_store, tmp_path):
    head = guarded(any_store, HEAD)
    names = _names(any_store)
    own = write_csv(tmp_path / "own.csv", [["项目编号", "项目名称", "本年累计完成(万元)"], [OWN, names[OWN], "100"]])
    rep = head.import_progress(own, "2026-03")
    assert rep.inserted == 1 and rep.matched[0]["project_id"] == OWN
    assert any_store.read("progress")["state"].tolist() == ["draft"]  # the township head's own: a draft
    before = snapshot(any_store)
    mixed = write_xlsx(tmp_path / "mixed.xlsx", [["项目编号", "月份", "本年累计完成"], [OWN, "2026-04", 5],
                                                 [OTHER, "2026-04", 7]])
    with pytest.raises(PermissionDenied, match="第3行.*不属于您所在的乡镇.*整张表未导入"):
        head.import_progress(mixed)
    head.transition_progress(OWN, "2026-03", "submit")
    before = snapshot(any_store)
    with pytest.raises(PermissionDenied, match="等待规划局审核"):
        head.import_progress(own, "2026-03")
    assert snapshot(any_store) == before


def test_xls_and_gbk_csv_are_read(store_copy, tmp_path):
    bureau = guarded(store_copy, BUREAU)
    a, b = own_projects(store_copy)
    xls = write_xls(tmp_path / "old.xls", [["项目编号", "月份", "年度计划投资（万元）", "本年累计完成（万元）",
                                           "形象进度"],
                                          [a, "2026-02", 5000.0, 700.0, "基础施工"]])
    rep = bureau.import_progress(xls)
    assert rep.inserted == 1
    csv = write_csv(tmp_path / "gbk.csv", [["项目编号", "年度计划投资", "形象进度"], [b, "300", "完成立项"]],
                    encoding="gbk")
    rep = bureau.import_progress(csv, "2026-02")
    prog = store_copy.read("progress").set_index("progress_id")
    assert prog.loc[f"{b}/2026-02", "physical_progress"] == "完成立项"
    assert prog.loc[f"{a}/2026-02", "physical_progress"] == "基础施工"


@pytest.mark.parametrize("rows, pattern", [
    ([["项目编号", "月份", "本年累计完成"], ["XM0002", "2026-03", "很多"]], "第2行.*不是数字"),
    ([["项目编号", "本年累计完成"], ["XM0002", "5"]], "没有月份"),
    ([["项目编号", "月份", "本年累计完成"], ["XM0002", "2026-15", "5"]], "第2行.*无法识别"),
    ([["项目编号", "月份", "是否入统"], ["XM0002", "2026-03", "也许"]], "第2行.*是.*否"),
    ([["月份", "本年累计完成"], ["2026-03", "5"]], "没有找到"),
    ([["项目编号", "月份", "本年累计完成"], ["XM0002", "2026-03", "5"], ["XM0002", "2026年3月", "6"]], "第2行和第3行"),
])
def test_bad_sheets_are_refused_in_one_sentence(store_copy, tmp_path, rows, pattern):
    before = snapshot(store_copy)
    with pytest.raises((ValidationFailed, ImportRefused), match=pattern) as exc:
        guarded(store_copy, BUREAU).import_progress(write_xlsx(tmp_path / "bad.xlsx", rows))
    assert "\n" not in exc.value.message and exc.value.english
    assert snapshot(store_copy) == before


def test_a_file_that_is_not_a_sheet_is_refused(store_copy, tmp_path):
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(ImportRefused, match="不是可读取的"):
        guarded(store_copy, BUREAU).import_progress(f)


def test_the_month_comes_from_the_title_or_the_file_name():
    rows = [["2026年4月全县重点项目进度"], ["项目编号", "本年累计完成"], ["XM0002", 5]]
    sheet = parse_rows(RawRows("进度.xlsx", "Sheet1", "xlsx", rows))
    assert sheet.rows[0].month == "2026-04" and sheet.rows[0].label == "第3行"
    sheet = parse_rows(RawRows("2026-05 进度.xlsx", "", "xlsx", rows[1:]))
    assert sheet.rows[0].month == "2026-05"
    assert parse_rows(RawRows("x.xlsx", "", "xlsx", rows), "2026-06").rows[0].month == "2026-06"
    assert parse_rows(RawRows("2026年1-3月项目进度.xlsx", "", "xlsx", rows[1:])).rows[0].month == "2026-03"
    with pytest.raises(ValidationFailed, match="没有月份"):  # two months named: none is guessed
        parse_rows(RawRows("2026年3月与2026年4月.xlsx", "", "xlsx", rows[1:]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_imports_as_it_is_filled(store_copy, tmp_path, lang):
    from openpyxl import load_workbook

    p = store_copy.read("projects")
    mine = p[p["township_code"].astype(str) == HEAD.township]
    data = progress_template(lang, mine, "2026-03")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    assert head[0] == ("Project id" if lang == "en" else "项目编号") and ws.max_row == len(mine) + 1
    assert len(wb.worksheets) == 2  # the notes sheet
    col = head.index("Done this year (10k CNY)" if lang == "en" else "本年累计完成（万元）") + 1
    ws.cell(row=2, column=col, value=321)
    f = tmp_path / "filled.xlsx"
    wb.save(f)
    rep = guarded(store_copy, HEAD).import_progress(f)
    assert len(rep.matched) == len(mine) and not rep.unmatched
    assert rep.inserted == 1 and len(rep.blank) == len(mine) - 1  # rows left blank make no empty report
    prog = store_copy.read("progress")
    assert len(prog) == 1 and prog["year_done_wan"].max() == 321
    blank = load_workbook(io.BytesIO(progress_template(lang))).worksheets[0]
    assert blank.max_row == 1
