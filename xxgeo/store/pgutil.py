"""Small pieces of the PostGIS backend: backup handles, URL parsing, values."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import pandas as pd
import psycopg

from ..errors import StoreError, pg_read_only

DEFAULT_SCHEMA = "xxgeo"


@dataclass(frozen=True)
class Snapshot:
    """A backup: a schema holding a copy of every table (what ``GpkgStore`` backups are as files)."""

    name: str
    size: int = 0
    store: object = field(default=None, compare=False, repr=False)  # the PostgisStore it belongs to

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


def split_url(url: str) -> tuple[str, str, str, str]:
    """-> (conninfo for psycopg, schema, display URL without password, database name)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", DEFAULT_SCHEMA)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", schema):
        raise StoreError(f"数据库地址中的 schema“{schema}”无效：只能用小写字母、数字和下划线（不超过 40 个字符）。",
                         english=f"The schema “{schema}” in the database address is invalid: use only "
                                 "lowercase letters, digits and underscores (at most 40 characters).")
    # libpq reads %20, not "+", as a space (options=-c%20name%3Dvalue)
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), ""))
    host = parts.hostname or "localhost"
    netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    dbname = parts.path.lstrip("/") or (parts.username or "postgres")
    display = urlunsplit((parts.scheme, netloc, parts.path, urlencode({"schema": schema}), ""))
    return conninfo, schema, display, dbname


@contextlib.contextmanager
def server_errors(display: str, dbname: str):
    """The server's refusals inside a transaction turned into one sentence each (nothing was changed: the
    transaction rolled back): read-only server, lock timeout, PostGIS missing, anything else in its own words."""
    try:
        yield
    except psycopg.errors.ReadOnlySqlTransaction as exc:
        raise pg_read_only(display) from exc
    except psycopg.errors.LockNotAvailable as exc:
        raise StoreError("数据库正被其他用户写入，请稍后再试。",
                         english="Someone else is writing to the store; try again shortly.") from exc
    except psycopg.errors.UndefinedObject as exc:
        if 'type "geometry"' in str(exc):
            raise postgis_missing(dbname) from exc
        raise _refused(exc) from exc
    except psycopg.Error as exc:
        raise _refused(exc) from exc


def _refused(exc: Exception) -> StoreError:
    return StoreError(f"数据库服务器报错，操作未完成，数据未改动：{first_line(exc)}。",
                      english=f"The database server refused; nothing changed: {first_line(exc)}.")


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


def ensure_postgis(cur, dbname: str) -> None:
    """Enable PostGIS in the database when it is installed but not enabled and this role may; otherwise
    one sentence saying what to run."""
    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone():
        return
    cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    if not cur.fetchone():
        raise StoreError(f"数据库服务器上没有安装 PostGIS：请在服务器上安装（Debian：apt-get install "
                         f"postgresql-15-postgis-3），再在数据库 {dbname} 中运行 CREATE EXTENSION postgis;",
                         english=f"PostGIS is not installed on the server: install it (Debian: apt-get install "
                                 f"postgresql-15-postgis-3), then run CREATE EXTENSION postgis; in {dbname}.")
    cur.execute("SAVEPOINT xxgeo_postgis")
    try:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.errors.InsufficientPrivilege as exc:
        cur.execute("ROLLBACK TO SAVEPOINT xxgeo_postgis")
        raise postgis_missing(dbname) from exc


def postgis_missing(dbname: str) -> StoreError:
    """PostGIS is installed but not enabled, and this role may not enable it: what to ask for."""
    return StoreError(f"数据库 {dbname} 尚未启用 PostGIS，且当前用户无权启用：请让数据库管理员在该数据库中运行 "
                      "CREATE EXTENSION postgis;",
                      english=f"PostGIS is not enabled in database {dbname} and this role may not enable it: ask "
                              "the database administrator to run CREATE EXTENSION postgis; there.")
