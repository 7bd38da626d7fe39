"""The location-precision scale (xxgeo.precision): codes in order, labels in both languages, the IATI
GeographicalPrecision crosswalk, the store's codes kept valid, and ``iati_precision`` in csv/xlsx/geojson
exports of projects (also the public's)."""

from __future__ import annotations

import io
import json

import pandas as pd

from xxgeo import export, precision
from xxgeo.policy import PUBLIC, Actor, GuardedStore
from xxgeo.schema import LAYERS, LOC_PRECISIONS
from xxgeo.vocab import LABEL_EN, PRECISION, precision_label


def test_the_scale_runs_from_most_to_least_precise_with_the_shared_codes():
    assert precision.CODES == ("surveyed", "digitised", "structure", "photo_gps", "near", "village", "park",
                               "township", "county", "schematic")
    assert LOC_PRECISIONS == precision.CODES and tuple(PRECISION) == precision.CODES
    assert {"surveyed", "digitised", "structure", "photo_gps"} == precision.PRECISE
    assert {"village", "park", "township", "county"} == precision.AREA_ONLY
    assert [precision.rank(c) for c in precision.CODES] == list(range(10)) and precision.rank(None) == 10
    assert not set(precision.PLACING_CHOICES) & {"park", "township", "county"}  # a placed point is no area
    for p in precision.SCALE:
        assert p.zh and p.en and p.hint_zh and p.hint_en and precision_label(p.code, "en") == p.en


def test_existing_labels_keep_their_words():
    assert precision_label("township") == "乡镇示意点" and precision_label("surveyed") == "实测"
    assert precision_label("digitised") == "图上采集" and precision_label("photo_gps", "en") == "photo GPS"


def test_the_iati_crosswalk_uses_codes_of_the_codelist():
    cross = {p.code: p.iati for p in precision.SCALE}
    assert cross == {"surveyed": 1, "digitised": 1, "structure": 1, "photo_gps": 1, "near": 2, "village": 2,
                     "park": 2, "township": 3, "county": 3, "schematic": 5}
    assert set(cross.values()) <= set(precision.IATI_NAMES)
    assert precision.iati_code("nonsense") is None and precision.iati_code(None) is None


def test_location_source_fields_are_in_the_schema_with_english_labels():
    names = LAYERS["projects"].field_names
    assert {"loc_source", "located_by", "located_at"} <= set(names)
    for f in ("loc_source", "located_by", "located_at"):
        assert LAYERS["projects"].field(f).label in LABEL_EN


def test_the_default_store_is_still_valid(dataset):
    assert set(dataset["projects"]["loc_precision"]) <= set(LOC_PRECISIONS)


def test_csv_xlsx_and_geojson_exports_carry_the_iati_code(store_copy):
    editor = GuardedStore(store_copy, Actor("li", "editor"))
    p = store_copy.read("projects")
    want = [precision.iati_code(c) for c in p["loc_precision"]]
    csv = pd.read_csv(io.BytesIO(export.export_layer(editor, "projects", "csv").data))
    cols = list(csv.columns)
    assert cols[cols.index("位置精度") + 1] == "iati_precision" and csv["iati_precision"].tolist() == want
    xlsx = pd.read_excel(io.BytesIO(export.export_layer(editor, "projects", "xlsx").data), engine="openpyxl")
    assert xlsx["iati_precision"].tolist() == want
    gj = json.loads(export.export_layer(editor, "projects", "geojson").data)
    assert [f["properties"]["iati_precision"] for f in gj["features"]] == want
    public = json.loads(export.export_layer(GuardedStore(store_copy, PUBLIC), "projects", "geojson",
                                            public_only=True).data)
    assert public["features"] and all("iati_precision" in f["properties"] for f in public["features"])
    assert all("located_by" not in f["properties"] for f in public["features"])  # who placed it stays internal
