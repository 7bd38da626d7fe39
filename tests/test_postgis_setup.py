"""A PostgreSQL database where PostGIS is installed but not enabled (issue 11 item 9): the store enables it when
its role may, and otherwise says in one sentence what to run — never ``type "geometry" does not exist``.

Needs the test server of scripts/pg_test_server.sh, which also makes the database ``xxgeo_test_bare`` (owned by
the test role, PostGIS not enabled) and the superuser ``xxgeo_admin``."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import psycopg
import pytest

from xxgeo.errors import StoreError
from xxgeo.store.postgis import PostgisStore


def _url(pg_url: str, user: str, password: str, db: str) -> str:
    p = urlsplit(pg_url)
    return f"postgresql://{user}:{password}@{p.hostname}:{p.port}/{db}"


def _connect_or_skip(url: str):
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.skip(f"the test server has no {url.split('@')[0].split('//')[1].split(':')[0]} / database for this "
                    f"test (scripts/pg_test_server.sh start makes them): {exc}")


def test_a_role_that_may_not_enable_postgis_gets_one_sentence(pg_url, default_frames):
    bare = _url(pg_url, "xxgeo", "xxgeo", "xxgeo_test_bare")
    with _connect_or_skip(bare) as con:
        assert con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    store = PostgisStore(f"{bare}?schema={schema}")
    with pytest.raises(StoreError) as e:
        store.write_layers(default_frames, user="build", action="build", fresh=True, audit=False)
    assert "CREATE EXTENSION postgis;" in e.value.message and "CREATE EXTENSION postgis;" in e.value.english
    assert "geometry" not in e.value.message
    with psycopg.connect(bare, autocommit=True) as con:  # nothing was left behind
        assert con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None
        assert con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None


def test_a_role_that_may_enables_postgis_and_builds(pg_url, default_frames):
    admin = _url(pg_url, "xxgeo_admin", "xxgeo_admin", "postgres")
    db = f"xxgeo_ext_{uuid.uuid4().hex[:10]}"
    with _connect_or_skip(admin) as con:
        con.execute(f'CREATE DATABASE "{db}"')
    try:
        store = PostgisStore(f"{_url(pg_url, 'xxgeo_admin', 'xxgeo_admin', db)}?schema=xxgeo")
        store.write_layers(default_frames, user="build", action="build", fresh=True, audit=False)
        assert len(store.read("projects")) == len(default_frames["projects"])
        with psycopg.connect(_url(pg_url, "xxgeo_admin", "xxgeo_admin", db), autocommit=True) as con:
            assert con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is not None
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
