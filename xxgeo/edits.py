"""Edits that lose nothing: ``set`` (attributes and moves, version-checked), ``undo`` of the last change.

Works the same on every backend (the :class:`xxgeo.store.Store` interface), through its public methods
only. Every edit goes through
``store.update_feature`` (one transaction: version check, update, audit row). Undo reads the audit log
(``store.audit_entries``): an attribute edit or a move is reverted from its before/after values inside
``store.undo_feature`` (one transaction under the writer lock that re-reads the log, checks the feature and
writes an ``undo`` audit row); an import is reverted by swapping in the backup taken just before it
(``store.swap_in``). Undo refuses when the feature was changed again since (nothing is silently
overwritten). Several undos in a row walk back through the history: each ``undo`` row cancels the most
recent change not yet cancelled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import shapely

from .errors import NotFound, StaleEdit, StoreError, ValidationFailed
from .io import columns as colmap
from .io.coords import LAT, LON, parse_coord
from .io.merge import same_geometry
from .io.wording import note_text
from .precision import SCALE
from .schema import LAYERS, is_empty
from .store import AuditEntry, Revert, Store
from .store.inserts import BLOBS_KEY

CANCEL = "undo"
# rows undo walks past: the detail rows of an import (and of its undo), and account changes (not data: undo
# never touches accounts, and an admin adding a user must not block undoing the last edit)
DETAIL = ("import-update", "import-insert", "undo-import", "account-add", "account-remove")
UNDOABLE = ("update", "insert", "import", "import-replace")


def parse_assignments(store: Store, layer: str, items: list[str]) -> tuple[dict, object]:
    """``["状态=在建", "investment_wan=1200", "lon=111.3", "lat=35.1"]`` -> (changes, new point or None).

    Field names may be the schema's or the Chinese labels; values are normalised like an import
    (township names to codes, 是/否, 亿元 to 万元); ``field=`` clears a field.
    """
    lay = LAYERS.get(layer)
    if lay is None or not lay.id_field:
        raise NotFound(f"图层“{layer}”不能按编号修改。", english=f"Layer “{layer}” cannot be edited by id.")
    raw, lon, lat = {}, None, None
    for item in items:
        if "=" not in item:
            raise NotFound(f"“{item}”不是“字段=值”的形式，例如 status=在建。",
                           english=f"“{item}” is not of the form field=value, for example status=在建 (under "
                                   "construction).")
        k, v = item.split("=", 1)
        key = colmap.header_key(k, strip_unit=True)
        if key in {colmap.header_key(x) for x in LON}:
            lon = v
        elif key in {colmap.header_key(x) for x in LAT}:
            lat = v
        else:
            raw[k.strip()] = v
    mapped = colmap.map_columns(pd.DataFrame({k: [v] for k, v in raw.items()}, dtype=object), layer,
                                townships=store.read("townships"), parks=store.read("parks"))
    if mapped.unmapped:
        raise NotFound(f"图层“{lay.label}”没有字段：{'、'.join(mapped.unmapped)}。可改的字段："
                       f"{'、'.join(f.name for f in lay.fields if f.name not in (lay.id_field, 'version'))}。",
                       english=f"Layer “{layer}” has no field(s): {', '.join(mapped.unmapped)}. Fields that can be "
                               "changed: "
                               f"{', '.join(f.name for f in lay.fields if f.name not in (lay.id_field, 'version'))}.")
    if mapped.problems:
        raise ValidationFailed("修改未保存：" + "；".join(mapped.problems[0]), mapped.problems[0],
                               english="Edit not saved: " + "; ".join(note_text(m, "en") for m in mapped.problems[0]))
    changes = {f: _plain(mapped.frame[f].iloc[0]) for f in mapped.provided}
    if "_investment_orig" in mapped.frame.columns and "investment_note" not in changes:
        changes["investment_note"] = mapped.frame["_investment_orig"].iloc[0]
    geom = None
    if lon is not None or lat is not None:
        try:
            x, y = parse_coord(lon), parse_coord(lat)
        except ValueError as exc:
            raise ValidationFailed(f"修改未保存：坐标“{exc}”无法识别。",
                                   english=f"Edit not saved: the coordinate “{exc}” is not understood.") from None
        if x is None or y is None:
            raise ValidationFailed("修改未保存：移动位置需要同时给出 lon= 和 lat=。",
                                   english="Edit not saved: a move needs both lon= and lat=.")
        geom = shapely.Point(x, y)
    if not changes and geom is None:
        raise NotFound("没有给出要修改的字段，例如 status=在建。",
                       english="No field to change was given, for example status=在建 (under construction).")
    return changes, geom


def _plain(v):
    if is_empty(v):
        return None
    return v.item() if hasattr(v, "item") else v


def set_fields(store: Store, layer: str, feature_id: str, items: list[str], *, user: str,
               expected_version: int | None = None) -> tuple[int, dict]:
    """Apply ``field=value`` edits to one feature; returns (new version, changes)."""
    changes, geom = parse_assignments(store, layer, items)
    if geom is not None:
        c = store.read("county")
        if len(c) and not shapely.union_all(c.geometry.values).buffer(0.05).intersects(geom):
            raise ValidationFailed(f"修改未保存：新位置不在{c['name'].iloc[0]}范围内（距县界超过约5公里），"
                                   "请检查经纬度。",
                                   english="Edit not saved: the new position is outside the county (more than about "
                                           "5 km beyond its boundary); check the longitude and latitude.")
        if "loc_precision" in LAYERS[layer].field_names and "loc_precision" not in changes:
            raise ValidationFailed(  # never assumed (issue 13): the user says how exact the new position is
                "修改未保存：改了位置，请同时写明位置精度 loc_precision=…（" + "、".join(
                    f"{p.code} {p.zh}" for p in SCALE) + "），精度不会默认为实测。",
                english="Edit not saved: the position changed, so also give its precision, loc_precision=… ("
                        + ", ".join(f"{p.code} ({p.en})" for p in SCALE) + "); it is never assumed surveyed.")
    # update_feature records the old geometry (WKT) in the audit row, so a move can be undone
    version = store.update_feature(layer, feature_id, changes, user=user, expected_version=expected_version,
                                   geometry=geom)
    return version, changes


# ----------------------------------------------------------------------------- undo
@dataclass
class Change:
    """One undoable entry of the audit log."""

    fid: int
    at: str
    user: str
    layer: str
    feature_id: str | None
    action: str
    before: dict
    after: dict

    def describe(self) -> str:
        """A sentence for the user: who changed what, when."""
        what = "、".join(k for k in self.after if not k.startswith("_")) if self.action == "update" else ""
        if self.action == "update":
            return f"{self.at} {self.user} 修改了 {self.layer} {self.feature_id} 的 {what}"
        if self.action == "insert":
            return f"{self.at} {self.user} 新增了 {self.layer} {self.feature_id}"
        return f"{self.at} {self.user} 导入了 {self.after.get('file', '文件')} 到 {self.layer}" + (
            "（替换整层）" if self.action == "import-replace" else "")


def _load(s):
    try:
        v = json.loads(s) if s else {}
    except (TypeError, json.JSONDecodeError):
        return {}
    return v if isinstance(v, dict) else {}


def _target(rows: list[AuditEntry]) -> tuple[Change | None, AuditEntry | None]:
    """The most recent change not cancelled by an ``undo`` row (and the raw row when it cannot be undone)."""
    pending = 0
    for r in reversed(rows):
        if r.action == CANCEL:
            pending += 1
        elif r.action in DETAIL:
            continue
        elif pending:
            pending -= 1
        elif r.action in UNDOABLE:
            return Change(r.fid, r.at, r.user, r.layer, r.feature_id, r.action, _load(r.before), _load(r.after)), None
        else:
            return None, r
    return None, None


def last_change(store: Store) -> Change | None:
    """What :func:`undo_last` would undo (None when nothing can be undone)."""
    change, _ = _target(store.audit_entries())
    return change


def _blocked(raw: AuditEntry | None) -> tuple[str, str]:
    """Why nothing can be undone: (Chinese, English)."""
    if raw is None:
        return "没有可以撤销的修改。", "There is no change that can be undone."
    names = {"restore": "恢复备份", "build": "重建数据库", "write": "整层写入", "copy": "复制整个数据库",
             "indicator_actuals": "录入指标年度实际值"}
    names_en = {"restore": "a backup restore", "build": "a store rebuild", "write": "a whole-layer write",
                "copy": "a copy of the whole store", "indicator_actuals": "entering indicator actual values"}
    return (f"最近一次操作是{names.get(raw.action, raw.action)}（{raw.at}，{raw.user}），不能撤销；"
            "如需回到之前的状态，请用 python -m xxgeo restore 选择备份。",
            f"The last operation was {names_en.get(raw.action, raw.action)} ({raw.at}, {raw.user}), which cannot "
            "be undone; to go back to an earlier state, choose a backup with python -m xxgeo restore.")


CHANGED = "最近的修改已变化（有人刚刚修改了数据），请刷新后再撤销。"
CHANGED_EN = "The latest change is no longer the same (someone just changed the data); refresh, then undo again."


def undo_last(store: Store, *, user: str) -> str:
    """Undo the most recent change (an edit, a move or an import) on either backend; returns a sentence
    saying what was undone. Refuses, changing nothing, when it cannot be undone or was overtaken."""
    change, raw = _target(store.audit_entries())
    if change is None:
        zh, en = _blocked(raw)
        raise NotFound(zh, english=en)
    if change.action in ("update", "insert"):
        return _undo_update(store, change, user)
    return _undo_import(store, change, user)


def _undo_update(store: Store, seen: Change, user: str) -> str:
    def decide(rows: list[AuditEntry], current) -> Revert:
        change, _ = _target(rows)
        if change is None or change.fid != seen.fid:
            raise StoreError(CHANGED, english=CHANGED_EN)
        if change.action == "insert":
            return _removal_of(change, current(change.layer, change.feature_id), user)
        return _revert_of(change, rows, current(change.layer, change.feature_id), user)

    store.undo_feature(decide)
    return f"已撤销：{seen.describe()}。"


def _revert_of(change: Change, rows: list[AuditEntry], current: dict | None, user: str) -> Revert:
    """The values that undo ``change``, after checking the feature still holds what the change wrote."""
    if current is None:
        raise NotFound(f"要素 {change.feature_id} 已不存在，无法撤销。",
                       english=f"Feature {change.feature_id} no longer exists, so the change cannot be undone.")
    lay = LAYERS[change.layer]
    values, restored = {}, dict(change.before)
    rev = Revert(change.layer, change.feature_id, values, audit={})
    for k, v in change.after.items():
        if k == "geometry":
            if not same_geometry(current.get("geometry"), shapely.from_wkt(v) if v else None, 1e-6):
                raise StaleEdit(f"{change.feature_id} 的位置在这次修改之后又被改过，不能撤销（以免覆盖他人的修改）。",
                                english=f"The position of {change.feature_id} was changed again after this change, "
                                        "so it cannot be undone (that would overwrite someone else's change).")
            old = _previous_geometry(rows, change)
            restored["geometry"] = None if old is None else shapely.to_wkt(old, rounding_precision=9)
            rev.geometry, rev.set_geometry = old, True
            continue
        if k not in lay.field_names:
            continue
        if not _equal(current.get(k), v):
            raise StaleEdit(f"{change.feature_id} 的“{lay.field(k).label or k}”在这次修改之后又被改过，"
                            "不能撤销（以免覆盖他人的修改）。",
                            english=f"“{k}” of {change.feature_id} was changed again after this change, so it cannot "
                                    "be undone (that would overwrite someone else's change).")
        values[k] = change.before.get(k)
    rev.audit = {"user": user, "layer": change.layer, "feature_id": change.feature_id, "action": CANCEL,
                 "before": json.dumps(change.after, ensure_ascii=False),
                 "after": json.dumps({**restored, "_undo_of": change.at}, ensure_ascii=False, default=str)}
    return rev


def _removal_of(change: Change, current: dict | None, user: str) -> Revert:
    """The undo of an insert: the row removed (and the blobs kept with it), after checking it still holds what
    the insert wrote (a later change not undone first is never silently lost)."""
    if current is None:
        raise NotFound(f"要素 {change.feature_id} 已不存在，无法撤销。",
                       english=f"Feature {change.feature_id} no longer exists, so the change cannot be undone.")
    lay = LAYERS[change.layer]
    for k in lay.field_names:  # a field the insert left empty must still be empty
        if k != "version" and not _equal(current.get(k), change.after.get(k)):
            raise StaleEdit(f"{change.feature_id} 的“{lay.field(k).label or k}”在新增之后又被改过，"
                            "不能撤销（以免丢失他人的修改）。",
                            english=f"“{k}” of {change.feature_id} was changed after it was added, so adding it "
                                    "cannot be undone (that would lose someone else's change).")
    audit = {"user": user, "layer": change.layer, "feature_id": change.feature_id, "action": CANCEL,
             "before": json.dumps(change.after, ensure_ascii=False, default=str),
             "after": json.dumps({"_removed": True, "_undo_of": change.at}, ensure_ascii=False)}
    return Revert(change.layer, change.feature_id, {}, audit=audit, delete=True,
                  drop_blobs=bool(change.after.get(BLOBS_KEY)))


def _equal(a, b) -> bool:
    if is_empty(a) and is_empty(b):
        return True
    if isinstance(b, bool) or isinstance(a, bool):
        return bool(a) == bool(b) if not (is_empty(a) or is_empty(b)) else False
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _previous_geometry(rows: list[AuditEntry], change: Change):
    """The geometry before ``change``: its own before WKT, or the last earlier audit row that set it."""
    if "geometry" in change.before:  # update_feature records the old geometry as WKT (None: had none)
        wkt = change.before["geometry"]
        return shapely.from_wkt(wkt) if wkt else None
    for r in reversed([r for r in rows if r.fid < change.fid]):
        if r.layer == change.layer and r.feature_id == change.feature_id:
            after = _load(r.after)
            if after.get("geometry") and r.action in ("update", "import-update", "import-insert", CANCEL):
                return shapely.from_wkt(after["geometry"])
    raise NotFound(f"修改记录里没有 {change.feature_id} 移动前的位置，无法撤销这次移动；"
                   "请用 python -m xxgeo restore 选择之前的备份。",
                   english=f"The change log has no position of {change.feature_id} from before the move, so the move "
                           "cannot be undone; choose an earlier backup with python -m xxgeo restore.")


def _undo_import(store: Store, change: Change, user: str) -> str:
    name = change.before.get("backup")
    found = [b for b in store.list_backups() if b.name == name] if name else []
    if not found:
        raise NotFound(f"这次导入之前的备份（{name or '未记录'}）已不存在，无法撤销；"
                       "请用 python -m xxgeo restore 选择备份。",
                       english=f"The backup taken before this import ({name or 'not recorded'}) no longer exists, so "
                               "the import cannot be undone; choose a backup with python -m xxgeo restore.")

    def still_last(st: Store) -> None:  # runs under the writer lock, before anything is swapped
        now, _ = _target(st.audit_entries())
        if now is None or now.fid != change.fid:
            raise StoreError(CHANGED, english=CHANGED_EN)

    row = {"user": user, "layer": change.layer, "feature_id": None, "action": "undo-import",
           "before": json.dumps(change.after, ensure_ascii=False),
           "after": json.dumps({"restored": name, "_undo_of": change.at}, ensure_ascii=False)}
    store.swap_in(found[0], check=still_last, audit_rows=[row], action="before-undo")
    return f"已撤销：{change.describe()}（已恢复导入前的备份 {name}）。"
