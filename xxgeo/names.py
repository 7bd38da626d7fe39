"""Lenient matching of the names users type: a township's short name, its full name (裴介, 裴介镇) and its
9-digit code all mean one township."""

from __future__ import annotations

import re

import pandas as pd

from .county import county
from .errors import Ambiguous, NotFound

_SUFFIXES = ("镇", "乡", "街道")
_QUOTES = "\"'“”‘’「」『』《》()（） "


def _norm(s) -> str:
    s = "" if s is None else str(s)
    return "".join(ch for ch in s.strip() if ch not in _QUOTES)


def township_short(name: str) -> str:
    """庙前镇 -> 庙前, 胡张乡 -> 胡张."""
    n = _norm(name)
    for suf in _SUFFIXES:
        if n.endswith(suf) and len(n) > len(suf) + 1:
            return n[: -len(suf)]
    return n


def resolve_township(text, townships: pd.DataFrame, *, required: bool = True) -> str | None:
    """Return the 9-digit code of the township ``text`` names (name, short name or 9/12-digit code).

    Raises :class:`NotFound` with the list of townships when nothing matches and ``required``.
    """
    t = _norm(text)
    if not t:
        if required:
            raise NotFound("没有给出乡镇名称。", english="No township name was given.")
        return None
    codes = townships["code"].astype(str).tolist()
    names = townships["name"].astype(str).tolist()
    if re.fullmatch(r"\d{9}|\d{12}", t):
        c = t[:9]
        if c in codes and (len(t) == 9 or t[9:] == "000"):
            return c
    for c, n in zip(codes, names):
        if t == n or t == township_short(n) or township_short(t) == township_short(n):
            return c
    if required:
        raise NotFound(f"没有名为“{text}”的乡镇。{county().name}的乡镇有：{'、'.join(names)}（也可用简称或9位代码）。",
                       english=f"No township “{text}” in {county().name_en}. Give a township's name, short name "
                               f"or 9-digit code: {', '.join(codes)}.")
    return None


def township_names(townships: pd.DataFrame) -> dict:
    """Mapping code -> name."""
    return dict(zip(townships["code"].astype(str), townships["name"].astype(str)))


def resolve_park(text, parks: pd.DataFrame) -> str:
    """Return the ``park_id`` a user means: id, full name, alias, or a unique fragment (``裴介``)."""
    t = _norm(text)
    if not t:
        raise NotFound("没有给出园区名称。", english="No park name was given.")
    cands = []
    for _, r in parks.iterrows():
        aliases = [_norm(a) for a in str(r.get("aliases") or "").split("；") if a]
        names = [_norm(r["park_id"]), _norm(r["name"]), *aliases]
        if t in names:
            return str(r["park_id"])
        if any(t in n for n in names) or t == township_short(str(r.get("township_name") or "")):
            cands.append(str(r["park_id"]))
    if len(cands) == 1:
        return cands[0]
    all_names = "、".join(parks["name"].astype(str))
    if not cands:
        raise NotFound(f"没有名为“{text}”的园区。园区有：{all_names}。",
                       english=f"No park “{text}”. Parks (by id): {', '.join(parks['park_id'].astype(str))}.")
    raise Ambiguous(f"“{text}”对应多个园区，请写全名：{all_names}。",
                    english=f"“{text}” matches more than one park; give the full name or the id: {', '.join(cands)}.")


def short_village(name: str) -> str:
    """小吕村委会 -> 小吕村; 城东社区居委会 -> 城东社区."""
    n = _norm(name)
    for suf in ("村委会", "居委会"):
        if n.endswith(suf):
            n = n[: -len(suf)]
            if suf == "村委会":
                n += "村"
            break
    return n
