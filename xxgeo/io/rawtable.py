"""The rows of one input file before schema mapping (what every reader returns)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


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
