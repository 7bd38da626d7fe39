"""Validation against the schema (:data:`xxgeo.schema.LAYERS`): readable problem lists, never an exception.

:func:`validate_frame` checks a whole layer (required fields, kinds, choices, code patterns, text hygiene,
geometry types and whether a geometry lies in the county); :func:`check_value` one value of one field. Each
:class:`Problem`'s ``text`` is a Chinese sentence naming the layer, the row and what is wrong.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .arrowtext import blanks, text_array
from .county import county as county_profile
from .distinct import distinct_texts
from .schema import LAYERS, Field, Layer, is_empty
from .textsafe import CONTROL_RE


@dataclass
class Problem:
    """One validation finding."""

    layer: str
    text: str
    row: int | None = None
    feature_id: str | None = None
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = self.layer
        if self.feature_id:
            where += f" [{self.feature_id}]"
        elif self.row is not None:
            where += f" 第{self.row + 1}行"
        return f"{where}: {self.text}"


@dataclass
class Report:
    """Validation result of a whole store or one layer."""

    problems: list = field(default_factory=list)

    @property
    def errors(self) -> list:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, more) -> None:
        self.problems.extend(more)




#: The longest name (of a project, park, site …) the store takes: reports, maps and tables must stay readable.
NAME_MAX = 200
#: numeric fields in these units are amounts, sizes or distances: never negative, whatever the route (an import,
#: an edit, a new row)
NON_NEGATIVE_UNITS = ("万元", "字节", "像素", "米")


def check_value(f: Field, v) -> str | None:
    """The problem with one value of a field as a Chinese sentence, or None when it is fine."""
    if is_empty(v):
        return f"必填字段“{f.label or f.name}”（{f.name}）为空" if f.required else None
    if f.kind in ("int", "float", "year"):
        try:
            num = float(v)
        except (TypeError, ValueError):
            return f"字段“{f.label or f.name}”（{f.name}）应为数字，实际为“{v}”"
        if f.kind == "year" and not (1949 <= num <= 2100 and num == int(num)):
            return f"字段“{f.label or f.name}”（{f.name}）不是有效年份：{v}"
        if num < 0 and f.unit in NON_NEGATIVE_UNITS and f.kind != "year":
            return f"字段“{f.label or f.name}”（{f.name}）不能为负数：{v}"
    if isinstance(v, str):
        if CONTROL_RE.search(v):
            return (f"字段“{f.label or f.name}”（{f.name}）含有控制字符（不可见的特殊字符，如 "
                    f"U+{ord(CONTROL_RE.search(v).group()):04X}）；请删去后重试")
        if f.name == "name" and len(v) > NAME_MAX:
            return f"字段“{f.label or f.name}”（{f.name}）太长：{len(v)} 个字符，最多 {NAME_MAX} 个"
    if f.kind == "bool" and str(v).lower() not in ("true", "false", "1", "0"):
        return f"字段“{f.label or f.name}”（{f.name}）应为是/否，实际为“{v}”"
    if f.choices and str(v) not in f.choices:
        return f"字段“{f.label or f.name}”（{f.name}）的值“{v}”不在允许范围（{'、'.join(f.choices)}）内"
    pattern = f.regex()
    if pattern and not re.match(pattern, str(v)):
        return f"字段“{f.label or f.name}”（{f.name}）的值“{v}”格式不对"
    if f.kind == "date" and not _is_date(str(v)):
        return f"字段“{f.label or f.name}”（{f.name}）的值“{v}”不是有效日期（应为 YYYY-MM-DD）"
    return None


def _is_date(s: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(s)
    except ValueError:
        return False
    return len(s) == 10
_NUMBER_TYPES = (int, float, np.integer, np.floating)
_BOOL_TEXT = ("true", "false", "1", "0")


def fine_values(f: Field, col) -> np.ndarray:
    """A mask of the values of ``col`` for which :func:`check_value` certainly returns None, computed a column at
    a time; the rest (few, in real files) go through :func:`check_value` one by one, so the messages are its own.

    A column with no value is settled at once (fine unless required); a text column with few distinct values (a
    category, a precision, a source: 10^5 rows of a handful of texts) is checked once per distinct text."""
    arr = text_array(col) if _arrow_text(col) else None
    if arr is not None:
        return _fine_arrow(f, arr)
    values = col if isinstance(col, np.ndarray) else col.to_numpy(dtype=object)
    n = len(values)
    if not n:
        return np.zeros(0, dtype=bool)
    kind = pd.api.types.infer_dtype(values, skipna=True)  # in C: are all present values strings / numbers?
    if kind == "empty":
        return np.full(n, not f.required)
    found = distinct_texts(values) if kind == "string" else None
    if found is not None:  # equal texts are equal values: one check per distinct text is exact
        codes, uniq = found
        return np.where(codes < 0, not f.required, _fine(f, uniq, kind)[codes])
    return _fine(f, values, kind)


def _arrow_text(col) -> bool:
    """Whether ``col`` is a pandas ``str`` column held by Arrow (what the store's frames have)."""
    dtype = getattr(col, "dtype", None)
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _fine_arrow(f: Field, arr) -> np.ndarray:
    """:func:`fine_values` of an Arrow text column: a column of few distinct texts checked once per text by
    :func:`_fine`; a free-text field (no choices, no pattern) by Arrow's own blank, control-character and length
    tests, which are Python's codepoint for codepoint (tests/test_validation_arrow.py); any other by :func:`_fine`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(arr)
    if not n:
        return np.zeros(0, dtype=bool)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    enc = pc.dictionary_encode(arr)
    if 2 * len(enc.dictionary) < n:
        if not len(enc.dictionary):  # no text at all
            return np.full(n, not f.required)
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
        ok = _fine(f, np.asarray(enc.dictionary.to_pylist(), dtype=object), "string")
        return np.where(codes < 0, not f.required, ok[codes])
    if f.kind != "str" or f.choices or f.regex():
        return _fine(f, arr.to_numpy(zero_copy_only=False).astype(object), "string")
    blank = blanks(arr).to_numpy(zero_copy_only=False)
    ok = ~blank & ~pc.fill_null(pc.match_substring_regex(arr, _CONTROL_RE2), False).to_numpy(zero_copy_only=False)
    if f.name == "name":
        ok &= pc.fill_null(pc.less_equal(pc.utf8_length(arr), NAME_MAX), False).to_numpy(zero_copy_only=False)
    return ok | (blank & (not f.required))


#: :data:`~xxgeo.textsafe.CONTROL_RE` in RE2's syntax (Arrow's regular expressions)
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _fine(f: Field, values: np.ndarray, kind: str) -> np.ndarray:
    n = len(values)
    isna = pd.isna(values)
    if kind in ("string", "empty"):
        is_str = ~isna
    elif kind in ("integer", "floating", "mixed-integer-float", "decimal", "boolean"):
        is_str = np.zeros(n, dtype=bool)
    else:
        is_str = np.fromiter((type(v) is str for v in values), dtype=bool, count=n)
    if is_str.any():
        text = pd.Series(np.where(is_str, values, ""), dtype=object).astype(str)
        blank = isna | (is_str & (text.str.strip() == "").to_numpy())
    else:  # no text at all (a number or yes/no column): nothing to strip, match or measure
        text, blank = None, isna
    fine = blank.copy() if not f.required else np.zeros(n, dtype=bool)
    plain = not f.choices and not f.regex()
    if f.kind in ("int", "float", "year") and plain:
        if kind in ("integer", "floating", "mixed-integer-float"):
            is_num = ~blank
        else:
            is_num = np.fromiter((isinstance(v, _NUMBER_TYPES) and not isinstance(v, (bool, np.bool_))
                                  for v in values), dtype=bool, count=n) & ~blank
        nums = np.where(is_num, values, 0).astype(float)
        if f.kind == "year":
            is_num &= (nums >= 1949) & (nums <= 2100) & (nums == np.floor(nums))
        elif f.unit in NON_NEGATIVE_UNITS:
            is_num &= ~(nums < 0)
        fine |= is_num
    elif f.kind == "bool" and plain:
        ok = (~isna if kind == "boolean" else
              np.fromiter((isinstance(v, (bool, np.bool_)) for v in values), dtype=bool, count=n))
        if text is not None:
            ok |= is_str & text.str.lower().isin(_BOOL_TEXT).to_numpy()
        fine |= ok & ~blank
    elif f.kind == "str" and text is not None:
        ok = is_str & ~blank & ~text.str.contains(CONTROL_RE.pattern, regex=True).to_numpy()
        if f.name == "name":
            ok &= (text.str.len() <= NAME_MAX).to_numpy()
        if f.choices:
            ok &= text.isin([str(c) for c in f.choices]).to_numpy()
        if f.regex():
            ok &= text.str.match(f.regex()).fillna(False).to_numpy(dtype=bool)
        fine |= ok
    return fine


def validate_frame(layer_name: str, df, *, county=None) -> list[Problem]:
    """Check one layer's frame against its schema; returns problems (never raises on bad data).

    ``county`` (a shapely geometry in EPSG:4326), when given, is used to flag features far outside the
    county (more than ~5 km away).
    """
    lay = LAYERS[layer_name]
    problems: list[Problem] = []
    missing = [f.name for f in lay.fields if f.required and f.name not in df.columns]
    if missing:
        problems.append(Problem(layer_name, f"缺少必需字段：{'、'.join(missing)}"))
        return problems
    ids = df[lay.id_field].astype(str) if lay.id_field and lay.id_field in df.columns else None
    if ids is not None:
        dup = ids[ids.duplicated(keep=False) & ~df[lay.id_field].isna()]
        for v in sorted(set(dup)):
            problems.append(Problem(layer_name, f"编号重复：{v}", feature_id=v))
    for f in lay.fields:
        if f.unique and f.name in df.columns:
            present = df[f.name][df[f.name].notna()]
            vals = present[~present.map(is_empty)].astype(str)
            for v in sorted(set(vals[vals.duplicated(keep=False)])):
                problems.append(Problem(layer_name, f"“{f.label or f.name}”重复：{v}（应唯一）", feature_id=v))
    present = [f for f in lay.fields if f.name in df.columns]
    found: list = []  # (row, field order, message): the row-by-row order of the checks
    for order, f in enumerate(present):
        col = df[f.name]
        rows = np.flatnonzero(~fine_values(f, col))
        for i, v in zip(rows.tolist(), col.iloc[rows].to_numpy(dtype=object)):  # (as the whole column gives them)
            msg = check_value(f, v)
            if msg:
                found.append((i, order, msg))
    found.sort(key=lambda t: (t[0], t[1]))
    rows = np.array([i for i, _, _ in found], dtype=int)
    fids = [str(v) for v in df[lay.id_field].iloc[rows].to_numpy(dtype=object)] if ids is not None else None
    problems.extend(Problem(layer_name, msg, row=i, feature_id=fids[k] if fids else None)
                    for k, (i, _, msg) in enumerate(found))
    if lay.spatial and "geometry" in df.columns:
        problems.extend(_check_geometry(lay, df, county))
    return problems


@functools.lru_cache(maxsize=4)
def _near_of(wkb: bytes):
    import shapely

    near = shapely.from_wkb(wkb).buffer(0.05)
    shapely.prepare(near)
    return near


def _near(county):
    """The county grown by ~5 km, prepared: computed once per county outline (0.1 s of buffering a call)."""
    import shapely

    return _near_of(shapely.to_wkb(county))


def _check_geometry(lay: Layer, df, county) -> list[Problem]:
    """The geometry checks a column at a time (type, validity, distance from the county); messages in row order."""
    import shapely

    out: list[Problem] = []
    geoms = np.asarray(df.geometry.to_numpy(), dtype=object)
    if not len(geoms):
        return out
    fids = ([str(v) for v in df[lay.id_field].to_numpy(dtype=object)] if lay.id_field and lay.id_field in df.columns
            else None)
    # reference places (airport, city centre) lie outside the county on purpose
    near = _near(county) if county is not None and lay.name != "places" else None  # ~5 km
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                      "MultiPolygon", "GeometryCollection", ""], dtype=object)[shapely.get_type_id(geoms)]
    wrong = ~missing & ~np.isin(kinds, list(lay.geometry))
    check = ~missing & ~wrong
    invalid = check & ~shapely.is_valid(geoms)
    outside = np.zeros(len(geoms), dtype=bool)
    if near is not None:
        outside = check & ~shapely.intersects(near, geoms)
    bad = (missing & lay.geometry_required) | wrong | invalid | outside
    for i in np.flatnonzero(bad):
        fid = fids[i] if fids else None
        if missing[i]:
            out.append(Problem(lay.name, "缺少几何图形", row=int(i), feature_id=fid))
            continue
        if wrong[i]:
            out.append(Problem(lay.name, f"几何类型 {kinds[i]} 不适用于本图层（允许：{'、'.join(lay.geometry)}）",
                               row=int(i), feature_id=fid))
            continue
        if invalid[i]:
            out.append(Problem(lay.name, f"几何图形无效：{shapely.is_valid_reason(geoms[i])}", row=int(i),
                               feature_id=fid))
        if outside[i]:
            out.append(Problem(lay.name, f"位置不在{county_profile().name}范围内（距县界超过约5公里）", row=int(i),
                               feature_id=fid))
    return out
