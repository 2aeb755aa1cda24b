"""Writes on petition cases: every step of the lifecycle (信访工作条例, 2022).

Each service is one atomic function: it locks the case row, checks the actor's right and the
state machine (xinfang.cases.transitions), applies the change, appends a timeline event and
an audit record, and generates the formal document of the step. A refused action raises a
DomainError and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log, diff
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.org.models import Division, Unit, User
from xinfang.org.permissions import Capability, has_capability

from . import deadlines
from .deadlines import DayRule, Step
from .models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    LegalChannel,
    NumberSequence,
    Outcome,
    Petitioner,
    PetitionType,
    Rating,
    Review,
    Status,
)
from .search import search_text_for
from .transitions import TRANSITIONS, Action, check

# 信访工作条例 art. 19 and DOMAIN.md §1: several people with a common matter choose at most
# five representatives.
MAX_REPRESENTATIVES = 5
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
QUERY_CODE_LENGTH = 8
# Review.hearing_days is a PositiveSmallIntegerField; no rule limits the length of a hearing.
HEARING_DAYS_MAX = 32767

# Sent by case_register inside its transaction once the case and its petitioners are written
# (the petitioners with bulk_create, which sends no post_save): kwargs ``case`` and
# ``petitioners`` (saved, with ids). The routing area keys the petitioners for its repeat
# check on it.
case_registered = Signal()


@dataclass(frozen=True)
class PetitionerData:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    representative: bool = False


def day_rule() -> DayRule:
    return DayRule(str(settings.XINFANG["DAY_RULE"]))


def evaluation_window_days() -> int:
    """群众评价 window after the answer (DOMAIN.md §4: configurable, default 30 days)."""
    return int(str(settings.XINFANG["EVALUATION_WINDOW_DAYS"]))


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _due(step: Step, start: date, *, extension_days: int = 0, paused_days: int = 0) -> date:
    return deadlines.step_due_date(
        step=step,
        start=start,
        rule=day_rule(),
        extension_days=extension_days,
        paused_days=paused_days,
    )


def next_number(key: str) -> int:
    """The next value of a counter; the locked row keeps it unique across processes."""
    if connection.features.can_return_columns_from_insert:
        # One statement on SQLite >= 3.35 and PostgreSQL: the UPDATE locks the row.
        table = connection.ops.quote_name(NumberSequence._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {connection.ops.quote_name('last')} = "  # noqa: S608
                f"{connection.ops.quote_name('last')} + 1 "
                f"WHERE {connection.ops.quote_name('key')} = %s "
                f"RETURNING {connection.ops.quote_name('last')}",
                [key],
            )
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
    with transaction.atomic():
        seq, _created = NumberSequence.objects.select_for_update().get_or_create(key=key)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def _require(actor: User | None, capability: Capability) -> None:
    if actor is None or not has_capability(actor, capability):
        raise PermissionDeniedError(_("You are not allowed to do this."))


def _require_any(actor: User | None, *capabilities: Capability) -> None:
    if actor is None or not any(has_capability(actor, c) for c in capabilities):
        raise PermissionDeniedError(_("You are not allowed to do this."))


def _require_own_unit(actor: User | None, case: Case, capability: Capability) -> None:
    _require(actor, capability)
    if actor is None or actor.unit_id is None or actor.unit_id != case.handling_unit_id:
        raise PermissionDeniedError(
            _("Only the handling unit (%(unit)s) can do this.")
            % {"unit": case.handling_unit or _("none yet")}
        )


def _snapshot(case: Case) -> dict[str, Any]:
    fields = [
        "status",
        "handling_unit_id",
        "routed_on",
        "accepted_on",
        "extension_days",
        "replied_on",
        "outcome",
        "rating",
        "closed_on",
        "due_on",
        "handling_due",
        "repeat_of_id",
        "diverted_to",
    ]
    return {f: getattr(case, f) for f in fields}


def _event(
    case: Case,
    *,
    actor: User | None,
    action: str,
    from_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        actor_label=actor.display_name if actor else _("Petitioner or system"),
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        data=data or {},
    )


def _transition(
    case: Case,
    action: Action,
    *,
    actor: User | None,
    expected_version: int | None,
    apply: Callable[[Case], None],
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Case:
    """Lock, check, apply, record. Raises (and changes nothing) when anything is refused."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(
                _("Someone else changed this case meanwhile. Reload it and try again.")
            )
        target = check(action, locked.status)
        before = _snapshot(locked)
        from_status = locked.status
        apply(locked)
        locked.status = target
        locked.version += 1
        locked.save()
        _event(locked, actor=actor, action=action, from_status=from_status, note=note, data=data)
        old, new = diff(before, _snapshot(locked))
        audit_log(actor=actor, action=f"case.{action}", obj=locked, before=old, after=new)
    return locked


