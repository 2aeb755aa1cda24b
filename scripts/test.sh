#!/usr/bin/env bash
# make test: lint, types, migrations check, then the whole pytest suite on SQLite and again on
# a throwaway PostgreSQL cluster on loopback that this script starts and removes itself.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-all}"
VENV=.venv
PY=$VENV/bin/python
export DJANGO_SETTINGS_MODULE=config.settings.test
unset DATABASE_URL

./scripts/system-deps.sh

step() { printf '\n=== %s ===\n' "$*"; }

if [ "$MODE" = all ]; then
  step "lint (ruff)"
  $VENV/bin/ruff check .
  $VENV/bin/ruff format --check .
  step "types (mypy)"
  $VENV/bin/mypy xinfang config
  step "migrations are up to date"
  $PY manage.py makemigrations --check --dry-run
  step "translations compiled"
  $PY manage.py compile_translations --check
fi

if [ "$MODE" != --postgres-only ]; then
  step "pytest on SQLite"
  $PY -m pytest -q ${PYTEST_ARGS:-}
fi

[ "$MODE" = --sqlite-only ] && exit 0

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "SKIPPED: PostgreSQL run — no PostgreSQL server binaries (install Debian's postgresql)."
  exit 0
fi

step "pytest on PostgreSQL (throwaway cluster)"
PGDIR=$(mktemp -d /tmp/xinfang-pg.XXXXXX)
PGPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
as_pg "$PG_BIN/initdb" -D "$PGDIR/data" -U xinfang --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -o \
  "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
  start >/dev/null
export DATABASE_URL="postgres://xinfang@127.0.0.1:$PGPORT/postgres"
$PY -m pytest -q ${PYTEST_ARGS:-}
