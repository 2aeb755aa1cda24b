"""Public-opinion notes (社情民意) and policy suggestions (意见建议).

A note records what citizens say about a matter, with the cases and disputes behind it. The
centre drafts a suggestion from that evidence, sends it to a department, and records whether it
was adopted. Sent suggestions count towards the centre's yearly target (DOMAIN.md §7, at least
10; ``xinfang.risk.selectors.policy_suggestions_count``). Evidence is reached only through the
actor's own scoped selectors, so nobody links a case they may not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.services import next_number
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.disputes.models import Dispute
from xinfang.disputes.selectors import disputes_visible_to
from xinfang.disputes.services import (
    local_today,
    notify,
    require_capability,
    require_centre,
    unit_staff,
)
from xinfang.org.models import Unit, User
from xinfang.org.permissions import Capability

from .models import NoteSource, OpinionNote, PolicySuggestion, SuggestionStatus
from .selectors import may_respond, notes_visible_to
from .zero import check_matters_only

ADOPTION = frozenset(
    {SuggestionStatus.ADOPTED, SuggestionStatus.PARTLY, SuggestionStatus.NOT_ADOPTED}
)


def split_numbers(text: str) -> list[str]:
    return [n for n in re.split(r"[\s,，;；、]+", text or "") if n]


def evidence(
    actor: User, *, case_numbers: Sequence[str] = (), dispute_numbers: Sequence[str] = ()
) -> tuple[list[Case], list[Dispute]]:
    """The cases and disputes behind a note or suggestion, among those the actor may see."""
    cases = list(cases_visible_to(actor).filter(number__in=case_numbers))
    disputes = list(disputes_visible_to(actor).filter(number__in=dispute_numbers))
    unknown = sorted(
        (set(case_numbers) - {c.number for c in cases})
        | (set(dispute_numbers) - {d.number for d in disputes})
    )
    if unknown:
        raise DomainError(
            _("Not found among the cases and disputes you may see: %(numbers)s")
            % {"numbers": ", ".join(unknown)},
            code="evidence_not_found",
            field="evidence",
        )
    return cases, disputes


def note_create(
    *,
    actor: User,
    title: str,
    content: str,
    source: str,
    noted_on: date | None = None,
    case_numbers: Sequence[str] = (),
    dispute_numbers: Sequence[str] = (),
) -> OpinionNote:
    user = require_capability(actor, Capability.MEDIATE)
    if user.unit is None:
        raise PermissionDeniedError(_("Your account has no unit."))
    if source not in NoteSource.values:
        raise DomainError(_("Unknown source."), code="choice", field="source")
    if not title.strip() or not content.strip():
        raise DomainError(_("Give a title and what people say."), code="empty", field="content")
    check_matters_only(content, field="content")
    cases, disputes = evidence(user, case_numbers=case_numbers, dispute_numbers=dispute_numbers)
    with transaction.atomic():
        note = OpinionNote.objects.create(
            title=title.strip(),
            content=content.strip(),
            source=source,
            noted_on=noted_on or local_today(),
            unit=user.unit,
            created_by=user,
        )
        note.cases.set(cases)
        note.disputes.set(disputes)
        audit_log(
            actor=user,
            action="opinion_note.create",
            obj=note,
            after={
                "source": source,
                "cases": [c.number for c in cases],
                "disputes": [d.number for d in disputes],
            },
        )
    return note


def suggestion_draft(
    *,
    actor: User,
    title: str,
    problem: str,
    suggestion: str,
    to_unit: Unit,
    case_numbers: Sequence[str] = (),
    dispute_numbers: Sequence[str] = (),
    notes: Iterable[OpinionNote] = (),
) -> PolicySuggestion:
    """The centre drafts a suggestion, linked to the evidence behind it."""
    user = require_centre(actor)
    if user.unit is None:  # centre staff have one; this only narrows the type
        raise PermissionDeniedError(_("Your account has no unit."))
    for value, field in ((title, "title"), (problem, "problem"), (suggestion, "suggestion")):
        if not value.strip():
            raise DomainError(_("This field is required."), code="empty", field=field)
    check_matters_only(problem, field="problem")
    cases, disputes = evidence(user, case_numbers=case_numbers, dispute_numbers=dispute_numbers)
    visible_notes = notes_visible_to(user)
    note_list = [n for n in notes if visible_notes.filter(pk=n.pk).exists()]
    with transaction.atomic():
        year = local_today().year
        s = PolicySuggestion.objects.create(
            number=f"JY{year}-{next_number(f'suggestion-{year}'):03d}",
            title=title.strip(),
            problem=problem.strip(),
            suggestion=suggestion.strip(),
            to_unit=to_unit,
            author_unit=user.unit,
            created_by=user,
        )
        s.cases.set(cases)
        s.disputes.set(disputes)
        s.notes.set(note_list)
        audit_log(
            actor=user,
            action="suggestion.draft",
            obj=s,
            after={
                "to_unit": to_unit.code,
                "cases": [c.number for c in cases],
                "disputes": [d.number for d in disputes],
                "notes": [n.pk for n in note_list],
            },
        )
    return s


def _locked(suggestion: PolicySuggestion, *, status: Iterable[str]) -> PolicySuggestion:
    locked = PolicySuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status not in set(status):
        raise DomainError(
            _("Not possible while the suggestion is “%(status)s”.")
            % {"status": SuggestionStatus(locked.status).label},
            code="illegal_transition",
        )
    return locked


def suggestion_link(
    *,
    actor: User,
    suggestion: PolicySuggestion,
    case_numbers: Sequence[str] = (),
    dispute_numbers: Sequence[str] = (),
) -> PolicySuggestion:
    """Add evidence to a draft."""
    user = require_centre(actor)
    cases, disputes = evidence(user, case_numbers=case_numbers, dispute_numbers=dispute_numbers)
    with transaction.atomic():
        locked = _locked(suggestion, status=[SuggestionStatus.DRAFT])
        locked.cases.add(*cases)
        locked.disputes.add(*disputes)
        audit_log(
            actor=user,
            action="suggestion.link",
            obj=locked,
            after={"cases": [c.number for c in cases], "disputes": [d.number for d in disputes]},
        )
    return locked


def suggestion_send(
    *, actor: User, suggestion: PolicySuggestion, sent_on: date | None = None
) -> PolicySuggestion:
    """Send the suggestion to the department (报送); from now on it counts for the year."""
    user = require_centre(actor)
    with transaction.atomic():
        locked = _locked(suggestion, status=[SuggestionStatus.DRAFT])
        if not (locked.cases.exists() or locked.disputes.exists() or locked.notes.exists()):
            raise DomainError(
                _("Link the evidence (cases, disputes or notes) before sending."),
                code="no_evidence",
            )
        locked.status = SuggestionStatus.SENT
        locked.sent_on = sent_on or local_today()
        locked.save(update_fields=["status", "sent_on"])
        audit_log(
            actor=user,
            action="suggestion.send",
            obj=locked,
            before={"status": SuggestionStatus.DRAFT},
            after={"status": locked.status, "sent_on": locked.sent_on},
        )
        notify(
            unit_staff(locked.to_unit),
            kind="suggestion.sent",
            message=_("Policy suggestion %(number)s: %(title)s")
            % {"number": locked.number, "title": locked.title},
            url=reverse("risk:suggestion", args=[locked.pk]),
        )
    return locked


def suggestion_respond(
    *,
    actor: User,
    suggestion: PolicySuggestion,
    adoption: str,
    response: str,
    response_on: date | None = None,
) -> PolicySuggestion:
    """The department's answer: adopted, partly adopted or not adopted (采纳情况), recorded
    by the department itself or by the centre."""
    user = require_capability(actor, Capability.MEDIATE)
    if not may_respond(user, suggestion):
        raise PermissionDeniedError(_("Only the receiving department or the centre can do this."))
    if adoption not in ADOPTION:
        raise DomainError(_("Choose the adoption."), code="choice", field="adoption")
    if not response.strip():
        raise DomainError(_("Summarise the department's response."), code="empty", field="response")
    with transaction.atomic():
        locked = _locked(suggestion, status=[SuggestionStatus.SENT])
        locked.status = adoption
        locked.response = response.strip()
        locked.response_on = response_on or local_today()
        if locked.sent_on and locked.response_on < locked.sent_on:
            raise DomainError(
                _("The response cannot precede sending."), code="date", field="response_on"
            )
        locked.save(update_fields=["status", "response", "response_on"])
        audit_log(
            actor=user,
            action="suggestion.respond",
            obj=locked,
            before={"status": SuggestionStatus.SENT},
            after={"status": adoption, "response_on": locked.response_on},
        )
    return locked
