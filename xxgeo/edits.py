"""Edits that lose nothing: ``set`` (attributes and moves, version-checked), ``undo`` of the last change.

Every edit goes through :meth:`xxgeo.store.GpkgStore.update_feature` (one SQLite transaction: version
check, update, audit row). Undo reads the audit log: an attribute edit is reverted from its before/after
values in one transaction that writes an ``undo`` audit row; an import is reverted by swapping in the
backup taken just before it. Undo refuses when the feature was changed again since (nothing is silently
overwritten). Several undos in a row walk back through the history: each ``undo`` row cancels the most
recent change not yet cancelled.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pandas as pd
import shapely

from .errors import NotFound, StaleEdit, StoreError, ValidationFailed
from .io import columns as colmap
from .io.coords import LAT, LON, parse_coord
from .io.merge import same_geometry
from .schema import LAYERS, is_empty
from .store import GpkgStore, connect, gpkg_blob, insert_audit, now_iso, sql_value

CANCEL = "undo"
DETAIL = ("import-update", "import-insert", "undo-import")
UNDOABLE = ("update", "import", "import-replace")


def _read(store: GpkgStore, layer: str, tries: int = 6):
    """``store.read`` retried briefly: GDAL opens the GeoPackage without a busy timeout, so a read that lands
    on another editor's commit fails with "database is locked" instead of waiting."""
    for k in range(tries):
        try:
            return store.read(layer)
        except StoreError:
            if k == tries - 1:
                raise
            time.sleep(0.05 * (k + 1))


def parse_assignments(store: GpkgStore, layer: str, items: list[str]) -> tuple[dict, object]:
    """``["状态=在建", "investment_wan=1200", "lon=111.3", "lat=35.1"]`` -> (changes, new point or None).

    Field names may be the schema's or the Chinese labels; values are normalised like an import
    (township names to codes, 是/否, 亿元 to 万元); ``field=`` clears a field.
    """
    lay = LAYERS.get(layer)
    if lay is None or not lay.id_field:
        raise NotFound(f"图层“{layer}”不能按编号修改。")
    raw, lon, lat = {}, None, None
    for item in items:
        if "=" not in item:
            raise NotFound(f"“{item}”不是“字段=值”的形式，例如 status=在建。")
        k, v = item.split("=", 1)
        key = colmap.header_key(k, strip_unit=True)
        if key in {colmap.header_key(x) for x in LON}:
            lon = v
        elif key in {colmap.header_key(x) for x in LAT}:
            lat = v
        else:
            raw[k.strip()] = v
    mapped = colmap.map_columns(pd.DataFrame({k: [v] for k, v in raw.items()}, dtype=object), layer,
                                townships=_read(store, "townships"), parks=_read(store, "parks"))
    if mapped.unmapped:
        raise NotFound(f"图层“{lay.label}”没有字段：{'、'.join(mapped.unmapped)}。可改的字段："
                       f"{'、'.join(f.name for f in lay.fields if f.name not in (lay.id_field, 'version'))}。")
    if mapped.problems:
        raise ValidationFailed("修改未保存：" + "；".join(mapped.problems[0]), mapped.problems[0])
    changes = {f: _plain(mapped.frame[f].iloc[0]) for f in mapped.provided}
    if "_investment_orig" in mapped.frame.columns and "investment_note" not in changes:
        changes["investment_note"] = mapped.frame["_investment_orig"].iloc[0]
    geom = None
    if lon is not None or lat is not None:
        try:
            x, y = parse_coord(lon), parse_coord(lat)
        except ValueError as exc:
            raise ValidationFailed(f"修改未保存：坐标“{exc}”无法识别。") from None
        if x is None or y is None:
            raise ValidationFailed("修改未保存：移动位置需要同时给出 lon= 和 lat=。")
        geom = shapely.Point(x, y)
    if not changes and geom is None:
        raise NotFound("没有给出要修改的字段，例如 status=在建。")
    return changes, geom


