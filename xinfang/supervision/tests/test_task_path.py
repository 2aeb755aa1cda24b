"""The escalation through the real background path: the scheduler enqueues the hourly sweep on
the database queue, a db_worker runs it, the sweep enqueues one task per rung, a worker runs
those. Also: two workers firing at the same moment on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from xinfang.core.models import Notification
from xinfang.core.schedule import PERIODIC_JOBS, enqueue_due_jobs
from xinfang.org.models import Unit, User
from xinfang.supervision.escalation import due_steps, escalation_fire
from xinfang.supervision.models import EscalationNotice, ItemKind, Step
from xinfang.supervision.services import ensure_default_rules, item_open

LOCAL = ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue():
    with override_settings(TASKS=DB_TASKS):
        assert type(task_backends["default"]).__name__ == "DatabaseBackend"
        yield


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _order(users) -> object:
    ensure_default_rules()
    return item_open(
        actor=users["supervisor"],
        kind=ItemKind.ORDER,
        title="督办：楼顶漏水",
        text="请报告维修进展。",
        unit=Unit.objects.get(code="zjj"),
        due_on=date(2026, 9, 30),
        today=date(2026, 9, 21),
    )


def test_the_job_is_registered_hourly():
    job = next(j for j in PERIODIC_JOBS if j.name == "supervision.sweep")
    assert job.task_path == "xinfang.supervision.tasks.supervision_sweep"
    assert job.every == timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_warning_runs_through_the_scheduler_the_queue_and_a_worker(users, database_queue):
    order = _order(users)
    jobs = [j for j in PERIODIC_JOBS if j.name == "supervision.sweep"]
    morning = datetime(2026, 10, 8, 8, 0, tzinfo=LOCAL)  # first working day after the holiday
    with time_machine.travel(morning, tick=False):
        assert enqueue_due_jobs(now=morning, jobs=jobs) == ["supervision.sweep"]
        assert enqueue_due_jobs(now=morning, jobs=jobs) == []  # claimed once
        # The worker runs the sweep, which enqueues one task per rung; the batch worker then
        # runs that task too.
        _work()
    sweep = DBTaskResult.objects.get(task_path="xinfang.supervision.tasks.supervision_sweep")
    assert sweep.status == "SUCCESSFUL"
    assert sweep.return_value["escalations_enqueued"] == 1
    step = DBTaskResult.objects.get(task_path="xinfang.supervision.tasks.escalation_step")
    assert step.status == "SUCCESSFUL"
    assert step.enqueued_at >= sweep.started_at  # enqueued by the sweep
    assert step.return_value == {"fired": True, "notice": EscalationNotice.objects.get().pk}
    notice = EscalationNotice.objects.get()
    assert (notice.item_id, notice.step, notice.sent_on) == (
        order.pk,
        Step.WARNING,
        date(2026, 10, 8),
    )
    # An hour later the scheduler enqueues the sweep again: nothing new fires.
    later = morning + timedelta(hours=1, minutes=1)
    with time_machine.travel(later, tick=False):
        assert enqueue_due_jobs(now=later, jobs=jobs) == ["supervision.sweep"]
        _work()
        _work()
    assert EscalationNotice.objects.count() == 1
    assert Notification.objects.filter(kind="supervision.warning").count() == 3


@pytest.mark.django_db(transaction=True)
def test_duplicate_step_tasks_in_the_queue_fire_once(users, database_queue):
    """Two sweeps enqueued the same rung before any worker ran: the second task does nothing."""
    _order(users)
    from xinfang.supervision.escalation import plan_escalations

    assert plan_escalations(today=date(2026, 10, 8)) == 1
    assert plan_escalations(today=date(2026, 10, 8)) == 1  # not fired yet, planned again
    _work()
    results = DBTaskResult.objects.filter(task_path="xinfang.supervision.tasks.escalation_step")
    assert sorted(r.return_value["fired"] for r in results) == [False, True]
    assert EscalationNotice.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_fire_a_rung_once(users):
    order = _order(users)
    today = date(2026, 10, 13)  # warning, unit head and leader all due
    planned = due_steps(today=today)
    assert len(planned) == 3
    barrier = threading.Barrier(4)
    fired: list[bool] = []

    def worker() -> None:
        try:
            barrier.wait()
            for p in planned:
                notice = escalation_fire(
                    rule_id=p.rule_id, subject_key=p.subject_key, due_on=p.due_on, today=today
                )
                fired.append(notice is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fired.count(True) == 3
    assert EscalationNotice.objects.filter(item=order).count() == 3
    leader = User.objects.get(username="leader")
    assert Notification.objects.filter(user=leader, kind="supervision.leader").count() == 1
    assert (
        Notification.objects.filter(kind__startswith="supervision.")
        .exclude(kind="supervision.opened")
        .count()
        == 3 + 2 + 3
    )
