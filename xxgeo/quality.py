"""How well the projects are placed: which locations are exact, and the data-quality figures (issue 13).

A project's ``loc_precision`` says how much is known of where it is. Only the precise codes are drawn as pins
that look exact; every other code — area-only ones (village, park, township, county) and any code this module
does not know (``near``, ``schematic``, a code added later) — is treated as *not* exact, so an unknown code can
never make a rough location look surveyed. :func:`precision_summary` gives the share of projects and of stated
investment (万元) at each precision, :func:`unplaced_key_projects` the key projects still without an exact place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .precision import AREA_ONLY as _AREA_ONLY
from .precision import CODES
from .precision import PRECISE as _PRECISE

#: the shared precision scale of issue 13, defined once in :mod:`xxgeo.precision`: a real site, an area only
PRECISE = tuple(c for c in CODES if c in _PRECISE)
AREA_ONLY = tuple(c for c in CODES if c in _AREA_ONLY)
#: the display order of the precision scale, most exact first (codes not listed come after, then "none")
SCALE = CODES
#: the code counted for a project with no ``loc_precision`` at all
NONE = "none"


def exact_mask(projects: pd.DataFrame) -> np.ndarray:
    """True for the rows drawn as exact pins: a precise code and a geometry."""
    if "loc_precision" not in projects.columns or not len(projects):
        return np.zeros(len(projects), dtype=bool)
    geom = projects.geometry.notna().to_numpy() if hasattr(projects, "geometry") else np.zeros(len(projects), bool)
    return projects["loc_precision"].isin(PRECISE).to_numpy() & geom


def _codes(projects: pd.DataFrame) -> pd.Series:
    if "loc_precision" not in projects.columns:
        return pd.Series(NONE, index=projects.index)
    return projects["loc_precision"].where(projects["loc_precision"].notna() & (projects["loc_precision"] != ""),
                                           NONE).astype(str)


def precision_summary(projects: pd.DataFrame) -> pd.DataFrame:
    """One row per precision code present, in scale order: ``code``, ``exact`` (drawn as a pin), ``projects``
    (count), ``share_projects`` (0–1), ``investment_wan`` (stated investment at that precision, 万元),
    ``share_investment`` (0–1 of all stated investment; empty when none is stated) and ``stated`` (how many of
    them state an investment). Projects without a stated investment count in ``projects`` only: nothing is
    assumed for them."""
    cols = ["code", "exact", "projects", "share_projects", "investment_wan", "share_investment", "stated"]
    if not len(projects):
        return pd.DataFrame(columns=cols)
    codes = _codes(projects)
    inv = pd.to_numeric(projects["investment_wan"], errors="coerce") if "investment_wan" in projects.columns \
        else pd.Series(np.nan, index=projects.index)
    frame = pd.DataFrame({"code": codes.to_numpy(), "inv": inv.to_numpy()})
    g = frame.groupby("code", sort=False)
    out = pd.DataFrame({"projects": g.size(), "investment_wan": g["inv"].sum(min_count=1),
                        "stated": g["inv"].count()}).reset_index()
    total_inv = float(inv.sum(min_count=1)) if inv.notna().any() else None
    out["share_projects"] = out["projects"] / len(projects)
    out["share_investment"] = out["investment_wan"] / total_inv if total_inv else np.nan
    out["exact"] = out["code"].isin(PRECISE)
    order = {c: i for i, c in enumerate(SCALE)}
    out["_o"] = out["code"].map(lambda c: order.get(c, len(SCALE) + (1 if c == NONE else 0)))
    return out.sort_values(["_o", "code"]).drop(columns="_o")[cols].reset_index(drop=True)


#: a key level's rank by the administrative level it names (国家 first); levels naming none come last
_LEVEL_WORDS = ("国家", "省", "市", "县")


def _level_rank(level) -> int:
    text = str(level)
    return next((i for i, w in enumerate(_LEVEL_WORDS) if w in text), len(_LEVEL_WORDS))


def unplaced_key_projects(projects: pd.DataFrame, limit: int | None = 20) -> tuple[pd.DataFrame, str]:
    """The key projects still without an exact place, most important first, and what "key" meant.

    With a ``key_level`` column (the dispatch fields of issue 12) the key projects are those with a key level,
    ordered by it (国家, 省, 市, 县 级, then any other) and then by stated investment; without it (or when no
    project has a level) the projects with a stated investment, largest first.
    Returns (rows, basis) with basis ``"key_level"`` or ``"investment"``, or ``"none"`` when no project at all
    (placed or not) has a key level or a stated investment — then nothing tells which ones are key."""
    inv_all = pd.to_numeric(projects["investment_wan"], errors="coerce") if "investment_wan" in projects.columns \
        else pd.Series(np.nan, index=projects.index)
    lvl_all = projects["key_level"] if "key_level" in projects.columns else None
    levelled = lvl_all is not None and bool((lvl_all.notna() & (lvl_all.astype(str) != "")).any())
    if not inv_all.notna().any() and not levelled:
        return projects.iloc[:0], "none"
    rest = projects[~exact_mask(projects)]
    inv = pd.to_numeric(rest["investment_wan"], errors="coerce") if "investment_wan" in rest.columns \
        else pd.Series(np.nan, index=rest.index)
    rest = rest.assign(_inv=inv)
    level = rest["key_level"] if "key_level" in rest.columns else None
    if level is not None and (level.notna() & (level.astype(str) != "")).any():
        keyed = rest[level.notna() & (level.astype(str) != "")]
        out = keyed.assign(_lvl=keyed["key_level"].map(_level_rank)).sort_values(["_lvl", "_inv"],
                                                                                ascending=[True, False])
        basis = "key_level"
        out = out.drop(columns="_lvl")
    else:
        out = rest[rest["_inv"].notna()].sort_values("_inv", ascending=False, kind="stable")
        basis = "investment"
    out = out.drop(columns="_inv")
    return (out.head(limit) if limit else out), basis
