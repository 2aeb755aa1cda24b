"""Citizen evaluation follow-up (回访, DOMAIN.md §4-5).

Which ratings count follows DOMAIN.md: the scale is 满意 / 基本满意 / 不满意, given inside the
rating window after the answer (the case services refuse a late rating; not rated in time =
not rated, never satisfied). 参评率 participation = rated / answered cases whose window has
closed; 满意率 satisfaction = (满意 + 基本满意) / rated. Every 不满意 rating opens a follow-up
call; its outcome can reopen handling: a rework order to the handling unit, and the case itself
back in handling (rework.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.deadlines import add_working_days
from xinfang.cases.models import Case, Rating
from xinfang.core.errors import DomainError
from xinfang.org.models import Role, User
from xinfang.org.permissions import Capability

from .conf import conf
from .models import FollowUp, ItemKind, SupervisionItem
from .rework import reopen_case
from .services import active_users, item_open, notify, require, today_or


def follow_ups_open(*, today: date) -> int:
    """Open a follow-up call for every 不满意 rating that has none; return how many."""
    # One call per rating (case and rating date): the unique constraint settles a race of two
    # sweeps, and a later rating of the same case, if the case services ever allow one, gets
    # its own call.
    rated = Case.objects.filter(
        ~Exists(FollowUp.objects.filter(case=OuterRef("pk"), rated_on=OuterRef("rated_on"))),
        rating=Rating.UNSATISFIED,
        rated_on__isnull=False,
    ).order_by("pk")
    opened = 0
    for case in rated:
        assert case.rated_on is not None  # noqa: S101 (filtered above)
        try:
            with transaction.atomic():
                follow_up = FollowUp.objects.create(
                    case=case,
                    rating=case.rating,
                    rated_on=case.rated_on,
                    due_on=add_working_days(case.rated_on, int(conf("FOLLOW_UP_WORKING_DAYS"))),
                )
                audit_log(
                    actor=None,
                    action="supervision.follow_up.open",
                    obj=follow_up,
                    after={"case": case.number, "due_on": follow_up.due_on},
                )
                notify(
                    active_users(role=Role.SUPERVISOR),
                    kind="supervision.follow_up",
                    message=_(
                        "Case %(number)s was rated unsatisfied: call the petitioner back "
                        "by %(due)s."
                    )
                    % {"number": case.number, "due": follow_up.due_on.isoformat()},
                    url=reverse("supervision:follow_up", args=[follow_up.pk]),
                )
        except IntegrityError:
            continue
        opened += 1
    return opened


def follow_up_record(
    *,
    actor: User,
    follow_up: FollowUp,
    outcome: str,
    notes: str,
    due_on: date | None = None,
    today: date | None = None,
) -> FollowUp:
    """Record the call. Outcome "reopen" sends the matter back to the handling unit as a
    rework order due ``due_on``, and the case itself back to handling with that date when the
    case services allow it (rework.py); the unit's new answer to the case closes the rework."""
    require(actor, Capability.SUPERVISE)
    today = today_or(today)
    if outcome not in FollowUp.Outcome.values:
        raise DomainError(_("Choose the outcome."), code="invalid_outcome", field="outcome")
    if len(notes.strip()) < 5:
        raise DomainError(_("Write what the petitioner said."), code="missing_text", field="notes")
    if outcome == FollowUp.Outcome.REOPEN and due_on is None:
        raise DomainError(
            _("Set the date the unit must answer again."), code="missing_due", field="due_on"
        )
    with transaction.atomic():
        locked = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=follow_up.pk)
        )
        if locked.done_on:
            raise DomainError(_("This call has been recorded already."), code="done")
        locked.outcome = outcome
        locked.notes = notes.strip()
        locked.done_on = today
        locked.done_by = actor
        locked.save()
        audit_log(
            actor=actor,
            action="supervision.follow_up.record",
            obj=locked,
            before={"outcome": ""},
            after={"outcome": outcome},
        )
        if outcome == FollowUp.Outcome.REOPEN and due_on is not None:
            case = locked.case
            if case.handling_unit is None:
                raise DomainError(_("The case has no handling unit."), code="no_unit")
            item = item_open(
                actor=actor,
                kind=ItemKind.REWORK,
                title=_("Handle case %(number)s again after the follow-up call")
                % {"number": case.number},
                text=locked.notes,
                unit=case.handling_unit,
                due_on=due_on,
                case=case,
                follow_up=locked,
                today=today,
            )
            reopen_case(
                actor=actor,
                item=item,
                reason=_("Follow-up call: handle again (%(item)s). %(notes)s")
                % {"item": item.number, "notes": locked.notes},
                today=today,
            )
    return locked


def rework_of(follow_up: FollowUp) -> SupervisionItem | None:
    return follow_up.reworks.order_by("-pk").first()


@dataclass(frozen=True)
class RatingRates:
    answered: int  # answered cases whose rating window closed
    rated: int
    satisfied: int  # 满意 + 基本满意
    unsatisfied: int

    @property
    def participation(self) -> float | None:
        return self.rated / self.answered if self.answered else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def rating_rates(*, start: date, end: date, today: date) -> RatingRates:
    """参评率 and 满意率 (DOMAIN.md §5) for the cases answered in [start, end] whose rating
    window had closed by ``today``; only ratings given inside the window count."""
    row = Case.objects.filter(
        replied_on__gte=start,
        replied_on__lte=end,
        evaluation_due__lt=today,
    ).aggregate(
        answered=Count("pk"),
        rated=Count("pk", filter=~Q(rating="") & Q(rated_on__lte=F("evaluation_due"))),
        satisfied=Count(
            "pk",
            filter=Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY])
            & Q(rated_on__lte=F("evaluation_due")),
        ),
        unsatisfied=Count(
            "pk", filter=Q(rating=Rating.UNSATISFIED) & Q(rated_on__lte=F("evaluation_due"))
        ),
    )
    return RatingRates(row["answered"], row["rated"], row["satisfied"], row["unsatisfied"])
