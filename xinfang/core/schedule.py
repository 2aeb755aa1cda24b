"""Periodic jobs, enqueued onto the django-tasks queue.

django-tasks has no scheduler of its own. ``manage.py enqueue_periodic`` (run it from cron or
a systemd timer every few minutes, or with ``--loop``) puts each job on the queue when it is
due; the database workers (``manage.py db_worker``) run it. The jobs themselves are ordinary
tasks and can be enqueued by hand as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicJobState


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str
    every: timedelta
    at: time | None = None  # local wall-clock time for daily jobs

    def first_run_after(self, now: datetime) -> datetime:
        if self.at is None:
            return now
        local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate

    def next_after(self, due: datetime, now: datetime) -> datetime:
        nxt = due + self.every
        while nxt <= now:  # a scheduler that was down does not replay every missed run
            nxt += self.every
        return nxt


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        "audit.verify_chain", "xinfang.audit.tasks.verify_audit_chain", timedelta(days=1), time(2)
    ),
    PeriodicJob("cases.deadline_sweep", "xinfang.cases.tasks.deadline_sweep", timedelta(hours=1)),
    PeriodicJob("risk.zero_reports", "xinfang.risk.tasks.zero_report_sweep", timedelta(hours=1)),
    PeriodicJob("analytics.detect", "xinfang.analytics.tasks.detect_warnings", timedelta(hours=1)),
    PeriodicJob(
        "hotline.report_back", "xinfang.hotline.tasks.report_back_to_clients", timedelta(minutes=15)
    ),
    PeriodicJob(
        "hotline.resume_imports", "xinfang.hotline.tasks.resume_stale_imports", timedelta(minutes=5)
    ),
    PeriodicJob(
        "supervision.sweep", "xinfang.supervision.tasks.supervision_sweep", timedelta(hours=1)
    ),
    PeriodicJob(
        "notify.dispatch", "xinfang.notify.tasks.dispatch_pending_events", timedelta(minutes=5)
    ),
    # routing: build the model on a fresh installation (and check it hourly), index cases written
    # by bulk inserts, and learn weekly from the bureau's handled cases (docs/routing.md)
    PeriodicJob("routing.ensure_model", "xinfang.routing.tasks.ensure_model", timedelta(hours=1)),
    PeriodicJob("routing.index", "xinfang.routing.tasks.index_new_cases", timedelta(minutes=15)),
    PeriodicJob(
        "routing.retrain",
        "xinfang.routing.tasks.retrain_with_cases",
        timedelta(days=7),
        time(3, 30),
    ),
]


def enqueue_due_jobs(
    *, now: datetime | None = None, jobs: list[PeriodicJob] | None = None
) -> list[str]:
    """Enqueue every job whose time has come; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs if jobs is not None else PERIODIC_JOBS:
        state, _ = PeriodicJobState.objects.get_or_create(
            name=job.name, defaults={"next_run_at": job.first_run_after(now)}
        )
        if state.next_run_at > now:
            continue
        claimed = PeriodicJobState.objects.filter(
            pk=state.pk, next_run_at=state.next_run_at
        ).update(next_run_at=job.next_after(state.next_run_at, now), last_enqueued_at=now)
        if claimed != 1:
            continue  # another scheduler took it
        result = import_string(job.task_path).enqueue()
        PeriodicJobState.objects.filter(pk=state.pk).update(last_task_id=str(result.id))
        enqueued.append(job.name)
    return enqueued
