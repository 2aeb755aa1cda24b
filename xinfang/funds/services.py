"""Writes of the special funds: projects and their lines, spending, budget adjustments,
performance indicators and the recorded self-assessment. Each is one atomic function that
checks the actor's capability, changes the rows and appends an audit record.

The rule that matters most (预算法 art. 13: spending only within the approved budget): a line
is never overspent. Spending beyond what a line has left is refused until an approved
adjustment (预算调剂) gives the line more.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.org.models import Unit, User
from xinfang.org.permissions import Capability, has_capability

from .assessment import assess, money
from .metrics import METRICS
from .models import (
    LEVEL2_PARENT,
    AdjustmentStatus,
    BudgetAdjustment,
    BudgetLine,
    Classification,
    FundProject,
    Level2,
    Operator,
    PerformanceIndicator,
    SelfAssessment,
    Spending,
)
from .selectors import line_state, project_figures

CENT = Decimal("0.01")
TEXT_FIELDS = ("basis", "overview", "content", "plan", "results")
UPLOAD_TYPES = {".pdf": (b"%PDF",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}
UPLOAD_TYPES[".png"] = (b"\x89PNG\r\n\x1a\n",)
MAX_UPLOAD = 20 * 1024 * 1024


def require(actor: User | None, capability: Capability) -> User:
    if actor is None or not has_capability(actor, capability):
        raise PermissionDeniedError(_("You are not allowed to do this."))
    return actor


def as_money(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount in yuan with at most two decimals (fen)."""
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter an amount in yuan."), code="bad_amount", field=field) from None
    if not d.is_finite() or d != d.quantize(CENT) or d < 0 or (d == 0 and not allow_zero):
        raise DomainError(
            _("Enter a positive amount in yuan with at most two decimals."),
            code="bad_amount",
            field=field,
        )
    return d.quantize(CENT)


def _check_upload(upload: UploadedFile[Any], field: str) -> str:
    name = PurePath(upload.name or "").name
    ext = PurePath(name).suffix.lower()
    head = upload.read(16)
    upload.seek(0)
    if ext not in UPLOAD_TYPES or not any(head.startswith(m) for m in UPLOAD_TYPES[ext]):
        raise DomainError(
            _("Attach a PDF, JPG or PNG file (its content must match its type)."),
            code="bad_attachment",
            field=field,
        )
    if not upload.size or upload.size > MAX_UPLOAD:
        raise DomainError(
            _("A file must be between 1 byte and %(mb)d MB.") % {"mb": MAX_UPLOAD // 2**20},
            code="bad_attachment",
            field=field,
        )
    return name


def _project_state(p: FundProject) -> dict[str, Any]:
    return {
        "year": p.year,
        "name": p.name,
        "unit": p.implementing_unit_id,
        "budget": str(p.budget),
        **{f: getattr(p, f) for f in TEXT_FIELDS},
    }


# --- projects and lines -------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: User,
    year: int,
    name: str,
    basis: str,
    implementing_unit: Unit,
    budget: Any,
    overview: str = "",
    content: str = "",
    plan: str = "",
    results: str = "",
    lines: Sequence[tuple[str, str, Any]] = (),
) -> FundProject:
    """A special fund for one budget year, with its budget lines (classification, detail,
    amount); the lines may not add up to more than the budget."""
    require(actor, Capability.MANAGE_FUNDS)
    name = name.strip()
    if not name or not basis.strip():
        raise DomainError(_("A project needs a name and its basis."), code="missing", field="name")
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("Enter a budget year."), code="bad_year", field="year")
    if FundProject.objects.filter(year=year, name=name).exists():
        raise DomainError(
            _("There is already a project of that name in %(year)s.") % {"year": year},
            code="duplicate",
            field="name",
        )
    project = FundProject.objects.create(
        year=year,
        name=name,
        basis=basis.strip(),
        implementing_unit=implementing_unit,
        budget=as_money(budget, field="budget"),
        overview=overview.strip(),
        content=content.strip(),
        plan=plan.strip(),
        results=results.strip(),
        created_by=actor,
    )
    audit_log(
        actor=actor, action="funds.project_create", obj=project, after=_project_state(project)
    )
    for classification, detail, amount in lines:
        line_add(
            actor=actor,
            project=project,
            classification=classification,
            detail=detail,
            amount=amount,
        )
    return project


