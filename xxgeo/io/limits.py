"""The ceilings an imported file must stay under, checked before (or while) the work, each with one sentence.

The limits in force are the settings' :class:`~xxgeo.config.ImportLimits`, or the ones the parsing worker was
handed (:func:`using`): the worker is a separate process whose environment may be older than the caller's.
Every refusal names the limit, its value and the variable that changes it, in Chinese and English.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import numpy as np

from ..config import ImportLimits, settings
from ..errors import ImportRefused
from .wording import cap as capital
from .wording import english_what

_FORCED: list[ImportLimits] = []

#: a text cell this long or shorter is not measured by :func:`check_cells` (nor by :func:`check_frame`) — unless a
#: limit is set lower (:func:`short_cell`)
SHORT_CELL = 64


def short_cell() -> int:
    """The length up to which a cell cannot break any cell limit: :data:`SHORT_CELL`, or less where the nesting,
    cell or line limit is set below it (a cell of n characters nests at most n levels)."""
    lim = current()
    return min(SHORT_CELL, lim.nesting, lim.cell_chars, lim.line_chars)

#: limit -> (variable, what was found (zh, ``{n}`` the count), what when not counted, unit zh, unit en, noun en)
_WHAT = {
    "rows": ("XXGEO_MAX_ROWS", "有 {n} 行数据", "的数据行太多", "行", "rows", "data rows"),
    "features": ("XXGEO_MAX_FEATURES", "有 {n} 个要素", "的要素太多", "个要素", "features", "features"),
    "columns": ("XXGEO_MAX_COLUMNS", "有 {n} 列", "的列太多", "列", "columns", "columns"),
    "cell_chars": ("XXGEO_MAX_CELL_CHARS", "的一个单元格有 {n} 个字符", "的单元格太长", "个字符", "characters",
                   "characters in one cell"),
    "line_chars": ("XXGEO_MAX_LINE_CHARS", "的一行有 {n} 个字符", "的一行太长", "个字符", "characters",
                   "characters in one line"),
    "nesting": ("XXGEO_MAX_NESTING", "嵌套了 {n} 层", "嵌套太深", "层", "levels", "levels of nesting"),
    "unpacked_bytes": ("XXGEO_MAX_UNPACKED_MB", "解压后共 {n} MB", "解压后太大", "MB", "MB", "MB when unpacked"),
}


def current() -> ImportLimits:
    """The limits in force here: those handed to this worker, else the settings'."""
    return _FORCED[-1] if _FORCED else settings().import_limits


@contextlib.contextmanager
def using(limits: ImportLimits) -> Iterator[ImportLimits]:
    """Make ``limits`` the ones in force for the block (the worker process uses this)."""
    _FORCED.append(limits)
    try:
        yield limits
    finally:
        _FORCED.pop()


def over(limit: str, found: int | None, what: str, *, where: str = "") -> ImportRefused:
    """The refusal for ``what`` (a file's description) past ``limit``; ``found`` is the count seen (None: "more")."""
    var, seen, vague, unit, unit_en, noun_en = _WHAT[limit]
    cap = getattr(current(), limit)
    if limit == "unpacked_bytes":
        cap //= 1024 * 1024
        found = None if found is None else -(-found // (1024 * 1024))
    at = f"（{where}）" if where else ""
    told = seen.format(n=found) if found is not None else vague
    zh = (f"{what}{at}{told}，超过上限 {cap} {unit}（{var}），已拒绝，未导入任何数据；"
          "请拆分或精简文件后再导入，或请管理员调高该上限。")
    en_seen = f"has {found} {noun_en}" if found is not None else f"has more {noun_en} than allowed"
    en = (f"{capital(english_what(what))} {en_seen}, over the limit of {cap} {unit_en} ({var}); nothing was imported. "
          "Split or trim the file, or ask an administrator to raise the limit.")
    return ImportRefused(zh, english=en)


def check(limit: str, found: int, what: str, *, where: str = "") -> None:
    """Refuse when ``found`` is past the limit named ``limit``."""
    if found > getattr(current(), limit):
        raise over(limit, found, what, where=where)


def bracket_depth(data: bytes | str, opening: bytes = b"[{", closing: bytes = b"]}") -> int:
    """The deepest nesting of ``opening``/``closing`` characters in ``data`` (brackets inside strings count
    too, so this is an upper bound; a cumulative sum in numpy, a fraction of a second for 100 MB)."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="replace")
    arr = np.frombuffer(data, dtype=np.uint8)
    if not len(arr):
        return 0
    step = np.zeros(len(arr), dtype=np.int32)
    for c in opening:
        step[arr == c] = 1
    for c in closing:
        step[arr == c] = -1
    if not step.any():
        return 0
    return int(np.cumsum(step, dtype=np.int64).max())


_WKT = re.compile(r"^\s*(SRID=\d+;\s*)?(MULTI)?(POINT|LINESTRING|POLYGON|GEOMETRYCOLLECTION|CURVEPOLYGON|"
                  r"COMPOUNDCURVE|MULTICURVE|MULTISURFACE|CIRCULARSTRING|TRIANGLE|TIN|POLYHEDRALSURFACE)",
                  re.IGNORECASE)


def check_cells(values, what: str, where_of=None) -> None:
    """Every text cell of an iterable: its length (a WKT geometry cell: the line limit) and its parentheses'
    depth; ``where_of(i)`` names the row of the ``i``-th value for the message."""
    lim = current()
    short = short_cell()
    for i, v in enumerate(values):
        if not isinstance(v, str) or len(v) <= short:
            continue
        wkt = bool(_WKT.match(v))
        cap = lim.line_chars if wkt else lim.cell_chars
        if len(v) > cap:
            raise over("line_chars" if wkt else "cell_chars", len(v), what, where=where_of(i) if where_of else "")
        if v.count("(") > lim.nesting:
            depth = bracket_depth(v, b"(", b")")
            if depth > lim.nesting:
                raise over("nesting", depth, what, where=where_of(i) if where_of else "")


def check_frame(frame, what: str, labels: list | None = None) -> None:
    """Columns, then every text column's cells, of a frame read from a file."""
    check("columns", len(frame.columns), what)
    for col in frame.columns:
        s = frame[col]
        if s.dtype != object and str(s.dtype) not in ("string", "str"):
            continue
        place = (lambda i, c=col: f"{labels[i] if labels else f'第{i + 1}行'}“{c}”列")
        try:  # only cells over short_cell() characters can break a limit (check_cells skips the others and non-text)
            at = np.flatnonzero(s.str.len().fillna(0).to_numpy(dtype=float) > short_cell())
        except (AttributeError, TypeError, ValueError):  # values .str cannot measure: every cell
            check_cells(s.tolist(), what, place)
            continue
        check_cells(s.iloc[at].tolist(), what, (lambda k, at=at, place=place: place(int(at[k]))))
