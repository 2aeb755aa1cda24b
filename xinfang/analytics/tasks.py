"""Background work of analytics (django-tasks): the hourly detection job and report
generation."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from xinfang.audit.services import audit_log

from .models import AnalysisReport, ReportStatus

log = logging.getLogger(__name__)


@task()
def detect_warnings(today: str | None = None) -> dict[str, Any]:
    """Hourly (xinfang.core.schedule): merge the rollup's appended rows, then run the
    early-warning detectors."""
    from . import detection, rollup

    day = date.fromisoformat(today) if today else timezone.localdate()
    merged = rollup.compact()
    result = detection.detect_warnings(today=day)
    return {
        "opened": len(result.opened),
        "refreshed": len(result.refreshed),
        "cleared": len(result.cleared),
        "rollup_rows_merged": sum(merged.values()),
    }


@task()
def generate_report(report_id: int) -> str:
    """Write a report's PDF and .docx, recording progress for the page that waits."""
    from . import reports

    # Claim the report: two workers never write the same one.
    claimed = AnalysisReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=1
    )
    if not claimed:
        return "not queued"
    report = AnalysisReport.objects.select_related("requested_by", "scope_unit").get(pk=report_id)

    def progress(percent: int, step: str) -> None:
        AnalysisReport.objects.filter(pk=report_id).update(progress=percent, step=step)

    try:
        reports.generate(report, today=timezone.localdate(), progress=progress)
    except Exception as exc:
        log.exception("analytics: report %s failed", report_id)
        with transaction.atomic():
            AnalysisReport.objects.filter(pk=report_id).update(
                status=ReportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
            )
            audit_log(
                actor=None,
                action="analytics.report.fail",
                obj=report,
                after={"status": ReportStatus.FAILED, "error": str(exc)[:200]},
            )
        return "failed"
    with transaction.atomic():
        report.status = ReportStatus.DONE
        report.progress = 100
        report.step = "done"
        report.finished_at = timezone.now()
        report.save()
        audit_log(
            actor=None,
            action="analytics.report.generate",
            obj=report,
            after={"status": ReportStatus.DONE, "pdf": report.pdf.name, "docx": report.docx.name},
        )
    return "done"
