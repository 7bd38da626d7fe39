"""AppTest for each view and for URL state (streamlit.testing, no browser)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from xxgeo.mapping import MapFilter, filter_projects

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [h.value for h in at.header] + [c.value for c in at.caption]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_default_view_is_planning_with_all_projects(app, dataset):
    at = app()
    assert "规划总览" in texts(at)
    assert f"项目数={len(dataset['projects']):,}" in texts(at)


def test_planning_category_from_url(app, dataset):
    at = app(view="planning", category="文旅")
    n = len(filter_projects(dataset["projects"], MapFilter(categories=("文旅",))))
    assert at.multiselect(key="f_cat").value == ["文旅"]
    assert f"项目数={n:,}" in texts(at)


def test_planning_search_and_township_code_in_url(app, dataset):
    at = app(view="planning", township="140828103", q="水头")
    assert at.multiselect(key="f_town").value == ["140828103"]
    assert at.text_input(key="f_q").value == "水头"
    n = len(filter_projects(dataset["projects"], MapFilter(townships=("140828103",), text="水头")))
    assert f"项目数={n:,}" in texts(at)


def test_changing_a_filter_writes_the_url(app):
    at = app(view="planning")
    at.multiselect(key="f_cat").set_value(["能源"]).run()
    assert at.query_params["category"] == ["能源"] or at.query_params["category"] == "能源"


def test_township_view_from_short_name(app):
    at = app(view="township", township="裴介")
    assert at.selectbox(key="tw_pick").value == "140828102"
    assert "裴介镇" in texts(at)
    assert "示意" in texts(at)


def test_investor_view_park_by_fragment(app):
    at = app(view="investor", park="裴介")
    assert at.selectbox(key="inv_park").value == "peijie"
    t = texts(at)
    assert "10.95 km²（16,425 亩）" in t
    assert "未注明" in t or "已有企业" in t


def test_investor_overview_has_a_card_per_park(app, dataset):
    at = app(view="investor")
    t = texts(at)
    for name in dataset["parks"]["name"]:
        assert name in t


def test_indicators_and_data_views_open(app):
    """Each opens as itself (not a fallback view): its heading, the sidebar on it, and its content."""
    at = app(view="indicators")
    assert "## 指标" in [m.value for m in at.markdown] and at.sidebar.radio[0].value == "指标"
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 0  # the indicator table
    at = app(view="data")
    assert "## 数据" in [m.value for m in at.markdown] and at.sidebar.radio[0].value == "数据"
    assert [t.label for t in at.tabs] == ["导入", "导出", "编辑项目", "园区联系方式", "撤销与备份"]


def test_unknown_township_in_url_warns_not_crashes(app):
    at = app(view="township", township="火星镇")
    assert any("火星镇" in w.value for w in at.warning)


def test_english_toggle_from_url(app):
    at = app(view="planning", lang="en")
    assert "Planning" in texts(at) and "Projects on the map=" in texts(at)
    at = app(view="township", township="裴介", lang="en")
    assert "By category" in texts(at) and "Villages named in the plan" in texts(at)


def test_missing_store_is_a_sentence(monkeypatch, tmp_path):
    monkeypatch.setenv("XXGEO_STORE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("找不到数据库" in e.value for e in at.error)


def test_planning_excel_download_holds_the_selection(built_store_path, dataset):
    import io

    import openpyxl

    from xxgeo.store import GpkgStore
    from xxgeo.views.context import ViewContext
    from xxgeo.views.planning import _xlsx

    flt = MapFilter(categories=("文旅",))
    sel = filter_projects(dataset["projects"], flt)
    data = _xlsx(sel, ViewContext(store=GpkgStore(built_store_path), dataset=dataset), flt)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in ws[1]]
    names = {r[header.index("项目名称")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert names == set(sel["name"])


def test_english_table_values(app):
    at = app(lang="en", view="planning")
    table = at.dataframe[0].value
    assert "Category" in table.columns and "工业" not in set(table["Category"])
    assert "Industry" in set(table["Category"])
    assert not any(str(v).endswith("起") or str(v).startswith("至") for v in table["Period"].dropna())
    assert at.multiselect(key="f_cat").options[0] == "Industry"
