"""The column-at-a-time validation (issue 16 item 3) reports exactly the problems the row-by-row checks reported:
the same sentences, rows, ids and order, compared against a fixture written by the row-by-row code
(tests/fixtures/validation_before.json) and against that loop kept here as the oracle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
from validation_cases import bad_places, bad_projects

from xxgeo.county import county as county_profile
from xxgeo.schema import LAYERS
from xxgeo.validation import check_value, validate_frame

FIXTURE = Path(__file__).parent / "fixtures" / "validation_before.json"
CHOICES = re.compile(r"不在允许范围（[^）]*）内")


def _norm(s: str) -> str:
    """Choice lists grow as codes are added (categories, precision codes); the county's name is the profile's."""
    return CHOICES.sub("不在允许范围内", s).replace(county_profile().name, "本县")


def _rows(problems) -> list:
    return [[_norm(str(p)), p.row, p.feature_id, p.severity] for p in problems]


def _row_by_row(layer: str, df) -> list:
    """The attribute part of validate_frame as it was: every row, every field, through check_value."""
    lay = LAYERS[layer]
    out = []
    for i, (_, row) in enumerate(df.iterrows()):
        fid = str(row[lay.id_field])
        for f in [f for f in lay.fields if f.name in df.columns]:
            if msg := check_value(f, row[f.name]):
                out.append((i, fid, msg))
    return out


@pytest.fixture(scope="module")
def county_shape(built_store_path):
    from xxgeo.store import open_store

    return shapely.union_all(open_store(str(built_store_path)).read("county").geometry.values)


@pytest.mark.parametrize("layer,make", [("projects", bad_projects), ("places", bad_places)])
def test_same_problems_as_the_row_by_row_fixture(layer, make, county_shape):
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    df = make(county_shape.representative_point())
    got = _rows(validate_frame(layer, df, county=county_shape))
    assert got == [[_norm(t), r, f, s] for t, r, f, s in expected[layer]]
    got = _rows(validate_frame(layer, df))
    assert got == [[_norm(t), r, f, s] for t, r, f, s in expected[layer + "_nocounty"]]


@pytest.mark.parametrize("layer,make", [("projects", bad_projects), ("places", bad_places)])
def test_attribute_checks_equal_the_loop(layer, make, county_shape):
    df = make(county_shape.representative_point())
    df = df.drop(columns="geometry")
    got = [(p.row, p.feature_id, p.text) for p in validate_frame(layer, df) if p.row is not None]
    assert got == _row_by_row(layer, df)


def test_numbers_booleans_and_codes_in_text_columns(county_shape):
    """Values of the wrong type in a column (a number in a text field, text in a number field, numpy booleans)."""
    import geopandas as gpd
    import numpy as np

    pt = county_shape.representative_point()
    df = gpd.GeoDataFrame([
        dict(project_id=7, name=12.5, category="工业", source_ref="s", loc_precision="surveyed", public=np.bool_(True),
             start_year="2021", investment_wan="12", geometry=pt),
        dict(project_id="A", name="x", category="工业", source_ref="s", loc_precision="surveyed", public="TRUE",
             start_year=np.int64(2100), investment_wan=np.float64("nan"), geometry=pt),
        dict(project_id="B", name="y", category="工业", source_ref="s", loc_precision="surveyed", public=1,
             start_year=2101, investment_wan=True, geometry=pt)], geometry="geometry", crs=4326)
    got = [(p.row, p.text) for p in validate_frame("projects", df) if p.row is not None]
    assert got == [(i, m) for i, _, m in _row_by_row("projects", df.drop(columns="geometry"))]


@pytest.mark.parametrize("layer,make", [("projects", bad_projects), ("places", bad_places)])
def test_long_columns_of_repeated_texts_checked_once_per_text_equal_the_loop(layer, make, county_shape):
    """A 10^5-row import repeats a handful of texts per column; those columns are checked once per distinct text
    (and a column with no value at once): the problems are still every row's, as the loop finds them."""
    import pandas as pd

    df = make(county_shape.representative_point()).drop(columns="geometry")
    big = pd.concat([df] * 40, ignore_index=True)  # 280 rows / 160 rows: each bad text repeated 40 times
    big[LAYERS[layer].id_field] = [f"ID{i}" for i in range(len(big))]
    big["spare_empty"] = None
    got = [(p.row, p.feature_id, p.text) for p in validate_frame(layer, big) if p.row is not None]
    assert got == _row_by_row(layer, big)
    assert len(got) > 40  # the repeated bad values are reported on every row
    required = next(f.name for f in LAYERS[layer].fields if f.required and f.name != LAYERS[layer].id_field)
    big[required] = None  # a required column with no value at all: every row says so
    got = [(p.row, p.feature_id, p.text) for p in validate_frame(layer, big) if p.row is not None]
    assert got == _row_by_row(layer, big)
    assert sum(1 for r, _, _ in got if r is not None) >= len(big)


