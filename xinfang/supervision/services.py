"""Writes on supervision items (督办事项) and escalation rules.

Each service is one atomic function: it locks the row, checks the actor's right and the state
machine (ITEM_TRANSITIONS), changes it, appends an item event and an audit record, and tells
the people concerned (xinfang.core.models.Notification). A refused action raises DomainError
and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log, diff
from xinfang.cases.models import Case, PetitionType
from xinfang.cases.services import next_number
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.org.models import Role, Unit, User
from xinfang.org.permissions import Capability, has_capability

from .models import (
    CoordinationMeeting,
    EscalationRule,
    Finding,
    FollowUp,
    ItemEvent,
    ItemKind,
    ItemStatus,
    Priority,
    QualityInspection,
    Recipient,
    RuleSubject,
    Step,
    SupervisionItem,
)
from .rules import DEFAULT_RULES, MAX_OFFSET_DAYS

S = ItemStatus

# The item state machine: action -> (states it may start from, state it leads to).
ITEM_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "answer": (frozenset({S.OPEN}), S.ANSWERED),  # the unit reports back (反馈)
    "accept": (frozenset({S.ANSWERED}), S.DONE),  # the bureau or leader accepts it (办结)
    "send_back": (frozenset({S.ANSWERED}), S.OPEN),  # not enough: do more (退回重办)
    "cancel": (frozenset({S.OPEN, S.ANSWERED}), S.CANCELLED),  # 撤销
    "reinspected": (frozenset({S.ANSWERED}), S.DONE),  # a rework closed by its re-inspection
    # a rework whose case was sent back, closed by the unit's new answer to the case (rework.py)
    "reanswered": (frozenset({S.OPEN, S.ANSWERED}), S.DONE),
}

NUMBER_PREFIX = {
    ItemKind.INSTRUCTION: "PS",  # 批示
    ItemKind.ASSIGNMENT: "JB",  # 交办
    ItemKind.ORDER: "DB",  # 督办
    ItemKind.REWORK: "FG",  # 返工
    ItemKind.TASK: "XT",  # 协调
    ItemKind.CORRECTION: "ZG",  # 整改
}
LEADER_KINDS = frozenset({ItemKind.INSTRUCTION, ItemKind.ASSIGNMENT})


# --- helpers shared by the supervision modules -----------------------------------------------


def today_or(today: date | None) -> date:
    return today or timezone.localdate()


def require(actor: User | None, *capabilities: Capability) -> None:
    """The actor must hold one of ``capabilities``."""
    if actor is None or not any(has_capability(actor, c) for c in capabilities):
        raise PermissionDeniedError(_("You are not allowed to do this."))


def new_number(prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{next_number(f'supervision-{prefix}-{year}'):05d}"


def active_users(**filters: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True, **filters)


def notify(users: Iterable[User], *, kind: str, message: str, url: str = "") -> list[User]:
    """Store one staff message per distinct user; return who was told."""
    told: dict[int, User] = {}
    for user in users:
        if user.pk not in told:
            told[user.pk] = user
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, message=message[:300], url=url) for u in told.values()]
    )
    return list(told.values())


def unit_staff(unit_id: int | None, *roles: str) -> QuerySet[User]:
    if unit_id is None:
        return User.objects.none()
    return active_users(unit_id=unit_id, role__in=roles or (Role.HANDLER, Role.UNIT_HEAD))


def recipients_for(
    codes: Iterable[str], *, unit_id: int | None, opener: User | None, leader: User | None
) -> list[User]:
    """The people an escalation rule's recipient codes name, for one unit and item."""
    people: list[User] = []
    for code in codes:
        if code == Recipient.UNIT_STAFF:
            people += list(unit_staff(unit_id, Role.HANDLER))
        elif code == Recipient.UNIT_HEAD:
            people += list(unit_staff(unit_id, Role.UNIT_HEAD))
        elif code == Recipient.OPENER and opener is not None and opener.is_active:
            people.append(opener)
        elif code == Recipient.SUPERVISORS:
            people += list(active_users(role=Role.SUPERVISOR))
        elif code == Recipient.LEADER:
            people += [leader] if leader is not None else list(active_users(role=Role.LEADER))
    return people


