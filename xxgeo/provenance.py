"""Readable names for where data comes from: what investors and reports show instead of the technical
provenance (package versions, infobox names, datum conversions) kept in the layers' ``source`` fields and in
``geodata/sources/PROVENANCE.md``.

The names are data: ``files.source_labels`` of the county profile, a CSV ``contains,label,label_en`` whose
``contains`` is looked for (case-insensitively) in a source text; every label found is named once, in file
order. A source text no row matches is shown as it is: it is what a user typed when importing (e.g. “县自然资源局
2025 年测绘”), or the profile has not named its sources yet; :func:`known` tells the two apart for tests.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from .county import county
from .vocab import is_blank, not_stated


@lru_cache(maxsize=4)
def _rows(path: str) -> tuple[tuple[str, str, str], ...]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return tuple((r["contains"].strip().lower(), r["label"].strip(), r["label_en"].strip())
                     for r in csv.DictReader(fh) if (r.get("contains") or "").strip())


def label_rows() -> tuple[tuple[str, str, str], ...]:
    """The profile's (contains, label, label_en) rows; none when the profile names no ``source_labels`` file."""
    c = county()
    return _rows(str(c.path("source_labels"))) if "source_labels" in c.files else ()


def known(text) -> list[tuple[str, str]]:
    """The (Chinese, English) names of the sources the profile knows that a provenance text mentions."""
    if is_blank(text):
        return []
    low, out = str(text).lower(), []
    for key, zh, en in label_rows():
        if key in low and (zh, en) not in out:
            out.append((zh, en))
    return out


def source_labels(text) -> list[tuple[str, str]]:
    """The (Chinese, English) names of a provenance text's sources; the text itself (as both) when it names none
    the profile knows; ``[]`` for an empty text."""
    if is_blank(text):
        return []
    return known(text) or [(str(text).strip(), str(text).strip())]


def source_label(text, lang: str = "zh") -> str:
    """A provenance text's readable name in ``lang`` (``"both"``: “维基百科 / Wikipedia”); 未注明 when empty."""
    found = source_labels(text)
    if not found:
        return not_stated(lang) if lang != "both" else f"{not_stated('zh')} / {not_stated('en')}"
    if lang == "both":
        return "；".join(f"{zh} / {en}" for zh, en in found)
    return ("; " if lang == "en" else "；").join(en if lang == "en" else zh for zh, en in found)
