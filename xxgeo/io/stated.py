"""Imports never assume a precision (issue 13): a row with a location says how exactly it is known.

A layer with ``loc_precision`` (projects, scenic sites, roads, villages) takes the precision of a row's geometry
from the file's own column (位置精度 / 定位精度 …, :mod:`xxgeo.io.columns`), from ``--default 位置精度=…``, or from
``--precision CODE`` (the app's 位置精度 choice) for the whole file. :func:`require_stated` runs in the import
pipeline before the merge: a file with rows that carry a geometry but none of these is refused as a whole with
:class:`~xxgeo.errors.PrecisionNotStated`, nothing is written. Rows without a geometry are not concerned: the
merge records them as known to their township (or the county) as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..errors import PrecisionNotStated
from ..precision import BY_CODE, CODES
from ..schema import LAYERS, is_empty
from .newrows import blank

#: row labels named in the sentence before "…"
SHOWN = 3


def unstated_rows(incoming: pd.DataFrame, layer: str, precision: str | None) -> list:
    """Positions of the rows of ``incoming`` that carry a geometry and no stated precision ([] when the layer has
    no ``loc_precision``, has no geometry, or ``precision`` states it for the whole file)."""
    lay = LAYERS[layer]
    if not lay.spatial or "loc_precision" not in lay.field_names or "geometry" not in incoming.columns:
        return []
    if not is_empty(precision):
        return []
    geoms = incoming["geometry"].to_numpy(dtype=object)
    if not len(geoms):
        return []
    present = shapely.is_geometry(geoms)  # None, NaN and other non-geometries are False (vectorised)
    has = present.copy()
    if present.any():
        has[present] = ~shapely.is_empty(geoms[present])
    if "loc_precision" in incoming.columns and has.any():
        has &= blank(incoming["loc_precision"].to_numpy(dtype=object))
    return np.flatnonzero(has).tolist()



def codes_text(sep: str = "|") -> str:
    """The precision codes a user can give ``--precision``, most precise first (``surveyed|digitised|…``)."""
    return sep.join(CODES)


def unstated_refusal(rows: list, labels: list, layer: str) -> PrecisionNotStated:
    """The one-sentence refusal (both languages) for ``rows`` (positions) whose precision nobody stated."""
    from ..english import row_en

    n = len(rows)
    shown = [str(labels[i]) if i < len(labels) else f"第{i + 1}行" for i in rows[:SHOWN]]
    more_zh, more_en = ("等" if n > SHOWN else ""), (" …" if n > SHOWN else "")
    lay = LAYERS[layer]
    field_zh = lay.field("loc_precision").label or "位置精度"
    choices_zh = "、".join(BY_CODE[c].zh for c in CODES)
    return PrecisionNotStated(
        f"导入被拒绝，数据库未改动：文件中有 {n} 行带位置但没有写明位置精度（{'、'.join(shown)}{more_zh}），"
        f"不会默认按实测记录；请加 --precision {codes_text()}（依次为{choices_zh}；应用中在“{field_zh}”里选择），"
        f"或在文件中加“{field_zh}”列（也可写“定位精度”）。",
        english=f"Import refused, nothing was written: {n} row(s) of the file carry a location but no location "
                f"precision ({', '.join(row_en(x) for x in shown)}{more_en}), and it is never assumed surveyed; "
                f"add --precision {codes_text()} (in the app choose it under Location precision), or give the file "
                "a location-precision column (loc_precision).", rows=n)


def require_stated(incoming: pd.DataFrame, layer: str, precision: str | None, labels: list | None = None) -> None:
    """Refuse (:class:`~xxgeo.errors.PrecisionNotStated`) an import whose located rows state no precision."""
    rows = unstated_rows(incoming, layer, precision)
    if rows:
        if labels is None:
            labels = incoming["_row"].tolist() if "_row" in incoming.columns else []
        raise unstated_refusal(rows, labels, layer)
