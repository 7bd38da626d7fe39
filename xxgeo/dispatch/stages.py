"""A project's stage changes (储备 → 签约 → … → 投产) with their dates, read from the audit log.

Every route that changes ``projects.stage`` — an edit (``set``, the edit form), an import, an undo — already writes
an audit row with the stage before and after, who and when, inside the same transaction as the change. So the
history is *derived* from the audit log rather than kept in a second table that every route would have to keep in
step (and that a restore would have to roll back with the data: the audit log is kept across restores).
"""

from __future__ import annotations

import json

import pandas as pd

from ..vocab import local_time

STAGE_ROWS = ("update", "import-update", "import-insert", "undo")
COLUMNS = ["project_id", "stage", "previous", "at", "at_local", "user", "action"]


def _load(s) -> dict:
    try:
        v = json.loads(s) if s else {}
    except (TypeError, json.JSONDecodeError):
        return {}
    return v if isinstance(v, dict) else {}


def stage_history(entries, project_id: str | None = None) -> pd.DataFrame:
    """The stage changes in ``entries`` (``store.audit_entries()``, oldest first), one row per change:
    project_id, stage (new; None when cleared), previous, at (ISO, as stored), at_local (Asia/Shanghai), user,
    action. Only ``project_id``'s when given."""
    rows = []
    for e in entries:
        if e.layer != "projects" or e.action not in STAGE_ROWS or (project_id and e.feature_id != project_id):
            continue
        after = _load(e.after)
        if "stage" not in after:
            continue
        before = _load(e.before)
        if after.get("stage") == before.get("stage"):
            continue
        rows.append({"project_id": e.feature_id, "stage": after.get("stage"), "previous": before.get("stage"),
                     "at": e.at, "at_local": local_time(e.at), "user": e.user, "action": e.action})
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)