@transaction.atomic
def project_update(*, actor: User, project: FundProject, **texts: str) -> FundProject:
    """Change the texts of the disclosure (basis, overview, content, plan, results)."""
    require(actor, Capability.MANAGE_FUNDS)
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not a text of the project: {sorted(unknown)}")
    project = FundProject.objects.select_for_update().get(pk=project.pk)
    before = _project_state(project)
    for key, value in texts.items():
        setattr(project, key, (value or "").strip())
    if not project.basis:
        raise DomainError(_("A project needs a name and its basis."), code="missing", field="basis")
    project.save(update_fields=list(texts))
    audit_log(
        actor=actor,
        action="funds.project_update",
        obj=project,
        before=before,
        after=_project_state(project),
    )
    return project


@transaction.atomic
def line_add(
    *, actor: User, project: FundProject, classification: str, detail: str, amount: Any
) -> BudgetLine:
    """A budget line; all lines together stay within the project's budget."""
    require(actor, Capability.MANAGE_FUNDS)
    if classification not in Classification.values:
        raise DomainError(
            _("Choose an economic classification."), code="bad_line", field="classification"
        )
    value = as_money(amount)
    project = FundProject.objects.select_for_update().get(pk=project.pk)
    allocated = project.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if allocated + value > project.budget:
        raise DomainError(
            _(
                "The lines would add up to %(total)s yuan, more than the project's budget of "
                "%(budget)s yuan."
            )
            % {"total": money(allocated + value), "budget": money(project.budget)},
            code="over_budget",
            field="amount",
        )
    try:
        with transaction.atomic():
            line = BudgetLine.objects.create(
                project=project,
                classification=classification,
                detail=detail.strip(),
                amount=value,
                position=project.lines.count(),
            )
    except IntegrityError:
        raise DomainError(
            _("This project already has that line."), code="duplicate", field="classification"
        ) from None
    audit_log(
        actor=actor,
        action="funds.line_add",
        obj=line,
        after={"project": project.pk, "line": line.label, "amount": str(value)},
    )
    return line


# --- spending -----------------------------------------------------------------------------


@transaction.atomic
def spending_record(
    *,
    actor: User,
    line: BudgetLine,
    spent_on: date,
    amount: Any,
    voucher: str,
    description: str,
    attachment: UploadedFile[Any] | None = None,
) -> Spending:
    """Record money spent against a line. Refused when it would overspend the line: what is
    left is the line's budget plus approved adjustments, less what has been spent (pending
    adjustments do not count). The line row is locked so two clerks cannot both take the
    last of it."""
    require(actor, Capability.MANAGE_FUNDS)
    value = as_money(amount)
    voucher = voucher.strip()
    if not voucher or not description.strip():
        raise DomainError(
            _("Enter the voucher number and what the money was spent on."),
            code="missing",
            field="voucher",
        )
    line = BudgetLine.objects.select_for_update().select_related("project").get(pk=line.pk)
    if spent_on.year != line.project.year:
        raise DomainError(
            _("The date must fall in the budget year %(year)s.") % {"year": line.project.year},
            code="wrong_year",
            field="spent_on",
        )
    if Spending.objects.filter(line=line, voucher=voucher).exists():
        raise DomainError(
            _("Voucher %(voucher)s is already recorded on this line.") % {"voucher": voucher},
            code="duplicate_voucher",
            field="voucher",
        )
    state = line_state(line)
    if value > state.available:
        raise DomainError(
            _(
                "%(amount)s yuan would overspend the line %(line)s: its budget is %(budget)s "
                "yuan, %(spent)s yuan are spent, %(available)s yuan are left. An approved "
                "budget adjustment must give the line more first."
            )
            % {
                "amount": money(value),
                "line": line.label,
                "budget": money(state.adjusted),
                "spent": money(state.spent),
                "available": money(state.available),
            },
            code="overspend",
            field="amount",
        )
    spending = Spending(
        line=line,
        spent_on=spent_on,
        amount=value,
        voucher=voucher,
        description=description.strip(),
        recorded_by=actor,
    )
    if attachment is not None:
        spending.attachment_name = _check_upload(attachment, "attachment")
        spending.attachment.save(spending.attachment_name, attachment, save=False)
    spending.save()
    audit_log(
        actor=actor,
        action="funds.spending_record",
        obj=spending,
        after={
            "line": line.pk,
            "spent_on": spent_on.isoformat(),
            "amount": str(value),
            "voucher": voucher,
            "attachment": spending.attachment_name,
        },
    )
    return spending


