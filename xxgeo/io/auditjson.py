"""The JSON text of many audit rows built a column at a time (issue 16 item 3).

An ``import-insert`` audit row's ``after`` is ``json_text({field: value, ..., "geometry": wkt})`` of the row's
non-empty fields in field order (:func:`xxgeo.io.vectorised.json_text`). Encoding 10^5 such dicts one encoder call
each costs a second; here each field's ``"name": value`` fragment is made once per value, with a single C call per
value for the common types (strings through json's own string encoder, ints and floats through the reprs json
itself uses), and each row's text is one join of its fragments. The text is byte-identical to ``json_text``'s.
"""

from __future__ import annotations

import itertools
import json.encoder
import math

import numpy as np

from .vectorised import json_text

#: json's string encoder for ``ensure_ascii=False`` (the C one where it exists), the one ``json_text`` uses
encode_str = json.encoder.encode_basestring
_SEP = ", "
_INT = int.__repr__
_FLOAT = float.__repr__
_BOOL = {True: "true", False: "false"}
_NONFINITE = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}  # json's allow_nan spellings


def value_text(v) -> str:
    """The JSON text of one value as ``json_text`` prints it (inside an object or alone: the same)."""
    t = type(v)
    if t is str:
        return encode_str(v)
    if t is int:
        return _INT(v)
    if t is float:
        s = _FLOAT(v)
        return _NONFINITE.get(s, s)
    return json_text(v)  # bool, None, str/int/float subclasses, containers, anything via default=str


def value_texts(values: list) -> list:
    """:func:`value_text` of each value; a column of one plain type takes one C call per value."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return list(map(encode_str, values))
    if kinds == {int}:
        return list(map(_INT, values))
    if kinds == {bool}:
        return list(map(_BOOL.__getitem__, values))
    if kinds == {float}:
        out = list(map(_FLOAT, values))
        return [_NONFINITE.get(s, s) for s in out] if not all(map(math.isfinite, values)) else out
    return list(map(value_text, values))


def fragments(name: str, values: list, skip: np.ndarray) -> list:
    """The parts one field adds to each row's text: the ``', "name": '`` before each value and the value's JSON
    text, both ``""`` where ``skip`` is set (the field is left out of that row). A part is a list (one text per
    row) or a str (the same for every row): the key of a field no row skips, and ``key + value`` when every row
    also has the same value (an import's source, its user, its time: made once, not once per row)."""
    key = _SEP + encode_str(name) + ": "
    keep = np.flatnonzero(~skip)
    if len(keep) == len(values):
        if values and _constant(values):
            return [key + value_text(values[0])]
        return [key, value_texts(values)]
    out = np.full(len(values), "", dtype=object)
    if len(keep):
        out[keep] = value_texts([values[i] for i in keep.tolist()])
    keys = np.full(len(values), key, dtype=object)
    keys[skip] = ""
    return [keys.tolist(), out.tolist()]


def _constant(values: list) -> bool:
    """Whether every value is the first one, with one JSON text: strings, ints and bools of one exact type
    (floats are left out: ``0.0 == -0.0`` but their texts differ)."""
    first = values[0]
    kind = type(first)
    return (kind in (str, int, bool) and values.count(first) == len(values)
            and set(map(type, values)) == {kind})


def objects(columns: list, n: int) -> list:
    """Each row's JSON object text from its fields' :func:`fragments` parts (in key order): one join per row,
    consecutive constant parts joined once beforehand."""
    parts: list = []
    for part in (p for col in columns for p in col):
        if isinstance(part, str) and parts and isinstance(parts[-1], str):
            parts[-1] += part
        else:
            parts.append(part)
    if not parts:
        return ["{}"] * n
    if isinstance(parts[0], str):  # the first field is in every row: its leading separator goes once
        parts[0] = "{" + parts[0][len(_SEP):]
        if isinstance(parts[-1], str):
            parts[-1] += "}"
        else:
            parts.append("}")
        if len(parts) == 1:
            return [parts[0]] * n
        return list(map("".join, zip(*(itertools.repeat(p) if isinstance(p, str) else p for p in parts))))
    lists = [itertools.repeat(p) if isinstance(p, str) else p for p in parts]
    return ["{" + s[2:] + "}" for s in map("".join, zip(*lists))]  # (texts are finite lists)


def row_texts(names: list, values: list, skip: list, geometry: list) -> list:
    """``json_text`` of each row's ``{name: value}`` over the names whose value is not skipped, then
    ``"geometry": text`` where the row's geometry text is not None (in the place of a ``geometry`` field the
    row kept, as a dict assignment puts it; else last). ``values[i]``/``skip[i]`` are field ``names[i]``'s
    column (values as JSON takes them) and its boolean mask of left-out rows."""
    n = len(geometry)
    geo = np.array([g is not None for g in geometry], dtype=bool)
    gtext = [g if g is not None else "" for g in geometry]
    cols = []
    tail = geo
    for name, vals, sk in zip(names, values, skip):
        sk = np.asarray(sk, dtype=bool)
        if name == "geometry":  # the row's geometry text replaces a kept geometry value where it has one
            inplace = geo & ~sk
            vals = [g if i else v for v, g, i in zip(vals, gtext, inplace.tolist())]
            tail = geo & sk
        cols.append(fragments(name, vals, sk))
    if tail.any():
        cols.append(fragments("geometry", gtext, ~tail))
    return objects(cols, n)
