"""The monthly 调度 cycle's access rules and guarded writes (issue 12): the mixin :class:`DispatchGuard` that
:class:`xxgeo.policy.GuardedStore` inherits, so a report, a review or a problem is written only through here.

The cycle of one project's month (a ``progress`` row, id ``PROJECT_ID/YYYY-MM``)::

    (none) --save--> draft --submit--> submitted --approve--> approved
                     returned <--return-- submitted | approved        (returned --save--> draft, --submit--> ...)

Who may do what:

* a **township head** saves and submits the months of their own township's projects only (while the month is a
  draft or returned: a submitted month waits for review, an approved one is locked), and adds problems for them;
* a bureau **editor** (or an **admin**) may do all of that for any project, approves or returns a submitted month
  (a return needs a comment, and may reopen an approved month), corrects an approved month, resolves problems;
* the **public** writes nothing.

Every check runs inside the write's own transaction on the rows it read (a feature edit: the row locked by
``update_feature``; a new row: under the writer lock of ``insert_feature``; an import: under the writer lock of
``write_layers``), so no route — the command line, the app, an import — can go round it. Every step is one audit
row with who and when (ISO 8601, shown in Asia/Shanghai). A new month, problem or photo is one audited, versioned
row insert (no whole-layer rewrite, no backup) that ``undo`` removes again; a save, a submit, a review or a
resolution is a versioned feature edit that ``undo`` reverts; a sheet import is written with a backup first and
audited as an import, so ``undo`` restores the backup.
"""

from __future__ import annotations

import pandas as pd

from .dispatch_values import clean_values, date_of, month_of, progress_id, text_of
from .errors import FeatureExists, NotFound, PermissionDenied, StaleEdit, ValidationFailed
from .i18n import tr
from .store.frames import now_iso
from .vocab import is_blank

EDITORS = ("editor", "admin")
DISPATCH_LAYERS = ("progress", "problems")
#: project fields the county designates (the bureau's call, not a township head's)
BUREAU_FIELDS = ("key_level", "lead_official")
ACTIONS = ("submit", "approve", "return")


def _role(actor, lang: str = "zh") -> str:
    return tr(f"role.{actor.role}", lang)


def state_text(state, lang: str = "zh") -> str:
    """A report state (``draft`` …) in words: 草稿/已提交/已通过/已退回; no report (empty, NaN) is 未填报."""
    return tr("dispatch.state_none", lang) if is_blank(state) else tr(f"dispatch.state_{state}", lang)


# ----------------------------------------------------------------------------- checks
def check_generic_edit(actor, layer: str, changes: dict) -> None:
    """A plain feature edit (``set``, the edit form): reports and problems only go through the cycle's own
    methods, and a project's key level and lead official are the bureau's call."""
    if layer in DISPATCH_LAYERS:
        raise PermissionDenied("月度进度与问题清单只能用调度功能修改（python -m xxgeo progress set / "
                               f"problems resolve），不能直接修改图层“{layer}”。",
                               english=f"Monthly reports and problems change only through the dispatch commands "
                                       f"(python -m xxgeo progress set / problems resolve), not by editing “{layer}”.")
    bureau = [f for f in BUREAU_FIELDS if f in changes]
    if layer == "projects" and bureau and actor.role not in EDITORS:
        raise PermissionDenied(f"重点级别、包联领导由县里确定，只有规划局编辑能修改（{'、'.join(bureau)}）。",
                               english="The key level and the lead official are the county's designation; only a "
                                       f"bureau editor changes them ({', '.join(bureau)}).")