# --- budget adjustments (预算调剂) ----------------------------------------------------------


@transaction.atomic
def adjustment_request(
    *,
    actor: User,
    line: BudgetLine,
    amount: Any,
    reason: str,
    source_line: BudgetLine | None = None,
) -> BudgetAdjustment:
    """Ask for ``amount`` more on ``line``, moved from ``source_line`` of the same project or
    added to the project's budget; it counts once approved."""
    require(actor, Capability.MANAGE_FUNDS)
    value = as_money(amount)
    if not reason.strip():
        raise DomainError(_("Give the reason for the adjustment."), code="missing", field="reason")
    if source_line is not None and (
        source_line.project_id != line.project_id or source_line.pk == line.pk
    ):
        raise DomainError(
            _("Money can only be moved from another line of the same project."),
            code="bad_source",
            field="source_line",
        )
    adj = BudgetAdjustment.objects.create(
        project_id=line.project_id,
        line=line,
        source_line=source_line,
        amount=value,
        reason=reason.strip(),
        requested_by=actor,
    )
    audit_log(
        actor=actor,
        action="funds.adjustment_request",
        obj=adj,
        after={
            "line": line.pk,
            "source_line": source_line.pk if source_line else None,
            "amount": str(value),
            "reason": adj.reason,
        },
    )
    return adj


@transaction.atomic
def adjustment_decide(
    *, actor: User, adjustment: BudgetAdjustment, approve: bool, note: str = ""
) -> BudgetAdjustment:
    """Approve or reject a pending adjustment. The approver is not the requester (four eyes);
    a transfer is approved only while its source line still has the money unspent."""
    require(actor, Capability.APPROVE_FUNDS)
    adj = BudgetAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adj.status != AdjustmentStatus.PENDING:
        raise DomainError(
            _("This adjustment has already been decided."), code="decided", field="decision"
        )
    if adj.requested_by_id == actor.pk:
        raise DomainError(
            _("An adjustment is approved by someone other than the person who asked for it."),
            code="four_eyes",
            field="decision",
        )
    if approve and adj.source_line_id:
        source = BudgetLine.objects.select_for_update().get(pk=adj.source_line_id)
        state = line_state(source)
        if adj.amount > state.available:
            raise DomainError(
                _(
                    "The line %(line)s has only %(available)s yuan left; %(amount)s yuan cannot "
                    "be moved from it."
                )
                % {
                    "line": source.label,
                    "available": money(state.available),
                    "amount": money(adj.amount),
                },
                code="source_short",
                field="decision",
            )
    adj.status = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.REJECTED
    adj.decided_by = actor
    adj.decided_at = timezone.now()
    adj.decision_note = note.strip()
    adj.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_log(
        actor=actor,
        action="funds.adjustment_decide",
        obj=adj,
        before={"status": AdjustmentStatus.PENDING.value},
        after={"status": adj.status, "note": adj.decision_note},
    )
    return adj


# --- performance indicators ---------------------------------------------------------------


