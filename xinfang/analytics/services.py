"""Writes for analytics: warnings (acknowledge, assign, close), indicator settings, report
requests. Each is atomic and audited; a refused action raises DomainError and changes
nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log, diff
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.org.models import User
from xinfang.org.permissions import Capability, has_capability

from .definitions import INDICATORS, VOLUME_TARGETS
from .models import (
    AnalysisReport,
    EarlyWarning,
    IndicatorSetting,
    ReportKind,
    WarningStatus,
)
from .periods import Period
from .selectors import scope_for, warnings_visible_to


def _require(actor: User | None, capability: Capability) -> User:
    if actor is None or not has_capability(actor, capability):
        raise PermissionDeniedError(_("You are not allowed to do this."))
    return actor


def _snapshot(w: EarlyWarning) -> dict[str, Any]:
    return {
        "status": w.status,
        "assigned_to_id": w.assigned_to_id,
        "note": w.note,
    }


def _locked_warning(actor: User, warning: EarlyWarning) -> EarlyWarning:
    locked = (
        warnings_visible_to(actor).select_for_update(of=("self",)).filter(pk=warning.pk).first()
    )
    if locked is None:
        raise PermissionDeniedError(_("You are not allowed to do this."))
    if not locked.is_live:
        raise DomainError(
            _("This warning is %(status)s; nothing more can be done with it.")
            % {"status": locked.get_status_display()},
            code="warning_not_live",
        )
    return locked


def warning_acknowledge(*, actor: User, warning: EarlyWarning, note: str = "") -> EarlyWarning:
    """预警签收: someone responsible has seen the warning."""
    _require(actor, Capability.VIEW_ANALYTICS)
    with transaction.atomic():
        w = _locked_warning(actor, warning)
        before = _snapshot(w)
        if w.status == WarningStatus.OPEN:
            w.status = WarningStatus.ACKNOWLEDGED
        w.acknowledged_by = actor
        w.acknowledged_at = timezone.now()
        if note.strip():
            w.note = _append(w.note, actor, note)
        w.save()
        old, new = diff(before, _snapshot(w))
        audit_log(actor=actor, action="analytics.warning.acknowledge", obj=w, before=old, after=new)
    return w


def warning_assign(
    *, actor: User, warning: EarlyWarning, assignee: User, note: str = ""
) -> EarlyWarning:
    """Give the warning to a person to follow up (a supervisor, a leader, an analyst or the
    head of the unit concerned); they are notified."""
    _require(actor, Capability.VIEW_ANALYTICS)
    if not assignee.is_active or not (
        has_capability(assignee, Capability.VIEW_ANALYTICS)
        or has_capability(assignee, Capability.SUPERVISE)
    ):
        raise DomainError(
            _("%(name)s cannot follow up warnings.") % {"name": assignee.display_name},
            code="invalid_assignee",
            field="assignee",
        )
    with transaction.atomic():
        w = _locked_warning(actor, warning)
        if not scope_for(assignee).county_wide and w.unit_id != assignee.unit_id:
            raise DomainError(
                _("%(name)s works for another unit.") % {"name": assignee.display_name},
                code="invalid_assignee",
                field="assignee",
            )
        before = _snapshot(w)
        w.status = WarningStatus.ASSIGNED
        w.assigned_to = assignee
        w.assigned_at = timezone.now()
        if w.acknowledged_at is None:
            w.acknowledged_by, w.acknowledged_at = actor, w.assigned_at
        if note.strip():
            w.note = _append(w.note, actor, note)
        w.save()
        old, new = diff(before, _snapshot(w))
        audit_log(actor=actor, action="analytics.warning.assign", obj=w, before=old, after=new)
        url = reverse("analytics:warning", args=[w.pk])
        Notification.objects.create(
            user=assignee,
            kind="analytics.warning",
            message=(_("Warning assigned to you: %(title)s") % {"title": w.title})[:300],
            url=url,
        )
    return w


def warning_close(*, actor: User, warning: EarlyWarning, note: str) -> EarlyWarning:
    """Close a warning once it has been dealt with; the note says how."""
    _require(actor, Capability.VIEW_ANALYTICS)
    if not note.strip():
        raise DomainError(
            _("Say how the warning was dealt with."), code="missing_note", field="note"
        )
    with transaction.atomic():
        w = _locked_warning(actor, warning)
        before = _snapshot(w)
        w.status = WarningStatus.CLOSED
        w.closed_at = timezone.now()
        w.note = _append(w.note, actor, note)
        w.save()
        old, new = diff(before, _snapshot(w))
        audit_log(actor=actor, action="analytics.warning.close", obj=w, before=old, after=new)
    return w


def _append(existing: str, actor: User, note: str) -> str:
    line = f"[{timezone.localtime():%Y-%m-%d %H:%M} {actor.display_name}] {note.strip()}"
    return f"{existing}\n{line}".strip()


# --- settings -----------------------------------------------------------------------------


def indicator_setting_update(
    *, actor: User, code: str, target: Decimal | None, weight: Decimal
) -> IndicatorSetting:
    """A county's own target or ranking weight (DOMAIN.md §5: configurable)."""
    _require(actor, Capability.ADMINISTER)
    if code not in INDICATORS and code not in VOLUME_TARGETS:
        raise DomainError(_("Unknown indicator."), code="unknown_indicator")
    if weight < 0 or (target is not None and target < 0):
        raise DomainError(_("Targets and weights cannot be negative."), code="negative")
    if code in INDICATORS and INDICATORS[code].kind == "rate" and target and target > 100:
        raise DomainError(_("A rate target is at most 100 %."), code="target_too_high")
    with transaction.atomic():
        setting, _created = IndicatorSetting.objects.select_for_update().get_or_create(code=code)
        before = {"target": setting.target, "weight": setting.weight}
        setting.target = target
        setting.weight = weight
        setting.updated_by = actor
        setting.save()
        old, new = diff(before, {"target": setting.target, "weight": setting.weight})
        if new or _created:
            audit_log(
                actor=actor,
                action="analytics.setting.update",
                obj=setting,
                before={k: str(v) for k, v in old.items()},
                after={k: str(v) for k, v in new.items()},
            )
    return setting


