"""Imports that attach locations to projects already stored (issue 13 item 3).

A row of a projects file names a stored project by 项目编号 (``project_id``, matched by the merge), by 项目代码
(``project_code``, when both the file and the store have it) or by its exact name (the merge, when one stored
project has it). A name that is close but not exact (rapidfuzz ``ratio`` ≥ :data:`CLOSE`) is never taken
silently: it becomes a :class:`Candidate` the user confirms (the app's review table, ``--accept-matches`` in the
CLI); unconfirmed candidates are held back and listed. Rows that match nothing are added as new projects.

Also here: the township a geometry lies in (:func:`township_of`) and the ``--default FIELD=VALUE`` reading.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ..schema import is_empty
from .newrows import blank
from .wording import Note

#: the least rapidfuzz ``ratio`` (0–100) at which a stored name is offered as a close match
CLOSE = 80.0
#: decisions on a close match: attach the row to the stored project, add it as a new project, or leave it out
DECISIONS = ("attach", "new", "skip")


@dataclass(frozen=True)
class Candidate:
    """A file row whose name is close to (not equal to) a stored project's."""

    pos: int  # position of the row in the incoming frame
    row: str  # the row's label (第3行, “乙” …)
    name: str  # the name in the file
    project_id: str  # the stored project it is close to
    stored_name: str
    score: float

    def text(self, lang: str = "zh") -> str:
        """One line for the CLI or a note."""
        if lang == "en":
            from ..english import row_en

            return (f"{row_en(self.row)}: “{self.name}” is close to {self.project_id} “{self.stored_name}” "
                    f"({self.score:.0f}%)")
        return f"{self.row}：“{self.name}”与 {self.project_id}“{self.stored_name}”相近（{self.score:.0f}%）"


def _clean(v) -> str | None:
    if type(v) is str:  # the usual cell, without the general emptiness test (the same answer)
        return v.strip() or None
    return None if v is None or is_empty(v) else str(v).strip()


def _cleaned(values: list) -> list:
    """:func:`_clean` of each value; a column of plain strings stripped in one C loop."""
    if set(map(type, values)) == {str}:
        return [v or None for v in map(str.strip, values)]
    return list(map(_clean, values))


def match_projects(incoming: pd.DataFrame, current: pd.DataFrame, *, accept=False,
                   decisions: dict | None = None) -> tuple[pd.DataFrame, list, list]:
    """Resolve the rows of ``incoming`` that name stored projects without their 项目编号.

    Returns (incoming with ``project_id`` set for rows matched by 项目代码 or by a confirmed close name, and held-back
    rows removed; the close-match candidates; notes). ``accept`` confirms every candidate; ``decisions`` maps a
    row label to one of :data:`DECISIONS` (the app's review table) and wins over ``accept``.
    """
    decisions = decisions or {}
    inc = incoming.reset_index(drop=True).copy()
    if "project_id" not in inc.columns:
        inc["project_id"] = None
    ids = current["project_id"].astype(str).tolist() if len(current) else []
    names = current["name"].tolist() if len(current) else []
    exact: dict = {}
    for pid, n in zip(ids, names):
        if isinstance(n, str):
            exact.setdefault(n.strip(), []).append(pid)
    codes: dict = {}
    if "project_code" in inc.columns and "project_code" in current.columns:
        for pid, c in zip(ids, current["project_code"].tolist()):
            if (c := _clean(c)) is not None:
                codes.setdefault(c, []).append(pid)
    pids = inc["project_id"].tolist()
    file_names = _cleaned(inc["name"].tolist()) if "name" in inc.columns else [None] * len(inc)
    left = np.flatnonzero(blank(pids)).tolist()  # the rows without a 项目编号
    by_code = 0
    if codes:  # no stored codes: nothing to match by code
        file_codes = inc["project_code"].tolist()
        rest = []
        for i in left:
            code = _clean(file_codes[i])
            if code is not None and len(codes.get(code, [])) == 1:
                pids[i] = codes[code][0]
                by_code += 1
            else:
                rest.append(i)
        left = rest
    once = {n for n, found in exact.items() if len(found) == 1}  # names the merge matches exactly
    open_rows = [(i, nm) for i in left if (nm := file_names[i]) is not None and nm not in once]
    notes = [Note(f"{by_code} 行按项目代码对应到已有项目。",
                  f"{by_code} row(s) matched stored projects by project code.")] if by_code else []
    candidates = _close(open_rows, ids, names, inc)
    drop, attached, held, added = [], 0, [], 0
    for c in candidates:
        choice = decisions.get(c.row, "attach" if accept else "skip")
        if choice == "attach":
            pids[c.pos] = c.project_id
            inc.at[c.pos, "name"] = c.stored_name  # the stored name stays: the file's spelling only matched it
            attached += 1
        elif choice == "new":
            added += 1
        else:
            drop.append(c.pos)
            held.append(c)
    inc["project_id"] = pids
    if attached:
        notes.append(Note(f"{attached} 行按确认的相近名称对应到已有项目。",
                          f"{attached} row(s) attached to stored projects by confirmed close names."))
    if added:
        notes.append(Note(f"{added} 行名称与已有项目相近，按您的选择作为新项目导入。",
                          f"{added} row(s) with a name close to a stored project's added as new projects, as chosen."))
    if held:
        more = len(held) > 5
        notes.append(Note(f"{len(held)} 行名称与已有项目相近但未确认，未导入：" + "；".join(c.text() for c in held[:5])
                          + ("等" if more else "") + "。确认后导入：加 --accept-matches（应用中在核对表里选择）。",
                          f"{len(held)} row(s) with a name close to a stored project's were not imported until "
                          "confirmed: " + "; ".join(c.text("en") for c in held[:5]) + (" …" if more else "")
                          + ". To attach them add --accept-matches (in the app: choose in the review table)."))
    return (inc.drop(index=drop).reset_index(drop=True) if drop else inc), candidates, notes


