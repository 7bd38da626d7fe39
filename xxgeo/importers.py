"""Bring your own data: ``python -m xxgeo import`` and the app's 数据 view both call this module.

:func:`prepare_import` reads a file (any format of :mod:`xxgeo.io.readers`), converts its coordinates to
WGS84 (:mod:`xxgeo.io.crs_rules`), maps its columns to the layer's fields (:mod:`xxgeo.io.columns`),
merges it with the stored layer (:mod:`xxgeo.io.merge`) and validates the rows that would change. It
never writes. :func:`commit_import` repeats the merge and the validation under the store's writer lock
against whatever is stored at that moment and writes the layer, the audit rows and a backup in one
transaction. A refused file raises :class:`~xxgeo.errors.ImportRefused`; invalid rows raise
:class:`~xxgeo.errors.ValidationFailed`; either way the store is untouched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .config import settings
from .county import county
from .errors import ImportRefused, NotFound, ValidationFailed
from .io import attach, villages
from .io import columns as colmap
from .io.coords import build_geometry, find_columns, lonlat_columns
from .io.crs_rules import parse_crs, to_wgs84
from .io.merge import MergeResult, fit_geometry, key_fields, merge, row_keys
from .io.reshape import reshape_township_indicators
from .io.stated import require_stated
from .io.vectorised import fit_all
from .io.wording import note_text
from .io.worker import start_isolated
from .names import resolve_township, township_names
from .schema import LAYERS
from .store import Store
from .validation import validate_frame

#: the 调度 cycle's layers: written only through its guarded methods (sheet matching, township checks, audit)
CYCLE_LAYERS = ("progress", "problems", "photos")
NOT_IMPORTABLE = ("audit_log", *CYCLE_LAYERS)
MAX_LISTED = 3


@dataclass
class ImportPlan:
    """What an import would do; ``problems`` non-empty means it cannot be committed."""

    layer: str
    name: str
    replace: bool
    incoming: pd.DataFrame
    provided: list
    notes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    result: MergeResult | None = None
    candidates: list = field(default_factory=list)  # close names to confirm (xxgeo.io.attach.Candidate)
    location: dict = field(default_factory=dict)  # loc_precision / loc_source / located_by / located_at
    #: the store's version token and the user the plan was merged for: an unchanged store at commit reuses it
    basis: tuple | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        """What the import would do, in Chinese (:meth:`summary_text` for English)."""
        return self.summary_text("zh")

    def summary_text(self, lang: str = "zh") -> str:
        """新增 / 更新 / 未变 (/ 删除) row counts in ``lang``."""
        r = self.result
        if r is None:
            return ""
        if lang == "en":
            s = f"{r.inserted} rows added, {r.updated} updated, {r.unchanged} unchanged"
            return s + (f", {r.deleted} deleted" if self.replace else "")
        s = f"新增 {r.inserted} 行，更新 {r.updated} 行，未变 {r.unchanged} 行"
        return s + (f"，删除 {r.deleted} 行" if self.replace else "")

    def preview(self) -> pd.DataFrame:
        """The new or changed rows as they would be stored."""
        if self.result is None:
            return self.incoming.iloc[0:0]
        return self.result.frame.iloc[self.result.touched]


@dataclass
class ImportResult:
    """A committed import."""

    layer: str
    inserted: int
    updated: int
    unchanged: int
    deleted: int
    backup: Path | None
    notes: list


def _user(user: str | None) -> str:
    return user or settings().default_user


def prepare_import(path: str | os.PathLike, layer: str, store: Store, *, crs: str | None = None,
                   encoding: str | None = None, replace: bool = False, source_layer: str | None = None,
                   name: str | None = None, user: str | None = None, precision: str | None = None,
                   defaults=None, accept_matches: bool = False, decisions: dict | None = None) -> ImportPlan:
    """Read, convert, map, merge and validate ``path`` for ``layer`` without writing anything.

    ``precision`` is the location precision of the file's geometries when it has no such column (a file whose
    located rows state none either way is refused: :class:`~xxgeo.errors.PrecisionNotStated`); ``defaults``
    (``["类别=工业"]``) fill fields the file leaves empty; for projects, close names are confirmed by
    ``accept_matches`` (all) or ``decisions`` (row label -> attach/new/skip; see :mod:`xxgeo.io.attach`)."""
    if layer not in LAYERS:
        raise NotFound(f"没有名为“{layer}”的图层。可导入的图层："
                       f"{'、'.join(n for n in LAYERS if n not in NOT_IMPORTABLE)}。",
                       english=f"No layer “{layer}”. Layers that can be imported: "
                               f"{', '.join(n for n in LAYERS if n not in NOT_IMPORTABLE)}.")
    if layer in CYCLE_LAYERS:
        raise ImportRefused(f"图层“{layer}”只能经调度功能写入：单位月报表请用 python -m xxgeo progress import 文件 导入"
                            "（问题与照片在调度页添加）。",
                            english=f"Layer “{layer}” is written only through the dispatch cycle: import a monthly "
                                    "sheet with python -m xxgeo progress import FILE (problems and photos are added "
                                    "on the dispatch page).")
    if layer in NOT_IMPORTABLE:
        raise ImportRefused("修改记录（audit_log）不能导入，它只由系统写入。",
                            english="The change log (audit_log) cannot be imported: only the system writes it.")
    if layer == "constraints":  # one kind at a time, replaced as a whole: xxgeo/constraints/importer.py
        raise ImportRefused("管控边界按类型整体导入：python -m xxgeo import 文件 --layer constraints --kind 类型。",
                            english="Control lines are imported one kind at a time: python -m xxgeo import FILE "
                                    "--layer constraints --kind KIND.")
    name = name or Path(path).name
    lay = LAYERS[layer]
    early = _Early()
    with start_isolated(path, name=name, encoding=encoding, source_layer=source_layer,
                        score=colmap.header_scorer(layer), target=layer) as job:  # parses while we read the store
        store.require()
        basis = (store.version(), _user(user))
        choice = parse_crs(crs)
        townships = store.read("townships")
        parks = store.read("parks")
        early.fetch("current", lambda: store.read(layer))
        if lay.spatial:
            early.fetch("county", lambda: _county(store))
        raw = job.result()
    notes = list(raw.notes)
    frame = raw.frame
    labels = list(raw.row_labels)
    if layer == "township_indicators" and raw.geometry is None:
        frame, more = reshape_township_indicators(frame)
        notes += more
        if more:
            labels = [f"第{i + 1}条数值" for i in range(len(frame))]
    geoms, skip, problems = raw.geometry, (), {}
    hint = None
    if geoms is None and lay.spatial:
        kind, a, b = find_columns(frame.columns)
        if kind != "none":
            geoms, errs = build_geometry(frame, kind, a, b)
            problems.update({i: [m] for i, m in errs.items()})
            also = lonlat_columns(frame.columns) if kind == "wkt" else (None, None)
            skip, hint = tuple(c for c in (a, b, *also) if c), kind
            notes.append(f"坐标取自“{a}”" + (f"、“{b}”" if b else "") + "列" +
                         (f"（该列为空的行取自“{also[0]}”、“{also[1]}”列）" if also[0] else "") + "。")
    if geoms is not None and not lay.spatial:
        notes.append(f"图层“{lay.label}”没有几何，文件中的位置信息被忽略。")
        geoms = None
    elif geoms is not None:
        geoms, more = to_wgs84(np.asarray(geoms, dtype=object), raw.crs, choice, hint=hint)
        notes += more
    mapped = colmap.map_columns(frame, layer, townships=townships, parks=parks, skip=skip)
    notes += mapped.notes
    for i, msgs in mapped.problems.items():
        problems.setdefault(i, []).extend(msgs)
    inc = mapped.frame.copy()
    inc["_row"] = labels[: len(inc)]
    if lay.spatial:
        given = geoms if geoms is not None else [None] * len(inc)
        fitted, quick = fit_all(layer, given)
        for i in np.flatnonzero(~quick).tolist():  # the few the column-wide checks could not settle
            g2, note, prob = fit_geometry(layer, given[i])
            if note:
                notes.append(f"{labels[i]}：{note}。")
            if prob:
                problems.setdefault(i, []).append(prob)
            fitted[i] = g2
        inc["geometry"] = list(fitted)
    if layer == "townships":
        _resolve_townships(inc, townships, problems, notes)
    provided = list(mapped.provided) + (["geometry"] if lay.spatial and geoms is not None else [])
    inc, more = attach.apply_defaults(inc, provided, layer, defaults, townships, parks)
    notes += more
    require_stated(inc, layer, attach.precision_code(precision))  # never assumed 实测 (issue 13)
    candidates: list = []
    stored = None  # the projects as read for matching, merged against below (one read)
    if layer == "projects" and not problems:
        stored = early.get("current", lambda: store.read("projects"))
        inc, candidates, more = attach.match_projects(inc, stored, accept=accept_matches,
                                                      decisions=decisions)
        notes += more
        labels = inc["_row"].tolist()
    plan = ImportPlan(layer=layer, name=name, replace=replace, incoming=inc, provided=provided, notes=notes,
                      candidates=candidates, location=attach.location(precision, name, _user(user)))
    plan.problems = [f"{labels[i]}：{m}" for i in sorted(problems) for m in problems[i]]
    plan.problems += _key_problems(layer, inc, provided)
    if not [f for f in provided if f != "geometry"] and not plan.problems:
        plan.problems.append(f"文件里没有一列能对应到图层“{lay.label}”的字段（"
                             f"如 {'、'.join(_example_headers(layer))}），"
                             "请检查表头。")
    if plan.problems:
        return plan
    current = stored if stored is not None else early.get("current", lambda: store.read(layer))
    res, probs = _merge_and_validate(plan, current, townships, store, _user(user),
                                     outline_of=lambda: early.get("county", lambda: _county(store)))
    plan.result = res
    plan.notes += res.notes
    plan.problems += probs
    plan.basis = basis
    return plan


def _example_headers(layer: str) -> list:
    lay = LAYERS[layer]
    return [f.label or f.name for f in lay.fields if f.required][:4]


def _resolve_townships(inc: pd.DataFrame, townships: pd.DataFrame, problems: dict, notes: list) -> None:
    names = township_names(townships)
    kinds = dict(zip(townships["code"].astype(str), townships["kind"].astype(str)))
    codes, canon = [], []
    for i, r in inc.reset_index(drop=True).iterrows():
        code = None
        for v in (r.get("code"), r.get("name")):
            if v is not None and not (isinstance(v, float) and np.isnan(v)):
                code = resolve_township(str(v), townships, required=False)
                if code:
                    break
        if code is None:
            problems.setdefault(i, []).append(f"无法对应到{county().name}的乡镇"
                                              f"（代码“{r.get('code')}”，名称“{r.get('name')}”）")
        codes.append(code)
        canon.append(names.get(code))
    inc["code"] = codes
    inc["name"] = canon
    inc["kind"] = [kinds.get(c) for c in codes]
    notes.append("乡镇按代码或名称对应到已有乡镇，名称和类型统一为标准写法。")


def _key_problems(layer: str, inc: pd.DataFrame, provided: list) -> list:
    keys = key_fields(layer)
    if not keys or not all(k in provided or k in inc.columns for k in keys):
        if keys and LAYERS[layer].id_field is None:
            return [f"缺少必需的列：{'、'.join(LAYERS[layer].field(k).label for k in keys if k not in provided)}"]
        return []
    seen: dict = {}
    out = []
    for k, label in zip(row_keys(inc, keys), inc["_row"].tolist()):
        if k is None:
            continue
        if k in seen:
            out.append(f"{label}：编号“{'、'.join(k)}”与{seen[k]}重复")
        else:
            seen[k] = label
    return out


class _Early:
    """Reads done while the worker parses (:func:`prepare_import`): each is used where it was read before, and
    one that failed raises there, so errors come in the same order as when it was read at that point."""

    def __init__(self) -> None:
        self._got: dict = {}

    def fetch(self, key: str, read) -> None:
        try:
            self._got[key] = (read(), None)
        except Exception as exc:  # noqa: BLE001 - raised where the value is used (get)
            self._got[key] = (None, exc)

    def get(self, key: str, read):
        if key not in self._got:
            return read()
        value, exc = self._got.pop(key)
        if exc is not None:
            raise exc
        return value


def _county(store: Store):
    """The county as one geometry (None when the store has none), what the validation checks locations against."""
    c = store.read("county")
    return shapely.union_all(c.geometry.values) if len(c) else None


def _merge_and_validate(plan: ImportPlan, current, townships, store: Store, user: str, outline_of=None):
    """Merge and validate ``plan`` against ``current``; ``outline_of`` a function giving the county (else read)."""
    res = merge(plan.layer, current, plan.incoming, plan.provided, replace=plan.replace, source_name=plan.name,
                townships=townships, user=user, location=plan.location)
    problems = [attach.unstated_problem(res.unstated, plan.layer)] if res.unstated else []
    if plan.layer == "villages":
        moved, rows, notes = villages.follow(current, res.frame, store.read("projects"), townships, source=plan.name,
                                             user=user)
        if moved is not None:
            res.also["projects"], res.audit, res.notes = moved, [*res.audit, *rows], [*res.notes, *notes]
    if plan.layer == "townships" and plan.replace:
        missing = sorted(set(current["code"].astype(str)) - set(res.frame["code"].astype(str)))
        if missing:
            names = township_names(current)
            problems.append(f"官方边界缺少乡镇：{'、'.join(names[c] for c in missing)}；请提供全部乡镇的边界，"
                            "或去掉 --replace 逐个更新。")
    if res.touched:
        outline = None
        if LAYERS[plan.layer].spatial:
            outline = outline_of() if outline_of is not None else _county(store)
        sub = res.frame.iloc[_rows(res.touched)].reset_index(drop=True)
        for p in validate_frame(plan.layer, sub, county=outline):
            if p.severity != "error":
                continue
            where = res.labels.get(res.touched[p.row]) if p.row is not None else None
            fid = f"（{p.feature_id}）" if p.feature_id and p.feature_id not in ("None", "nan") else ""
            problems.append(f"{where or '文件'}{fid}：{p.text}")
    return res, problems


def _rows(positions: list):
    """``positions`` as a slice when they are one unbroken run (the new rows of an import: a view of the frame,
    not a copy of its 10^5 rows), else as they are."""
    if positions and positions == list(range(positions[0], positions[0] + len(positions))):
        return slice(positions[0], positions[0] + len(positions))
    return positions


def refusal(plan: ImportPlan) -> ValidationFailed:
    """The one-sentence error for a plan with problems (all problems kept on the exception)."""
    shown = "；".join(plan.problems[:MAX_LISTED])
    more = f"（共 {len(plan.problems)} 处问题）" if len(plan.problems) > MAX_LISTED else ""
    return ValidationFailed(f"导入被拒绝，数据库未改动：{shown}{more}。", plan.problems,
                            english=f"Import refused, nothing was written: "
                                    f"{'; '.join(note_text(p, 'en') for p in plan.problems[:MAX_LISTED])}"
                                    f" ({len(plan.problems)} problem(s)).")


def commit_import(plan: ImportPlan, store: Store, *, user: str | None = None) -> ImportResult:
    """Write a prepared import: merge again under the writer lock, validate, write with backup and audit."""
    if not plan.ok:
        raise refusal(plan)
    who = _user(user)
    box: dict = {}

    def build(st: Store, backup):
        if plan.result is not None and plan.basis == (st.version(), who):
            res, probs = plan.result, []  # nothing was written since the plan was merged: the same merge
        else:
            res, probs = _merge_and_validate(plan, st.read(plan.layer), st.read("townships"), st, who)
        if probs:
            plan.problems = probs
            raise refusal(plan)
        box["res"] = res
        summary = {"user": who, "layer": plan.layer, "feature_id": None,
                   "action": "import-replace" if plan.replace else "import",
                   "before": json.dumps({"backup": backup.name if backup else None}, ensure_ascii=False),
                   "after": json.dumps({"file": plan.name, "inserted": res.inserted, "updated": res.updated,
                                        "deleted": res.deleted}, ensure_ascii=False)}
        return {plan.layer: res.frame, **res.also}, [*res.audit, summary]

    backup = store.write_layers(build, action="import")
    res = box["res"]
    return ImportResult(plan.layer, res.inserted, res.updated, res.unchanged, res.deleted, backup, plan.notes)
