"""Once-per-distinct-text work (xxgeo/distinct.py): the same result as the per-value rule, fewer calls."""

from __future__ import annotations

import numpy as np

from xxgeo.distinct import distinct_texts, each_text
from xxgeo.io.columns import as_text


def test_each_text_equals_the_per_value_rule_and_calls_it_once_per_text():
    values = (["工业类", " 农业 ", "—", "未注明", None, np.nan, "文旅"] * 30)
    calls = []

    def rule(v):
        calls.append(v)
        return None if v is None else as_text(v)

    assert each_text(values, rule) == [rule(v) for v in values]
    calls.clear()
    each_text(values, rule)
    assert len(calls) == 5 + 60  # five texts once, the 60 empty cells one by one (not 210 calls)


def test_numbers_and_booleans_are_never_merged_with_each_other():
    values = [1, 1.0, True, "1"] * 40  # equal under Python's ==, different as text
    assert distinct_texts(values) is None
    assert each_text(values, as_text) == [as_text(v) for v in values]


def test_short_or_mostly_distinct_columns_go_value_by_value():
    assert distinct_texts(["a", "a"]) is None
    assert distinct_texts([f"名{i}" for i in range(200)]) is None
    codes, texts = distinct_texts(["a", None, "b"] * 40)
    assert texts.tolist() == ["a", "b"] and codes[:3].tolist() == [0, -1, 1]
