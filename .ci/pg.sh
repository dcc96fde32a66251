# Sourced by .ci/run and bench/run: a throwaway PostgreSQL on loopback, run as the postgres
# user (PostgreSQL refuses to run as root). pg_start PORT sets PG_URL; pg_stop removes it all.

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    echo "installing PostgreSQL" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$found"
}

pg_start() {
  local port="$1"
  PGBIN=$(find_pg_bin)
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
  PGROOT=$(mktemp -d /tmp/dsr-pg.XXXXXX)
  chown postgres "$PGROOT"
  PGDATA="$PGROOT/data"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
  # fsync off: the database is thrown away; this keeps test setup and bulk loads fast.
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGROOT/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PGROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_EXTRA_OPTS:-}" \
    start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export PG_URL
  echo "PostgreSQL running on 127.0.0.1:$port"
}

pg_stop() {
  if [ -n "${PGDATA:-}" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGROOT"
  fi
}

# A second, separate cluster for the crash test (tests/api/bad_day.rs), which stops it with
# `pg_ctl -m immediate` (a crash, as far as clients can tell) and starts it again: the main
# cluster other tests share must never go down. pg_crash_cluster PORT writes a control
# script and exports DSR_TEST_PG_CRASH_URL and DSR_TEST_PG_CRASH_CTL (`ctl stop|start`).
pg_crash_cluster() {
  local port="$1"
  PGBIN=${PGBIN:-$(find_pg_bin)}
  CRASH_ROOT=$(mktemp -d /tmp/dsr-pg-crash.XXXXXX)
  chown postgres "$CRASH_ROOT"
  runuser -u postgres -- "$PGBIN/initdb" -D "$CRASH_ROOT/data" -A trust -U postgres --no-sync >/dev/null
  cat >"$CRASH_ROOT/ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\$1" in
  stop) runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CRASH_ROOT/data" -m immediate stop >/dev/null ;;
  start) runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CRASH_ROOT/data" -l "$CRASH_ROOT/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $CRASH_ROOT -c fsync=off -c max_connections=50" start >/dev/null ;;
  *) echo "usage: ctl stop|start" >&2; exit 2 ;;
esac
CTL
  chmod +x "$CRASH_ROOT/ctl"
  "$CRASH_ROOT/ctl" start
  export DSR_TEST_PG_CRASH_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export DSR_TEST_PG_CRASH_CTL="$CRASH_ROOT/ctl"
  echo "crash-test PostgreSQL running on 127.0.0.1:$port"
}

pg_crash_stop() {
  if [ -n "${CRASH_ROOT:-}" ]; then
    "$CRASH_ROOT/ctl" stop 2>/dev/null || true
    rm -rf "$CRASH_ROOT"
  fi
}
