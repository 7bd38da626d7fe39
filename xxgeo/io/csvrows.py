"""The records of a delimited text table and its body as columns, the cheap way for large files.

:func:`records` gives what reading the text line by line through the csv module with every import limit checked
as it goes gives (the lines, columns and rows limits, in the order a streaming read meets them), with the checks
done in a few C-level passes: the longest line in one ``map(len, ...)``, at most ``rows + 16`` records taken with
:func:`itertools.islice`, the widest record in one ``max(map(len, ...))``. When a pass finds something over a
limit, or the csv module fails, the streaming read itself (:func:`streamed`) runs to say which refusal comes first.

:func:`filled_text` and :func:`text_columns` are the blank-row test and the cell reading (stripped, empty ->
None) of :mod:`.tables` for records whose cells are all text (every record of a CSV), column by column.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
from collections.abc import Iterator
from itertools import islice
from operator import itemgetter

import numpy as np

from . import limits


def _lines(text: str, what: str):
    """The lines of ``text``, refusing one longer than the line limit before the csv module sees it."""
    cap = limits.current().line_chars
    for n, line in enumerate(io.StringIO(text), start=1):
        if len(line) > cap:
            raise limits.over("line_chars", len(line), what, where=f"第{n}行")
        yield line


def clipped(row: list, n: int, what: str) -> list:
    """``row`` cut to the column limit: refused when a value lies past it (trailing empty cells do not count)."""
    cap = limits.current().columns
    if len(row) <= cap:
        return row
    tail = row[cap:]
    if tail.count(None) != len(tail):
        width = len(row) - next(i for i, v in enumerate(reversed(row)) if v is not None)
        raise limits.over("columns", width, what, where=f"第{n}行")
    return row[:cap]


def bounded_rows(rows, what: str):
    """Rows of a table, refused as soon as one is wider than the column limit or there are too many."""
    lim = limits.current()
    for n, row in enumerate(rows, start=1):
        row = clipped(row, n, what)
        if n > lim.rows + 15:  # the header may sit under a few title rows
            raise limits.over("rows", None, what)
        yield row


def streamed(text: str, delim: str, what: str) -> list:
    """The records of ``text`` read line by line, each limit checked as the read reaches it (raises
    :class:`csv.Error` for a malformed table)."""
    return list(bounded_rows(csv.reader(_lines(text, what), delimiter=delim), what))


def records(text: str, delim: str, what: str) -> list:
    """The records of ``text`` (``delim``-separated) exactly as :func:`streamed` gives them, refusals included."""
    lim = limits.current()
    if max(map(len, io.StringIO(text)), default=0) > lim.line_chars:
        return streamed(text, delim, what)  # which refusal a streaming read meets first
    try:
        rows = list(islice(csv.reader(io.StringIO(text), delimiter=delim), lim.rows + 16))
    except csv.Error:
        return streamed(text, delim, what)  # the same error, or a refusal the read meets before it
    if rows and max(map(len, rows)) > lim.columns:
        rows = [clipped(r, n, what) if len(r) > lim.columns else r for n, r in enumerate(rows, start=1)]
    if len(rows) > lim.rows + 15:
        raise limits.over("rows", None, what)
    return rows


def filled_text(rows: list) -> list:
    """For records of text cells: whether each has a cell that is not blank (``"".join(row).strip()``)."""
    return list(map(bool, map(str.strip, map("".join, rows))))


def text_columns(body: list, n: int) -> tuple[np.ndarray, int]:
    """The ``n x len(body)`` object array (one row per column) of records of text cells: each cell stripped, an
    empty one None, a record shorter than ``n`` padded with None and a longer one cut to ``n``; and the longest
    cell's length. Its transpose is the frame's values as pandas keeps them (one block, a column per row)."""
    out = np.empty((n, len(body)), dtype=object)  # filled with None
    if not body:
        return out, 0
    if min(map(len, body)) < n:  # a short record: padded with empty cells (read as None)
        body = [r if len(r) >= n else r + [""] * (n - len(r)) for r in body]
    longest = 0
    for j in range(n):  # one column at a time: no object per record (a transposition makes 100,000 of them)
        cells = list(map(str.strip, map(itemgetter(j), body)))
        longest = max(longest, max(map(len, cells)))
        out[j] = [s or None for s in cells]
    return out, longest


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for the block (back on after it if it was on): reading a large table
    makes an object per record and per cell, none of them in a cycle, and each few hundred of them would
    otherwise start a collection that walks the records read so far."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