def _plain(v):
    if is_empty(v):
        return None
    return v.item() if hasattr(v, "item") else v


def set_fields(store: GpkgStore, layer: str, feature_id: str, items: list[str], *, user: str,
               expected_version: int | None = None) -> tuple[int, dict]:
    """Apply ``field=value`` edits to one feature; returns (new version, changes)."""
    changes, geom = parse_assignments(store, layer, items)
    if geom is not None:
        c = _read(store, "county")
        if len(c) and not shapely.union_all(c.geometry.values).buffer(0.05).intersects(geom):
            raise ValidationFailed("修改未保存：新位置不在夏县范围内（距县界超过约5公里），请检查经纬度。")
        if "loc_precision" in LAYERS[layer].field_names and "loc_precision" not in changes:
            changes["loc_precision"] = "surveyed"
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
        what = "、".join(k for k in self.after if not k.startswith("_")) if self.action == "update" else ""
        if self.action == "update":
            return f"{self.at} {self.user} 修改了 {self.layer} {self.feature_id} 的 {what}"
        return f"{self.at} {self.user} 导入了 {self.after.get('file', '文件')} 到 {self.layer}" + (
            "（替换整层）" if self.action == "import-replace" else "")


def _rows(con) -> list:
    return con.execute('SELECT fid, "at", "user", "layer", "feature_id", "action", "before", "after" '
                       "FROM audit_log ORDER BY fid").fetchall()


def _load(s):
    try:
        v = json.loads(s) if s else {}
    except (TypeError, json.JSONDecodeError):
        return {}
    return v if isinstance(v, dict) else {}


def _target(rows: list) -> tuple[Change | None, tuple | None]:
    """The most recent change not cancelled by an ``undo`` row (and the raw row when it cannot be undone)."""
    pending = 0
    for r in reversed(rows):
        action = r[5]
        if action == CANCEL:
            pending += 1
        elif action in DETAIL:
            continue
        elif pending:
            pending -= 1
        elif action in UNDOABLE:
            return Change(r[0], r[1], r[2], r[3], r[4], action, _load(r[6]), _load(r[7])), None
        else:
            return None, r
    return None, None


def last_change(store: GpkgStore) -> Change | None:
    """What :func:`undo_last` would undo (None when nothing can be undone)."""
    store._require()
    with connect(store.path) as con:
        change, _ = _target(_rows(con))
    return change


def _blocked(raw) -> str:
    if raw is None:
        return "没有可以撤销的修改。"
    names = {"restore": "恢复备份", "build": "重建数据库", "write": "整层写入"}
    return (f"最近一次操作是{names.get(raw[5], raw[5])}（{raw[1]}，{raw[2]}），不能撤销；"
            "如需回到之前的状态，请用 python -m xxgeo restore 选择备份。")


def undo_last(store: GpkgStore, *, user: str) -> str:
    """Undo the most recent change; returns a sentence saying what was undone."""
    if getattr(store, "kind", "gpkg") != "gpkg":
        raise StoreError("撤销目前只支持 GeoPackage 数据库；PostGIS 上请用 python -m xxgeo restore 恢复备份。")
    store._require()
    with connect(store.path) as con:
        change, raw = _target(_rows(con))
    if change is None:
        raise NotFound(_blocked(raw))
    if change.action == "update":
        return _undo_update(store, user)
    return _undo_import(store, change, user)


