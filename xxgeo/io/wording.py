"""English words for the Chinese descriptions the readers pass around (``压缩包``, ``表格“a.csv”``).

The readers name what they are reading in Chinese (``label``/``what`` arguments such as ``KMZ 文件`` or
``GeoJSON“a.geojson”``) and build both sentences of an :class:`~xxgeo.errors.ImportRefused` from it;
:func:`english_what` gives the English twin of such a description, so no signature has to carry both.
"""

from __future__ import annotations

#: Chinese head word -> English (first match wins, so the longer words come first)
_WORDS = (("KMZ 文件", "the KMZ file"), ("Excel 文件", "the Excel file"),
          ("压缩包", "the zip archive"), ("属性表", "the attribute table"),
          ("表格", "the table"), ("文件", "the file"))


def english_what(what: str) -> str:
    """``表格“a.csv”`` -> ``the table “a.csv”``; ``GeoJSON“a.json”`` -> ``GeoJSON “a.json”``."""
    for zh, en in _WORDS:
        if what.startswith(zh):
            what = en + what[len(zh):]
            break
    head, quote, rest = what.partition("“")
    return f"{head.rstrip()} “{rest}" if quote else what


def cap(text: str) -> str:
    """``text`` with its first letter in upper case (for a description that starts a sentence)."""
    return text[:1].upper() + text[1:]


class Note(str):
    """An import note: the Chinese sentence (it *is* the string, so every list of notes keeps working) with its
    English twin in ``en``; :func:`note_text` picks the one for a language."""

    en: str

    def __new__(cls, zh: str, en: str) -> Note:
        obj = super().__new__(cls, zh)
        obj.en = en
        return obj

    def __getnewargs__(self) -> tuple:  # pickled by the parsing worker
        return (str(self), self.en)


def note_text(note, lang: str = "zh") -> str:
    """A note (or problem line) in ``lang``: a :class:`Note`'s English twin, else the English that
    :func:`xxgeo.english.english` reads from the Chinese sentence."""
    if lang != "en":
        return str(note)
    from ..english import english

    return getattr(note, "en", None) or english(note)