def check_reporter(actor, project: dict) -> None:
    """May ``actor`` report on (or raise a problem for) ``project``? Editors any; a township head their own."""
    if actor.role == "public":
        raise PermissionDenied("公众用户不能填报，请先登录。", english="Sign in to report.")
    if actor.role in EDITORS:
        return
    pid = project.get("project_id")
    if str(project.get("township_code") or "") != str(actor.township):
        raise PermissionDenied(f"项目“{pid}”不属于您所在的乡镇（{actor.township}），您不能为它填报或提出问题。",
                               english=f"Project “{pid}” is not in your township ({actor.township}); you cannot "
                                       "report on it or raise a problem for it.")


def check_save(actor, project: dict, row: dict | None) -> None:
    """May ``actor`` change the values of a month (``row`` the stored report, None when there is none yet)?"""
    check_reporter(actor, project)
    if actor.role in EDITORS or row is None:
        return
    state, rid = row.get("state"), row.get("progress_id")
    if state == "submitted":
        raise PermissionDenied(f"“{rid}”已提交，正等待规划局审核，不能再修改；如需修改，请规划局退回。",
                               english=f"“{rid}” is submitted and awaits the bureau's review, so it cannot be changed; "
                                       "ask the bureau to return it.")
    if state == "approved":
        raise PermissionDenied(f"“{rid}”已审核通过并锁定，只有规划局编辑能修改。",
                               english=f"“{rid}” is approved and locked; only a bureau editor can change it.")


def transition_changes(actor, project: dict, row: dict, action: str, comment: str | None, at: str) -> dict:
    """The fields a step of the cycle writes, after checking ``actor`` may take it from ``row``'s state."""
    state, rid = row.get("state"), row.get("progress_id")
    if action == "submit":
        check_reporter(actor, project)
        if state not in ("draft", "returned"):
            raise PermissionDenied(f"“{rid}”现为“{state_text(state)}”，只有草稿或已退回的月报可以提交。",
                                   english=f"“{rid}” is {state_text(state, 'en')}; only a draft or a returned report "
                                           "can be submitted.")
        return {"state": "submitted", "reported_by": actor.user, "reported_at": at}
    if action not in ("approve", "return"):
        raise NotFound(f"没有操作“{action}”；可用：submit（提交）、approve（通过）、return（退回）。",
                       english=f"No action “{action}”; use submit, approve or return.")
    if actor.role not in EDITORS:
        raise PermissionDenied(f"只有规划局编辑能审核月报；“{actor.user}”是{_role(actor)}。",
                               english=f"Only a bureau editor reviews reports; “{actor.user}” is a "
                                       f"{_role(actor, 'en')}.")
    if action == "approve" and state != "submitted":
        raise PermissionDenied(f"“{rid}”现为“{state_text(state)}”，只有已提交的月报可以审核通过。",
                               english=f"“{rid}” is {state_text(state, 'en')}; only a submitted report can be "
                                       "approved.")
    if action == "return":
        if state not in ("submitted", "approved"):
            raise PermissionDenied(f"“{rid}”现为“{state_text(state)}”，只有已提交或已通过的月报可以退回。",
                                   english=f"“{rid}” is {state_text(state, 'en')}; only a submitted or approved "
                                           "report can be returned.")
        if not comment:
            raise ValidationFailed("退回时请写明原因（--comment）。", english="Say why it is returned (--comment).")
    return {"state": "approved" if action == "approve" else "returned", "reviewed_by": actor.user,
            "reviewed_at": at, "review_comment": comment}


def check_resolve(actor, row: dict) -> None:
    """Closing a problem: the bureau's (editors and admins), an open problem only."""
    if actor.role not in EDITORS:
        raise PermissionDenied(f"只有规划局编辑能办结问题；“{actor.user}”是{_role(actor)}。",
                               english=f"Only a bureau editor resolves problems; “{actor.user}” is a "
                                       f"{_role(actor, 'en')}.")
    if row.get("status") == "resolved":
        raise PermissionDenied(f"问题“{row.get('problem_id')}”已于 {row.get('resolved_at')} 办结。",
                               english=f"Problem “{row.get('problem_id')}” was resolved at {row.get('resolved_at')}.")