@transaction.atomic
def indicator_add(
    *,
    actor: User,
    project: FundProject,
    level2: str,
    name: str,
    operator: str,
    target: Any,
    unit: str,
    metric: str = "",
) -> PerformanceIndicator:
    """A performance target "name operator target unit"; bound to a live metric or, with an
    empty ``metric``, entered by hand with evidence."""
    require(actor, Capability.MANAGE_FUNDS)
    if level2 not in Level2.values or operator not in Operator.values or not name.strip():
        raise DomainError(
            _("Choose the indicator kind and operator and name the indicator."),
            code="bad_indicator",
            field="name",
        )
    if metric and metric not in METRICS:
        raise DomainError(_("Unknown live metric."), code="bad_metric", field="metric")
    unit = unit.strip()
    if metric and METRICS[metric].unit != unit:
        raise DomainError(
            _("The metric %(metric)s is measured in %(unit)s.")
            % {"metric": METRICS[metric].label, "unit": METRICS[metric].unit},
            code="bad_unit",
            field="unit",
        )
    ind = PerformanceIndicator.objects.create(
        project=project,
        level2=level2,
        name=name.strip(),
        operator=operator,
        target=as_money(target, field="target", allow_zero=True),
        unit=unit,
        metric=metric,
        position=project.indicators.count(),
    )
    audit_log(
        actor=actor,
        action="funds.indicator_add",
        obj=ind,
        after={
            "project": project.pk,
            "kind": f"{LEVEL2_PARENT[Level2(level2)]}/{level2}",
            "target": ind.target_text,
            "metric": metric,
        },
    )
    return ind


@transaction.atomic
def indicator_enter(
    *,
    actor: User,
    indicator: PerformanceIndicator,
    value: Any = None,
    evidence: str = "",
    evidence_file: UploadedFile[Any] | None = None,
    applicable: bool = True,
    deviation_note: str = "",
) -> PerformanceIndicator:
    """Record an indicator's actual value by hand, with its evidence (text or a file), or
    mark it as not applying this year, and note the reason for a deviation. A live
    indicator's value comes from its metric: only applicability and the note are kept."""
    require(actor, Capability.MANAGE_FUNDS)
    ind = PerformanceIndicator.objects.select_for_update().get(pk=indicator.pk)
    before = {
        "value": None if ind.manual_value is None else str(ind.manual_value),
        "evidence": ind.evidence,
        "applicable": ind.applicable,
        "note": ind.deviation_note,
    }
    if ind.metric and value not in (None, ""):
        raise DomainError(
            _("This indicator reads its value from a live metric."),
            code="live_indicator",
            field="value",
        )
    if not ind.metric:
        if value in (None, ""):
            ind.manual_value = None
        else:
            if not evidence.strip() and evidence_file is None and not ind.evidence_file:
                raise DomainError(
                    _("A value entered by hand needs its evidence."),
                    code="no_evidence",
                    field="evidence",
                )
            ind.manual_value = as_money(value, field="value", allow_zero=True)
        ind.evidence = evidence.strip()
        if evidence_file is not None:
            ind.evidence_name = _check_upload(evidence_file, "evidence_file")
            ind.evidence_file.save(ind.evidence_name, evidence_file, save=False)
    ind.applicable = applicable
    ind.deviation_note = deviation_note.strip()
    ind.entered_by = actor
    ind.entered_at = timezone.now()
    ind.save()
    audit_log(
        actor=actor,
        action="funds.indicator_enter",
        obj=ind,
        before=before,
        after={
            "value": None if ind.manual_value is None else str(ind.manual_value),
            "evidence": ind.evidence,
            "evidence_file": ind.evidence_name,
            "applicable": ind.applicable,
            "note": ind.deviation_note,
        },
    )
    return ind


# --- self-assessment ----------------------------------------------------------------------


@transaction.atomic
def assessment_record(*, actor: User, project: FundProject, today: date) -> SelfAssessment:
    """Record the self-assessment of a project as it stands (DOMAIN.md §7 weights)."""
    require(actor, Capability.MANAGE_FUNDS)
    result = assess(project_figures(project, today=today))
    record = SelfAssessment.objects.create(
        project=project,
        score=result.total,
        grade=result.grade,
        table=result.as_json(),
        recorded_by=actor,
    )
    audit_log(
        actor=actor,
        action="funds.assessment_record",
        obj=record,
        after={"project": project.pk, "score": str(result.total), "grade": result.grade},
    )
    return record
