#!/usr/bin/env bash
# A real PostgreSQL 15 server (Debian's postgresql-15) on loopback, for tests, benchmarks and
# developers. Not for production: trust authentication on 127.0.0.1 only.
#
#   infra/postgres.sh start [DIR] [PORT]   initialise DIR if needed, start, print DATABASE_URL
#   infra/postgres.sh stop  [DIR]
#   infra/postgres.sh url   [DIR] [PORT]
#
# PostgreSQL refuses to run as root; as root the server runs as the `postgres` system user.
set -euo pipefail

cmd=${1:-start}
dir=${2:-${PGDATA_DIR:-$PWD/data/postgres-server}}
port=${3:-${PGPORT_TEST:-55432}}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

if [ ! -x "$bin/pg_ctl" ]; then
  echo "infra/postgres.sh: $bin/pg_ctl not found; install Debian's postgresql-15 (infra/setup-debian.sh)" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      # Already running: answer with the port it really listens on (line 4 of postmaster.pid).
      port=$(sed -n 4p "$dir/postmaster.pid")
    else
      as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start \
        -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=300 -c shared_buffers=256MB ${PG_EXTRA_OPTS:-}" >/dev/null
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  *)
    echo "usage: infra/postgres.sh start|stop|url [DIR] [PORT]" >&2
    exit 2
    ;;
esac
