"""Pages of complex cases (三跨三分), the backlog (积案), field inspections (督查), quality
inspection (质检) and follow-up calls (回访)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.services import case_set_joint_handling
from xinfang.core.access import requires
from xinfang.core.errors import DomainError
from xinfang.org.permissions import Capability, has_capability

from . import complex as complex_services
from . import followups, quality, visits
from .conf import conf
from .forms import (
    DrawForm,
    EmptyForm,
    FindingForm,
    FollowUpForm,
    InspectForm,
    JointForm,
    MeetingForm,
    NoteForm,
    OwnerForm,
    ResolveForm,
    SelectCaseForm,
    VisitForm,
    VisitRecordForm,
)
from .models import BacklogEntry, CoordinationMeeting, FieldInspection, FollowUp, QualityInspection
from .selectors import (
    backlog_list,
    backlog_visible_to,
    pass_rate,
    pass_rate_by_inspector,
    pass_rate_by_unit,
    visits_list,
)
from .views import form_error


def _case(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(cases_visible_to(request.user), pk=pk)  # type: ignore[arg-type]


# --- complex cases ------------------------------------------------------------------------------


@requires(Capability.SUPERVISE)
def complex_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/complex.html",
        {
            "cases": complex_services.joint_cases()[:100],
            "meetings": CoordinationMeeting.objects.select_related("case")[:30],
        },
    )


@requires(Capability.SUPERVISE)
def joint_set(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Lead unit and co-units (the case service decides; needs the right to route)."""
    case = _case(request, case_pk)
    initial = {
        "lead": case.handling_unit_id,
        "co_units": list(case.co_units.values_list("pk", flat=True)),
        "version": case.version,
    }
    form = JointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case_set_joint_handling(
                actor=request.user,  # type: ignore[arg-type]
                case=case,
                lead=d["lead"],
                co_units=d["co_units"],
                expected_version=d["version"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Joint handling set for %(n)s.") % {"n": case.number})
            return redirect("supervision:complex")
    return render(
        request,
        "supervision/joint_form.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )


@requires(Capability.SUPERVISE)
def meeting_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    initial = {
        "units": [u for u in [case.handling_unit_id] if u]
        + list(case.co_units.values_list("pk", flat=True))
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = complex_services.meeting_record(
                actor=request.user,  # type: ignore[arg-type]
                case=case,
                held_on=d["held_on"],
                place=d["place"],
                chair=d["chair"],
                units=d["units"],
                topics=d["topics"],
                decisions=d["decisions"],
                tasks=[
                    complex_services.TaskData(unit=u, text=t, due_on=due)
                    for u, t, due in d["tasks"]
                ],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("supervision:meeting", pk=meeting.pk)
    return render(
        request,
        "supervision/meeting_form.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )


@requires(Capability.SUPERVISE)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        CoordinationMeeting.objects.filter(case__in=cases_visible_to(request.user)),  # type: ignore[arg-type]
        pk=pk,
    )
    return render(
        request,
        "supervision/meeting_detail.html",
        {
            "meeting": meeting,
            "units": meeting.units.all(),
            "tasks": meeting.tasks.select_related("unit"),
        },
    )


# --- backlog ------------------------------------------------------------------------------------


@requires(Capability.SUPERVISE)
def backlog(request: HttpRequest) -> HttpResponse:
    resolved = request.GET.get("resolved") == "1"
    return render(
        request,
        "supervision/backlog.html",
        {"entries": backlog_list(resolved=resolved)[:300], "resolved": resolved},
    )


BACKLOG_FORMS: dict[str, type[Any]] = {
    "assign": OwnerForm,
    "note": NoteForm,
    "resolve": ResolveForm,
}


def _backlog_page(
    request: HttpRequest,
    entry: BacklogEntry,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    supervise = has_capability(request.user, Capability.SUPERVISE)
    shown: list[str] = []
    if not entry.resolved_on:
        shown = (["assign"] if supervise else []) + ["note"] + (["resolve"] if supervise else [])
    return render(
        request,
        "supervision/backlog_entry.html",
        {
            "entry": entry,
            "notes": entry.notes.select_related("author"),
            "items": entry.case.supervision_items.select_related("unit"),
            "forms": [
                (a, forms.get(a) or BACKLOG_FORMS[a](initial=_initial(a, entry))) for a in shown
            ],
        },
        status=status,
    )


def _initial(action: str, entry: BacklogEntry) -> dict[str, Any]:
    return {"owner": entry.owner_id} if action == "assign" else {}


@requires(Capability.VIEW_CASES)
def backlog_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(backlog_visible_to(request.user), pk=pk)
    return _backlog_page(request, entry)


@requires(Capability.VIEW_CASES)
@require_POST
def backlog_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = get_object_or_404(backlog_visible_to(request.user), pk=pk)
    if action not in BACKLOG_FORMS:
        raise Http404
    form = BACKLOG_FORMS[action](request.POST)
    if form.is_valid():
        d = form.cleaned_data
        actor: Any = request.user
        try:
            if action == "assign":
                complex_services.backlog_assign(actor=actor, entry=entry, owner=d["owner"])
            elif action == "note":
                complex_services.backlog_note_add(actor=actor, entry=entry, text=d["text"])
            else:
                complex_services.backlog_resolve(
                    actor=actor, entry=entry, resolution=d["resolution"]
                )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("supervision:backlog_entry", pk=entry.pk)
    entry.refresh_from_db()
    return _backlog_page(request, entry, {action: form}, status=400)


# --- field inspections (督查) --------------------------------------------------------------------


@requires(Capability.SUPERVISE)
def visit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/visits.html", {"visits": visits_list()[:200]})


@requires(Capability.SUPERVISE)
def visit_create(request: HttpRequest) -> HttpResponse:
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = visits.visit_plan(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Inspection %(n)s planned.") % {"n": visit.number})
            return redirect("supervision:visit", pk=visit.pk)
    return render(
        request, "supervision/visit_form.html", {"form": form}, status=400 if form.errors else 200
    )


VISIT_FORMS: dict[str, type[Any]] = {
    "visit": VisitRecordForm,
    "finding": FindingForm,
    "close": EmptyForm,
    "cancel": EmptyForm,
}
VISIT_ACTIONS = {
    FieldInspection.Status.PLANNED: ["visit", "cancel"],
    FieldInspection.Status.VISITED: ["finding", "close"],
}


def _visit_page(
    request: HttpRequest,
    visit: FieldInspection,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    shown = VISIT_ACTIONS.get(FieldInspection.Status(visit.status), [])
    shown = shown + [a for a in forms if a not in shown]
    return render(
        request,
        "supervision/visit_detail.html",
        {
            "visit": visit,
            "findings": visit.findings.prefetch_related("corrections"),
            "forms": [(a, forms.get(a) or VISIT_FORMS[a]()) for a in shown],
        },
        status=status,
    )


@requires(Capability.SUPERVISE)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_page(
        request, get_object_or_404(FieldInspection.objects.select_related("unit"), pk=pk)
    )


@requires(Capability.SUPERVISE)
@require_POST
def visit_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    visit = get_object_or_404(FieldInspection, pk=pk)
    if action not in VISIT_FORMS:
        raise Http404
    form = VISIT_FORMS[action](request.POST)
    if form.is_valid():
        d = form.cleaned_data
        actor: Any = request.user
        try:
            if action == "visit":
                visits.visit_record(actor=actor, visit=visit, **d)
            elif action == "finding":
                visits.finding_add(actor=actor, visit=visit, **d)
            elif action == "close":
                visits.visit_close(actor=actor, visit=visit)
            else:
                visits.visit_cancel(actor=actor, visit=visit)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("supervision:visit", pk=visit.pk)
    visit.refresh_from_db()
    return _visit_page(request, visit, {action: form}, status=400)


# --- quality inspection (质检) ------------------------------------------------------------------


def _quality_page(
    request: HttpRequest,
    select_form: SelectCaseForm | None = None,
    draw_form: DrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "supervision/quality.html",
        {
            "pending": quality.pending_inspections()[:200],
            "decided": QualityInspection.objects.exclude(result="")
            .select_related("case", "inspector", "case__handling_unit")
            .order_by("-decided_on", "-pk")[:30],
            "reworks": quality.open_reworks().select_related("unit", "case"),
            "select_form": select_form or SelectCaseForm(),
            "draw_form": draw_form
            or DrawForm(initial={"start": today - timedelta(days=30), "end": today}),
        },
        status=status,
    )


@requires(Capability.INSPECT)
def quality_list(request: HttpRequest) -> HttpResponse:
    return _quality_page(request)


@requires(Capability.INSPECT)
@require_POST
def quality_select(request: HttpRequest) -> HttpResponse:
    form = SelectCaseForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["number"].strip()
        case = cases_visible_to(request.user).filter(number=number).first()  # type: ignore[arg-type]
        if case is None:
            form.add_error("number", _("No case with this number."))
        else:
            try:
                inspection = quality.quality_select(actor=request.user, case=case)  # type: ignore[arg-type]
            except DomainError as exc:
                form_error(form, exc)
            else:
                return redirect("supervision:quality_inspect", pk=inspection.pk)
    return _quality_page(request, select_form=form, status=400)


@requires(Capability.INSPECT)
@require_POST
def quality_draw(request: HttpRequest) -> HttpResponse:
    form = DrawForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        rate = 1.0 if d["mode"] == "all" else d["percent"] / 100
        try:
            n = quality.quality_draw(
                actor=request.user,  # type: ignore[arg-type]
                start=d["start"],
                end=d["end"],
                rate=rate,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(n)d case(s) drawn for inspection.") % {"n": n})
            return redirect("supervision:quality")
    return _quality_page(request, draw_form=form, status=400)


@requires(Capability.INSPECT)
def quality_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        QualityInspection.objects.select_related("case", "case__handling_unit", "rework_of"),
        pk=pk,
    )
    case = inspection.case
    initial = {f"met_{k}": v for k, v in quality.initial_checks(case).items()}
    form = InspectForm(request.POST or None, initial=initial)
    if request.method == "POST" and not inspection.result and form.is_valid():
        try:
            quality.quality_decide(
                actor=request.user,  # type: ignore[arg-type]
                inspection=inspection,
                checks=form.checks(),
                notes=form.notes(),
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("supervision:quality_inspect", pk=inspection.pk)
    return render(
        request,
        "supervision/quality_inspect.html",
        {
            "inspection": inspection,
            "case": case,
            "form": form,
            "checklist": quality.CHECKLIST,
            "history": case.quality_inspections.exclude(pk=inspection.pk),
            "reworks": case.supervision_items.filter(kind="rework"),
            "pass_mark": conf("QUALITY_PASS_MARK"),
            "recorded": [(c, inspection.checklist.get(c.code, {})) for c in quality.CHECKLIST]
            if inspection.result
            else [],
        },
        status=400 if form.errors else 200,
    )


@requires(Capability.INSPECT)
def quality_rates(request: HttpRequest) -> HttpResponse:
    """质检合格率 per unit and per inspector (DOMAIN.md §5)."""
    today = timezone.localdate()
    try:
        days = max(1, min(int(request.GET.get("days", "90")), 3660))
    except ValueError:
        days = 90
    start = today - timedelta(days=days)
    return render(
        request,
        "supervision/quality_rates.html",
        {
            "start": start,
            "end": today,
            "days": days,
            "total": pass_rate(start=start, end=today),
            "units": pass_rate_by_unit(start=start, end=today),
            "inspectors": pass_rate_by_inspector(start=start, end=today),
        },
    )


# --- follow-up calls (回访) ---------------------------------------------------------------------


@requires(Capability.SUPERVISE)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = today - timedelta(days=90)
    return render(
        request,
        "supervision/follow_ups.html",
        {
            "open": FollowUp.objects.filter(done_on__isnull=True).select_related(
                "case", "case__handling_unit"
            ),
            "done": FollowUp.objects.filter(done_on__isnull=False)
            .select_related("case")
            .order_by("-done_on")[:30],
            "rates": followups.rating_rates(start=start, end=today, today=today),
            "start": start,
            "today": today,
        },
    )


@requires(Capability.SUPERVISE)
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("case", "case__handling_unit", "done_by"), pk=pk
    )
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and not follow_up.done_on and form.is_valid():
        d = form.cleaned_data
        try:
            followups.follow_up_record(
                actor=request.user,  # type: ignore[arg-type]
                follow_up=follow_up,
                outcome=d["outcome"],
                notes=d["notes"],
                due_on=d["due_on"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("supervision:follow_up", pk=follow_up.pk)
    return render(
        request,
        "supervision/follow_up.html",
        {"follow_up": follow_up, "form": form, "rework": followups.rework_of(follow_up)},
        status=400 if form.errors else 200,
    )
