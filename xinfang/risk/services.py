"""Social-stability risk assessment of major decisions and projects (重大事项社会稳定风险评估).

The workflow of DOMAIN.md §6, one explicit map (drawn in docs/disputes.md):

```
 create ─► PLANNING ─ consult ─► CONSULTING ─ analyse ─► ANALYSING ─ report ─► REPORTED
            ▲  │ edit_plan          │ opinion                │ risk, grade         │
            │                                                                    │ decide
            └──── decide: plan_changed (revision + 1) ◄──────────────────────────┤
                                                                                 ▼
                                                   CLOSED ◄─ close ─ DECIDED (follow_up)
```
The level decides what may be decided (``allowed_decisions``): high — do not decide, or change
the plan; medium — decide only with mitigation measures; low — decide, with explanation. For
investment projects (NDRC rule) high and medium both mean "not approved" until the plan
changes. Each step is atomic and audited; a refused step raises a DomainError.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.audit.services import audit_log, diff
from xinfang.cases.services import next_number
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.disputes.conf import conf
from xinfang.disputes.models import RISK_ORDER, RiskLevel
from xinfang.disputes.services import local_today, require_capability
from xinfang.org.models import Division, Unit, User
from xinfang.org.permissions import Capability

from .models import (
    AssessmentDocument,
    AssessmentKind,
    AssessmentStatus,
    Decision,
    FollowUp,
    OpinionCollection,
    RiskAssessment,
    RiskItem,
)
from .selectors import may_act_on_assessment

S = AssessmentStatus
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "edit_plan": (frozenset({S.PLANNING}), None),
    "consult": (frozenset({S.PLANNING}), S.CONSULTING),
    "opinion": (frozenset({S.CONSULTING}), None),
    "analyse": (frozenset({S.CONSULTING}), S.ANALYSING),
    "risk": (frozenset({S.ANALYSING}), None),
    "grade": (frozenset({S.ANALYSING}), None),
    "report": (frozenset({S.ANALYSING}), S.REPORTED),
    "decide": (frozenset({S.REPORTED}), S.DECIDED),  # plan_changed: back to PLANNING
    "follow_up": (frozenset({S.DECIDED}), None),
    "close": (frozenset({S.DECIDED}), S.CLOSED),
    "attach": (frozenset(set(S) - {S.CLOSED}), None),
}

STEP_LABELS = {
    "edit_plan": gettext_lazy("Revise the plan"),
    "consult": gettext_lazy("Start hearing views"),
    "opinion": gettext_lazy("Record views heard"),
    "analyse": gettext_lazy("Start risk identification"),
    "risk": gettext_lazy("Add an identified risk"),
    "grade": gettext_lazy("Grade the risk"),
    "report": gettext_lazy("Issue the report"),
    "decide": gettext_lazy("Record the decision"),
    "follow_up": gettext_lazy("Record follow-up"),
    "close": gettext_lazy("Close the assessment"),
    "attach": gettext_lazy("Attach a document"),
}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class IllegalStep(DomainError):
    code = "illegal_transition"


def allowed_steps(status: str) -> list[str]:
    return [step for step, (sources, _t) in TRANSITIONS.items() if status in sources]


def allowed_decisions(kind: str, level: str) -> list[Decision]:
    """What the decision-maker may decide at this level (DOMAIN.md §6)."""
    if kind == AssessmentKind.INVESTMENT and level in (RiskLevel.HIGH, RiskLevel.MEDIUM):
        return [Decision.NOT_APPROVED, Decision.PLAN_CHANGED]  # NDRC: not approved
    if kind == AssessmentKind.INVESTMENT:
        return [Decision.APPROVED, Decision.WITH_MITIGATION, Decision.NOT_APPROVED]
    if level == RiskLevel.HIGH:
        return [Decision.NOT_DECIDED, Decision.PLAN_CHANGED]
    if level == RiskLevel.MEDIUM:
        return [Decision.WITH_MITIGATION, Decision.NOT_DECIDED, Decision.PLAN_CHANGED]
    return [
        Decision.APPROVED,
        Decision.WITH_MITIGATION,
        Decision.NOT_DECIDED,
        Decision.PLAN_CHANGED,
    ]


CONCLUSIONS = {
    RiskLevel.HIGH: "评估认定该事项为高风险：大部分受影响群众有强烈反对意见，"
    "可能引发大规模群体性事件。建议不作出决策，或者调整方案、降低风险后重新评估。",
    RiskLevel.MEDIUM: "评估认定该事项为中风险：部分受影响群众有强烈反对意见，可能引发矛盾冲突。"
    "建议在落实风险防范化解措施后再作出决策。",
    RiskLevel.LOW: "评估认定该事项为低风险：多数群众理解支持，少部分人有意见。"
    "建议可以作出决策，同时对有意见的群众做好解释说明工作。",
}
INVESTMENT_CONCLUSION = (
    "该事项为固定资产投资项目。按照国家发展改革委有关规定，评估为高风险或者中风险的，"
    "不予审批、核准；调整方案、降低风险并重新评估后方可报批。"
)


def conclusion_for(kind: str, level: str) -> str:
    text = CONCLUSIONS[RiskLevel(level)]
    if kind == AssessmentKind.INVESTMENT and level != RiskLevel.LOW:
        text += INVESTMENT_CONCLUSION
    return text


def level_from_views(opinions: Iterable[OpinionCollection]) -> RiskLevel | None:
    """The level the views heard point to (our thresholds, settings.XINFANG_DISPUTES):
    strong opposition above OPPOSE_HIGH_PERCENT of those heard -> high; at least
    OPPOSE_MEDIUM_PERCENT, or supporters not a majority -> medium; else low."""
    rows = list(opinions)
    total = sum(o.total for o in rows)
    if not total:
        return None
    strong = 100 * sum(o.strong_opposition for o in rows) / total
    support = 100 * sum(o.support for o in rows) / total
    if strong > float(conf("OPPOSE_HIGH_PERCENT")):
        return RiskLevel.HIGH
    if strong >= float(conf("OPPOSE_MEDIUM_PERCENT")) or support <= 50:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def evidence_level(assessment: RiskAssessment) -> RiskLevel | None:
    """The higher of the level the views point to and the highest identified risk."""
    current = assessment.revision
    levels = [RiskLevel(i.level) for i in assessment.risks.filter(revision=current)]
    views = level_from_views(assessment.opinions.filter(revision=current))
    if views is not None:
        levels.append(views)
    return max(levels, key=lambda lv: RISK_ORDER[lv]) if levels else None


def _require_on(actor: User, assessment: RiskAssessment) -> None:
    require_capability(actor, Capability.MEDIATE)
    if not may_act_on_assessment(actor, assessment):
        raise PermissionDeniedError(
            _("Only the assessing unit, the proposing unit or the centre can do this.")
        )


def _snapshot(a: RiskAssessment) -> dict[str, Any]:
    fields = ["status", "revision", "risk_level", "decision", "decided_on", "closed_on"]
    return {f: getattr(a, f) for f in fields}


def _step(
    assessment: RiskAssessment,
    step: str,
    *,
    actor: User,
    apply: Callable[[RiskAssessment], str | None],
    expected_version: int | None = None,
    extra: dict[str, Any] | None = None,
) -> RiskAssessment:
    """Lock, check right and state, apply (which may name another target), audit."""
    with transaction.atomic():
        locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        _require_on(actor, locked)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("Someone else changed this assessment. Reload and try again."))
        sources, target = TRANSITIONS[step]
        if locked.status not in sources:
            raise IllegalStep(
                _("This step is not possible while the assessment is “%(status)s”.")
                % {"status": AssessmentStatus(locked.status).label}
            )
        before = _snapshot(locked)
        override = apply(locked)
        locked.status = override or target or locked.status
        locked.version += 1
        locked.save()
        old, new = diff(before, _snapshot(locked))
        audit_log(
            actor=actor,
            action=f"risk.assessment.{step}",
            obj=locked,
            before=old,
            after={**new, **(extra or {})},
        )
    return locked


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise DomainError(_("This field is required."), code="empty", field=field)
    return value.strip()


def assessment_create(
    *,
    actor: User,
    title: str,
    kind: str,
    description: str,
    division: Division,
    proposing_unit: Unit,
    plan: str,
    assessing_unit: Unit | None = None,
) -> RiskAssessment:
    """Start an assessment with its plan (评估方案: scope, methods, timetable)."""
    user = require_capability(actor, Capability.MEDIATE)
    if user.unit is None:
        raise PermissionDeniedError(_("Your account has no unit."))
    if kind not in AssessmentKind.values:
        raise DomainError(_("Unknown kind."), code="choice", field="kind")
    with transaction.atomic():
        year = local_today().year
        a = RiskAssessment.objects.create(
            number=f"WP{year}-{next_number(f'assessment-{year}'):03d}",
            title=_required(title, "title"),
            kind=kind,
            description=_required(description, "description"),
            division=division,
            proposing_unit=proposing_unit,
            assessing_unit=assessing_unit or user.unit,
            plan=_required(plan, "plan"),
            created_by=user,
        )
        audit_log(
            actor=user,
            action="risk.assessment.create",
            obj=a,
            after={
                "kind": kind,
                "proposing_unit": proposing_unit.code,
                "assessing_unit": a.assessing_unit.code,
            },
        )
    return a


def plan_edit(*, actor: User, assessment: RiskAssessment, plan: str) -> RiskAssessment:
    text = _required(plan, "plan")

    def apply(a: RiskAssessment) -> None:
        a.plan = text

    return _step(assessment, "edit_plan", actor=actor, apply=apply)


def consultation_start(*, actor: User, assessment: RiskAssessment) -> RiskAssessment:
    return _step(assessment, "consult", actor=actor, apply=lambda a: None)


def opinion_add(
    *,
    actor: User,
    assessment: RiskAssessment,
    method: str,
    held_on: date,
    support: int,
    objection: int,
    strong_opposition: int,
    summary: str,
) -> OpinionCollection:
    """Views of those affected, heard by one method, as counts (never names)."""
    if method not in OpinionCollection.Method.values:
        raise DomainError(_("Unknown method."), code="choice", field="method")
    if min(support, objection, strong_opposition) < 0 or not (
        support + objection + strong_opposition
    ):
        raise DomainError(_("Give how many people held each view."), code="counts")
    if held_on > local_today():
        raise DomainError(_("The date is in the future."), code="date", field="held_on")
    text = _required(summary, "summary")
    created: list[OpinionCollection] = []

    def apply(a: RiskAssessment) -> None:
        created.append(
            OpinionCollection.objects.create(
                assessment=a,
                revision=a.revision,
                method=method,
                held_on=held_on,
                support=support,
                objection=objection,
                strong_opposition=strong_opposition,
                summary=text,
            )
        )

    _step(
        assessment,
        "opinion",
        actor=actor,
        apply=apply,
        extra={"method": method, "counts": [support, objection, strong_opposition]},
    )
    return created[0]


def analysis_start(*, actor: User, assessment: RiskAssessment) -> RiskAssessment:
    def apply(a: RiskAssessment) -> None:
        if not a.opinions.filter(revision=a.revision).exists():
            raise DomainError(_("Hear the views of those affected first."), code="no_opinions")

    return _step(assessment, "analyse", actor=actor, apply=apply)


def risk_add(
    *,
    actor: User,
    assessment: RiskAssessment,
    aspect: str,
    description: str,
    level: str,
    mitigation: str = "",
    responsible_unit: Unit | None = None,
) -> RiskItem:
    if aspect not in RiskItem.Aspect.values or level not in RiskLevel.values:
        raise DomainError(_("Unknown aspect or level."), code="choice")
    text = _required(description, "description")
    created: list[RiskItem] = []

    def apply(a: RiskAssessment) -> None:
        created.append(
            RiskItem.objects.create(
                assessment=a,
                revision=a.revision,
                aspect=aspect,
                description=text,
                level=level,
                mitigation=mitigation.strip(),
                responsible_unit=responsible_unit,
            )
        )

    _step(assessment, "risk", actor=actor, apply=apply, extra={"aspect": aspect, "level": level})
    return created[0]


def assessment_grade(
    *,
    actor: User,
    assessment: RiskAssessment,
    level: str,
    mitigation: str,
    reason: str = "",
) -> RiskAssessment:
    """Set the risk level. Medium needs mitigation measures; a level below what the views
    and identified risks point to needs written grounds."""
    if level not in RiskLevel.values:
        raise DomainError(_("Unknown risk level."), code="choice", field="level")
    if level == RiskLevel.MEDIUM and not mitigation.strip():
        raise DomainError(
            _("A medium risk may only be decided with mitigation measures: describe them."),
            code="mitigation_required",
            field="mitigation",
        )

    def apply(a: RiskAssessment) -> None:
        floor = evidence_level(a)
        if (
            floor is not None
            and RISK_ORDER[RiskLevel(level)] < RISK_ORDER[floor]
            and not reason.strip()
        ):
            raise DomainError(
                _(
                    "The views heard and the risks identified point to %(floor)s; give the "
                    "grounds for a lower level."
                )
                % {"floor": floor.label},
                code="level_below_evidence",
                field="reason",
            )
        a.risk_level = level
        a.mitigation = mitigation.strip()
        a.level_reason = reason.strip()
        a.conclusion = conclusion_for(a.kind, level)

    return _step(assessment, "grade", actor=actor, apply=apply)


def report_issue(
    *, actor: User, assessment: RiskAssessment, today: date | None = None
) -> AssessmentDocument:
    """The assessment report (评估报告) as PDF, kept with the assessment (one per revision)."""
    from .report import render_report

    created: list[AssessmentDocument] = []

    def apply(a: RiskAssessment) -> None:
        if not a.risk_level:
            raise DomainError(_("Grade the risk first."), code="not_graded")
        if not a.risks.filter(revision=a.revision).exists():
            raise DomainError(_("Identify the risks first."), code="no_risks")
        a.reported_on = local_today(today)
        pdf = render_report(a)
        doc = AssessmentDocument(
            assessment=a,
            kind=AssessmentDocument.Kind.REPORT,
            name=f"{a.number}-report-r{a.revision}.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            uploaded_by=actor,
        )
        doc.file.save(doc.name, ContentFile(pdf), save=False)
        doc.save()
        created.append(doc)

    _step(assessment, "report", actor=actor, apply=apply)
    return created[0]


def decision_record(
    *,
    actor: User,
    assessment: RiskAssessment,
    decision: str,
    decided_by: str,
    note: str = "",
    decided_on: date | None = None,
) -> RiskAssessment:
    """Record what the decision-maker decided; only what the level allows. "Change the plan"
    starts a new revision of the assessment."""

    def apply(a: RiskAssessment) -> str | None:
        allowed = allowed_decisions(a.kind, a.risk_level)
        if decision not in allowed:
            raise DomainError(
                _("At %(level)s this cannot be decided that way; allowed: %(allowed)s.")
                % {
                    "level": RiskLevel(a.risk_level).label,
                    "allowed": ", ".join(str(d.label) for d in allowed),
                },
                code="decision_not_allowed",
                field="decision",
            )
        if decision == Decision.APPROVED and not note.strip():
            raise DomainError(
                _("Say how the decision will be explained to those who object."),
                code="explanation_required",
                field="note",
            )
        if decision == Decision.WITH_MITIGATION and not a.mitigation.strip():
            raise DomainError(_("No mitigation measures are recorded."), code="no_mitigation")
        a.decision = decision
        a.decision_note = note.strip()
        a.decided_by = _required(decided_by, "decided_by")
        a.decided_on = decided_on or local_today()
        if decision == Decision.PLAN_CHANGED:
            a.revision += 1
            a.risk_level = ""
            a.conclusion = ""
            return S.PLANNING
        return None

    return _step(assessment, "decide", actor=actor, apply=apply, extra={"decision": decision})


def follow_up_add(
    *,
    actor: User,
    assessment: RiskAssessment,
    note: str,
    new_risk: bool = False,
    on: date | None = None,
) -> FollowUp:
    text = _required(note, "note")
    created: list[FollowUp] = []

    def apply(a: RiskAssessment) -> None:
        created.append(
            FollowUp.objects.create(
                assessment=a,
                on=on or local_today(),
                note=text,
                new_risk=new_risk,
                recorded_by=actor,
            )
        )

    _step(assessment, "follow_up", actor=actor, apply=apply, extra={"new_risk": new_risk})
    return created[0]


def assessment_close(*, actor: User, assessment: RiskAssessment) -> RiskAssessment:
    def apply(a: RiskAssessment) -> None:
        a.closed_on = local_today()

    return _step(assessment, "close", actor=actor, apply=apply)


def document_attach(
    *,
    actor: User,
    assessment: RiskAssessment,
    name: str,
    stream: IO[bytes],
    size: int,
    content_type: str = "application/octet-stream",
) -> AssessmentDocument:
    """Attach a document (plan, minutes, survey, expert opinion) to the assessment."""
    if size > MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is larger than 20 MB."), code="too_large", field="file")
    data = stream.read()
    created: list[AssessmentDocument] = []
    safe_name = name.replace("/", "_").replace("\\", "_")[:200] or "document"

    def apply(a: RiskAssessment) -> None:
        doc = AssessmentDocument(
            assessment=a,
            kind=AssessmentDocument.Kind.ATTACHMENT,
            name=safe_name,
            content_type=content_type[:100],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
        )
        doc.file.save(safe_name, ContentFile(data), save=False)
        doc.save()
        created.append(doc)

    _step(assessment, "attach", actor=actor, apply=apply, extra={"document": safe_name})
    return created[0]
