"""The guarded import of a unit's monthly sheet (issue 12): the mixin :class:`DispatchImportGuard` of
:class:`xxgeo.policy.GuardedStore`, with the matching of sheet rows to projects.

A row is matched by its 项目代码 (``project_code``), then its 项目编号 (``project_id``), then its exact name (one
project of that name only); a row whose keys name two different projects, or nothing, is listed as unmatched
and never guessed. The matched rows are checked as every other report is (:mod:`xxgeo.policy_dispatch`: a
township head only their own township's projects, and only months still a draft or returned) *inside* the
writer lock, and written in one transaction with a backup: new months as submitted when the bureau imports a unit's
sheet (the unit's report, awaiting review) and as drafts when a township head imports their own, known months
updated in the columns the sheet gives (a blank cell is not reported: it leaves the stored value alone), 存在问题 as
an open problem (unless the same one is open already). One refused row refuses the whole sheet: nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from .dispatch_values import clean_values, key_text, month_of, name_text, progress_id
from .errors import NotFound, PermissionDenied, StaleEdit, ValidationFailed
from .policy_dispatch import EDITORS, append_row, check_save, next_id
from .store.frames import now_iso


@dataclass
class SheetReport:
    """What an import of a monthly sheet did (or, with ``dry_run``, would do)."""

    file: str
    #: dicts: row (第5行), project_id, name, month, by (project_code | project_id | name)
    matched: list = field(default_factory=list)
    #: dicts: row, given (what the row names), reason (Chinese), reason_en
    unmatched: list = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: matched rows that give no value and no problem (a template row left blank): nothing written for them
    blank: list = field(default_factory=list)
    problems_added: int = 0
    backup: object = None
    notes: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def written(self) -> bool:
        """True when the store was changed."""
        return not self.dry_run and bool(self.inserted or self.updated or self.problems_added)


def match_rows(rows: list, projects) -> tuple[list, list]:
    """(matched [(row, project_id, by)], unmatched [(row, reason, reason_en)]) of sheet rows to ``projects``:
    codes and ids compared without spaces, full-width digits made half-width; names exactly, after NFKC and
    without spaces (:func:`xxgeo.dispatch_values.key_text`, :func:`~xxgeo.dispatch_values.name_text`)."""
    ids = {key_text(p): str(p) for p in projects["project_id"]}
    codes: dict[str, list] = {}
    names: dict[str, list] = {}
    for pid, code, name in zip(projects["project_id"].astype(str), projects.get("project_code", [None] * len(ids)),
                               projects["name"]):
        if isinstance(code, str) and key_text(code):
            codes.setdefault(key_text(code), []).append(pid)
        if isinstance(name, str) and name_text(name):
            names.setdefault(name_text(name), []).append(pid)
    matched, unmatched = [], []
    for r in rows:
        code, pid, name = key_text(r.code), key_text(r.project_id), name_text(r.name)
        found: list[tuple[str, str]] = []
        if code and len(codes.get(code, ())) == 1:
            found.append((codes[code][0], "project_code"))
        if pid and pid in ids:
            found.append((ids[pid], "project_id"))
        if name and len(names.get(name, ())) == 1:
            found.append((names[name][0], "name"))
        distinct = {p for p, _ in found}
        if len(distinct) == 1:
            matched.append((r, found[0][0], found[0][1]))
        elif len(distinct) > 1:
            unmatched.append((r, f"项目代码、编号或名称指向不同的项目（{'、'.join(sorted(distinct))}）",
                              f"its code, id or name point to different projects ({', '.join(sorted(distinct))})"))
        elif name and len(names.get(name, ())) > 1:
            unmatched.append((r, "有多个同名项目，请填项目编号或项目代码",
                              "several projects have this name; give the project id or code"))
        elif not (r.code or r.project_id or r.name):
            unmatched.append((r, "没有项目编号、代码或名称", "it names no project id, code or name"))
        else:
            unmatched.append((r, "没有对应的项目", "no project matches"))
    return matched, unmatched


def _same(a, b) -> bool:
    if (a is None or a is pd.NA or (isinstance(a, float) and pd.isna(a))) and b is None:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def apply_sheet(store, actor, sheet, *, dry_run: bool = False) -> SheetReport:
    """Match and write a parsed sheet (:class:`xxgeo.dispatch.sheet.ParsedSheet`) as ``actor``; one transaction."""
    rep = SheetReport(sheet.name, notes=list(sheet.notes), dry_run=dry_run)

    def plan(st) -> tuple[pd.DataFrame, pd.DataFrame, list]:
        projects = st.read("projects")
        matched, unmatched = match_rows(sheet.rows, projects)
        rep.matched = [{"row": r.label, "project_id": pid, "name": r.name, "month": r.month, "by": by}
                       for r, pid, by in matched]
        rep.unmatched = [{"row": r.label, "given": r.given(), "reason": why, "reason_en": en}
                         for r, why, en in unmatched]
        seen: dict[str, str] = {}
        for r, pid, _ in matched:
            rid = progress_id(pid, r.month)
            if rid in seen:
                raise ValidationFailed(f"{seen[rid]}和{r.label}都是项目“{pid}”{r.month}的月报，"
                                       "请合并后再导入；整张表未导入。",
                                       english=f"{seen[rid]} and {r.label} both report project “{pid}” for {r.month}; "
                                               "merge them. Nothing was imported.")
            seen[rid] = r.label
        progress, problems = st.read("progress"), st.read("problems")
        by_pid = {str(p): row for p, row in zip(projects["project_id"].astype(str),
                                                 projects.drop(columns="geometry", errors="ignore").to_dict("records"))}
        index = {str(k): i for i, k in enumerate(progress["progress_id"])} if len(progress) else {}
        at, audit, new_rows = now_iso(), [], {}
        rep.inserted = rep.updated = rep.unchanged = rep.problems_added = 0
        rep.blank = []
        for r, pid, _ in matched:
            rid = progress_id(pid, r.month)
            current = progress.iloc[index[rid]].to_dict() if rid in index else new_rows.get(rid)
            try:
                check_save(actor, by_pid[pid], current)
            except PermissionDenied as exc:
                raise PermissionDenied(f"{r.label}：{exc.message}整张表未导入。",
                                       english=f"{r.label.replace('第', 'Row ').replace('行', '')}: {exc.english} "
                                               "Nothing was imported.") from None
            given = {k: v for k, v in r.values.items() if v is not None}
            if not given and not (r.problem or r.needs):
                rep.blank.append(r.label)  # nothing reported on this row: no empty report is made up for it
                continue
            stamp = {"reported_by": actor.user, "reported_at": at}
            if current is None:
                # a unit's sheet that reaches the bureau is the unit's report: submitted, awaiting review;
                # a township head's own import is their draft, until they submit it
                row = {"progress_id": rid, "project_id": pid, "month": r.month, **given, **stamp,
                       "state": "submitted" if actor.role in EDITORS else "draft", "version": 1}
                new_rows[rid] = row
                rep.inserted += 1
                audit.append({"user": actor.user, "layer": "progress", "feature_id": rid, "action": "import-insert",
                              "before": None, "after": json.dumps(given, ensure_ascii=False, default=str)})
            elif all(_same(current.get(k), v) for k, v in given.items()):
                rep.unchanged += 1
            else:
                i = index[rid]
                changes = {**given, **stamp, **({"state": "draft"} if actor.role not in EDITORS else {})}
                before = {k: current.get(k) for k in changes}
                for k, v in changes.items():
                    progress.at[progress.index[i], k] = v
                progress.at[progress.index[i], "version"] = int(current.get("version") or 1) + 1
                rep.updated += 1
                audit.append({"user": actor.user, "layer": "progress", "feature_id": rid, "action": "import-update",
                              "before": json.dumps(before, ensure_ascii=False, default=str),
                              "after": json.dumps(changes, ensure_ascii=False, default=str)})
            if r.problem or r.needs:
                text = r.problem or r.needs
                open_ = problems[(problems["project_id"].astype(str) == pid) & (problems["status"] == "open")
                                 & (problems["text"] == text)] if len(problems) else problems
                if len(open_):
                    continue
                qid = next_id(problems, "problem_id", f"{pid}/{r.month}/")
                problems = append_row(problems, {"problem_id": qid, "project_id": pid, "raised_month": r.month,
                                                 "text": text, "needs": r.needs, "status": "open",
                                                 "raised_by": actor.user, "raised_at": at, "version": 1})
                rep.problems_added += 1
                audit.append({"user": actor.user, "layer": "problems", "feature_id": qid, "action": "import-insert",
                              "before": None,
                              "after": json.dumps({"text": text, "needs": r.needs}, ensure_ascii=False)})
        if new_rows:  # once: a row at a time would copy the whole layer for each
            new = pd.DataFrame(list(new_rows.values()))
            progress = pd.concat([progress, new.astype(object)], ignore_index=True) if len(progress) else new
        return progress, problems, audit

    if dry_run:
        plan(store)
        return rep

    def build(st, saved):
        progress, problems, audit = plan(st)
        if not audit:
            return {}, []
        head = {"user": actor.user, "layer": "progress", "feature_id": None, "action": "import",
                "before": json.dumps({"backup": getattr(saved, "name", None)}, ensure_ascii=False),
                "after": json.dumps({"file": sheet.name, "inserted": rep.inserted, "updated": rep.updated,
                                     "problems": rep.problems_added}, ensure_ascii=False)}
        return {"progress": progress, "problems": problems}, [head, *audit]

    rep.backup = store.write_layers(build, action="progress-import")
    return rep


def save_table(store, actor, month: str, table: dict, expected: dict | None = None) -> dict:
    """Save many projects' values for one month in one transaction (see
    :meth:`DispatchImportGuard.save_progress_table`); returns ``{project_id: new version}``."""
    month = month_of(month)
    cleaned = {str(pid): clean_values(values) for pid, values in table.items()}
    if not cleaned:
        raise NotFound("没有要保存的月报。", english="No report to save was given.")
    if actor.role == "public":
        check_save(actor, {}, None)  # refused: the public reports nothing
    versions: dict = {}

    def build(st, saved):
        projects = st.read("projects").drop(columns="geometry", errors="ignore")
        by_pid = {str(r["project_id"]): r for r in projects.to_dict("records")}
        progress = st.read("progress")
        index = {str(k): i for i, k in enumerate(progress["progress_id"])} if len(progress) else {}
        at, audit, new = now_iso(), [], []
        for pid, values in cleaned.items():
            rid = progress_id(pid, month)
            if pid not in by_pid:
                raise NotFound(f"没有编号为“{pid}”的项目。", english=f"No project “{pid}”.")
            current = progress.iloc[index[rid]].to_dict() if rid in index else None
            check_save(actor, by_pid[pid], current)
            stored = int(current.get("version") or 1) if current is not None else 0
            want = (expected or {}).get(pid)
            if want is not None and int(want) != stored:
                raise StaleEdit(f"“{rid}”已被他人修改（当前版本 {stored}，您编辑的是版本 {want}），"
                                "整张表未保存；请刷新后重试。",
                                english=f"“{rid}” was changed by someone else (now version {stored}, you edited "
                                        f"version {want}); nothing was saved. Reload and try again.")
            changes = {**values, "reported_by": actor.user, "reported_at": at}
            if current is None:
                new.append({"progress_id": rid, "project_id": pid, "month": month, **changes, "state": "draft",
                            "version": 1})
                versions[pid] = 1
                audit.append({"user": actor.user, "layer": "progress", "feature_id": rid, "action": "import-insert",
                              "before": None, "after": json.dumps(changes, ensure_ascii=False, default=str)})
                continue
            if actor.role not in EDITORS:
                changes["state"] = "draft"
            i = progress.index[index[rid]]
            before = {k: current.get(k) for k in changes}
            for k, v in changes.items():
                progress.at[i, k] = v
            progress.at[i, "version"] = versions[pid] = stored + 1
            audit.append({"user": actor.user, "layer": "progress", "feature_id": rid, "action": "import-update",
                          "before": json.dumps(before, ensure_ascii=False, default=str),
                          "after": json.dumps(changes, ensure_ascii=False, default=str)})
        if new:
            frame = pd.DataFrame(new)
            progress = pd.concat([progress, frame.astype(object)], ignore_index=True) if len(progress) else frame
        head = {"user": actor.user, "layer": "progress", "feature_id": None, "action": "import",
                "before": json.dumps({"backup": getattr(saved, "name", None)}, ensure_ascii=False),
                "after": json.dumps({"file": f"月度进度表 {month}", "rows": len(cleaned)}, ensure_ascii=False)}
        return {"progress": progress}, [head, *audit]

    store.write_layers(build, action="progress")
    return versions


class DispatchImportGuard:
    """The monthly-sheet import and the month's table of :class:`xxgeo.policy.GuardedStore`."""

    __slots__ = ()

    def save_progress_table(self, month: str, table: dict, *, expected_versions: dict | None = None) -> dict:
        """Save the values of many projects for one month (the view's editable table: ``{project_id: {field:
        value}}``, as :meth:`save_progress` takes one) in ONE transaction with a backup: every row checked as
        :meth:`save_progress` checks it, and nothing saved when one is refused. ``expected_versions``
        (``{project_id: version}``, 0 for a month not reported yet) refuses the whole table when someone else
        changed a row meanwhile. Returns ``{project_id: new version}``. Cheaper than one save per row when
        months are new (one write of the layer instead of one per row)."""
        return save_table(self._store, self.actor, month, table, expected_versions)

    def import_progress(self, path, month: str | None = None, *, name: str | None = None,
                        dry_run: bool = False) -> SheetReport:
        """Import a unit's monthly sheet (xlsx, xls, csv; the template's headers or their usual variants) as
        this actor: matched by 项目代码, then 项目编号, then the exact name; unmatched rows listed in the
        report, never guessed; one transaction with a backup (nothing written when a row is refused, or with
        ``dry_run``). ``month`` (YYYY-MM) is for rows without a 月份 of their own."""
        from .dispatch.sheet import read_sheet  # reading a file is the io layer's: see pyproject.toml

        sheet = read_sheet(path, month, name=name)
        return apply_sheet(self._store, self.actor, sheet, dry_run=dry_run)
