"""Small pieces of the PostGIS backend: backup handles, the ``store.path`` stand-in, URL parsing, values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import pandas as pd

from ..errors import StoreError

if TYPE_CHECKING:
    from .postgis import PostgisStore

DEFAULT_SCHEMA = "xxgeo"


@dataclass(frozen=True)
class Snapshot:
    """A backup: a schema holding a copy of every table (what ``GpkgStore`` backups are as files)."""

    name: str
    size: int = 0
    store: PostgisStore | None = field(default=None, compare=False, repr=False)

    @property
    def stem(self) -> str:
        return self.name

    def stat(self) -> SimpleNamespace:
        """``st_size`` in bytes (as ``Path.stat`` offers it)."""
        return SimpleNamespace(st_size=self.size, st_mtime=0.0)

    def exists(self) -> bool:
        """True while the backup schema exists."""
        return self.store is not None and any(b.name == self.name for b in self.store.list_backups())

    def __str__(self) -> str:
        return self.name


class PgLocation:
    """What callers use of ``GpkgStore.path``: ``name``, ``str()`` and ``stat().st_mtime`` (a change counter)."""

    def __init__(self, store: PostgisStore) -> None:
        self._store = store
        self.name = f"{store.dbname}.{store.schema}"
        self.stem = self.name

    def __str__(self) -> str:
        return self._store.display

    def __repr__(self) -> str:
        return f"PgLocation({self._store.display!r})"

    def exists(self) -> bool:
        return self._store.exists()

    def stat(self) -> SimpleNamespace:
        """``st_mtime`` grows with every committed write (a cache token, not a time)."""
        return SimpleNamespace(st_mtime=float(self._store.change_count()), st_size=0)


def split_url(url: str) -> tuple[str, str, str, str]:
    """-> (conninfo for psycopg, schema, display URL without password, database name)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", DEFAULT_SCHEMA)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", schema):
        raise StoreError(f"数据库地址中的 schema“{schema}”无效：只能用小写字母、数字和下划线（不超过 40 个字符）。")
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    host = parts.hostname or "localhost"
    netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    dbname = parts.path.lstrip("/") or (parts.username or "postgres")
    display = urlunsplit((parts.scheme, netloc, parts.path, urlencode({"schema": schema}), ""))
    return conninfo, schema, display, dbname


def first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def kind_of(series) -> str:
    """The schema kind for a column that is not in the schema (kept as the frame's dtype)."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "str"




def geoms_of(df) -> list:
    if isinstance(df, gpd.GeoDataFrame):
        return [None if g is None else g for g in df.geometry.values]
    return [None] * len(df)
