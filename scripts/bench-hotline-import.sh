#!/usr/bin/env bash
# Import speed of hotline files (docs/hotline-import.md): generates N synthetic orders as
# CSV and as .xlsx (nothing is committed), imports each into a throwaway SQLite database
# (or the PostgreSQL database named by DATABASE_URL - use a scratch one), and prints rows/s.
#
#   scripts/bench-hotline-import.sh            # 100,000 rows, orders only
#   ROWS=20000 REGISTER=1 scripts/bench-hotline-import.sh   # also register every case
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${ROWS:-100000}"
REGISTER="${REGISTER:-0}"
PY=.venv/bin/python
WORK=$(mktemp -d /tmp/xinfang-hotline-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export DJANGO_SETTINGS_MODULE=config.settings.dev XINFANG_VAR_DIR="$WORK" XINFANG_DEMO=1 DEBUG=0
$PY manage.py migrate --noinput >/dev/null
$PY manage.py seed_demo >/dev/null
flags=(--actor clerk)
[ "$REGISTER" = 1 ] || flags+=(--no-register)
seed=0
for fmt in csv xlsx; do
  seed=$((seed + 1))  # other callers in each file: not "already in the petition channel"
  file="$WORK/orders.$fmt"
  $PY manage.py generate_hotline_file "$file" --rows "$ROWS" --prefix "B${fmt^^}" --seed "$seed"
  echo "--- import $fmt ($(du -h "$file" | cut -f1))"
  $PY manage.py import_hotline "$file" "${flags[@]}" | tail -2
  echo "--- again (every order already imported)"
  $PY manage.py import_hotline "$file" --new "${flags[@]}" | tail -2
done
