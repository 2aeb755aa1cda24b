#!/usr/bin/env bash
# Rebuild the django-helpdesk peer baseline from scratch and write
# results-<date>.json to $PEER_OUT (default: the scratch dir).
# Runs from a plain clone of the Xinfang repository (make bench calls it with
# the same N as its own cases); nothing is read from outside bench/peer/.
#
#   bash run.sh              # full run (~15-20 min on 2 cores)
#   bash run.sh --quick      # smoke test (1 rep, short loops, ~2 min)
#   bash run.sh --reps 1 ... # any other argument goes to bench.py
#
# Environment (all optional):
#   PEER_VENV=<repo>/.bench/peer-venv  venv to create/reuse (idempotent, git-ignored)
#   PEER_PYTHON=python3.11          interpreter that creates the venv
#   PEER_DJANGO='django>=5.2,<5.3'  Django pin (default: Xinfang's series); 'django>=6,<6.1' needs Python >= 3.12
#   PEER_HELPDESK=django-helpdesk   pip spec, e.g. 'django-helpdesk==2.6.1'
#   PEER_WORK=/tmp/peer-bench       scratch dir (databases, logs); wiped each run
#   PEER_OUT=$PEER_WORK             where results-<date>.json is written
#   PEER_RESULT=<file>              exact path of the results JSON (overrides PEER_OUT)
#   PEER_SIZES="10000 100000"       ticket counts to seed and benchmark
# Only 127.0.0.1 is contacted; every server started is stopped by PID.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${PEER_VENV:-$HERE/../../.bench/peer-venv}"
PY="${PEER_PYTHON:-python3.11}"
WORK="${PEER_WORK:-/tmp/peer-bench}"
SIZES="${PEER_SIZES:-10000 100000}"
QUICK=0
[ "${1:-}" = "--quick" ] && { QUICK=1; SIZES="${PEER_SIZES:-2000 10000}"; }
# DJANGO_SETTINGS_MODULE etc. of the calling project must not leak into the peer.
unset DJANGO_SETTINGS_MODULE DATABASE_URL PYTHONPATH
HELPDESK="${PEER_HELPDESK:-django-helpdesk}"

case "$WORK" in /tmp/*) ;; *) echo "PEER_WORK must be under /tmp" >&2; exit 2 ;; esac

# 1. venv (created once, reused; pip is a no-op when already satisfied)
if [ ! -x "$VENV/bin/python" ]; then
    if [ -z "${PEER_PYTHON:-}" ] && ! "$PY" -c "" 2>/dev/null; then PY=python3; fi
    mkdir -p "$(dirname "$VENV")"
    "$PY" -m venv "$VENV"
fi
PIP_ARGS=("$HELPDESK" gunicorn)
# Same Django series as Xinfang unless told otherwise (PEER_DJANGO='django>=6,<6.1').
PIP_ARGS+=("${PEER_DJANGO:-django>=5.2,<5.3}")
PIP_LOG="$(mktemp /tmp/peer-pip.XXXXXX)"
if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PIP_ARGS[@]}" >"$PIP_LOG" 2>&1; then
    grep -v "is ignored: it is neither a file nor a directory" "$PIP_LOG" >&2 || true
    rm -f "$PIP_LOG"
    exit 1
fi
rm -f "$PIP_LOG"
"$VENV/bin/python" -c "import helpdesk, gunicorn, django; print('django', django.get_version())" >&2

# 2. fresh databases: one migrated template, copied per size, then seeded
rm -rf "$WORK"
mkdir -p "$WORK"
PEER_DB="$WORK/template.sqlite3" "$VENV/bin/python" "$HERE/site/manage.py" migrate --noinput -v0
DB_ARGS=()
ATTACH=()
for N in $SIZES; do
    DB="$WORK/db-$N.sqlite3"
    "$VENV/bin/python" - "$WORK/template.sqlite3" "$DB" <<'EOF'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close(); src.close()
EOF
    echo "seeding $N tickets" >&2
    "$VENV/bin/python" "$HERE/seed.py" "$N" --db "$DB" | tee "$WORK/seed-$N.json" >&2
    DB_ARGS+=(--db "$N=$DB")
    ATTACH+=(--attach "seed_N$N=$WORK/seed-$N.json")
done

# 3. benchmark
if [ -n "${PEER_RESULT:-}" ]; then
    OUT="$PEER_RESULT"
elif [ "$QUICK" = 1 ]; then
    OUT="$WORK/results-quick.json"  # smoke test: not kept beside the script
else
    OUTDIR="${PEER_OUT:-$WORK}"; mkdir -p "$OUTDIR"
    OUT="$OUTDIR/results-$(date +%Y-%m-%dT%H%M).json"
fi
"$VENV/bin/python" "$HERE/bench.py" "${DB_ARGS[@]}" "${ATTACH[@]}" --workdir "$WORK" --out "$OUT" "$@" \
    > "$WORK/bench-stdout.json"
echo "results: $OUT" >&2
"$VENV/bin/python" -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['summary'], indent=1))" "$OUT"