def item_url(item: SupervisionItem) -> str:
    return reverse("supervision:item", args=[item.pk])


def check_not_accused(case: Case | None, unit: Unit) -> None:
    """Accusation materials never go to the accused unit (DOMAIN.md §1)."""
    if case is None or case.petition_type != PetitionType.ACCUSATION:
        return
    if case.accused_units.filter(pk=unit.pk).exists():
        raise DomainError(
            _(
                "%(unit)s is accused in this matter; accusation materials must never be "
                "passed to the accused unit."
            )
            % {"unit": unit.name},
            code="accused_unit",
            field="unit",
        )


def _item_event(
    item: SupervisionItem,
    *,
    actor: User | None,
    action: str,
    from_status: str = "",
    note: str = "",
) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item,
        actor=actor,
        actor_label=actor.display_name if actor else _("System"),
        action=action,
        from_status=from_status,
        to_status=item.status,
        note=note,
    )


def _snapshot(item: SupervisionItem) -> dict[str, Any]:
    fields = ["status", "due_on", "answered_on", "done_on", "escalation_level", "priority"]
    return {f: getattr(item, f) for f in fields}


def _check(action: str, status: str) -> str:
    sources, target = ITEM_TRANSITIONS[action]
    if status not in sources:
        raise DomainError(
            _("This is not possible while the item is “%(status)s”.")
            % {"status": ItemStatus(status).label},
            code="illegal_transition",
        )
    return target


