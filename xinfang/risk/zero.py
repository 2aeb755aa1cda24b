"""Zero reports (零报告): during a period the centre declares, every designated unit reports
every day, "nothing to report" included; a day without a report is flagged once, to the unit
and to the centre, by the periodic job (xinfang.risk.tasks.zero_report_sweep).

Reports are about matters and risks, never lists of persons (DOMAIN.md §6): a report that
contains an ID-card or mobile number is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log, diff
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.disputes.models import RiskLevel
from xinfang.disputes.services import (
    centre_staff,
    local_today,
    notify,
    require_capability,
    require_centre,
    unit_staff,
)
from xinfang.org.models import Unit, User
from xinfang.org.permissions import Capability

from .models import MissingReportFlag, ZeroReport, ZeroReportPeriod
from .selectors import due_moment, first_day, last_due_day

# Identifiers of persons that have no place in a report about matters.
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def check_matters_only(text: str, *, field: str = "matters") -> None:
    if ID_NUMBER.search(text) or MOBILE.search(text):
        raise DomainError(
            _(
                "Reports are about matters and risks, not persons: leave out ID-card and "
                "phone numbers."
            ),
            code="personal_data",
            field=field,
        )


def period_declare(
    *,
    actor: User,
    title: str,
    starts_on: date,
    ends_on: date,
    units: Iterable[Unit],
    instructions: str = "",
    today: date | None = None,
) -> ZeroReportPeriod:
    """The centre declares a zero-report period and designates the units that report."""
    user = require_centre(actor)
    units = list(units)
    if not title.strip():
        raise DomainError(_("This field is required."), code="empty", field="title")
    if starts_on < local_today(today):
        raise DomainError(_("A period cannot start in the past."), code="past", field="starts_on")
    if ends_on < starts_on:
        raise DomainError(_("The period ends before it starts."), code="dates", field="ends_on")
    if not units:
        raise DomainError(_("Designate at least one unit."), code="no_units", field="units")
    with transaction.atomic():
        period = ZeroReportPeriod.objects.create(
            title=title.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            instructions=instructions.strip(),
            declared_by=user,
        )
        period.units.set(units)
        audit_log(
            actor=user,
            action="zero_report.period.declare",
            obj=period,
            after={"from": starts_on, "until": ends_on, "units": sorted(u.code for u in units)},
        )
        url = reverse("risk:zero_period", args=[period.pk])
        for unit in units:
            notify(
                unit_staff(unit),
                kind="zero_report.period",
                message=_("Zero-report period %(title)s: report daily from %(from)s to %(until)s.")
                % {"title": period.title, "from": starts_on, "until": ends_on},
                url=url,
            )
    return period


def period_cancel(
    *, actor: User, period: ZeroReportPeriod, today: date | None = None
) -> ZeroReportPeriod:
    """End a period early: nothing is owed from today on (history is kept)."""
    user = require_centre(actor)
    day = local_today(today)
    with transaction.atomic():
        locked = ZeroReportPeriod.objects.select_for_update().get(pk=period.pk)
        if locked.cancelled_on is not None or locked.ends_on < day:
            raise DomainError(_("The period is already over."), code="over")
        locked.cancelled_on = max(day, locked.starts_on)
        locked.save(update_fields=["cancelled_on"])
        audit_log(
            actor=user,
            action="zero_report.period.cancel",
            obj=locked,
            after={"cancelled_on": locked.cancelled_on},
        )
    return locked


def _snapshot(r: ZeroReport) -> dict[str, Any]:
    return {
        "nothing_to_report": r.nothing_to_report,
        "matter_count": r.matter_count,
        "risk_level": r.risk_level,
        "late": r.late,
    }


def zero_report_submit(
    *,
    actor: User,
    period: ZeroReportPeriod,
    day: date,
    nothing_to_report: bool,
    matters: str = "",
    matter_count: int = 0,
    risk_level: str = "",
    now: datetime | None = None,
) -> ZeroReport:
    """A designated unit's report for one day. Sent again the same day, it replaces the
    earlier one (audited with both versions); sent after the day was due, it is marked late
    and resolves the missing-report flag, which stays in the history."""
    user = require_capability(actor, Capability.MEDIATE)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if user.unit_id is None or not period.units.filter(pk=user.unit_id).exists():
        raise PermissionDeniedError(_("Your unit is not designated for this period."))
    end = period.ends_on
    if period.cancelled_on is not None:
        end = min(end, period.cancelled_on - timedelta(days=1))
    if not first_day(period) <= day <= end or day > today:
        raise DomainError(
            _("Reports are for days of the period up to today."), code="day", field="day"
        )
    if nothing_to_report:
        if matters.strip() or matter_count:
            raise DomainError(
                _("“Nothing to report” cannot list matters."), code="contradiction", field="matters"
            )
        risk_level = ""
    else:
        if not matters.strip() or matter_count < 1:
            raise DomainError(
                _("Describe the matters and how many there are, or report nothing to report."),
                code="empty",
                field="matters",
            )
        if risk_level not in RiskLevel.values:
            raise DomainError(_("Give the highest risk level."), code="choice", field="risk_level")
        check_matters_only(matters)
    late = now > due_moment(day)
    with transaction.atomic():
        existing = (
            ZeroReport.objects.select_for_update()
            .filter(period=period, unit_id=user.unit_id, day=day)
            .first()
        )
        values = {
            "nothing_to_report": nothing_to_report,
            "matters": matters.strip(),
            "matter_count": matter_count,
            "risk_level": risk_level,
            "submitted_by": user,
            "submitted_at": now,
        }
        if existing is None:
            report = ZeroReport.objects.create(
                period=period, unit_id=user.unit_id, day=day, late=late, **values
            )
            audit_log(actor=user, action="zero_report.submit", obj=report, after=_snapshot(report))
        else:
            before = _snapshot(existing)
            for k, v in values.items():
                setattr(existing, k, v)
            existing.save()
            report = existing
            old, new = diff(before, _snapshot(report))
            audit_log(actor=user, action="zero_report.amend", obj=report, before=old, after=new)
        flag = MissingReportFlag.objects.filter(
            period=period, unit_id=user.unit_id, day=day, resolved_at__isnull=True
        ).first()
        if flag is not None:
            flag.resolved_at = now
            flag.save(update_fields=["resolved_at"])
            audit_log(
                actor=user,
                action="zero_report.flag.resolve",
                obj=flag,
                after={"resolved_at": now},
            )
    return report


def flag_missing_reports(*, now: datetime | None = None) -> dict[str, int]:
    """Flag every designated unit that owes a due report and has no flag yet for that day:
    one flag per unit and day, however often this runs (a unique constraint backs it when
    two workers run at once), told once to the unit's staff and the centre."""
    now = now or timezone.now()
    counts = {"periods": 0, "flagged": 0, "notified": 0}
    today = timezone.localtime(now).date()
    # Periods over for more than a week are settled history; a scheduler down for longer
    # than that would leave their last days unflagged (the grid still shows them missing).
    periods = ZeroReportPeriod.objects.filter(
        starts_on__lte=today, ends_on__gte=today - timedelta(days=7)
    )
    centre = centre_staff()
    for period in periods.prefetch_related("units"):
        last = last_due_day(period, now)
        if last is None:
            continue
        counts["periods"] += 1
        start = first_day(period)
        reported = set(
            period.reports.filter(day__gte=start, day__lte=last).values_list("unit_id", "day")
        )
        flagged = set(
            period.flags.filter(day__gte=start, day__lte=last).values_list("unit_id", "day")
        )
        day = start
        while day <= last:
            for unit in period.units.all():
                key = (unit.pk, day)
                if key in reported or key in flagged:
                    continue
                counts["flagged"] += _flag(period, unit, day, now, centre, counts)
            day += timedelta(days=1)
    return counts


def _flag(
    period: ZeroReportPeriod,
    unit: Unit,
    day: date,
    now: datetime,
    centre: list[User],
    counts: dict[str, int],
) -> int:
    with transaction.atomic():
        flag, created = MissingReportFlag.objects.get_or_create(
            period=period, unit=unit, day=day, defaults={"flagged_at": now}
        )
        if not created:
            return 0  # another worker flagged it first
        audit_log(
            actor=None,
            action="zero_report.flag",
            obj=flag,
            after={"period": period.pk, "unit": unit.code, "day": day},
        )
        message = _("Missing zero report: %(unit)s, %(day)s (%(period)s).") % {
            "unit": unit.name,
            "day": day.isoformat(),
            "period": period.title,
        }
        counts["notified"] += notify(
            [*unit_staff(unit), *centre],
            kind="zero_report.missing",
            message=message,
            url=reverse("risk:zero_period", args=[period.pk]),
        )
    return 1
