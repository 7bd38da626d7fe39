"""The monthly bulletin made from a store's own reports, on GeoPackage and on PostGIS (issue 12's Done-when): the
numbers are entered as the cycle enters them (township heads save and submit, the bureau approves), the store is
loaded, and the Excel cells (完成率, 序时进度, 进度差, 预警, the totals row, the township ranking) equal a hand
computation from the same numbers. tests/test_bulletin.py checks the same figures on made frames."""

from __future__ import annotations

import io

import openpyxl
import pytest
from dispatchkit import BUREAU, PEIJIE, guarded

from xxgeo.policy import Actor
from xxgeo.reports.bulletin_xlsx import bulletin_xlsx

MONTH, TODAY = "2026-06", "2026-07-10"  # June: 序时进度 6 / 12 = 50 %; 10 July is past the due day (5 July)
SECOND = "140828100"  # the township of XM0035


def _two(store, town: str) -> list[str]:
    p = store.read("projects")
    return sorted(p.loc[p["township_code"].astype(str) == town, "project_id"].astype(str))[:2]


def _enter(store) -> dict:
    """The month as the cycle enters it; returns the project ids by letter."""
    a, b = _two(store, PEIJIE)
    c, d = _two(store, SECOND)
    heads = {PEIJIE: guarded(store, Actor("zhang", "township", PEIJIE)),
             SECOND: guarded(store, Actor("wang", "township", SECOND))}
    bureau = guarded(store, BUREAU)
    # (project, township, month, plan, this month, this year, what the bureau does)
    for pid, town, month, plan, mon, year, review in (
            (a, PEIJIE, MONTH, 1000, 100, 400, "approve"), (b, PEIJIE, MONTH, 2000, 300, 1500, None),
            (c, SECOND, MONTH, 500, 50, 100, "approve"), (d, SECOND, "2026-05", 800, 60, 300, "approve")):
        head = heads[town]
        head.save_progress(pid, month, {"annual_plan_wan": plan, "month_done_wan": mon, "year_done_wan": year})
        head.transition_progress(pid, month, "submit")
        if review:
            bureau.transition_progress(pid, month, review)
    return {"A": a, "B": b, "C": c, "D": d}


def _rows(ws, first: int = 4) -> list:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def test_the_bulletin_of_a_store_equals_the_hand_computation(any_store):
    ids = _enter(any_store)
    ds = any_store.load()
    names = dict(zip(ds["townships"]["code"].astype(str), ds["townships"]["name"]))
    wb = openpyxl.load_workbook(io.BytesIO(bulletin_xlsx(ds, MONTH, today=TODAY)))
    body = {r[1]: r for r in _rows(wb.worksheets[0]) if r[0] is not None}
    name = dict(zip(ds["projects"]["project_id"].astype(str), ds["projects"]["name"]))
    # in the 调度: the four projects with a report this year (D only in May), nothing else
    assert sorted(body) == sorted(name[p] for p in ids.values())
    # by hand: rate = 本年累计 / 年度计划; gap = rate − 50; B submitted (awaiting review) counts as reported
    want = {"A": (PEIJIE, 1000, 100, 400, 40.0, -10.0, "黄"), "B": (PEIJIE, 2000, 300, 1500, 75.0, 25.0, "绿"),
            "C": (SECOND, 500, 50, 100, 20.0, -30.0, "红"), "D": (SECOND, None, None, None, None, None, "红")}
    for key, (town, plan, mon, year, rate, gap, light) in want.items():
        got = body[name[ids[key]]]
        assert (got[2], got[5], got[6], got[7], got[11]) == (names[town], plan, mon, year, light), key
        assert got[8] == (None if rate is None else pytest.approx(rate)), key
        assert got[9] == 50, key
        assert got[10] == (None if gap is None else pytest.approx(gap)), key
    assert "逾期未报" in body[name[ids["D"]]][14]  # June not reported by 5 July
    total = [r for r in _rows(wb.worksheets[0]) if r[1] == "合计"][0]
    assert (total[5], total[6], total[7]) == (3500, 450, 2000)  # Σ of what was reported
    assert total[8] == pytest.approx(2000 * 100 / 3500) and total[10] == pytest.approx(2000 * 100 / 3500 - 50)
    rank = _rows(wb.worksheets[1])
    # 名次, 乡镇, 项目数, 已报, 未报, 逾期, 计划, 本月, 本年, 有完成率, 完成率, 进度差, 红, 黄, 绿, 未评定
    assert [r[1] for r in rank] == [names[PEIJIE], names[SECOND]]  # 63.3 % before 20 %
    assert rank[0][:10] == [1, names[PEIJIE], 2, 2, 0, 0, 3000, 400, 1900, 2]
    assert rank[0][10] == pytest.approx(1900 * 100 / 3000) and rank[0][11] == pytest.approx(1900 * 100 / 3000 - 50)
    assert rank[0][12:16] == [0, 1, 1, 0]
    assert rank[1][:10] == [2, names[SECOND], 2, 1, 1, 1, 500, 50, 100, 1]
    assert rank[1][10] == pytest.approx(20.0) and rank[1][12:16] == [2, 0, 0, 0]
    missing = _rows(wb.worksheets[3])
    assert [r[1] for r in missing] == [name[ids["D"]]] and missing[0][5] == "逾期未报"
