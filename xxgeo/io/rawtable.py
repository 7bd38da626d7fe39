"""The rows of one input file before schema mapping (what every reader returns), and the checks every read frame
passes (:func:`checked_table`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ImportRefused
from . import limits
from .encoding import check_no_mojibake


@dataclass
class RawTable:
    """Rows of one input file before schema mapping."""

    frame: pd.DataFrame  # attribute columns as read
    geometry: np.ndarray | None  # shapely geometries (None entries allowed), or None for a plain table
    crs: object | None  # declared CRS (pyproj-readable) of ``geometry``
    fmt: str
    name: str
    row_labels: list = field(default_factory=list)  # "第5行" / "第3个要素", for messages
    notes: list = field(default_factory=list)


def checked_table(frame: pd.DataFrame, geometry, crs, fmt: str, name: str, notes: list,
                  noun: str = "个要素") -> RawTable:
    """A :class:`RawTable` of features read by GDAL (labelled 第N个要素), refused when it has no rows, breaks a
    size limit or holds garbled text (:func:`~.limits.check_frame`, :func:`~.encoding.check_no_mojibake`)."""
    frame = frame.reset_index(drop=True)
    if len(frame) == 0:
        raise ImportRefused(f"文件“{name}”里没有任何要素或数据行，未导入。",
                            english=f"The file “{name}” has no features or data rows; nothing was imported.")
    labels = [f"第{i + 1}{noun}" for i in range(len(frame))]
    limits.check_frame(frame, f"文件“{name}”", labels)
    check_no_mojibake(frame, f"文件“{name}”")
    return RawTable(frame=frame, geometry=geometry, crs=crs, fmt=fmt, name=name, row_labels=labels, notes=notes)
