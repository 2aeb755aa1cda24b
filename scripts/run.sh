#!/usr/bin/env bash
# make run: migrate the embedded SQLite database, load the demo data, start a task worker,
# the periodic-job scheduler and the web server. Existing data is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"

$PY manage.py migrate --noinput
$PY manage.py seed_demo
$PY manage.py seed_disputes_demo
$PY manage.py seed_funds_demo
$PY manage.py collectstatic --noinput -v 0

$PY manage.py db_worker --queue-name '*' --no-reload >var/worker.log 2>&1 &
WORKER=$!
$PY manage.py enqueue_periodic --loop 60 >var/scheduler.log 2>&1 &
SCHEDULER=$!
trap 'kill $WORKER $SCHEDULER 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Xinfang 信访 is running:  http://127.0.0.1:${PORT}/
  Demo accounts (password Tonghai-demo-2026):
    clerk 登记员 · handler / handler2 承办人 · unithead 单位负责人 · supervisor 督办员
    inspector 质检员 · leader 领导 · analyst 研判分析员 · admin 系统管理员
  Worker log: var/worker.log · Stop with Ctrl-C

MSG
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload
