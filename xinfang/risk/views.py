"""Views of risk assessments, zero reports, public-opinion notes and policy suggestions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.audit.services import audit_log
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.access import requires
from xinfang.core.errors import DomainError
from xinfang.disputes.exports import XLSX, export_filename
from xinfang.disputes.selectors import disputes_visible_to, is_centre
from xinfang.org.permissions import Capability, has_capability

from . import services, suggestions, zero
from .exports import export_assessments_xlsx, export_suggestions_xlsx, export_zero_reports_xlsx
from .forms import (
    AssessmentForm,
    EmptyForm,
    LinkForm,
    NoteForm,
    PeriodForm,
    RespondForm,
    SuggestionForm,
    ZeroReportForm,
    step_form,
)
from .models import AssessmentDocument, RiskAssessment, SuggestionStatus
from .selectors import (
    SUGGESTIONS_YEARLY_TARGET,
    assessments_visible_to,
    may_act_on_assessment,
    may_respond,
    notes_visible_to,
    period_grid,
    periods_visible_to,
    policy_suggestions_count,
    suggestion_adoption,
    suggestions_visible_to,
)
from .services import STEP_LABELS, allowed_steps


def _xlsx(data: bytes, kind: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(kind)}"'
    return response


def _error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- assessments ---------------------------------------------------------------------------------


@requires(Capability.VIEW_DISPUTES)
def assessment_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(assessments_visible_to(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/assessments.html",
        {"page": page, "can_mediate": has_capability(request.user, Capability.MEDIATE)},
    )


@requires(Capability.VIEW_DISPUTES)
def assessment_export(request: HttpRequest) -> HttpResponse:
    qs = assessments_visible_to(request.user).prefetch_related("follow_ups")
    return _xlsx(export_assessments_xlsx(actor=request.user, assessments=qs), "assessments")


@requires(Capability.MEDIATE)
def assessment_create(request: HttpRequest) -> HttpResponse:
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.assessment_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Assessment %(n)s started.") % {"n": a.number})
            return redirect("risk:assessment", pk=a.pk)
    return render(
        request, "risk/assessment_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _assessment_page(
    request: HttpRequest, a: RiskAssessment, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    steps = allowed_steps(a.status) if may_act_on_assessment(request.user, a) else []
    shown = steps + [s for s in forms if s not in steps]
    report = a.documents.filter(kind=AssessmentDocument.Kind.REPORT).order_by("-id").first()
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "a": a,
            "opinions": a.opinions.filter(revision=a.revision),
            "risks": a.risks.filter(revision=a.revision).select_related("responsible_unit"),
            "follow_ups": a.follow_ups.all(),
            "documents": a.documents.all(),
            "report": report,
            "evidence_level": services.evidence_level(a),
            "allowed": services.allowed_decisions(a.kind, a.risk_level) if a.risk_level else [],
            "step_forms": [(s, STEP_LABELS[s], forms.get(s) or step_form(s, a)) for s in shown],
        },
        status=status,
    )


@requires(Capability.VIEW_DISPUTES)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _assessment_page(request, get_object_or_404(assessments_visible_to(request.user), pk=pk))


def _run_step(step: str, actor: Any, a: RiskAssessment, d: dict[str, Any]) -> Any:
    calls: dict[str, Callable[[], Any]] = {
        "edit_plan": lambda: services.plan_edit(actor=actor, assessment=a, plan=d["plan"]),
        "consult": lambda: services.consultation_start(actor=actor, assessment=a),
        "opinion": lambda: services.opinion_add(actor=actor, assessment=a, **d),
        "analyse": lambda: services.analysis_start(actor=actor, assessment=a),
        "risk": lambda: services.risk_add(actor=actor, assessment=a, **d),
        "grade": lambda: services.assessment_grade(actor=actor, assessment=a, **d),
        "report": lambda: services.report_issue(actor=actor, assessment=a),
        "decide": lambda: services.decision_record(actor=actor, assessment=a, **d),
        "follow_up": lambda: services.follow_up_add(actor=actor, assessment=a, **d),
        "close": lambda: services.assessment_close(actor=actor, assessment=a),
        "attach": lambda: services.document_attach(
            actor=actor,
            assessment=a,
            name=d["file"].name,
            stream=d["file"],
            size=d["file"].size,
            content_type=d["file"].content_type or "application/octet-stream",
        ),
    }
    return calls[step]()


@requires(Capability.MEDIATE)
@require_POST
def assessment_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    a = get_object_or_404(assessments_visible_to(request.user), pk=pk)
    if step not in STEP_LABELS:
        raise Http404
    form = step_form(step, a, request.POST, request.FILES)
    if form.is_valid():
        try:
            _run_step(step, request.user, a, form.cleaned_data)
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": STEP_LABELS[step]})
            return redirect("risk:assessment", pk=a.pk)
    a.refresh_from_db()
    return _assessment_page(request, a, {step: form}, status=400)


@requires(Capability.VIEW_DISPUTES)
def assessment_document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    a = get_object_or_404(assessments_visible_to(request.user), pk=pk)
    doc = get_object_or_404(a.documents, pk=doc_pk)
    audit_log(actor=request.user, action="risk.assessment.document.download", obj=doc)  # type: ignore[arg-type]
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=doc.kind != AssessmentDocument.Kind.REPORT,
        filename=doc.name,
        content_type=doc.content_type,
    )


# --- zero reports ---------------------------------------------------------------------------------


@requires(Capability.VIEW_DISPUTES)
def zero_periods(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "risk/zero_periods.html",
        {
            "periods": periods_visible_to(request.user).prefetch_related("units"),
            "form": PeriodForm() if is_centre(request.user) else None,
            "today": timezone.localdate(),
        },
    )


@requires(Capability.MEDIATE)
@require_POST
def zero_declare(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            period = zero.period_declare(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Zero-report period declared."))
            return redirect("risk:zero_period", pk=period.pk)
    return render(
        request,
        "risk/zero_periods.html",
        {"periods": periods_visible_to(request.user), "form": form, "today": timezone.localdate()},
        status=400,
    )


def _period_page(
    request: HttpRequest, period: Any, form: Any = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    now = timezone.now()
    designated = (
        has_capability(user, Capability.MEDIATE)
        and user.unit_id is not None
        and period.units.filter(pk=user.unit_id).exists()
    )
    if form is None and designated:
        form = ZeroReportForm(initial={"day": timezone.localdate()})
    return render(
        request,
        "risk/zero_period.html",
        {
            "period": period,
            "grid": period_grid(period, user, now=now),
            "form": form,
            "can_cancel": is_centre(user)
            and period.cancelled_on is None
            and period.ends_on >= timezone.localdate(),
            "flags": period.flags.select_related("unit"),
        },
        status=status,
    )


@requires(Capability.VIEW_DISPUTES)
def zero_period(request: HttpRequest, pk: int) -> HttpResponse:
    return _period_page(request, get_object_or_404(periods_visible_to(request.user), pk=pk))


@requires(Capability.MEDIATE)
@require_POST
def zero_submit(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    form = ZeroReportForm(request.POST)
    if form.is_valid():
        try:
            zero.zero_report_submit(actor=request.user, period=period, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Report received."))
            return redirect("risk:zero_period", pk=period.pk)
    return _period_page(request, period, form, status=400)


@requires(Capability.MEDIATE)
@require_POST
def zero_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    try:
        zero.period_cancel(actor=request.user, period=period)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The period ends today."))
    return redirect("risk:zero_period", pk=period.pk)


@requires(Capability.VIEW_DISPUTES)
def zero_export(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(periods_visible_to(request.user), pk=pk)
    data = export_zero_reports_xlsx(actor=request.user, period=period, now=timezone.now())
    return _xlsx(data, "zero-reports")


# --- notes and suggestions ----------------------------------------------------------------------


@requires(Capability.VIEW_DISPUTES)
def note_list(request: HttpRequest) -> HttpResponse:
    return _notes_page(request)


def _notes_page(request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
    page = Paginator(
        notes_visible_to(request.user).prefetch_related("cases", "disputes"), 30
    ).get_page(request.GET.get("page"))
    if form is None and has_capability(request.user, Capability.MEDIATE):
        form = NoteForm()
    return render(request, "risk/notes.html", {"page": page, "form": form}, status=status)


@requires(Capability.MEDIATE)
@require_POST
def note_create(request: HttpRequest) -> HttpResponse:
    form = NoteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            suggestions.note_create(
                actor=request.user,  # type: ignore[arg-type]
                title=d["title"],
                content=d["content"],
                source=d["source"],
                case_numbers=suggestions.split_numbers(d["case_numbers"]),
                dispute_numbers=suggestions.split_numbers(d["dispute_numbers"]),
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Note recorded."))
            return redirect("risk:notes")
    return _notes_page(request, form, status=400)


@requires(Capability.VIEW_DISPUTES)
def suggestion_list(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    return render(
        request,
        "risk/suggestions.html",
        {
            "suggestions": suggestions_visible_to(request.user),
            "year": year,
            "count": policy_suggestions_count(year),
            "target": SUGGESTIONS_YEARLY_TARGET,
            "adoption": [
                (SuggestionStatus(k).label, v) for k, v in suggestion_adoption(year).items()
            ],
            "can_draft": is_centre(request.user),
        },
    )


@requires(Capability.VIEW_DISPUTES)
def suggestion_export(request: HttpRequest) -> HttpResponse:
    qs = suggestions_visible_to(request.user).prefetch_related("cases", "disputes")
    return _xlsx(export_suggestions_xlsx(actor=request.user, suggestions=qs), "suggestions")


@requires(Capability.MEDIATE)
def suggestion_create(request: HttpRequest) -> HttpResponse:
    notes = notes_visible_to(request.user)
    form = SuggestionForm(request.POST or None, notes=notes)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            s = suggestions.suggestion_draft(
                actor=request.user,  # type: ignore[arg-type]
                title=d["title"],
                problem=d["problem"],
                suggestion=d["suggestion"],
                to_unit=d["to_unit"],
                case_numbers=suggestions.split_numbers(d["case_numbers"]),
                dispute_numbers=suggestions.split_numbers(d["dispute_numbers"]),
                notes=d["notes"],
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Suggestion %(n)s drafted.") % {"n": s.number})
            return redirect("risk:suggestion", pk=s.pk)
    return render(
        request, "risk/suggestion_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _suggestion_page(
    request: HttpRequest, s: Any, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    forms = forms or {}
    centre = is_centre(user)
    if s.status == SuggestionStatus.DRAFT and centre:
        forms.setdefault("link", LinkForm(prefix="link"))
        forms.setdefault("send", None)
    if s.status == SuggestionStatus.SENT and may_respond(user, s):
        forms.setdefault(
            "respond", RespondForm(prefix="respond", initial={"response_on": timezone.localdate()})
        )
    visible_cases = set(
        cases_visible_to(user).filter(pk__in=s.cases.all()).values_list("pk", flat=True)
    )
    visible_disputes = set(
        disputes_visible_to(user).filter(pk__in=s.disputes.all()).values_list("pk", flat=True)
    )
    return render(
        request,
        "risk/suggestion_detail.html",
        {
            "s": s,
            "cases": [(c, c.pk in visible_cases) for c in s.cases.all()],
            "disputes": [(d, d.pk in visible_disputes) for d in s.disputes.all()],
            "notes": s.notes.all(),
            "forms": forms,
        },
        status=status,
    )


@requires(Capability.VIEW_DISPUTES)
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _suggestion_page(request, get_object_or_404(suggestions_visible_to(request.user), pk=pk))


@requires(Capability.MEDIATE)
@require_POST
def suggestion_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    s = get_object_or_404(suggestions_visible_to(request.user), pk=pk)
    user: Any = request.user
    form: Any
    if action == "link":
        form = LinkForm(request.POST, prefix="link")
    elif action == "respond":
        form = RespondForm(request.POST, prefix="respond")
    elif action == "send":
        form = EmptyForm({})
    else:
        raise Http404
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "link":
                suggestions.suggestion_link(
                    actor=user,
                    suggestion=s,
                    case_numbers=suggestions.split_numbers(d["case_numbers"]),
                    dispute_numbers=suggestions.split_numbers(d["dispute_numbers"]),
                )
            elif action == "send":
                suggestions.suggestion_send(actor=user, suggestion=s)
            else:
                suggestions.suggestion_respond(actor=user, suggestion=s, **d)
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("risk:suggestion", pk=s.pk)
    s.refresh_from_db()
    return _suggestion_page(request, s, {action: form}, status=400)
