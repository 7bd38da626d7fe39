"""The change log as people read it: local time (Asia/Shanghai), the layer's and the fields' names, before and
after as ``状态：在建`` with 未注明 for an empty value, positions as longitude/latitude; never raw JSON or UTC.
Pure (no Streamlit), shared by the data view's history section."""

from __future__ import annotations

import json

import pandas as pd
from shapely import wkt
from shapely.errors import GEOSException

from ..i18n import strings, tr, value_text
from ..schema import LAYERS
from ..vocab import bool_word, local_time, not_stated, precision_label, status_text

COLUMNS = ("at", "user", "layer", "feature_id", "action", "before", "after")


def field_label(layer: str, name: str, lang: str = "zh") -> str:
    """A field's name for people: ``audit_field.<name>`` when written, else the schema's label, else the name."""
    key = f"audit_field.{name}"
    if key in strings():
        return tr(key, lang)
    lay = LAYERS.get(layer)
    label = lay.field(name).label if lay is not None and name in lay.field_names else ""
    return label if label and tr("audit_view.name_source", lang) == "label" else name


def layer_label(layer, lang: str = "zh") -> str:
    """A layer's name for people (``*``: every layer)."""
    if layer in (None, "", "*"):
        return tr("audit_view.all_layers", lang)
    lay = LAYERS.get(str(layer))
    return lay.label if lay is not None and tr("audit_view.name_source", lang) == "label" else str(layer)


def value_label(name: str, value, lang: str = "zh") -> str:
    """One stored value as shown: 未注明 when empty, codes in words, a point as its longitude and latitude."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return not_stated(lang)
    if name == "geometry":
        return _place(str(value), lang)
    if name == "loc_precision":
        return precision_label(value, lang)
    if name == "status":
        return str(status_text(value, lang))
    if name == "category":
        return str(value_text(value, lang))
    if name == "public" or isinstance(value, bool):
        return bool_word(value, lang)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value)


def _place(text: str, lang: str) -> str:
    try:
        g = wkt.loads(text)
    except (GEOSException, ValueError, TypeError):
        return text
    if g.geom_type == "Point":
        return tr("audit_view.point", lang, lon=f"{g.x:.6f}", lat=f"{g.y:.6f}")
    return tr("audit_view.shape", lang, kind=g.geom_type)


def changes_text(layer: str, raw, lang: str = "zh") -> str:
    """A before/after cell of the log: ``状态：在建；位置精度：实测`` (or the text itself when it is not a
    field map, e.g. ``550 projects``); empty as ''."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or raw == "":
        return ""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return str(raw)
    if not isinstance(data, dict):
        return str(raw)
    sep, colon = tr("audit_view.sep", lang), tr("audit_view.colon", lang)
    return sep.join(f"{field_label(layer, k, lang)}{colon}{value_label(k, v, lang)}"
                    for k, v in data.items() if not str(k).startswith("_"))


def action_label(action, lang: str = "zh") -> str:
    """What was done, in words (``update`` -> 修改)."""
    key = f"audit_view.action_{str(action).replace('-', '_')}"
    return tr(key, lang) if key in strings() else str(action)


def readable_log(audit: pd.DataFrame, lang: str = "zh", *, last: int = 20) -> pd.DataFrame:
    """The latest ``last`` rows of the audit log, newest first, every cell readable; headers in ``lang``."""
    rows = audit.tail(last).iloc[::-1]
    out = pd.DataFrame({
        "at": [local_time(v) for v in rows["at"]],
        "user": rows["user"].fillna("").astype(str).tolist(),
        "layer": [layer_label(v, lang) for v in rows["layer"]],
        "feature_id": rows["feature_id"].astype(object).where(rows["feature_id"].notna(), "").astype(str).tolist(),
        "action": [action_label(v, lang) for v in rows["action"]],
        "before": [changes_text(lay, v, lang) for lay, v in zip(rows["layer"], rows["before"])],
        "after": [changes_text(lay, v, lang) for lay, v in zip(rows["layer"], rows["after"])],
    })
    return out.rename(columns={c: tr(f"history.col_{c}", lang) for c in COLUMNS})


def change_sentence(change, lang: str = "zh") -> str:
    """The undoable change (:class:`xxgeo.edits.Change`) in one sentence, its time local."""
    at = local_time(change.at)
    if change.action == "update":
        what = tr("audit_view.list_sep", lang).join(
            field_label(change.layer, k, lang) for k in change.after if not str(k).startswith("_"))
        return tr("audit_view.changed", lang, at=at, user=change.user, layer=layer_label(change.layer, lang),
                  fid=change.feature_id or "", fields=what)
    if change.action == "insert":
        return tr("audit_view.inserted", lang, at=at, user=change.user, layer=layer_label(change.layer, lang),
                  fid=change.feature_id or "")
    return tr("audit_view.imported", lang, at=at, user=change.user, layer=layer_label(change.layer, lang),
              file=change.after.get("file", "") if isinstance(change.after, dict) else "")
