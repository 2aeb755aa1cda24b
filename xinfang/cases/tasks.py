from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from .sweep import sweep_deadlines


@task()
def deadline_sweep(today: str | None = None) -> dict[str, int]:
    """Hourly: flag cases due soon or overdue, notify their handlers, close finished ones."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return sweep_deadlines(today=day)
