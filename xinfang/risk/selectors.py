"""Reads on assessments, zero reports, notes and suggestions, scoped to what the user may see
(the same rule as the dispute ledger: the centre and county-wide readers see all, units what
concerns them; xinfang.disputes.selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from xinfang.disputes.selectors import is_centre, sees_all, unit_condition
from xinfang.org.models import Unit
from xinfang.org.permissions import Capability, has_capability

from .models import (
    MissingReportFlag,
    OpinionNote,
    PolicySuggestion,
    RiskAssessment,
    SuggestionStatus,
    ZeroReport,
    ZeroReportPeriod,
)


def _scoped(qs: QuerySet[Any], user: Any, *unit_fields: str) -> QuerySet[Any]:
    cond = unit_condition(user, *unit_fields)
    return qs if cond is None else qs.filter(cond)


# --- assessments --------------------------------------------------------------------------------


def assessments_visible_to(user: Any) -> QuerySet[RiskAssessment]:
    return _scoped(
        RiskAssessment.objects.select_related("proposing_unit", "assessing_unit", "division"),
        user,
        "proposing_unit",
        "assessing_unit",
    )


def may_act_on_assessment(user: Any, assessment: RiskAssessment) -> bool:
    if not has_capability(user, Capability.MEDIATE):
        return False
    return is_centre(user) or (
        user.unit_id is not None
        and user.unit_id in (assessment.assessing_unit_id, assessment.proposing_unit_id)
    )


# --- zero reports --------------------------------------------------------------------------------


def periods_visible_to(user: Any) -> QuerySet[ZeroReportPeriod]:
    """Which units report, and whether they did, is open to every ledger reader; what a report
    says only to its unit, the centre and county-wide readers (``may_read_report``)."""
    if not has_capability(user, Capability.VIEW_DISPUTES):
        return ZeroReportPeriod.objects.none()
    return ZeroReportPeriod.objects.all()


def may_read_report(user: Any, unit_id: int) -> bool:
    return sees_all(user) or (user.unit_id is not None and user.unit_id == unit_id)


def due_moment(day: date) -> datetime:
    """When the report for ``day`` is due: ZERO_REPORT_DUE_HOUR local time (24: midnight)."""
    from xinfang.disputes.conf import conf

    local = timezone.get_current_timezone()
    start = datetime(day.year, day.month, day.day, tzinfo=local)
    return start + timedelta(hours=int(conf("ZERO_REPORT_DUE_HOUR")))


def last_due_day(period: ZeroReportPeriod, now: datetime) -> date | None:
    """The last day of the period whose report is already due at ``now`` (None: none yet)."""
    day = timezone.localtime(now).date()
    end = period.ends_on
    if period.cancelled_on is not None:
        end = min(end, period.cancelled_on - timedelta(days=1))
    if due_moment(day) > now:
        day -= timedelta(days=1)
    day = min(day, end)
    return day if day >= first_day(period) else None


def first_day(period: ZeroReportPeriod) -> date:
    """Reports are owed from the later of the start and the day the period was declared."""
    return max(period.starts_on, timezone.localtime(period.declared_at).date())


@dataclass
class GridCell:
    day: date
    state: str  # nothing, matters, late, missing, pending, future
    report: ZeroReport | None = None


@dataclass
class GridRow:
    unit: Unit
    cells: list[GridCell]
    missing: int
    readable: bool


def period_grid(period: ZeroReportPeriod, user: Any, *, now: datetime) -> list[GridRow]:
    """Units x days of the period with each day's state (three queries)."""
    reports = {(r.unit_id, r.day): r for r in period.reports.all()}
    flags = {(f.unit_id, f.day): f for f in period.flags.all()}
    due_until = last_due_day(period, now)
    days = [
        period.starts_on + timedelta(days=i)
        for i in range((period.ends_on - period.starts_on).days + 1)
    ]
    rows = []
    for unit in period.units.order_by("kind", "code"):
        cells = []
        for day in days:
            report = reports.get((unit.pk, day))
            if report is not None:
                state = (
                    "late"
                    if report.late
                    else ("nothing" if report.nothing_to_report else "matters")
                )
            elif (unit.pk, day) in flags:
                state = "missing"
            elif due_until is not None and day <= due_until and day >= first_day(period):
                state = "missing"  # due, the next sweep flags it
            elif day <= timezone.localtime(now).date():
                state = "pending"
            else:
                state = "future"
            cells.append(GridCell(day, state, report))
        rows.append(
            GridRow(
                unit,
                cells,
                sum(c.state == "missing" for c in cells),
                may_read_report(user, unit.pk),
            )
        )
    return rows


def reports_due_today(user: Any, *, today: date) -> list[ZeroReportPeriod]:
    """Active periods in which the user's unit still owes today's report (workbench)."""
    if not has_capability(user, Capability.MEDIATE) or user.unit_id is None:
        return []
    periods = ZeroReportPeriod.objects.filter(
        units=user.unit_id, starts_on__lte=today, ends_on__gte=today, cancelled_on__isnull=True
    )
    done = set(
        ZeroReport.objects.filter(unit_id=user.unit_id, day=today).values_list(
            "period_id", flat=True
        )
    )
    return [p for p in periods if p.pk not in done]


def open_flags(user: Any) -> QuerySet[MissingReportFlag]:
    return _scoped(
        MissingReportFlag.objects.filter(resolved_at__isnull=True).select_related("unit", "period"),
        user,
        "unit",
    )


# --- notes and suggestions -----------------------------------------------------------------------


def notes_visible_to(user: Any) -> QuerySet[OpinionNote]:
    return _scoped(OpinionNote.objects.select_related("unit"), user, "unit")


def suggestions_visible_to(user: Any) -> QuerySet[PolicySuggestion]:
    return _scoped(
        PolicySuggestion.objects.select_related("to_unit", "author_unit"),
        user,
        "to_unit",
        "author_unit",
    )


def may_respond(user: Any, suggestion: PolicySuggestion) -> bool:
    return has_capability(user, Capability.MEDIATE) and (
        is_centre(user) or (user.unit_id is not None and user.unit_id == suggestion.to_unit_id)
    )


# DOMAIN.md §7 (矛调中心工作经费): at least 10 public-opinion based policy suggestions a year.
SUGGESTIONS_YEARLY_TARGET = 10


def policy_suggestions_count(year: int) -> int:
    """Policy suggestions sent in ``year``: the indicator of the centre's special fund
    (DOMAIN.md §7: at least 10 public-opinion based suggestions a year). A suggestion counts
    in the year it was sent to the department, whatever the department later decides."""
    return PolicySuggestion.objects.filter(sent_on__year=year).count()


def policy_suggestions_between(start: date, end: date) -> int:
    """Suggestions sent between ``start`` and ``end`` (both inclusive)."""
    return PolicySuggestion.objects.filter(sent_on__gte=start, sent_on__lte=end).count()


def policy_suggestions_in_period(period: Any) -> int:
    """Count source for xinfang.analytics (any object with ``start`` and ``end`` dates)."""
    return policy_suggestions_between(period.start, period.end)


def suggestion_adoption(year: int) -> dict[str, int]:
    """Sent suggestions of ``year`` by outcome (sent = still awaiting a response)."""
    rows = (
        PolicySuggestion.objects.filter(sent_on__year=year).values("status").annotate(n=Count("id"))
    )
    out = {s: 0 for s in SuggestionStatus.values if s != SuggestionStatus.DRAFT}
    for row in rows:
        out[row["status"]] = row["n"]
    return out
