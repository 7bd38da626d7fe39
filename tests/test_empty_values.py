"""Issue 17 item 3: an empty value shows as 未注明 / not stated (or blank in a log table) everywhere — views,
map pages, PDFs — in both languages; never “nan”, “None”, “NaN” or “<NA>”."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from kit import app_test
from test_investor_mode import page_text
from test_reports import pdf_text

from xxgeo import reports
from xxgeo.layerspec import load_specs
from xxgeo.mapping import MapRequest, build_map, map_html
from xxgeo.mapping.payload import fast_columns, feature_collection
from xxgeo.store import Dataset
from xxgeo.store.frames import coerce
from xxgeo.views.common import detail_notes, na_text
from xxgeo.views.context import ViewContext

BAD = re.compile(r"(?<![A-Za-z])(nan|None|NaN|NaT|<NA>)(?![A-Za-z])")
EMPTY = [None, np.nan, pd.NA, ""]


def bad(text: str) -> list[str]:
    return [text[max(0, m.start() - 50): m.end() + 10] for m in BAD.finditer(text)]


@pytest.fixture(scope="module")
def blank_dataset(dataset):
    """The default dataset with every optional field of some projects and of one park emptied (None, NaN, NA, "")."""
    p = dataset["projects"].copy()
    rows = p.index[p["park_id"] == "peijie"][:4].tolist() + p.index[p["township_code"] == "140828102"][:4].tolist()
    for i, idx in enumerate(rows):
        for f in ("status", "investment_wan", "investment_note", "start_year", "end_year", "place_note",
                  "source_text", "village", "subgroup"):
            p[f] = p[f].astype(object)
            p.at[idx, f] = EMPTY[i % len(EMPTY)]
    parks = dataset["parks"].copy()
    k = parks.index[parks["park_id"] == "peijie"][0]
    for f in ("location_desc", "enterprises", "targets", "period", "status", "distances_stated", "aliases"):
        parks[f] = parks[f].astype(object)
        parks.at[k, f] = np.nan
    return Dataset({**dataset.layers, "projects": coerce("projects", p), "parks": coerce("parks", parks)})


def test_one_rule_in_tables():
    df = pd.DataFrame({"a": ["x", None, np.nan, pd.NA, ""], "n": [1.0, np.nan, 2.5, np.nan, 3.0]})
    assert na_text(df)["a"].tolist() == ["x", "未注明", "未注明", "未注明", "未注明"]
    assert na_text(df, "en")["n"].tolist() == ["1", "not stated", "2.50", "not stated", "3"]
    assert na_text(df, blank=True)["a"].tolist() == ["x", "", "", "", ""]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_project_details_leave_empty_notes_out(dataset, lang):
    ctx = ViewContext(store=None, dataset=dataset, lang=lang)
    row = pd.Series({"name": "甲", "source_text": np.nan, "place_note": np.nan, "investment_note": None})
    notes = detail_notes(row, ctx)
    assert len(notes) == 1 and ("未注明" if lang == "zh" else "not stated") in notes[0] and not bad("".join(notes))
    notes = detail_notes({**row.to_dict(), "place_note": "村东"}, ctx)
    assert len(notes) == 2 and "村东" in notes[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_pages_and_popup_payloads_carry_no_nan(blank_dataset, lang):
    for req in (MapRequest(lang=lang), MapRequest(lang=lang, role="public", highlight_park="peijie")):
        html = map_html(build_map(blank_dataset, req))
        assert not bad(html), bad(html)
    spec = load_specs()["projects"]
    gj = feature_collection(blank_dataset["projects"], spec)
    values = [v for f in gj["features"] for v in f["properties"].values()]
    assert not [v for v in values if isinstance(v, float) and np.isnan(v)]  # JSON null: the page shows 未注明
    assert not bad(json.dumps(values, ensure_ascii=False))
    _x, _y, _cat, _classes, _colors, cols, _fields = fast_columns(blank_dataset["projects"], spec)
    assert not bad(json.dumps(cols, ensure_ascii=False)) and "" in cols["status"]  # "" -> 未注明 on the page


def test_pdfs_carry_no_nan(blank_dataset, tmp_path):
    for data in (reports.park_brochure_pdf(blank_dataset, "peijie"),
                 reports.township_report_pdf(blank_dataset, "140828102")):
        text = pdf_text(data, tmp_path)
        assert not bad(text), bad(text)
        assert "未注明" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_view_shows_no_nan(blank_dataset, store_copy, monkeypatch, lang):
    store_copy.write_layers({"projects": blank_dataset["projects"], "parks": blank_dataset["parks"]}, user="t")
    monkeypatch.setenv("XXGEO_STORE", str(store_copy.path))
    for view, extra in (("planning", {}), ("township", {"township": "裴介"}), ("investor", {"park": "裴介"}),
                        ("investor", {}), ("indicators", {}), ("data", {})):
        at = app_test(view=view, lang=lang, **extra)
        text = page_text(at) + "\n".join(str(m.value) for m in at.sidebar.markdown)
        assert not bad(text), (view, bad(text))
