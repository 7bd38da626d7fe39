"""``python -m xxgeo import FILE --layer constraints --kind KIND``: one kind of control line, replaced as a whole.

A vectorised path of its own (a county's 永久基本农田 is 10^5 polygons and more): the file is parsed by the
shared readers in the limited worker (:func:`xxgeo.io.worker.read_isolated`: the same formats, encodings,
limits and isolation as every import), its coordinates converted by the shared CRS rules
(:func:`xxgeo.io.crs_rules.to_wgs84`: a CGCS2000 Gauss-Krüger shapefile of the 国土空间规划 is recognised,
with or without its zone prefix), and then every geometry is checked and repaired with array operations
(no per-row Python beyond the rare geometry collection). Nothing is written unless every feature is a
polygon; the write replaces the rows of that kind only, in one transaction with a backup taken first and an
audit row ``import-replace`` (so ``python -m xxgeo undo`` restores the backup).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import ImportRefused, ValidationFailed
from ..io.crs_rules import parse_crs, to_wgs84
from ..io.worker import read_isolated
from ..schema import LAYERS
from .kinds import rule_for
from .reading import READER, geometries

LAYER = "constraints"
#: headers that name a polygon (first match wins, compared without case): 名称, 图斑名称, 地块名称, 保护区名称 …
NAME_HEADERS = ("name", "名称", "名字", "mc", "tbmc", "dkmc", "bhqmc", "图斑名称", "地块名称", "保护区名称",
                "文物名称", "水源地名称", "隐患点名称", "jbntmc", "qymc")
_POLY = (3, 6)  # shapely type ids of Polygon, MultiPolygon
_COLLECTION = 7
MAX_LISTED = 3


@dataclass
class ConstraintImport:
    """What an import of one kind would write (``frame``), what it replaces, and the notes for the user."""

    kind: str
    rule: str
    name: str
    frame: gpd.GeoDataFrame
    replaced: int = 0
    notes: list = field(default_factory=list)
    backup: object = None

    def summary(self, lang: str = "zh") -> str:
        """What the import does, in one sentence."""
        if lang == "en":
            return (f"{len(self.frame)} polygons of “{self.kind}” ({self.rule}) replace the {self.replaced} "
                    "stored before")
        return f"“{self.kind}”（{self.rule}）{len(self.frame)} 个面，替换原有的 {self.replaced} 个"


def _kind(kind: str | None) -> str:
    k = (kind or "").strip()
    if not k:
        raise ImportRefused("导入管控边界须用 --kind 指明类型（如 --kind 永久基本农田、生态保护红线、城镇开发边界），"
                            "同一类型的原有数据将被整体替换。",
                            english="Importing control lines needs --kind (such as 永久基本农田, 生态保护红线, "
                                    "城镇开发边界); the stored polygons of that kind are replaced as a whole.")
    if len(k) > 60 or any(c in k for c in "\n\r\t;"):
        raise ImportRefused(f"管控类型“{k[:60]}”不可用：类型名称最多 60 个字符，且不含换行、制表符或分号。",
                            english="A control-line kind has at most 60 characters and no line breaks, tabs or "
                                    "semicolons.")
    return k


def _names(frame: pd.DataFrame, n: int) -> tuple[np.ndarray, str | None]:
    cols = {str(c).strip().lower(): c for c in frame.columns}
    for h in NAME_HEADERS:
        if h in cols:
            col = frame[cols[h]]
            vals = col.astype(object).where(col.notna(), None).to_numpy()
            vals = np.array([None if v is None or str(v).strip() == "" else str(v).strip() for v in vals],
                            dtype=object)
            return vals, str(cols[h])
    return np.full(n, None, dtype=object), None


def polygons_only(geoms: np.ndarray, labels: list) -> tuple[np.ndarray, list, list]:
    """(geometries, notes, problems): invalid polygons repaired (``make_valid``), collections reduced to their
    polygons, anything else a problem naming its row. Array operations throughout."""
    g = np.asarray(geoms, dtype=object)
    notes, problems = [], []
    missing = shapely.is_missing(g) | shapely.is_empty(g)
    bad_valid = ~missing & ~shapely.is_valid(g)
    if bad_valid.any():
        g = g.copy()
        g[bad_valid] = shapely.make_valid(g[bad_valid])
        notes.append(f"{int(bad_valid.sum())} 个面的几何图形无效（如自相交），已自动修复。")
    types = shapely.get_type_id(g)
    for i in np.flatnonzero(~missing & (types == _COLLECTION)):
        parts = [p for p in shapely.get_parts(g[i]) if shapely.get_type_id(p) in _POLY and not p.is_empty]
        g[i] = shapely.union_all(parts) if parts else None
    types = shapely.get_type_id(g)
    empty = shapely.is_missing(g) | shapely.is_empty(g)
    for i in np.flatnonzero(empty)[:MAX_LISTED]:
        problems.append(f"{labels[i] if i < len(labels) else f'第{i + 1}个要素'}：没有几何图形")
    if empty.sum() > MAX_LISTED:
        problems.append(f"共 {int(empty.sum())} 个要素没有几何图形")
    wrong = ~empty & ~np.isin(types, _POLY)
    for i in np.flatnonzero(wrong)[:MAX_LISTED]:
        problems.append(f"{labels[i] if i < len(labels) else f'第{i + 1}个要素'}：几何类型 "
                        f"{g[i].geom_type} 不是面（管控边界只收面）")
    if wrong.sum() > MAX_LISTED:
        problems.append(f"共 {int(wrong.sum())} 个要素不是面")
    return g, notes, problems


def overlapping(geoms: np.ndarray) -> np.ndarray:
    """For each polygon: do its inside and another polygon's of the same file meet (overlap, or one holds the
    other; touching edges do not count)? One STRtree self-query, the touching pairs then set aside."""
    out = np.zeros(len(geoms), dtype=bool)
    if len(geoms) > 1:
        a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        a, b = a[a != b], b[a != b]
        inner = ~shapely.touches(geoms[a], geoms[b])
        out[a[inner]] = True
    return out


def prepare_constraints(path, kind: str | None, store, *, rule: str | None = None, crs: str | None = None,
                        encoding: str | None = None, source_layer: str | None = None,
                        name: str | None = None) -> ConstraintImport:
    """Read, convert and check a file of one kind of control line without writing anything; refuses (one
    sentence, :class:`ImportRefused` or :class:`ValidationFailed`) when any feature is not a polygon."""
    kind = _kind(kind)
    rule = rule_for(kind, rule)
    store.require()
    name = name or Path(path).name
    choice = parse_crs(crs)
    raw = read_isolated(path, name=name, encoding=encoding, source_layer=source_layer, target=LAYER, reader=READER)
    raw.geometry = geometries(raw)
    notes = list(raw.notes)
    if raw.geometry is None:
        raise ImportRefused(f"文件“{name}”中没有几何图形；管控边界须是面图层（Shapefile、GeoPackage、GeoJSON、KML）。",
                            english=f"“{name}” has no geometries; control lines must be a polygon layer "
                                    "(shapefile, GeoPackage, GeoJSON, KML).")
    geoms, more = to_wgs84(np.asarray(raw.geometry, dtype=object), raw.crs, choice)
    notes += more
    labels = list(raw.row_labels) or [f"第{i + 1}个要素" for i in range(len(geoms))]
    geoms, more, problems = polygons_only(geoms, labels)
    notes += more
    if problems:
        shown = "；".join(problems[:MAX_LISTED])
        raise ValidationFailed(f"导入被拒绝，数据库未改动：{shown}。", problems,
                               english=f"Import refused: {len(problems)} problem(s) (features that are not "
                                       "polygons); nothing was written.")
    over = overlapping(geoms)
    if over.any():
        notes.append(f"{int(over.sum())} 个面与同一文件中的其他面互相重叠；检查时重叠部分只计一次。")
    names, col = _names(raw.frame, len(geoms))
    if col:
        notes.append(f"名称取自“{col}”列。")
    n = len(geoms)
    frame = gpd.GeoDataFrame({"kind": np.full(n, kind, dtype=object), "rule": np.full(n, rule, dtype=object),
                              "name": names, "source": np.full(n, name, dtype=object), "overlaps": over},
                             geometry=gpd.GeoSeries(geoms, crs="EPSG:4326").values, crs="EPSG:4326")
    return ConstraintImport(kind=kind, rule=rule, name=name, frame=frame, notes=notes)


def _stored(store) -> gpd.GeoDataFrame:
    return store.read(LAYER)


def commit_constraints(plan: ConstraintImport, store, *, user: str | None = None) -> ConstraintImport:
    """Replace the stored polygons of ``plan.kind`` by ``plan.frame``: one transaction, a backup first, the
    other kinds untouched; returns ``plan`` with ``replaced`` and ``backup`` filled in."""

    def build(st, backup):
        current = _stored(st)
        same = current["kind"].astype(str).to_numpy() == plan.kind if len(current) else np.zeros(0, dtype=bool)
        plan.replaced = int(same.sum())
        keep = current[~same]
        cols = LAYERS[LAYER].field_names
        merged = pd.concat([keep[cols + ["geometry"]], plan.frame[cols + ["geometry"]]], ignore_index=True)
        out = gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326")
        row = {"user": user or "system", "layer": LAYER, "feature_id": None, "action": "import-replace",
               "before": json.dumps({"backup": backup.name if backup else None, "kind": plan.kind,
                                     "rows": plan.replaced}, ensure_ascii=False),
               "after": json.dumps({"file": plan.name, "kind": plan.kind, "rule": plan.rule,
                                    "inserted": len(plan.frame), "deleted": plan.replaced}, ensure_ascii=False)}
        return {LAYER: out}, [row]

    plan.backup = store.write_layers(build, action="import")
    return plan
