"""Placing projects: the queue of projects still to be placed, and 保存位置 (one audited, versioned edit).

A placement is a geometry (a point, several points, a line or a polygon), the precision the user chose (never
assumed) and where it came from (``loc_source``: ``click``, ``paste``, ``draw``, ``photo``, a file name). The
township is derived from the geometry; when that moves the project to another township the user must confirm
first (:class:`~xxgeo.errors.MoveNotConfirmed`). The write goes through ``store.update_feature`` (version check,
audit row, the role check of :class:`~xxgeo.policy.GuardedStore`), so :func:`xxgeo.edits.undo_last` undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import shapely

from .errors import MoveNotConfirmed, ValidationFailed
from .precision import AREA_ONLY, BY_CODE, needs_placing
from .schema import LAYERS, is_empty

#: how far (degrees, ~5 km) outside the county outline a placement may lie (as ``edits.set_fields``)
COUNTY_MARGIN_DEG = 0.05
#: the sources a placement made in the app may name
SOURCES = ("click", "paste", "draw", "photo", "plan")
#: precision codes that say "no site": never the precision of a drawn or typed geometry
NOT_A_SITE = ("county",)


@dataclass(frozen=True)
class Placement:
    """What 保存位置 would write for one project (computed before anything is written)."""

    project_id: str
    geometry: object
    precision: str
    source: str
    township_code: str | None  # the township the geometry lies in (None: several, or none)
    township_codes: str | None  # every township it touches, ``;``-joined
    current_township: str | None

    @property
    def moves(self) -> bool:
        """True when the project would change township (the user confirms first)."""
        return (self.current_township or None) != (self.township_code or None) and bool(
            self.current_township or self.township_code)


def key_rank(projects: pd.DataFrame) -> pd.Series:
    """0 for key projects (a stated ``key_level``, or a plan subgroup of 重点/重大 projects), 1 for the rest."""
    key = pd.Series(False, index=projects.index)
    if "key_level" in projects.columns:
        key |= projects["key_level"].map(lambda v: not is_empty(v))
    if "subgroup" in projects.columns:
        key |= projects["subgroup"].fillna("").astype(str).str.contains("重点|重大", regex=True)
    return (~key).astype(int)


def placing_queue(projects: pd.DataFrame, township: str | None = None) -> pd.DataFrame:
    """Projects without a location or located only to a village, park, township or the county: key projects
    first, then those with a stated investment (largest first), then by id. ``township``: only those whose
    township is this one (a township head's queue)."""
    has_geom = projects.geometry.map(lambda g: g is not None and not g.is_empty)
    todo = [needs_placing(p, bool(h)) for p, h in zip(projects["loc_precision"], has_geom)]
    q = projects[todo]
    if township:
        q = q[q["township_code"].astype(str) == str(township)]
    order = pd.DataFrame({"key": key_rank(q), "inv": -q["investment_wan"].fillna(-1.0),
                          "id": q["project_id"].astype(str)}, index=q.index)
    return q.loc[order.sort_values(["key", "inv", "id"]).index]


def townships_of(geometry, townships) -> tuple[str | None, str | None]:
    """(township_code, township_codes) of a geometry: the one township it lies in, or ``None`` and every
    township it touches (``;``-joined) when it crosses a boundary; a point just outside every township (within
    the county margin) belongs to the nearest."""
    if geometry is None or geometry.is_empty or not len(townships):
        return None, None
    geoms = townships.geometry.values
    codes = townships["code"].astype(str).tolist()
    hits = [c for c, g in zip(codes, geoms) if g is not None and g.intersects(geometry)]
    if not hits:
        dist = [g.distance(geometry) if g is not None else float("inf") for g in geoms]
        best = min(range(len(codes)), key=dist.__getitem__)
        hits = [codes[best]] if dist[best] <= COUNTY_MARGIN_DEG else []
    if len(hits) > 1 and geometry.geom_type in ("Point",):  # on a shared boundary: the township it is nearest inside
        hits = [next(c for c, g in zip(codes, geoms) if c in hits and g.covers(geometry))]
    if not hits:
        return None, None
    ordered = sorted(set(hits))
    return (ordered[0] if len(ordered) == 1 else None), ";".join(ordered)


def plan_placement(row: dict, geometry, precision: str | None, source: str, *, townships, county) -> Placement:
    """Check a placement of the project ``row`` and derive its township; nothing is written.

    Refused (one sentence): no precision chosen, a precision that is no site, an empty geometry, or a
    geometry outside the county."""
    pid = str(row["project_id"])
    if is_empty(precision):
        raise ValidationFailed("位置未保存：请选择位置精度（实测、图上采集……），系统不会替您假定。",
                               english="Location not saved: choose the precision (surveyed, digitised …); it is never "
                                       "assumed.")
    if precision not in BY_CODE or precision in NOT_A_SITE:
        raise ValidationFailed(f"位置未保存：“{precision}”不能作为所画位置的精度。",
                               english=f"Location not saved: “{precision}” cannot be the precision of a drawn place.")
    if geometry is None or geometry.is_empty or not geometry.is_valid:
        raise ValidationFailed("位置未保存：还没有点选、绘制或输入位置（或所画图形无效）。",
                               english="Location not saved: no place was clicked, drawn or typed (or the drawn shape "
                                       "is not valid).")
    if geometry.geom_type not in LAYERS["projects"].geometry:
        raise ValidationFailed(f"位置未保存：项目不能是 {geometry.geom_type} 图形。",
                               english=f"Location not saved: a project cannot be a {geometry.geom_type}.")
    if len(county) and not shapely.union_all(county.geometry.values).buffer(COUNTY_MARGIN_DEG).covers(geometry):
        raise ValidationFailed("位置未保存：位置不在县域范围内（距县界超过约 5 公里），请检查。",
                               english="Location not saved: the place is outside the county (more than about 5 km "
                                       "beyond its boundary); check it.")
    code, codes = townships_of(geometry, townships)
    current = None if is_empty(row.get("township_code")) else str(row.get("township_code"))
    return Placement(pid, geometry, precision, source, code, codes, current)


def now_utc() -> str:
    """Now in UTC, ISO 8601 to the second (``located_at``; shown in local time)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def placement_changes(row: dict, p: Placement, *, user: str, at: str | None = None) -> dict:
    """The field changes of a placement: precision, source, who and when, and the township fields that differ
    (a township head's edit names no township field that stays the same)."""
    changes = {"loc_precision": p.precision, "loc_source": p.source, "located_by": user,
               "located_at": at or now_utc()}
    cur_code = None if is_empty(row.get("township_code")) else str(row["township_code"])
    cur_codes = None if is_empty(row.get("township_codes")) else str(row["township_codes"])
    if (p.township_code or None) != cur_code:
        changes["township_code"] = p.township_code
    if (p.township_codes or None) != (cur_codes or cur_code):
        changes["township_codes"] = p.township_codes
    return changes


def save_location(store, row: dict, placement: Placement, *, user: str, expected_version: int | None,
                  confirm_move: bool = False, at: str | None = None) -> int:
    """保存位置: write ``placement`` as one versioned, audited edit (``store`` may be a GuardedStore, which
    checks the role); returns the new version. A move to another township needs ``confirm_move``."""
    if placement.moves and not confirm_move:
        raise MoveNotConfirmed(f"这个位置在另一个乡镇（{placement.township_code or '多个乡镇'}），项目原属 "
                               f"{placement.current_township or '全县'}：请确认后再保存。",
                               english=f"This place lies in another township ({placement.township_code or 'several'}) "
                                       f"than the project's ({placement.current_township or 'county-wide'}): "
                                       "confirm, then save.")
    changes = placement_changes(row, placement, user=user, at=at)
    return store.update_feature("projects", placement.project_id, changes, expected_version=expected_version,
                                geometry=placement.geometry, user=user)


def is_area_only(code) -> bool:
    """True for a point standing for an area (village, park, township, county)."""
    return code in AREA_ONLY
