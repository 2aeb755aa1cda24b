"""Cross-jurisdiction and complex cases (三跨三分) and the backlog (积案).

Joint handling itself - one lead unit (牵头) and co-units - lives on the case
(xinfang.cases.services.case_set_joint_handling). Here: the coordination meetings of those
units, recorded with their decisions and the tasks each unit takes on (tasks are supervision
items, so they sit in the unit's queue and climb the escalation ladder like any other); and
the backlog of long-open and repeatedly petitioned cases, each with an owner (包案) and
progress notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.models import Case
from xinfang.cases.selectors import ACTIVE_STATUSES
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.org.models import Role, Unit, User
from xinfang.org.permissions import Capability, has_capability

from .conf import conf
from .models import BacklogEntry, BacklogNote, CoordinationMeeting, ItemKind
from .services import active_users, check_not_accused, item_open, notify, require, today_or

# Who may own a backlog case (包案): leaders, the bureau's supervisors, unit heads.
OWNER_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.UNIT_HEAD)


@dataclass(frozen=True)
class TaskData:
    unit: Unit
    text: str
    due_on: date


def meeting_record(
    *,
    actor: User,
    case: Case,
    held_on: date,
    chair: str,
    units: Iterable[Unit],
    topics: str,
    decisions: str,
    tasks: Sequence[TaskData] = (),
    place: str = "",
    today: date | None = None,
) -> CoordinationMeeting:
    """协调会 (DOMAIN.md §3): the units of a case that spans regions, departments or sectors
    agree who does what; each task goes to its unit as a supervision item with a date."""
    require(actor, Capability.SUPERVISE)
    today = today_or(today)
    present = list(units)
    if held_on > today:
        raise DomainError(
            _("Record a meeting once it has been held."), code="future_meeting", field="held_on"
        )
    if len(present) < 2:
        raise DomainError(
            _("A coordination meeting brings at least two units together."),
            code="too_few_units",
            field="units",
        )
    if not decisions.strip():
        raise DomainError(_("Record the decisions."), code="missing_decisions", field="decisions")
    if not chair.strip() or not topics.strip():
        raise DomainError(
            _("Record who chaired and what was discussed."), code="missing_text", field="topics"
        )
    for unit in present:
        check_not_accused(case, unit)
    with transaction.atomic():
        meeting = CoordinationMeeting.objects.create(
            case=case,
            held_on=held_on,
            place=place.strip(),
            chair=chair.strip(),
            topics=topics.strip(),
            decisions=decisions.strip(),
            recorded_by=actor,
        )
        meeting.units.set(present)
        audit_log(
            actor=actor,
            action="supervision.meeting.record",
            obj=meeting,
            after={
                "case": case.number,
                "held_on": held_on,
                "units": [u.code for u in present],
                "tasks": len(tasks),
            },
        )
        for task in tasks:
            item_open(
                actor=actor,
                kind=ItemKind.TASK,
                title=_("Task from the coordination meeting on case %(number)s")
                % {"number": case.number},
                text=task.text,
                unit=task.unit,
                due_on=task.due_on,
                case=case,
                meeting=meeting,
                today=today,
            )
    return meeting


def joint_cases() -> QuerySet[Case]:
    """Open cases handled jointly: a lead unit and at least one co-unit."""
    return (
        Case.objects.filter(status__in=ACTIVE_STATUSES, co_units__isnull=False)
        .select_related("handling_unit")
        .prefetch_related("co_units")
        .distinct()
        .order_by("due_on", "pk")
    )


# --- backlog (积案) ------------------------------------------------------------------------


def backlog_condition(*, today: date) -> Q:
    """Open cases received more than BACKLOG_OPEN_DAYS ago, or petitioned again and again
    (marked as a repeat, or with repeats of their own)."""
    cutoff = today - timedelta(days=int(conf("BACKLOG_OPEN_DAYS")))
    return Q(status__in=ACTIVE_STATUSES) & (
        Q(received_on__lt=cutoff) | Q(is_repeat=True) | Q(repeats__isnull=False)
    )


def backlog_enrol(*, today: date) -> int:
    """List every backlog case that is not listed yet; supervisors are told it needs an
    owner. Returns how many were listed."""
    cutoff = today - timedelta(days=int(conf("BACKLOG_OPEN_DAYS")))
    cases = (
        Case.objects.filter(backlog_condition(today=today), backlog_entry__isnull=True)
        .prefetch_related("repeats")
        .distinct()
    )
    listed = 0
    for case in cases:
        try:
            with transaction.atomic():
                entry = BacklogEntry.objects.create(
                    case=case,
                    long_open=case.received_on < cutoff,
                    repeat=case.is_repeat or case.repeats.exists(),
                    enrolled_on=today,
                )
                audit_log(
                    actor=None,
                    action="supervision.backlog.enrol",
                    obj=entry,
                    after={"long_open": entry.long_open, "repeat": entry.repeat},
                )
                notify(
                    active_users(role=Role.SUPERVISOR),
                    kind="supervision.backlog",
                    message=_("Case %(number)s is a backlog case and needs an owner.")
                    % {"number": case.number},
                    url=reverse("supervision:backlog_entry", args=[entry.pk]),
                )
        except IntegrityError:
            continue  # listed by a concurrent sweep
        listed += 1
    return listed


def may_work_on(user: User, entry: BacklogEntry) -> bool:
    return has_capability(user, Capability.SUPERVISE) or entry.owner_id == user.pk


def backlog_assign(*, actor: User, entry: BacklogEntry, owner: User) -> BacklogEntry:
    """包案: one named official owns the backlog case until it is resolved."""
    require(actor, Capability.SUPERVISE)
    if owner.role not in OWNER_ROLES or not owner.is_active:
        raise DomainError(
            _("The owner is a leader, a supervisor or a unit head."),
            code="invalid_owner",
            field="owner",
        )
    with transaction.atomic():
        locked = BacklogEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.resolved_on:
            raise DomainError(_("This backlog case is resolved."), code="resolved")
        before = locked.owner.username if locked.owner else None
        locked.owner = owner
        locked.save(update_fields=["owner"])
        audit_log(
            actor=actor,
            action="supervision.backlog.assign",
            obj=locked,
            before={"owner": before},
            after={"owner": owner.username},
        )
        notify(
            [owner],
            kind="supervision.backlog",
            message=_("You own backlog case %(number)s.") % {"number": locked.case.number},
            url=reverse("supervision:backlog_entry", args=[locked.pk]),
        )
    return locked


def backlog_note_add(
    *, actor: User, entry: BacklogEntry, text: str, today: date | None = None
) -> BacklogNote:
    """A progress note (化解进展) by the owner or a supervisor."""
    if not may_work_on(actor, entry):
        raise PermissionDeniedError(_("Only the owner or a supervisor can do this."))
    if not text.strip():
        raise DomainError(_("Write the progress."), code="missing_text", field="text")
    if entry.resolved_on:
        raise DomainError(_("This backlog case is resolved."), code="resolved")
    with transaction.atomic():
        note = BacklogNote.objects.create(
            entry=entry, author=actor, written_on=today_or(today), text=text.strip()
        )
        audit_log(
            actor=actor,
            action="supervision.backlog.note",
            obj=entry,
            after={"note": note.text[:200]},
        )
    return note


def backlog_resolve(
    *, actor: User, entry: BacklogEntry, resolution: str, today: date | None = None
) -> BacklogEntry:
    """化解: the supervisor closes the backlog entry with how it was resolved."""
    require(actor, Capability.SUPERVISE)
    if not resolution.strip():
        raise DomainError(_("Say how it was resolved."), code="missing_text", field="resolution")
    with transaction.atomic():
        locked = BacklogEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.resolved_on:
            raise DomainError(_("This backlog case is resolved."), code="resolved")
        if locked.owner_id is None:
            raise DomainError(
                _("Name the owner first: every backlog case has one."), code="no_owner"
            )
        locked.resolved_on = today_or(today)
        locked.resolution = resolution.strip()
        locked.save(update_fields=["resolved_on", "resolution"])
        audit_log(
            actor=actor,
            action="supervision.backlog.resolve",
            obj=locked,
            before={"resolved_on": None},
            after={"resolved_on": locked.resolved_on, "resolution": locked.resolution},
        )
    return locked
