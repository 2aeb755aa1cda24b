"""Supervision inspections of units and towns (督查): plan, visit, findings, corrections.

A visit is planned (督查方案: purpose, what to check, the team), carried out (summary),
its findings recorded; a finding that requires a correction opens a correction item
(SupervisionItem, kind correction) for the unit with a due date, which the unit answers and
the bureau accepts or sends back, on the escalation ladder like every item. The visit is
closed (销号) only when every required correction is done.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError
from xinfang.org.models import Unit, User
from xinfang.org.permissions import Capability

from .models import FieldInspection, Finding, ItemKind, ItemStatus, Priority, SupervisionItem
from .services import item_open, new_number, require, today_or

V = FieldInspection.Status

VISIT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "visit": (frozenset({V.PLANNED}), V.VISITED),
    "close": (frozenset({V.VISITED}), V.CLOSED),
    "cancel": (frozenset({V.PLANNED}), V.CANCELLED),
}


def _check(action: str, status: str) -> str:
    sources, target = VISIT_TRANSITIONS[action]
    if status not in sources:
        raise DomainError(
            _("This is not possible while the inspection is “%(status)s”.")
            % {"status": V(status).label},
            code="illegal_transition",
        )
    return target


def visit_plan(
    *,
    actor: User,
    unit: Unit,
    planned_on: date,
    purpose: str,
    plan: str,
    team: str,
    today: date | None = None,
) -> FieldInspection:
    """督查方案: which unit or town, when, why, what to check and who goes."""
    require(actor, Capability.SUPERVISE)
    today = today_or(today)
    if not purpose.strip() or not plan.strip():
        raise DomainError(_("Write the purpose and the plan."), code="missing_text", field="plan")
    if not team.strip():
        raise DomainError(_("Name the inspection team."), code="missing_team", field="team")
    if not unit.is_active:
        raise DomainError(_("This unit is no longer active."), code="inactive_unit", field="unit")
    with transaction.atomic():
        visit = FieldInspection.objects.create(
            number=new_number("DC", planned_on.year),
            unit=unit,
            planned_on=planned_on,
            purpose=purpose.strip(),
            plan=plan.strip(),
            team=team.strip(),
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action="supervision.visit.plan",
            obj=visit,
            after={"unit": unit.code, "planned_on": planned_on, "today": today},
        )
    return visit


def _transition(
    actor: User, visit: FieldInspection, action: str, **changes: object
) -> FieldInspection:
    with transaction.atomic():
        locked = FieldInspection.objects.select_for_update().get(pk=visit.pk)
        target = _check(action, locked.status)
        before = {"status": locked.status}
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.status = target
        locked.save()
        audit_log(
            actor=actor,
            action=f"supervision.visit.{action}",
            obj=locked,
            before=before,
            after={"status": target, **changes},
        )
    return locked


def visit_record(
    *,
    actor: User,
    visit: FieldInspection,
    visited_on: date,
    summary: str,
    today: date | None = None,
) -> FieldInspection:
    """The visit took place: record when and what was seen."""
    require(actor, Capability.SUPERVISE)
    if visited_on > today_or(today):
        raise DomainError(
            _("Record a visit once it has taken place."), code="future_visit", field="visited_on"
        )
    if not summary.strip():
        raise DomainError(_("Summarise the visit."), code="missing_text", field="summary")
    return _transition(actor, visit, "visit", visited_on=visited_on, summary=summary.strip())


def finding_add(
    *,
    actor: User,
    visit: FieldInspection,
    text: str,
    severity: str = Finding.Severity.MINOR,
    correction: str = "",
    due_on: date | None = None,
    today: date | None = None,
) -> Finding:
    """A finding; with ``correction`` it requires the unit to correct it by ``due_on``."""
    require(actor, Capability.SUPERVISE)
    if visit.status != V.VISITED:
        raise DomainError(
            _("Findings are recorded after the visit and before it is closed."),
            code="not_visited",
        )
    if not text.strip():
        raise DomainError(_("Describe the finding."), code="missing_text", field="text")
    if severity not in Finding.Severity.values:
        raise DomainError(_("Choose the severity."), code="invalid", field="severity")
    if correction.strip() and due_on is None:
        raise DomainError(
            _("Set the date the correction is due."), code="missing_due", field="due_on"
        )
    with transaction.atomic():
        finding = Finding.objects.create(inspection=visit, text=text.strip(), severity=severity)
        audit_log(
            actor=actor,
            action="supervision.visit.finding",
            obj=visit,
            after={"finding": finding.text[:200], "severity": severity},
        )
        if correction.strip() and due_on is not None:
            item_open(
                actor=actor,
                kind=ItemKind.CORRECTION,
                title=_("Correction required by inspection %(number)s") % {"number": visit.number},
                text=f"{finding.text}\n\n{correction.strip()}",
                unit=visit.unit,
                due_on=due_on,
                priority=Priority.HIGH if severity == Finding.Severity.SERIOUS else Priority.NORMAL,
                finding=finding,
                today=today,
            )
    return finding


def corrections_of(visit: FieldInspection) -> list[SupervisionItem]:
    return list(SupervisionItem.objects.filter(finding__inspection=visit).select_related("finding"))


def visit_close(
    *, actor: User, visit: FieldInspection, today: date | None = None
) -> FieldInspection:
    """销号: only when every required correction is done (or cancelled)."""
    require(actor, Capability.SUPERVISE)
    open_items = [
        c for c in corrections_of(visit) if c.status in (ItemStatus.OPEN, ItemStatus.ANSWERED)
    ]
    if open_items:
        raise DomainError(
            _("%(n)d correction(s) are not done yet: %(numbers)s.")
            % {"n": len(open_items), "numbers": ", ".join(c.number for c in open_items)},
            code="corrections_open",
        )
    return _transition(actor, visit, "close", closed_on=today_or(today))


def visit_cancel(*, actor: User, visit: FieldInspection) -> FieldInspection:
    require(actor, Capability.SUPERVISE)
    return _transition(actor, visit, "cancel")
