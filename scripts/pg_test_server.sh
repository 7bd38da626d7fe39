#!/usr/bin/env bash
# A private, throw-away PostgreSQL + PostGIS server for the PostGIS tests (Debian's postgresql and
# postgresql-15-postgis-3). tests/conftest.py runs it when XXGEO_TEST_PG is not set; a developer may run it by hand.
#
#   scripts/pg_test_server.sh start [PORT] [DATADIR]   initdb DATADIR if empty, start on 127.0.0.1:PORT, make the
#                                                      role xxgeo, the database xxgeo_test and PostGIS in it, and
#                                                      print the URL for XXGEO_TEST_PG
#   scripts/pg_test_server.sh stop  [PORT] [DATADIR]   stop that server (DATADIR is kept)
#
# PORT defaults to 54329 and DATADIR to /tmp/xxgeo-pg-PORT. Run as root, the server runs as the postgres user
# (runuser), which then owns DATADIR. The socket lives in DATADIR, so nothing else on the machine is touched.
set -euo pipefail

cmd="${1:-}"
PG_PORT="${2:-54329}"
PG_DATA="${3:-/tmp/xxgeo-pg-$PG_PORT}"
INSTALL="apt-get install postgresql postgresql-15-postgis-3"

initdb_path="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$initdb_path" ]; then
  echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): $INSTALL" >&2
  exit 2
fi
PG_BIN="$(dirname "$initdb_path")"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  start)
    if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
      echo "PostGIS is not installed (no postgis.control): $INSTALL" >&2
      exit 2
    fi
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA" && chmod 700 "$PG_DATA"
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
      as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
        --locale=C.UTF-8 >/dev/null
    fi
    if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
      # a server killed with its session leaves its pid file behind: stale when that process is gone
      pid="$(head -1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
      if [ -n "$pid" ] && [ ! -d "/proc/$pid" ]; then rm -f "$PG_DATA/postmaster.pid"; fi
      if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 120 \
          -o "-k $PG_DATA -h 127.0.0.1 -p $PG_PORT -c fsync=off -c max_connections=200" start >/dev/null; then
        echo "the PostgreSQL server did not start; its log:" >&2
        tail -20 "$PG_DATA/server.log" >&2 || true
        exit 1
      fi
    fi
    sock="$PG_DATA"  # a server started by an older .ci/run has its socket in /tmp
    [ -S "$PG_DATA/.s.PGSQL.$PG_PORT" ] || sock=/tmp
    psql_pg() { "$PG_BIN/psql" -q -h "$sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
    if ! psql_pg -tAc "SELECT 1 FROM pg_roles WHERE rolname='xxgeo'" | grep -q 1; then
      psql_pg -c "CREATE ROLE xxgeo LOGIN PASSWORD 'xxgeo'"
    fi
    if ! psql_pg -tAc "SELECT 1 FROM pg_database WHERE datname='xxgeo_test'" | grep -q 1; then
      psql_pg -c "CREATE DATABASE xxgeo_test OWNER xxgeo"
    fi
    if ! psql_pg -d xxgeo_test -tAc "SELECT 1 FROM pg_extension WHERE extname='postgis'" | grep -q 1; then
      psql_pg -d xxgeo_test -c "CREATE EXTENSION postgis"
    fi
    # for tests/test_postgis_setup.py: a database where PostGIS is installed but not enabled, and a role that may
    # enable it (the test role xxgeo may not: PostGIS is not a trusted extension)
    if ! psql_pg -tAc "SELECT 1 FROM pg_database WHERE datname='xxgeo_test_bare'" | grep -q 1; then
      psql_pg -c "CREATE DATABASE xxgeo_test_bare OWNER xxgeo"
    fi
    if ! psql_pg -tAc "SELECT 1 FROM pg_roles WHERE rolname='xxgeo_admin'" | grep -q 1; then
      psql_pg -c "CREATE ROLE xxgeo_admin LOGIN SUPERUSER PASSWORD 'xxgeo_admin'"
    fi
    echo "postgresql://xxgeo:xxgeo@127.0.0.1:$PG_PORT/xxgeo_test"
    ;;
  stop)
    if [ -f "$PG_DATA/postmaster.pid" ]; then
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t 60 -m fast stop >/dev/null \
        || as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null
    fi
    ;;
  *)
    echo "usage: $0 start|stop [PORT] [DATADIR]" >&2
    exit 64
    ;;
esac
