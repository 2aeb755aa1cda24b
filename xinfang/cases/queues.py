"""Work queues (工作队列): which cases wait for whom, with counts for the navigation.

Each queue is one filter over the cases a user may see. Counts for all of a user's queues
come from a single aggregate query (conditional aggregation, ``COUNT(*) FILTER (WHERE ...)``
per queue) over the user's visible cases in the queues' statuses only. Every queue is bounded
by its ``statuses``, all of them open or waiting ones, so the query reads the open cases (a
range of the ``case_queue_idx`` index, which covers every column the conditions test) and
never the closed ones that make up most of a mature database: its cost grows with the open
work, not with the years of history. Exact on every request, no cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Role

from .models import Case, Channel, Status
from .selectors import ACTIVE_STATUSES, cases_visible_to

ONLINE_CHANNELS = [Channel.ONLINE, Channel.EMAIL, Channel.HOTLINE, Channel.HIGHER_LEVEL]


@dataclass(frozen=True)
class Queue:
    code: str
    label: str | Promise

    def condition(self, today: date) -> Q:
        return QUEUE_CONDITIONS[self.code](today)

    @property
    def statuses(self) -> frozenset[str]:
        return QUEUE_STATUSES[self.code]


QUEUE_CONDITIONS: dict[str, Callable[[date], Q]] = {
    # Arrived online or by transfer, not yet checked and routed by a clerk.
    "to_register": lambda t: Q(status=Status.REGISTERED, channel__in=ONLINE_CHANNELS),
    "to_route": lambda t: Q(status__in=[Status.REGISTERED, Status.RETURNED]),
    "to_accept": lambda t: Q(status=Status.ROUTED),
    "in_handling": lambda t: Q(status__in=[Status.IN_HANDLING, Status.EXTENDED]),
    "due_soon": lambda t: Q(status__in=ACTIVE_STATUSES, due_on__gte=t, due_flag="soon"),
    "overdue": lambda t: Q(status__in=ACTIVE_STATUSES, due_on__lt=t),
    "returned": lambda t: Q(status=Status.RETURNED),
    "awaiting_evaluation": lambda t: Q(status=Status.REPLIED, evaluation_due__gte=t),
    "review_requests": lambda t: Q(status__in=[Status.REVIEW_REQUESTED, Status.REREVIEW_REQUESTED]),
}

# Every case of a queue has one of these statuses: its condition implies ``status IN ...``
# (tests/test_queue_performance.py checks it on a case in every status). queue_counts reads
# these statuses only.
QUEUE_STATUSES: dict[str, frozenset[str]] = {
    "to_register": frozenset({Status.REGISTERED}),
    "to_route": frozenset({Status.REGISTERED, Status.RETURNED}),
    "to_accept": frozenset({Status.ROUTED}),
    "in_handling": frozenset({Status.IN_HANDLING, Status.EXTENDED}),
    "due_soon": ACTIVE_STATUSES,
    "overdue": ACTIVE_STATUSES,
    "returned": frozenset({Status.RETURNED}),
    "awaiting_evaluation": frozenset({Status.REPLIED}),
    "review_requests": frozenset({Status.REVIEW_REQUESTED, Status.REREVIEW_REQUESTED}),
}

QUEUES: dict[str, Queue] = {
    q.code: q
    for q in [
        Queue("to_register", _("To register")),
        Queue("to_route", _("To route")),
        Queue("to_accept", _("To accept")),
        Queue("in_handling", _("In handling")),
        Queue("due_soon", _("Due within 3 working days")),
        Queue("overdue", _("Overdue")),
        Queue("returned", _("Returned")),
        Queue("awaiting_evaluation", _("Awaiting rating")),
        Queue("review_requests", _("Review requests")),
    ]
}

ROLE_QUEUES: dict[str, list[str]] = {
    Role.CLERK: [
        "to_register",
        "to_route",
        "returned",
        "awaiting_evaluation",
        "review_requests",
        "due_soon",
        "overdue",
    ],
    Role.HANDLER: ["to_accept", "in_handling", "due_soon", "overdue"],
    Role.UNIT_HEAD: ["to_accept", "in_handling", "due_soon", "overdue"],
    Role.SUPERVISOR: ["due_soon", "overdue", "returned", "review_requests", "in_handling"],
    Role.LEADER: ["overdue", "due_soon", "review_requests"],
    Role.INSPECTOR: ["awaiting_evaluation"],
}


def queues_for(user: Any) -> list[Queue]:
    return [QUEUES[c] for c in ROLE_QUEUES.get(getattr(user, "role", ""), [])]


def queue_cases(user: Any, code: str, *, today: date) -> QuerySet[Case]:
    return cases_visible_to(user).filter(QUEUES[code].condition(today))


def queue_counts(user: Any, *, today: date) -> dict[str, int]:
    """All of the user's queue counts in one query, each equal to
    ``queue_cases(user, code, today=today).count()``."""
    queues = queues_for(user)
    if not queues:
        return {}
    statuses = sorted(set().union(*(q.statuses for q in queues)))
    visible = cases_visible_to(user).filter(status__in=statuses).order_by()
    # cases_visible_to never joins to many rows (co-handled cases are an ``id IN``), so a plain
    # COUNT is exact; should a scope ever need DISTINCT, count distinct ids instead.
    distinct = bool(visible.query.distinct)
    aggregates = {q.code: Count("pk", filter=q.condition(today), distinct=distinct) for q in queues}
    return dict(visible.aggregate(**aggregates))
