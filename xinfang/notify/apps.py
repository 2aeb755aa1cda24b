from __future__ import annotations

from functools import partial
from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _enqueue_dispatch(event_id: int) -> None:
    from .tasks import dispatch_case_event

    dispatch_case_event.enqueue(event_id)


def case_event_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Forwards a new timeline event to the notifier once it is committed. No rule here:
    xinfang.notify.dispatch decides what the petitioner is told. ``robust``: a queue that is
    down must not fail the staff member's committed step (the periodic catch-up sends it)."""
    from .dispatch import NOTIFIED_ACTIONS

    if created and instance.action in NOTIFIED_ACTIONS:
        transaction.on_commit(partial(_enqueue_dispatch, instance.pk), robust=True)


class NotifyConfig(AppConfig):
    name = "xinfang.notify"
    label = "notify"
    verbose_name = _("Notifications to citizens")

    def ready(self) -> None:
        from xinfang.cases.models import CaseEvent

        post_save.connect(case_event_saved, sender=CaseEvent, dispatch_uid="notify.case_event")