#: what :func:`_keys` drops besides the word 项目: Python's whitespace (``str.isspace``, the ``\\s`` of ``re``:
#: tests/test_close_names.py checks every codepoint) and these brackets and punctuation marks
_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200b))) + \
    "\u2028\u2029\u202f\u205f\u3000"
_PUNCTUATION = "（）()【】[]“”\"'‘’、，,。.·:：;；-"
#: the same as an RE2 pattern (Arrow's regular expressions; RE2's own ``\\s`` is ASCII only, so the class is spelled
#: out), runs of marks or the word, leftmost first as Python's ``re`` takes them
_NOISE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _WHITESPACE + _PUNCTUATION) + "]+|项目"
#: the same for Python's ``re``: names Arrow cannot take (a lone surrogate is not UTF-8)
_NOISE_RE = re.compile("[" + re.escape(_WHITESPACE + _PUNCTUATION) + "]+|项目")


def _keys(names: list) -> list:
    """Each name for comparing: no brackets, punctuation, spaces or the word 项目 (天嘟生物 ~ 天嘟生物（项目）); a
    name that is nothing else stays as it is. One Arrow call for the whole list."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(names, type=pa.large_string())
    except UnicodeEncodeError:  # a lone surrogate somewhere: Python's own regular expression, name by name
        return [_NOISE_RE.sub("", n) or n for n in names]
    out = pc.replace_substring_regex(arr, pattern=_NOISE, replacement="")
    return pc.if_else(pc.equal(pc.utf8_length(out), 0), arr, out).to_pylist()


def _close(open_rows: list, ids: list, names: list, inc: pd.DataFrame) -> list:
    """The best close stored name (≥ :data:`CLOSE`, not equal) for each unmatched row name, in row order."""
    if not open_rows or not names:
        return []
    from .closenames import best_matches

    stored = [n.strip() if isinstance(n, str) else "" for n in names]
    qkeys = _keys([nm for _, nm in open_rows])
    keys = list(dict.fromkeys(qkeys))  # each distinct name compared once
    best, score = best_matches(keys, _keys(stored), CLOSE)
    near = {k: (best[r], score[r]) for r, k in enumerate(keys) if score[r] >= CLOSE}
    if not near:
        return []
    labels = inc["_row"].tolist() if "_row" in inc.columns else [f"第{i + 1}行" for i in range(len(inc))]
    out = []
    for (i, nm), k in zip(open_rows, qkeys):
        if k in near:
            j, sc = near[k]
            if stored[j] != nm:
                out.append(Candidate(i, str(labels[i]), nm, ids[j], stored[j], float(sc)))
    return out


def township_of(geoms, townships: pd.DataFrame) -> list:
    """The code of the township each geometry lies in (by a point on it: a point itself), or None. One prepared
    ``contains_xy`` per township over the points not yet placed (townships tile the county; where schematic
    outlines overlap, the first township in the layer's order wins)."""
    geoms = np.asarray(geoms, dtype=object)
    out: list = [None] * len(geoms)
    if not len(geoms) or townships is None or not len(townships) or "geometry" not in townships.columns:
        return out
    have = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if not len(have):
        return out
    pts = geoms[have].copy()
    other = shapely.get_type_id(pts) != 0
    if other.any():
        pts[other] = shapely.point_on_surface(pts[other])
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    found = np.full(len(pts), -1)
    for c, cell in enumerate(townships.geometry.values):
        left = np.flatnonzero(found < 0)
        if not len(left) or cell is None or cell.is_empty:
            continue
        shapely.prepare(cell)
        found[left[shapely.contains_xy(cell, x[left], y[left])]] = c
    codes = townships["code"].astype(str).tolist()
    for i, c in zip(have.tolist(), found.tolist()):
        if c >= 0:
            out[i] = codes[c]
    return out


def parse_defaults(items) -> dict:
    """``["类别=工业", "category=工业"]`` -> ``{"类别": "工业", "category": "工业"}`` (header -> value, as written)."""
    out = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            from ..errors import ImportRefused

            raise ImportRefused(f"--default 应写成 字段=值（如 类别=工业），而不是“{item}”。",
                                english=f"--default takes FIELD=VALUE (such as category=工业), not “{item}”.")
        out[key.strip()] = value.strip()
    return out


def apply_defaults(inc: pd.DataFrame, provided: list, layer: str, defaults, townships, parks) -> tuple:
    """Fill the fields named by ``--default`` where the file leaves them empty (a value read like a cell of the
    file: 工业类 -> 工业, 水头 -> its code); an unknown field or a value that cannot be read is refused."""
    from ..errors import ImportRefused
    from .columns import map_columns

    given = parse_defaults(defaults) if not isinstance(defaults, dict) else dict(defaults or {})
    notes: list = []
    if not given:
        return inc, notes
    mapped = map_columns(pd.DataFrame({k: [v] for k, v in given.items()}), layer, townships=townships, parks=parks)
    if mapped.unmapped:
        bad = "、".join(mapped.unmapped)
        raise ImportRefused(f"--default 中的“{bad}”不是本图层的字段。",
                            english=f"--default: “{bad}” is not a field of this layer.")
    if mapped.problems:
        msg = "；".join(m for ms in mapped.problems.values() for m in ms)
        raise ImportRefused(f"--default 的值无法使用：{msg}。", english=f"--default: a value cannot be used ({msg}).")
    inc = inc.copy()
    for f in mapped.provided:
        v = mapped.frame[f].iloc[0]
        if is_empty(v):
            continue
        if f not in inc.columns:
            inc[f] = None
        empty = inc[f].map(is_empty)
        inc.loc[empty, f] = v
        if f not in provided:
            provided.append(f)
        notes.append(Note(f"{int(empty.sum())} 行的“{f}”为空，按 --default 填为“{v}”。",
                          f"{int(empty.sum())} row(s) with an empty “{f}” filled with “{v}” (--default)."))
    return inc, notes


def precision_code(text: str | None) -> str | None:
    """A ``--precision`` value (a code such as ``village`` or its Chinese label) as the stored code."""
    from ..errors import ImportRefused
    from ..schema import LOC_PRECISION_LABELS, LOC_PRECISIONS
    from .columns import PRECISION_ALIASES

    if text is None or not str(text).strip():
        return None
    s = str(text).strip()
    code = s if s in LOC_PRECISIONS else PRECISION_ALIASES.get(s)
    if code not in LOC_PRECISIONS:
        known = "、".join(f"{c}（{LOC_PRECISION_LABELS.get(c, c)}）" for c in LOC_PRECISIONS)
        raise ImportRefused(f"位置精度“{s}”不存在；可用：{known}。",
                            english=f"No location precision “{s}”; use one of {', '.join(LOC_PRECISIONS)}.")
    return code


def location(precision: str | None, source: str, user: str) -> dict:
    """What a geometry set by this import records: precision, source (the file's name), who and when."""
    now = _dt.datetime.now().astimezone().isoformat(timespec="seconds")  # as the audit rows' ``at``
    return {"loc_precision": precision_code(precision), "loc_source": source, "located_by": user, "located_at": now}


def unstated_problem(labels: list, layer: str = "projects") -> Note:
    """The refusal for attached locations whose precision neither a column nor ``--precision`` states."""
    from ..english import row_en

    shown = "、".join(str(x) for x in labels[:3]) + ("等" if len(labels) > 3 else "")
    from ..schema import LAYERS

    what, what_en = ("项目", "projects") if layer == "projects" else (f"“{LAYERS[layer].label}”要素", layer)
    return Note(f"{shown}给已有{what}设置了位置，但文件没有“位置精度”列：请用 --precision 说明这些位置的精度"
                "（如 --precision village；应用中在“位置精度”里选择），不会默认按实测记录",
                f"{', '.join(row_en(x) for x in labels[:3])}{' …' if len(labels) > 3 else ''} set the location of "
                f"stored {what_en}, but the file has no location-precision column: state the precision with "
                "--precision (such as --precision village; in the app choose it under Location precision); it is "
                "never assumed surveyed")
