"""Reworks (返工) that send the case itself back, and their closing by the re-answer.

A failed quality inspection (quality.py) or a follow-up call with the outcome "handle again"
(followups.py) opens a rework item for the handling unit *and* reopens the case
(``xinfang.cases.services.case_reopen_for_rework``): the case is in handling again with the
rework's date as its answer limit. The unit's next answer to the case (``case_reply``) is the
re-answer; it closes the open reworks of the case in the same transaction, and a rework after
a failed inspection sends the re-answer to its next round of inspection.

The case services know nothing of supervision: the timeline event of the answer is the hook
(``apps.py`` connects :func:`case_event_saved`), as in xinfang.notify. Unlike the notifier this
runs inside the answer's transaction, so the answer and the closed rework commit together.

A case the case services will not reopen (a review under way, or decided by the level above,
信访工作条例 art. 35) keeps its answer; its rework is answered and checked on the item itself,
as before.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.cases.models import Case, CaseEvent, Status
from xinfang.cases.services import case_reopen_for_rework, case_rework_possible
from xinfang.cases.transitions import Action
from xinfang.org.models import Role, User

from .models import OPEN_STATUSES, ItemKind, SupervisionItem
from .services import active_users, item_transition, item_url, notify

# The case states in which its rework is answered by answering the case.
CASE_IN_REWORK = frozenset({Status.IN_HANDLING, Status.EXTENDED})


def reopen_case(*, actor: User, item: SupervisionItem, reason: str, today: date) -> bool:
    """Send the rework's case back to handling, due when the rework is. False (nothing
    changed) when the case services would refuse it in its present state."""
    case = item.case
    if case is None or not case_rework_possible(case):
        return False
    case_reopen_for_rework(
        actor=actor,
        case=case,
        reason=reason,
        due_on=item.due_on,
        today=today,
        expected_version=case.version,
    )
    return True


def answered_on_the_case(item: SupervisionItem) -> bool:
    """A rework whose case is back in handling: the unit answers the case, not the item."""
    return (
        item.kind == ItemKind.REWORK
        and item.status in OPEN_STATUSES
        and item.case is not None
        and item.case.status in CASE_IN_REWORK
    )


def reworks_close_on_reanswer(*, case: Case, actor: User | None) -> list[SupervisionItem]:
    """The unit answered the case again: close its open reworks (返工办结) with the answer,
    and send the re-answer of a failed inspection to its next round. Returns the items
    closed."""
    from .quality import reinspection_open

    today = case.replied_on or timezone.localdate()
    closed: list[SupervisionItem] = []
    open_reworks = SupervisionItem.objects.filter(
        case=case, kind=ItemKind.REWORK, status__in=OPEN_STATUSES
    ).order_by("pk")
    for item in open_reworks:

        def apply(i: SupervisionItem) -> None:
            if not i.answered_on:
                i.answer = case.reply_text
                i.answered_on = today
                i.answered_by = actor
            i.done_on = today
            i.close_note = _("Case %(number)s was answered again on %(date)s.") % {
                "number": case.number,
                "date": today.isoformat(),
            }

        done = item_transition(item, "reanswered", actor=actor, apply=apply)
        closed.append(done)
        if done.inspection_id is not None:
            if not done.reinspections.filter(result="").exists():
                reinspection_open(rework=done, today=today)
        else:
            told = [done.opened_by] if done.opened_by and done.opened_by.is_active else []
            notify(
                told or active_users(role=Role.SUPERVISOR),
                kind="supervision.reanswered",
                message=_("%(unit)s answered case %(number)s again; %(item)s is closed.")
                % {"unit": done.unit.label, "number": case.number, "item": done.number},
                url=item_url(done),
            )
    return closed


def case_event_saved(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    """Forwards a new answer on the case timeline to :func:`reworks_close_on_reanswer`."""
    if created and instance.action == Action.REPLY:
        reworks_close_on_reanswer(case=instance.case, actor=instance.actor)