# ----------------------------------------------------------------------------- helpers
def find_project(store, project_id) -> dict:
    """The stored fields of a project (no geometry); :class:`NotFound` naming it otherwise."""
    df = store.read("projects")
    rows = df[df["project_id"].astype(str) == str(project_id)]
    if not len(rows):
        raise NotFound(f"没有编号为“{project_id}”的项目。", english=f"No project “{project_id}”.")
    return {k: (None if v is pd.NA else v) for k, v in rows.drop(columns="geometry", errors="ignore").iloc[0].items()}


def locked_project(current, project_id) -> dict:
    """The project's stored fields (no geometry) read by an insert's ``current`` (its row locked under the writer
    lock); :class:`NotFound` naming it otherwise."""
    row = current("projects", str(project_id))
    if row is None:
        raise NotFound(f"没有编号为“{project_id}”的项目。", english=f"No project “{project_id}”.")
    return {k: v for k, v in row.items() if k != "geometry"}


def edit_or_missing(store, layer: str, feature_id: str, changes: dict, guard, missing: NotFound, **kw) -> int:
    """``store.update_feature`` with ``guard``; ``missing`` raised instead when the feature is not there."""
    found: list[bool] = []

    def seen(current: dict) -> None:
        found.append(True)
        guard(current)

    try:
        return store.update_feature(layer, feature_id, changes, guard=seen, **kw)
    except NotFound:
        if found:
            raise
        raise missing from None


def next_id(df, field: str, prefix: str) -> str:
    """``prefix`` + the first number not yet taken in ``df[field]`` (``…/1``, ``…/2``); read the frame under the
    writer lock of the write that adds the row (an insert, an import), so two rows raised at once differ."""
    taken = set(df[field].astype(str)) if len(df) else set()
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def append_row(df, row: dict):
    """``df`` with ``row`` added (columns kept)."""
    new = pd.DataFrame([row])
    return new if not len(df) else pd.concat([df, new.astype(object)], ignore_index=True)


