"""Text hygiene at the door and at every sink (issue 18): control characters refused on edit, names
length-limited, and PDF, matplotlib, Excel and CSV outputs neutralised (mathtext, markup, long text, formulas)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from xxgeo import reports
from xxgeo.edits import set_fields
from xxgeo.errors import ValidationFailed
from xxgeo.export import export_layer
from xxgeo.names import resolve_park, resolve_township
from xxgeo.policy import Actor, GuardedStore
from xxgeo.store import Dataset
from xxgeo.textsafe import cell, ellipsize, figure_label, pdf_markup

MATH = r"$\foo$ and $x^2$"
LONG = "很长的名称" * 1200  # 6,000 characters


def test_the_escapers():
    assert [cell(v) for v in ("=1+1", "+86", "-5", "@SUM(A1)", "ok", 3)] == ["'=1+1", "'+86", "'-5", "'@SUM(A1)",
                                                                         "ok", 3]
    assert cell("a\x0bb\x00") == "ab"
    assert ellipsize("abcdef", 4) == "abc…" and ellipsize("abc", 4) == "abc"
    assert pdf_markup("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;" and len(pdf_markup(LONG)) <= 3000
    assert figure_label(LONG).endswith("…") and len(figure_label(LONG)) == 40


def test_edit_refuses_control_characters_and_overlong_names(store_copy):
    pid = str(store_copy.read("projects")["project_id"].iloc[0])
    before = store_copy.read("projects").set_index("project_id").loc[pid]
    with pytest.raises(ValidationFailed, match="控制字符"):
        set_fields(store_copy, "projects", pid, ["status=在\x0b建"], user="t")
    with pytest.raises(ValidationFailed, match="太长"):
        set_fields(store_copy, "projects", pid, ["name=" + "名" * 201], user="t")
    after = store_copy.read("projects").set_index("project_id").loc[pid]
    assert after["status"] == before["status"] or (pd.isna(after["status"]) and pd.isna(before["status"]))
    assert after["name"] == before["name"]


def test_exports_neutralise_formulas_and_survive_control_characters(store_copy):
    p = store_copy.read("projects")
    p.loc[p.index[0], "name"] = "=HYPERLINK(\"https://evil.example\",\"x\")"
    p.loc[p.index[1], "place_note"] = "bad\x0bvalue"  # as an older store may hold
    store_copy.write_layers({"projects": p}, user="t")
    editor = GuardedStore(store_copy, Actor("li", "editor"))
    wb = openpyxl.load_workbook(io.BytesIO(export_layer(editor, "projects", "xlsx").data))
    values = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert "'=HYPERLINK(\"https://evil.example\",\"x\")" in values and "badvalue" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    csv = export_layer(editor, "projects", "csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "\n=" not in csv and ",=" not in csv


def test_reports_draw_math_markup_and_long_names_literally(dataset):
    code = resolve_township("泗交", dataset["townships"])
    p = dataset["projects"].copy()
    rows = p.index[p["township_code"] == code]
    p.loc[rows[0], "name"] = MATH
    p.loc[rows[1], "name"] = LONG
    pid = resolve_park("裴介", dataset["parks"])
    parks = dataset["parks"].copy()
    parks.loc[parks["park_id"] == pid, "name"] = MATH + LONG
    t = dataset["townships"].copy()
    t.loc[t["code"] == code, "name"] = "<b>" + MATH + LONG
    ds = Dataset({**dataset.layers, "projects": p, "parks": parks, "townships": t})
    assert reports.township_report_pdf(ds, code)[:4] == b"%PDF"
    assert reports.park_brochure_pdf(ds, pid)[:4] == b"%PDF"
    assert reports.print_map_png(ds, "township", code, dpi=60)[:4] == b"\x89PNG"
    assert reports.print_map_png(ds, "park", pid, dpi=60)[:4] == b"\x89PNG"


def test_import_refuses_control_characters_with_a_sentence(tmp_path):
    from datafactory import import_file, make_store, points_in

    store = make_store(tmp_path / "s.gpkg")
    q = points_in("140828200")[0]
    src = tmp_path / "p.csv"
    src.write_text(f"项目名称,类别,乡镇,经度,纬度\n物流\x0b中心,商贸物流,尉郭,{q.x},{q.y}\n", encoding="utf-8")
    before = store.path.read_bytes()
    with pytest.raises(ValidationFailed) as exc:
        import_file(src, "projects", store, precision="surveyed")
    assert "控制字符" in str(exc.value) or any("控制字符" in str(p) for p in exc.value.problems)
    assert store.path.read_bytes() == before
