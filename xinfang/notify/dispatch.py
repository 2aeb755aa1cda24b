"""Which steps of a case the petitioner is told about, read from the case timeline.

The case services know nothing of notifications: every step they take appends a CaseEvent in
the same transaction, and that timeline is the outbox. When an event row is committed, the
receiver in apps.py enqueues :func:`dispatch_event` (``on_commit``: a step that is rolled back
tells nobody; a slow SMS gateway never holds the staff member's request). The periodic job
``notify.dispatch`` (xinfang.core.schedule) runs :func:`dispatch_pending` to catch any event
whose task was lost (a worker or the queue down), within XINFANG_NOTIFY["LOOKBACK_HOURS"].

Each event is claimed once (EventNotice, a unique row per event) and notify_petitioner is
idempotent per case, step and channel, so nothing is sent twice however often this runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from xinfang.cases.models import CaseEvent, Status
from xinfang.cases.transitions import Action

from .conf import conf
from .models import Event, EventNotice
from .services import notify_petitioner

REGISTER = "register"  # the action xinfang.cases.services.case_register records

# 信访工作条例 art. 21 (query code at registration), art. 23 (acceptance told in writing),
# art. 34 (extension: the petitioner is told why), art. 32-36 (answer and review decisions),
# DOMAIN.md §1 (诉访分离: the petitioner is told where to turn).
EVENT_FOR_ACTION: dict[str, Event] = {
    REGISTER: Event.REGISTERED,
    Action.ACCEPT: Event.ACCEPTED,
    Action.NOT_ACCEPT: Event.NOT_ACCEPTED,
    Action.EXTEND: Event.EXTENDED,
    Action.REPLY: Event.REPLIED,
    Action.DECIDE_REVIEW: Event.REVIEW_DECIDED,
    Action.DECIDE_REREVIEW: Event.REREVIEW_DECIDED,
    Action.DIVERT: Event.DIVERTED,
}
NOTIFIED_ACTIONS = frozenset(str(action) for action in EVENT_FOR_ACTION)


def events_for(case_event: CaseEvent) -> list[Event]:
    """The messages one timeline event calls for (none for internal steps)."""
    event = EVENT_FOR_ACTION.get(case_event.action)
    if event is None:
        return []
    if event == Event.REGISTERED and case_event.to_status == Status.NOT_ACCEPTED:
        # Registered but refused at once (a repeat of a matter already in handling, art. 19):
        # the query code, then the refusal with its notice.
        return [Event.REGISTERED, Event.NOT_ACCEPTED]
    return [event]


def dispatch_event(*, event_id: int) -> int | None:
    """Tell the petitioner about one committed timeline event. Returns the number of messages
    queued, or None when the event is unknown, internal, or was dealt with already."""
    with transaction.atomic():
        case_event = CaseEvent.objects.select_related("case").filter(pk=event_id).first()
        if case_event is None:
            return None
        events = events_for(case_event)
        if not events:
            return None
        # The unique row is the claim: a second worker waits for this transaction, then
        # finds the row and stops.
        notice, created = EventNotice.objects.get_or_create(case_event=case_event)
        if not created:
            return None
        queued = 0
        for event in events:
            queued += len(notify_petitioner(case=case_event.case, event=event))
        if queued:
            EventNotice.objects.filter(pk=notice.pk).update(messages=queued)
    return queued


def pending_event_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Committed events of the last LOOKBACK_HOURS that call for a message and were not dealt
    with. Older events are left alone: switching notifications on does not text petitioners
    about steps taken long ago."""
    since = (now or timezone.now()) - timedelta(hours=int(conf("LOOKBACK_HOURS")))
    return list(
        CaseEvent.objects.filter(
            at__gte=since, action__in=NOTIFIED_ACTIONS, notify_notice__isnull=True
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def dispatch_pending(*, now: datetime | None = None) -> int:
    """The catch-up run of the periodic job: returns the number of messages queued."""
    queued = 0
    for event_id in pending_event_ids(now=now):
        queued += dispatch_event(event_id=event_id) or 0
    return queued
