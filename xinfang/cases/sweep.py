"""The deadline sweep (全程监督): flags cases due soon or overdue, tells the responsible
handlers, and closes answered cases once the petitioner's windows have passed."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.core.models import Notification
from xinfang.org.models import Role, User

from .deadlines import working_days_remaining
from .models import Case, DueFlag, Status
from .selectors import ACTIVE_STATUSES
from .services import case_close


def _flag(case: Case, today: date) -> str:
    if case.due_on is None or case.status not in ACTIVE_STATUSES:
        return DueFlag.NONE
    remaining = working_days_remaining(today=today, due=case.due_on)
    if remaining < 0:
        return DueFlag.OVERDUE
    if remaining <= int(str(settings.XINFANG["DUE_SOON_WORKING_DAYS"])):
        return DueFlag.SOON
    return DueFlag.NONE


def _recipients(case: Case) -> list[User]:
    """The handling unit's handlers and head; before routing, the bureau's clerks."""
    if case.handling_unit_id:
        return list(
            User.objects.filter(
                unit_id=case.handling_unit_id,
                role__in=[Role.HANDLER, Role.UNIT_HEAD],
                is_active=True,
            )
        )
    return list(User.objects.filter(role=Role.CLERK, is_active=True))


def sweep_deadlines(*, today: date) -> dict[str, int]:
    counts = {"soon": 0, "overdue": 0, "cleared": 0, "notified": 0, "closed": 0}
    candidates = Case.objects.filter(
        status__in=ACTIVE_STATUSES, due_on__isnull=False
    ) | Case.objects.exclude(due_flag="")
    for case in candidates.select_related("handling_unit").distinct():
        new = _flag(case, today)
        if new == case.due_flag:
            continue
        # Conditional update: two sweeps never notify twice for the same change.
        with transaction.atomic():
            changed = Case.objects.filter(pk=case.pk, due_flag=case.due_flag).update(due_flag=new)
            if not changed:
                continue
            audit_log(
                actor=None,
                action="case.due_flag",
                obj=case,
                before={"due_flag": case.due_flag},
                after={"due_flag": new},
            )
            if new == DueFlag.NONE:
                counts["cleared"] += 1
                continue
            counts[new] += 1
            message = (
                _("Case %(number)s is overdue (due %(due)s).")
                if new == DueFlag.OVERDUE
                else _("Case %(number)s is due on %(due)s.")
            ) % {"number": case.number, "due": case.due_on}
            url = reverse("cases:detail", args=[case.pk])
            for user in _recipients(case):
                Notification.objects.create(
                    user=user, kind=f"deadline.{new}", message=message, url=url
                )
                counts["notified"] += 1
    finished = Case.objects.filter(
        status__in=[Status.REPLIED, Status.EVALUATED, Status.REVIEW_DECIDED],
        review_request_due__lt=today,
    ).exclude(evaluation_due__gte=today)
    for case in finished:
        case_close(actor=None, case=case, today=today)
        counts["closed"] += 1
    return counts