# --- intake ------------------------------------------------------------------------------


def case_register(
    *,
    actor: User,
    channel: str,
    petition_type: str,
    category: Category,
    title: str,
    content: str,
    division: Division,
    petitioners: Sequence[PetitionerData],
    received_on: date | None = None,
    request: str = "",
    address: str = "",
    is_collective: bool = False,
    people_count: int = 1,
    accused_units: Iterable[Unit] = (),
    accused_persons: str = "",
    deadline_assigned: date | None = None,
    repeat_of: Case | None = None,
) -> Case:
    """登记 (信访工作条例 art. 19-22): record the matter faithfully, give a query code, and
    start the 15-day limit for routing it.

    A repeat of a matter terminated after re-review (终结, art. 36) is recorded, marked and
    not accepted again, with the reason."""
    _require(actor, Capability.REGISTER_CASE)
    received_on = _today(received_on)
    if not title.strip() or not content.strip():
        raise DomainError(_("Title and content are required."), code="missing_content")
    principals = [p for p in petitioners if not p.representative]
    representatives = [p for p in petitioners if p.representative]
    if not principals and not representatives:
        raise DomainError(
            _("Name at least one petitioner (信访工作条例 art. 19)."), code="no_petitioner"
        )
    if any(not p.name.strip() for p in petitioners):
        raise DomainError(_("Every petitioner needs a name."), code="no_petitioner")
    if len(representatives) > MAX_REPRESENTATIVES:
        raise DomainError(
            _("A collective petition may have at most %(n)d representatives.")
            % {"n": MAX_REPRESENTATIVES},
            code="too_many_representatives",
            field="representatives",
        )
    accused = list(accused_units)
    if accused and petition_type != PetitionType.ACCUSATION:
        raise DomainError(
            _("Accused units are recorded for reports and accusations only."),
            code="accused_without_accusation",
        )
    if channel == Channel.LEADER and deadline_assigned is None:
        raise DomainError(
            _("A leader's instruction carries the date set by the assigner."),
            code="missing_assigned_deadline",
            field="deadline_assigned",
        )
    route_due = _due(Step.REGISTER_ROUTE, received_on)
    not_accepted_reason = ""
    if repeat_of is not None and repeat_of.status == Status.TERMINATED:
        not_accepted_reason = _(
            "The same request on the same facts and reasons was terminated after "
            "re-review in case %(number)s and is not accepted again "
            "(信访工作条例 art. 36)."
        ) % {"number": repeat_of.number}
    terminated = bool(not_accepted_reason)
    with transaction.atomic():
        seq = next_number(f"case-{received_on.year}")
        county = settings.XINFANG["COUNTY_CODE"]
        # Written once, complete: status and current due date are known before the INSERT.
        case = Case.objects.create(
            number=f"XF{county}-{received_on.year}-{seq:06d}",
            query_code=new_query_code(),
            channel=channel,
            petition_type=petition_type,
            category=category,
            title=title.strip(),
            content=content.strip(),
            request=request.strip(),
            search_text=search_text_for(title=title, content=content, request=request),
            division=division,
            address=address,
            is_collective=is_collective or len(representatives) > 0,
            people_count=max(people_count, len(petitioners)),
            accused_persons=accused_persons,
            received_on=received_on,
            registered_by=actor,
            deadline_assigned=deadline_assigned,
            repeat_of=repeat_of,
            is_repeat=repeat_of is not None,
            route_due=route_due,
            status=Status.NOT_ACCEPTED if terminated else Status.REGISTERED,
            not_accepted_reason=not_accepted_reason,
            due_on=None if terminated else route_due,
        )
        if accused:
            case.accused_units.add(*accused)
        people = [
            Petitioner(
                case=case,
                role=Petitioner.Role.REPRESENTATIVE
                if p.representative
                else Petitioner.Role.PRINCIPAL,
                name=p.name.strip(),
                id_number=p.id_number.strip().upper(),
                phone=p.phone.strip(),
                address=p.address.strip(),
            )
            for p in petitioners
        ]
        for person in people:
            person.refresh_digests()  # bulk_create skips save()
        Petitioner.objects.bulk_create(people)
        case_registered.send(sender=Case, case=case, petitioners=people)
        _event(case, actor=actor, action="register", note=case.not_accepted_reason)
        audit_log(
            actor=actor,
            action="case.register",
            obj=case,
            after={"status": case.status, "channel": channel, "category": category.code},
        )
        if case.status == Status.NOT_ACCEPTED:
            from .documents import issue_document

            # 信访事项终结告知书: the written "not accepted again" after re-review (art. 36).
            issue_document(case, "termination_notice", actor=actor, body=case.not_accepted_reason)
    return case


