"""Columns of plain decimals read at once (xxgeo/io/decimals.py) give what the cell-by-cell readers give: the same
numbers and the same problems, in the same order, whatever else the column holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xxgeo.io.cellvalues import number, numbers
from xxgeo.io.coords import _each_number, _plain_numbers

CELLS = ["1", "-2.5", " 3", "4.", "+5", "１２", "1,000", "约3", None, "", "0.1", "1e5", "٣", "12万元", "3亿元", "—",
         "未注明", "abc", "0012.50", "-0", "99999999999999999999.123456789", "1.2.3", "\u3000 7 ", "2亿"]


class _Out:
    """What map_columns' collector records: problems by row, notes, and the frame for an investment's original."""

    def __init__(self, n: int) -> None:
        self.problems: list = []
        self.notes: list = []
        self.frame = pd.DataFrame(index=range(n))

    def problem(self, i, msg) -> None:
        self.problems.append((i, msg))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("target,unit", [("investment_wan", None), ("investment_wan", "万元"), ("area_mu", None)])
def test_numbers_as_cell_by_cell(seed, target, unit):
    rng = np.random.default_rng(seed)
    cells = [CELLS[i] for i in rng.integers(0, len(CELLS), 500)] + [f"{x:.6f}" for x in rng.normal(111, 1, 200)]
    fast, slow = _Out(len(cells)), _Out(len(cells))
    got = numbers(pd.Series(cells, dtype=object), "总投资", unit, target, fast)
    want = [number(v, i, "总投资", unit, target, slow) for i, v in enumerate(cells)]
    assert got == want and [type(v) for v in got] == [type(v) for v in want]
    assert fast.problems == slow.problems and fast.notes == slow.notes
    pd.testing.assert_frame_equal(fast.frame, slow.frame)


@pytest.mark.parametrize("seed", [1, 2])
def test_coordinates_as_cell_by_cell(seed):
    rng = np.random.default_rng(seed)
    cells = [CELLS[i] for i in rng.integers(0, len(CELLS), 300)] + [f"{x:.7f}" for x in rng.normal(35, 1, 300)]
    cells += [111.5, np.nan, 7]  # numbers a reader typed already
    arr = np.array(cells, dtype=object)
    np.testing.assert_array_equal(_plain_numbers(arr), _each_number(arr))
    np.testing.assert_array_equal(_plain_numbers(arr[:600]), _each_number(arr[:600]))  # text and None: at once
    text = np.array([f"{x:.6f}" for x in rng.normal(111, 1, 1000)], dtype=object)
    np.testing.assert_array_equal(_plain_numbers(text), _each_number(text))
