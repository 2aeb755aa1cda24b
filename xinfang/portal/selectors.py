"""Reads for the citizen portal: a case as its petitioner sees it.

The petitioner reaches a case only through its number and query code
(services.portal_lookup); this module decides what of it they see: the status and the
timeline in plain words, without staff names or internal notes; the documents addressed to
them, never the transfer letter or anything else meant for the units; the answer and the
review decisions. Accusation materials and the attachments are never offered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    LegalChannel,
    Outcome,
    Rating,
    Review,
    Status,
)
from xinfang.cases.transitions import Action, allowed_actions
from xinfang.documents.pdf import DocumentKind
from xinfang.org.models import Division

# Documents addressed to the petitioner (信访工作条例 art. 23, 32-36). The transfer letter
# (转送函) goes to the unit and is never shown.
CITIZEN_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.ACCEPTANCE_NOTICE,
        DocumentKind.NON_ACCEPTANCE_NOTICE,
        DocumentKind.EXTENSION_NOTICE,
        DocumentKind.REPLY,
        DocumentKind.REVIEW_DECISION,
        DocumentKind.REREVIEW_DECISION,
        DocumentKind.TERMINATION_NOTICE,
    }
)

# The status in plain words, as the petitioner reads it.
CITIZEN_STATUS: dict[str, Promise] = {
    Status.REGISTERED: gettext_lazy("Received — being sent to the unit responsible"),
    Status.ROUTED: gettext_lazy("With the responsible unit, which decides whether to accept it"),
    Status.RETURNED: gettext_lazy("Being sent on to the unit responsible"),
    Status.NOT_ACCEPTED: gettext_lazy("Not accepted — the notice gives the reasons"),
    Status.IN_HANDLING: gettext_lazy("Accepted — being handled"),
    Status.EXTENDED: gettext_lazy("Being handled — more time was needed"),
    Status.REPLIED: gettext_lazy("Answered — please read the answer and rate it"),
    Status.EVALUATED: gettext_lazy("Answered and rated — thank you"),
    Status.REVIEW_REQUESTED: gettext_lazy("Your request for a review is being decided"),
    Status.REVIEW_DECIDED: gettext_lazy("The review has been decided"),
    Status.REREVIEW_REQUESTED: gettext_lazy("Your request for a re-review is being decided"),
    Status.TERMINATED: gettext_lazy("Finished: the re-review decision is final"),
    Status.CLOSED: gettext_lazy("Finished"),
    Status.MERGED: gettext_lazy("Handled together with an earlier petition on the same matter"),
    Status.DIVERTED: gettext_lazy("To be settled through a legal procedure — see the notice"),
}

# Which statuses are "done", "waiting for you" or "in progress" (for the colour of the badge).
STATUS_TONE: dict[str, str] = {
    Status.REPLIED: "you",
    Status.EVALUATED: "done",
    Status.REVIEW_DECIDED: "done",
    Status.TERMINATED: "done",
    Status.CLOSED: "done",
    Status.MERGED: "done",
    Status.NOT_ACCEPTED: "stop",
    Status.DIVERTED: "stop",
}


@dataclass(frozen=True)
class Step:
    """One line of the timeline as the petitioner reads it."""

    at: datetime
    text: str
    detail: str = ""


@dataclass(frozen=True)
class Options:
    """What the petitioner may do now, and until when."""

    can_rate: bool
    rate_due: date | None
    rating_closed: bool  # the window has passed without a rating
    review_level: str  # "review", "rereview" or "" when none can be requested
    review_due: date | None
    review_closed: bool  # the 30 days to request it have passed


@dataclass(frozen=True)
class Decision:
    label: str
    decided_on: date | None
    outcome: str
    text: str


def citizen_status(case: Case) -> str:
    return str(CITIZEN_STATUS.get(case.status, Status(case.status).label))


def status_tone(case: Case) -> str:
    return STATUS_TONE.get(case.status, "progress")


def next_step(case: Case) -> str:
    """What happens next, with the date the rules set for it ("" when nothing is due)."""
    s = Status(case.status)
    if s in {Status.REGISTERED, Status.RETURNED} and case.route_due:
        return _(
            "The petition bureau sends it to the unit with authority over the matter by %(due)s."
        ) % {"due": case.route_due.isoformat()}
    if s == Status.ROUTED and case.acceptance_due:
        return _("The unit tells you in writing by %(due)s whether it accepts the matter.") % {
            "due": case.acceptance_due.isoformat()
        }
    if s in {Status.IN_HANDLING, Status.EXTENDED} and case.handling_due:
        return _("The unit answers you in writing by %(due)s.") % {
            "due": case.handling_due.isoformat()
        }
    if s in {Status.REVIEW_REQUESTED, Status.REREVIEW_REQUESTED} and case.due_on:
        return _("The decision on your request is due by %(due)s.") % {
            "due": case.due_on.isoformat()
        }
    return ""


def _event_text(event: CaseEvent) -> tuple[str, str] | None:
    """(text, detail) of an event the petitioner should see, or None to leave it out.

    Only what is addressed to the petitioner is shown: no staff names, no objections or
    internal notes; reasons only where the rules say the petitioner is told them."""
    data: dict[str, Any] = event.data or {}
    action = event.action
    if action == "register":
        if event.to_status == Status.NOT_ACCEPTED:
            return _("Received, but not accepted again."), event.note
        return _("Your petition was received and registered."), ""
    if action == Action.ROUTE:
        return _("Sent to %(unit)s, the unit with authority over the matter.") % {
            "unit": data.get("unit") or _("the responsible unit")
        }, ""
    if action == Action.RETURN:
        return _("The petition bureau is sending it on to the unit responsible."), ""
    if action == Action.ACCEPT:
        return _("Accepted. The acceptance notice was issued."), ""
    if action == Action.NOT_ACCEPT:
        return _("Not accepted."), event.note
    if action == Action.EXTEND:
        return _("The time for the answer was extended by %(days)s days.") % {
            "days": data.get("days", "?")
        }, event.note
    if action == Action.REPLY:
        outcome = data.get("outcome", "")
        label = Outcome(outcome).label if outcome in Outcome.values else ""
        return _("Answered in writing: %(outcome)s.") % {"outcome": label}, ""
    if action == Action.EVALUATE:
        rating = data.get("rating", "")
        label = Rating(rating).label if rating in Rating.values else ""
        return _("You rated the answer: %(rating)s.") % {"rating": label}, ""
    if action == Action.REQUEST_REVIEW:
        return _("You asked for a review."), ""
    if action == Action.DECIDE_REVIEW:
        return _("The review was decided."), ""
    if action == Action.REQUEST_REREVIEW:
        return _("You asked for a re-review."), ""
    if action == Action.DECIDE_REREVIEW:
        return _("The re-review was decided. This decision is final."), ""
    if action == Action.CLOSE:
        return _("Handling finished; the case is closed."), ""
    if action == Action.MERGE:
        return _("Handled together with an earlier petition on the same matter."), ""
    if action == Action.DIVERT:
        to = data.get("to", "")
        label = LegalChannel(to).label if to in LegalChannel.values else ""
        return _("This matter belongs to a legal procedure: %(procedure)s.") % {
            "procedure": label
        }, event.note
    return None  # joint handling and anything internal


def citizen_timeline(case: Case) -> list[Step]:
    steps = []
    for event in case.events.order_by("at", "id"):
        shown = _event_text(event)
        if shown is not None:
            steps.append(Step(at=event.at, text=shown[0], detail=shown[1]))
    return steps


def citizen_documents(case: Case) -> QuerySet[CaseDocument]:
    return case.documents.filter(kind__in=CITIZEN_DOCUMENT_KINDS).order_by("created_at", "id")


def citizen_document(case: Case, pk: int) -> CaseDocument | None:
    return citizen_documents(case).filter(pk=pk).first()


def citizen_decisions(case: Case) -> list[Decision]:
    decisions = []
    for review in case.reviews.filter(decided_on__isnull=False).order_by("id"):
        label = _("Review") if review.level == Review.Level.REVIEW else _("Re-review")
        outcome = Outcome(review.outcome).label if review.outcome in Outcome.values else ""
        decisions.append(
            Decision(
                label=str(label),
                decided_on=review.decided_on,
                outcome=str(outcome),
                text=review.decision_text,
            )
        )
    return decisions


def citizen_options(case: Case, *, today: date) -> Options:
    """Rating inside the window (DOMAIN.md §4); review within 30 days of the answer
    (art. 35) and re-review within 30 days of the review decision (art. 36)."""
    actions = allowed_actions(case.status)
    rate_open = case.evaluation_due is None or today <= case.evaluation_due
    can_rate = Action.EVALUATE in actions and rate_open
    level = ""
    if Action.REQUEST_REVIEW in actions:
        level = Review.Level.REVIEW
    elif Action.REQUEST_REREVIEW in actions:
        level = Review.Level.REREVIEW
    review_open = case.review_request_due is None or today <= case.review_request_due
    return Options(
        can_rate=can_rate,
        rate_due=case.evaluation_due,
        rating_closed=Action.EVALUATE in actions and not rate_open,
        review_level=level if review_open else "",
        review_due=case.review_request_due,
        review_closed=bool(level) and not review_open,
    )


def division_choices() -> QuerySet[Division]:
    """County, towns and villages for the place picker (public: no personal data)."""
    return Division.objects.filter(
        level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP, Division.Level.VILLAGE]
    )
