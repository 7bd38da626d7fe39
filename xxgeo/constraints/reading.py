"""The constraints import's reader, run in the parsing worker (:func:`xxgeo.io.worker.read_isolated`): the shared
:func:`xxgeo.io.readers.read_source`, with the geometries handed back as WKB (an array of bytes pickles in one
pass; 10^5 shapely objects pickle one by one, seconds on a busy machine)."""

from __future__ import annotations

import numpy as np
import shapely

from ..io.arrowread import PendingTable
from ..io.rawtable import RawTable
from ..io.readers import read_source

READER = "xxgeo.constraints.reading:read_as_wkb"


def read_as_wkb(path, **kwargs) -> RawTable:
    """``read_source`` with ``geometry`` as WKB bytes (None kept); :func:`geometries` turns it back. A GeoPackage
    table keeps the WKB GDAL read (proven sound by decoding it once: :mod:`xxgeo.io.arrowread`)."""
    raw = read_source(path, pending=True, **kwargs)
    if isinstance(raw, PendingTable):
        return raw.finish(decode=False)
    if raw.geometry is not None:
        raw.geometry = shapely.to_wkb(np.asarray(raw.geometry, dtype=object))
    return raw


def geometries(raw: RawTable) -> np.ndarray | None:
    """The shapely geometries of a table read by :func:`read_as_wkb`."""
    if raw.geometry is None:
        return None
    return np.asarray(shapely.from_wkb(raw.geometry), dtype=object)
