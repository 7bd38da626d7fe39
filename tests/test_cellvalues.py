"""A column the reader typed as numbers is read in one step (io/cellvalues.numbers): the same values as reading
each cell with ``number``, and a unit that converts (亿元) still goes cell by cell, keeping the original text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xxgeo.io.cellvalues import number, numbers
from xxgeo.io.columns import Mapped


@pytest.mark.parametrize("col", [pd.Series([1.5, np.nan, 3.0, np.inf, -2.25]), pd.Series([1, 2, 3], dtype="int64"),
                                 pd.Series(["1.5", None, "约3亿元"], dtype=object)])
@pytest.mark.parametrize("target,unit", [("investment_wan", None), ("investment_wan", "万元"), ("area_mu", None)])
def test_numbers_equal_each_cell_read_alone(col, target, unit):
    a, b = Mapped(frame=pd.DataFrame(index=col.index), provided=[]), Mapped(frame=pd.DataFrame(index=col.index),
                                                                            provided=[])
    got = numbers(col, "总投资", unit, target, a)
    want = [number(v, i, "总投资", unit, target, b) for i, v in enumerate(col.tolist())]
    assert got == want
    assert a.problems == b.problems and a.notes == b.notes


def test_a_converting_unit_keeps_the_original_text():
    col = pd.Series([1.5, 2.0])
    out = Mapped(frame=pd.DataFrame(index=col.index), provided=[])
    assert numbers(col, "总投资（亿元）", "亿元", "investment_wan", out) == [15000.0, 20000.0]
    assert out.frame["_investment_orig"].tolist() == ["1.5亿元", "2亿元"]


def test_plain_texts_equal_as_text_cell_by_cell():
    from xxgeo.io.cellvalues import as_text, plain_texts

    values = [" 甲 ", "", "  ", "—", "未注明", "NaN", "N/A", "\u3000乙\u3000", None, "项目", "\x1c"]
    assert plain_texts(values) == [as_text(v) for v in values]
    assert plain_texts(["a", 1.0, None]) is None  # a number among them: cell by cell
