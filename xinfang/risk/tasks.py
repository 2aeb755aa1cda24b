from __future__ import annotations

from django_tasks import task

from .zero import flag_missing_reports


@task()
def zero_report_sweep() -> dict[str, int]:
    """Hourly: flag each designated unit's missing zero report once per day, and tell the unit
    and the centre."""
    return flag_missing_reports()
