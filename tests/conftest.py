"""Shared fixtures: the default store built once per session (factories, as in rio-tiler), and the test run's
set-up: the markers ``browser``, ``postgis`` and ``slow`` put on the tests that need them, a private throw-away
PostgreSQL + PostGIS server when ``XXGEO_TEST_PG`` is not set, and, in CI (``CI=true``), no browser or PostGIS
test allowed to skip."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = ROOT / "scripts" / "pg_test_server.sh"
PG_INSTALL = "sudo apt-get install postgresql postgresql-15-postgis-3"
CHROMIUM_INSTALL = "sudo apt-get install chromium"
PG_FIXTURES = {"pg_url", "pg_store", "pg_store_factory"}


def in_ci() -> bool:
    """True in CI (``CI=true``), where a browser or PostGIS test that would skip fails instead."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _start_private_pg(config: pytest.Config) -> str | None:
    """Start a throw-away PostgreSQL + PostGIS server (scripts/pg_test_server.sh) on a free port in a temporary
    folder, set ``XXGEO_TEST_PG`` to it and return ``None``; or return why it cannot be done."""
    from kit import free_port

    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return f"PostgreSQL 未安装 / PostgreSQL is not installed ({PG_INSTALL})"
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control"):
        return f"PostGIS 未安装 / PostGIS is not installed ({PG_INSTALL})"
    port = free_port()
    data = tempfile.mkdtemp(prefix="xxgeo-pg-", dir="/tmp")  # short: the server's socket lives in it
    config._xxgeo_pg = (str(port), data)  # stopped and removed in pytest_unconfigure
    run = subprocess.run(["bash", str(PG_SERVER), "start", str(port), data], capture_output=True, text=True,
                         timeout=300)
    if run.returncode != 0:
        return ("私有 PostgreSQL 服务器未能启动 / the private PostgreSQL server did not start: "
                + (run.stderr.strip() or run.stdout.strip())[-800:])
    os.environ["XXGEO_TEST_PG"] = run.stdout.strip().splitlines()[-1]
    return None


def pytest_configure(config: pytest.Config) -> None:
    """No private PostgreSQL server yet (one is started after collection, if a selected test needs it)."""
    config._xxgeo_pg = None
    config._xxgeo_pg_why = None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Have a PostGIS test database for the selected PostGIS tests: ``XXGEO_TEST_PG`` if set, else a private
    server started now (when PostgreSQL and PostGIS are installed); else remember why not. Nothing is started
    when no selected test needs it (``-m "not postgis"``, or files without PostGIS tests)."""
    if os.environ.get("XXGEO_TEST_PG") or not any(item.get_closest_marker("postgis") for item in session.items):
        return
    session.config._xxgeo_pg_why = _start_private_pg(session.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the private server (if this run started one) and remove its folder."""
    started = getattr(config, "_xxgeo_pg", None)
    if not started:
        return
    port, data = started
    subprocess.run(["bash", str(PG_SERVER), "stop", port, data], capture_output=True, timeout=120)
    shutil.rmtree(data, ignore_errors=True)
    os.environ.pop("XXGEO_TEST_PG", None)  # it named the server just removed


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what each test needs: Chromium (the ``browser`` fixture) -> ``browser``; a PostgreSQL server
    (``pg_url``, ``pg_store``, ``pg_store_factory``, or a ``postgis`` parameter such as ``any_store[postgis]``)
    -> ``postgis``. ``slow`` is set by hand on the tests that take more than ~10 s."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if names & PG_FIXTURES or any(isinstance(v, str) and v == "postgis" for v in params.values()):
            item.add_marker(pytest.mark.postgis)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """In CI a browser or PostGIS test that skips is a failure: CI must run them all."""
    report = yield
    if report.skipped and in_ci() and not hasattr(report, "wasxfail") and (
            item.get_closest_marker("browser") or item.get_closest_marker("postgis")):
        reason = _reason(report)
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test may not skip in CI, but it skipped: {reason}"
    return report


def _reason(report) -> str:
    """The reason a skipped test report gives."""
    text = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return text.removeprefix("Skipped: ")


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """Say plainly, once, that PostGIS or browser tests were skipped and why (and what installs them)."""
    skipped = terminalreporter.stats.get("skipped", [])
    for marker, zh, en in (("postgis", " PostGIS 测试", "PostGIS tests"), ("browser", "浏览器测试", "browser tests")):
        mine = [r for r in skipped if marker in r.keywords]
        if not mine:
            continue
        why = (getattr(config, "_xxgeo_pg_why", None) if marker == "postgis" else None) or _reason(mine[0])
        terminalreporter.write_line(f"跳过了 {len(mine)} 个{zh} / {len(mine)} {en} skipped: {why}",
                                    yellow=True, bold=True)


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
PG_HOWTO = ("PostGIS 测试未运行：XXGEO_TEST_PG 未设置，也无法启动私有服务器（安装：" + PG_INSTALL + "）/ "
            "PostGIS tests not run: XXGEO_TEST_PG is not set and no private server could be started")


@pytest.fixture(scope="session")
def pg_url(pytestconfig) -> str:
    """The test database URL: ``XXGEO_TEST_PG``, or the private server this run started; skips, saying why,
    when there is neither."""
    url = os.environ.get("XXGEO_TEST_PG")
    if not url:
        pytest.skip(getattr(pytestconfig, "_xxgeo_pg_why", None) or PG_HOWTO)
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
    """Debian's Chromium, headless, one per test module (tests/kit.py); a skip saying how to install it when
    /usr/bin/chromium is missing, a failure in CI."""
    from kit import CHROMIUM, chromium

    if not Path(CHROMIUM).exists():
        message = (f"{CHROMIUM} 不存在：浏览器测试未运行（安装：{CHROMIUM_INSTALL}）/ "
                   f"no {CHROMIUM}: browser tests not run")
        if in_ci():
            pytest.fail("CI=true: " + message)
        pytest.skip(message)
    with chromium() as b:
        yield b


@pytest.fixture(scope="session", autouse=True)
def pg_schemas_are_cleaned_up():
    """After the session: every PostGIS schema a test opened (and its backup and accounts schemas) is gone.

    The schemas are found through the stores this process opened (``xxgeo.store.postgis._KNOWN``), not by
    listing the database, so other test runs sharing the server cannot make this fail. A leak is dropped and
    reported as an error of the session's last test."""
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


@pytest.fixture
def app(built_store_path, monkeypatch):
    """``kit.app_test`` on the default store: ``app(view=..., lang=...)`` runs the app once with those URL params."""
    from kit import app_test

    monkeypatch.setenv("XXGEO_STORE", str(built_store_path))
    return app_test


@pytest.fixture
def small_app_store(tmp_path, monkeypatch):
    """A small made store (tests/datafactory.py) the app opens (``XXGEO_STORE``), edits recorded as 测试员."""
    from datafactory import make_store

    s = make_store(tmp_path / "store.gpkg")
    monkeypatch.setenv("XXGEO_STORE", str(s.path))
    monkeypatch.setenv("XXGEO_USER", "测试员")
    return s
