"""Reads on petition cases, always scoped to what the user may see."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from xinfang.core.crypto import blind_index
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
        # Co-handled cases as ``id IN (...)``, not a join: no duplicate rows, so no DISTINCT over
        # every column of the case (slow on long lists, and COUNT would need a subquery).
        co_handled = Case.co_units.through.objects.filter(unit_id=user.unit_id).values("case_id")
        scoped = qs.filter(Q(handling_unit_id=user.unit_id) | Q(pk__in=co_handled))
    else:
        return qs.none()
    if user.unit_id:
        # ``id NOT IN (the accusations against the unit)``: a short list computed once, not a
        # correlated subquery per case, and any index carrying the id answers it.
        hidden = Case.accused_units.through.objects.filter(
            unit_id=user.unit_id, case__petition_type=PetitionType.ACCUSATION
        ).values("case_id")
        scoped = scoped.exclude(pk__in=hidden)
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


def actions_for(user: Any, case: Case) -> list[Any]:
    """The actions this user may take on this case now (state machine and rights).

    The services check the same again; this only decides which forms the page shows."""
    from xinfang.org.permissions import Capability, has_capability

    from .transitions import Action, allowed_actions

    own_unit = bool(user.unit_id) and user.unit_id == case.handling_unit_id
    bureau = has_capability(user, Capability.ROUTE_CASE)
    clerk = has_capability(user, Capability.REGISTER_CASE)
    handler = has_capability(user, Capability.HANDLE_CASE) and own_unit
    rules = {
        Action.ROUTE: bureau,
        Action.JOINT: bureau,
        Action.MERGE: bureau,
        Action.DIVERT: bureau,
        Action.CLOSE: bureau,
        Action.NOT_ACCEPT: handler if case.status == Status.ROUTED else bureau,
        Action.RETURN: handler,
        Action.ACCEPT: handler,
        Action.REPLY: handler,
        Action.EXTEND: has_capability(user, Capability.APPROVE_EXTENSION) and own_unit,
        Action.EVALUATE: clerk,
        Action.REQUEST_REVIEW: clerk,
        Action.REQUEST_REREVIEW: clerk,
        Action.DECIDE_REVIEW: has_capability(user, Capability.DECIDE_REVIEW),
        Action.DECIDE_REREVIEW: has_capability(user, Capability.DECIDE_REVIEW),
    }
    return [a for a in allowed_actions(case.status) if rules.get(a, False)]


def earlier_cases(
    user: Any,
    *,
    id_number: str = "",
    phone: str = "",
    name: str = "",
    title: str = "",
    limit: int = 10,
) -> list[tuple[Case, str]]:
    """Earlier cases of the same person or the same matter (重复信访 check at intake), each
    with the reason it matched. Only cases the user may see."""
    from .search import search

    visible = cases_visible_to(user)
    found: dict[int, tuple[Case, str]] = {}
    person = Q()
    if id_number:
        person |= Q(petitioners__id_number_digest=blind_index(id_number))
    if phone:
        person |= Q(petitioners__phone_digest=blind_index(phone))
    if person:
        for case in visible.filter(person).distinct().order_by("-received_on")[:limit]:
            found[case.pk] = (case, "same_person")
    if title.strip():
        for case in search(visible, title).order_by("-received_on")[:limit]:
            found.setdefault(case.pk, (case, "same_matter"))
    return sorted(found.values(), key=lambda pair: pair[0].received_on, reverse=True)[:limit]
