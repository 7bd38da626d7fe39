"""What "Chinese on an English page" means for the English walk (issue 17): every CJK character a user sees
that is not a data value.

**Data values** (:func:`data_values`), narrowly: the names of projects, townships, parks, villages, sites,
roads and reference places, the county's name, and the plan excerpts the store holds (a project's plan text,
location and investment notes, its box and subgroup; a park's description fields; a site's or road's places;
the plan's indicator names and the values as written; the villages the plan names). They are collected from the
store and subtracted from the page text; every other CJK character is a failure. Codes the store keeps in
Chinese (categories, statuses, kinds, road classes, units, 是/否 …) are *not* data values: they are shown
through :mod:`xxgeo.vocab` in English. One more kind of stored text counts as data: the provenance lines the
store keeps (a layer's ``source``, a township seat's ``seat_quality``), shown as recorded in the internal map's
popups and beside the investor's distances (the investor's readable source names are issue 17 item 1).
"""

from __future__ import annotations

import json
import re

import pandas as pd

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: CJK punctuation alone (、，（）“” …) next to a data value is part of how values are joined, not a word
CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

#: layer -> the columns whose values are data (names and plan excerpts)
DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "county": ("name", "source"),
    "townships": ("name", "seat_quality", "source"),
    "villages": ("name", "short_name", "source"),
    "parks": ("name", "aliases", "location_desc", "leading_industries", "enterprises", "infrastructure",
              "standard_factories", "targets", "distances_stated", "period", "source_ref"),
    "scenic_sites": ("name", "village", "place_note", "source_ref"),
    "roads": ("name", "from_place", "to_place", "via_places", "source_ref"),
    "projects": ("name", "village", "investment_note", "source_ref", "subgroup", "source_text", "place_note"),
    "indicators": ("name", "parent", "value_2015", "target_2020", "growth_target_13th", "value_2020",
                   "growth_actual_13th", "target_2025", "growth_14th", "source_ref", "lost_text"),
    "township_indicators": ("indicator",),
    "plan_villages": ("programme", "group", "village", "source_ref"),
    "places": ("name", "source"),  # the source: the store's provenance line shown beside a distance
}
#: an image the plan's text lost in conversion, as the store keeps it (the page shows a marker instead)
_IMAGE = re.compile(r"\[image:[^\]]*\]\"?|\[图片缺失\]")  # also the marker ``lost_text`` keeps (issue 13)


def data_values(dataset) -> list[str]:
    """Every data value with a CJK character, longest first (so a long name is taken out before its parts)."""
    out: set[str] = set()
    for layer, cols in DATA_COLUMNS.items():
        df = dataset.get(layer) if hasattr(dataset, "get") else dataset[layer]
        if df is None:
            continue
        for c in cols:
            if c not in df.columns:
                continue
            for v in df[c].dropna().astype(str):
                for part in [v, *v.split(";"), *_IMAGE.split(v)]:
                    part = part.strip()
                    if CJK.search(part):
                        out.add(part)
    return sorted(out, key=len, reverse=True)


class Residue:
    """Subtracts data values from texts and keeps what CJK is left (with the text it came from)."""

    def __init__(self, values: list[str]):
        self._re = re.compile("|".join(re.escape(v) for v in values)) if values else None
        self.found: dict[str, str] = {}

    def check(self, text: str, where: str = "") -> None:
        """Record the CJK words of ``text`` once its data values are removed."""
        if not isinstance(text, str) or not CJK.search(text):
            return
        rest = self._re.sub(" ", text) if self._re else text
        for m in CJK_WORD.finditer(rest):
            around = rest[max(0, m.start() - 50):m.end() + 50].replace("\n", " ")
            self.found.setdefault(m.group(), f"{where}: …{around}…")

    def message(self) -> str:
        """The failures, one a line."""
        return "\n".join(f"{w!r} in {src}" for w, src in sorted(self.found.items()))


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


def _arrow_strings(data: bytes):
    import pyarrow as pa

    try:
        table = pa.ipc.open_stream(data).read_all()
    except (pa.ArrowInvalid, OSError):
        return
    yield from (str(n) for n in table.column_names)
    for col in table.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_dictionary(col.type):
            yield from (str(v) for v in col.to_pylist() if v is not None)


def proto_strings(msg):
    """Every string a Streamlit element proto carries (labels, options, help, bodies, table cells, chart data,
    component arguments)."""
    for fd, value in msg.ListFields():
        repeated = fd.is_repeated if hasattr(fd, "is_repeated") else fd.label == 3
        if repeated and hasattr(value, "items"):  # a map field
            for k, item in value.items():
                yield str(k)
                if hasattr(item, "ListFields"):
                    yield from proto_strings(item)
                elif isinstance(item, str):
                    yield item
            continue
        for v in (value if repeated else [value]):
            if fd.type == fd.TYPE_MESSAGE:
                yield from proto_strings(v)
            elif fd.type == fd.TYPE_STRING:
                if fd.name in ("json_args", "spec", "json", "body") and v[:1] in ("{", "["):
                    try:
                        yield from _strings(json.loads(v))
                        continue
                    except ValueError:
                        pass
                yield v
            elif fd.type == fd.TYPE_BYTES:
                yield from _arrow_strings(v)


def app_texts(at):
    """(where, text) for every element of an AppTest run, sidebar and main. The map component's arguments are
    left to the browser walk (they carry the raw payload its script turns into labels, not what is shown)."""
    def walk(node, path):
        proto = getattr(node, "proto", None)
        if getattr(node, "type", "") == "component_instance":
            return
        if proto is not None and hasattr(proto, "ListFields"):
            for s in proto_strings(proto):
                yield path, s
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                kind = getattr(child, "type", type(child).__name__)
                yield from walk(child, f"{path}/{kind}")
        elif isinstance(node, pd.DataFrame):
            yield path, str(node)

    yield from walk(at._tree, "")
