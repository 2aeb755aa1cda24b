"""What a case looks like to one user: masking of personal data, deadlines, timeline labels
and the actions allowed now. The rules come from xinfang.cases (masking, selectors,
transitions); this module only arranges them for the answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.audit.services import audit_log
from xinfang.cases.deadlines import working_days_remaining
from xinfang.cases.masking import mask_id_number, mask_name, mask_phone
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.selectors import actions_for, case_timeline
from xinfang.cases.transitions import ACTION_LABELS, Action
from xinfang.org.permissions import Capability, has_capability

# step, label (the web page's wording), due-date field, field that marks the step done
DEADLINE_STEPS: list[tuple[str, Any, str, str | None]] = [
    ("route", gettext_lazy("Routing (15 days, art. 22)"), "route_due", "routed_on"),
    (
        "acceptance",
        gettext_lazy("Acceptance decision (15 days, art. 23)"),
        "acceptance_due",
        "acceptance_notified_on",
    ),
    (
        "objection",
        gettext_lazy("Objection (5 working days, art. 23)"),
        "objection_due",
        "accepted_on",
    ),
    ("answer", gettext_lazy("Answer (60 days, art. 34)"), "handling_due", "replied_on"),
    ("rating", gettext_lazy("Rating window"), "evaluation_due", "rated_on"),
    (
        "review_request",
        gettext_lazy("Request review / re-review (30 days)"),
        "review_request_due",
        None,
    ),
]
DEADLINE_STEPS_CHOICES = [(step, step) for step, _label, _due, _done in DEADLINE_STEPS]

# The URL slug of each action under /api/v1/cases/<id>/.
ACTION_SLUGS: dict[Action, str] = {
    Action.ROUTE: "route",
    Action.JOINT: "joint-handling",
    Action.RETURN: "return",
    Action.ACCEPT: "accept",
    Action.NOT_ACCEPT: "not-accept",
    Action.DIVERT: "divert",
    Action.MERGE: "merge",
    Action.EXTEND: "extend",
    Action.REPLY: "reply",
    Action.EVALUATE: "evaluate",
    Action.REQUEST_REVIEW: "request-review",
    Action.DECIDE_REVIEW: "decide-review",
    Action.REQUEST_REREVIEW: "request-rereview",
    Action.DECIDE_REREVIEW: "decide-rereview",
    Action.CLOSE: "close",
}
_REWORK: Action | None = getattr(Action, "REWORK", None)  # with the supervision area (actions.py)
if _REWORK is not None:
    ACTION_SLUGS[_REWORK] = "rework"


def may_see_personal_data(user: Any) -> bool:
    return has_capability(user, Capability.VIEW_PERSONAL_DATA)


def record_personal_data_view(user: Any, case: Case) -> None:
    """Reading unmasked petitioner data is audited, as on the case page."""
    audit_log(actor=user, action="case.personal_data.view", obj=case)


def petitioner_rows(case: Case, *, personal: bool) -> list[dict[str, str]]:
    """Petitioners, masked for roles without Capability.VIEW_PERSONAL_DATA (the case page's
    rule: name, ID and phone masked, address left out)."""
    return [
        {
            "role": p.role,
            "name": p.name if personal else mask_name(p.name),
            "id_number": p.id_number if personal else mask_id_number(p.id_number),
            "phone": p.phone if personal else mask_phone(p.phone),
            "address": p.address if personal else "",
        }
        for p in case.petitioners.all()
    ]


def deadline_rows(case: Case, *, today: date) -> list[dict[str, Any]]:
    rows = []
    for step, label, due_field, done_field in DEADLINE_STEPS:
        due = getattr(case, due_field)
        if not due:
            continue
        done = getattr(case, done_field) if done_field else None
        rows.append(
            {
                "step": step,
                "label": str(label),
                "due": due,
                "done_on": done,
                "remaining_working_days": None
                if done
                else working_days_remaining(today=today, due=due),
            }
        )
    return rows


def event_label(action: str) -> str:
    if action == "register":
        return _("Registered")
    try:
        return str(ACTION_LABELS[Action(action)])
    except ValueError:
        return action


def timeline(case: Case) -> QuerySet[CaseEvent]:
    return case_timeline(case)


def action_url(action: Action, case_pk: int) -> str:
    return reverse(f"api:case-{ACTION_SLUGS[action]}", kwargs={"pk": case_pk})


def allowed_actions(user: Any, case: Case) -> list[dict[str, str]]:
    return [
        {"action": a.value, "label": str(ACTION_LABELS[a]), "url": action_url(a, case.pk)}
        for a in actions_for(user, case)
    ]
