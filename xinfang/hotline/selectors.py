"""Reads on hotline orders, and the status reported back to the hotline (回传): one
definition used by the page, the CSV export and the callbacks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from xinfang.cases.models import CaseEvent, Status
from xinfang.org.permissions import Capability, has_capability

from .models import HotlineOrder, ImportJob, OrderStatus

# Case events that give the hotline its result, and (for urgent orders) a first feedback.
RESULT_ACTIONS = ("reply", "not_accept", "divert", "merge")
FEEDBACK_ACTIONS = ("route", "accept", "return", *RESULT_ACTIONS)

# The status the hotline sees (export column "status").
HANDLING = frozenset(
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
ANSWERED = frozenset({Status.REPLIED, Status.EVALUATED, Status.REVIEW_DECIDED})
CLOSED = frozenset({Status.CLOSED, Status.TERMINATED})

EXPORT_COLUMNS = [
    "order_number",
    "case_number",
    "status",
    "case_status",
    "result",
    "received_at",
    "due_at",
    "registered_at",
    "feedback_at",
    "answered_at",
    "closed_on",
    "overdue",
]


def orders_visible_to(user: Any) -> QuerySet[HotlineOrder]:
    """Hotline orders are the bureau's intake: staff with the hotline capability see all."""
    if not has_capability(user, Capability.HOTLINE):
        return HotlineOrder.objects.none()
    return HotlineOrder.objects.all()


def imports_visible_to(user: Any) -> QuerySet[ImportJob]:
    if not has_capability(user, Capability.HOTLINE):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by")


def _first_event(actions: Iterable[str]) -> Subquery:
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef("case"), action__in=list(actions))
        .order_by("at", "id")
        .values("at")[:1]
    )


def with_status(qs: QuerySet[HotlineOrder]) -> QuerySet[HotlineOrder]:
    return qs.select_related("case", "category").annotate(
        answered_at=_first_event(RESULT_ACTIONS), feedback_at=_first_event(FEEDBACK_ACTIONS)
    )


def hotline_status(order: HotlineOrder) -> str:
    """received | failed | in_handling | answered | closed | not_accepted | merged | diverted"""
    case = order.case
    if case is None:
        return "failed" if order.status == OrderStatus.FAILED else "received"
    if case.status in HANDLING:
        return "in_handling"
    if case.status in ANSWERED:
        return "answered"
    if case.status in CLOSED:
        return "closed"
    return str(case.status)


def result_text(order: HotlineOrder) -> str:
    case = order.case
    if case is None:
        return order.register_error
    if case.status == Status.NOT_ACCEPTED:
        return case.not_accepted_reason
    if case.status == Status.DIVERTED:
        return str(case.get_diverted_to_display())
    if case.status == Status.MERGED:
        return str(Status.MERGED.label)
    if case.replied_on:
        return f"{case.get_outcome_display()}: {case.reply_text}".strip(": ")
    return ""


def responded_at(order: HotlineOrder) -> datetime | None:
    """Urgent orders need a first feedback within the limit, the others a result."""
    if order.is_urgent:
        return getattr(order, "feedback_at", None)
    return getattr(order, "answered_at", None)


def is_overdue(order: HotlineOrder, *, now: datetime) -> bool:
    """A response at the limit's last moment is on time (DOMAIN.md §2)."""
    return (responded_at(order) or now) > order.due_at


def _iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def status_record(order: HotlineOrder, *, now: datetime) -> dict[str, str]:
    case = order.case
    return {
        "order_number": order.order_number,
        "case_number": case.number if case else "",
        "status": hotline_status(order),
        "case_status": case.status if case else "",
        "result": result_text(order),
        "received_at": _iso(order.received_at),
        "due_at": _iso(order.due_at),
        "registered_at": _iso(case.registered_at) if case else "",
        "feedback_at": _iso(getattr(order, "feedback_at", None)),
        "answered_at": _iso(getattr(order, "answered_at", None)),
        "closed_on": case.closed_on.isoformat() if case and case.closed_on else "",
        "overdue": "yes" if is_overdue(order, now=now) else "no",
    }


def status_export_rows(
    qs: QuerySet[HotlineOrder], *, now: datetime | None = None
) -> Iterator[list[str]]:
    """The outbound status export (docs/hotline-import.md): header, then one row per order."""
    now = now or timezone.now()
    yield EXPORT_COLUMNS
    for order in with_status(qs).order_by("received_at", "pk").iterator(chunk_size=2000):
        record = status_record(order, now=now)
        yield [record[c] for c in EXPORT_COLUMNS]
