"""Reads of supervision work, always scoped to what the user may see.

``items_visible_to`` is the one rule for items: the bureau's supervisors, inspectors and the
leaders see every item; a unit's handlers and head see their own unit's items only (a foreign
id answers 404); everyone else sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from xinfang.cases.selectors import COUNTY_WIDE_ROLES, UNIT_ROLES
from xinfang.org.models import Role, Unit, User
from xinfang.org.permissions import Capability, has_capability

from .models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    BacklogEntry,
    EscalationNotice,
    FieldInspection,
    ItemKind,
    ItemStatus,
    QualityInspection,
    SupervisionItem,
)

ITEM_RELATED = ("unit", "case", "leader", "opened_by")


def items_visible_to(user: Any) -> QuerySet[SupervisionItem]:
    qs = SupervisionItem.objects.select_related(*ITEM_RELATED)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.role in COUNTY_WIDE_ROLES and user.role != Role.CLERK:
        return qs
    if user.role in UNIT_ROLES and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def _priority_rank() -> When_:
    return When_(
        *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def by_priority(qs: QuerySet[SupervisionItem]) -> QuerySet[SupervisionItem]:
    """Most urgent first, then the earliest date."""
    return qs.annotate(priority_rank=_priority_rank()).order_by("priority_rank", "due_on", "pk")


def unit_queue(user: User) -> QuerySet[SupervisionItem]:
    """The unit's open items (instructions, orders, reworks, tasks, corrections) by priority."""
    return by_priority(items_visible_to(user).filter(status=ItemStatus.OPEN))


def unit_waiting(user: User) -> QuerySet[SupervisionItem]:
    """What the unit answered and the bureau has not checked yet."""
    return items_visible_to(user).filter(status=ItemStatus.ANSWERED).order_by("answered_on", "pk")


def leader_items(user: User) -> QuerySet[SupervisionItem]:
    """A leader's instructions and assigned matters until done, plus everything escalated to
    the leaders; supervisors see every leader's."""
    qs = items_visible_to(user).filter(status__in=OPEN_STATUSES)
    mine = Q(kind__in=[ItemKind.INSTRUCTION, ItemKind.ASSIGNMENT])
    if user.role == Role.LEADER:
        mine &= Q(leader=user)
    return by_priority(qs.filter(mine | Q(escalation_level__gte=4)))


def overdue_items(user: User, *, today: date) -> QuerySet[SupervisionItem]:
    return by_priority(items_visible_to(user).filter(status=ItemStatus.OPEN, due_on__lt=today))


def item_counts(user: User, *, today: date) -> dict[str, int]:
    """Open, overdue, escalated and answered counts in one query."""
    row: dict[str, int] = (
        items_visible_to(user)
        .order_by()
        .aggregate(
            open=Count("pk", filter=Q(status=ItemStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=ItemStatus.OPEN, due_on__lt=today)),
            escalated=Count("pk", filter=Q(status=ItemStatus.OPEN, escalation_level__gte=3)),
            answered=Count("pk", filter=Q(status=ItemStatus.ANSWERED)),
        )
    )
    return row


def notices_of(item: SupervisionItem) -> QuerySet[EscalationNotice]:
    return item.notices.select_related("rule").order_by("fire_on", "id")


def may_answer(user: Any, item: SupervisionItem) -> bool:
    """The unit answers its open item, except a rework whose case is back in handling (it is
    answered on the case, rework.py)."""
    from .rework import answered_on_the_case

    return (
        has_capability(user, Capability.HANDLE_CASE)
        and bool(user.unit_id)
        and user.unit_id == item.unit_id
        and item.status == ItemStatus.OPEN
        and not answered_on_the_case(item)
    )


def may_check(user: Any, item: SupervisionItem) -> bool:
    """Accept or send back: the bureau's supervisors and leaders (a quality rework is closed
    by its re-inspection instead)."""
    if item.kind == ItemKind.REWORK and item.inspection_id is not None:
        return False
    return has_capability(user, Capability.SUPERVISE) and item.status == ItemStatus.ANSWERED


# --- quality ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassRate:
    key: Any
    label: str
    inspected: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.inspected if self.inspected else None


def _decided(start: date, end: date) -> QuerySet[QualityInspection]:
    return QualityInspection.objects.filter(decided_on__gte=start, decided_on__lte=end).exclude(
        result=""
    )


def pass_rate(*, start: date, end: date) -> PassRate:
    """质检合格率 = passed / inspected (DOMAIN.md §5), over inspections decided in the period;
    a reworked answer's re-inspection counts as an inspection of its own."""
    row = _decided(start, end).aggregate(
        inspected=Count("pk"), passed=Count("pk", filter=Q(result="pass"))
    )
    return PassRate(None, "", row["inspected"], row["passed"])


def pass_rate_by_unit(*, start: date, end: date) -> list[PassRate]:
    rows = (
        _decided(start, end)
        .values("case__handling_unit")
        .annotate(inspected=Count("pk"), passed=Count("pk", filter=Q(result="pass")))
        .order_by("case__handling_unit")
    )
    names = {u.pk: u.label for u in Unit.objects.all()}
    return sorted(
        (
            PassRate(
                r["case__handling_unit"],
                names.get(r["case__handling_unit"], "-"),
                r["inspected"],
                r["passed"],
            )
            for r in rows
        ),
        key=lambda p: (p.rate if p.rate is not None else 2, p.label),
    )


def pass_rate_by_inspector(*, start: date, end: date) -> list[PassRate]:
    rows = (
        _decided(start, end)
        .values("inspector")
        .annotate(inspected=Count("pk"), passed=Count("pk", filter=Q(result="pass")))
        .order_by("inspector")
    )
    names = {u.pk: u.display_name for u in User.objects.filter(role=Role.INSPECTOR)}
    return [
        PassRate(r["inspector"], names.get(r["inspector"], "-"), r["inspected"], r["passed"])
        for r in rows
    ]


# --- backlog and field inspections ------------------------------------------------------------


def backlog_list(*, resolved: bool = False) -> QuerySet[BacklogEntry]:
    """Entries without an owner first, then the oldest cases."""
    qs = BacklogEntry.objects.select_related("case", "case__handling_unit", "owner").annotate(
        note_count=Coalesce(Count("notes"), 0)
    )
    qs = qs.filter(resolved_on__isnull=not resolved)
    return qs.order_by(
        When_(
            When(owner__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "case__received_on",
        "pk",
    )


def backlog_visible_to(user: Any) -> QuerySet[BacklogEntry]:
    """Supervisors see every backlog case; an owner sees the ones they own."""
    qs = BacklogEntry.objects.select_related("case", "case__handling_unit", "owner")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if has_capability(user, Capability.SUPERVISE):
        return qs
    return qs.filter(owner=user)


def visits_list() -> QuerySet[FieldInspection]:
    return FieldInspection.objects.select_related("unit").annotate(
        correction_count=Count("findings__corrections", distinct=True),
        open_corrections=Count(
            "findings__corrections",
            filter=Q(findings__corrections__status__in=OPEN_STATUSES),
            distinct=True,
        ),
    )
