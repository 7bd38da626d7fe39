"""Tables: delimited text (CSV/TSV) and .xlsx workbooks, read row by row with the import limits checked as
they go; the header row is found by a score (see :mod:`.columns`). Returns a :class:`~.readers.RawTable`."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable
from itertools import compress
from pathlib import Path

import pandas as pd

from ..errors import ImportRefused
from . import csvrows, limits
from .encoding import check_no_mojibake, decode_text
from .rawtable import RawTable

HeaderScore = Callable[[list], int]


def read_csv(path: Path, name: str, encoding: str | None, score: HeaderScore | None) -> RawTable:
    """A delimited text table (comma, tab, semicolon), header row found by ``score``; the line, column and row
    limits refused as a line-by-line read would meet them (:func:`.csvrows.records`)."""
    text, codec = decode_text(path.read_bytes(), encoding, what=f"表格“{name}”")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delim = dialect.delimiter
    except csv.Error:
        delim = "\t" if sample.count("\t") > sample.count(",") else ","
    what = f"表格“{name}”"
    csv.field_size_limit(max(limits.current().line_chars, 131072))
    notes = [] if codec.startswith("utf") else ["表格不是 UTF-8 编码，已按 GBK/GB18030 解码。"]
    with csvrows.paused_gc():
        try:
            rows = csvrows.records(text, delim, what)
        except csv.Error as exc:
            raise ImportRefused(f"{what}格式错误（{exc}），未导入任何数据。",
                                english="The table is malformed (CSV); nothing was imported.") from None
        return _table(rows, "csv", name, notes, score, text=True)


def read_excel(path: Path, name: str, score: HeaderScore | None) -> RawTable:
    """An .xlsx workbook: the sheet whose header matches best (an "说明" sheet is skipped). Read in openpyxl's
    read-only (streaming) mode, with the column and row limits checked row by row."""
    import openpyxl

    what = f"Excel 文件“{name}”"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportRefused(f"{what}无法读取：已损坏或不是 .xlsx（{type(exc).__name__}），未导入。",
                            english=f"Excel file “{name}” cannot be read: it is damaged or not .xlsx "
                                    f"({type(exc).__name__}); nothing was imported.") from exc
    best, count = None, 0
    try:
        for ws in wb.worksheets:
            count += 1
            if str(ws.title).strip() in ("说明", "字段说明", "README"):
                continue
            ws.reset_dimensions()  # a stated dimension (A1:XFD1048576) must not pad every row
            rows = [[_excel_value(v) for v in r]
                    for r in csvrows.bounded_rows((list(r) for r in ws.iter_rows(values_only=True)), what)]
            while rows and not any(v is not None for v in rows[-1]):
                rows.pop()
            if not rows:
                continue
            hdr, sc = _header_row(rows, score)
            if best is None or sc > best[0]:
                best = (sc, ws.title, rows)
    except (ImportRefused, MemoryError):
        raise
    except Exception as exc:
        raise ImportRefused(f"{what}无法读取：已损坏或不是 .xlsx（{type(exc).__name__}），未导入。",
                            english=f"Excel file “{name}” cannot be read: it is damaged or not .xlsx "
                                    f"({type(exc).__name__}); nothing was imported.") from exc
    finally:
        wb.close()
    if best is None:
        raise ImportRefused(f"Excel 文件“{name}”里没有数据，未导入。",
                            english=f"Excel file “{name}” has no data; nothing was imported.")
    _, sname, rows = best
    notes = [] if count == 1 else [f"读取了工作表“{sname}”。"]
    return _table(rows, "xlsx", name, notes, score)


def _excel_value(v):
    """A cell as pandas' reader gave it: whole floats as int, empty text as empty."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v == "":
        return None
    return v


def _header_row(rows: list, score: HeaderScore | None) -> tuple[int, int]:
    best = (0, -1)
    for i, row in enumerate(rows[:15]):
        cells = [c for c in row if c is not None and str(c).strip()]
        if len(cells) < 2:
            continue
        sc = score(row) if score else len(cells)
        if sc > best[1]:
            best = (i, sc)
    return best


def _filled(row) -> bool:
    """Whether any cell of ``row`` is neither None nor blank (a row of text cells: one join and one strip)."""
    try:
        return bool("".join(row).strip())
    except TypeError:  # None or a number among the cells
        return any(c is not None and str(c).strip() for c in row)


def _cell(v):
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return v  # keep numbers numeric; columns.py decides
    s = v if not isinstance(v, str) else v.strip()
    return None if isinstance(s, str) and not s else s


def _table(rows: list, fmt: str, name: str, notes: list, score: HeaderScore | None,
           text: bool = False) -> RawTable:
    """The frame of ``rows`` under the header row ``score`` picks; ``text``: every cell is a str (a CSV), read
    column by column (:mod:`.csvrows`) to the same values."""
    rows = rows or []
    filled = csvrows.filled_text(rows) if text else [_filled(r) for r in rows]
    lines = [i + 1 for i in compress(range(len(rows)), filled)]
    rows = list(compress(rows, filled))
    if len(rows) < 2:
        raise ImportRefused(f"表格“{name}”没有数据行（至少需要一行表头和一行数据），未导入。",
                            english=f"The table “{name}” has no data rows (it needs a header row and at least one "
                                    "data row); nothing was imported.")
    h, _ = _header_row(rows, score)
    header = [("" if c is None else str(c).strip()) for c in rows[h]]
    cols: list = []
    used: set = set()
    for i, c in enumerate(header):  # a repeated name numbered _2, _3 …, never onto a name the file also has
        base = c or f"列{i + 1}"
        col, k = base, 1
        while col in used:
            k += 1
            col = f"{base}_{k}"
        used.add(col)
        cols.append(col)
    labels = [f"第{n}行" for n in lines[h + 1:]]
    limits.check("rows", len(labels), f"表格“{name}”")
    n = len(cols)
    longest = None
    if text:
        cells, longest = csvrows.text_columns(rows[h + 1:], n)
        frame = pd.DataFrame(cells.T, columns=cols, dtype=object, copy=False)
    else:
        body = [list(r) + [None] * (n - len(r)) for r in rows[h + 1:]]
        frame = pd.DataFrame([[(v.strip() or None) if type(v) is str else _cell(v) for v in r[:n]] for r in body],
                             columns=cols, dtype=object)
    if longest is not None and longest <= limits.short_cell() and len(set(cols)) == n:
        limits.check("columns", n, f"表格“{name}”")  # what check_frame checks when no cell is long
    else:
        limits.check_frame(frame, f"表格“{name}”", labels)
    check_no_mojibake(frame, f"表格“{name}”")
    return RawTable(frame=frame, geometry=None, crs=None, fmt=fmt, name=name, row_labels=labels, notes=notes)
