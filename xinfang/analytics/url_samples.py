"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import date
from typing import Any


def sample_warning(users: dict[str, Any]) -> Any:
    """A live warning about 住建局 (the demo unit head's unit)."""
    from django.utils import timezone

    from xinfang.analytics.models import EarlyWarning, WarningKind
    from xinfang.org.models import Unit

    warning = EarlyWarning.objects.order_by("pk").first()
    if warning is None:
        warning = EarlyWarning.objects.create(
            kind=WarningKind.OVERDUE_RISK,
            key="overdue_risk:sample",
            title="sample",
            unit=Unit.objects.get(code="zjj"),
            evidence={"case_ids": []},
            last_detected_at=timezone.now(),
            detected_on=date(2026, 3, 2),
        )
    return warning


def sample_report(users: dict[str, Any]) -> Any:
    """A county-wide report with both files, requested by the leader."""
    from django.core.files.base import ContentFile

    from xinfang.analytics.models import AnalysisReport, ReportStatus

    report = AnalysisReport.objects.order_by("pk").first()
    if report is None:
        report = AnalysisReport.objects.create(
            kind="monthly",
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            requested_by=users["leader"],
            status=ReportStatus.DONE,
        )
        report.pdf.save("sample.pdf", ContentFile(b"%PDF-1.4 sample"), save=False)
        report.docx.save("sample.docx", ContentFile(b"PK sample"), save=True)
    return report


def _warning_visible(user: Any, users: dict[str, Any]) -> bool:
    from xinfang.analytics.selectors import warnings_visible_to

    return warnings_visible_to(user).filter(pk=sample_warning(users).pk).exists()


def _report_visible(user: Any, users: dict[str, Any]) -> bool:
    from xinfang.analytics.selectors import reports_visible_to

    return reports_visible_to(user).filter(pk=sample_report(users).pk).exists()


URL_KWARGS = {
    "analytics:warning": lambda users: {"pk": sample_warning(users).pk},
    "analytics:warning_act": lambda users: {
        "pk": sample_warning(users).pk,
        "action": "acknowledge",
    },
    "analytics:report": lambda users: {"pk": sample_report(users).pk},
    "analytics:report_file": lambda users: {"pk": sample_report(users).pk, "fmt": "pdf"},
}
OBJECT_URLS = {
    "analytics:warning",
    "analytics:warning_act",
    "analytics:report",
    "analytics:report_file",
}
POST_ONLY = {"analytics:warning_act"}
VISIBLE = {
    "analytics:warning": _warning_visible,
    "analytics:warning_act": _warning_visible,
    "analytics:report": _report_visible,
    "analytics:report_file": _report_visible,
}
