"""The parsing worker started ahead (:func:`xxgeo.io.worker.start_isolated`): the caller reads the store while it
parses, and leaving the ``with`` block stops it whatever happened; the forkserver started first thing by
``python -m xxgeo import`` (:mod:`xxgeo.forkstart`); and the worker's faster checks give the answers of the
per-value ones (garbled text, cells over the limits)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xxgeo import forkstart
from xxgeo.errors import ImportRefused
from xxgeo.io import limits, worker
from xxgeo.io.encoding import garbled, mojibake


def slow(path, **kwargs):  # run in the worker (by name)
    time.sleep(60)


def echo(path, **kwargs):  # run in the worker (by name)
    return {"path": path, "name": kwargs["name"], "text": Path(path).read_text()}


def test_start_returns_at_once_and_result_waits(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("hello")
    with worker.start_isolated(f, reader=f"{__name__}:echo") as job:
        got = job.result()
    assert got == {"path": str(f), "name": "a.txt", "text": "hello"}
    assert worker.read_isolated(f, reader=f"{__name__}:echo") == got


def test_leaving_the_block_stops_the_worker_and_removes_its_folder(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("x")
    with pytest.raises(KeyError), worker.start_isolated(f, reader=f"{__name__}:slow") as job:
        job._starting.join()  # started from a thread
        assert job._proc.is_alive()
        folder = Path(job._tmp.name)
        assert folder.is_dir()
        raise KeyError("the caller's own read failed")
    assert not job._proc.is_alive() and job._proc.exitcode is not None
    assert not folder.exists()


def test_a_failed_start_is_raised_by_result_and_the_folder_removed(tmp_path, monkeypatch):
    def no_process(*a, **k):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(worker, "_context", lambda: type("Ctx", (), {"Process": staticmethod(
        lambda **kw: type("P", (), {"start": staticmethod(no_process)})())}))
    with pytest.raises(OSError, match="temporarily"), worker.start_isolated(tmp_path / "a.txt") as job:
        folder = Path(job._tmp.name)
        job.result()
    assert not folder.exists()


def test_the_deadline_counts_from_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_WORKER_WALL_S", "3")
    f = tmp_path / "a.txt"
    f.write_text("x")
    with worker.start_isolated(f, reader=f"{__name__}:slow") as job:
        time.sleep(2)  # the caller's reads
        t = time.monotonic()
        with pytest.raises(ImportRefused, match="XXGEO_WORKER_WALL_S"):
            job.result()
        assert time.monotonic() - t < 2.5  # the 2 s already spent count against the 3 s
    assert not job._proc.is_alive()


@pytest.mark.parametrize("argv, wanted", [
    (["import", "f.gpkg", "--layer", "projects"], True),
    (["--lang", "en", "import", "f.csv"], True),
    (["progress", "import", "sheet.xlsx"], True),
    (["progress", "list"], False),
    (["export", "projects", "out.gpkg"], False),
    (["--lang", "import"], False),
    ([], False),
])
def test_which_commands_start_the_forkserver_early(argv, wanted):
    assert forkstart.wants_worker(argv) is wanted


def test_garbled_over_a_column_equals_mojibake_per_value():
    bad = "瀵煎叆娴嬭瘯"  # 导入测试 as UTF-8 bytes read as GBK
    latin = "å¯¼å…¥"  # UTF-8 read as cp1252
    columns = [
        [f"导入测试项目{i}" for i in range(200)],  # every value Chinese: the one-search path
        ["工业", "农业", "工业", None, "", "交通"] * 50,  # categories: each distinct value once
        ["工业", "甲", "A1", "工业"] * 20,  # a one-character value and ASCII among Chinese
        ["项目", bad, "项目", None] * 10,
        ["项目", latin, "项目"] * 10,  # a Latin-1 look-alike: the per-value path
        ["第一行\n第二行", "项目", bad],  # a line break: the per-value path
        ["项目", float("nan"), 3, np.int64(4), b"bytes", "项目"],
        ["ab", "cd", "ab"],
        [],
    ]
    for values in columns:
        assert garbled(values) == [mojibake(v) for v in values]
    assert any(garbled(columns[3])) and any(garbled(columns[4]))


@pytest.mark.parametrize("dtype", [object, "str"])
def test_a_long_cell_is_refused_with_its_row(dtype):
    cap = limits.current().cell_chars
    frame = pd.DataFrame({"a": pd.Series(["x"] * 5 + ["y" * (cap + 1)] + ["z" * 70], dtype=dtype),
                          "b": pd.Series(["(" * 10 + ")" * 10] * 7, dtype=dtype)})
    with pytest.raises(ImportRefused) as e:
        limits.check_frame(frame, "文件", [f"第{i + 1}行" for i in range(7)])
    assert "第6行“a”列" in e.value.message
    limits.check_frame(frame.iloc[[0, 6]].reset_index(drop=True), "文件")  # 70 characters: under the limits


def test_a_row_is_filled_as_before():
    from xxgeo.io.tables import _filled

    rows = [["", " ", "\u3000"], ["", "a"], [], [None, ""], [None, " x "], ["\t", None], [1.0, ""], ["", 0],
            ["\n", "\r"], ["　甲", ""]]
    assert [_filled(r) for r in rows] == [any(c is not None and str(c).strip() for c in r) for r in rows]
    assert [_filled(r) for r in rows] == [False, True, False, False, True, False, True, True, False, True]


def test_a_csv_reads_its_cells_as_before(tmp_path):
    from xxgeo.io.tables import _cell, read_csv

    p = tmp_path / "t.csv"
    p.write_text("项目名称,类别,总投资\n\n 甲 ,工业,\n乙,\u3000,12\n,,\n丙, 农业,3.5\n", encoding="utf-8")
    raw = read_csv(p, "t.csv", None, None)
    cells = [["甲", "工业", None], ["乙", None, "12"], ["丙", "农业", "3.5"]]
    read = [[" 甲 ", "工业", ""], ["乙", "\u3000", "12"], ["丙", " 农业", "3.5"]]
    assert raw.frame.values.tolist() == cells == [[_cell(v) for v in r] for r in read]
    assert raw.row_labels == ["第3行", "第4行", "第6行"] and all(d == np.dtype(object) for d in raw.frame.dtypes)


def test_the_worker_never_runs_the_callers_main_script(tmp_path, monkeypatch):
    """Streamlit installs the page's script (app.py) as ``__main__``, AppTest a throw-away one: multiprocessing
    would have each worker import it first. A main script that leaves a mark and fails must not run."""
    import sys
    import types

    mark = tmp_path / "main-ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(mark)!r}, 'w').write('ran')\nraise SystemExit(3)\n", encoding="utf-8")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    f = tmp_path / "a.txt"
    f.write_text("hello")
    assert worker.read_isolated(f, reader=f"{__name__}:echo")["text"] == "hello"
    assert not mark.exists()
    assert sys.modules["__main__"] is page  # the caller's main is back


def test_a_short_cell_still_meets_a_limit_set_below_its_length():
    """Cells of up to 64 characters are not measured — unless a limit is set lower than that."""
    import dataclasses

    frame = pd.DataFrame({"a": pd.Series(["x", "((((((((深))))))))"], dtype=object)})  # 18 characters, 8 levels
    limits.check_frame(frame, "文件")
    strict = dataclasses.replace(limits.current(), nesting=5)
    with limits.using(strict), pytest.raises(ImportRefused) as e:
        limits.check_frame(frame, "文件")
    assert "XXGEO_MAX_NESTING" in e.value.message and "第2行“a”列" in e.value.message
    with limits.using(dataclasses.replace(limits.current(), cell_chars=10)), pytest.raises(ImportRefused) as e:
        limits.check_frame(frame, "文件")
    assert "XXGEO_MAX_CELL_CHARS" in e.value.message