def _arrow_texts(df):
    """``df`` with every column of texts and empties held by Arrow, as the store's frames hold them."""
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if c != "geometry" and pd.api.types.infer_dtype(out[c], skipna=True) in ("string", "empty"):
            out[c] = out[c].astype(pd.StringDtype("pyarrow", na_value=float("nan")))
    return out


@pytest.mark.parametrize("layer,make", [("projects", bad_projects), ("places", bad_places)])
@pytest.mark.parametrize("times", [1, 40])
def test_text_columns_held_by_arrow_give_the_same_problems(layer, make, county_shape, times):
    """The store's frames hold text in Arrow, checked there (few distinct texts once each; free text by Arrow's
    blank, control-character and length tests): the problems are those of the same frame held as objects."""
    import pandas as pd

    df = make(county_shape.representative_point())
    df = pd.concat([df] * times, ignore_index=True).set_geometry("geometry") if times > 1 else df
    arrow = _arrow_texts(df)
    assert any(isinstance(t, pd.StringDtype) for t in arrow.dtypes)
    assert _rows(validate_frame(layer, arrow, county=county_shape)) == _rows(
        validate_frame(layer, df, county=county_shape))


def test_arrow_free_text_checks_are_pythons_codepoint_for_codepoint():
    """Every codepoint of the Basic Multilingual Plane alone, inside text and as padding, and names around the
    length limit: Arrow's mask of fine values is the one the object path computes."""
    import numpy as np
    import pandas as pd

    from xxgeo.validation import NAME_MAX, fine_values

    cps = [c for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    texts = [chr(c) for c in cps] + [f"a{chr(c)}b" for c in cps[::7]] + [f"{chr(c)}名{chr(c)}" for c in cps[::11]]
    texts += ["长" * n for n in (NAME_MAX - 1, NAME_MAX, NAME_MAX + 1)] + [None, "", "  "]
    values = np.asarray(texts, dtype=object)
    arrow = pd.Series(texts, dtype=pd.StringDtype("pyarrow"))
    for field in [f for f in LAYERS["projects"].fields if f.name in ("name", "investment_note", "source_ref")]:
        want = fine_values(field, values)
        got = fine_values(field, arrow)
        assert (got == want).all(), field.name
        assert (~want).sum() > 30  # control characters, blanks and the long name are refused


def test_negative_amounts_found_column_wise_as_row_by_row(county_shape):
    """A column of amounts (万元) checked at once still sends every negative one to check_value."""
    import geopandas as gpd

    pt = county_shape.representative_point()
    n = 200
    df = gpd.GeoDataFrame({"project_id": [f"N{i}" for i in range(n)], "name": [f"项目{i}" for i in range(n)],
                           "category": "工业", "source_ref": "s", "loc_precision": "surveyed", "public": True,
                           "investment_wan": [-(i % 7) * 1.5 if i % 3 == 0 else i * 2.0 for i in range(n)],
                           "start_year": 2021, "geometry": [pt] * n}, geometry="geometry", crs=4326)
    got = [(p.row, p.text) for p in validate_frame("projects", df) if p.row is not None]
    assert got == [(i, m) for i, _, m in _row_by_row("projects", df.drop(columns="geometry"))]
    assert len(got) == sum(1 for i in range(n) if i % 3 == 0 and i % 7) and all("不能为负数" in m for _, m in got)
