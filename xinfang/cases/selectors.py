"""Reads on petition cases, always scoped to what the user may see."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from xinfang.org.models import Role

from .models import Case, PetitionType, Status

if TYPE_CHECKING:
    from xinfang.org.models import User

# Roles that work for the whole county's petition system (bureau, supervision, leaders).
COUNTY_WIDE_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.INSPECTOR, Role.LEADER})
# Roles that handle the cases of their own unit only.
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})

ACTIVE_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.ROUTED,
        Status.RETURNED,
        Status.IN_HANDLING,
        Status.EXTENDED,
        Status.REVIEW_REQUESTED,
        Status.REREVIEW_REQUESTED,
    }
)


def restrict_cases(qs: QuerySet[Case], user: Any) -> QuerySet[Case]:
    """The one rule for who sees which case (views, API and exports all go through it).

    - county-wide roles see every case, handlers and unit heads the cases of their unit
      (lead or co-handling), everyone else none;
    - an accusation is never visible to staff of an accused unit (DOMAIN.md §1).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.role in COUNTY_WIDE_ROLES:
        scoped = qs
    elif user.role in UNIT_ROLES and user.unit_id:
        scoped = qs.filter(Q(handling_unit_id=user.unit_id) | Q(co_units=user.unit_id)).distinct()
    else:
        return qs.none()
    if user.unit_id:
        scoped = scoped.exclude(
            Q(petition_type=PetitionType.ACCUSATION) & Q(accused_units=user.unit_id)
        )
    return scoped


def cases_visible_to(user: User) -> QuerySet[Case]:
    return restrict_cases(
        Case.objects.select_related("category", "handling_unit", "division"), user
    )


def cases_due_soon(user: User) -> QuerySet[Case]:
    return cases_visible_to(user).filter(due_flag="soon", status__in=ACTIVE_STATUSES)


def cases_overdue(user: User, *, today: date) -> QuerySet[Case]:
    return cases_visible_to(user).filter(due_on__lt=today, status__in=ACTIVE_STATUSES)


def case_timeline(case: Case) -> QuerySet[Any]:
    return case.events.select_related("actor").order_by("at", "id")