def item_transition(
    item: SupervisionItem,
    action: str,
    *,
    actor: User | None,
    apply: Callable[[SupervisionItem], None],
    expected_version: int | None = None,
    note: str = "",
) -> SupervisionItem:
    """Lock, check, apply, record. Raises (and changes nothing) when anything is refused."""
    with transaction.atomic():
        locked = SupervisionItem.objects.select_for_update().get(pk=item.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(
                _("Someone else changed this item meanwhile. Reload it and try again.")
            )
        target = _check(action, locked.status)
        before = _snapshot(locked)
        from_status = locked.status
        apply(locked)
        locked.status = target
        locked.version += 1
        locked.save()
        _item_event(locked, actor=actor, action=action, from_status=from_status, note=note)
        old, new = diff(before, _snapshot(locked))
        audit_log(
            actor=actor, action=f"supervision.item.{action}", obj=locked, before=old, after=new
        )
    return locked


# --- opening items ----------------------------------------------------------------------------


def item_open(
    *,
    actor: User | None,
    kind: str,
    title: str,
    text: str,
    unit: Unit,
    due_on: date,
    case: Case | None = None,
    leader: User | None = None,
    priority: str = Priority.NORMAL,
    rule: EscalationRule | None = None,
    meeting: CoordinationMeeting | None = None,
    finding: Finding | None = None,
    inspection: QualityInspection | None = None,
    follow_up: FollowUp | None = None,
    today: date | None = None,
) -> SupervisionItem:
    """Open a supervision item: a leader's instruction or assigned matter (领导批示/交办, the
    date is the one the leader sets, DOMAIN.md §2), a supervision order (督办单) on a case or a
    unit with its feedback date, a rework, a meeting task or a required correction.

    ``actor=None`` is the system (a rule or a sweep). The receiving unit's handlers and head
    are told; the item enters the unit's queue and the escalation ladder."""
    today = today_or(today)
    if kind not in ItemKind.values:
        raise DomainError(_("Unknown kind of item."), code="invalid_kind", field="kind")
    if actor is not None:
        if kind == ItemKind.REWORK:
            require(actor, Capability.INSPECT, Capability.SUPERVISE)
        else:
            require(actor, Capability.SUPERVISE)
    if kind in LEADER_KINDS:
        if leader is None and actor is not None and actor.role == Role.LEADER:
            leader = actor
        if leader is None or leader.role != Role.LEADER:
            raise DomainError(
                _("Name the leader who gave the instruction."),
                code="missing_leader",
                field="leader",
            )
    if not title.strip():
        raise DomainError(_("Give the item a title."), code="missing_title", field="title")
    if not text.strip():
        raise DomainError(
            _("Write the instruction or the requirement."), code="missing_text", field="text"
        )
    if priority not in Priority.values:
        raise DomainError(_("Choose a priority."), code="invalid_priority", field="priority")
    if not unit.is_active:
        raise DomainError(_("This unit is no longer active."), code="inactive_unit", field="unit")
    if due_on < today:
        raise DomainError(
            _("The date must not be in the past."), code="due_in_past", field="due_on"
        )
    check_not_accused(case, unit)
    with transaction.atomic():
        item = SupervisionItem.objects.create(
            number=new_number(NUMBER_PREFIX[ItemKind(kind)], today.year),
            kind=kind,
            title=title.strip(),
            text=text.strip(),
            case=case,
            unit=unit,
            leader=leader,
            opened_by=actor,
            rule=rule,
            priority=priority,
            due_on=due_on,
            meeting=meeting,
            finding=finding,
            inspection=inspection,
            follow_up=follow_up,
        )
        _item_event(item, actor=actor, action="open")
        audit_log(
            actor=actor,
            action="supervision.item.open",
            obj=item,
            after={
                "kind": kind,
                "unit": unit.code,
                "due_on": due_on,
                "priority": priority,
                "case": case.number if case else None,
                "leader": leader.username if leader else None,
                "rule": rule.code if rule else None,
            },
        )
        notify(
            unit_staff(unit.pk),
            kind="supervision.opened",
            message=_("%(kind)s %(number)s for %(unit)s, due %(due)s: %(title)s")
            % {
                "kind": ItemKind(kind).label,
                "number": item.number,
                "unit": unit.label,
                "due": due_on.isoformat(),
                "title": item.title,
            },
            url=item_url(item),
        )
    return item


# --- the item's lifecycle ---------------------------------------------------------------------


def item_answer(
    *,
    actor: User,
    item: SupervisionItem,
    answer: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> SupervisionItem:
    """The receiving unit reports back (反馈). Only its own staff may; the ladder stops. A
    rework after a failed quality inspection goes to a re-inspection."""
    require(actor, Capability.HANDLE_CASE)
    if actor.unit_id is None or actor.unit_id != item.unit_id:
        raise PermissionDeniedError(
            _("Only %(unit)s can answer this item.") % {"unit": item.unit.label}
        )
    today = today_or(today)
    from .rework import answered_on_the_case

    if answered_on_the_case(item):
        assert item.case is not None  # noqa: S101 (answered_on_the_case checked it)
        raise DomainError(
            _(
                "Case %(number)s is back in handling: answer the case itself; its new answer "
                "closes this rework."
            )
            % {"number": item.case.number},
            code="answer_the_case",
            field="answer",
        )
    if len(answer.strip()) < 5:
        raise DomainError(
            _("Write what was done and the result."), code="answer_too_short", field="answer"
        )

    def apply(i: SupervisionItem) -> None:
        i.answer = answer.strip()
        i.answered_on = today
        i.answered_by = actor

    with transaction.atomic():
        answered = item_transition(
            item,
            "answer",
            actor=actor,
            apply=apply,
            expected_version=expected_version,
            note=answer.strip(),
        )
        if answered.kind == ItemKind.REWORK and answered.inspection_id is not None:
            from .quality import reinspection_open

            reinspection_open(rework=answered, today=today)
        else:
            told = [answered.opened_by] if answered.opened_by else []
            if answered.leader is not None:
                told.append(answered.leader)
            notify(
                told or active_users(role=Role.SUPERVISOR),
                kind="supervision.answered",
                message=_("%(unit)s answered %(number)s: %(title)s")
                % {"unit": answered.unit.label, "number": answered.number, "title": answered.title},
                url=item_url(answered),
            )
    return answered


def _require_checker(actor: User, item: SupervisionItem) -> None:
    if item.kind == ItemKind.REWORK and item.inspection_id is not None:
        raise DomainError(
            _("A rework after a failed inspection is closed by its re-inspection."),
            code="closed_by_reinspection",
        )
    require(actor, Capability.SUPERVISE)


def item_accept(
    *,
    actor: User,
    item: SupervisionItem,
    note: str = "",
    today: date | None = None,
    expected_version: int | None = None,
) -> SupervisionItem:
    """The bureau (or the leader) accepts the answer: the item is done (办结)."""
    _require_checker(actor, item)
    today = today_or(today)

    def apply(i: SupervisionItem) -> None:
        i.done_on = today
        i.close_note = note.strip()

    done = item_transition(
        item, "accept", actor=actor, apply=apply, expected_version=expected_version, note=note
    )
    notify(
        unit_staff(done.unit_id),
        kind="supervision.done",
        message=_("%(number)s was accepted as done.") % {"number": done.number},
        url=item_url(done),
    )
    return done


def item_send_back(
    *,
    actor: User,
    item: SupervisionItem,
    reason: str,
    due_on: date | None = None,
    today: date | None = None,
    expected_version: int | None = None,
) -> SupervisionItem:
    """The answer is not enough: the item goes back to the unit, optionally with a new date
    (the ladder then runs again against the new date)."""
    _require_checker(actor, item)
    today = today_or(today)
    if not reason.strip():
        raise DomainError(_("Say what is missing."), code="missing_reason", field="reason")
    if due_on is not None and due_on < today:
        raise DomainError(
            _("The date must not be in the past."), code="due_in_past", field="due_on"
        )

    def apply(i: SupervisionItem) -> None:
        if due_on is not None:
            i.due_on = due_on

    back = item_transition(
        item,
        "send_back",
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        note=reason.strip(),
    )
    notify(
        unit_staff(back.unit_id),
        kind="supervision.sent_back",
        message=_("%(number)s was sent back: %(reason)s")
        % {"number": back.number, "reason": reason.strip()},
        url=item_url(back),
    )
    return back


def item_cancel(
    *,
    actor: User,
    item: SupervisionItem,
    reason: str,
    expected_version: int | None = None,
) -> SupervisionItem:
    """撤销: the matter no longer needs the unit's answer."""
    require(actor, Capability.SUPERVISE)
    if not reason.strip():
        raise DomainError(_("Give the reason."), code="missing_reason", field="reason")
    return item_transition(
        item,
        "cancel",
        actor=actor,
        apply=lambda i: None,
        expected_version=expected_version,
        note=reason.strip(),
    )


# --- escalation rules (data, edited by an administrator) -------------------------------------


RULE_FIELDS = [
    "name",
    "subject",
    "kind",
    "step",
    "offset_days",
    "recipients",
    "feedback_days",
    "is_active",
]


def ensure_default_rules() -> int:
    """Seed the default ladder (rules.DEFAULT_RULES) into an empty rule table; return how
    many were created. Rules are never deleted (only deactivated), so an administrator's
    changes stay."""
    if EscalationRule.objects.exists():
        return 0
    created = 0
    with transaction.atomic():
        for d in DEFAULT_RULES:
            rule, made = EscalationRule.objects.get_or_create(
                code=d.code,
                defaults={
                    "name": str(d.name),
                    "subject": d.subject,
                    "step": d.step,
                    "offset_days": d.offset_days,
                    "recipients": list(d.recipients),
                    "feedback_days": d.feedback_days,
                },
            )
            if made:
                created += 1
                audit_log(
                    actor=None,
                    action="supervision.rule.seed",
                    obj=rule,
                    after={f: getattr(rule, f) for f in RULE_FIELDS},
                )
    return created


def _validate_rule(values: dict[str, Any]) -> None:
    if values["subject"] not in RuleSubject.values:
        raise DomainError(_("Choose what the rule applies to."), code="invalid", field="subject")
    if values["step"] not in Step.values:
        raise DomainError(_("Choose the step."), code="invalid", field="step")
    if values["kind"] and values["subject"] != RuleSubject.ITEM:
        raise DomainError(
            _("A kind of item only applies to rules on supervision items."),
            code="kind_for_cases",
            field="kind",
        )
    if (values["step"] == Step.OPEN_ORDER) != (values["subject"] == RuleSubject.CASE):
        raise DomainError(
            _("Opening a supervision order is the step for cases, and only for cases."),
            code="open_order_subject",
            field="step",
        )
    if not -MAX_OFFSET_DAYS <= int(values["offset_days"]) <= MAX_OFFSET_DAYS:
        raise DomainError(
            _("Between %(min)d and %(max)d working days.")
            % {"min": -MAX_OFFSET_DAYS, "max": MAX_OFFSET_DAYS},
            code="offset_out_of_range",
            field="offset_days",
        )
    if values["step"] == Step.OPEN_ORDER and values["offset_days"] < 0:
        raise DomainError(
            _("An order is opened on an overdue case: count days after the due date."),
            code="open_order_before_due",
            field="offset_days",
        )
    unknown = [r for r in values["recipients"] if r not in Recipient.values]
    if unknown or (not values["recipients"] and values["step"] != Step.OPEN_ORDER):
        raise DomainError(_("Choose who is told."), code="missing_recipients", field="recipients")
    if not 1 <= int(values["feedback_days"]) <= MAX_OFFSET_DAYS:
        raise DomainError(
            _("Between 1 and %(max)d working days.") % {"max": MAX_OFFSET_DAYS},
            code="feedback_out_of_range",
            field="feedback_days",
        )
    if not str(values["name"]).strip():
        raise DomainError(_("Name the rule."), code="missing_name", field="name")


def rule_save(
    *,
    actor: User,
    rule: EscalationRule | None,
    code: str = "",
    name: str,
    subject: str,
    kind: str,
    step: str,
    offset_days: int,
    recipients: list[str],
    feedback_days: int = 5,
    is_active: bool = True,
) -> EscalationRule:
    """Create or change a rung of the ladder (administrators only). Notices already sent stay;
    a changed rung fires again only for subjects it has not fired for at that due date."""
    require(actor, Capability.ADMINISTER)
    values: dict[str, Any] = {
        "name": name.strip(),
        "subject": subject,
        "kind": kind,
        "step": step,
        "offset_days": offset_days,
        "recipients": list(dict.fromkeys(recipients)),
        "feedback_days": feedback_days,
        "is_active": is_active,
    }
    _validate_rule(values)
    with transaction.atomic():
        if rule is None:
            if not code or EscalationRule.objects.filter(code=code).exists():
                raise DomainError(
                    _("Give the rule a new, unique code."), code="duplicate_code", field="code"
                )
            rule = EscalationRule.objects.create(code=code, updated_by=actor, **values)
            audit_log(actor=actor, action="supervision.rule.create", obj=rule, after=values)
            return rule
        locked = EscalationRule.objects.select_for_update().get(pk=rule.pk)
        before = {f: getattr(locked, f) for f in RULE_FIELDS}
        for f, v in values.items():
            setattr(locked, f, v)
        locked.updated_by = actor
        locked.save()
        old, new = diff(before, values)
        audit_log(actor=actor, action="supervision.rule.change", obj=locked, before=old, after=new)
        return locked
