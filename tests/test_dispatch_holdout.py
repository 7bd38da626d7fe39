"""Hold-out monthly sheets (issue 12): sheets made by tests/sheetfactory.py from seeds, in the variants units
really send (title rows, two-row merged headers, brackets and units, 序号, 合计 and section rows, numbers as text,
the month as a date, 2026年3月, 2026.03 or 3月, 是否入统 spelt many ways, .xls and .xlsx, the data sheet not
first, codes with spaces or full-width digits). Each imports to exactly what it says, unmatched rows listed and
never guessed; the sheets that cannot be read are refused in one sentence and leave the store as it was."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from dispatchkit import BUREAU, guarded, own_projects, snapshot, write_xlsx
from sheetfactory import variant, write

from xxgeo.cli import main
from xxgeo.errors import ImportRefused, ValidationFailed

M = "2026-03"
SEEDS = range(40)


def _with_codes(store, n: int = 4) -> list[dict]:
    """``n`` projects of 裴介镇 with distinct names, each given a 项目代码 (the store's own, set by the bureau)."""
    bureau = guarded(store, BUREAU)
    p = store.read("projects").set_index("project_id")
    names = p["name"].value_counts()
    chosen = [pid for pid in own_projects(store, 12) if names[p.loc[pid, "name"]] == 1][:n]
    out = []
    for k, pid in enumerate(chosen):
        code = f"2102-140828-04-01-{k + 100:06d}"
        bureau.update_feature("projects", pid, {"project_code": code})
        out.append({"project_id": pid, "project_code": code, "name": p.loc[pid, "name"]})
    return out


@pytest.fixture
def coded(store_copy):
    return store_copy, _with_codes(store_copy)


def _check(store, sheet, rep) -> None:
    prog = store.read("progress").set_index("progress_id")
    assert sorted(prog["project_id"]) == sorted(sheet.expected), sheet.description  # no 合计 or guess stored
    for pid, want in sheet.expected.items():
        row = prog.loc[f"{pid}/{M}"]
        for f in ("annual_plan_wan", "month_done_wan", "year_done_wan", "total_done_wan", "physical_progress",
                  "in_statistics"):
            got = row[f]
            if f not in want:
                assert pd.isna(got), (pid, f, got, sheet.description)
            elif f == "in_statistics":
                assert bool(got) is want[f], (pid, f, got, sheet.description)
            elif f == "physical_progress":
                assert got == want[f], (pid, f, got, sheet.description)
            else:
                assert got == pytest.approx(want[f]), (pid, f, got, want[f], sheet.description)
    assert [int(u["row"].strip("第行")) for u in rep.unmatched] == sheet.unmatched, (rep.unmatched, sheet.description)
    assert {m["project_id"] for m in rep.matched} >= set(sheet.expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_hold_out_sheet_imports_as_it_reads(coded, tmp_path, seed):
    store, projects = coded
    sheet = variant(seed, projects, M)
    path = write(sheet, tmp_path)
    rep = guarded(store, BUREAU).import_progress(path, sheet.month_arg)
    _check(store, sheet, rep)
    assert store.validate().ok


def test_hold_out_sheets_on_postgis(pg_store, tmp_path):
    projects = _with_codes(pg_store)
    for seed in (3, 11, 26):  # an .xls, a two-row header, an .xlsx with its data sheet not first
        sheet = variant(seed, projects, M)
        pg_store.write_layers({"progress": pg_store.read("progress").iloc[0:0]}, user="t", action="reset",
                              audit=False)
        rep = guarded(pg_store, BUREAU).import_progress(write(sheet, tmp_path, f"s{seed}"), sheet.month_arg)
        _check(pg_store, sheet, rep)


def test_the_generator_makes_the_variants_it_promises():
    """The seeds cover every variant (so a hold-out kind is not silently missing from the run)."""
    projects = [{"project_id": f"X{k}", "project_code": f"2102-140828-04-01-{k:06d}", "name": f"项目{k}"}
                for k in range(4)]
    seen = set()
    for seed in SEEDS:
        s = variant(seed, projects, M)
        seen |= set(s.description)
        data = s.sheets[s.data_sheet]
        text = " ".join(str(c) for r in data for c in r if c is not None)
        seen |= {k for k, w in (("merged", s.merges), ("totals", "合计" in text or "总计" in text),
                                ("full-width", "２１０２" in text),
                                ("not-first", list(s.sheets)[0] != s.data_sheet)) if w}
    for want in ("fmt=xls", "fmt=xlsx", "fmt=csv", "keys_below", "two_rows=True", "two_rows=False", "yi=True",
                 "no=True", "month=date", "month=cn", "month=dot", "month=short", "month=none", "titles=2",
                 "units_row", "merged", "totals", "full-width", "not-first"):
        assert want in seen, want


def _bytes(store) -> str:
    """The GeoPackage file's digest (with its -wal, if any)."""
    files = [store.path, store.path.with_name(store.path.name + "-wal")]
    return "".join(hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.exists())


def _refused(store, path, month=None, pattern=""):
    before, version, digest = snapshot(store), store.version(), _bytes(store)
    with pytest.raises((ImportRefused, ValidationFailed), match=pattern) as exc:
        guarded(store, BUREAU).import_progress(path, month)
    assert "\n" not in exc.value.message and exc.value.english and "\n" not in exc.value.english
    assert snapshot(store) == before and store.version() == version and _bytes(store) == digest
    return exc.value


def test_several_sheets_alike_are_refused_naming_them_unless_the_month_picks_one(coded, tmp_path):
    from openpyxl import Workbook

    store, projects = coded
    wb = Workbook()
    wb.remove(wb.active)
    for name, done in (("2月", 100), ("3月", 200)):
        ws = wb.create_sheet(name)
        ws.append(["项目代码", "本年累计完成（万元）"])
        ws.append([projects[0]["project_code"], done])
    path = tmp_path / "两个月.xlsx"
    wb.save(path)
    err = _refused(store, path, pattern="“2月”、“3月”")
    assert "2月" in err.english and "3月" in err.english
    rep = guarded(store, BUREAU).import_progress(path, M)  # --month 2026-03 names the sheet 3月
    assert rep.inserted == 1 and any("3月" in zh for zh, _ in rep.notes)
    assert store.read("progress")["year_done_wan"].tolist() == [200]


def test_a_workbook_without_key_columns_names_its_sheets(coded, tmp_path):
    from openpyxl import Workbook

    store, _ = coded
    wb = Workbook()
    wb.active.title = "汇总"
    wb.active.append(["乡镇", "本年累计完成"])
    wb.create_sheet("统计").append(["单位", "个数"])
    path = tmp_path / "汇总.xlsx"
    wb.save(path)
    err = _refused(store, path, pattern="“汇总”、“统计”.*都没有")
    assert "汇总, 统计" in err.english


@pytest.mark.parametrize("month_cell, month, pattern", [
    ("3月", None, "第3行.*没有年份"),  # 3月 with neither --month nor a title naming the year
    (2026.1, None, "第3行.*1 月也可能是 10 月"),  # 2026.10 typed into Excel
    ("2026年13月", None, "第3行.*无法识别"),
])
def test_a_month_that_cannot_be_read_is_refused(coded, tmp_path, month_cell, month, pattern):
    store, projects = coded
    rows = [["项目代码", "月份", "本年累计完成"], [projects[0]["project_code"], month_cell, 5]]
    _refused(store, write_xlsx(tmp_path / "bad.xlsx", rows, title="重点项目进展情况统计表"), month, pattern)


def test_a_totals_word_in_a_value_column_does_not_drop_a_project(coded, tmp_path):
    store, projects = coded
    rows = [["序号", "项目名称", "形象进度", "本年累计完成"], [1, projects[0]["name"], "合计完成主体60%", 5],
            ["合计", None, None, 5]]
    rep = guarded(store, BUREAU).import_progress(write_xlsx(tmp_path / "t.xlsx", rows), M)
    assert [m["project_id"] for m in rep.matched] == [projects[0]["project_id"]] and not rep.unmatched


def test_a_units_row_under_the_header_gives_the_unit(coded, tmp_path):
    store, projects = coded
    rows = [["项目代码", "年度计划投资", "本年累计完成"], [None, "（亿元）", "（万元）"],
            [projects[0]["project_code"], 0.5, 1200]]
    rep = guarded(store, BUREAU).import_progress(write_xlsx(tmp_path / "units.xlsx", rows), M)
    assert rep.inserted == 1 and not rep.unmatched
    row = store.read("progress").iloc[0]
    assert (row["annual_plan_wan"], row["year_done_wan"]) == (5000, 1200)


def test_a_short_month_takes_the_year_of_the_title(coded, tmp_path):
    store, projects = coded
    rows = [["项目代码", "月份", "本年累计完成"], [projects[0]["project_code"], "2月", 5],
            [projects[1]["project_code"], 3, 6]]
    path = write_xlsx(tmp_path / "短月份.xlsx", rows, title="夏县2026年3月重点项目进展情况统计表")
    rep = guarded(store, BUREAU).import_progress(path)
    assert sorted(m["month"] for m in rep.matched) == ["2026-02", "2026-03"]


def test_a_name_differing_only_in_brackets_and_spaces_matches_and_a_near_name_does_not(coded, tmp_path):
    store, projects = coded
    bureau = guarded(store, BUREAU)
    pid = projects[0]["project_id"]
    bureau.update_feature("projects", pid, {"name": "夏县（裴介）物流园 项目"})
    rows = [["项目名称", "本年累计完成"], ["夏县(裴介)物流园项目", 5], ["夏县裴介物流园项目", 6]]
    rep = bureau.import_progress(write_xlsx(tmp_path / "names.xlsx", rows), M)
    assert [m["project_id"] for m in rep.matched] == [pid]
    assert [u["row"] for u in rep.unmatched] == ["第3行"]  # without the brackets: another name, not guessed


def test_the_command_line_imports_a_hold_out_sheet_and_refuses_a_bad_one(coded, tmp_path, capsys):
    store, projects = coded
    sheet = variant(7, projects, M)
    args = ["progress", "import", str(write(sheet, tmp_path)), "--store", str(store.path)]
    assert main(args + (["--month", sheet.month_arg] if sheet.month_arg else [])) == 0
    out = capsys.readouterr().out
    assert "已导入" in out or "导入" in out
    assert sorted(store.read("progress")["project_id"]) == sorted(sheet.expected)
    before = snapshot(store)
    bad = write_xlsx(tmp_path / "bad.xlsx", [["项目代码", "月份", "本年累计完成"],
                                             [projects[0]["project_code"], "3月", 5]])
    code = main(["progress", "import", str(bad), "--store", str(store.path)])
    err = capsys.readouterr().err
    assert code != 0 and "没有年份" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert snapshot(store) == before
