"""Analytics pages: dashboards (leader, supervisor, unit head), early warnings, analysis
reports, indicator settings and the public statistics page. Thin: the figures come from
dashboards.build_dashboard, the writes from services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.core.access import public, requires
from xinfang.core.errors import DomainError
from xinfang.org.models import Unit
from xinfang.org.permissions import Capability, has_capability

from . import detection, services
from .dashboards import (
    Dashboard,
    build_dashboard,
    case_list_query,
    indicator_by_code,
    ranking_weights,
)
from .definitions import COUNTERS, DRILL_METRICS, INDICATORS
from .forms import AssignForm, DashboardForm, NoteForm, ReportForm, SettingsForm
from .models import AnalysisReport, EarlyWarning, ReportStatus, WarningKind
from .periods import Filters, Period
from .selectors import (
    PUBLIC_SCOPE,
    indicator_settings,
    reports_visible_to,
    scope_for,
    warnings_visible_to,
)


def _cards(board: Dashboard) -> list[dict[str, Any]]:
    """Each indicator with the case-list queries behind its numbers (when the user may
    open the case list)."""
    drill = board.scope.can_drill
    out = []
    for iv in board.indicators:
        ind = iv.indicator
        card: dict[str, Any] = {
            "iv": iv,
            "num_query": "",
            "den_query": "",
            "miss_query": "",
            "misses": iv.denominator - iv.numerator if ind.kind == "rate" else 0,
        }
        if drill and ind.source == "cases":
            if ind.kind == "rate" and ind.numerator in DRILL_METRICS:
                card["num_query"] = board.query(ind.numerator)
            if ind.denominator in DRILL_METRICS:
                card["den_query"] = board.query(ind.denominator)
            if ind.miss_metric:
                card["miss_query"] = board.query(ind.miss_metric)
        card["num_label"] = COUNTERS[ind.numerator].label if ind.numerator in COUNTERS else ""
        card["den_label"] = COUNTERS[ind.denominator].label if ind.denominator in COUNTERS else ""
        out.append(card)
    return out


def _context(request: HttpRequest, board: Dashboard, form: DashboardForm) -> dict[str, Any]:
    names = board.names
    drill = board.scope.can_drill
    return {
        "board": board,
        "form": form,
        "cards": _cards(board),
        "chart_data": board.chart_data(),
        "can_drill": drill,
        "overdue_query": case_list_query(board.filters, names, overdue="on") if drill else "",
        "due_soon_query": case_list_query(board.filters, names, queue="due_soon") if drill else "",
        "registered_query": board.query("registered") if drill else "",
        "weights": ranking_weights(board.settings),
        "today": board.today,
    }


@requires(Capability.VIEW_ANALYTICS)
def leader_dashboard(request: HttpRequest) -> HttpResponse:
    """The county at a glance: indicators vs targets, trends, towns, categories, ranking."""
    today = timezone.localdate()
    scope = scope_for(request.user)
    form = DashboardForm(request.GET or None, today=today, with_unit=scope.county_wide)
    period, filters = form.selection()
    board = build_dashboard(scope, period=period, filters=filters, today=today)
    context = _context(request, board, form)
    context["warnings"] = list(
        warnings_visible_to(request.user).filter(status__in=["open", "acknowledged", "assigned"])[
            :5
        ]
    )
    return render(request, "analytics/leader.html", context)


@requires(Capability.VIEW_ANALYTICS)
def supervision_dashboard(request: HttpRequest) -> HttpResponse:
    """For supervisors: where work is slipping — overdue and due-soon cases by unit, the
    timeliness indicators by unit, and the live warnings."""
    today = timezone.localdate()
    scope = scope_for(request.user)
    form = DashboardForm(request.GET or None, today=today, with_unit=scope.county_wide)
    period, filters = form.selection()
    board = build_dashboard(scope, period=period, filters=filters, today=today, facets=("ranking",))
    context = _context(request, board, form)
    names = board.names
    rows = []
    for row in board.ranking:
        sub = filters.with_(unit_id=row.key)
        timely = indicator_by_code(row.indicators, "timely_acceptance")
        on_time = indicator_by_code(row.indicators, "on_time_closure")
        rows.append(
            {
                "row": row,
                "overdue_query": case_list_query(sub, names, overdue="on"),
                "late_query": case_list_query(sub, names, metric="hnd_late", period=period),
                "acc_late_query": case_list_query(sub, names, metric="acc_late", period=period),
                "timely": timely,
                "on_time": on_time,
                "acc_late": timely.denominator - timely.numerator,
                "hnd_late": on_time.denominator - on_time.numerator,
            }
        )
    context["units"] = rows
    context["warnings"] = list(
        warnings_visible_to(request.user).filter(status__in=["open", "acknowledged", "assigned"])[
            :20
        ]
    )
    return render(request, "analytics/supervision.html", context)


@requires(Capability.VIEW_ANALYTICS)
def unit_dashboard(request: HttpRequest) -> HttpResponse:
    """For unit heads: their own unit only (cases_visible_to: lead and co-handled cases).
    County-wide roles choose the unit."""
    today = timezone.localdate()
    scope = scope_for(request.user)
    form = DashboardForm(request.GET or None, today=today, with_unit=scope.county_wide)
    period, filters = form.selection()
    unit: Unit | None = None
    if scope.county_wide:
        if not filters.unit_id and request.user.unit_id:  # type: ignore[union-attr]
            filters = filters.with_(unit_id=request.user.unit_id)  # type: ignore[union-attr]
        unit = Unit.objects.filter(pk=filters.unit_id).first() if filters.unit_id else None
    else:
        unit = request.user.unit  # type: ignore[union-attr]
    board = build_dashboard(
        scope, period=period, filters=filters, today=today, facets=("category", "trend")
    )
    context = _context(request, board, form)
    context["unit"] = unit
    context["warnings"] = list(
        warnings_visible_to(request.user)
        .filter(status__in=["open", "acknowledged", "assigned"])
        .filter(unit=unit)[:10]
    )
    return render(request, "analytics/unit.html", context)


# --- warnings -----------------------------------------------------------------------------


@requires(Capability.VIEW_ANALYTICS)
def warning_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "live")
    qs = warnings_visible_to(request.user)
    if status == "live":
        qs = qs.filter(status__in=["open", "acknowledged", "assigned"])
    elif status:
        qs = qs.filter(status=status)
    return render(
        request,
        "analytics/warnings.html",
        {"warnings": qs[:200], "status": status, "method": detection, "kinds": WarningKind},
    )


def _evidence_cases(request: HttpRequest, warning: EarlyWarning) -> list[Any]:
    """The cases named in the evidence that this user may open (none for the analyst)."""
    ids = warning.evidence.get("case_ids") or []
    if not ids or not has_capability(request.user, Capability.VIEW_CASES):
        return []
    from xinfang.cases.selectors import cases_visible_to

    return list(cases_visible_to(request.user).filter(pk__in=ids).order_by("due_on", "id"))  # type: ignore[arg-type]


@requires(Capability.VIEW_ANALYTICS)
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = get_object_or_404(warnings_visible_to(request.user), pk=pk)
    case_list = warning.evidence.get("case_list") or {}
    from urllib.parse import urlencode

    return render(
        request,
        "analytics/warning_detail.html",
        {
            "warning": warning,
            "cases": _evidence_cases(request, warning),
            "hidden_cases": len(warning.evidence.get("case_ids") or []),
            "case_list_query": urlencode(case_list)
            if case_list and has_capability(request.user, Capability.VIEW_CASES)
            else "",
            "note_form": NoteForm(),
            "assign_form": AssignForm(),
            "method": detection,
        },
    )


@requires(Capability.VIEW_ANALYTICS)
@require_POST
def warning_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    warning = get_object_or_404(warnings_visible_to(request.user), pk=pk)
    user: Any = request.user
    try:
        if action == "acknowledge":
            form = NoteForm(request.POST)
            form.is_valid()
            services.warning_acknowledge(
                actor=user, warning=warning, note=form.cleaned_data.get("note", "")
            )
        elif action == "assign":
            assign = AssignForm(request.POST)
            if not assign.is_valid():
                raise DomainError(_("Choose the person to assign it to."), code="invalid_assignee")
            services.warning_assign(
                actor=user,
                warning=warning,
                assignee=assign.cleaned_data["assignee"],
                note=assign.cleaned_data.get("note", ""),
            )
        elif action == "close":
            form = NoteForm(request.POST)
            form.is_valid()
            services.warning_close(
                actor=user, warning=warning, note=form.cleaned_data.get("note", "")
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("analytics:warning", pk=warning.pk)


# --- reports ------------------------------------------------------------------------------


@requires(Capability.VIEW_ANALYTICS)
def report_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user: Any = request.user
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                report = services.report_request(
                    actor=user,
                    kind=d["kind"],
                    year=d["year"],
                    month=d["month"],
                    suggestions=d["suggestions"],
                )
            except DomainError as exc:
                form.add_error(exc.field or None, exc.message)
            else:
                return redirect("analytics:report", pk=report.pk)
    else:
        year, month = services.default_report_month(today)
        form = ReportForm(initial={"kind": "monthly", "year": year, "month": month})
    return render(
        request,
        "analytics/reports.html",
        {"form": form, "reports": reports_visible_to(user)[:50]},
    )


@requires(Capability.VIEW_ANALYTICS)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(reports_visible_to(request.user), pk=pk)
    waiting = report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    return render(request, "analytics/report_detail.html", {"report": report, "waiting": waiting})


@requires(Capability.VIEW_ANALYTICS)
def report_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    report: AnalysisReport = get_object_or_404(reports_visible_to(request.user), pk=pk)
    field = {"pdf": report.pdf, "docx": report.docx}.get(fmt)
    if field is None or not field or not field.name:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1]
    )


# --- settings -----------------------------------------------------------------------------


@requires(Capability.ADMINISTER)
def settings_page(request: HttpRequest) -> HttpResponse:
    """Targets and ranking weights: the county's own values over DOMAIN.md §7's."""
    current = indicator_settings()
    form = SettingsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            for code, setting in current.items():
                target = d.get(f"{code}__target")
                weight = d.get(f"{code}__weight", setting.weight)
                if target != setting.target or weight != setting.weight:
                    services.indicator_setting_update(
                        actor=request.user,  # type: ignore[arg-type]
                        code=code,
                        target=target,
                        weight=weight,
                    )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("analytics:settings")
    return render(
        request,
        "analytics/settings.html",
        {"form": form, "indicators": INDICATORS, "current": current},
    )


# --- public -------------------------------------------------------------------------------


@public
def public_statistics(request: HttpRequest) -> HttpResponse:
    """公开统计: county totals only — counts and rates, no case, no person, no text."""
    today = timezone.localdate()
    period = Period.parse(request.GET.get("year"), today=today)
    if period.kind != "year" or period.start > today:
        period = Period.year(today.year)
    board = build_dashboard(
        PUBLIC_SCOPE,
        period=period,
        filters=Filters(),
        today=today,
        facets=("channel", "town", "category", "trend"),
    )
    public_codes = ("timely_acceptance", "on_time_closure", "closure", "satisfaction")
    return render(
        request,
        "analytics/public.html",
        {
            "board": board,
            "indicators": [iv for iv in board.indicators if iv.code in public_codes],
            "years": list(range(today.year, today.year - 5, -1)),
            "chart_data": board.chart_data(),
        },
    )
