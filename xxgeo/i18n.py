"""The one translation mechanism: ``tr(key, lang, **kw)`` for every label and message of the UI, and
``value_text`` for stored Chinese values (categories, precision labels) shown in English.

The strings live in ``xxgeo/locale/strings.toml`` as ``key = ["中文", "English"]`` grouped in tables
(``[auth] user = [...]`` is the key ``auth.user``); the Chinese comes first and is what the app shows by
default. A key missing from the table is shown as the key itself (a test checks every key the views use).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from .vocab import is_blank, value_en

STRINGS_FILE = Path(__file__).resolve().parent / "locale" / "strings.toml"


def _flatten(table: dict, prefix: str = "") -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            zh, en = v
            out[key] = (str(zh), str(en))
    return out


@lru_cache(maxsize=1)
def strings() -> dict[str, tuple[str, str]]:
    """The whole string table: key -> (Chinese, English)."""
    return _flatten(tomllib.loads(STRINGS_FILE.read_text(encoding="utf-8")))


def in_lang(lang: str, zh, en):
    """The one of a pair of data values (a name and its ``name_en``, a title and its English) for ``lang``:
    the English when asked for and given, else the Chinese."""
    return zh if lang != "en" or is_blank(en) else en


def value_text(value, lang: str = "zh"):
    """A stored Chinese code value as shown in ``lang`` (unknown values unchanged)."""
    return value_en(value) if lang == "en" else value


def tr(key: str, lang: str = "zh", **kw) -> str:
    """The string for ``key`` in ``lang`` ('zh' or 'en'), formatted with ``kw``."""
    pair = strings().get(key)
    s = key if pair is None else (pair[1] if lang == "en" else pair[0])
    return s.format(**kw) if kw else s


def select_all(lang: str = "zh") -> bool:
    """Whether a multiselect offers Streamlit's own “Select all” (English only: its words cannot be set)."""
    return lang == "en"
