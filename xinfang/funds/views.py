"""Views of the special funds: the fund dashboard, a project's books and indicators, the
self-assessment and the disclosure download. Thin: the services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.audit.services import audit_log
from xinfang.core.access import requires
from xinfang.core.errors import DomainError
from xinfang.org.permissions import Capability, has_capability

from . import services
from .assessment import EXECUTION_POINTS, LEVEL_POINTS, assess
from .disclosure import build, content_type
from .disclosure import render as render_disclosure
from .forms import (
    AdjustmentForm,
    DecisionForm,
    IndicatorForm,
    IndicatorValueForm,
    LineForm,
    ProjectForm,
    ProjectTextForm,
    SpendingForm,
)
from .metrics import METRICS
from .models import (
    BudgetAdjustment,
    FundProject,
    PerformanceIndicator,
    Spending,
)
from .selectors import chart_data, fund_overview, project_figures, years


def _error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _year(request: HttpRequest) -> int:
    known = years()
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        today = timezone.localdate().year
        return today if today in known or not known else known[0]


@requires(Capability.VIEW_FUNDS)
def dashboard(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    today = timezone.localdate()
    overview = fund_overview(year, today=today)
    return render(
        request,
        "funds/dashboard.html",
        {
            "year": year,
            "years": sorted(set(years()) | {year, today.year}, reverse=True),
            "overview": overview,
            "today": today,
            "chart_data": chart_data(overview),
            "can_manage": has_capability(request.user, Capability.MANAGE_FUNDS),
        },
    )


def _project_page(
    request: HttpRequest, project: FundProject, forms: dict[str, Any] | None = None
) -> HttpResponse:
    forms = forms or {}
    user = request.user
    can_manage = has_capability(user, Capability.MANAGE_FUNDS)
    can_approve = has_capability(user, Capability.APPROVE_FUNDS)
    pf = project_figures(project, today=timezone.localdate())
    context: dict[str, Any] = {
        "p": project,
        "pf": pf,
        "spendings": Spending.objects.filter(line__project=project).select_related(
            "line", "recorded_by"
        ),
        "adjustments": project.adjustments.select_related(
            "line", "source_line", "requested_by", "decided_by"
        ),
        "can_manage": can_manage,
        "can_approve": can_approve,
        "decision_form": DecisionForm(),
        "metrics": METRICS,
    }
    if can_manage:
        context["spend_form"] = forms.get("spend") or SpendingForm(
            project=project, initial={"spent_on": timezone.localdate()}
        )
        context["adjust_form"] = forms.get("adjust") or AdjustmentForm(project=project)
        context["line_form"] = forms.get("line") or LineForm()
        context["ind_form"] = forms.get("ind") or IndicatorForm()
    context["value_errors"] = forms.get("value")
    status = 400 if any(f.errors for f in forms.values() if f is not None) else 200
    return render(request, "funds/project.html", context, status=status)


@requires(Capability.VIEW_FUNDS)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(request, get_object_or_404(FundProject, pk=pk))


@requires(Capability.MANAGE_FUNDS)
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = services.project_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Project created. Add its budget lines."))
            return redirect("funds:project", pk=p.pk)
    return render(
        request,
        "funds/project_form.html",
        {"form": form, "title": _("New special fund")},
        status=400 if form.errors else 200,
    )


@requires(Capability.MANAGE_FUNDS)
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(FundProject, pk=pk)
    form = ProjectTextForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                **{k: form.cleaned_data[k] for k in ProjectTextForm.Meta.fields},
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("funds:project", pk=project.pk)
    return render(
        request,
        "funds/project_form.html",
        {"form": form, "title": project.name, "p": project},
        status=400 if form.errors else 200,
    )


@requires(Capability.MANAGE_FUNDS)
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(FundProject, pk=pk)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            services.line_add(actor=request.user, project=project, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Budget line added."))
            return redirect("funds:project", pk=project.pk)
    return _project_page(request, project, {"line": form})


@requires(Capability.MANAGE_FUNDS)
@require_POST
def spending_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(FundProject, pk=pk)
    form = SpendingForm(request.POST, request.FILES, project=project)
    if form.is_valid():
        try:
            services.spending_record(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Spending recorded."))
            return redirect("funds:project", pk=project.pk)
    return _project_page(request, project, {"spend": form})


@requires(Capability.VIEW_FUNDS)
def spending_attachment(request: HttpRequest, pk: int) -> FileResponse:
    s = get_object_or_404(Spending, pk=pk)
    if not s.attachment:
        raise Http404
    return FileResponse(s.attachment.open("rb"), as_attachment=True, filename=s.attachment_name)


@requires(Capability.MANAGE_FUNDS)
@require_POST
def adjustment_request(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(FundProject, pk=pk)
    form = AdjustmentForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.adjustment_request(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Adjustment requested; it counts once approved."))
            return redirect("funds:project", pk=project.pk)
    return _project_page(request, project, {"adjust": form})


@requires(Capability.APPROVE_FUNDS)
@require_POST
def adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    adj = get_object_or_404(BudgetAdjustment.objects.select_related("project"), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.adjustment_decide(
                actor=request.user,  # type: ignore[arg-type]
                adjustment=adj,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            adj.refresh_from_db()
            messages.success(request, adj.get_status_display())
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("funds:project", pk=adj.project_id)


@requires(Capability.MANAGE_FUNDS)
@require_POST
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(FundProject, pk=pk)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_add(actor=request.user, project=project, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Indicator added."))
            return redirect("funds:project", pk=project.pk)
    return _project_page(request, project, {"ind": form})


@requires(Capability.MANAGE_FUNDS)
@require_POST
def indicator_enter(request: HttpRequest, pk: int) -> HttpResponse:
    ind = get_object_or_404(PerformanceIndicator.objects.select_related("project"), pk=pk)
    form = IndicatorValueForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_enter(
                actor=request.user,  # type: ignore[arg-type]
                indicator=ind,
                value=data["value"],
                evidence=data["evidence"],
                evidence_file=data["evidence_file"],
                applicable=data["applicable"],
                deviation_note=data["deviation_note"],
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Indicator saved."))
            return redirect("funds:project", pk=ind.project_id)
    form.indicator_pk = ind.pk  # type: ignore[attr-defined]
    return _project_page(request, ind.project, {"value": form})


@requires(Capability.VIEW_FUNDS)
def indicator_evidence(request: HttpRequest, pk: int) -> FileResponse:
    ind = get_object_or_404(PerformanceIndicator, pk=pk)
    if not ind.evidence_file:
        raise Http404
    return FileResponse(
        ind.evidence_file.open("rb"), as_attachment=True, filename=ind.evidence_name
    )


@requires(Capability.VIEW_FUNDS)
def assessment(request: HttpRequest, year: int) -> HttpResponse:
    today = timezone.localdate()
    overview = fund_overview(year, today=today)
    results = [(pf, assess(pf), pf.project.assessments.first()) for pf in overview]
    return render(
        request,
        "funds/assessment.html",
        {
            "year": year,
            "results": results,
            "execution_points": EXECUTION_POINTS,
            "level_points": LEVEL_POINTS,
            "can_manage": has_capability(request.user, Capability.MANAGE_FUNDS),
        },
    )


@requires(Capability.MANAGE_FUNDS)
@require_POST
def assessment_record(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(FundProject, pk=pk)
    try:
        record = services.assessment_record(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            today=timezone.localdate(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Self-assessment recorded: %(score)s points, %(grade)s.")
            % {"score": record.score, "grade": record.grade},
        )
    return redirect("funds:assessment", year=project.year)


@requires(Capability.VIEW_FUNDS)
def disclosure(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    suffix = f".{fmt}"
    if suffix not in (".docx", ".pdf"):
        raise Http404
    doc = build(year, today=timezone.localdate())
    if not doc.parts:
        raise Http404
    data = render_disclosure(doc, suffix)
    audit_log(
        actor=request.user,  # type: ignore[arg-type]
        action="funds.disclosure_export",
        object_type="funds.disclosure",
        object_id=str(year),
        object_repr=doc.title,
        after={"format": suffix, "bytes": len(data)},
    )
    response = HttpResponse(data, content_type=content_type(suffix))
    response["Content-Disposition"] = f'attachment; filename="funds-{year}{suffix}"'
    return response
