"""A PostgreSQL store that takes no writes (a read-only replica, or ``default_transaction_read_only``) gets the
one read-only sentence, in both languages, before anything is written, by every route; nothing changes."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import psycopg
import pytest

from xxgeo.errors import StoreError
from xxgeo.store.pgutil import server_errors
from xxgeo.store.postgis import PostgisStore

READ_ONLY = "options=" + quote("-c default_transaction_read_only=on")


def _read_only_url(store: PostgisStore) -> str:
    return f"{store.url}&{READ_ONLY}"


def test_a_write_on_a_read_only_server_is_the_read_only_sentence(pg_store):
    ro = PostgisStore(_read_only_url(pg_store))
    before = pg_store.read("projects")
    pid = before["project_id"].iloc[0]
    assert len(ro.read("projects")) == len(before)  # reading works
    with pytest.raises(StoreError) as err:
        ro.update_feature("projects", pid, {"name": "改名"}, user="甲")
    assert "是只读的" in err.value.message and "read-only" in err.value.english
    with pytest.raises(StoreError, match="是只读的"):
        ro.backup("ro")
    after = pg_store.read("projects")
    assert after.set_index("project_id").loc[pid, "name"] == before.set_index("project_id").loc[pid, "name"]
    assert not pg_store.list_backups()


def test_the_server_refusing_mid_transaction_is_the_same_sentence(pg_store):
    """The server's own 25006 (what a hot standby says) maps to the read-only sentence too."""
    with (pytest.raises(StoreError, match="是只读的"), server_errors(pg_store.display, pg_store.dbname),
          psycopg.connect(pg_store.conninfo) as con):
        con.execute("SET TRANSACTION READ ONLY")
        con.execute(f"CREATE TABLE {pg_store.schema}.nope (x int)")


def test_the_cli_says_it_in_one_sentence_in_both_languages(pg_store):
    url = _read_only_url(pg_store)
    pid = pg_store.read("projects")["project_id"].iloc[0]
    env = {**os.environ, "PYTHONPATH": str(os.getcwd())}
    for lang, words in (("zh", "是只读的"), ("en", "is read-only")):
        r = subprocess.run([sys.executable, "-m", "xxgeo", "set", "--layer", "projects", "--id", pid, "status=在建",
                            "--user", "甲", "--store", url, "--lang", lang], capture_output=True, text=True, env=env,
                           timeout=300)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
