"""The store: every layer of the county's data, read and written through one interface (:class:`Store`).

``open_store(location)`` returns the backend for a location: a GeoPackage file (the embedded default,
:mod:`.gpkg`) or a ``postgresql://`` URL (:mod:`.postgis`). The transactional logic both share is in
:mod:`.base`; the values they take and return (frames, :class:`Dataset`, audit entries) in :mod:`.frames`.
"""

from __future__ import annotations

import os

from ..config import settings
from .base import Store
from .frames import AuditEntry, Dataset, Revert, coerce, empty_frame, now_iso, sql_value
from .gpkg import GpkgStore
from .postgis import PostgisStore

__all__ = ["AuditEntry", "Dataset", "GpkgStore", "PostgisStore", "Revert", "Store", "coerce", "empty_frame",
           "now_iso", "open_store", "sql_value"]


def open_store(location: str | os.PathLike | None = None) -> Store:
    """The store at ``location`` (a path or a ``postgresql://`` URL), else ``XXGEO_STORE``, else the default."""
    loc = str(location or settings().store)
    if loc.startswith(("postgresql://", "postgres://")):
        return PostgisStore(loc)
    return GpkgStore(loc)
