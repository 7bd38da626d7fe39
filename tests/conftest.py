"""Shared fixtures: the default store built once per session (factories, as in rio-tiler)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built_store_path(tmp_path_factory) -> Path:
    """The default dataset built from geodata/sources into a temporary GeoPackage (read-only use)."""
    from xxgeo.sources.build import build

    path = tmp_path_factory.mktemp("store") / "xxgeo.gpkg"
    build(str(path))
    return path


@pytest.fixture(scope="session")
def dataset(built_store_path):
    """Every layer of the default store, loaded once."""
    from xxgeo.store import GpkgStore

    return GpkgStore(built_store_path).load()


@pytest.fixture
def store_copy(built_store_path, tmp_path):
    """A private, writable copy of the default store for tests that change it."""
    from xxgeo.store import GpkgStore

    dest = tmp_path / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    return GpkgStore(dest)


# ----------------------------------------------------------------------------- PostGIS (tests/test_postgis.py)
PG_HOWTO = ("XXGEO_TEST_PG 未设置：PostGIS 测试未运行。运行 .ci/run（安装并启动本地 PostgreSQL+PostGIS），"
            "或设置 XXGEO_TEST_PG=postgresql://USER:PASS@127.0.0.1:PORT/DB")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test database URL from ``XXGEO_TEST_PG`` (set by .ci/run); skips, saying so, when absent."""
    import os

    url = os.environ.get("XXGEO_TEST_PG")
    if not url:
        pytest.skip(PG_HOWTO)
    return url


@pytest.fixture(scope="session")
def default_frames():
    """The default dataset's frames (what ``build`` writes), made once."""
    from xxgeo.sources.build import build_frames

    return build_frames()


@pytest.fixture
def pg_store_factory(pg_url, default_frames):
    """Make PostGIS stores in fresh schemas (the default dataset built in, unless ``empty=True``);
    every schema it made, and their backup and accounts schemas, are dropped afterwards."""
    import uuid

    import psycopg

    from xxgeo.store.postgis import PostgisStore

    made: list[str] = []

    def make(empty: bool = False) -> PostgisStore:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        made.append(schema)
        store = PostgisStore(f"{pg_url}{'&' if '?' in pg_url else '?'}schema={schema}")
        if not empty:
            store.write_layers(default_frames, user="build", action="build", fresh=True, audit=False)
            store.append_audit([{"user": "build", "layer": "*", "feature_id": None, "action": "build",
                                 "before": None, "after": f"{len(default_frames['projects'])} projects"}])
        return store

    yield make
    with psycopg.connect(pg_url, autocommit=True) as con:
        for schema in made:
            rows = con.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s OR starts_with(nspname, %s)",
                               (schema, f"{schema}_")).fetchall()  # backups and accounts
            for (name,) in rows:
                con.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def pg_store(pg_store_factory):
    """A PostGIS store in a fresh schema holding the default dataset."""
    return pg_store_factory()


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request):
    """A writable store holding the default dataset: a GeoPackage copy, and a PostGIS schema (the latter
    skipped, saying why, without ``XXGEO_TEST_PG``)."""
    return request.getfixturevalue("store_copy" if request.param == "gpkg" else "pg_store")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, one per test module (tests/kit.py)."""
    from kit import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="session", autouse=True)
def pg_schemas_are_cleaned_up():
    """After the session: every PostGIS schema a test opened (and its backup and accounts schemas) is gone.

    The schemas are found through the stores this process opened (``xxgeo.store.postgis._KNOWN``), not by
    listing the database, so other test runs sharing the server cannot make this fail. A leak is dropped and
    reported as an error of the session's last test."""
    import os

    url = os.environ.get("XXGEO_TEST_PG")
    if not url:
        yield
        return
    import psycopg

    def schemas(con, names) -> list[str]:
        found = []
        for name in names:
            found += [r[0] for r in con.execute(  # not every "<name>_…": "xxgeo_…" would catch other runs' schemas
                "SELECT nspname FROM pg_namespace WHERE nspname IN (%s, %s) OR starts_with(nspname, %s)",
                (name, f"{name}_accounts", f"{name}_bk_")).fetchall()]
        return found

    with psycopg.connect(url, autocommit=True) as con:
        before = set(r[0] for r in con.execute("SELECT nspname FROM pg_namespace").fetchall())
    yield
    from xxgeo.store.postgis import _KNOWN, PostgisStore

    db = PostgisStore(url).dbname
    opened = {s.schema for s in map(PostgisStore, list(_KNOWN.values())) if s.dbname == db}
    with psycopg.connect(url, autocommit=True) as con:
        leaked = [s for s in schemas(con, sorted(opened)) if s not in before]
        for name in leaked:
            con.execute(f'DROP SCHEMA "{name}" CASCADE')
    assert not leaked, f"PostGIS test schemas left behind (now dropped): {leaked}"
