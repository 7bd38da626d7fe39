"""调度 figures and warning rules: completion rate, 序时进度, gap, every rule edge (−10, −20, missing plan, a report
missing before and after the 5th, the December/January rollover), the rules file, totals and who has not reported."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from dispatchfactory import problems, progress, project, projects, report

from xxgeo.dispatch import figures as F
from xxgeo.dispatch.rules import Rules, load_rules, local_today, next_month, parse_month, parse_rules, report_due
from xxgeo.dispatch.totals import not_reported, overall, totals, township_ranking
from xxgeo.errors import DispatchError, user_message

RULES = Rules()


def figs(rows_p, rows_r, month="2026-06", today="2026-06-20", **kw) -> pd.DataFrame:
    return F.month_figures(projects(*rows_p), progress(*rows_r), month, today=today, rules=kw.pop("rules", RULES),
                           **kw).set_index("project_id")


# ------------------------------------------------------------------------------------------ pure figures
def test_completion_rate_and_why_it_is_empty():
    assert F.completion_rate(400, 1000) == (40.0, None)
    assert F.completion_rate(400, None) == (None, "no_plan")
    assert F.completion_rate(None, 1000) == (None, "no_done")
    assert F.completion_rate(400, 0) == (None, "zero_plan")
    assert F.completion_rate(float("nan"), 1000) == (None, "no_done")


def test_schedule_is_month_over_twelve():
    assert F.schedule_pct("2026-03") == 25.0
    assert F.schedule_pct("2026-12") == 100.0
    assert F.schedule_pct("2027-01") == pytest.approx(100 / 12)
    assert F.gap_points(40.0, 50.0) == -10.0
    assert F.gap_points(None, 50.0) is None


@pytest.mark.parametrize(("done", "light"), [
    (401, "green"),    # 40.1 % − 50 % = −9.9
    (400, "yellow"),   # exactly −10: yellow
    (301, "yellow"),   # −19.9
    (300, "red"),      # exactly −20: red
    (299, "red"),      # −20.1
    (700, "green"),    # ahead of schedule
])
def test_gap_edges(done, light):
    f = figs([project("A")], [report("A", "2026-06", plan=1000, done=done)])
    assert f.loc["A", "schedule_pct"] == 50.0
    assert f.loc["A", "rate_pct"] == pytest.approx(done / 10)
    assert f.loc["A", "gap_pts"] == pytest.approx(done / 10 - 50)
    assert f.loc["A", "light"] == light
    if light != "green":
        assert "进度差" in f.loc["A", "reasons_zh"] and "gap" in f.loc["A", "reasons_en"]


def test_gap_judged_as_shown():
    """−19.96 is shown −20.0 and is red; float noise (0.4 × 100 = 40.000000000000007) is not a different light."""
    assert F.light_for_gap(-19.96) == "red"
    assert F.light_for_gap(-19.94) == "yellow"
    assert F.light_for_gap(0.4 * 100 - 50) == "yellow"
    assert F.light_for_gap(None) == ""


def test_missing_or_zero_plan_gives_no_rate_and_says_so():
    f = figs([project("A"), project("B"), project("C")],
             [report("A", "2026-06", plan=None, done=500), report("B", "2026-06", plan=0, done=10),
              report("C", "2026-06", plan=1000, done=None)])
    assert f["rate_pct"].isna().all() and f["gap_pts"].isna().all()
    assert list(f["rate_why"]) == ["no_plan", "zero_plan", "no_done"]
    assert list(f["light"]) == ["", "", ""]  # not rated: nothing says the project is on schedule
    assert "年度计划投资未填报" in f.loc["A", "reasons_zh"] and "annual plan" in f.loc["A", "reasons_en"]
    assert "为 0" in f.loc["B", "reasons_zh"]
    assert "本年累计" in f.loc["C", "reasons_zh"]


@pytest.mark.parametrize(("today", "overdue"), [("2026-07-04", False), ("2026-07-05", False),
                                                ("2026-07-06", True), ("2026-08-01", True)])
def test_missing_report_is_red_only_after_the_fifth_of_next_month(today, overdue):
    f = figs([project("A")], [], today=today)
    assert not f.loc["A", "reported"]
    assert f.loc["A", "overdue"] == overdue
    assert f.loc["A", "light"] == ("red" if overdue else "")
    assert ("逾期未报" if overdue else "尚未报送") in f.loc["A", "reasons_zh"]
    assert "2026-07-05" in f.loc["A", "reasons_en"]


def test_today_is_asia_shanghai():
    """23:30 UTC on 5 July is already 6 July in Shanghai: the June report is overdue."""
    late = dt.datetime(2026, 7, 5, 23, 30, tzinfo=dt.UTC)
    assert local_today(RULES, late) == dt.date(2026, 7, 6)
    f = F.month_figures(projects(project("A")), progress(), "2026-06", today=late, rules=RULES)
    assert bool(f["overdue"].iloc[0])


def test_december_january_rollover():
    assert next_month("2026-12") == "2027-01"
    assert report_due("2026-12") == dt.date(2027, 1, 5)
    dec = figs([project("A", key_level=None)], [report("A", "2026-12", plan=1000, done=950)], month="2026-12",
               today="2027-01-06")
    assert dec.loc["A", "schedule_pct"] == 100.0 and dec.loc["A", "gap_pts"] == pytest.approx(-5.0)
    assert dec.loc["A", "light"] == "green"
    # January of the next year: December's year-to-date does not carry over; a project in the dispatch only by
    # last year's rows is not in this year's
    jan = F.month_figures(projects(project("A", key_level=None), project("K")),
                          progress(report("A", "2026-12", plan=1000, done=950)), "2027-01", today="2027-02-06",
                          rules=RULES)
    assert list(jan["project_id"]) == ["K"]
    assert jan["schedule_pct"].iloc[0] == pytest.approx(100 / 12)
    assert bool(jan["overdue"].iloc[0]) and jan["reasons_zh"].iloc[0].startswith("2027-01 月报逾期未报")
    assert report_due("2027-01") == dt.date(2027, 2, 5)
    still = figs([project("K")], [], month="2026-12", today="2027-01-05")
    assert not still.loc["K", "overdue"]


def test_planned_start_passed_but_not_started():
    rows = [project("A", stage="前期", planned_start="2026-05-10"),  # passed, still 前期: red
            project("B", stage="新开工", planned_start="2026-05-10"),  # started: not this rule
            project("C", stage="储备", planned_start="2026-07-01"),  # after the month: not yet
            project("D", stage="签约", planned_start="2026-06-25"),  # in the month, but today is the 20th
            project("E", stage="签约", planned_start="2026-06")]  # a month only: its first day
    reps = [report(p, "2026-06", plan=1000, done=600) for p in "ABCDE"]
    f = figs(rows, reps, today="2026-06-20")
    assert f["light"].to_dict() == {"A": "red", "B": "green", "C": "green", "D": "green", "E": "red"}
    assert "计划开工未开工" in f.loc["A", "reasons_zh"] and "前期" in f.loc["A", "reasons_zh"]
    assert "planned start passed" in f.loc["A", "reasons_en"] and "preparatory" in f.loc["A", "reasons_en"]
    later = figs(rows, reps, today="2026-07-02")
    assert later.loc["D", "light"] == "red"  # by the end of June it had passed


def test_several_reasons_are_all_given():
    f = figs([project("A", stage="储备", planned_start="2026-01-01")],
             [report("A", "2026-06", plan=1000, done=100)])
    assert f.loc["A", "light"] == "red"
    assert "进度差 -40.0" in f.loc["A", "reasons_zh"] and "计划开工未开工" in f.loc["A", "reasons_zh"]


def test_draft_and_returned_are_not_reported_blank_state_is():
    f = figs([project("A"), project("B"), project("C"), project("D")],
             [report("A", "2026-06", 1000, 600, state="draft"), report("B", "2026-06", 1000, 600, state="returned"),
              report("C", "2026-06", 1000, 600, state=None), report("D", "2026-06", 1000, 600, state="submitted")],
             today="2026-07-10")
    assert f["reported"].to_dict() == {"A": False, "B": False, "C": True, "D": True}
    assert f.loc["A", "light"] == "red" and math.isnan(f.loc["A", "rate_pct"])
    assert f.loc["C", "rate_pct"] == 60.0


def test_scope_key_level_or_rows_this_year():
    f = figs([project("A"), project("B", key_level=None), project("C", key_level=None)],
             [report("B", "2026-02", 1000, 100)])
    assert set(f.index) == {"A", "B"}
    assert not f.loc["B", "reported"]  # reported in February, not (yet) in June


def test_open_problems_at_the_month():
    p = problems({"project_id": "A", "raised_month": "2026-05", "text": "征地未完成", "needs": "自然资源局协调",
                  "status": "open"},
                 {"project_id": "A", "raised_month": "2026-05", "text": "已解决的", "status": "resolved",
                  "resolved_at": "2026-06-10"},
                 {"project_id": "A", "raised_month": "2026-04", "text": "七月才解决", "status": "resolved",
                  "resolved_at": "2026-07-03T09:00:00+08:00"},
                 {"project_id": "A", "raised_month": "2026-07", "text": "以后才提出", "status": "open"})
    f = figs([project("A")], [report("A", "2026-06", 1000, 600)], problems=p)
    assert f.loc["A", "problems"] == "征地未完成（需协调：自然资源局协调）；七月才解决"


# ------------------------------------------------------------------------------------------ rules file
def test_rules_file_of_the_county_profile_holds_the_defaults():
    r = load_rules()
    assert r == Rules() and r.source.endswith("dispatch_rules.toml")


def test_rules_file_changes_the_lines(tmp_path):
    p = tmp_path / "r.toml"
    p.write_text("[gap]\nred_at_or_below = -30\nyellow_at_or_below = -15\n[report]\ndue_day = 10\n", encoding="utf-8")
    r = load_rules(p)
    assert (r.red_gap, r.yellow_gap, r.due_day) == (-30, -15, 10)
    f = figs([project("A")], [report("A", "2026-06", 1000, 300)], rules=r)
    assert f.loc["A", "light"] == "yellow"  # −20 is only yellow under these lines
    assert report_due("2026-06", r) == dt.date(2026, 7, 10)


@pytest.mark.parametrize(("text", "zh"), [("[gap]\nred_at_or_below = \"x\"\n", "应为数字"),
                                          ("[gap]\nred_at_or_below = -5\n", "高于黄灯线"),
                                          ("[report]\ndue_day = 40\n", "1–28"),
                                          ("[report]\ntimezone = \"Mars/Base\"\n", "时区"),
                                          ("[gap\n", "格式有误")])
def test_bad_rules_file_is_one_sentence(tmp_path, text, zh):
    p = tmp_path / "r.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DispatchError) as e:
        load_rules(p)
    assert zh in user_message(e.value, "zh") and "rules file" in user_message(e.value, "en")
    with pytest.raises(DispatchError):
        load_rules(tmp_path / "missing.toml")


def test_parse_rules_keeps_defaults_for_missing_keys():
    assert parse_rules({}) == Rules()


@pytest.mark.parametrize(("text", "month"), [("2026-03", "2026-03"), ("2026-3", "2026-03"), ("2026/12", "2026-12"),
                                             ("2026年3月", "2026-03"), (" 2026-03 ", "2026-03")])
def test_parse_month(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-03", "三月", "", None])
def test_bad_month_is_one_sentence(text):
    with pytest.raises(DispatchError) as e:
        parse_month(text)
    assert "YYYY-MM" in user_message(e.value, "zh") and "YYYY-MM" in user_message(e.value, "en")


# ------------------------------------------------------------------------------------------ totals
def _town_fig():
    rows = [project("A", township_code="140828100", category="工业", lead_official="张三"),
            project("B", township_code="140828100", category="农业", lead_official="张三"),
            project("C", township_code="140828101", category="工业", lead_official="李四"),
            project("D", township_code="140828101", category="工业", lead_official=None),
            project("E", township_code=None, category="交通", lead_official="李四")]
    reps = [report("A", "2026-06", 1000, 600, month_done=100), report("B", "2026-06", None, 200, month_done=None),
            report("C", "2026-06", 2000, 800, month_done=50), report("E", "2026-06", 500, 100)]
    towns = pd.DataFrame({"code": ["140828100", "140828101"], "name": ["甲镇", "乙乡"]})
    return figs(rows, reps, townships=towns, today="2026-07-06").reset_index()


def test_totals_by_township_sum_only_what_was_reported():
    t = totals(_town_fig(), "township").set_index("key")
    a = t.loc["140828100"]
    assert (a["label"], a["projects"], a["reported"]) == ("甲镇", 2, 2)
    assert a["annual_plan_wan"] == 1000 and a["year_done_wan"] == 800 and a["month_done_wan"] == 100
    assert a["rated"] == 1 and a["rate_pct"] == 60.0  # B has no plan: it does not inflate the rate
    b = t.loc["140828101"]
    assert (b["reported"], b["not_reported"], b["overdue"], b["red"]) == (1, 1, 1, 1)
    assert b["rate_pct"] == 40.0
    assert t.loc["", "label"] == "全县/未注明"


def test_sum_over_nothing_reported_is_empty_not_zero():
    f = figs([project("A"), project("B")], [report("A", "2026-06", 1000, 600)])
    t = totals(f.reset_index(), "category").iloc[0]
    assert math.isnan(t["month_done_wan"]) and math.isnan(t["funds_in_place_wan"])
    assert t["annual_plan_wan"] == 1000
    none = figs([project("A")], [])
    o = overall(none.reset_index())
    assert math.isnan(o["annual_plan_wan"]) and math.isnan(o["rate_pct"]) and o["not_reported"] == 1


def test_totals_by_every_grouping():
    f = _town_fig()
    assert set(totals(f, "category")["label"]) == {"工业", "农业", "交通"}
    lead = totals(f, "lead_official").set_index("label")
    assert lead.loc["张三", "projects"] == 2 and lead.loc["未注明", "projects"] == 1
    assert totals(f, "key_level")["projects"].sum() == 5
    assert totals(f, "responsible_unit")["label"].tolist() == ["未注明"]


def test_township_ranking_best_first_ties_share_a_rank():
    r = township_ranking(_town_fig())
    assert r["label"].tolist() == ["甲镇", "乙乡"] and r["rank"].tolist() == [1, 2]
    assert r["gap_pts"].tolist() == pytest.approx([10.0, -10.0])
    rows = [project(p, township_code=c) for p, c in (("A", "140828100"), ("B", "140828101"), ("C", "140828102"))]
    tie = figs(rows, [report("A", "2026-06", 100, 50), report("B", "2026-06", 200, 100)]).reset_index()
    rk = township_ranking(tie)
    assert rk["rank"].tolist()[:2] == [1, 1] and pd.isna(rk["rank"].iloc[2])


def test_overall_and_not_reported():
    f = _town_fig()
    o = overall(f)
    assert o["projects"] == 5 and o["reported"] == 4
    assert o["rate_pct"] == pytest.approx((600 + 800 + 100) * 100 / (1000 + 2000 + 500))
    assert o["gap_pts"] == pytest.approx(o["rate_pct"] - 50)
    nr = not_reported(f)
    assert nr["project_id"].tolist() == ["D"] and bool(nr["overdue"].iloc[0])
