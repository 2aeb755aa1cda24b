"""The escalation ladder (分级预警: reminder, warning notice, unit head, leader).

The periodic sweep (tasks.supervision_sweep) *plans*: it finds every rung whose day has come
for an open item or an overdue case and has not fired yet, and enqueues one background task per
rung (tasks.escalation_step). The task *fires*: it stores the EscalationNotice, tells the
people the rule names, raises the item's escalation level and writes the audit record, all in
one transaction. The notice's unique constraint (rule, subject, due date) makes a rung fire
once only, however often the sweep runs and however many workers run the tasks at once; the
loser of a race gets an IntegrityError inside its savepoint and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.deadlines import add_working_days
from xinfang.cases.models import Case
from xinfang.cases.selectors import ACTIVE_STATUSES

from .models import (
    STEP_LEVEL,
    EscalationNotice,
    EscalationRule,
    ItemKind,
    ItemStatus,
    RuleSubject,
    Step,
    SupervisionItem,
)
from .rules import fire_date
from .services import _item_event, item_open, item_url, notify, recipients_for


@dataclass(frozen=True)
class PlannedStep:
    rule_id: int
    subject_key: str
    due_on: date
    fire_on: date


def item_key(item: SupervisionItem) -> str:
    return f"item:{item.pk}"


def case_key(case: Case) -> str:
    return f"case:{case.pk}"


def _window(rule: EscalationRule, today: date) -> tuple[date | None, date]:
    """Due dates that may have a rung firing today or earlier (a cheap pre-filter; the exact
    test is on the working-day calendar). Rungs before the due date are not sent once the
    date has passed: a reminder after the fact helps nobody, the later rungs take over."""
    if rule.offset_days >= 0:
        return None, today - timedelta(days=rule.offset_days)
    return today, today + timedelta(days=-rule.offset_days * 3 + 14)


def _due_subjects(rule: EscalationRule, today: date) -> list[tuple[str, date]]:
    low, high = _window(rule, today)
    if rule.subject == RuleSubject.ITEM:
        items = SupervisionItem.objects.filter(status=ItemStatus.OPEN, due_on__lte=high)
        if rule.kind:
            items = items.filter(kind=rule.kind)
        if low is not None:
            items = items.filter(due_on__gte=low)
        return [(f"item:{pk}", due) for pk, due in items.values_list("pk", "due_on")]
    cases = Case.objects.filter(
        status__in=ACTIVE_STATUSES, handling_unit__isnull=False, due_on__lte=high
    )
    if low is not None:
        cases = cases.filter(due_on__gte=low)
    return [(f"case:{pk}", due) for pk, due in cases.values_list("pk", "due_on") if due]


def due_steps(*, today: date) -> list[PlannedStep]:
    """Every rung whose day has come (on the working-day calendar) and that has not fired."""
    planned: list[PlannedStep] = []
    for rule in EscalationRule.objects.filter(is_active=True):
        subjects = [
            (key, due)
            for key, due in _due_subjects(rule, today)
            if fire_date(due=due, offset_days=rule.offset_days) <= today
        ]
        if not subjects:
            continue
        fired = set(
            EscalationNotice.objects.filter(
                rule=rule, subject_key__in=[k for k, _d in subjects]
            ).values_list("subject_key", "due_on")
        )
        planned += [
            PlannedStep(rule.pk, key, due, fire_date(due=due, offset_days=rule.offset_days))
            for key, due in subjects
            if (key, due) not in fired
        ]
    # Lower rungs first, so a catching-up sweep fires the ladder in order.
    return sorted(planned, key=lambda p: (p.fire_on, p.subject_key, p.rule_id))


def plan_escalations(*, today: date) -> int:
    """Enqueue one background task per rung due today; return how many were enqueued."""
    from .tasks import escalation_step

    steps = due_steps(today=today)
    for p in steps:
        escalation_step.enqueue(
            rule_id=p.rule_id,
            subject_key=p.subject_key,
            due_on=p.due_on.isoformat(),
            today=today.isoformat(),
        )
    return len(steps)


def _still_due(
    rule: EscalationRule, subject: SupervisionItem | Case, due_on: date, today: date
) -> bool:
    if not rule.is_active or subject.due_on != due_on:
        return False
    if isinstance(subject, SupervisionItem):
        if subject.status != ItemStatus.OPEN or (rule.kind and subject.kind != rule.kind):
            return False
    elif subject.status not in ACTIVE_STATUSES or subject.handling_unit_id is None:
        return False
    if rule.offset_days < 0 and today > due_on:
        return False
    return fire_date(due=due_on, offset_days=rule.offset_days) <= today


def _message(rule: EscalationRule, subject: SupervisionItem | Case, due_on: date) -> str:
    if isinstance(subject, SupervisionItem):
        what = _("%(kind)s %(number)s (%(unit)s): %(title)s") % {
            "kind": ItemKind(subject.kind).label,
            "number": subject.number,
            "unit": subject.unit.label,
            "title": subject.title,
        }
    else:
        what = _("Case %(number)s (%(unit)s): %(title)s") % {
            "number": subject.number,
            "unit": subject.handling_unit.label if subject.handling_unit else "",
            "title": subject.title,
        }
    return _("%(step)s — %(what)s, due %(due)s.") % {
        "step": Step(rule.step).label,
        "what": what,
        "due": due_on.isoformat(),
    }


def escalation_fire(
    *, rule_id: int, subject_key: str, due_on: date, today: date
) -> EscalationNotice | None:
    """Fire one rung for one subject, once. Returns the notice, or None when it is no longer
    due (answered, date moved, rule switched off) or has already fired."""
    kind, _sep, pk = subject_key.partition(":")
    with transaction.atomic():
        rule = EscalationRule.objects.get(pk=rule_id)
        subject: SupervisionItem | Case | None
        if kind == "item":
            subject = (
                SupervisionItem.objects.select_for_update(of=("self",))
                .select_related("unit", "leader", "opened_by")
                .filter(pk=pk)
                .first()
            )
        else:
            subject = (
                Case.objects.select_for_update(of=("self",))
                .select_related("handling_unit")
                .filter(pk=pk)
                .first()
            )
        if subject is None or not _still_due(rule, subject, due_on, today):
            return None
        notice = EscalationNotice(
            rule=rule,
            step=rule.step,
            subject_key=subject_key,
            item=subject if isinstance(subject, SupervisionItem) else None,
            case=subject if isinstance(subject, Case) else subject.case,
            due_on=due_on,
            fire_on=fire_date(due=due_on, offset_days=rule.offset_days),
            sent_on=today,
            message=_message(rule, subject, due_on)[:300],
        )
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            return None  # another sweep or worker fired this rung already
        if isinstance(subject, SupervisionItem):
            _fire_on_item(rule, subject, notice)
        else:
            _fire_on_case(rule, subject, notice, today)
        notice.save(update_fields=["recipients", "opened_item"])
    return notice


def _fire_on_item(rule: EscalationRule, item: SupervisionItem, notice: EscalationNotice) -> None:
    told = notify(
        recipients_for(
            rule.recipients, unit_id=item.unit_id, opener=item.opened_by, leader=item.leader
        ),
        kind=f"supervision.{rule.step}",
        message=notice.message,
        url=item_url(item),
    )
    notice.recipients = [u.username for u in told]
    level = STEP_LEVEL.get(Step(rule.step), 0)
    before = item.escalation_level
    if level > item.escalation_level:
        item.escalation_level = level
        item.save(update_fields=["escalation_level"])
    _item_event(item, actor=None, action=f"escalation.{rule.step}", note=notice.message)
    audit_log(
        actor=None,
        action=f"supervision.escalation.{rule.step}",
        obj=item,
        before={"escalation_level": before},
        after=_audit_after(rule, notice, escalation_level=item.escalation_level),
    )


def _fire_on_case(rule: EscalationRule, case: Case, notice: EscalationNotice, today: date) -> None:
    url = reverse("cases:detail", args=[case.pk])
    if rule.step == Step.OPEN_ORDER and case.handling_unit is not None:
        # A case sent back for rework is overdue against its rework, which climbs the item
        # ladder itself: no second order for the same debt.
        existing = SupervisionItem.objects.filter(
            case=case,
            kind__in=[ItemKind.ORDER, ItemKind.REWORK],
            status__in=[ItemStatus.OPEN, ItemStatus.ANSWERED],
        ).first()
        if existing is None:
            existing = item_open(
                actor=None,
                kind=ItemKind.ORDER,
                title=_("Overdue case %(number)s") % {"number": case.number},
                text=_(
                    "The current step of case %(number)s was due on %(due)s and is not done. "
                    "Report what has been done, what stands in the way and when it will be done."
                )
                % {"number": case.number, "due": notice.due_on.isoformat()},
                unit=case.handling_unit,
                due_on=add_working_days(today, rule.feedback_days),
                case=case,
                rule=rule,
                today=today,
            )
        notice.opened_item = existing
        url = item_url(existing)
    told = notify(
        recipients_for(rule.recipients, unit_id=case.handling_unit_id, opener=None, leader=None),
        kind=f"supervision.{rule.step}",
        message=notice.message,
        url=url,
    )
    notice.recipients = [u.username for u in told]
    audit_log(
        actor=None,
        action=f"supervision.escalation.{rule.step}",
        obj=case,
        after=_audit_after(
            rule, notice, opened=notice.opened_item.number if notice.opened_item else None
        ),
    )


def _audit_after(rule: EscalationRule, notice: EscalationNotice, **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule.code,
        "due_on": notice.due_on,
        "fire_on": notice.fire_on,
        "recipients": notice.recipients,
        **extra,
    }