# --- routing -----------------------------------------------------------------------------


def _check_confidentiality(case: Case, units: Iterable[Unit]) -> None:
    """Accusations and anything identifying the accuser never go to the accused unit
    (DOMAIN.md §1, confidentiality)."""
    if case.petition_type != PetitionType.ACCUSATION:
        return
    accused = set(case.accused_units.values_list("pk", flat=True))
    for unit in units:
        if unit.pk in accused:
            raise DomainError(
                _(
                    "%(unit)s is accused in this matter. Accusation materials must never be "
                    "passed to the accused unit; route it to another unit, e.g. the "
                    "discipline-inspection organs."
                )
                % {"unit": unit.name},
                code="accused_unit",
                field="unit",
            )


def case_route(
    *,
    actor: User,
    case: Case,
    unit: Unit,
    co_units: Iterable[Unit] = (),
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """转送/交办 (art. 22): send the matter to the unit with authority. The unit must tell
    the petitioner within 15 days whether it accepts (art. 23) and may object within 5
    working days (art. 23)."""
    _require(actor, Capability.ROUTE_CASE)
    today = _today(today)
    co = [u for u in co_units if u.pk != unit.pk]
    _check_confidentiality(case, [unit, *co])

    def apply(c: Case) -> None:
        c.handling_unit = unit
        c.routed_on = today
        c.acceptance_due = _due(Step.ACCEPTANCE_NOTICE, today)
        c.objection_due = _due(Step.OBJECTION, today)
        c.due_on = c.acceptance_due
        c.co_units.set(co)

    routed = _transition(
        case,
        Action.ROUTE,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        data={"unit": unit.name, "co_units": [u.name for u in co]},
    )
    from .documents import issue_document

    issue_document(routed, "transfer_letter", actor=actor)
    return routed


def case_set_joint_handling(
    *,
    actor: User,
    case: Case,
    lead: Unit,
    co_units: Iterable[Unit],
    expected_version: int | None = None,
) -> Case:
    """三跨三分: one lead unit (牵头) sees it through; co-units contribute (DOMAIN.md §3)."""
    _require(actor, Capability.ROUTE_CASE)
    co = [u for u in co_units if u.pk != lead.pk]
    if not co:
        raise DomainError(_("Name at least one co-handling unit."), code="no_co_units")
    _check_confidentiality(case, [lead, *co])

    def apply(c: Case) -> None:
        c.handling_unit = lead
        c.co_units.set(co)

    return _transition(
        case,
        Action.JOINT,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        data={"lead": lead.name, "co_units": [u.name for u in co]},
    )


def case_return(
    *,
    actor: User,
    case: Case,
    reason: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """退回 (art. 23): a unit without authority objects within 5 working days, with reason;
    the bureau re-routes it."""
    _require_own_unit(actor, case, Capability.HANDLE_CASE)
    today = _today(today)
    if not reason.strip():
        raise DomainError(
            _("Give the reason for returning."), code="missing_reason", field="reason"
        )

    def apply(c: Case) -> None:
        if c.objection_due and today > c.objection_due:
            raise DomainError(
                _(
                    "The objection period ended on %(due)s (5 working days, art. 23); the "
                    "unit now has to handle the matter."
                )
                % {"due": c.objection_due.isoformat()},
                code="objection_late",
            )
        c.handling_unit = None
        c.co_units.clear()
        c.acceptance_due = None
        c.objection_due = None
        c.due_on = c.route_due

    return _transition(
        case,
        Action.RETURN,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        note=reason.strip(),
    )


# --- acceptance ----------------------------------------------------------------------------


def case_accept(
    *, actor: User, case: Case, today: date | None = None, expected_version: int | None = None
) -> Case:
    """受理 (art. 23): tell the petitioner in writing; handling runs 60 days from acceptance
    (art. 34), or to the date set by the assigning leader (交办)."""
    _require_own_unit(actor, case, Capability.HANDLE_CASE)
    today = _today(today)

    def apply(c: Case) -> None:
        c.accepted_on = today
        c.acceptance_notified_on = today
        c.handling_due = c.deadline_assigned or _due(Step.HANDLING, today)
        c.due_on = c.handling_due

    accepted = _transition(
        case, Action.ACCEPT, actor=actor, expected_version=expected_version, apply=apply
    )
    from .documents import issue_document

    issue_document(accepted, "acceptance_notice", actor=actor)
    return accepted


def case_not_accept(
    *,
    actor: User,
    case: Case,
    reason: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """不予受理 (art. 23): notify the petitioner in writing, with the reason and the rule."""
    if case.status == Status.ROUTED:
        _require_own_unit(actor, case, Capability.HANDLE_CASE)
    else:
        _require(actor, Capability.ROUTE_CASE)
    today = _today(today)
    if not reason.strip():
        raise DomainError(
            _("Give the reason for not accepting."), code="missing_reason", field="reason"
        )

    def apply(c: Case) -> None:
        c.not_accepted_reason = reason.strip()
        c.acceptance_notified_on = today
        c.due_on = None

    result = _transition(
        case,
        Action.NOT_ACCEPT,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        note=reason.strip(),
    )
    from .documents import issue_document

    issue_document(result, "non_acceptance_notice", actor=actor, body=reason.strip())
    return result


def case_divert(
    *,
    actor: User,
    case: Case,
    to: str,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """诉访分离: matters that belong to litigation, arbitration, administrative
    reconsideration or other legal procedures are guided there (DOMAIN.md §1)."""
    _require(actor, Capability.ROUTE_CASE)
    if to not in LegalChannel.values:
        raise DomainError(_("Choose the legal procedure."), code="invalid_channel", field="to")
    if not reason.strip():
        raise DomainError(_("Explain the guidance."), code="missing_reason", field="reason")

    def apply(c: Case) -> None:
        c.diverted_to = to
        c.not_accepted_reason = reason.strip()
        c.acceptance_notified_on = timezone.localdate()  # the guidance notice goes out now
        c.due_on = None

    result = _transition(
        case,
        Action.DIVERT,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        note=reason.strip(),
        data={"to": to},
    )
    from .documents import issue_document

    label = LegalChannel(to).label
    issue_document(
        result,
        "non_acceptance_notice",
        actor=actor,
        body=_("This matter belongs to %(channel)s. %(reason)s")
        % {"channel": label, "reason": reason.strip()},
    )
    return result


def case_merge(*, actor: User, case: Case, into: Case, expected_version: int | None = None) -> Case:
    """重复信访: a matter already accepted or in handling within its limit is not accepted
    again; the new record is merged into the earlier case (DOMAIN.md §1)."""
    _require(actor, Capability.ROUTE_CASE)
    if into.pk == case.pk:
        raise DomainError(_("A case cannot be merged into itself."), code="merge_self")
    if into.status == Status.MERGED:
        raise DomainError(
            _("Merge into the original case, not into another repeat."), code="merge_chain"
        )

    def apply(c: Case) -> None:
        c.repeat_of = into
        c.is_repeat = True
        c.due_on = None

    return _transition(
        case,
        Action.MERGE,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        data={"into": into.number},
    )


# --- handling ----------------------------------------------------------------------------


def case_extend(
    *,
    actor: User,
    case: Case,
    days: int,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """延期 (art. 34): once, up to 30 days, approved by the unit head, petitioner told why.
    The extension counts from the end of the original limit (deadlines.due_date)."""
    _require_own_unit(actor, case, Capability.APPROVE_EXTENSION)
    if not 1 <= days <= deadlines.EXTENSION_MAX_DAYS:
        raise DomainError(
            _("An extension is 1 to %(max)d days.") % {"max": deadlines.EXTENSION_MAX_DAYS},
            code="extension_too_long",
            field="days",
        )
    if not reason.strip():
        raise DomainError(
            _("Give the reason for the extension."), code="missing_reason", field="reason"
        )

    def apply(c: Case) -> None:
        if c.deadline_assigned:
            raise DomainError(
                _("An assigned matter keeps the date set by the assigner."),
                code="assigned_deadline",
            )
        if c.events.filter(action=Action.REWORK).exists():
            raise DomainError(
                _("A case sent back for rework keeps the date set for the rework."),
                code="rework_deadline",
            )
        if c.accepted_on is None:  # unreachable through the state machine
            raise DomainError(_("The case was never accepted."), code="not_accepted")
        c.extension_days = days
        c.extension_reason = reason.strip()
        c.handling_due = _due(Step.HANDLING, c.accepted_on, extension_days=days)
        c.due_on = c.handling_due

    result = _transition(
        case,
        Action.EXTEND,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        note=reason.strip(),
        data={"days": days},
    )
    from .documents import issue_document

    issue_document(result, "extension_notice", actor=actor, body=reason.strip())
    return result


def case_reply(
    *,
    actor: User,
    case: Case,
    outcome: str,
    text: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """答复 (art. 32, 34): the written answer (信访处理意见书) states the request, facts,
    decision and basis. It opens the rating window and the 30 days to request review."""
    _require_own_unit(actor, case, Capability.HANDLE_CASE)
    today = _today(today)
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the decision."), code="invalid_outcome", field="outcome")
    if len(text.strip()) < 10:
        raise DomainError(
            _("Write the answer: facts, decision and legal basis."),
            code="answer_too_short",
            field="text",
        )

    def apply(c: Case) -> None:
        c.replied_on = today
        c.outcome = outcome
        c.reply_text = text.strip()
        c.evaluation_due = today + timedelta(days=evaluation_window_days())
        c.review_request_due = _due(Step.REVIEW_REQUEST, today)
        c.due_on = None

    result = _transition(
        case,
        Action.REPLY,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        data={
            "outcome": outcome,
            "on_time": bool(case.handling_due and today <= case.handling_due),
        },
    )
    from .documents import issue_document

    issue_document(result, "reply", actor=actor, body=text.strip())
    return result


# --- the petitioner's steps ------------------------------------------------------------------


def case_evaluate(
    *,
    actor: User | None,
    case: Case,
    rating: str,
    comment: str = "",
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """群众评价 (art. 21): the petitioner rates the answer inside the window (default 30 days;
    not rated in time = not rated)."""
    if actor is not None:
        _require(actor, Capability.REGISTER_CASE)  # a clerk records a rating given by phone
    today = _today(today)
    if rating not in Rating.values:
        raise DomainError(_("Choose a rating."), code="invalid_rating", field="rating")

    def apply(c: Case) -> None:
        if c.evaluation_due and today > c.evaluation_due:
            raise DomainError(
                _("The rating window closed on %(due)s.") % {"due": c.evaluation_due.isoformat()},
                code="evaluation_window_closed",
            )
        c.rating = rating
        c.rating_comment = comment.strip()
        c.rated_on = today

    return _transition(
        case,
        Action.EVALUATE,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        note=comment.strip(),
        data={"rating": rating},
    )


def _request_review(
    *,
    actor: User | None,
    case: Case,
    level: str,
    reason: str,
    today: date | None,
    expected_version: int | None,
) -> Case:
    if actor is not None:
        _require(actor, Capability.REGISTER_CASE)
    today = _today(today)
    if not reason.strip():
        raise DomainError(
            _("Give the reasons for the request."), code="missing_reason", field="reason"
        )
    is_review = level == Review.Level.REVIEW
    action = Action.REQUEST_REVIEW if is_review else Action.REQUEST_REREVIEW
    decide_step = Step.REVIEW_DECISION if is_review else Step.REREVIEW_DECISION

    def apply(c: Case) -> None:
        if c.review_request_due and today > c.review_request_due:
            raise DomainError(
                _("The 30 days to request this ended on %(due)s (信访工作条例 art. 35, 36).")
                % {"due": c.review_request_due.isoformat()},
                code="review_request_late",
            )
        review = Review.objects.create(
            case=c,
            level=level,
            requested_on=today,
            reason=reason.strip(),
            decide_due=_due(decide_step, today),
        )
        c.due_on = review.decide_due

    return _transition(
        case,
        action,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        note=reason.strip(),
    )


def case_request_review(
    *,
    actor: User | None,
    case: Case,
    reason: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """复查 (art. 35): within 30 days of receiving the answer; decided by the next level up
    within 30 days."""
    return _request_review(
        actor=actor,
        case=case,
        level=Review.Level.REVIEW,
        reason=reason,
        today=today,
        expected_version=expected_version,
    )


def case_request_rereview(
    *,
    actor: User | None,
    case: Case,
    reason: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """复核 (art. 36): within 30 days of receiving the review decision; decided by the level
    above within 30 days (hearing time not counted)."""
    return _request_review(
        actor=actor,
        case=case,
        level=Review.Level.REREVIEW,
        reason=reason,
        today=today,
        expected_version=expected_version,
    )


def _decide(
    *,
    actor: User,
    case: Case,
    level: str,
    outcome: str,
    text: str,
    hearing_days: int,
    today: date | None,
    expected_version: int | None,
) -> Case:
    _require(actor, Capability.DECIDE_REVIEW)
    today = _today(today)
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the decision."), code="invalid_outcome", field="outcome")
    if len(text.strip()) < 10:
        raise DomainError(
            _("Write the decision and its basis."), code="answer_too_short", field="text"
        )
    if not 0 <= hearing_days <= HEARING_DAYS_MAX:
        raise DomainError(
            _("Hearing days are 0 to %(max)d.") % {"max": HEARING_DAYS_MAX},
            code="invalid_hearing_days",
            field="hearing_days",
        )
    is_review = level == Review.Level.REVIEW

    def apply(c: Case) -> None:
        review = c.reviews.get(level=level)
        review.decided_on = today
        review.decided_by = actor
        review.outcome = outcome
        review.decision_text = text.strip()
        review.hearing_days = hearing_days
        if hearing_days:
            # 信访工作条例 art. 36: hearing time is not counted in the 30 days to decide.
            review.decide_due = _due(
                Step.REVIEW_DECISION if is_review else Step.REREVIEW_DECISION,
                review.requested_on,
                paused_days=hearing_days,
            )
        review.save()
        if is_review:
            c.review_request_due = _due(Step.REREVIEW_REQUEST, today)
            c.due_on = None
        else:
            c.closed_on = today
            c.due_on = None

    result = _transition(
        case,
        Action.DECIDE_REVIEW if is_review else Action.DECIDE_REREVIEW,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        data={"outcome": outcome, "hearing_days": hearing_days},
    )
    from .documents import issue_document

    issue_document(
        result, "review_decision" if is_review else "rereview_decision", actor=actor, body=text
    )
    return result


def case_decide_review(
    *,
    actor: User,
    case: Case,
    outcome: str,
    text: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """复查意见 (art. 35)."""
    return _decide(
        actor=actor,
        case=case,
        level=Review.Level.REVIEW,
        outcome=outcome,
        text=text,
        hearing_days=0,
        today=today,
        expected_version=expected_version,
    )


def case_decide_rereview(
    *,
    actor: User,
    case: Case,
    outcome: str,
    text: str,
    hearing_days: int = 0,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """复核意见 (art. 36): final. The same request on the same facts and reasons is not
    accepted again (终结)."""
    return _decide(
        actor=actor,
        case=case,
        level=Review.Level.REREVIEW,
        outcome=outcome,
        text=text,
        hearing_days=hearing_days,
        today=today,
        expected_version=expected_version,
    )


def case_close(
    *,
    actor: User | None,
    case: Case,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """办结归档: the bureau closes an answered matter (the deadline sweep closes it by itself
    once the rating window and the time to request review have passed)."""
    if actor is not None:
        _require(actor, Capability.ROUTE_CASE)
    today = _today(today)

    def apply(c: Case) -> None:
        c.closed_on = today
        c.due_on = None

    return _transition(
        case, Action.CLOSE, actor=actor, expected_version=expected_version, apply=apply
    )


# --- rework (返工) ---------------------------------------------------------------------------


def case_rework_possible(case: Case) -> bool:
    """Whether :func:`case_reopen_for_rework` accepts ``case`` in its present state."""
    sources, _target = TRANSITIONS[Action.REWORK]
    return (
        case.status in sources and case.handling_unit_id is not None and not case.reviews.exists()
    )


def case_reopen_for_rework(
    *,
    actor: User,
    case: Case,
    reason: str,
    due_on: date,
    today: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """返工 (DOMAIN.md §4: a failed case is reworked): a failed quality inspection (质检) or a
    follow-up call (回访) that finds the matter must be handled again sends the answered (or
    closed) case back to its handling unit, which answers again by ``due_on``.

    The answer is withdrawn: its answer and closing dates, the petitioner's windows (rating,
    request for review) and the rating of the withdrawn answer are cleared; they start again
    from the unit's next ``case_reply``, the re-answer, which the petitioner rates afresh. The
    withdrawn answer's text and document stay, and its dates and rating are kept in the
    timeline event and the audit record. The answer limit becomes ``due_on``, so 按期办结率,
    办结率 and 参评率/满意率 count the case by the answer that stands. A case whose review the
    level above has decided (复查意见, art. 35) is not sent back: that decision stands."""
    _require_any(actor, Capability.INSPECT, Capability.SUPERVISE)
    today = _today(today)
    if not reason.strip():
        raise DomainError(
            _("Give the reason for the rework."), code="missing_reason", field="reason"
        )
    if due_on < today:
        raise DomainError(
            _("The date must not be in the past."), code="due_in_past", field="due_on"
        )

    # The withdrawn answer's dates go into the timeline event (filled in under the lock).
    data: dict[str, Any] = {"due_on": due_on.isoformat()}

    def apply(c: Case) -> None:
        if c.handling_unit_id is None:  # an answered case always has one; guard the data
            raise DomainError(_("The case has no handling unit to rework it."), code="no_unit")
        if c.reviews.exists():
            raise DomainError(
                _(
                    "The level above has reviewed this case (信访工作条例 art. 35); its "
                    "decision stands and the case is not sent back."
                ),
                code="reviewed",
            )
        data["answered_on"] = c.replied_on.isoformat() if c.replied_on else None
        data["closed_on"] = c.closed_on.isoformat() if c.closed_on else None
        data["rating"] = c.rating
        data["rated_on"] = c.rated_on.isoformat() if c.rated_on else None
        data["rating_comment"] = c.rating_comment
        c.replied_on = None
        c.closed_on = None
        c.rating = ""
        c.rating_comment = ""
        c.rated_on = None
        c.evaluation_due = None
        c.review_request_due = None
        c.handling_due = due_on
        c.due_on = due_on

    return _transition(
        case,
        Action.REWORK,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        note=reason.strip(),
        data=data,
    )