# ----------------------------------------------------------------------------- the mixin
class DispatchGuard:
    """The 调度 methods of :class:`xxgeo.policy.GuardedStore` (``self._store``, ``self.actor`` are its)."""

    __slots__ = ()

    def save_progress(self, project_id: str, month: str, values: dict, *, expected_version: int | None = None) -> int:
        """Save report values (``progress`` field names -> values, e.g. ``{"year_done_wan": 1200}``) for one
        project and month; returns the report's new version. A blank value is stored empty (not reported).
        A township head's save makes the month a draft again; ``expected_version`` (0 for a month not yet
        reported) refuses the save with :class:`StaleEdit` when someone else changed it meanwhile."""
        actor, store = self.actor, self._store
        month = month_of(month)
        rid = progress_id(project_id, month)
        changes = clean_values(values)
        if not changes:
            raise NotFound("没有要保存的值，例如 year_done_wan=1200。",
                           english="No value to save was given, for example year_done_wan=1200.")
        check_reporter(actor, find_project(store, project_id))
        changes.update({"reported_by": actor.user, "reported_at": now_iso()})
        if actor.role not in EDITORS:
            changes["state"] = "draft"  # only a draft or a returned month may be saved by the township: a draft again
        found: list[bool] = []

        def guard(current: dict) -> None:
            found.append(True)
            check_save(actor, find_project(store, project_id), current)

        try:  # an existing month: a versioned feature edit (no whole-layer write)
            return store.update_feature("progress", rid, changes, user=actor.user, guard=guard,
                                        expected_version=expected_version)
        except NotFound:
            if found:
                raise
        changes.pop("state", None)
        if expected_version not in (None, 0):
            raise StaleEdit(f"“{rid}”还没有月报（版本 0），您编辑的是版本 {expected_version}；请刷新后重试。",
                            english=f"“{rid}” has no report yet (version 0) but you edited version "
                                    f"{expected_version}; reload and try again.")

        row = {"progress_id": rid, "project_id": str(project_id), "month": month, **changes, "state": "draft"}
        try:  # a new month: one audited, versioned row insert, the check under the writer lock
            store.insert_feature("progress", row, user=actor.user, what=f"月度进度 {rid}",
                                 guard=lambda st, current: check_save(actor, locked_project(current, project_id),
                                                                      None))
        except FeatureExists:
            raise StaleEdit(f"“{rid}”刚刚由他人填报，您的值未保存；请刷新后重试。",
                            english=f"Someone else just reported “{rid}”; not saved. Reload and try again.") from None
        return 1

    def transition_progress(self, project_id: str, month: str, action: str, comment: str = "") -> str:
        """One step of the cycle — ``submit`` (the reporter), ``approve`` or ``return`` (the bureau, a return
        with a ``comment``) — on a saved month; returns the new state."""
        actor, store = self.actor, self._store
        rid = progress_id(project_id, month_of(month))
        comment = text_of(comment, what="审核意见")
        missing = NotFound(f"“{rid}”还没有月报，请先填报（python -m xxgeo progress set）。",
                           english=f"“{rid}” has no report yet; fill it in first (python -m xxgeo progress set).")
        at = now_iso()
        changes: dict = {}

        def guard(current: dict) -> None:
            changes.update(transition_changes(actor, find_project(store, project_id), current, action, comment, at))

        # the fields are known before the guard runs (its check decides only whether they may be written)
        probe = {"state": None, "reported_by": None, "reported_at": None} if action == "submit" else \
            {"state": None, "reviewed_by": None, "reviewed_at": None, "review_comment": None}
        changes.update(probe)
        edit_or_missing(store, "progress", rid, changes, guard, missing, user=actor.user)
        return changes["state"]


    def add_problem(self, project_id: str, raised_month: str, text: str, needs: str = "", owner_unit: str = "",
                    due=None) -> str:
        """Add an open problem (问题清单) for a project; returns its id ``PROJECT_ID/YYYY-MM/N``."""
        actor, store = self.actor, self._store
        month = month_of(raised_month)
        values = {"text": text_of(text, what="存在问题"), "needs": text_of(needs, what="需协调事项"),
                  "owner_unit": text_of(owner_unit, what="责任单位"), "due": date_of(due, what="办结时限")}
        if not values["text"]:
            raise ValidationFailed("请写明存在的问题（--text）。", english="Describe the problem (--text).")
        check_reporter(actor, find_project(store, project_id))

        def row(st) -> dict:  # numbered under the writer lock: two problems raised at once get 1 and 2
            qid = next_id(st.read("problems"), "problem_id", f"{project_id}/{month}/")
            return {"problem_id": qid, "project_id": str(project_id), "raised_month": month, **values,
                    "status": "open", "raised_by": actor.user, "raised_at": now_iso()}

        return store.insert_feature("problems", row, user=actor.user, what="问题",
                                    guard=lambda st, current: check_reporter(actor,
                                                                             locked_project(current, project_id)))

    def resolve_problem(self, problem_id: str, resolution: str) -> None:
        """Close an open problem with how it was resolved (the bureau's)."""
        actor, store = self.actor, self._store
        resolution = text_of(resolution, what="解决情况")
        if not resolution:
            raise ValidationFailed("请写明解决情况（--resolution）。",
                                   english="Say how it was resolved (--resolution).")
        missing = NotFound(f"没有编号为“{problem_id}”的问题（python -m xxgeo problems list）。",
                           english=f"No problem “{problem_id}” (python -m xxgeo problems list).")
        changes = {"status": "resolved", "resolution": resolution, "resolved_at": now_iso(),
                   "resolved_by": actor.user}
        edit_or_missing(store, "problems", str(problem_id), changes, lambda current: check_resolve(actor, current),
                        missing, user=actor.user)
