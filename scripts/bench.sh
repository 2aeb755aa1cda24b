#!/usr/bin/env bash
# make bench / make bench-quick (docs/benchmark.md): Xinfang on SQLite and on a throwaway
# PostgreSQL cluster, side by side with the peer django-helpdesk and a bare Django view.
# Writes .bench/latest.json and prints a table. Only 127.0.0.1 is contacted.
#
#   scripts/bench.sh            # 100,000 and 1,000,000 cases (long: about an hour or more)
#   scripts/bench.sh --quick    # 100,000 cases, under 15 minutes
#   BENCH_SIZES=10000 scripts/bench.sh --quick     # a smoke run while developing
#   BENCH_BACKENDS=sqlite scripts/bench.sh --quick  # skip PostgreSQL
# Any further argument goes to bench/run.py (e.g. --no-peer, --reps 1, --hotline-rows 5000).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
MODE=full
if [ "${1:-}" = "--quick" ]; then MODE=quick; shift; fi
if [ "$MODE" = quick ]; then
  SIZES="${BENCH_SIZES:-100000}"
  set -- --reps 3 --intake-s 6 --ceiling-s 4 --page-requests 25 --page-reps 1 --page-cap-s 20 \
    --hotline-rows 10000 --label bench-quick "$@"
else
  SIZES="${BENCH_SIZES:-100000,1000000}"
  set -- --reps 3 --intake-s 20 --ceiling-s 10 --page-requests 50 --page-cap-s 60 \
    --hotline-rows 100000 --label bench "$@"
fi
BACKENDS="${BENCH_BACKENDS:-sqlite,postgres}"
unset DATABASE_URL DJANGO_SETTINGS_MODULE

if [[ "$BACKENDS" == *postgres* ]]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "PostgreSQL server binaries missing (scripts/system-deps.sh installs them); SQLite only." >&2
    BACKENDS=sqlite
  fi
fi
PGDIR=""
cleanup() {
  if [ -n "$PGDIR" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PGDIR"
  fi
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
trap cleanup EXIT
if [[ "$BACKENDS" == *postgres* ]]; then
  # A throwaway cluster as scripts/test.sh starts, but durable (fsync on) and sized for the
  # benchmark: production-like, not test-like.
  PGDIR=$(mktemp -d /tmp/xinfang-bench-pg.XXXXXX)
  PGPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  as_pg "$PG_BIN/initdb" -D "$PGDIR/data" -U xinfang --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -o \
    "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=256MB -c work_mem=16MB -c maintenance_work_mem=256MB -c max_wal_size=4GB -c checkpoint_timeout=15min" \
    start >/dev/null
  export BENCH_PG_URL="postgres://xinfang@127.0.0.1:$PGPORT/postgres"
fi

$PY bench/run.py --sizes "$SIZES" --backends "$BACKENDS" "$@"