# --- reports ------------------------------------------------------------------------------


def report_request(
    *, actor: User, kind: str, year: int, month: int | None = None, suggestions: str = ""
) -> AnalysisReport:
    """研判报告: queue a monthly or annual report; a background task writes PDF and .docx."""
    _require(actor, Capability.VIEW_ANALYTICS)
    if kind == ReportKind.MONTHLY:
        if month is None or not 1 <= month <= 12:
            raise DomainError(_("Choose the month."), code="missing_month", field="month")
        period = Period.month(year, month)
    elif kind == ReportKind.ANNUAL:
        period = Period.year(year)
    else:
        raise DomainError(_("Choose the kind of report."), code="invalid_kind", field="kind")
    if period.start > timezone.localdate():
        raise DomainError(_("That period has not begun."), code="future_period", field="year")
    scope = scope_for(actor)
    with transaction.atomic():
        report = AnalysisReport.objects.create(
            kind=kind,
            period_start=period.start,
            period_end=period.end,
            scope_unit=None if scope.county_wide else actor.unit,
            suggestions=suggestions.strip(),
            requested_by=actor,
        )
        audit_log(
            actor=actor,
            action="analytics.report.request",
            obj=report,
            after={"kind": kind, "period": period.code, "county_wide": scope.county_wide},
        )
        transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _enqueue(report_id: int) -> None:
    from .tasks import generate_report

    generate_report.enqueue(report_id)


def default_report_month(today: date) -> tuple[int, int]:
    """The last complete month."""
    first = today.replace(day=1)
    return (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