def _undo_update(store: GpkgStore, user: str) -> str:
    with store.lock(), connect(store.path) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            rows = _rows(con)
            change, raw = _target(rows)
            if change is None or change.action != "update":
                raise NotFound(_blocked(raw) if change is None else "最近的修改已变化，请刷新后再撤销。")
            lay = LAYERS[change.layer]
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{change.layer}")')]
            cur = con.execute(f'SELECT * FROM "{change.layer}" WHERE "{lay.id_field}" = ?',
                              (change.feature_id,)).fetchone()
            if cur is None:
                raise NotFound(f"要素 {change.feature_id} 已不存在，无法撤销。")
            current = dict(zip(cols, cur))
            gcol = _geom_col(con, change.layer)
            sets, vals = [], []
            restored = dict(change.before)
            for k, v in change.after.items():
                if k == "geometry":
                    from .store import blob_geom

                    now = blob_geom(current.get(gcol))
                    if not same_geometry(now, shapely.from_wkt(v) if v else None, 1e-6):
                        raise StaleEdit(f"{change.feature_id} 的位置在这次修改之后又被改过，不能撤销（"
                                        "以免覆盖他人的修改）。")
                    old = _previous_geometry(rows, change)
                    restored["geometry"] = None if old is None else shapely.to_wkt(old, rounding_precision=9)
                    sets.append(f'"{gcol}" = ?')
                    vals.append(gpkg_blob(old))
                    continue
                if not _equal(current.get(k), v):
                    raise StaleEdit(f"{change.feature_id} 的“{lay.field(k).label or k}”在这次修改之后又被改过，"
                                    "不能撤销（以免覆盖他人的修改）。")
                sets.append(f'"{k}" = ?')
                vals.append(sql_value(lay.field(k).kind, change.before.get(k)))
            if "version" in cols:
                sets.append('"version" = ?')
                vals.append(int(current.get("version") or 1) + 1)
            con.execute(f'UPDATE "{change.layer}" SET {", ".join(sets)} WHERE "{lay.id_field}" = ?',
                        (*vals, change.feature_id))
            insert_audit(con, [{"at": now_iso(), "user": user, "layer": change.layer, "feature_id": change.feature_id,
                                 "action": CANCEL, "before": json.dumps(change.after, ensure_ascii=False),
                                 "after": json.dumps({**restored, "_undo_of": change.at}, ensure_ascii=False)}])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return f"已撤销：{change.describe()}。"


def _geom_col(con, layer: str) -> str | None:
    row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()
    return row[0] if row else None


def _equal(a, b) -> bool:
    if is_empty(a) and is_empty(b):
        return True
    if isinstance(b, bool) or isinstance(a, bool):
        return bool(a) == bool(b) if not (is_empty(a) or is_empty(b)) else False
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _previous_geometry(rows: list, change: Change):
    """The geometry before ``change``: its own before WKT, or the last earlier audit row that set it."""
    if "geometry" in change.before:  # update_feature records the old geometry as WKT (None: had none)
        wkt = change.before["geometry"]
        return shapely.from_wkt(wkt) if wkt else None
    for r in reversed([r for r in rows if r[0] < change.fid]):
        if r[3] == change.layer and r[4] == change.feature_id:
            after = _load(r[7])
            if after.get("geometry") and r[5] in ("update", "import-update", "import-insert", CANCEL):
                return shapely.from_wkt(after["geometry"])
    raise NotFound(f"修改记录里没有 {change.feature_id} 移动前的位置，无法撤销这次移动；"
                   "请用 python -m xxgeo restore 选择之前的备份。")


def _undo_import(store: GpkgStore, change: Change, user: str) -> str:
    name = change.before.get("backup")
    src = store.backup_dir / name if name else None
    if src is None or not src.is_file():
        raise NotFound(f"这次导入之前的备份（{name or '未记录'}）已不存在，无法撤销；"
                       "请用 python -m xxgeo restore 选择备份。")

    def still_last(st: GpkgStore) -> None:
        with connect(st.path) as con:
            now, _ = _target(_rows(con))
        if now is None or now.fid != change.fid:
            raise StoreError("最近的修改已变化（有人刚刚修改了数据），请刷新后再撤销。")

    row = {"user": user, "layer": change.layer, "feature_id": None, "action": "undo-import",
           "before": json.dumps(change.after, ensure_ascii=False),
           "after": json.dumps({"restored": name, "_undo_of": change.at}, ensure_ascii=False)}
    store.swap_in(src, check=still_last, audit_rows=[row], action="before-undo")
    return f"已撤销：{change.describe()}（已恢复导入前的备份 {name}）。"
