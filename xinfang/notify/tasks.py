from __future__ import annotations

from django_tasks import task

from .dispatch import dispatch_event, dispatch_pending
from .services import message_send


@task()
def send_message(message_id: int) -> str:
    """Send one stored message to a citizen (SMS or e-mail); returns its status."""
    message = message_send(message_id=message_id)
    return message.status if message is not None else "skipped"


@task()
def dispatch_case_event(event_id: int) -> int:
    """Tell the petitioner about one committed step of their case (enqueued on commit)."""
    return dispatch_event(event_id=event_id) or 0


@task()
def dispatch_pending_events() -> int:
    """Periodic catch-up: steps whose message was never queued (a lost task)."""
    return dispatch_pending()
