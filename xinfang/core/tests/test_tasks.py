"""The background path end to end: the scheduler enqueues the nightly audit check onto the
database queue and a real worker (django-tasks-db's db_worker) runs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from xinfang.audit.services import audit_log
from xinfang.core.models import PeriodicJobState
from xinfang.core.schedule import PERIODIC_JOBS, enqueue_due_jobs

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue():
    # django-tasks resets its backends on setting_changed.
    with override_settings(TASKS=DB_TASKS):
        assert type(task_backends["default"]).__name__ == "DatabaseBackend"
        yield


@pytest.mark.django_db(transaction=True)
def test_nightly_audit_check_runs_through_the_queue_and_a_worker(database_queue):
    audit_log(actor=None, action="test.seed", object_type="t", object_id="1")
    night = datetime(2026, 11, 28, 18, 5, tzinfo=UTC)  # 02:05 in Asia/Shanghai
    jobs = [j for j in PERIODIC_JOBS if j.name == "audit.verify_chain"]
    assert enqueue_due_jobs(now=night - timedelta(days=1), jobs=jobs) == []  # first sight
    assert enqueue_due_jobs(now=night, jobs=jobs) == ["audit.verify_chain"]
    assert enqueue_due_jobs(now=night, jobs=jobs) == []  # claimed once only
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"ok": True, "checked": 1, "broken_at": None}
    state = PeriodicJobState.objects.get(name="audit.verify_chain")
    assert state.next_run_at > night


def test_daily_jobs_are_planned_at_their_local_time():
    job = next(j for j in PERIODIC_JOBS if j.name == "audit.verify_chain")
    first = job.first_run_after(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # 20:00 local
    assert first.hour == 2
    assert first.date().isoformat() == "2026-11-29"
