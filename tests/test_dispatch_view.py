"""AppTest: the 调度 view (``?view=dispatch``, issue 12 item 4): how to begin on an empty store; with reports the
lights, the filters, who has not reported, the bureau's approve / return and a problem closed out; a township
head sees their own township only."""

from __future__ import annotations

import pandas as pd
import pytest
from dispatchkit import BUREAU, HEAD, OTHER, PEIJIE
from kit import app_test

from xxgeo.policy import GuardedStore
from xxgeo.store import GpkgStore
from xxgeo.views.dispatch_work import changed_values

MONTH = "2026-03"


@pytest.fixture
def store(store_copy, monkeypatch) -> GpkgStore:
    monkeypatch.setenv("XXGEO_STORE", str(store_copy.path))
    return store_copy


def _own(store, n=2) -> list[str]:
    p = store.read("projects")
    return p.loc[p["township_code"].astype(str) == PEIJIE, "project_id"].astype(str).tolist()[:n]


@pytest.fixture
def reported(store):
    """Two 裴介镇 projects reported in March (one on schedule, one far behind, both submitted) and a project of
    another township reported late as a draft; one open problem."""
    a, b = _own(store)
    head, bureau = GuardedStore(store, HEAD), GuardedStore(store, BUREAU)
    head.save_progress(a, MONTH, {"annual_plan_wan": 1200, "year_done_wan": 300})
    head.save_progress(b, MONTH, {"annual_plan_wan": 1000, "year_done_wan": 20})
    head.transition_progress(a, MONTH, "submit")
    head.transition_progress(b, MONTH, "submit")
    bureau.save_progress(OTHER, MONTH, {"annual_plan_wan": 500})
    qid = head.add_problem(a, MONTH, "征地未完成", needs="县自然资源局协调")
    return a, b, qid


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def _frames(at) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def _as_editor(monkeypatch):
    monkeypatch.setenv("XXGEO_USER", "li")


def test_empty_store_says_how_to_begin(store, monkeypatch):
    _as_editor(monkeypatch)
    at = app_test(view="dispatch", month=MONTH)
    text = _texts(at)
    assert "还没有任何月度进度" in text and "python -m xxgeo progress import" in text
    assert any(b.label == "空白填报模板（Excel）" for b in at.get("download_button"))
    at = app_test(view="dispatch", month=MONTH, lang="en")
    assert "No monthly progress yet" in _texts(at)


def test_lights_filters_and_not_reported(store, reported, monkeypatch):
    _as_editor(monkeypatch)
    a, b, _ = reported
    at = app_test(view="dispatch", month=MONTH)
    table = _frames(at)[0].set_index("项目编号")
    assert table.loc[a, "预警"] == "● 绿" and table.loc[a, "完成率（%）"] == "25.0"
    assert table.loc[b, "预警"] == "● 红" and table.loc[b, "进度差（百分点）"] == "-23.0"
    assert table.loc[a, "序时进度（%）"] == "25.0"
    shown = table.astype(str).to_numpy().ravel().tolist()
    assert "None" not in shown and "nan" not in shown  # an empty figure reads 未注明, never Streamlit's None
    assert table.loc[OTHER, "预警"] == "● 红"  # a draft is not reported, and March's report is overdue
    missing = _frames(at)[1]
    assert missing["项目编号"].tolist() == [OTHER] and missing["填报状态"].tolist() == ["草稿"]
    at.sidebar.multiselect(key="dp_f_light").select("red").run()
    assert set(_frames(at)[0]["项目编号"]) == {b, OTHER}
    at.sidebar.multiselect(key="dp_f_light").unselect("red").run()
    at.sidebar.multiselect(key="dp_f_township").select("裴介镇").run()
    assert set(_frames(at)[0]["项目编号"]) == {a, b}


def test_the_bureau_approves_returns_and_resolves(store, reported, monkeypatch):
    _as_editor(monkeypatch)
    a, b, qid = reported
    at = app_test(view="dispatch", month=MONTH)
    at.selectbox(key="dp_review_pick").select(a)
    at.button(key="dp_approve").click().run()
    assert "现为“已通过”" in _texts(at)
    at.selectbox(key="dp_review_pick").select(b)
    at.button(key="dp_return").click().run()
    assert "退回时请写明原因" in _texts(at)
    at.text_input(key="dp_review_comment").input("本年累计与上月不符")
    at.button(key="dp_return").click().run()
    prog = store.read("progress").set_index("progress_id")
    assert prog.loc[f"{a}/{MONTH}", "state"] == "approved"
    assert prog.loc[f"{b}/{MONTH}", "state"] == "returned"
    assert prog.loc[f"{b}/{MONTH}", "review_comment"] == "本年累计与上月不符"
    at.selectbox(key="dp_resolve_pick").select(qid)
    at.text_input(key="dp_resolution").input("已完成征地")
    at.button[[bt.label for bt in at.button].index("办结")].click().run()
    assert not at.exception
    pr = store.read("problems").set_index("problem_id")
    assert pr.loc[qid, "status"] == "resolved" and pr.loc[qid, "resolution"] == "已完成征地"
    assert "没有未办结的问题" in _texts(at)


@pytest.fixture
def head(store):
    """zhang, 裴介镇's township head."""
    from xxgeo.accounts import Accounts

    Accounts(store).add("zhang", "township", password="correct horse 9", township="裴介")


def _as_head(store, lang: str = "zh"):
    """The dispatch page of March as zhang, 裴介镇's township head (fixture ``head``), signed in through the
    sidebar."""
    at = app_test(view="dispatch", month=MONTH, lang=lang)
    at.sidebar.text_input(key="signin_name").input("zhang")
    at.sidebar.text_input(key="signin_password").input("correct horse 9")
    next(bt for bt in at.sidebar.button if bt.label in ("登录", "Sign in")).click()
    at.run()
    at.sidebar.radio[0].set_value(at.sidebar.radio[0].options[-1]).run()  # the public's page was the investor view
    at.query_params["month"] = MONTH
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_township_head_sees_their_own_township(store, reported, head):
    a, b, _ = reported
    at = _as_head(store)
    assert set(_frames(at)[0]["项目编号"]) == {a, b}
    assert "审核" not in [tb.label for tb in at.tabs]
    assert "只显示 裴介镇 的项目" in _texts(at)


def test_changed_values_reads_only_the_edited_cells():
    before = pd.DataFrame({"project_id": ["A", "B"], "annual_plan_wan": [100.0, None], "month_done_wan": [None, None],
                           "year_done_wan": [None, 5.0], "total_done_wan": [None, None],
                           "funds_in_place_wan": [None, None], "physical_progress": [None, "基础"],
                           "note": [None, None]})
    after = before.copy()
    after.loc[0, "year_done_wan"] = 30.0
    after.loc[1, "physical_progress"] = None
    assert changed_values(before, after) == {"A": {"year_done_wan": 30.0}, "B": {"physical_progress": None}}
    assert changed_values(before, before.copy()) == {}


def test_empty_cells_of_the_month_table_read_not_stated_and_save_empty(store, reported, monkeypatch):
    """The editable table shows an empty number as 未注明 / not stated (its placeholder), not Streamlit's grey
    "None" and not 0; a cell emptied by the user is saved as empty."""
    _as_editor(monkeypatch)
    a, _, _ = reported
    for lang, word in (("zh", "未注明"), ("en", "not stated")):
        at = app_test(view="dispatch", month=MONTH, lang=lang)
        editor = next(d for d in at.dataframe if d.proto.editing_mode)
        assert editor.proto.placeholder == word
        row = editor.value.set_index("project_id").loc[a]
        assert pd.isna(row["month_done_wan"]) and row["annual_plan_wan"] == 1200.0  # empty stays empty, not 0
    before = pd.DataFrame([row.rename(None)]).assign(project_id=a).reset_index(drop=True)
    after = before.copy()
    after.loc[0, "annual_plan_wan"] = float("nan")  # what the editor returns for a cleared number
    values = changed_values(before, after)
    assert values == {a: {"annual_plan_wan": None}}
    GuardedStore(store, BUREAU).save_progress(a, MONTH, values[a])
    prog = store.read("progress")
    assert pd.isna(prog.loc[prog["progress_id"] == f"{a}/{MONTH}", "annual_plan_wan"].iloc[0])


def test_the_message_of_a_write_outlasts_a_rerun_until_the_next_write(store, reported, monkeypatch):
    """"现为“已通过”" stays on the page through a rerun of its own (a table settling, a click elsewhere), and gives
    way to the next write's message."""
    _as_editor(monkeypatch)
    a, b, _qid = reported
    at = app_test(view="dispatch", month=MONTH)
    at.selectbox(key="dp_review_pick").select(a)
    at.button(key="dp_approve").click().run()
    assert "现为“已通过”" in _texts(at)
    at.run()  # a rerun nobody asked for a message in
    assert "现为“已通过”" in _texts(at)
    at.selectbox(key="dp_review_pick").select(b)
    at.text_input(key="dp_review_comment").input("本年累计与上月不符")
    at.button(key="dp_return").click().run()
    assert "现为“已退回”" in _texts(at) and "现为“已通过”" not in _texts(at)


def test_a_project_without_a_report_reads_not_reported_in_both_languages(store, reported, head):
    """The state column of the month table names every state: a submitted report 已提交, a project of the
    township with no report 未填报 / not reported — never an empty cell."""
    a, b, _ = reported
    for lang, submitted, none in (("zh", "已提交", "未填报"), ("en", "submitted", "not reported")):
        at = _as_head(store, lang)
        editor = next(d for d in at.dataframe if d.proto.editing_mode).value.set_index("project_id")
        assert editor.loc[a, "state"] == editor.loc[b, "state"] == submitted
        unreported = editor.index.difference([a, b])
        assert len(unreported) and set(editor.loc[unreported, "state"]) == {none}
